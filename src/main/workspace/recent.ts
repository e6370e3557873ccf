import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface RecentEntry {
  path: string;
  name: string;
  lastOpenedAt: string;
  exists: boolean;
}

export const RECENT_FILE = 'recent-workspaces.json';
export const MAX_RECENT = 20;

const stored = z.object({ path: z.string().min(1), name: z.string(), lastOpenedAt: z.string() });
type Stored = z.infer<typeof stored>;

/**
 * The list of recently opened workspaces, most recent first, in <userDataDir>/recent-workspaces.json.
 * A corrupt or unreadable file is treated as an empty list (it is a convenience, never a reason to fail).
 */
export class RecentWorkspaces {
  readonly file: string;
  // Serialises read-modify-write cycles within this process.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(userDataDir: string) {
    this.file = path.join(userDataDir, RECENT_FILE);
  }

  async list(): Promise<RecentEntry[]> {
    const entries = await this.#read();
    return Promise.all(
      entries.map(async (e) => ({
        ...e,
        exists: await fsp.stat(e.path).then(
          (s) => s.isFile(),
          () => false,
        ),
      })),
    );
  }

  add(workspacePath: string, name: string): Promise<void> {
    return this.#update((entries) => [
      { path: path.resolve(workspacePath), name, lastOpenedAt: new Date().toISOString() },
      ...entries.filter((e) => e.path !== path.resolve(workspacePath)),
    ]);
  }

  forget(workspacePath: string): Promise<void> {
    return this.#update((entries) => entries.filter((e) => e.path !== path.resolve(workspacePath)));
  }

  async #read(): Promise<Stored[]> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) return [];
      // Keep the entries that are well formed; drop the rest rather than lose the whole list.
      return parsed.flatMap((e) => {
        const r = stored.safeParse(e);
        return r.success ? [r.data] : [];
      });
    } catch {
      return [];
    }
  }

  #update(change: (entries: Stored[]) => Stored[]): Promise<void> {
    const run = this.#queue.then(async () => {
      const next = change(await this.#read()).slice(0, MAX_RECENT);
      await this.#write(next);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  // Atomic: a crash leaves either the old file or the new one, never half of one.
  async #write(entries: Stored[]): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fh = await fsp.open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(entries, null, 2)}\n`, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.chmod(tmp, 0o600);
      await fsp.rename(tmp, this.file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }
}
