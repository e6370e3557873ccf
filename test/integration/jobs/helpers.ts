import { join } from 'node:path';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { createWorkspace, type Workspace } from '../../../src/main/workspace';

export interface TestWorkspace {
  file: string;
  dataKey: Buffer | null;
}

/** A real workspace (created through the OS keychain, whose entry is removed again); returns its file and data key. */
export async function createTestWorkspace(dir: string): Promise<TestWorkspace> {
  const keychain = osKeychain('com.auth0-to-workos.assistant.test-jobs');
  const workspace = await createWorkspace(join(dir, 'jobs.a2w.sqlite'), { keychain, name: 'jobs test' });
  const dataKey = workspace.dataKeyForWorker();
  const { file, id } = workspace;
  workspace.close();
  await keychain.delete(accounts.workspaceKey(id));
  if (!dataKey) throw new Error('createWorkspace returned a workspace without a data key');
  return { file, dataKey };
}

export function numbersSummary(workspace: Workspace): {
  count: number;
  min: number | null;
  max: number | null;
} {
  return workspace.db
    .prepare('SELECT count(*) AS count, min(n) AS min, max(n) AS max FROM selftest_numbers')
    .get() as {
    count: number;
    min: number | null;
    max: number | null;
  };
}

export function auditActions(workspace: Workspace): string[] {
  return (
    workspace.db.prepare("SELECT action FROM audit_log WHERE action LIKE 'job.%' ORDER BY seq").all() as {
      action: string;
    }[]
  ).map((r) => r.action);
}
