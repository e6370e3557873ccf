import type { JobInfo } from '../../../shared/contract';
import { count, etaText, percent } from '../../components/format';
import type { ImportStatus } from '../../store/workos';
import { KIND_LABELS, PLAN_KINDS } from '../Plan/labels';

const BUCKETS: Record<string, string> = {
  um_write: 'user-management writes',
  um_read: 'user-management reads',
  org_delete: 'organization deletes',
  other: 'other',
};

const PREPARING_STATES: Partial<Record<JobInfo['state'], string>> = {
  queued: 'waiting to start',
  running: 'running',
  paused: 'paused',
  failed: 'stopped',
  interrupted: 'interrupted when the app closed',
};

// Before the first operation: the import reads WorkOS to check it is as the plan saw it, then writes every planned
// operation to the journal (minutes at a million users). Nothing is sent to WorkOS until that is done.
export function ImportPreparing({ job, resumable }: { job: JobInfo; resumable: boolean }) {
  const stopped = job.state !== 'running' && job.state !== 'queued';
  return (
    <section className="card" aria-labelledby="import-preparing-title" data-testid="import-preparing">
      <h3 id="import-preparing-title">
        Preparing the import <span className="muted">({PREPARING_STATES[job.state] ?? job.state})</span>
      </h3>
      <p role="status" aria-live="polite" data-testid="import-preparing-message">
        {job.message ?? (stopped ? '' : 'Starting')}
      </p>
      <p className="muted">
        {stopped
          ? `Nothing has been sent to WorkOS yet.${resumable ? ' Resume continues the preparation where it stopped.' : ''}`
          : 'Nothing is sent to WorkOS until every planned operation is in the journal, so the import can resume exactly.'}
      </p>
    </section>
  );
}

// Live progress of the import, per entity from the journal, with the write rate against WorkOS's limit, the
// ETA and the 429s seen so far.
export function ImportProgress({ status, job }: { status: ImportStatus; job: JobInfo | null }) {
  const stats = status.stats;
  const running = job?.state === 'running';
  const rate = stats?.phaseRequestsPerSecond;
  const limit = stats?.limitPerSecond ?? null;
  const eta = running ? etaText(job?.etaSeconds) : null;
  const pct = percent(status.settled, status.total);
  return (
    <section className="card" aria-labelledby="import-progress-title" data-testid="import-progress">
      <h3 id="import-progress-title">
        Progress <span className="muted">({job?.state ?? 'not started'})</span>
      </h3>
      <p className="import-overall">
        <progress max={status.total || 1} value={status.settled} aria-label="Import progress" />{' '}
        <span data-testid="import-settled">
          {count(status.settled)} of {count(status.total)} operations settled
          {pct !== null ? ` (${pct}%)` : ''}
        </span>
        {eta ? <span className="muted"> · {eta}</span> : null}
      </p>
      <p className="import-phase" role="status" aria-live="polite" data-testid="import-phase">
        {stats?.label ? `Now: ${stats.label}` : running ? 'Checking that WorkOS is as the plan saw it' : ''}
      </p>
      <dl className="facts import-rate" data-testid="import-rate">
        <dt>Write rate</dt>
        <dd>
          {rate !== undefined ? `${rate.toFixed(1)} requests/s` : '—'}
          {limit ? (
            <>
              {' '}
              against a sustained limit of {limit.toFixed(0)}/s{' '}
              {rate !== undefined ? (
                <span className="muted">
                  {rate <= limit * 1.05
                    ? `(${Math.round((rate / limit) * 100)}% of the limit)`
                    : '(a burst: WorkOS counts its limit over a window, so a short phase may run above the sustained rate)'}
                </span>
              ) : null}
            </>
          ) : null}
        </dd>
        <dt>Rate-limited (429)</dt>
        <dd data-testid="import-429">{count(stats?.rateLimited ?? 0)}</dd>
        <dt>Requests</dt>
        <dd>
          {stats
            ? Object.entries(stats.requests)
                .filter(([, n]) => n > 0)
                .map(
                  ([bucket, n]) => `${BUCKETS[bucket] ?? bucket.replace(/_/g, ' ')}: ${n.toLocaleString()}`,
                )
                .join(', ') || '—'
            : '—'}
        </dd>
      </dl>
      <table className="data-table" data-testid="import-entities">
        <caption className="sr-only">Import progress per entity</caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col">Done</th>
            <th scope="col">Skipped</th>
            <th scope="col">Failed</th>
            <th scope="col">Remaining</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {PLAN_KINDS.map((k) => {
            const c = status.counts[k] ?? { done: 0, failed: 0, skipped: 0, pending: 0, in_flight: 0 };
            const remaining = (c.pending ?? 0) + (c.in_flight ?? 0);
            const all = (c.done ?? 0) + (c.failed ?? 0) + (c.skipped ?? 0) + remaining;
            return (
              <tr key={k} data-kind={k} data-remaining={remaining} data-failed={c.failed ?? 0}>
                <th scope="row">{KIND_LABELS[k]}</th>
                <td>{count(c.done)}</td>
                <td>{count(c.skipped)}</td>
                <td className={c.failed ? 'bad' : undefined}>{count(c.failed)}</td>
                <td>{count(remaining)}</td>
                <td>
                  {all > 0 ? (
                    <progress max={all} value={all - remaining} aria-label={`${KIND_LABELS[k]} progress`} />
                  ) : (
                    <span className="muted">nothing to do</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
