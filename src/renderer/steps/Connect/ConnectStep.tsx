import { useEffect, useState } from 'react';
import type { CredentialsStatus } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useConnection } from '../../store/connection';
import { useRehearsal } from '../../store/rehearsal';
import { stepInfo, useWizard } from '../../store/wizard';
import { Auth0Form } from './Auth0Form';
import { ConnectionTestCard } from './ConnectionTestCard';
import { SandboxPanel } from './SandboxPanel';
import { WorkosForm } from './WorkosForm';

type Side = 'auth0' | 'workos';

const complete = (s: CredentialsStatus | null) => Boolean(s?.auth0?.hasSecret && s.workos?.hasKey);

// Connection settings for both sides, and the test that proves them. Secrets go straight to main, which keeps
// them in the OS keychain; main only ever answers whether one is stored, so this panel can never show one back.
export function ConnectStep() {
  const refresh = useWizard((s) => s.refresh);
  const readOnly = useWizard((s) => s.workspace?.readOnly ?? false);
  const announce = useAnnouncer((s) => s.announce);
  const connection = useConnection();
  // Restarted sandboxes listen on new ports, which main has written into the stored settings.
  const sandboxes = useRehearsal((s) => s.status?.sandboxes?.auth0.baseUrl ?? null);
  // A rehearsal whose sandboxes are stopped has nothing to test against until they are restarted.
  const sandboxesDown = useRehearsal((s) => Boolean(s.status?.rehearsal && !s.status.running));
  const isRehearsal = useWizard((s) => s.workspace?.rehearsal ?? false);
  // Main keeps the last outcome: Connect is done only after a passing test with the current settings.
  const connectDone = useWizard((s) => stepInfo(s.status, 'connect').state === 'done');
  const [status, setStatus] = useState<CredentialsStatus | null>(null);
  const [loadError, setLoadError] = useState<UiError | null>(null);
  const [errors, setErrors] = useState<Record<Side, UiError | null>>({ auth0: null, workos: null });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    call('credentials.status', {})
      .then((s) => live && setStatus(s))
      .catch((err: unknown) => live && setLoadError(asUiError(err)));
    return () => {
      live = false;
    };
  }, [sandboxes]);

  // Saving the second side tests both at once (the admin just asked for these credentials to be used). A
  // rehearsal's loopback sandboxes are also tested on arrival; a real tenant is contacted only on request.
  const [saved, setSaved] = useState(false);
  const autoTest =
    complete(status) &&
    !sandboxesDown &&
    (saved || isRehearsal) &&
    !connection.result &&
    !connection.testing &&
    !connection.error;
  useEffect(() => {
    if (autoTest) void useConnection.getState().test();
  }, [autoTest]);

  // Returns whether the action succeeded so a form can clear its secret field only then.
  const run = async (
    side: Side,
    action: () => Promise<CredentialsStatus>,
    done: string,
  ): Promise<boolean> => {
    setBusy(true);
    setErrors((e) => ({ ...e, [side]: null }));
    try {
      const next = await action();
      setStatus(next);
      // Main forgot the earlier test with the old settings; with both sides stored, the effect above tests anew.
      useConnection.getState().forget();
      setSaved(true);
      announce(complete(next) ? `${done} Testing the connections…` : done);
      await refresh();
      return true;
    } catch (err) {
      setErrors((e) => ({ ...e, [side]: asUiError(err) }));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="step-body">
      <ErrorBanner error={loadError} onDismiss={() => setLoadError(null)} />
      {readOnly ? (
        <Notice tone="warning" title="Read-only workspace">
          Connection settings cannot be changed in this workspace: it is open read-only (see the Workspace
          step).
        </Notice>
      ) : null}
      <p className="lead">
        The assistant reads your Auth0 tenant through a machine-to-machine application and writes to WorkOS
        with an API key. Both secrets are kept in this computer&apos;s OS keychain, never in the workspace
        file.
      </p>
      <ConnectionTestCard
        ready={complete(status) && !sandboxesDown}
        passedBefore={connectDone}
        notReady={
          sandboxesDown
            ? 'The rehearsal sandboxes are not running: restart them first.'
            : 'Store both connections first.'
        }
      />
      <SandboxPanel />
      {/* The forms start from what is stored: shown before it is read, what the admin typed would be replaced when
          it arrives (the keychain can take a moment). */}
      {status === null && loadError === null ? (
        <p className="muted" role="status" data-testid="credentials-loading">
          Reading the stored connections…
        </p>
      ) : (
        <>
          <Auth0Form
            key={`auth0:${status?.auth0?.domain}:${status?.auth0?.clientId}:${status?.auth0?.baseUrl}`}
            status={status?.auth0 ?? null}
            busy={busy}
            error={errors.auth0}
            onDismissError={() => setErrors((e) => ({ ...e, auth0: null }))}
            onSave={(input) =>
              run('auth0', () => call('credentials.setAuth0', input), 'Auth0 connection saved.')
            }
            onDelete={() =>
              run('auth0', () => call('credentials.delete', { which: 'auth0' }), 'Auth0 connection deleted.')
            }
          />
          <WorkosForm
            key={`workos:${status?.workos?.environment}:${status?.workos?.baseUrl}`}
            status={status?.workos ?? null}
            busy={busy}
            error={errors.workos}
            onDismissError={() => setErrors((e) => ({ ...e, workos: null }))}
            onSave={(input) =>
              run('workos', () => call('credentials.setWorkos', input), 'WorkOS connection saved.')
            }
            onDelete={() =>
              run(
                'workos',
                () => call('credentials.delete', { which: 'workos' }),
                'WorkOS connection deleted.',
              )
            }
          />
        </>
      )}
    </div>
  );
}
