import type { JobInfo } from '../../shared/contract';
import { useJobs } from '../store/jobs';

function describe(job: JobInfo): string {
  const parts = [`${job.kind}: ${job.state}`];
  if (job.total !== null && job.total > 0) {
    parts.push(`${job.done} of ${job.total} (${Math.floor((job.done / job.total) * 100)}%)`);
  } else {
    parts.push(`${job.done} done`);
  }
  if (job.rate !== null && job.state === 'running') parts.push(`${job.rate.toFixed(1)}/s`);
  if (job.etaSeconds !== null && job.state === 'running') parts.push(`about ${Math.ceil(job.etaSeconds)} s left`);
  if (job.message) parts.push(job.message);
  if (job.error) parts.push(job.error.message);
  return parts.join(' · ');
}

// Live progress of the workspace's jobs, as main reports it through job.progress events.
export function JobsStatus() {
  const jobs = useJobs((s) => s.jobs);
  const active = Object.values(jobs).filter((j) => j.state === 'running' || j.state === 'paused' || j.state === 'queued');
  return (
    <section className="jobs" aria-label="Background jobs">
      <div aria-live="polite" className="jobs-live">
        {active.length === 0 ? (
          <p className="muted">No job is running.</p>
        ) : (
          <ul>
            {active.map((job) => (
              <li key={job.id}>
                {job.total !== null && job.total > 0 ? (
                  <progress max={job.total} value={job.done} aria-label={`${job.kind} progress`} />
                ) : null}
                <span>{describe(job)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
