import type { WorkspaceSummary as Summary } from '../../../shared/contract';
import { Notice } from '../../components/Notice';

// What the admin must know about the open workspace, warnings first.
export function WorkspaceSummary({ workspace }: { workspace: Summary }) {
  const { audit } = workspace;
  return (
    <section className="card" aria-labelledby="ws-summary-title" data-testid="workspace-summary">
      <h3 id="ws-summary-title">Open workspace: {workspace.name}</h3>
      {workspace.readOnly ? (
        <Notice tone="warning" title="Read-only">
          This workspace is open read-only: nothing in it can be changed from this machine.
        </Notice>
      ) : null}
      {!workspace.secretsAvailable ? (
        <Notice tone="warning" title="Secrets unavailable">
          This workspace&apos;s data key is not in this machine&apos;s keychain, so its encrypted fields
          (password hashes, secrets) cannot be read.
        </Notice>
      ) : null}
      {workspace.warnings.length > 0 ? (
        <Notice tone="warning" title="Warnings">
          <ul>
            {workspace.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <dl className="facts">
        <dt>File</dt>
        <dd className="path">{workspace.path}</dd>
        <dt>Created</dt>
        <dd>{new Date(workspace.createdAt).toLocaleString()}</dd>
        <dt>Mode</dt>
        <dd>
          {workspace.readOnly ? 'read-only' : 'read-write'}
          {workspace.rehearsal ? ' · rehearsal (local sandboxes)' : ''}
        </dd>
        <dt>Encrypted fields</dt>
        <dd>
          {workspace.secretsAvailable
            ? 'data key found in the OS keychain'
            : 'data key missing on this machine'}
        </dd>
        <dt>Audit log</dt>
        <dd data-testid="audit-status" className={audit.ok ? 'ok' : 'bad'}>
          {audit.ok
            ? `chain verified: ${audit.entries} ${audit.entries === 1 ? 'entry' : 'entries'}, head ${audit.head.slice(0, 16)}…`
            : `chain broken: ${audit.problem ?? 'verification failed'}`}
        </dd>
      </dl>
    </section>
  );
}
