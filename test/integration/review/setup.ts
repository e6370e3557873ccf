import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTenantWithManifest, type GeneratedTenant } from '../../../src/main/sandbox/generator';
import { openWorkspaceWithKey, type Workspace } from '../../../src/main/workspace';
import { createTestWorkspace, runExport, startSandbox, type TestWorkspace } from '../export/helpers';

export interface Exported extends GeneratedTenant {
  dir: string;
  tw: TestWorkspace;
  open(readOnly?: boolean): Workspace;
  cleanup(): void;
}

/** A generated tenant exported by the real export job from the Auth0 sandbox into a real workspace. */
export async function exportedTenant(opts: { users: number; orgs: number; seed: string }): Promise<Exported> {
  const gen = generateTenantWithManifest(opts);
  const dir = mkdtempSync(join(tmpdir(), 'a2w-review-'));
  const sb = await startSandbox(gen.tenant);
  try {
    const tw = await createTestWorkspace(dir, 'review');
    const { job } = await runExport(tw, sb);
    if (job.state !== 'completed') throw new Error(`export ended ${job.state}: ${JSON.stringify(job.error)}`);
    return {
      ...gen,
      dir,
      tw,
      open: (readOnly = false) => openWorkspaceWithKey(tw.file, tw.dataKey, { readOnly }),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await sb.close();
  }
}
