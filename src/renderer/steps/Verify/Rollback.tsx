import { useCallback, useState } from 'react';
import type { JobInfo } from '../../../shared/contract';
import { call } from '../../api';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count, percent } from '../../components/format';
import { PagerControls, useKeysetPages } from '../../components/KeysetPager';
import { Notice } from '../../components/Notice';
import type { RollbackPreview, RollbackResult } from '../../store/workos';

interface RollbackProps {
  environment: string;
  preview: RollbackPreview | null;
  /** The last rollback's result, when it is newer than the last import (else it is about an earlier run). */
  result: RollbackResult | null;
  job: JobInfo | null;
  disabled: boolean;
  busy: boolean;
  onStart(confirm: { confirmUsers: number; confirmOrganizations: number }): Promise<boolean>;
}

function RepairedList({ version }: { version: string }) {
  const fetchPage = useCallback(
    (after: number | undefined) =>
      call('workos.rollback.repaired', { limit: 50, ...(after !== undefined ? { after } : {}) }),
    [],
  );
  const pages = useKeysetPages(fetchPage, version);
  const page = pages.page;
  return (
    <>
      <ErrorBanner error={pages.error} onDismiss={pages.dismissError} />
      {page && page.rows.length > 0 ? (
        <table
          className="data-table"
          aria-label="Pre-existing objects left as they were"
          data-testid="rollback-repaired"
        >
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Source (Auth0)</th>
              <th scope="col">WorkOS id</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((r) => (
              <tr key={r.opId}>
                <td>{r.kind}</td>
                <td className="mono">{r.sourceKey}</td>
                <td className="mono">{r.workosId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : page ? (
        <p className="muted">
          None: the imports from this workspace repaired nothing that existed before them.
        </p>
      ) : null}
      <PagerControls
        label="repaired objects"
        pageNumber={pages.pageNumber}
        rows={page?.rows.length ?? 0}
        hasPrevious={pages.hasPrevious}
        hasNext={pages.hasNext}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </>
  );
}

// Rollback: delete exactly what this workspace created in WorkOS (from the journal, newest first), never anything
// else. The preview gives the counts; the admin confirms by typing them.
export function Rollback({ environment, preview, result, job, disabled, busy, onStart }: RollbackProps) {
  const [confirming, setConfirming] = useState(false);
  const [users, setUsers] = useState('');
  const [orgs, setOrgs] = useState('');
  const running = job?.state === 'running' || job?.state === 'queued';
  const del = preview?.toDelete;
  const nothing = del ? del.users + del.organizations + del.memberships + del.totp === 0 : true;
  const matches =
    del !== undefined && users.trim() === String(del.users) && orgs.trim() === String(del.organizations);
  const close = () => {
    setConfirming(false);
    setUsers('');
    setOrgs('');
  };

  return (
    <section className="card" aria-labelledby="rollback-title" data-testid="rollback">
      <h3 id="rollback-title">Roll back</h3>
      {preview ? (
        <>
          <p>
            Deletes from <strong>{environment}</strong> what this workspace created, newest first. What
            existed before the import is never deleted; objects it repaired are left as they are now.
          </p>
          <dl className="facts" data-testid="rollback-preview">
            <dt>Users to delete</dt>
            <dd data-count="users">{count(preview.toDelete.users)}</dd>
            <dt>Organizations to delete</dt>
            <dd data-count="organizations">{count(preview.toDelete.organizations)}</dd>
            <dt>Memberships to delete</dt>
            <dd>
              {count(preview.toDelete.memberships)}{' '}
              <span className="muted">
                (+{count(preview.goneWithParent.memberships)} that go with their user or organization)
              </span>
            </dd>
            <dt>TOTP factors to delete</dt>
            <dd>
              {count(preview.toDelete.totp)}{' '}
              <span className="muted">(+{count(preview.goneWithParent.totp)} that go with their user)</span>
            </dd>
            <dt>Pre-existing objects repaired</dt>
            <dd>{count(preview.repairedLeftAlone)}, left as they are</dd>
            {preview.notDeletable.roles.length ? (
              <>
                <dt>Roles created</dt>
                <dd>
                  {preview.notDeletable.roles.join(', ')}{' '}
                  <span className="muted">
                    (WorkOS&apos;s API cannot delete roles: remove them in the dashboard if needed)
                  </span>
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}
      {running && job ? (
        <div data-testid="rollback-running">
          <progress
            max={job.total ?? undefined}
            value={job.total ? job.done : undefined}
            aria-label="Rollback progress"
          />
          <p aria-live="polite">
            {job.message ?? `${count(job.done)} deleted`}
            {job.total ? ` (${percent(job.done, job.total)}%)` : ''}
          </p>
        </div>
      ) : null}
      <div className="actions">
        <Button
          variant="danger"
          disabled={disabled || running || nothing}
          busy={busy}
          onClick={() => setConfirming(true)}
        >
          Roll back…
        </Button>
      </div>
      {nothing && result ? <p className="muted">Nothing this workspace created remains to delete.</p> : null}

      {result ? (
        <div data-testid="rollback-done">
          <Notice
            tone={result.failed ? 'warning' : 'success'}
            title={result.failed ? 'Rollback finished with failures' : 'Rollback done'}
          >
            <p data-testid="rollback-deleted">
              Deleted {count(result.deleted.users)} users, {count(result.deleted.organizations)}{' '}
              organizations, {count(result.deleted.memberships)} memberships and {count(result.deleted.totp)}{' '}
              TOTP factors; {count(result.alreadyGone)} were already gone
              {result.failed ? `; ${count(result.failed)} failed` : ''}.
            </p>
          </Notice>
          <h4>Pre-existing objects the imports from this workspace repaired, left as they were</h4>
          <RepairedList version={result.rollbackId} />
        </div>
      ) : null}

      {confirming && del ? (
        <ConfirmDialog
          open
          danger
          testId="rollback-confirm"
          title={`Roll back the import in ${environment}?`}
          confirmLabel="Delete them"
          confirmDisabled={!matches}
          busy={busy}
          onCancel={close}
          onConfirm={() =>
            void onStart({ confirmUsers: del.users, confirmOrganizations: del.organizations }).then(close)
          }
        >
          <p>
            This deletes <strong>{count(del.users)} users</strong> and{' '}
            <strong>{count(del.organizations)} organizations</strong> (with{' '}
            {count(del.memberships + preview!.goneWithParent.memberships)} memberships and{' '}
            {count(del.totp + preview!.goneWithParent.totp)} TOTP factors) from <strong>{environment}</strong>
            . It cannot be undone, but the workspace keeps everything: you can import again.
          </p>
          <div className="field-grid">
            <div className="field">
              <label htmlFor="rb-users">Type the number of users to delete</label>
              <input
                id="rb-users"
                inputMode="numeric"
                autoFocus
                autoComplete="off"
                value={users}
                aria-invalid={users.length > 0 && users.trim() !== String(del.users)}
                onChange={(e) => setUsers(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="rb-orgs">Type the number of organizations to delete</label>
              <input
                id="rb-orgs"
                inputMode="numeric"
                autoComplete="off"
                value={orgs}
                aria-invalid={orgs.length > 0 && orgs.trim() !== String(del.organizations)}
                onChange={(e) => setOrgs(e.target.value)}
              />
            </div>
          </div>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
