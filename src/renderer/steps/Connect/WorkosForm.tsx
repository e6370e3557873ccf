import { useState, type FormEvent } from 'react';
import type { CredentialsStatus, Input } from '../../../shared/contract';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';

interface WorkosFormProps {
  status: CredentialsStatus['workos'];
  busy: boolean;
  onSave(input: Input<'credentials.setWorkos'>): Promise<boolean>;
  onDelete(): Promise<boolean>;
}

export function WorkosForm({ status, busy, onSave, onDelete }: WorkosFormProps) {
  const [environment, setEnvironment] = useState(status?.environment ?? '');
  const [apiKey, setApiKey] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await onSave({ environment: environment.trim(), ...(apiKey ? { apiKey } : {}) });
    if (ok) setApiKey('');
  };

  return (
    <section className="card" aria-labelledby="workos-title" data-testid="workos-card">
      <h3 id="workos-title">WorkOS environment</h3>
      {status ? (
        <dl className="facts" data-testid="workos-status">
          <dt>Environment</dt>
          <dd>{status.environment}</dd>
          <dt>API key</dt>
          <dd className={status.hasKey ? 'ok' : 'bad'}>
            {status.hasKey ? 'API key stored in the OS keychain' : 'no API key stored'}
          </dd>
        </dl>
      ) : (
        <p className="muted" data-testid="workos-status">
          Not connected yet.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-labelledby="workos-title">
        <Field
          label="Environment label"
          value={environment}
          onChange={setEnvironment}
          required
          placeholder="staging"
          autoComplete="off"
          help="Your name for this WorkOS environment, for example staging or production."
        />
        <Field
          label="API key"
          type="password"
          value={apiKey}
          onChange={setApiKey}
          required={!status?.hasKey}
          autoComplete="new-password"
          spellCheck={false}
          help={
            status?.hasKey
              ? 'Leave empty to keep the stored key. It is never shown again.'
              : 'Stored in the OS keychain. It is never shown again.'
          }
        />
        <div className="actions">
          <Button type="submit" variant="primary" busy={busy} disabled={!environment.trim()}>
            Save WorkOS connection
          </Button>
          {status ? (
            <Button variant="danger" disabled={busy} onClick={() => void onDelete()}>
              Delete WorkOS connection
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
