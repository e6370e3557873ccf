import { useEffect, useState } from 'react';
import type { Output } from '../../../shared/contract';
import { asUiError, call, UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { Notice } from '../../components/Notice';

type Kind = 'passwords' | 'mfa';
type Inspected = Output<'passwords.inspect'>;
type KeyInfo = Output<'passwords.keys'>[number];

interface MergeFormProps {
  kind: Kind;
  disabled: boolean;
  onStarted(file: string): void;
}

// Choose the support file; for a PGP file, the private key (a key file, or one kept in the keychain) and its
// passphrase. The passphrase lives only in this form's state until it is sent, then it is cleared; it is never
// stored and never shown back.
export function MergeForm({ kind, disabled, onStarted }: MergeFormProps) {
  const [path, setPath] = useState('');
  const [inspected, setInspected] = useState<Inspected | null>(null);
  const [keys, setKeys] = useState<KeyInfo[]>([]);
  const [keySource, setKeySource] = useState<'file' | string>('file');
  const [keyFile, setKeyFile] = useState('');
  const [remember, setRemember] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void call('passwords.keys', {})
      .then(setKeys)
      .catch(() => setKeys([]));
  }, []);

  const inspect = async (p: string) => {
    setInspected(null);
    if (!p.trim()) return;
    try {
      setInspected(await call('passwords.inspect', { path: p.trim() }));
    } catch (err) {
      setError(asUiError(err));
    }
  };

  const browse = async (
    purpose: 'support-file' | 'pgp-key',
    set: (p: string) => void,
    then?: (p: string) => Promise<void>,
  ) => {
    try {
      const { path: chosen } = await call('workspace.chooseFile', { purpose });
      if (chosen) {
        set(chosen);
        await then?.(chosen);
      }
    } catch (err) {
      setError(asUiError(err));
    }
  };

  const encrypted = inspected?.format === 'pgp';
  const ready =
    inspected !== null &&
    inspected.format !== 'other' &&
    !inspected.locationProblem &&
    (!encrypted || ((keySource !== 'file' || keyFile.trim() !== '') && passphrase !== ''));

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const key = encrypted
        ? keySource === 'file'
          ? { file: keyFile.trim(), remember }
          : { keychain: keySource }
        : undefined;
      await call('passwords.merge', {
        kind,
        path: path.trim(),
        ...(key ? { key } : {}),
        ...(encrypted ? { passphrase } : {}),
      });
      onStarted(path.trim());
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setPassphrase('');
      setBusy(false);
    }
  };

  return (
    <section
      className="card"
      aria-labelledby={`merge-${kind}`}
      onDragOver={(e) => {
        if (!disabled) e.preventDefault();
      }}
      onDrop={(e) => {
        e.preventDefault();
        const file = e.dataTransfer.files[0];
        if (disabled || !file) return;
        // Only the desktop app can tell where a dropped file lives; a browser never reveals paths.
        const dropped = window.api?.pathForFile?.(file) ?? '';
        if (!dropped) {
          setError(
            new UiError({
              code: 'not_available',
              message: 'Dropping a file works in the desktop app only: type the path or use Choose….',
            }),
          );
          return;
        }
        setPath(dropped);
        void inspect(dropped);
      }}
    >
      <h3 id={`merge-${kind}`}>
        {kind === 'passwords' ? 'The password-hash file' : 'The MFA-secret file'} from Auth0 support
      </h3>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) void start();
        }}
      >
        <Field
          label="File"
          value={path}
          onChange={(v) => {
            setPath(v);
            setInspected(null);
          }}
          onBlur={() => void inspect(path)}
          placeholder="/path/to/passwords.ndjson.pgp"
          spellCheck={false}
          help="The encrypted file as Auth0 sent it (.pgp or .asc), or an NDJSON file you already decrypted."
          action={
            <Button onClick={() => void browse('support-file', setPath, inspect)} disabled={disabled}>
              Choose…
            </Button>
          }
        />
        {inspected ? (
          <p className="muted" data-testid="file-format">
            {inspected.name}: {Math.max(1, Math.round(inspected.bytes / 1024))} KB,{' '}
            {inspected.format === 'pgp'
              ? 'PGP-encrypted: it is decrypted in memory, no decrypted copy is written to disk.'
              : inspected.format === 'plain'
                ? 'plain NDJSON (already decrypted).'
                : 'not NDJSON and not a PGP message.'}
          </p>
        ) : null}
        {inspected?.locationProblem ? (
          <Notice tone="warning" title="This location is refused for a decrypted hash file">
            {inspected.locationProblem}
          </Notice>
        ) : null}

        {encrypted ? (
          <fieldset className="passwords-key">
            <legend>Your private key</legend>
            <label className="passwords-radio">
              <input
                type="radio"
                name="key"
                checked={keySource === 'file'}
                onChange={() => setKeySource('file')}
              />
              A key file
            </label>
            {keys.map((k) => (
              <label key={k.fingerprint} className="passwords-radio">
                <input
                  type="radio"
                  name="key"
                  checked={keySource === k.fingerprint}
                  onChange={() => setKeySource(k.fingerprint)}
                />
                From the keychain: {k.label} <span className="muted mono">{k.fingerprint.slice(-16)}</span>
              </label>
            ))}
            {keySource === 'file' ? (
              <>
                <Field
                  label="Private key file"
                  value={keyFile}
                  onChange={setKeyFile}
                  placeholder="/path/to/auth0-support-private.asc"
                  spellCheck={false}
                  action={
                    <Button onClick={() => void browse('pgp-key', setKeyFile)} disabled={disabled}>
                      Choose…
                    </Button>
                  }
                />
                <label className="passwords-radio">
                  <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
                  Keep this key in the OS keychain (still protected by its passphrase; the passphrase is never
                  kept)
                </label>
              </>
            ) : null}
            <Field
              label="Passphrase"
              type="password"
              autoComplete="off"
              value={passphrase}
              onChange={setPassphrase}
              help="Used once to unlock the key for this merge; never stored and never shown again."
            />
          </fieldset>
        ) : null}

        <div className="actions">
          <Button type="submit" variant="primary" disabled={disabled || !ready} busy={busy}>
            Merge
          </Button>
        </div>
      </form>
    </section>
  );
}
