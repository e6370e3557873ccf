import { useCallback } from 'react';
import { call } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagerControls, useKeysetPages } from '../../components/KeysetPager';
import {
  ACTION_HELP,
  ACTION_LABELS,
  CONFLICT_LABELS,
  KIND_LABELS,
  POLICY_LABELS,
  type PlanAction,
  type PlanItem,
  type PlanKind,
} from './labels';

const PAGE = 50;

function describe(item: PlanItem): string[] {
  const d = item.detail;
  const out: string[] = [];
  if (d.conflict) out.push(CONFLICT_LABELS[d.conflict]);
  if (d.resolution) out.push(`Policy: ${POLICY_LABELS[d.resolution].label.toLowerCase()}`);
  if (d.repairs?.length) out.push(`Repair: ${d.repairs.join(', ')}`);
  if (d.password === 'hash') out.push('Password hash imported');
  if (d.password === 'none') out.push(`No password${d.passwordReason ? ` (${d.passwordReason})` : ''}`);
  if (d.roleSlugs?.length) out.push(`Roles: ${d.roleSlugs.join(', ')}`);
  if (d.rolesDropped?.length)
    out.push(`Roles dropped (one role per membership): ${d.rolesDropped.join(', ')}`);
  if (d.membershipStatus) out.push(`Membership ${d.membershipStatus}`);
  if (d.reason) out.push(d.reason);
  return out;
}

// One cell of the plan's diff, drilled into: the items of that entity and action, a page at a time.
export function PlanItems({
  kind,
  action,
  onClose,
}: {
  kind: PlanKind;
  action: PlanAction;
  onClose(): void;
}) {
  const fetchPage = useCallback(
    (after: number | undefined) =>
      call('workos.plan.items', {
        kind,
        action,
        limit: PAGE,
        ...(after !== undefined ? { after } : {}),
      }).then((p) => ({
        rows: p.rows,
        next: p.next,
      })),
    [kind, action],
  );
  const pages = useKeysetPages(fetchPage);
  const label = `${KIND_LABELS[kind]}: ${ACTION_LABELS[action].toLowerCase()}`;
  const page = pages.page;

  return (
    <section className="card" aria-labelledby="plan-items-title" data-testid="plan-items">
      <div className="card-head">
        <h3 id="plan-items-title" tabIndex={-1}>
          {label}
        </h3>
        <button type="button" className="linklike" onClick={onClose}>
          Close list
        </button>
      </div>
      <p className="muted">{ACTION_HELP[action]}</p>
      <ErrorBanner error={pages.error} onDismiss={pages.dismissError} />
      {page && page.rows.length === 0 ? <p>None.</p> : null}
      {page && page.rows.length > 0 ? (
        <table className="data-table" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Source (Auth0)</th>
              <th scope="col">WorkOS id</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((item) => (
              <tr key={item.seq} data-action={item.action}>
                <td>{item.seq}</td>
                <td className="mono">{item.sourceKey}</td>
                <td className="mono">
                  {item.workosId ?? item.detail.workosUserId ?? item.detail.workosOrgId ?? '—'}
                </td>
                <td>
                  {describe(item).map((line) => (
                    <div key={line}>{line}</div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <PagerControls
        label={label}
        pageNumber={pages.pageNumber}
        rows={page?.rows.length ?? 0}
        hasPrevious={pages.hasPrevious}
        hasNext={pages.hasNext}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </section>
  );
}
