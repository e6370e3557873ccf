import { useCallback, useEffect, useRef, useState } from 'react';
import type { Output } from '../../../shared/contract';
import { asUiError, call, subscribe, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useWizard } from '../../store/wizard';
import { HowTo } from './HowTo';
import { Lists } from './Lists';
import { MergeForm } from './MergeForm';
import { Result } from './Result';
import './passwords.css';

type Kind = 'passwords' | 'mfa';
type Status = Output<'passwords.status'>;
const JOB_KIND: Record<Kind, string> = { passwords: 'merge.passwords', mfa: 'merge.mfa' };

// The Passwords step: merge the password-hash file (and the MFA-secret file) from Auth0 support. The page sees
// counts, algorithms, user ids and line numbers; hashes and secrets stay in main, encrypted in the workspace.
export function PasswordsStep() {
  const [kind, setKind] = useState<Kind>('passwords');
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [mergedFile, setMergedFile] = useState<string | null>(null);
  const [removal, setRemoval] = useState<Output<'passwords.removePlaintext'> | null>(null);
  const [busy, setBusy] = useState(false);
  const readOnly = useWizard((s) => s.workspace?.readOnly ?? false);
  const refreshWizard = useWizard((s) => s.refresh);
  const announce = useAnnouncer((s) => s.announce);
  const lastState = useRef<string | null>(null);

  const load = useCallback(async () => {
    try {
      const s = await call('passwords.status', { kind });
      setStatus(s);
      const state = s.job?.state ?? null;
      if (state && lastState.current && state !== lastState.current) {
        announce(`Merge ${state}.`);
        if (state === 'completed') void refreshWizard();
      }
      lastState.current = state;
    } catch (err) {
      setError(asUiError(err));
    }
  }, [kind, announce, refreshWizard]);

  useEffect(() => {
    lastState.current = null;
    queueMicrotask(() => void load());
    return subscribe('job.progress', (job) => {
      if (job.kind === JOB_KIND[kind]) void load();
    });
  }, [kind, load]);

  const job = status?.job ?? null;
  const running = job?.state === 'running' || job?.state === 'queued';
  const latest = status?.latest ?? null;
  const plainMerged = latest && !latest.encrypted && mergedFile !== null && job?.state === 'completed';

  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      await load();
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="step-body passwords-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <div className="passwords-tabs" role="group" aria-label="Which file">
        {(['passwords', 'mfa'] as const).map((k) => (
          <Button
            key={k}
            variant={kind === k ? 'primary' : 'secondary'}
            aria-pressed={kind === k}
            onClick={() => {
              setKind(k);
              setStatus(null);
              setMergedFile(null);
              setRemoval(null);
            }}
          >
            {k === 'passwords' ? 'Password hashes' : 'MFA secrets'}
          </Button>
        ))}
      </div>
      {readOnly ? (
        <Notice tone="warning">This workspace is open read-only, so nothing can be merged into it.</Notice>
      ) : null}
      {status && status.exportedUsers === 0 ? (
        <Notice tone="warning" title="Export first">
          There are no exported users to match the file against. Run the export in the previous step.
        </Notice>
      ) : null}

      <MergeForm
        key={kind}
        kind={kind}
        disabled={readOnly || running || busy || status?.exportedUsers === 0}
        onStarted={(file) => {
          setMergedFile(file);
          setRemoval(null);
          announce('Merge started.');
          void load();
        }}
      />

      {job ? (
        <section className="card" aria-labelledby="merge-progress">
          <h3 id="merge-progress">Progress</h3>
          <p data-testid="merge-state">
            <strong>{job.state}</strong> — {job.message ?? `${job.done} lines`}
            {job.rate ? <span className="muted"> ({Math.round(job.rate)} lines/s)</span> : null}
          </p>
          {running ? <progress aria-label="Merge progress" /> : null}
          {job.error && !running ? (
            <div className="banner banner-error" role="alert" data-error-code={job.error.code}>
              <div className="banner-body">
                <p className="banner-title">The merge stopped; nothing from the file was merged</p>
                <p className="banner-message">{job.error.message}</p>
                {job.error.hint ? <p className="banner-hint">{job.error.hint}</p> : null}
              </div>
            </div>
          ) : null}
          <div className="actions">
            {running ? (
              <Button onClick={() => void act(() => call('jobs.pause', { id: job.id }))} disabled={busy}>
                Pause
              </Button>
            ) : null}
            {job.state === 'paused' || job.state === 'interrupted' ? (
              <>
                <Button
                  variant="primary"
                  onClick={() => void act(() => call('passwords.resume', { jobId: job.id }))}
                  disabled={busy || readOnly}
                >
                  Resume
                </Button>
                <span className="muted">
                  Resume continues after the last saved line. An encrypted file needs its key again: merge it
                  from the form above instead, which starts over.
                </span>
              </>
            ) : null}
          </div>
        </section>
      ) : null}

      {latest ? <Result kind={kind} result={latest} /> : null}

      {plainMerged ? (
        <section className="card" aria-labelledby="remove-plain">
          <h3 id="remove-plain">Remove the decrypted file?</h3>
          {removal ? (
            <Notice tone="success" title={`Removed (${removal.overwrittenBytes} bytes overwritten)`}>
              {removal.note}
            </Notice>
          ) : (
            <>
              <p>
                The file you merged holds every password hash in clear. The app can overwrite it with random
                data and delete it. This is not a guarantee: on SSDs, copy-on-write file systems (APFS, Btrfs,
                ZFS) and where snapshots or backups exist, old copies of its blocks can survive. Full-disk
                encryption is what protects those; also delete any backup or snapshot that holds the file.
              </p>
              <Button
                variant="danger"
                busy={busy}
                onClick={() =>
                  void act(async () =>
                    setRemoval(await call('passwords.removePlaintext', { path: mergedFile! })),
                  )
                }
              >
                Overwrite and delete the decrypted file
              </Button>
            </>
          )}
        </section>
      ) : null}

      {latest ? <Lists kind={kind} version={latest.runId} /> : null}
      <HowTo />
    </div>
  );
}
