import { useCallback, useEffect, useState } from 'react';
import type { ReviewJobView, ReviewSummaryView } from '../../../shared/review-contract';
import { asUiError, call, subscribe, UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useWizard } from '../../store/wizard';
import { DecisionFile, saveText } from './DecisionFile';
import { DetailPanel } from './DetailPanel';
import { OtherTables } from './OtherTables';
import { UsersTable, type UserQueryState } from './UsersTable';
import './review.css';

const SEVERITY_ORDER = ['error', 'warning', 'info'] as const;
const POLICIES: { code: string; label: string; values: string[] }[] = [
  { code: 'blocked_users', label: 'Blocked users', values: ['exclude', 'import_without_password', 'import'] },
  { code: 'unverified_emails', label: 'Unverified emails', values: ['import', 'exclude'] },
  { code: 'users_without_organization', label: 'Users in no organization', values: ['import', 'exclude'] },
  { code: 'domain_state', label: 'Organization domains', values: ['pending', 'verified'] },
];

const download = (fileName: string, text: string) => saveText(fileName, text, 'text/csv');

// The Review step: a summary (counts, findings by severity, what will and will not migrate), tables of users,
// organizations, memberships, roles and connections with search, filters and a detail panel, the policies,
// CSV exports, and the sign-off that locks the decisions.
export function ReviewStep() {
  const refreshWizard = useWizard((s) => s.refresh);
  const readOnly = useWizard((s) => s.workspace?.readOnly ?? false);
  const announce = useAnnouncer((s) => s.announce);
  const [summary, setSummary] = useState<ReviewSummaryView | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<'users' | 'organizations' | 'memberships' | 'roles' | 'connections'>(
    'users',
  );
  const [query, setQuery] = useState<UserQueryState>({ filter: '', search: '', sort: 'user_id' });
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [reviewer, setReviewer] = useState('');
  const [refreshJob, setRefreshJob] = useState<ReviewJobView | null>(null);
  const onError = useCallback((e: UiError) => setError(e), []);

  useEffect(() => {
    call('review.summary', {})
      .then((s) => {
        setSummary(s);
        setRefreshJob(s.refreshing ?? null);
      })
      .catch((e: unknown) => setError(asUiError(e)));
  }, []);

  // The full refresh runs as a job in a worker thread: follow its progress, reload when it ends.
  useEffect(
    () =>
      subscribe('job.progress', (job) => {
        if (job.kind !== 'review.refresh') return;
        if (job.state === 'running' || job.state === 'queued') {
          setRefreshJob(job);
          return;
        }
        setRefreshJob(null);
        if (job.state === 'failed' && job.error) setError(new UiError(job.error));
        void call('review.summary', {})
          .then((s) => {
            setSummary(s);
            setVersion((v) => v + 1);
          })
          .catch((e: unknown) => setError(asUiError(e)));
      }),
    [],
  );

  const locked = summary?.signOff.signed ?? false;
  // A reviewer's copy of a redacted package is read-only for data but records decisions.
  const canRecord = summary?.access?.canDecide ?? !readOnly;
  const reviewCopy = summary?.access?.reviewCopy ?? null;
  const canDecide = canRecord && !locked && !refreshJob;
  const progressText = refreshJob
    ? `${refreshJob.message ?? 'Computing the findings'}… ${
        refreshJob.total ? `${Math.floor((100 * refreshJob.done) / refreshJob.total)}%` : ''
      }`
    : null;

  const act = async (fn: () => Promise<ReviewSummaryView | void>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      const s = await fn();
      if (s) setSummary(s);
      else setSummary(await call('review.summary', {}));
      setVersion((v) => v + 1);
      announce(done);
      await refreshWizard();
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(false);
    }
  };
  const who = () => reviewer.trim() || 'admin';

  if (!summary || (summary.computedAt === null && refreshJob)) {
    return (
      <div className="step-body" aria-busy="true">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <p className="muted" role="status" data-testid="review-refresh-progress">
          {progressText ?? 'Computing the findings…'}
        </p>
        {refreshJob?.total ? <progress max={refreshJob.total} value={refreshJob.done} /> : null}
      </div>
    );
  }
  const migrate = summary.outcomes?.create ?? 0;
  const skipped = Object.entries(summary.outcomes?.skip ?? {});
  const skipTotal = skipped.reduce((n, [, v]) => n + v, 0);
  const userFindings = summary.findings.filter((f) => f.entity === 'user');

  return (
    <div className="step-body review-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {reviewCopy ? (
        <Notice tone="info" title="Review copy">
          This is a redacted package of {reviewCopy.workspaceName}: its data is read-only, but your decisions
          and sign-off are recorded here and can be exported as a signed decision file for the admin.
        </Notice>
      ) : readOnly ? (
        <Notice tone="info" title="Read-only review">
          This workspace is open read-only: the whole review is here, but decisions cannot be changed.
        </Notice>
      ) : null}
      {summary.stale && !refreshJob ? (
        <Notice tone="warning" title="Findings out of date">
          The data changed (an export or a merge) after the findings were computed: recompute them.
        </Notice>
      ) : null}
      {refreshJob ? (
        <div role="status" data-testid="review-refresh-progress">
          <p className="muted">{progressText}</p>
          {refreshJob.total ? <progress max={refreshJob.total} value={refreshJob.done} /> : null}
        </div>
      ) : null}

      <section className="card" aria-labelledby="review-summary">
        <h3 id="review-summary">Summary</h3>
        <dl className="facts review-totals" data-testid="review-totals">
          {Object.entries(summary.totals).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v.toLocaleString()}</dd>
            </div>
          ))}
        </dl>
        <figure
          className="review-chart"
          aria-label="What will and will not migrate"
          data-testid="review-chart"
        >
          <div className="review-bar">
            <span
              className="review-bar-ok"
              style={{ flexGrow: migrate }}
              title={`${migrate} users will be created`}
            />
            {skipped.map(([reason, n]) => (
              <span
                key={reason}
                className="review-bar-skip"
                style={{ flexGrow: n }}
                title={`${n} ${reason.replace(/_/g, ' ')}`}
              />
            ))}
          </div>
          <figcaption>
            <strong>{migrate.toLocaleString()}</strong> users will be created in WorkOS;{' '}
            <strong>{skipTotal.toLocaleString()}</strong> will not
            {skipped.length ? ` (${skipped.map(([r, n]) => `${n} ${r.replace(/_/g, ' ')}`).join(', ')})` : ''}
            .
          </figcaption>
        </figure>
        {SEVERITY_ORDER.map((sev) => {
          const list = summary.findings.filter((f) => f.severity === sev && f.count > 0);
          if (!list.length) return null;
          return (
            <div key={sev}>
              <h4 className={`review-sev review-sev-${sev}`}>
                {sev === 'error' ? 'Errors' : sev === 'warning' ? 'Warnings' : 'Information'} ({list.length})
              </h4>
              <ul className="review-findings">
                {list.map((f) => (
                  <li key={f.code} data-testid={`finding-${f.code}`}>
                    {f.entity === 'user' ? (
                      <button
                        type="button"
                        className="linklike"
                        onClick={() => {
                          setTab('users');
                          setQuery((q) => ({ ...q, filter: f.code }));
                        }}
                      >
                        {f.title}
                      </button>
                    ) : (
                      <span>{f.title}</span>
                    )}{' '}
                    <strong className="review-count">{f.count.toLocaleString()}</strong>
                    <span className="muted"> — {f.consequence}</span>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
        <div className="actions">
          <Button
            disabled={busy || readOnly || Boolean(refreshJob)}
            onClick={() =>
              void act(async () => {
                setRefreshJob((await call('review.refresh', {})).job);
              }, 'Recomputing the findings.')
            }
          >
            Recompute findings
          </Button>
          {(['findings', 'reenrolment', 'providers'] as const).map((what) => (
            <Button
              key={what}
              onClick={() =>
                void call('review.exportCsv', { what })
                  .then((r) => download(r.fileName, r.csv))
                  .catch((e: unknown) => setError(asUiError(e)))
              }
            >
              {what === 'findings'
                ? 'Findings CSV'
                : what === 'reenrolment'
                  ? 'Re-enrolment checklist'
                  : 'Provider checklist'}
            </Button>
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="review-tables">
        <h3 id="review-tables">Records</h3>
        <div role="tablist" className="review-tabs">
          {(['users', 'organizations', 'memberships', 'roles', 'connections'] as const).map((t) => (
            <button
              key={t}
              role="tab"
              type="button"
              aria-selected={tab === t}
              className={tab === t ? 'review-tab-on' : ''}
              onClick={() => setTab(t)}
            >
              {t[0]!.toUpperCase() + t.slice(1)}
            </button>
          ))}
        </div>
        {tab === 'users' ? (
          <>
            <form
              className="review-filters"
              onSubmit={(e) => {
                e.preventDefault();
                setQuery((q) => ({ ...q, search }));
              }}
            >
              <label>
                Filter
                <select
                  value={query.filter}
                  onChange={(e) => setQuery((q) => ({ ...q, filter: e.target.value }))}
                >
                  <option value="">All users</option>
                  {userFindings.map((f) => (
                    <option key={f.code} value={f.code}>
                      {f.title} ({f.count})
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Search
                <input
                  type="search"
                  value={search}
                  placeholder="email or user id prefix"
                  onChange={(e) => setSearch(e.target.value)}
                />
              </label>
              <label>
                Sort
                <select
                  value={query.sort}
                  onChange={(e) => setQuery((q) => ({ ...q, sort: e.target.value as 'user_id' | 'email' }))}
                >
                  <option value="user_id">User id</option>
                  <option value="email">Email</option>
                </select>
              </label>
              <Button type="submit">Search</Button>
            </form>
            <div className={selected ? 'review-split' : ''}>
              <UsersTable
                query={query}
                version={version}
                selected={selected}
                onSelect={setSelected}
                onError={onError}
              />
              {selected ? (
                <DetailPanel
                  userId={selected}
                  version={version}
                  canDecide={canDecide}
                  onClose={() => setSelected(null)}
                  onError={onError}
                  onDecide={(d) =>
                    void act(
                      () =>
                        call('review.decide', {
                          reviewer: who(),
                          decision:
                            d.kind === 'users'
                              ? { kind: 'users', userIds: [selected], include: d.include }
                              : { kind: 'survivor', userId: selected },
                        }),
                      'Decision recorded.',
                    )
                  }
                />
              ) : null}
            </div>
          </>
        ) : (
          <OtherTables
            tab={tab}
            version={version}
            canDecide={canDecide}
            onError={onError}
            onRoleEdit={(roleId, slug) =>
              void act(
                () => call('review.decide', { reviewer: who(), decision: { kind: 'role', roleId, slug } }),
                'Role mapping recorded.',
              )
            }
          />
        )}
      </section>

      <section className="card" aria-labelledby="review-policies">
        <h3 id="review-policies">Policies</h3>
        <div className="review-policies">
          {POLICIES.map((p) => (
            <label key={p.code}>
              {p.label}
              <select
                disabled={!canDecide || busy}
                defaultValue=""
                onChange={(e) =>
                  e.target.value &&
                  void act(
                    () =>
                      call('review.decide', {
                        reviewer: who(),
                        decision: { kind: 'policy', code: p.code, value: e.target.value },
                      }),
                    `Policy ${p.label} set.`,
                  )
                }
              >
                <option value="">(keep)</option>
                {p.values.map((v) => (
                  <option key={v} value={v}>
                    {v.replace(/_/g, ' ')}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="review-signoff">
        <h3 id="review-signoff">Sign-off</h3>
        <p data-testid="signoff-state">
          {locked
            ? `Signed off by ${summary.signOff.reviewer} at ${summary.signOff.at}.${summary.signOff.intact ? '' : ' The decisions changed since: reopen and sign again.'}`
            : 'Not signed off. Signing locks every decision until the review is reopened.'}
        </p>
        <div className="field">
          <label htmlFor="reviewer">Reviewer name</label>
          <input
            id="reviewer"
            value={reviewer}
            onChange={(e) => setReviewer(e.target.value)}
            disabled={!canRecord}
          />
        </div>
        <div className="actions">
          {locked ? (
            <Button
              disabled={busy || !canRecord || !reviewer.trim()}
              onClick={() =>
                void act(
                  async () => void (await call('review.reopen', { reviewer: reviewer.trim() })),
                  'Review reopened.',
                )
              }
            >
              Reopen
            </Button>
          ) : (
            <Button
              variant="primary"
              disabled={busy || !canRecord || Boolean(refreshJob) || !reviewer.trim()}
              onClick={() =>
                void act(
                  async () => void (await call('review.signOff', { reviewer: reviewer.trim() })),
                  'Review signed off.',
                )
              }
            >
              Sign off
            </Button>
          )}
        </div>
      </section>
      <DecisionFile
        summary={summary}
        reviewer={reviewer}
        busy={busy || Boolean(refreshJob)}
        writable={!readOnly}
        onError={onError}
        onApplied={(next, message) => {
          setSummary(next);
          setRefreshJob(next.refreshing ?? null);
          setVersion((v) => v + 1);
          announce(message);
          void refreshWizard();
        }}
      />
    </div>
  );
}
