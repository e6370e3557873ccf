import { useCallback } from 'react';
import { call } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count } from '../../components/format';
import { PagerControls, useKeysetPages } from '../../components/KeysetPager';
import type { VerifyResult } from '../../store/workos';

const PAGE = 50;
const ENTITIES = [
  ['users', 'Users'],
  ['organizations', 'Organizations'],
  ['memberships', 'Memberships'],
  ['roles', 'Roles'],
  ['totp', 'TOTP factors'],
] as const;

// A verification's result: every entity read back from WorkOS against the workspace, the sign-in checks with known
// passwords, and every mismatch, a page at a time.
export function VerifyResultCard({ result }: { result: VerifyResult }) {
  const c = result.counts;
  const fetchPage = useCallback(
    (after: number | undefined) =>
      call('workos.verify.mismatches', { limit: PAGE, ...(after !== undefined ? { after } : {}) }),
    [],
  );
  const pages = useKeysetPages(fetchPage);
  const page = pages.page;
  return (
    <section
      className="card"
      aria-labelledby="verify-result-title"
      data-testid="verify-result"
      data-ok={result.ok}
    >
      <h3 id="verify-result-title">Result</h3>
      {result.ok ? (
        <div className="banner banner-success" data-testid="verify-verdict">
          <div className="banner-body">
            <p className="banner-title">WorkOS matches the workspace</p>
            <p className="banner-message">
              Every user, organization, membership, role and factor is there as planned
              {c.passwords.checked > 0
                ? `, and ${count(c.passwords.verified)} users signed in with their password`
                : ''}
              .
            </p>
          </div>
        </div>
      ) : (
        <div className="banner banner-error" data-testid="verify-verdict">
          <div className="banner-body">
            <p className="banner-title">
              {count(c.mismatches)} mismatch(es) between WorkOS and the workspace
            </p>
            <p className="banner-message">Each one is listed below.</p>
          </div>
        </div>
      )}
      <p className="muted">
        Checked <time dateTime={result.finishedAt}>{new Date(result.finishedAt).toLocaleString()}</time>.
      </p>
      <table className="data-table" data-testid="verify-counts">
        <caption className="sr-only">Expected and found in WorkOS, per entity</caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col">Expected</th>
            <th scope="col">Found</th>
            <th scope="col">Mismatched</th>
          </tr>
        </thead>
        <tbody>
          {ENTITIES.map(([key, label]) => {
            const p = c[key];
            const good = p.expected === p.found && !p.mismatched;
            return (
              <tr key={key} data-entity={key} data-ok={good}>
                <th scope="row">{label}</th>
                <td>{count(p.expected)}</td>
                <td className={good ? 'ok' : 'bad'}>{count(p.found)}</td>
                <td className={p.mismatched ? 'bad' : undefined}>{count(p.mismatched ?? 0)}</td>
              </tr>
            );
          })}
          <tr data-entity="passwords" data-ok={c.passwords.checked === c.passwords.verified}>
            <th scope="row">Sign-ins with the known password</th>
            <td>{count(c.passwords.checked)} tried</td>
            <td className={c.passwords.checked === c.passwords.verified ? 'ok' : 'bad'}>
              {count(c.passwords.verified)} signed in
            </td>
            <td>{c.passwords.skippedReason ?? ''}</td>
          </tr>
        </tbody>
      </table>
      <ErrorBanner error={pages.error} onDismiss={pages.dismissError} />
      {page && page.rows.length > 0 ? (
        <>
          <h4>Mismatches</h4>
          <table className="data-table" aria-label="Mismatches" data-testid="verify-mismatches">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Source (Auth0)</th>
                <th scope="col">Field</th>
                <th scope="col">Expected</th>
                <th scope="col">In WorkOS</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((m) => (
                <tr key={m.seq}>
                  <td>{m.kind}</td>
                  <td className="mono">{m.sourceKey}</td>
                  <td>{m.field}</td>
                  <td className="mono">{m.expected ?? '—'}</td>
                  <td className="mono">{m.actual ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <PagerControls
        label="mismatches"
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
