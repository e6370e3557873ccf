import { useState } from 'react';
import type { JobInfo } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count, percent } from '../../components/format';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useJobs } from '../../store/jobs';
import { isActive, rolledBackSinceImport, useLatestJob, useWorkos, useWorkosLive } from '../../store/workos';
import { useWizard } from '../../store/wizard';
import { Rollback } from './Rollback';
import { VerifyResultCard } from './VerifyResultCard';
import '../../styles/workos-steps.css';

// The Verify step: read WorkOS back and compare it with the workspace (every mismatch listed), sign users in with
// their known passwords in rehearsal mode, and roll the import back if it must be undone.
export function VerifyStep() {
  useWorkosLive();
  const { importStatus, verify, rollback, rollbackPreview, error: loadError, dismissError } = useWorkos();
  const workspace = useWizard((s) => s.workspace);
  const view = useWizard((s) => s.view);
  const announce = useAnnouncer((s) => s.announce);
  const updateJob = useJobs((s) => s.update);
  const verifyJob = useLatestJob('verify');
  const rollbackJob = useLatestJob('rollback');
  const importJob = useLatestJob('import');
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState<'verify' | 'rollback' | null>(null);

  const readOnly = workspace?.readOnly ?? false;
  const rehearsal = workspace?.rehearsal ?? false;
  const verifying = isActive(verifyJob);
  const rollingBack = isActive(rollbackJob);
  const importing = isActive(importJob);

  const run = async (
    name: 'verify' | 'rollback',
    work: () => Promise<JobInfo>,
    done: string,
  ): Promise<boolean> => {
    setBusy(name);
    setError(null);
    try {
      updateJob(await work());
      announce(done);
      return true;
    } catch (err) {
      setError(asUiError(err));
      return false;
    } finally {
      setBusy(null);
    }
  };

  if (!importStatus) {
    return (
      <div className="step-body workos-step">
        <ErrorBanner error={loadError} onDismiss={dismissError} />
        <Notice tone="info" title="Nothing imported yet">
          Verification reads back what the import wrote. Import first.
        </Notice>
        <div className="actions">
          <Button variant="primary" onClick={() => view('import')}>
            Go to Import
          </Button>
        </div>
      </div>
    );
  }

  const verifyCurrent = verify && verify.planId === importStatus.planId ? verify : null;
  const rolledBack = rolledBackSinceImport(rollbackJob, importJob);
  const rollbackCurrent = rolledBack ? rollback : null;
  const jobFailed = (j: JobInfo | null) => (j?.state === 'failed' && j.error ? j.error : null);

  return (
    <div className="step-body workos-step verify-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <ErrorBanner error={loadError} onDismiss={dismissError} />
      {readOnly ? (
        <Notice tone="warning">
          This workspace is open read-only: verification and rollback write to it.
        </Notice>
      ) : null}

      <section className="card" aria-labelledby="verify-title">
        <h3 id="verify-title">Verify WorkOS</h3>
        <p>
          Reads every user, organization, membership, role and TOTP factor back from{' '}
          <strong>{importStatus.environment}</strong> and compares each field with the workspace.
          {rehearsal
            ? ' In rehearsal mode every generated user with a password also signs in through the sandbox with it.'
            : ' Outside rehearsal mode the assistant does not know any password, so no sign-in is tried.'}
        </p>
        {importing ? (
          <Notice tone="info">The import is still running: verify once it has finished.</Notice>
        ) : null}
        <div className="actions">
          <Button
            variant="primary"
            disabled={readOnly || verifying || rollingBack || importing || busy !== null}
            busy={busy === 'verify'}
            onClick={() =>
              void run(
                'verify',
                () => call('workos.verify.start', rehearsal ? { sample: 'all' } : {}),
                'Verification started.',
              )
            }
          >
            {verifyCurrent ? 'Verify again' : 'Verify'}
          </Button>
        </div>
        {verifying && verifyJob ? (
          <div data-testid="verify-running">
            <progress
              max={verifyJob.total ?? undefined}
              value={verifyJob.total ? verifyJob.done : undefined}
              aria-label="Verification progress"
            />
            <p aria-live="polite">
              {verifyJob.message ?? `${count(verifyJob.done)} checked`}
              {verifyJob.total ? ` (${percent(verifyJob.done, verifyJob.total)}%)` : ''}
            </p>
          </div>
        ) : null}
        {jobFailed(verifyJob) && !verifying ? (
          <div className="banner banner-error" role="alert" data-error-code={jobFailed(verifyJob)!.code}>
            <div className="banner-body">
              <p className="banner-title">The verification stopped</p>
              <p className="banner-message">{jobFailed(verifyJob)!.message}</p>
              {jobFailed(verifyJob)!.hint ? (
                <p className="banner-hint">{jobFailed(verifyJob)!.hint}</p>
              ) : null}
            </div>
          </div>
        ) : null}
      </section>

      {verifyCurrent && !verifying && rolledBack ? (
        <Notice tone="warning" title="Rolled back since this verification">
          The result below describes WorkOS before the rollback. Verify again to compare WorkOS as it is now.
        </Notice>
      ) : null}
      {verifyCurrent && !verifying ? (
        <VerifyResultCard key={verifyCurrent.verifyId} result={verifyCurrent} />
      ) : null}

      {jobFailed(rollbackJob) && !rollingBack ? (
        <div className="banner banner-error" role="alert" data-error-code={jobFailed(rollbackJob)!.code}>
          <div className="banner-body">
            <p className="banner-title">The rollback stopped</p>
            <p className="banner-message">{jobFailed(rollbackJob)!.message}</p>
            {jobFailed(rollbackJob)!.hint ? (
              <p className="banner-hint">{jobFailed(rollbackJob)!.hint}</p>
            ) : null}
          </div>
        </div>
      ) : null}
      <Rollback
        environment={importStatus.environment}
        preview={rollbackPreview}
        result={rollbackCurrent}
        job={rollbackJob}
        disabled={readOnly || importing || verifying || busy !== null}
        busy={busy === 'rollback'}
        onStart={(confirm) =>
          run('rollback', () => call('workos.rollback.start', confirm), 'Rollback started.')
        }
      />
    </div>
  );
}
