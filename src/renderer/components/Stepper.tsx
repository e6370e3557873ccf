import { useRef, type KeyboardEvent } from 'react';
import type { WizardStatus } from '../../shared/contract';
import { stepIds, stepTitles, type StepId } from '../../shared/steps';
import { stepInfo } from '../store/wizard';

const stateLabels = {
  done: 'done',
  current: 'next to do',
  available: 'available',
  locked: 'locked',
  unavailable: 'not yet available',
} as const;

interface StepperProps {
  status: WizardStatus | null;
  viewing: StepId;
  onView(step: StepId): void;
}

// Every step of the migration, always listed. One Tab stop (roving tabindex); arrow keys, Home and End move
// between steps, Enter or Space opens one. Locked and unavailable steps open too: their panel says why.
export function Stepper({ status, viewing, onView }: StepperProps) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const onKeyDown = (e: KeyboardEvent<HTMLOListElement>) => {
    const at = buttons.current.findIndex((b) => b === document.activeElement);
    if (at < 0) return;
    const last = stepIds.length - 1;
    const to = {
      ArrowDown: at + 1,
      ArrowRight: at + 1,
      ArrowUp: at - 1,
      ArrowLeft: at - 1,
      Home: 0,
      End: last,
    }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    buttons.current[Math.max(0, Math.min(last, to))]?.focus();
  };

  return (
    <nav className="stepper" aria-label="Migration steps">
      <ol onKeyDown={onKeyDown}>
        {stepIds.map((id, i) => {
          const info = stepInfo(status, id);
          const selected = id === viewing;
          return (
            <li key={id}>
              <button
                ref={(el) => {
                  buttons.current[i] = el;
                }}
                type="button"
                className={`step step-${info.state}${selected ? ' step-selected' : ''}`}
                aria-current={selected ? 'step' : undefined}
                tabIndex={selected ? 0 : -1}
                data-step={id}
                data-state={info.state}
                onClick={() => onView(id)}
              >
                <span className="step-number" aria-hidden="true">
                  {info.state === 'done' ? '✓' : i + 1}
                </span>
                <span className="step-title">{stepTitles[id]}</span>
                <span className="step-state">{stateLabels[info.state]}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
