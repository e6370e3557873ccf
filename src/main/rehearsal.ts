import { fork, type ChildProcess } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../shared/errors';
import type { SandboxCredentials, SandboxesDescription, SandboxesOptions } from './sandbox';
import { WORKSPACE_EXT } from './workspace';

// Rehearsal mode: the local Auth0 and WorkOS sandboxes served by a separate process, so that an admin can run the
// whole migration on a synthetic tenant before touching a real one. This module starts and stops that process;
// the Electron shell substitutes a utility process for the Node child through `SandboxLauncher`.

export interface SandboxProcess {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}
export type SandboxLauncher = (entry: string) => SandboxProcess;

export const nodeSandboxLauncher: SandboxLauncher = (entry) => {
  const child: ChildProcess = fork(entry, [], {
    // Under the test runner the entry is TypeScript.
    execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    send: (m) => void child.send(m as never),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', (code) => l(code)),
    kill: () => void child.kill('SIGTERM'),
  };
};

export interface RehearsalSettings {
  users: number;
  orgs: number;
  seed: string;
  supportFilesDir: string;
  /** The support files written at the start (paths and key fingerprint); a resume reuses them. */
  files?: Record<string, string>;
  auth0ClientId: string;
  workosClientId: string;
}

export class RehearsalHost {
  private proc: SandboxProcess | null = null;
  private description: SandboxesDescription | null = null;

  constructor(
    private readonly entry: string,
    private readonly launcher: SandboxLauncher = nodeSandboxLauncher,
  ) {}

  running(): SandboxesDescription | null {
    return this.description;
  }

  async start(options: SandboxesOptions, timeoutMs = 120_000): Promise<SandboxesDescription> {
    await this.stop();
    const proc = this.launcher(this.entry);
    this.proc = proc;
    const description = await new Promise<SandboxesDescription>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AppError('network', 'The rehearsal sandboxes did not start in time.')),
        timeoutMs,
      );
      proc.onMessage((m) => {
        const msg = m as {
          type: string;
          description?: SandboxesDescription;
          error?: { code: string; message: string };
        };
        clearTimeout(timer);
        if (msg.type === 'ready' && msg.description) resolve(msg.description);
        else
          reject(
            new AppError(
              'internal',
              `The rehearsal sandboxes failed to start: ${msg.error?.message ?? 'unknown reason'}`,
            ),
          );
      });
      proc.onExit((code) => {
        clearTimeout(timer);
        if (this.proc === proc) {
          this.proc = null;
          this.description = null;
        }
        reject(new AppError('internal', `The rehearsal sandbox process exited (code ${code ?? 'signal'}).`));
      });
      proc.send({ type: 'start', options });
    }).catch((err) => {
      proc.kill();
      throw err;
    });
    this.description = description;
    return description;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    this.description = null;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill();
        resolve();
      }, 5_000);
      proc.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      proc.send({ type: 'stop' });
    });
  }
}

/** The sandbox's support files (they hold password hashes) sit next to the workspace, in the same checked folder. */
export function supportFilesDirFor(workspaceFile: string): string {
  return join(dirname(workspaceFile), `${basename(workspaceFile, WORKSPACE_EXT)}-rehearsal-files`);
}

export type { SandboxCredentials };
