import { useEffect, useState } from 'react';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';

type Tab = 'organizations' | 'memberships' | 'roles' | 'connections';
type Row = Record<string, unknown>;

const PAGE = 200;

// Organizations, memberships, roles and connections: small enough per page to show as plain paged tables.
export function OtherTables({
  tab,
  version,
  canDecide,
  onError,
  onRoleEdit,
}: {
  tab: Tab;
  version: number;
  canDecide: boolean;
  onError: (e: UiError) => void;
  onRoleEdit: (roleId: string, slug: string | null) => void;
}) {
  const [rows, setRows] = useState<Row[]>([]);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [detail, setDetail] = useState<Row | null>(null);
  const [edit, setEdit] = useState<Record<string, string>>({});

  useEffect(() => {
    let live = true;
    const q =
      tab === 'organizations'
        ? call('review.organizations', { offset, limit: PAGE })
        : tab === 'memberships'
          ? call('review.memberships', { offset, limit: PAGE })
          : tab === 'roles'
            ? call('review.roles', {})
            : call('review.connections', {});
    q.then((r) => {
      if (!live) return;
      setRows(r.rows as Row[]);
      setTotal(r.total);
    }).catch((e: unknown) => onError(asUiError(e)));
    return () => {
      live = false;
    };
  }, [tab, offset, version, onError]);

  const columns: Record<Tab, string[]> = {
    organizations: ['name', 'displayName', 'members', 'orgId'],
    memberships: ['email', 'orgName', 'auth0Roles', 'userId'],
    roles: ['auth0Name', 'slug', 'builtIn', 'source', 'problems'],
    connections: ['name', 'strategy', 'protocol', 'readiness', 'missing'],
  };
  const show = (v: unknown) =>
    Array.isArray(v)
      ? v
          .map((x) =>
            (typeof x === 'object' && x ? String((x as { code?: string }).code) : String(x)).replace(
              /_/g,
              ' ',
            ),
          )
          .join(', ')
      : v === null || v === undefined
        ? ''
        : String(v);

  return (
    <div data-testid={`${tab}-table`}>
      <p className="muted">
        {total.toLocaleString()} {tab}
      </p>
      <table className="review-plain">
        <thead>
          <tr>
            {columns[tab].map((c) => (
              <th key={c}>{c}</th>
            ))}
            {tab === 'roles' && canDecide ? <th>Edit slug</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr
              key={i}
              onClick={() =>
                tab === 'organizations'
                  ? void call('review.organization', { orgId: String(r.orgId) })
                      .then((d) => setDetail(d))
                      .catch((e: unknown) => onError(asUiError(e)))
                  : undefined
              }
            >
              {columns[tab].map((c) => (
                <td key={c}>{show(r[c])}</td>
              ))}
              {tab === 'roles' && canDecide ? (
                <td>
                  <input
                    aria-label={`WorkOS slug for ${String(r.auth0Name)}`}
                    value={edit[String(r.roleId)] ?? ''}
                    placeholder={String(r.slug)}
                    onChange={(e) => setEdit((m) => ({ ...m, [String(r.roleId)]: e.target.value }))}
                  />
                  <Button
                    onClick={() => onRoleEdit(String(r.roleId), edit[String(r.roleId)]?.trim() || null)}
                  >
                    Save
                  </Button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {total > PAGE ? (
        <div className="actions">
          <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </Button>
          <Button disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Next
          </Button>
        </div>
      ) : null}
      {detail ? (
        <aside className="card review-detail" aria-label="Organization detail" data-testid="org-detail">
          <div className="review-compare">
            <section>
              <h4>Auth0 organization</h4>
              <pre>{JSON.stringify(detail.auth0, null, 2)}</pre>
            </section>
            <section>
              <h4>WorkOS organization</h4>
              <pre>{JSON.stringify(detail.workos, null, 2)}</pre>
            </section>
          </div>
          <Button onClick={() => setDetail(null)}>Close</Button>
        </aside>
      ) : null}
    </div>
  );
}
