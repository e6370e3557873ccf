import type { RehearsalStatus } from '../../../shared/contract';
import { useRehearsal } from '../../store/rehearsal';

// What each support file is, in the order an admin meets them (the Passwords step reads these).
const fileLabels: Record<string, string> = {
  passwordsPlain: 'Password hashes (plain NDJSON)',
  passwordsPgp: 'Password hashes (PGP-encrypted, as Auth0 support sends them)',
  passwordsPgpArmored: 'Password hashes (PGP, ASCII-armored)',
  privateKey: 'PGP private key',
  publicKey: 'PGP public key',
  passphraseFile: 'Private-key passphrase',
  mfaSecrets: 'MFA secrets (plain)',
  mfaSecretsPgp: 'MFA secrets (PGP-encrypted)',
  keyFingerprint: 'Key fingerprint',
};

// The rehearsal's local sandboxes as the Connect step sees them: where they listen, what tenant they serve, and
// where the support files are. Their secrets stay in main and the keychain.
export function SandboxPanel() {
  const status = useRehearsal((s) => s.status);
  if (!status?.rehearsal) return null;
  const { sandboxes, settings } = status;
  return (
    <section className="card card-rehearsal" aria-labelledby="sandbox-title" data-testid="sandbox-panel">
      <h3 id="sandbox-title">
        <span className="rehearsal-tag">REHEARSAL</span> Local sandboxes
      </h3>
      {sandboxes ? (
        <dl className="facts">
          <dt>Auth0 sandbox</dt>
          <dd>
            <span className="path">{sandboxes.auth0.domain}</span> served at{' '}
            <span className="path" data-testid="sandbox-auth0-url">
              {sandboxes.auth0.baseUrl}
            </span>
          </dd>
          <dt>Client ID</dt>
          <dd className="path">{sandboxes.auth0.clientId}</dd>
          <dt>WorkOS sandbox</dt>
          <dd className="path" data-testid="sandbox-workos-url">
            {sandboxes.workos.baseUrl}
          </dd>
          <dt>Tenant</dt>
          <dd>
            {sandboxes.tenant.name}: {sandboxes.tenant.users} users, {sandboxes.tenant.organizations}{' '}
            organizations
            {settings ? `, seed ${settings.seed}` : ''}
          </dd>
        </dl>
      ) : (
        <p className="muted">The sandboxes are not running. Restart them from the rehearsal banner above.</p>
      )}
      <SupportFiles status={status} />
    </section>
  );
}

function SupportFiles({ status }: { status: RehearsalStatus }) {
  const files = status.sandboxes?.files;
  const dir = status.settings?.supportFilesDir;
  if (!files && !dir) return null;
  return (
    <div data-testid="support-files">
      <h4>Support files</h4>
      <p className="muted">
        What Auth0 support would send for a password-hash export, generated for this tenant. The Passwords
        step reads them from here.
      </p>
      {files ? (
        <dl className="file-list">
          {Object.entries(files).map(([key, value]) => (
            <div key={key} data-file={key}>
              <dt>{fileLabels[key] ?? key}</dt>
              <dd className="path">{value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <dl className="facts">
          <dt>Folder</dt>
          <dd className="path">{dir}</dd>
        </dl>
      )}
    </div>
  );
}
