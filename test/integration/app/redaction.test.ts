import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { callOperation, createDispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { fileLogger } from '../../../src/main/log';
import { osKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices } from '../../../src/main/services';

// A scenario run with canary secrets: none of them may reach a log line, an error message, a payload sent to the
// renderer (operation results and events), or any workspace column outside ciphertext.
const service = `a2w-test-redaction-${randomUUID()}`;
const keychain = osKeychain(service);
const root = mkdtempSync(path.join(tmpdir(), 'a2w-redaction-'));
const canarySecret = `canary-auth0-secret-${randomBytes(12).toString('hex')}`;
const canaryKey = `sk_test_canary${randomBytes(12).toString('hex')}`;
const canaryEmail = 'canary.person@example.org';

afterAll(async () => {
  for (const account of await keychain.list()) await keychain.delete(account);
  rmSync(root, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('log redaction and secret containment', () => {
  it('keeps canary secrets out of logs, errors, renderer payloads and plaintext workspace columns', async () => {
    const userDataDir = path.join(root, 'profile');
    const logger = fileLogger(path.join(userDataDir, 'logs'));
    const services = createAppServices({ userDataDir, keychain, host: 'harness', logger });
    const seen: string[] = [];
    services.events.on((name, payload) => seen.push(JSON.stringify({ name, payload })));
    const dispatch = createDispatcher(createHandlers(services), logger);
    const record = async (name: string, input: unknown) => {
      const r = await dispatch(name, input);
      seen.push(JSON.stringify(r));
      return r;
    };

    const folder = path.join(root, 'ws');
    const created = await record('workspace.create', { folder, name: 'Redaction' });
    expect(created.ok).toBe(true);
    expect(
      (
        await record('credentials.setAuth0', {
          domain: 'acme.eu.auth0.com',
          clientId: 'abc',
          clientSecret: canarySecret,
        })
      ).ok,
    ).toBe(true);
    expect((await record('credentials.setWorkos', { environment: 'staging', apiKey: canaryKey })).ok).toBe(
      true,
    );
    // Failures that carry the canaries in their input: the error must not echo them.
    const bad1 = await record('credentials.setAuth0', {
      domain: `${canaryEmail}`,
      clientId: 'abc',
      clientSecret: canarySecret,
    });
    const bad2 = await record('credentials.setWorkos', {
      environment: 'x',
      apiKey: canaryKey,
      baseUrl: `https://${canarySecret}.example.com/`,
    });
    // File paths are named in errors on purpose (bad input names its file); this one holds no secret.
    const bad3 = await record('workspace.open', { path: path.join(root, 'missing.a2w.sqlite') });
    expect([bad1.ok, bad2.ok, bad3.ok]).toEqual([false, false, false]);
    // The secrets really were stored, in the keychain.
    expect((await keychain.list()).length).toBeGreaterThanOrEqual(3);
    expect(await callOperation(dispatch, 'credentials.status', {})).toMatchObject({
      auth0: { hasSecret: true },
      workos: { hasKey: true },
    });
    // And a direct log attempt of a registered secret is masked.
    logger.log('info', 'careless', { oops: `token=${canaryKey} for ${canaryEmail}` });
    const wsFile = services.workspace()!.file;
    await services.close();

    const canaries = [canarySecret, canaryKey];
    for (const payload of seen) for (const c of canaries) expect(payload).not.toContain(c);
    const logs = filesUnder(path.join(userDataDir, 'logs'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(100);
    for (const c of [...canaries, canaryEmail]) expect(logs).not.toContain(c);
    expect(logs).toContain('[redacted]');

    // Every TEXT value of every table, and the raw bytes of the database and its WAL.
    const db = new Database(wsFile, { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
      name: string;
    }[];
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        const text = JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? '[blob]' : v));
        for (const c of canaries) expect(text, `table ${name}`).not.toContain(c);
      }
    }
    db.close();
    for (const f of filesUnder(path.dirname(wsFile))) {
      const bytes = readFileSync(f);
      for (const c of canaries) expect(bytes.includes(Buffer.from(c)), f).toBe(false);
    }
  });
});
