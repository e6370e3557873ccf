import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './Button';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The confirm button stays disabled until the admin has done what the dialog asks (typed a name…). */
  confirmDisabled?: boolean;
  busy?: boolean;
  danger?: boolean;
  testId?: string;
  onConfirm(): void;
  onCancel(): void;
}

// A modal confirmation on the native <dialog>: focus moves into it (to the element marked autoFocus, else the
// first control), Tab stays inside, Escape cancels, and focus returns where it was when it closes.
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  confirmDisabled = false,
  busy = false,
  danger = false,
  testId,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {open ? (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            if (!confirmDisabled && !busy) onConfirm();
          }}
        >
          <h3 id={titleId}>{title}</h3>
          <div className="confirm-dialog-body">{children}</div>
          <div className="actions confirm-dialog-actions">
            <Button onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant={danger ? 'danger' : 'primary'}
              disabled={confirmDisabled}
              busy={busy}
            >
              {confirmLabel}
            </Button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
