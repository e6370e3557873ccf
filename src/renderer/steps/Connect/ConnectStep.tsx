import { useEffect, useState } from 'react';
import type { CredentialsStatus } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useWizard } from '../../store/wizard';
import { Auth0Form } from './Auth0Form';
import { WorkosForm } from './WorkosForm';

// Connection settings for both sides. Secrets go straight to main, which keeps them in the OS keychain;
// main only ever answers whether one is stored, so this panel can never show one back.
export function ConnectStep() {
  const refresh = useWizard((s) => s.refresh);
  const readOnly = useWizard((s) => s.workspace?.readOnly ?? false);
  const announce = useAnnouncer((s) => s.announce);
  const [status, setStatus] = useState<CredentialsStatus | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    call('credentials.status', {})
      .then((s) => live && setStatus(s))
      .catch((err: unknown) => live && setError(asUiError(err)));
    return () => {
      live = false;
    };
  }, []);

  // Returns whether the action succeeded so a form can clear its secret field only then.
  const run = async (action: () => Promise<CredentialsStatus>, done: string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await action());
      announce(done);
      await refresh();
      return true;
    } catch (err) {
      setError(asUiError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="step-body">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
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
      <Auth0Form
        key={`auth0:${status ? 'loaded' : 'loading'}:${status?.auth0?.domain}:${status?.auth0?.clientId}`}
        status={status?.auth0 ?? null}
        busy={busy}
        onSave={(input) => run(() => call('credentials.setAuth0', input), 'Auth0 connection saved.')}
        onDelete={() =>
          run(() => call('credentials.delete', { which: 'auth0' }), 'Auth0 connection deleted.')
        }
      />
      <WorkosForm
        key={`workos:${status ? 'loaded' : 'loading'}:${status?.workos?.environment}`}
        status={status?.workos ?? null}
        busy={busy}
        onSave={(input) => run(() => call('credentials.setWorkos', input), 'WorkOS connection saved.')}
        onDelete={() =>
          run(() => call('credentials.delete', { which: 'workos' }), 'WorkOS connection deleted.')
        }
      />
      <Notice tone="info" title="Connection test: not yet available">
        Checking these credentials against Auth0 and WorkOS (scopes, environment) is not built yet. For now
        they are stored as entered.
      </Notice>
    </div>
  );
}
