import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  label: string;
  value: string;
  onChange(value: string): void;
  help?: ReactNode;
  /** Shown beside the input, e.g. a Browse button. */
  action?: ReactNode;
}

// A labelled input with optional help text tied to it by aria-describedby.
export function Field({ label, value, onChange, help, action, id, ...rest }: FieldProps) {
  const auto = useId();
  const inputId = id ?? `f${auto}`;
  const helpId = help ? `${inputId}-help` : undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <div className="field-row">
        <input
          {...rest}
          id={inputId}
          value={value}
          aria-describedby={helpId}
          onChange={(e) => onChange(e.target.value)}
        />
        {action}
      </div>
      {help ? (
        <p id={helpId} className="field-help">
          {help}
        </p>
      ) : null}
    </div>
  );
}
