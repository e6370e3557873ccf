import { useState } from 'react';
import type { Output } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Notice } from '../../components/Notice';

// The hand-off files in WorkOS's migrations CLI format: sso/saml_connections.csv, sso/oidc_connections.csv and
// sso/handoff_notes.md, into an empty folder. Secrets only when asked for, after a warning.
export function ExportFiles({ onError }: { onError(e: UiError | null): void }) {
  const [folder, setFolder] = useState('');
  const [secrets, setSecrets] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Output<'sso.exportFiles'> | null>(null);

  const browse = async () => {
    try {
      const r = await call('workspace.chooseFolder', {});
      if (r.folder) setFolder(r.folder);
    } catch (err) {
      onError(asUiError(err));
    }
  };
  const run = async () => {
    setBusy(true);
    onError(null);
    try {
      setResult(
        await call('sso.exportFiles', {
          folder: folder.trim(),
          includeSecrets: secrets,
          confirmSecrets: secrets,
        }),
      );
    } catch (err) {
      onError(asUiError(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <section className="card" aria-labelledby="sso-export-title">
      <h3 id="sso-export-title">Hand-off files</h3>
      <p className="muted">
        The SAML and OIDC connections in the CSV format of WorkOS&apos;s migrations CLI (with the WorkOS
        organization ids once imported), and notes for whoever configures SSO. Choose an empty folder.
      </p>
      <div className="field-row">
        <label htmlFor="sso-export-folder">Folder</label>
        <input
          id="sso-export-folder"
          className="path"
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
          placeholder="/path/to/an/empty/folder"
        />
        <Button onClick={() => void browse()}>Browse…</Button>
      </div>
      <label className="field-row">
        <input type="checkbox" checked={secrets} onChange={(e) => setSecrets(e.target.checked)} /> Include
        connection secrets (client secrets, private keys)
      </label>
      {secrets ? (
        <Notice tone="warning" title="The files will hold secrets in clear text">
          Anyone who reads them can impersonate your SSO setup. Keep them on this computer and delete them
          once SSO is configured.
        </Notice>
      ) : null}
      <div className="actions">
        <Button
          variant="primary"
          disabled={!folder.trim() || busy}
          busy={busy && !confirming}
          onClick={() => (secrets ? setConfirming(true) : void run())}
        >
          Write files
        </Button>
      </div>
      {result ? (
        <Notice tone="success" title="Files written">
          <span data-testid="sso-export-result">
            {result.files.join(', ')} in <span className="mono">{result.dir}</span> ({result.counts.saml}{' '}
            SAML, {result.counts.oidc} OIDC rows
            {result.secretsIncluded ? ', with secrets' : ', without secrets'}).
          </span>
        </Notice>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Write connection secrets into the files?"
        confirmLabel="Write with secrets"
        danger
        busy={busy}
        onConfirm={() => void run()}
        onCancel={() => setConfirming(false)}
      >
        <p>The CSVs will contain client secrets and private keys in clear text.</p>
      </ConfirmDialog>
    </section>
  );
}
