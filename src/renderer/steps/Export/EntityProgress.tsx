import type { ExportStatus } from '../../../shared/contract';

const fmt = (n: number | null): string => (n === null ? '?' : n.toLocaleString());

function eta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  if (seconds < 90) return `about ${Math.ceil(seconds)} s left`;
  return `about ${Math.ceil(seconds / 60)} min left`;
}

// Per-entity progress of the current run; the running entity shows the job's rate and ETA.
export function EntityProgress({ status }: { status: ExportStatus }) {
  const job = status.job;
  const stateText: Record<string, string> = { pending: 'waiting', running: 'in progress', done: 'done' };
  return (
    <section className="card" aria-labelledby="export-progress">
      <h3 id="export-progress">
        Progress <span className="muted">({status.run?.state})</span>
      </h3>
      <table className="export-table">
        <caption className="sr-only">Export progress per entity</caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col">State</th>
            <th scope="col">Exported</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {status.entities.map((e) => {
            const running = e.state === 'running' && status.run?.state === 'running';
            const detail =
              running && job
                ? [job.rate ? `${job.rate.toFixed(1)}/s` : null, eta(job.etaSeconds)]
                    .filter(Boolean)
                    .join(', ')
                : '';
            return (
              <tr key={e.entity} data-entity={e.entity} data-state={e.state}>
                <th scope="row">{e.label}</th>
                <td>{e.state === 'running' && !running ? 'stopped here' : stateText[e.state]}</td>
                <td>
                  {fmt(e.exported)}
                  {e.expected !== null ? ` of ${fmt(e.expected)}` : ''}
                </td>
                <td>
                  {e.expected ? (
                    <progress
                      max={e.expected}
                      value={Math.min(e.exported, e.expected)}
                      aria-label={`${e.label} progress`}
                    />
                  ) : null}
                  {detail ? <span className="muted"> {detail}</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {job?.message && status.run?.state === 'running' ? (
        <p className="muted" aria-live="polite">
          {job.message}
        </p>
      ) : null}
    </section>
  );
}
