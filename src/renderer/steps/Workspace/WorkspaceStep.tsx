import { useEffect, useState, type FormEvent } from 'react';
import type { Output } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { useAnnouncer } from '../../store/announcer';
import { useRehearsal } from '../../store/rehearsal';
import { useWizard } from '../../store/wizard';
import { RecentList } from './RecentList';
import { RehearsalStart } from './RehearsalStart';
import { WorkspaceSummary } from './WorkspaceSummary';

type Recent = Output<'workspace.recent'>;

// Create, open, reopen and close workspaces. Every check (location guard, schema, keychain) happens in main;
// this panel shows its answer, including the hint on what to do.
export function WorkspaceStep() {
  const workspace = useWizard((s) => s.workspace);
  const refresh = useWizard((s) => s.refresh);
  const view = useWizard((s) => s.view);
  const announce = useAnnouncer((s) => s.announce);

  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const [defaultFolder, setDefaultFolder] = useState('');
  const [openPath, setOpenPath] = useState('');
  const [recent, setRecent] = useState<Recent>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([call('workspace.defaultFolder', {}), call('workspace.recent', {})])
      .then(([def, rec]) => {
        if (!live) return;
        setFolder((f) => f || def.folder);
        setDefaultFolder(def.folder);
        setRecent(rec);
      })
      .catch((err: unknown) => live && setError(asUiError(err)));
    return () => {
      live = false;
    };
  }, [workspace?.path]);

  // Runs one action with a busy state; errors land in the banner, never in the console.
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(false);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const ws = await call('workspace.create', { folder: folder.trim(), name: name.trim() });
      setName('');
      await refresh();
      announce(`Workspace ${ws.name} created.`);
    });
  };

  const open = (path: string) =>
    run(async () => {
      const ws = await call('workspace.open', { path });
      setOpenPath('');
      announce(`Workspace ${ws.name} opened.`);
      await refresh({ land: true });
    });

  const forget = (path: string) =>
    run(async () => {
      setRecent(await call('workspace.forget', { path }));
      announce('Removed from the recent list.');
    });

  const close = () =>
    run(async () => {
      // A rehearsal's sandboxes belong to its workspace: they stop with it (reopening offers a restart).
      if (workspace?.rehearsal && useRehearsal.getState().status?.running) {
        if (!(await useRehearsal.getState().stop())) return;
      }
      await call('workspace.close', {});
      announce('Workspace closed.');
      await refresh();
    });

  const browseFolder = () =>
    run(async () => {
      const { folder: chosen } = await call('workspace.chooseFolder', {});
      if (chosen) setFolder(chosen);
    });

  const browseFile = () =>
    run(async () => {
      const { path: chosen } = await call('workspace.chooseFile', {});
      if (chosen) setOpenPath(chosen);
    });

  return (
    <div className="step-body">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {workspace ? (
        <>
          <WorkspaceSummary workspace={workspace} />
          <div className="actions">
            <Button variant="primary" onClick={() => view('connect')}>
              Continue to Connect
            </Button>
            <Button onClick={() => void close()} busy={busy}>
              Close workspace
            </Button>
          </div>
        </>
      ) : (
        <p className="lead">
          A workspace is one local, partly encrypted SQLite file that holds everything about this migration.
          Keep it on this computer&apos;s own disk: network shares and cloud-sync folders are refused.
        </p>
      )}

      <section className="card" aria-labelledby="ws-create-title">
        <h3 id="ws-create-title">Create a workspace</h3>
        <form onSubmit={create} aria-labelledby="ws-create-title">
          <Field
            label="Workspace name"
            value={name}
            onChange={setName}
            required
            maxLength={100}
            autoComplete="off"
            help="For you: for example the tenant and the date."
          />
          <Field
            label="Folder"
            value={folder}
            onChange={setFolder}
            required
            spellCheck={false}
            autoComplete="off"
            help="A folder on this computer's own disk. The workspace file is created inside it."
            action={
              <Button onClick={() => void browseFolder()} disabled={busy} aria-label="Browse for a folder">
                Browse…
              </Button>
            }
          />
          <div className="actions">
            <Button type="submit" variant="primary" busy={busy} disabled={!name.trim() || !folder.trim()}>
              Create workspace
            </Button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="ws-open-title">
        <h3 id="ws-open-title">Open a workspace</h3>
        <form
          aria-labelledby="ws-open-title"
          onSubmit={(e) => {
            e.preventDefault();
            void open(openPath.trim());
          }}
        >
          <Field
            label="Workspace file"
            value={openPath}
            onChange={setOpenPath}
            required
            spellCheck={false}
            autoComplete="off"
            action={
              <Button
                onClick={() => void browseFile()}
                disabled={busy}
                aria-label="Browse for a workspace file"
              >
                Browse…
              </Button>
            }
          />
          <div className="actions">
            <Button type="submit" variant="primary" busy={busy} disabled={!openPath.trim()}>
              Open workspace
            </Button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="ws-recent-title">
        <h3 id="ws-recent-title">Recent workspaces</h3>
        <RecentList
          recent={recent}
          busy={busy}
          onOpen={(p) => void open(p)}
          onForget={(p) => void forget(p)}
        />
      </section>

      <RehearsalStart defaultFolder={defaultFolder} disabled={busy} />
    </div>
  );
}
