import { useState, type FormEvent } from 'react';
import type { CredentialsStatus, Input } from '../../../shared/contract';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';

interface Auth0FormProps {
  status: CredentialsStatus['auth0'];
  busy: boolean;
  onSave(input: Input<'credentials.setAuth0'>): Promise<boolean>;
  onDelete(): Promise<boolean>;
}

export function Auth0Form({ status, busy, onSave, onDelete }: Auth0FormProps) {
  // Starts from what is stored; the parent remounts this form (key) when the stored connection changes.
  const [domain, setDomain] = useState(status?.domain ?? '');
  const [clientId, setClientId] = useState(status?.clientId ?? '');
  const [secret, setSecret] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await onSave({
      domain: domain.trim(),
      clientId: clientId.trim(),
      ...(secret ? { clientSecret: secret } : {}),
    });
    // The secret leaves the page as soon as main has it.
    if (ok) setSecret('');
  };

  return (
    <section className="card" aria-labelledby="auth0-title" data-testid="auth0-card">
      <h3 id="auth0-title">Auth0 tenant</h3>
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
