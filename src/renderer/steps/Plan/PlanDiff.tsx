import { Notice } from '../../components/Notice';
import type { PlanSummary } from '../../store/workos';
import {
  ACTION_HELP,
  ACTION_LABELS,
  KIND_LABELS,
  PLAN_ACTIONS,
  PLAN_KINDS,
  POLICY_LABELS,
  type PlanAction,
  type PlanKind,
} from './labels';

interface PlanDiffProps {
  plan: PlanSummary;
  open: { kind: PlanKind; action: PlanAction } | null;
  onOpen(kind: PlanKind, action: PlanAction): void;
}

// The plan as a diff: per entity, how many are created, already match, need repair, conflict or are left out.
// Every non-zero count opens the list behind it.
export function PlanDiff({ plan, open, onOpen }: PlanDiffProps) {
  const n = (k: PlanKind, a: PlanAction) => plan.counts[k]?.[a] ?? 0;
  const conflicts = PLAN_KINDS.reduce((s, k) => s + n(k, 'conflict'), 0);
  const policy = POLICY_LABELS[plan.options.conflictPolicy];
  return (
    <section className="card" aria-labelledby="plan-diff-title">
      <h3 id="plan-diff-title">What the import will do</h3>
      <table className="data-table plan-diff" data-testid="plan-diff">
        <caption className="sr-only">
          Planned changes per entity and action; select a count to list its items
        </caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            {PLAN_ACTIONS.map((a) => (
              <th scope="col" key={a} title={ACTION_HELP[a]} className={`plan-col-${a}`}>
                {ACTION_LABELS[a]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {PLAN_KINDS.map((k) => (
            <tr key={k} data-kind={k}>
              <th scope="row">{KIND_LABELS[k]}</th>
              {PLAN_ACTIONS.map((a) => {
                const value = n(k, a);
                const selected = open?.kind === k && open.action === a;
                return (
                  <td
                    key={a}
                    data-action={a}
                    data-count={value}
                    className={value ? `plan-cell-${a}` : 'muted'}
                  >
                    {value ? (
                      <button
                        type="button"
                        className="linklike"
                        aria-pressed={selected}
                        aria-label={`${value.toLocaleString()} ${KIND_LABELS[k].toLowerCase()}: ${ACTION_LABELS[a].toLowerCase()}, list them`}
                        onClick={() => onOpen(k, a)}
                      >
                        {value.toLocaleString()}
                      </button>
                    ) : (
                      '0'
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {conflicts > 0 ? (
        <Notice
          tone={plan.options.conflictPolicy === 'stop' ? 'warning' : 'info'}
          title={`${conflicts.toLocaleString()} conflict${conflicts === 1 ? '' : 's'} with what is already in WorkOS`}
        >
          <p data-testid="plan-conflicts">
            Policy chosen: <strong>{policy.label}</strong>. {policy.help}
          </p>
          <p>
            <button type="button" className="linklike" onClick={() => onOpen('user', 'conflict')}>
              List the conflicting users
            </button>{' '}
            to see, for each, whether the email or the external id is taken.
          </p>
        </Notice>
      ) : null}
    </section>
  );
}
