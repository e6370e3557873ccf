import { useCallback, useRef, useState } from 'react';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagerControls, useKeysetPages } from '../../components/KeysetPager';

const PAGE = 50;

interface FailuresProps {
  total: number;
  /** Changes whenever the journal moves, so the list re-reads. */
  version: number;
  canRetry: boolean;
  retrying: boolean;
  onRetry(): void;
}

// Operations WorkOS refused, with its error code and request id (what WorkOS support asks for); retry them, or take
// them away as CSV. The window cannot write files and clipboard access is denied to it, so the CSV is shown as
// selectable text to copy.
export function Failures({ total, version, canRetry, retrying, onRetry }: FailuresProps) {
  const fetchPage = useCallback(
    (after: number | undefined) =>
      call('workos.import.failures', { limit: PAGE, ...(after !== undefined ? { after } : {}) }),
    [],
  );
  const pages = useKeysetPages(fetchPage, version);
  const [csv, setCsv] = useState<{ csv: string; rows: number } | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  const showCsv = async () => {
    setError(null);
    try {
      setCsv(await call('workos.import.failuresCsv', {}));
      requestAnimationFrame(() => area.current?.focus());
    } catch (err) {
      setError(asUiError(err));
    }
  };

  const page = pages.page;
  return (
    <section className="card" aria-labelledby="import-failures-title" data-testid="import-failures">
      <h3 id="import-failures-title">
        Failures <span className="muted">({total.toLocaleString()})</span>
      </h3>
      <ErrorBanner
        error={error ?? pages.error}
        onDismiss={() => (error ? setError(null) : pages.dismissError())}
      />
      <div className="actions">
        <Button variant="primary" onClick={onRetry} disabled={!canRetry} busy={retrying}>
          Retry failed operations
        </Button>
        <Button onClick={() => void showCsv()}>Export failures as CSV</Button>
      </div>
      {page && page.rows.length > 0 ? (
        <table className="data-table" aria-label="Failed operations">
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Source (Auth0)</th>
              <th scope="col">WorkOS code</th>
              <th scope="col">Message</th>
              <th scope="col">Request id</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((f) => (
              <tr key={f.opId}>
                <td>{f.kind}</td>
                <td className="mono">{f.sourceKey}</td>
                <td className="mono">{f.code ?? '—'}</td>
                <td>{f.message ?? '—'}</td>
                <td className="mono">{f.requestId ?? '—'}</td>
                <td>{f.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <PagerControls
        label="failures"
        pageNumber={pages.pageNumber}
        rows={page?.rows.length ?? 0}
        hasPrevious={pages.hasPrevious}
        hasNext={pages.hasNext}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      {csv ? (
        <div className="field csv-field">
          <label htmlFor="failures-csv">Failures as CSV ({csv.rows.toLocaleString()} rows)</label>
          <textarea
            id="failures-csv"
            ref={area}
            readOnly
            rows={Math.min(12, csv.rows + 2)}
            value={csv.csv}
            aria-describedby="failures-csv-help"
            onFocus={(e) => e.currentTarget.select()}
          />
          <p id="failures-csv-help" className="field-help">
            Selected on focus: copy it (Ctrl+C or ⌘C) into a file. The app does not save files from this
            window.
          </p>
          <div className="actions">
            <Button onClick={() => area.current?.select()}>Select all</Button>
            <Button onClick={() => setCsv(null)}>Hide CSV</Button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
