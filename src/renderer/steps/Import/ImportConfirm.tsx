import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { count } from '../../components/format';
import { TargetTag, type TargetKind } from '../../components/TargetTag';
import type { PlanSummary } from '../../store/workos';
import { KIND_LABELS, PLAN_KINDS } from '../Plan/labels';

interface ImportConfirmProps {
  open: boolean;
  plan: PlanSummary;
  target: TargetKind;
  busy: boolean;
  /** Continuing a started import rather than starting one. */
  resuming: boolean;
  onConfirm(environment: string): void;
  onCancel(): void;
}

/** Production keys (and keys whose kind is unknown) are confirmed by typing the environment's name. */
export const mustType = (target: TargetKind) => target === 'production' || target === 'unknown';

// Nothing is written to WorkOS before the admin has seen where it goes and how much: the environment by name and
// kind (rehearsal sandbox or production), its host, and what will be created and repaired.
export function ImportConfirm({
  open,
  plan,
  target,
  busy,
  resuming,
  onConfirm,
  onCancel,
}: ImportConfirmProps) {
  const [typed, setTyped] = useState('');
  const typing = mustType(target);
  const matches = typed.trim() === plan.environment;
  const creates = PLAN_KINDS.map(
    (k) => [k, plan.counts[k]?.create ?? 0, plan.counts[k]?.repair ?? 0] as const,
  );
  return (
    <ConfirmDialog
      open={open}
      testId="import-confirm"
      title={`${resuming ? 'Continue the import into' : 'Import into'} ${plan.environment}?`}
      confirmLabel={`${resuming ? 'Continue importing' : 'Import'} into ${plan.environment}`}
      confirmDisabled={typing && !matches}
      busy={busy}
      onConfirm={() => onConfirm(plan.environment)}
      onCancel={() => {
        setTyped('');
        onCancel();
      }}
    >
      <p className="confirm-target">
        This writes to the WorkOS environment{' '}
        <strong data-testid="confirm-environment">{plan.environment}</strong> <TargetTag kind={target} /> at{' '}
        <span className="path">{plan.host}</span>.
      </p>
      {target === 'rehearsal' ? (
        <p>It is the local rehearsal sandbox: no real WorkOS environment is touched.</p>
      ) : target === 'production' ? (
        <p className="bad">
          <strong>This is a production environment.</strong> Your users will be created there and can sign in.
        </p>
      ) : null}
      <table className="data-table compact">
        <caption className="sr-only">What the import writes</caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col">Create</th>
            <th scope="col">Repair</th>
          </tr>
        </thead>
        <tbody>
          {creates.map(([k, create, repair]) => (
            <tr key={k} data-kind={k}>
              <th scope="row">{KIND_LABELS[k]}</th>
              <td>{count(create)}</td>
              <td>{count(repair)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Webhooks:{' '}
        {plan.options.pauseWebhooks ? 'paused during the import, re-enabled afterwards.' : 'left enabled.'}{' '}
        Every operation is journaled: the import can be paused, resumed after a crash, and rolled back.
      </p>
      {typing ? (
        <div className="field">
          <label htmlFor="confirm-env">
            Type <strong>{plan.environment}</strong> to confirm
          </label>
          <div className="field-row">
            <input
              id="confirm-env"
              autoFocus
              autoComplete="off"
              spellCheck={false}
              value={typed}
              aria-invalid={typed.length > 0 && !matches}
              onChange={(e) => setTyped(e.target.value)}
            />
          </div>
        </div>
      ) : null}
    </ConfirmDialog>
  );
}
