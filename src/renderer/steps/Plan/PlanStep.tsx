import { useState } from 'react';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ageText, count } from '../../components/format';
import { Notice } from '../../components/Notice';
import { TargetTag } from '../../components/TargetTag';
import { useNow } from '../../components/useNow';
import { useAnnouncer } from '../../store/announcer';
import {
  isActive,
  targetKind,
  useLatestJob,
  useWorkos,
  useWorkosLive,
  type PlanSummary,
} from '../../store/workos';
import { useWizard } from '../../store/wizard';
import { POLICY_LABELS, type PlanAction, type PlanKind } from './labels';
import { PlanDiff } from './PlanDiff';
import { PlanItems } from './PlanItems';
import { DEFAULT_PLAN_OPTIONS, PlanOptionsForm, type PlanOptions } from './PlanOptionsForm';
import '../../styles/workos-steps.css';

const HOUR = 3600_000;

/** Blockers that mean the plan no longer describes the workspace (as opposed to a missing sign-off or a policy). */
const isStaleBlocker = (b: string) => /changed after|newer plan/i.test(b);

export function planState(plan: PlanSummary): 'ready' | 'stale' | 'blocked' | 'importing' {
  if (plan.importStarted) return 'importing';
  if (plan.blockers.some(isStaleBlocker)) return 'stale';
  return plan.blockers.length ? 'blocked' : 'ready';
}

const STATE_WORDS = {
  ready: 'Ready to import',
  stale: 'Stale: plan again',
  blocked: 'Blocked',
  importing: 'Import started',
} as const;

// The Plan step: compare the reviewed workspace with live WorkOS, read the diff (drill into any count), see the
// plan's age and whether it is still current, and plan again.
export function PlanStep() {
  useWorkosLive();
  const { plan, credentials, error: loadError, dismissError, refresh } = useWorkos();
  const workspace = useWizard((s) => s.workspace);
  const view = useWizard((s) => s.view);
  const announce = useAnnouncer((s) => s.announce);
  const planJob = useLatestJob('plan');
  const importJob = useLatestJob('import');
  const now = useNow();
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<{ kind: PlanKind; action: PlanAction } | null>(null);

  const readOnly = workspace?.readOnly ?? false;
  const planning = isActive(planJob);
  const importing = isActive(importJob);
  const target = targetKind(credentials, workspace?.rehearsal ?? false);

  const createPlan = async (options: PlanOptions) => {
    setBusy(true);
    setError(null);
    setOpen(null);
    try {
      await call('workos.plan.create', options);
      announce('Planning started: reading WorkOS.');
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(false);
    }
  };

  const state = plan ? planState(plan) : null;
  const planFailed =
    planJob?.state === 'failed' && planJob.error && (!plan || planJob.updatedAt > plan.createdAt);

  return (
    <div className="step-body workos-step plan-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <ErrorBanner error={loadError} onDismiss={dismissError} />
      {readOnly ? (
        <Notice tone="warning">This workspace is open read-only: it cannot be planned or imported.</Notice>
      ) : null}

      {planning ? (
        <section className="card" aria-labelledby="plan-running" data-testid="plan-running">
          <h3 id="plan-running">Planning</h3>
          <progress aria-label="Planning progress" />
          <p aria-live="polite">{planJob?.message ?? 'Reading WorkOS…'}</p>
        </section>
      ) : null}
      {planFailed && planJob?.error ? (
        <div className="banner banner-error" role="alert" data-error-code={planJob.error.code}>
          <div className="banner-body">
            <p className="banner-title">The plan could not be made</p>
            <p className="banner-message">{planJob.error.message}</p>
            {planJob.error.hint ? <p className="banner-hint">{planJob.error.hint}</p> : null}
          </div>
        </div>
      ) : null}

      {plan && state ? (
        <section
          className="card"
          aria-labelledby="plan-summary-title"
          data-testid="plan-summary"
          data-state={state}
        >
          <div className="card-head">
            <h3 id="plan-summary-title">The plan</h3>
            <span className={`state-pill state-${state}`} data-testid="plan-state">
              {STATE_WORDS[state]}
            </span>
          </div>
          <dl className="facts">
            <dt>WorkOS environment</dt>
            <dd>
              <strong data-testid="plan-environment">{plan.environment}</strong> <TargetTag kind={target} />{' '}
              <span className="muted path">{plan.host}</span>
            </dd>
            <dt>Made</dt>
            <dd>
              <time
                dateTime={plan.createdAt}
                title={new Date(plan.createdAt).toLocaleString()}
                data-testid="plan-age"
              >
                {ageText(plan.createdAt, now)}
              </time>
            </dd>
            <dt>Found in WorkOS</dt>
            <dd data-testid="plan-live">
              {count(plan.live.users)} users, {count(plan.live.organizations)} organizations,{' '}
              {count(plan.live.roles)} roles
            </dd>
            <dt>Conflicts</dt>
            <dd>{POLICY_LABELS[plan.options.conflictPolicy].label}</dd>
            <dt>Passwords</dt>
            <dd>
              {plan.options.passwords === 'import' ? 'imported from the merged hashes' : 'not imported'}
            </dd>
            <dt>Webhooks</dt>
            <dd>{plan.options.pauseWebhooks ? 'paused during the import' : 'left enabled'}</dd>
            <dt>Review</dt>
            <dd>
              {plan.signOff.signed
                ? `signed off by ${plan.signOff.reviewer ?? 'unknown'}${plan.signOff.intact ? '' : ' (changed since)'}`
                : 'not signed off'}
            </dd>
          </dl>
          {state === 'stale' || state === 'blocked' ? (
            <div className="banner banner-warning" data-testid="plan-blockers">
              <div className="banner-body">
                <p className="banner-title">
                  {state === 'stale'
                    ? 'This plan is stale and cannot be imported'
                    : 'This plan cannot be imported yet'}
                </p>
                <ul>
                  {plan.blockers.map((b) => (
                    <li key={b}>{b}</li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
          {state === 'ready' && now - Date.parse(plan.createdAt) > HOUR ? (
            <Notice tone="info">
              WorkOS may have changed since this plan was made. The import checks WorkOS again before it
              writes and refuses a plan that no longer matches; plan again to see the current state first.
            </Notice>
          ) : null}
          {state === 'importing' ? (
            <Notice tone="info">An import of this plan has started. Follow it on the Import step.</Notice>
          ) : null}
          <div className="actions">
            {state === 'ready' || state === 'importing' ? (
              <Button variant="primary" onClick={() => view('import')}>
                Go to Import
              </Button>
            ) : null}
            <Button onClick={() => void refresh()}>Re-read</Button>
          </div>
        </section>
      ) : !planning ? (
        <Notice tone="info" title="No plan yet">
          Planning reads the WorkOS environment (nothing is written) and compares it with the reviewed
          workspace.
        </Notice>
      ) : null}

      {plan ? (
        <PlanDiff
          plan={plan}
          open={open}
          onOpen={(kind, action) => {
            setOpen({ kind, action });
            requestAnimationFrame(() => document.getElementById('plan-items-title')?.focus());
          }}
        />
      ) : null}
      {plan && open ? (
        <PlanItems
          key={`${plan.planId}-${open.kind}-${open.action}`}
          kind={open.kind}
          action={open.action}
          onClose={() => setOpen(null)}
        />
      ) : null}

      <PlanOptionsForm
        key={plan?.planId ?? 'none'}
        initial={plan?.options ?? DEFAULT_PLAN_OPTIONS}
        hasPlan={plan !== null}
        disabled={readOnly || planning || importing || busy}
        busy={busy || planning}
        onPlan={(o) => void createPlan(o)}
      />
    </div>
  );
}
