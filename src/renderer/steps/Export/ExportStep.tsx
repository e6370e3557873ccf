import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExportStatus } from '../../../shared/contract';
import { asUiError, call, subscribe, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useWizard } from '../../store/wizard';
import { CompletenessTable } from './CompletenessTable';
import { EntityProgress } from './EntityProgress';
import { EXPORT_ENTITIES, type ExportEntity } from './entities';
import './export.css';

const EXPORT_KIND = 'auth0.export';
const REFRESH_MS = 400;

// The Export step: choose what to export, start, follow each entity's progress, pause, resume or cancel, and read
// the completeness table at the end. Everything shown comes from main (export.status); a reopened app lands on
// the same run, which can be resumed where it stopped.
export function ExportStep() {
  const refreshWizard = useWizard((s) => s.refresh);
  const readOnly = useWizard((s) => s.workspace?.readOnly ?? false);
  const announce = useAnnouncer((s) => s.announce);
  const [status, setStatus] = useState<ExportStatus | null>(null);
  const [selected, setSelected] = useState<Set<ExportEntity>>(
    () => new Set(EXPORT_ENTITIES.map((e) => e.id)),
  );
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastState = useRef<string | null>(null);

  const load = useCallback(async () => {
    lastRefresh.current = Date.now();
    try {
      const s = await call('export.status', {});
      setStatus(s);
      const state = s.run?.state ?? null;
      if (state && lastState.current && state !== lastState.current) {
        announce(`Export ${state}.`);
        if (state === 'complete' || state === 'incomplete') void refreshWizard();
      }
      lastState.current = state;
    } catch (err) {
      setError(asUiError(err));
    }
  }, [announce, refreshWizard]);

  useEffect(() => {
    // The first read, deferred out of the effect body (its result arrives asynchronously anyway).
    queueMicrotask(() => void load());
    // Progress events arrive up to ten times a second; the status is re-read at most every REFRESH_MS.
    const off = subscribe('job.progress', (job) => {
      if (job.kind !== EXPORT_KIND) return;
      const wait = Math.max(0, REFRESH_MS - (Date.now() - lastRefresh.current));
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void load();
      }, wait);
    });
    return () => {
      off();
      if (pending.current) clearTimeout(pending.current);
    };
  }, [load]);

  const runState = status?.run?.state ?? null;
  const jobId = status?.run?.jobId ?? null;
  const active = runState === 'running';
  const resumable =
    runState === 'paused' ||
    runState === 'interrupted' ||
    (runState === 'failed' && status?.job?.state === 'failed');
  const canStart =
    !readOnly && !active && !busy && runState !== 'paused' && runState !== 'interrupted' && selected.size > 0;

  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      announce(done);
      await load();
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    act(async () => {
      const all = selected.size === EXPORT_ENTITIES.length;
      setStatus(await call('export.start', all ? {} : { entities: [...selected] }));
    }, 'Export started.');

  const toggle = (id: ExportEntity) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="step-body export-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {readOnly ? (
        <Notice tone="warning">
          This workspace is open read-only, so an export cannot be written into it.
        </Notice>
      ) : null}

      <section className="card" aria-labelledby="export-choose">
        <h3 id="export-choose">What to export</h3>
        <fieldset className="export-entities" disabled={active || busy}>
          <legend className="sr-only">Entities to export</legend>
          {EXPORT_ENTITIES.map((e) => (
            <label key={e.id} className="export-entity">
              <input type="checkbox" checked={selected.has(e.id)} onChange={() => toggle(e.id)} />
              <span>
                {e.label}
                <span className="muted"> {e.help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <Button variant="primary" onClick={() => void start()} disabled={!canStart} busy={busy && !active}>
            {status?.lastComplete ? 'Export again (refresh)' : 'Start export'}
          </Button>
          {active && jobId ? (
            <Button
              onClick={() => void act(() => call('jobs.pause', { id: jobId }), 'Export paused.')}
              disabled={busy}
            >
              Pause
            </Button>
          ) : null}
          {resumable && jobId ? (
            <Button
              variant="primary"
              onClick={() => void act(() => call('jobs.resume', { id: jobId }), 'Export resumed.')}
              disabled={busy || readOnly}
            >
              Resume
            </Button>
          ) : null}
          {(active || resumable) && jobId ? (
            <Button
              variant="danger"
              onClick={() => void act(() => call('jobs.cancel', { id: jobId }), 'Export cancelled.')}
              disabled={busy}
            >
              Cancel export
            </Button>
          ) : null}
        </div>
        {runState === 'paused' || runState === 'interrupted' ? (
          <p className="muted">
            The export {runState === 'paused' ? 'is paused' : 'was interrupted'}; resume continues at the last
            saved page. Cancel it to start a new export with another selection.
          </p>
        ) : null}
      </section>

      {status?.run ? <EntityProgress status={status} /> : null}

      {status?.run?.error && runState !== 'running' ? (
        <div className="banner banner-error" role="alert" data-error-code={status.run.error.code}>
          <div className="banner-body">
            <p className="banner-title">The export stopped</p>
            <p className="banner-message">{status.run.error.message}</p>
            {status.run.error.hint ? <p className="banner-hint">{status.run.error.hint}</p> : null}
          </div>
        </div>
      ) : null}

      {status && status.completeness.length > 0 ? <CompletenessTable status={status} /> : null}
    </div>
  );
}
