import { useState, type ReactNode } from 'react';

interface AdvancedProps {
  summary: string;
  /** Open at first, e.g. because an override is stored and the admin should see it. */
  initiallyOpen: boolean;
  children: ReactNode;
}

// Settings most admins never need, behind a native disclosure (keyboard and screen readers for free).
export function Advanced({ summary, initiallyOpen, children }: AdvancedProps) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <details className="advanced" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      <div className="advanced-body">{children}</div>
    </details>
  );
}
