import { useState } from 'react';
import type { Input } from '../../../shared/contract';
import { Button } from '../../components/Button';
import { POLICY_LABELS, type ConflictPolicy } from './labels';

export type PlanOptions = Required<Input<'workos.plan.create'>>;

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  conflictPolicy: 'stop',
  multipleRoles: false,
  pauseWebhooks: false,
  passwords: 'import',
};

interface PlanOptionsFormProps {
  initial: PlanOptions;
  hasPlan: boolean;
  disabled: boolean;
  busy: boolean;
  onPlan(options: PlanOptions): void;
}

// The choices a plan is made with. They are part of the stored plan: changing one means planning again.
export function PlanOptionsForm({ initial, hasPlan, disabled, busy, onPlan }: PlanOptionsFormProps) {
  const [options, setOptions] = useState<PlanOptions>(initial);
  const set = <K extends keyof PlanOptions>(key: K, value: PlanOptions[K]) =>
    setOptions((o) => ({ ...o, [key]: value }));

  return (
    <section className="card" aria-labelledby="plan-options">
      <h3 id="plan-options">How to plan</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onPlan(options);
        }}
      >
        <fieldset className="plan-choices" disabled={disabled}>
          <legend>When a user conflicts with an existing WorkOS user</legend>
          {(Object.keys(POLICY_LABELS) as ConflictPolicy[]).map((p) => (
            <label key={p} className="plan-choice">
              <input
                type="radio"
                name="conflictPolicy"
                value={p}
                checked={options.conflictPolicy === p}
                onChange={() => set('conflictPolicy', p)}
              />
              <span>
                <strong>{POLICY_LABELS[p].label}</strong>
                <span className="muted"> — {POLICY_LABELS[p].help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <fieldset className="plan-choices" disabled={disabled}>
          <legend>Passwords</legend>
          <label className="plan-choice">
            <input
              type="radio"
              name="passwords"
              checked={options.passwords === 'import'}
              onChange={() => set('passwords', 'import')}
            />
            <span>
              <strong>Import the merged hashes</strong>
              <span className="muted"> — users keep the password they have.</span>
            </span>
          </label>
          <label className="plan-choice">
            <input
              type="radio"
              name="passwords"
              checked={options.passwords === 'none'}
              onChange={() => set('passwords', 'none')}
            />
            <span>
              <strong>No passwords</strong>
              <span className="muted"> — users sign in by reset, magic link or SSO.</span>
            </span>
          </label>
        </fieldset>
        <fieldset className="plan-choices" disabled={disabled}>
          <legend>WorkOS environment settings</legend>
          <label className="plan-choice">
            <input
              type="checkbox"
              checked={options.multipleRoles}
              onChange={(e) => set('multipleRoles', e.target.checked)}
            />
            <span>
              <strong>Multiple roles per membership are enabled</strong>
              <span className="muted">
                {' '}
                — WorkOS&apos;s API does not say; when off, a member with several roles keeps the first and
                the others are listed as dropped.
              </span>
            </span>
          </label>
          <label className="plan-choice">
            <input
              type="checkbox"
              checked={options.pauseWebhooks}
              onChange={(e) => set('pauseWebhooks', e.target.checked)}
            />
            <span>
              <strong>Pause webhooks during the import</strong>
              <span className="muted">
                {' '}
                — so your endpoints do not receive an event per created user. They are re-enabled when the
                import ends, and on the next open after a crash.
              </span>
            </span>
          </label>
        </fieldset>
        <div className="actions">
          <Button type="submit" variant="primary" disabled={disabled} busy={busy}>
            {hasPlan ? 'Plan again' : 'Create plan'}
          </Button>
        </div>
      </form>
    </section>
  );
}
