import { useRehearsal } from '../store/rehearsal';
import { Button } from './Button';
import { ErrorBanner } from './ErrorBanner';

// Across every step while a rehearsal workspace is open: nothing in it reaches a real Auth0 tenant or WorkOS
// environment, and the admin must never mistake it for the real migration (or the other way round).
export function RehearsalBanner() {
  const status = useRehearsal((s) => s.status);
  const busy = useRehearsal((s) => s.busy);
  // Errors of starting a rehearsal show on the Workspace step, where it was asked for.
  const error = useRehearsal((s) => (s.failed === 'start' ? null : s.error));
  const { resume, stop, dismissError } = useRehearsal.getState();
  const sandboxes = status?.sandboxes;

  return (
    <section className="rehearsal-banner" aria-label="Rehearsal mode" data-testid="rehearsal-banner">
      <div className="rehearsal-banner-row">
        <span className="rehearsal-tag">REHEARSAL</span>
        <p className="rehearsal-text">
          This workspace runs against local sandboxes on this computer, on a generated tenant. Nothing here
          reads a real Auth0 tenant or writes to a real WorkOS environment.
        </p>
        <div className="rehearsal-controls">
          {busy ? (
            <span aria-busy="true" data-testid="rehearsal-state">
              {busy === 'stop' ? 'Stopping the sandboxes…' : 'Starting the sandboxes…'}
            </span>
          ) : status?.running ? (
            <>
              <span data-testid="rehearsal-state" className="rehearsal-state-on">
                Sandboxes running
                {sandboxes
                  ? ` (${sandboxes.tenant.users} users, ${sandboxes.tenant.organizations} orgs)`
                  : ''}
              </span>
              <Button onClick={() => void stop()}>Stop the sandboxes</Button>
            </>
          ) : status ? (
            <>
              <span data-testid="rehearsal-state">Sandboxes not running</span>
              <Button variant="primary" onClick={() => void resume()}>
                Restart the sandboxes
              </Button>
            </>
          ) : null}
        </div>
      </div>
      <ErrorBanner error={error} onDismiss={dismissError} />
    </section>
  );
}
