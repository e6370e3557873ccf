import { useState } from 'react';
import type { JobInfo } from '../../shared/contract';
import { asUiError, call, type UiError } from '../api';
import { useJobs } from '../store/jobs';
import { useWizard } from '../store/wizard';
import { Button } from './Button';
import { ErrorBanner } from './ErrorBanner';

// Jobs the admin may need to act on; completed and cancelled ones drop out of the bar, and so does a failed or
// interrupted one once a newer job of its kind has run (a stale import after the new plan's import, an export
// that failed before the one that completed), and a paused one once a newer job of its kind has completed (a
// review refresh paused before the one that finished).
const shown = new Set<JobInfo['state']>(['queued', 'running', 'paused', 'interrupted', 'failed']);
const supersedable = new Set<JobInfo['state']>(['interrupted', 'failed']);

function needsAttention(jobs: JobInfo[]): JobInfo[] {
  const newest = new Map<string, string>();
  const newestCompleted = new Map<string, string>();
  const later = (m: Map<string, string>, j: JobInfo) => {
    if ((m.get(j.kind) ?? '') < j.updatedAt) m.set(j.kind, j.updatedAt);
  };
  for (const j of jobs) {
    later(newest, j);
    if (j.state === 'completed') later(newestCompleted, j);
  }
  return jobs.filter(
    (j) =>
      shown.has(j.state) &&
      !(supersedable.has(j.state) && j.updatedAt < newest.get(j.kind)!) &&
      !(j.state === 'paused' && j.updatedAt < (newestCompleted.get(j.kind) ?? '')),
  );
}

function describe(job: JobInfo): string {
  const parts = [`${job.kind}: ${job.state}`];
  if (job.total !== null && job.total > 0) {
    parts.push(`${job.done} of ${job.total} (${Math.floor((job.done / job.total) * 100)}%)`);
  } else {
    parts.push(`${job.done} done`);
  }
  if (job.rate !== null && job.state === 'running') parts.push(`${job.rate.toFixed(1)}/s`);
  if (job.etaSeconds !== null && job.state === 'running')
    parts.push(`about ${Math.ceil(job.etaSeconds)} s left`);
  if (job.message) parts.push(job.message);
  if (job.error) parts.push(job.error.message);
  return parts.join(' · ');
}

/** A job stopped because the workspace changed under its plan: resuming is always refused; only a new plan helps. */
const needsNewPlan = (job: JobInfo): boolean => job.error?.code === 'plan_stale';

// Live progress of the workspace's jobs, as main reports it through job.progress events, with the controls
// the contract offers (pause, resume, cancel).
export function JobsStatus() {
  const jobs = useJobs((s) => s.jobs);
  const update = useJobs((s) => s.update);
  const view = useWizard((s) => s.view);
  const [error, setError] = useState<UiError | null>(null);
  const list = needsAttention(Object.values(jobs));

  const act = (op: 'jobs.pause' | 'jobs.resume' | 'jobs.cancel', id: string) => {
    setError(null);
    call(op, { id })
      .then(update)
      .catch((err: unknown) => setError(asUiError(err)));
  };

  return (
    <section className="jobs" aria-label="Background jobs">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {list.length === 0 ? (
        <p className="muted">No job is running.</p>
      ) : (
        <ul>
          {list.map((job) => (
            <li key={job.id} data-testid="job" data-job-state={job.state}>
              {job.total !== null && job.total > 0 ? (
                <progress max={job.total} value={job.done} aria-label={`${job.kind} progress`} />
              ) : null}
              <span aria-live="polite">{describe(job)}</span>
              <span className="job-actions">
                {job.state === 'running' ? (
                  <Button onClick={() => act('jobs.pause', job.id)} aria-label={`Pause ${job.kind}`}>
                    Pause
                  </Button>
                ) : null}
                {needsNewPlan(job) ? (
                  <Button onClick={() => view('plan')}>Go to the Plan step</Button>
                ) : job.state === 'paused' || job.state === 'interrupted' || job.state === 'failed' ? (
                  <Button onClick={() => act('jobs.resume', job.id)} aria-label={`Resume ${job.kind}`}>
                    Resume
                  </Button>
                ) : null}
                {job.state !== 'failed' ? (
                  <Button
                    variant="danger"
                    onClick={() => act('jobs.cancel', job.id)}
                    aria-label={`Cancel ${job.kind}`}
                  >
                    Cancel
                  </Button>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
