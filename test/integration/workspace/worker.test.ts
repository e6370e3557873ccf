import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryKeychain } from '../../../src/main/secrets/keychain';
import { createWorkspace } from '../../../src/main/workspace';

const dir = mkdtempSync(path.join(tmpdir(), 'a2w-ws-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reply {
  readOnly: boolean;
  secretsAvailable: boolean;
  blob: string | null;
}

function runWorker(file: string, key: Buffer | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'fixtures', 'worker-open.ts'), {
      workerData: { file, key },
      execArgv: ['--import', 'tsx'],
    });
    w.once('message', (m: Reply) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

describe('workspace in a real worker thread', () => {
  it('a worker with the handed-over key writes what the parent can read, while the parent stays open', async () => {
    const ws = await createWorkspace(path.join(dir, 'w.a2w.sqlite'), {
      keychain: memoryKeychain(),
      name: 'w',
    });
    try {
      const reply = await runWorker(ws.file, ws.dataKeyForWorker());
      expect(reply).toMatchObject({ readOnly: false, secretsAvailable: true });
      const stored = ws.getSetting<string>('from-worker')!;
      expect(stored).toBe(reply.blob);
      const plain = ws.cipher!.decrypt(
        { table: 'settings', column: 'value_json', id: 'from-worker' },
        Buffer.from(stored, 'base64'),
      );
      expect(plain.toString()).toBe('written by the worker');
      expect(ws.audit.verify()).toMatchObject({ ok: true, entries: 2 });

      const noKey = await runWorker(ws.file, null);
      expect(noKey).toMatchObject({ readOnly: true, secretsAvailable: false, blob: null });
    } finally {
      ws.close();
    }
  });
});
