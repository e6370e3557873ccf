import type { ExportStatus } from '../../../shared/contract';
import { Notice } from '../../components/Notice';

const fmt = (n: number | null): string => (n === null ? 'not offered' : n.toLocaleString());

// The proof of the export: every count next to Auth0's own total, with the reason wherever they differ.
export function CompletenessTable({ status }: { status: ExportStatus }) {
  const allComplete = status.completeness.every((c) => c.complete);
  const finished = status.run?.state === 'complete' || status.run?.state === 'incomplete';
  const changed = status.changes.filter((c) => c.added + c.removed + c.changed > 0);
  return (
    <section className="card" aria-labelledby="export-completeness">
      <h3 id="export-completeness">Completeness</h3>
      {finished ? (
        allComplete ? (
          <Notice tone="success">Every count matches what Auth0 reports.</Notice>
        ) : (
          <Notice tone="warning" title="The export is not complete">
            Some counts differ from Auth0&apos;s totals; the notes below say why and what to do.
          </Notice>
        )
      ) : null}
      <table className="export-table">
        <caption className="sr-only">Exported counts compared with Auth0&apos;s totals</caption>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col">Exported</th>
            <th scope="col">Auth0 total</th>
            <th scope="col">Complete</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {status.completeness.map((c) => (
            <tr key={c.entity} data-entity={c.entity} data-complete={c.complete}>
              <th scope="row">{c.label}</th>
              <td>{c.exported.toLocaleString()}</td>
              <td title={c.source}>{fmt(c.expected)}</td>
              <td className={c.complete ? 'ok' : 'bad'}>{c.complete ? 'Yes' : 'No'}</td>
              <td className="export-note">{c.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {changed.length > 0 ? (
        <>
          <h4>Changes since the previous export</h4>
          <ul className="export-changes">
            {changed.map((c) => (
              <li key={c.table}>
                {c.table.replace(/_/g, ' ')}: {c.added} added, {c.removed} removed, {c.changed} changed
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
