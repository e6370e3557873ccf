import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { AppError } from '../../../src/shared/errors';
import { createWorkspace, openWorkspace, WORKSPACE_EXT } from '../../../src/main/workspace';

// The real OS keychain (Secret Service via gnome-keyring under dbus-run-session in the test suite), under a
// service name of its own so nothing of the app's real entries is touched.
const service = `a2w-test-workspace-${randomUUID()}`;
const keychain = osKeychain(service);
const dir = mkdtempSync(path.join(tmpdir(), 'a2w-ws-keychain-'));

afterAll(async () => {
  for (const account of await keychain.list()) await keychain.delete(account);
  rmSync(dir, { recursive: true, force: true });
});

describe('workspace data key in the real OS keychain', () => {
  it('stores the key on create, reads it on reopen, and opens read-only once it is deleted', async () => {
    const file = path.join(dir, `real${WORKSPACE_EXT}`);
    const ws = await createWorkspace(file, { keychain, name: 'Keychain test' });
    const id = ws.id;
    const account = accounts.workspaceKey(id);
    const blob = ws.cipher!.encrypt(
      { table: 'settings', column: 'value_json', id: 'probe' },
      'protected value',
    );
    ws.setSetting('probe', blob.toString('base64'));
    ws.close();

    expect(await keychain.list()).toContain(account);
    const stored = await keychain.get(account);
    expect(Buffer.from(stored!, 'base64')).toHaveLength(32);

    const again = await openWorkspace(file, { keychain });
    expect(again.readOnly).toBe(false);
    expect(again.secretsAvailable).toBe(true);
    const saved = Buffer.from(again.getSetting<string>('probe')!, 'base64');
    expect(
      again.cipher!.decrypt({ table: 'settings', column: 'value_json', id: 'probe' }, saved).toString(),
    ).toBe('protected value');
    again.close();

    expect(await keychain.delete(account)).toBe(true);
    const ro = await openWorkspace(file, { keychain });
    try {
      expect(ro.readOnly).toBe(true);
      expect(ro.secretsAvailable).toBe(false);
      expect(ro.summary().warnings[0]).toMatch(/not in this computer's keychain/);
      expect(() => ro.setSetting('x', 1)).toThrow(expect.objectContaining({ code: 'workspace_read_only' }));
    } finally {
      ro.close();
    }
  });

  it('removes the stored key and the file when creation fails after the key reached the keychain', async () => {
    const before = await keychain.list();
    // Stores for real, then reports a failure, as a keychain does when its prompt times out after saving.
    const flaky = {
      ...keychain,
      set: async (account: string, secret: string) => {
        await keychain.set(account, secret);
        throw new AppError('keychain_unavailable', 'The OS keychain could not be used (timed out).');
      },
    };
    const file = path.join(dir, `flaky${WORKSPACE_EXT}`);
    await expect(createWorkspace(file, { keychain: flaky, name: 'x' })).rejects.toMatchObject({
      code: 'keychain_unavailable',
    });
    expect(await keychain.list()).toEqual(before);
    expect(existsSync(file)).toBe(false);
  });
});
