import { useState, type FormEvent } from 'react';
import type { CredentialsStatus, Input } from '../../../shared/contract';
import type { UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { Advanced } from './Advanced';

interface Auth0FormProps {
  status: CredentialsStatus['auth0'];
  busy: boolean;
  /** The last save or delete of this side failed with this. */
  error: UiError | null;
  onDismissError(): void;
  onSave(input: Input<'credentials.setAuth0'>): Promise<boolean>;
  onDelete(): Promise<boolean>;
}

export function Auth0Form({ status, busy, error, onDismissError, onSave, onDelete }: Auth0FormProps) {
  // Starts from what is stored; the parent remounts this form (key) when the stored connection changes.
  const [domain, setDomain] = useState(status?.domain ?? '');
  const [clientId, setClientId] = useState(status?.clientId ?? '');
  const [secret, setSecret] = useState('');
  const [baseUrl, setBaseUrl] = useState(status?.baseUrl ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await onSave({
      domain: domain.trim(),
      clientId: clientId.trim(),
      ...(secret ? { clientSecret: secret } : {}),
      // Saving without the override removes it: main stores exactly what is sent.
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
    });
    // The secret leaves the page as soon as main has it.
    if (ok) setSecret('');
  };

  return (
    <section className="card" aria-labelledby="auth0-title" data-testid="auth0-card">
      <h3 id="auth0-title">Auth0 tenant</h3>
      <ErrorBanner error={error} onDismiss={onDismissError} />
      {status ? (
        <dl className="facts" data-testid="auth0-status">
          <dt>Domain</dt>
          <dd>{status.domain}</dd>
          <dt>Client ID</dt>
          <dd>{status.clientId}</dd>
          <dt>Client secret</dt>
          <dd className={status.hasSecret ? 'ok' : 'bad'}>
            {status.hasSecret ? 'secret stored in the OS keychain' : 'no secret stored'}
          </dd>
          {status.baseUrl ? (
            <>
              <dt>Base URL</dt>
              <dd className="path">{status.baseUrl} (local override)</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="muted" data-testid="auth0-status">
          Not connected yet.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-labelledby="auth0-title">
        <Field
          label="Auth0 domain"
          value={domain}
          onChange={setDomain}
          required
          placeholder="your-tenant.eu.auth0.com"
          spellCheck={false}
          autoComplete="off"
          help="The tenant domain or its custom domain, without https://."
        />
        <Field
          label="Client ID"
          value={clientId}
          onChange={setClientId}
          required
          spellCheck={false}
          autoComplete="off"
          help="Of a machine-to-machine application authorised for the Management API."
        />
        <Field
          label="Client secret"
          type="password"
          value={secret}
          onChange={setSecret}
          required={!status?.hasSecret}
          autoComplete="new-password"
          spellCheck={false}
          help={
            status?.hasSecret
              ? 'Leave empty to keep the stored secret. It is never shown again.'
              : 'Stored in the OS keychain. It is never shown again.'
          }
        />
        <Advanced summary="Advanced: local base URL" initiallyOpen={Boolean(status?.baseUrl)}>
          <Field
            label="Auth0 base URL"
            value={baseUrl}
            onChange={setBaseUrl}
            placeholder="http://127.0.0.1:4010"
            spellCheck={false}
            autoComplete="off"
            help="Only for a sandbox on this computer (rehearsal mode, tests): requests for the domain go here instead. Addresses other than 127.0.0.1, ::1 and localhost are refused. Leave empty for a real tenant."
          />
        </Advanced>
        <div className="actions">
          <Button type="submit" variant="primary" busy={busy} disabled={!domain.trim() || !clientId.trim()}>
            Save Auth0 connection
          </Button>
          {status ? (
            <Button variant="danger" disabled={busy} onClick={() => void onDelete()}>
              Delete Auth0 connection
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
