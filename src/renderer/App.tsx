import { useEffect } from 'react';
import { stepTitles } from '../shared/steps';
import { subscribe } from './api';
import { ErrorBanner } from './components/ErrorBanner';
import { JobsStatus } from './components/JobsStatus';
import { RehearsalBanner } from './components/RehearsalBanner';
import { Stepper } from './components/Stepper';
import { useAnnouncer } from './store/announcer';
import { useConnection } from './store/connection';
import { useJobs } from './store/jobs';
import { useRehearsal } from './store/rehearsal';
import { stepInfo, useWizard } from './store/wizard';
import { stepIntros, stepPanels } from './steps';
import { StepUnavailable } from './steps/StepUnavailable';

export function App() {
  const { loaded, loadError, status, viewing, workspace, refresh, view } = useWizard();
  const announcement = useAnnouncer((s) => s.message);
  const workspacePath = workspace?.path;
  const rehearsal = workspace?.rehearsal ?? false;

  // First load lands on the step the open workspace (if any) left off at.
  useEffect(() => {
    void refresh({ land: true });
  }, [refresh]);

  // Main says when the workspace changes (opened, closed, credentials saved, a step done) and how jobs move.
  useEffect(() => {
    const offWorkspace = subscribe('workspace.changed', () => void refresh());
    const offJobs = subscribe('job.progress', (job) => useJobs.getState().update(job));
    return () => {
      offWorkspace();
      offJobs();
    };
  }, [refresh]);

  useEffect(() => {
    if (workspacePath)
      useJobs
        .getState()
        .load()
        .catch(() => undefined);
    else useJobs.getState().clear();
    // A connection test result belongs to the workspace it was run in.
    if (useConnection.getState().path !== (workspacePath ?? null)) useConnection.getState().forget();
  }, [workspacePath]);

  // Whether this workspace's sandboxes run is main's to say; asked again whenever another workspace opens.
  useEffect(() => {
    void useRehearsal.getState().load();
  }, [workspacePath, rehearsal]);

  const info = stepInfo(status, viewing);
  const Panel = stepPanels[viewing];
  const blocked = info.state === 'locked' || info.state === 'unavailable' || !Panel;

  return (
    <div className={rehearsal ? 'app app-rehearsal' : 'app'}>
      <header className="topbar">
        <h1>Auth0 to WorkOS Migration Assistant</h1>
        <p className="topbar-workspace" data-testid="topbar-workspace">
          {workspace ? (
            <>
              {rehearsal ? (
                <span className="rehearsal-tag" data-testid="topbar-rehearsal">
                  REHEARSAL
                </span>
              ) : null}
              Workspace <strong>{workspace.name}</strong>
              {workspace.readOnly ? ' (read-only)' : ''}
            </>
          ) : (
            'No workspace open'
          )}
        </p>
      </header>
      {rehearsal ? <RehearsalBanner /> : null}
      <div className="frame">
        <Stepper status={status} viewing={viewing} onView={view} />
        <main className="panel" aria-labelledby="step-title">
          <h2 id="step-title" tabIndex={-1}>
            {stepTitles[viewing]}
          </h2>
          <p className="step-intro">{stepIntros[viewing]}</p>
          <ErrorBanner error={loadError} />
          {!loaded ? (
            <p className="muted" aria-busy="true">
              Loading…
            </p>
          ) : blocked ? (
            <StepUnavailable
              step={viewing}
              state={info.state === 'locked' ? 'locked' : 'unavailable'}
              reason={
                info.reason ??
                (Panel ? undefined : 'This step is not built into this version of the assistant yet.')
              }
            />
          ) : (
            <Panel />
          )}
        </main>
      </div>
      <footer className="statusbar">
        <JobsStatus />
        <p className="sr-only" aria-live="polite" role="status">
          {announcement}
        </p>
      </footer>
    </div>
  );
}
