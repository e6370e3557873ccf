import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { AppError } from '../shared/errors';
import { CredentialsService } from './credentials';
import { EventBus } from './events';
import { JobRunner } from './jobs/runner';
import { silentLogger, type Logger } from './log';
import { RehearsalHost, type SandboxLauncher } from './rehearsal';
import type { Keychain } from './secrets/keychain';
import {
  WORKSPACE_EXT,
  createLocationGuard,
  createWorkspace,
  openWorkspace,
  RecentWorkspaces,
  type LocationGuard,
  type Workspace,
} from './workspace';

export type Host = 'electron' | 'harness' | 'cli';

export type FilePurpose = 'workspace' | 'support-file' | 'pgp-key';

export interface Dialogs {
  chooseFolder(): Promise<string | null>;
  chooseFile(purpose: FilePurpose): Promise<string | null>;
  /** Where to save a file the app writes (the migration report); null when the admin cancelled. */
  chooseSaveFile(defaultName: string): Promise<string | null>;
}

export interface AppServicesOptions {
  userDataDir: string;
  keychain: Keychain;
  host: Host;
  dialogs?: Dialogs;
  openExternal?: (url: string) => Promise<boolean>;
  /** The job worker's entry: out/main/worker.js when built. The built entries (Electron, CLI) always pass it; the
   *  default, the TypeScript source, serves tests that run from src/. */
  workerEntry?: string;
  /** The rehearsal sandbox process's entry (out/main/sandbox-host.js; default as above) and how to launch it. */
  sandboxEntry?: string;
  sandboxLauncher?: SandboxLauncher;
  guard?: LocationGuard;
  logger?: Logger;
  env?: Record<string, string | undefined>;
  version?: string;
}

// The composition root: one instance per running front end (Electron window, test harness, CLI invocation).
// It holds at most one open workspace and the job runner bound to it.
export class AppServices {
  readonly events = new EventBus();
  readonly recent: RecentWorkspaces;
  readonly credentials: CredentialsService;
  readonly guard: LocationGuard;
  readonly logger: Logger;
  readonly rehearsal: RehearsalHost;
  private current: Workspace | null = null;
  private runner: JobRunner | null = null;

  constructor(readonly opts: AppServicesOptions) {
    mkdirSync(opts.userDataDir, { recursive: true, mode: 0o700 });
    this.recent = new RecentWorkspaces(opts.userDataDir);
    this.credentials = new CredentialsService(opts.keychain, opts.env);
    this.guard = opts.guard ?? createLocationGuard();
    this.logger = opts.logger ?? silentLogger;
    this.rehearsal = new RehearsalHost(
      opts.sandboxEntry ?? join(__dirname, 'sandbox-host.js'),
      opts.sandboxLauncher,
    );
  }

  get keychain(): Keychain {
    return this.opts.keychain;
  }

  /** Workspaces live in the OS user-data folder unless the admin picks another local folder. */
  defaultFolder(): string {
    return join(this.opts.userDataDir, 'workspaces');
  }

  workspace(): Workspace | null {
    return this.current;
  }

  requireWorkspace(): Workspace {
    if (!this.current)
      throw new AppError('no_workspace', 'No workspace is open.', 'Create or open a workspace first.');
    return this.current;
  }

  jobs(): JobRunner {
    const ws = this.requireWorkspace();
    if (!this.runner) {
      this.runner = new JobRunner({
        workspace: ws,
        workerEntry: this.opts.workerEntry ?? join(__dirname, 'jobs', 'worker.ts'),
        onEvent: (info) => this.events.emit('job.progress', info),
      });
      this.runner.recoverInterrupted();
    }
    return this.runner;
  }

  async createWorkspace(
    folder: string,
    name: string,
    opts: { rehearsal?: boolean } = {},
  ): Promise<Workspace> {
    if (folder === this.defaultFolder()) mkdirSync(folder, { recursive: true, mode: 0o700 });
    const file = join(folder, fileNameFor(name));
    const ws = await createWorkspace(file, {
      keychain: this.keychain,
      guard: this.guard,
      name,
      rehearsal: opts.rehearsal,
    });
    await this.adopt(ws);
    this.logger.log('info', 'workspace.created', { rehearsal: ws.rehearsal });
    return ws;
  }

  async openWorkspace(file: string): Promise<Workspace> {
    const ws = await openWorkspace(file, { keychain: this.keychain, guard: this.guard });
    await this.adopt(ws);
    this.logger.log('info', 'workspace.opened', { readOnly: ws.readOnly, secrets: ws.secretsAvailable });
    return ws;
  }

  async closeWorkspace(): Promise<boolean> {
    if (!this.current) return false;
    // A rehearsal's sandboxes belong to its workspace: they stop with it.
    if (this.current.rehearsal) await this.rehearsal.stop();
    await this.runner?.close();
    this.runner = null;
    this.current.close();
    this.current = null;
    this.events.emit('workspace.changed', null);
    return true;
  }

  async close(): Promise<void> {
    await this.closeWorkspace();
    await this.rehearsal.stop();
  }

  private async adopt(ws: Workspace): Promise<void> {
    await this.closeWorkspace();
    this.current = ws;
    await this.recent.add(ws.file, ws.name);
    this.events.emit('workspace.changed', ws.summary());
  }
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  return new AppServices(opts);
}

/** A readable, safe file name from the workspace's display name. */
export function fileNameFor(name: string): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'migration';
  return basename(slug) + WORKSPACE_EXT;
}

export function defaultUserDataDir(appName = 'auth0-to-workos'): string {
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', appName);
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), appName);
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), appName);
  }
}
