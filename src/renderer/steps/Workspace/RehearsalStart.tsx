import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { useAnnouncer } from '../../store/announcer';
import { useRehearsal } from '../../store/rehearsal';
import { useWizard } from '../../store/wizard';

interface RehearsalStartProps {
  defaultFolder: string;
  /** Another action of the Workspace step is running. */
  disabled: boolean;
}

const whole = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);

// Rehearsal mode: a generated tenant served by local Auth0 and WorkOS sandboxes, in a workspace of its own, so the
// whole migration can be tried before a real tenant is touched.
export function RehearsalStart({ defaultFolder, disabled }: RehearsalStartProps) {
  const busy = useRehearsal((s) => s.busy);
  const error = useRehearsal((s) => (s.failed === 'start' ? s.error : null));
  const { start, dismissError } = useRehearsal.getState();
  const view = useWizard((s) => s.view);
  const announce = useAnnouncer((s) => s.announce);

  const [name, setName] = useState('Rehearsal');
  const [users, setUsers] = useState('2000');
  const [orgs, setOrgs] = useState('40');
  const [seed, setSeed] = useState('');
  // Untouched, the folder follows the default main reports (it arrives after the first render).
  const [typedFolder, setFolder] = useState<string | null>(null);
  const folder = typedFolder ?? defaultFolder;

  const userCount = whole(users);
  const orgCount = whole(orgs);
  const usersOk = userCount >= 10 && userCount <= 200_000;
  const orgsOk = orgCount >= 1 && orgCount <= 20_000;
  const starting = busy === 'start';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await start({
      folder: folder.trim(),
      name: name.trim(),
      users: userCount,
      orgs: orgCount,
      ...(seed.trim() ? { seed: seed.trim() } : {}),
    });
    if (ok) {
      announce('Rehearsal started: the sandboxes are running and Connect is filled in.');
      view('connect');
    }
  };

  return (
    <section className="card" aria-labelledby="ws-rehearsal-title" data-testid="rehearsal-start">
      <h3 id="ws-rehearsal-title">Start a rehearsal</h3>
      <p className="muted">
        Generates a synthetic tenant and serves it from local Auth0 and WorkOS sandboxes on this computer, in
        a new workspace marked REHEARSAL. The Connect step is filled in and tested for you, and the
        password-hash support files are written next to the workspace. No real tenant is read or written.
      </p>
      <ErrorBanner error={error} onDismiss={dismissError} />
      <form onSubmit={(e) => void submit(e)} aria-labelledby="ws-rehearsal-title">
        <Field
          label="Rehearsal name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          autoComplete="off"
        />
        <div className="field-grid">
          <Field
            label="Users"
            value={users}
            onChange={setUsers}
            inputMode="numeric"
            required
            aria-invalid={!usersOk || undefined}
            help="10 to 200,000."
          />
          <Field
            label="Organizations"
            value={orgs}
            onChange={setOrgs}
            inputMode="numeric"
            required
            aria-invalid={!orgsOk || undefined}
            help="1 to 20,000."
          />
          <Field
            label="Seed (optional)"
            value={seed}
            onChange={setSeed}
            spellCheck={false}
            autoComplete="off"
            maxLength={64}
            help="The same seed gives the same tenant. Empty: a random one."
          />
        </div>
        <Field
          label="Rehearsal folder"
          value={folder}
          onChange={setFolder}
          required
          spellCheck={false}
          autoComplete="off"
          help="A folder on this computer's own disk, for the workspace and the support files."
        />
        <div className="actions">
          <Button
            type="submit"
            variant="primary"
            busy={starting}
            disabled={disabled || busy !== null || !name.trim() || !folder.trim() || !usersOk || !orgsOk}
          >
            Start a rehearsal
          </Button>
          {starting ? (
            <span className="muted" data-testid="rehearsal-progress">
              Generating the tenant, a 4096-bit key for the support files, and starting the sandboxes. This
              takes a few seconds…
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
