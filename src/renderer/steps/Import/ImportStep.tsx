import { useState } from 'react';
import type { JobInfo } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count } from '../../components/format';
import { Notice } from '../../components/Notice';
import { TargetTag } from '../../components/TargetTag';
import { useAnnouncer } from '../../store/announcer';
import { useJobs } from '../../store/jobs';
import {
  isActive,
  rolledBackSinceImport,
  targetKind,
  useLatestJob,
  useWorkos,
  useWorkosLive,
} from '../../store/workos';
import { useWizard } from '../../store/wizard';
import { planState } from '../Plan/PlanStep';
import { Failures } from './Failures';
import { ImportConfirm } from './ImportConfirm';
import { ImportPreparing, ImportProgress } from './ImportProgress';
import '../../styles/workos-steps.css';

/** The fresher of two views of the same job (the status read and the progress events). */
function fresher(a: JobInfo | null, b: JobInfo | null): JobInfo | null {
  if (!a || !b || a.id !== b.id) return a ?? b;
  return a.updatedAt >= b.updatedAt ? a : b;
}

// The Import step: confirm the target environment by name, then follow the import per entity with its rate, ETA
// and 429s; pause, resume or cancel it; retry what failed and take the failures away as CSV.
export function ImportStep() {
  useWorkosLive();
  const { plan, importStatus, credentials, error: loadError, dismissError } = useWorkos();
  const workspace = useWizard((s) => s.workspace);
  const view = useWizard((s) => s.view);
  const announce = useAnnouncer((s) => s.announce);
  const updateJob = useJobs((s) => s.update);
  const eventJob = useLatestJob('import');
  const planJob = useLatestJob('plan');
  const rollbackJob = useLatestJob('rollback');
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const planJobId = plan?.importJobId ?? null;
  const storedPlanJob = useJobs((s) => (planJobId ? (s.jobs[planJobId] ?? null) : null));

  const readOnly = workspace?.readOnly ?? false;
  const target = targetKind(credentials, workspace?.rehearsal ?? false);
  // The current plan's own import job where it has one (the newest import job may be an earlier plan's); the
  // events keep it current in the jobs store, as they do eventJob.
  const job =
    (storedPlanJob && fresher(storedPlanJob, importStatus?.job ?? null)) ??
    fresher(importStatus?.job ?? null, eventJob);
  const active = isActive(job);
  const state = plan ? planState(plan) : null;
  // The import shown is the newest plan's (a newer plan without a journal has not been imported yet).
  const current = importStatus && plan && importStatus.planId === plan.planId ? importStatus : null;
  const remaining = current ? current.total - current.settled : 0;
  const finished = current !== null && current.total > 0 && remaining === 0 && !active;
  const rolledBack = rolledBackSinceImport(rollbackJob, job);
  const complete = finished && current.failed === 0 && !rolledBack;

  const act = async (name: string, work: () => Promise<JobInfo | unknown>, done: string) => {
    setBusy(name);
    setError(null);
    try {
      const result = await work();
      if (result && typeof result === 'object' && 'kind' in result) updateJob(result as JobInfo);
      announce(done);
      await useWorkos.getState().refresh();
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(null);
    }
  };

  // The dialog closes either way: a refusal (a stale plan…) shows on the step, not behind the modal.
  const start = async (environment: string) => {
    await act(
      'start',
      () => call('workos.import.start', { planId: plan!.planId, confirmEnvironment: environment }),
      `Import into ${environment} started.`,
    );
    setConfirming(false);
  };

  if (!plan) {
    return (
      <div className="step-body workos-step">
        <ErrorBanner error={loadError} onDismiss={dismissError} />
        <Notice tone="info" title="No plan yet">
          The import executes a stored plan exactly. Make one on the Plan step first.
        </Notice>
        <div className="actions">
          <Button variant="primary" onClick={() => view('plan')}>
            Go to Plan
          </Button>
        </div>
      </div>
    );
  }

  // A plan made stale (the workspace changed under the import) cannot be resumed, only planned again.
  const stale = job?.error?.code === 'plan_stale';
  const resumable =
    job && !stale && (job.state === 'paused' || job.state === 'interrupted' || job.state === 'failed');
  const cancelled = job?.state === 'cancelled' && current !== null && remaining > 0;
  const canStart = !readOnly && !busy && !active && state === 'ready';
  const planning = isActive(planJob);
  // Before its journal is complete an import only reads WorkOS and writes the journal; a paused, failed or
  // interrupted one is resumed (by Resume, which the Import button would do too), not started again.
  const ownJob = job !== null && job.id === planJobId;
  const preparing = !plan.importStarted && ownJob && job.state !== 'completed' && job.state !== 'cancelled';

  return (
    <div className="step-body workos-step import-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <ErrorBanner error={loadError} onDismiss={dismissError} />
      {readOnly ? (
        <Notice tone="warning">This workspace is open read-only: nothing can be imported from it.</Notice>
      ) : null}

      <section className="card target-card" aria-labelledby="import-target" data-target={target}>
        <h3 id="import-target">Target</h3>
        <p className="import-target-line" data-testid="import-target">
          WorkOS environment <strong>{plan.environment}</strong> <TargetTag kind={target} />{' '}
          <span className="muted path">{plan.host}</span>
        </p>
        {state === 'stale' || state === 'blocked' ? (
          <div className="banner banner-warning" data-testid="import-blocked">
            <div className="banner-body">
              <p className="banner-title">
                {state === 'stale'
                  ? 'The plan is stale: plan again before importing'
                  : 'The plan cannot be imported yet'}
              </p>
              <ul>
                {plan.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </div>
          </div>
        ) : null}
        {/* Not while this plan's import prepares: planning again would strand it. */}
        {!plan.importStarted && !preparing && !plan.options.pauseWebhooks && state === 'ready' ? (
          <Notice tone="info" title="Pause webhooks during the import?">
            <p>
              Your webhook endpoints would receive an event for every user, organization and membership
              created. The assistant can disable them for the import and re-enable them afterwards (also after
              a crash, when the workspace is next opened). That choice is part of the plan.
            </p>
            <div className="actions">
              <Button
                onClick={() =>
                  void act(
                    'webhooks',
                    () => call('workos.plan.create', { ...plan.options, pauseWebhooks: true }),
                    'Planning again with webhooks paused.',
                  )
                }
                disabled={readOnly || planning || busy !== null}
                busy={busy === 'webhooks' || planning}
              >
                Plan again with webhooks paused
              </Button>
            </div>
          </Notice>
        ) : null}
        {importStatus && importStatus.pausedWebhooks > 0 ? (
          <Notice tone="warning" title={`${importStatus.pausedWebhooks} webhook endpoint(s) paused`}>
            Paused by this import; they are re-enabled when it ends, and when this workspace is next opened if
            the app stops before that.
          </Notice>
        ) : null}
        <div className="actions">
          {!plan.importStarted && !(ownJob && resumable) ? (
            <Button variant="primary" disabled={!canStart} onClick={() => setConfirming(true)}>
              Import into {plan.environment}…
            </Button>
          ) : null}
          {active && job ? (
            <Button
              onClick={() => void act('pause', () => call('jobs.pause', { id: job.id }), 'Import paused.')}
              disabled={busy !== null}
            >
              Pause
            </Button>
          ) : null}
          {resumable && job ? (
            <Button
              variant="primary"
              onClick={() => void act('resume', () => call('jobs.resume', { id: job.id }), 'Import resumed.')}
              disabled={busy !== null || readOnly}
              busy={busy === 'resume'}
            >
              Resume
            </Button>
          ) : null}
          {cancelled ? (
            <Button
              variant="primary"
              disabled={busy !== null || readOnly}
              onClick={() => setConfirming(true)}
            >
              Continue the import…
            </Button>
          ) : null}
          {(active || resumable) && job ? (
            <Button
              variant="danger"
              onClick={() =>
                void act('cancel', () => call('jobs.cancel', { id: job.id }), 'Import cancelled.')
              }
              disabled={busy !== null}
            >
              Cancel import
            </Button>
          ) : null}
        </div>
        {job?.state === 'paused' && !preparing ? (
          <p className="muted">Paused. Resume continues with the next operation; nothing is applied twice.</p>
        ) : null}
      </section>

      {job?.error && !active ? (
        <div className="banner banner-error" role="alert" data-error-code={job.error.code}>
          <div className="banner-body">
            <p className="banner-title">The import stopped</p>
            <p className="banner-message">{job.error.message}</p>
            {job.error.hint ? <p className="banner-hint">{job.error.hint}</p> : null}
            {stale ? (
              <div>
                <Button variant="primary" onClick={() => view('plan')}>
                  Go to the Plan step
                </Button>
              </div>
            ) : null}
          </div>
        </div>
      ) : null}

      {rolledBack ? (
        <Notice tone="warning" title="This import was rolled back">
          What it created in {plan.environment} was deleted (see Verify). To import again, plan again on the
          Plan step.
        </Notice>
      ) : null}
      {preparing && job ? <ImportPreparing job={job} resumable={Boolean(resumable)} /> : null}
      {current ? <ImportProgress status={current} job={job} /> : null}

      {complete ? (
        <div className="banner banner-success" data-testid="import-done">
          <div className="banner-body">
            <p className="banner-title">Import complete</p>
            <p className="banner-message">
              {count(current.settled)} operations done in {plan.environment}
              {current.stats
                ? `, ${count(current.stats.rateLimited)} rate-limited answers (429) absorbed`
                : ''}
              . Verify it next.
            </p>
            <div className="actions">
              <Button variant="primary" onClick={() => view('verify')}>
                Go to Verify
              </Button>
            </div>
          </div>
        </div>
      ) : null}

      {current && current.failed > 0 ? (
        <Failures
          total={current.failed}
          version={current.settled}
          canRetry={!readOnly && !active && busy === null}
          retrying={busy === 'retry'}
          onRetry={() =>
            void act('retry', () => call('workos.import.retryFailed', {}), 'Retrying the failed operations.')
          }
        />
      ) : null}

      {confirming ? (
        <ImportConfirm
          open
          plan={plan}
          target={target}
          busy={busy === 'start'}
          resuming={plan.importStarted}
          onConfirm={(env) => void start(env)}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </div>
  );
}
