import { useState, type FormEvent } from 'react';
import type { CredentialsStatus, Input } from '../../../shared/contract';
import type { UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { Advanced } from './Advanced';

interface WorkosFormProps {
  status: CredentialsStatus['workos'];
  busy: boolean;
  /** The last save or delete of this side failed with this. */
  error: UiError | null;
  onDismissError(): void;
  onSave(input: Input<'credentials.setWorkos'>): Promise<boolean>;
  onDelete(): Promise<boolean>;
}

export function WorkosForm({ status, busy, error, onDismissError, onSave, onDelete }: WorkosFormProps) {
  const [environment, setEnvironment] = useState(status?.environment ?? '');
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(status?.baseUrl ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await onSave({
      environment: environment.trim(),
      ...(apiKey ? { apiKey } : {}),
      // Saving without the override removes it: main stores exactly what is sent.
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
    });
    if (ok) setApiKey('');
  };

  return (
    <section className="card" aria-labelledby="workos-title" data-testid="workos-card">
      <h3 id="workos-title">WorkOS environment</h3>
      <ErrorBanner error={error} onDismiss={onDismissError} />
      {status ? (
        <dl className="facts" data-testid="workos-status">
          <dt>Environment</dt>
          <dd>{status.environment}</dd>
          <dt>API key</dt>
          <dd className={status.hasKey ? 'ok' : 'bad'}>
            {status.hasKey ? 'API key stored in the OS keychain' : 'no API key stored'}
          </dd>
          {status.baseUrl ? (
            <>
              <dt>Base URL</dt>
              <dd className="path">{status.baseUrl} (local override)</dd>
            </>
          ) : null}
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
        <Advanced summary="Advanced: local base URL" initiallyOpen={Boolean(status?.baseUrl)}>
          <Field
            label="WorkOS base URL"
            value={baseUrl}
            onChange={setBaseUrl}
            placeholder="http://127.0.0.1:4020"
            spellCheck={false}
            autoComplete="off"
            help="Only for a sandbox on this computer (rehearsal mode, tests): API calls go here instead of api.workos.com. Addresses other than 127.0.0.1, ::1 and localhost are refused. Leave empty for a real environment."
          />
        </Advanced>
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
