import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../../src/main/services';
import { callOperation, createDispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { readPackageHeader, savePackage, unpackPackage } from '../../../src/main/pkg/package';
import { refreshReview } from '../../../src/main/review/review';
import { memoryKeychain } from '../../../src/main/secrets/keychain';
import type { Workspace } from '../../../src/main/workspace';
import { exportedTenant, mergeDirect, type Exported } from '../passwords/setup';

let ex: Exported;
let ws: Workspace;
let secrets: string[];

beforeAll(async () => {
  ex = await exportedTenant({ users: 400, orgs: 10, seed: 'review-packages' });
  ws = ex.open();
  await mergeDirect(ws, 'passwords', ex.files.passwordsPlain);
  await mergeDirect(ws, 'mfa', ex.files.mfaSecrets);
  refreshReview(ws);
  const conn = ex.tenant.connections.flatMap((c) =>
    Object.entries(c.options)
      .filter(([k]) => /(^|_)secret$|_token$/i.test(k))
      .map(([, v]) => String(v)),
  );
  const keys = ex.tenant.connections.flatMap((c) => {
    const d = c.options.decryptionKey as { key?: string } | undefined;
    const legacy = (c.options.configuration as { LEGACY_DB_PASSWORD?: string } | undefined)
      ?.LEGACY_DB_PASSWORD;
    return [...(d?.key ? [d.key.split('\n')[1]!] : []), ...(legacy ? [legacy] : [])];
  });
  secrets = [
    ...new Set([
      ...ex.tenant.passwords.map((p) => p.passwordHash),
      ...ex.tenant.mfa.flatMap((m) => (m.totp_secret ? [m.totp_secret] : [])),
      ...conn,
      ...keys,
    ]),
  ];
  // The workspace really holds them (encrypted): otherwise the scan below proves nothing.
  expect(ws.db.prepare('SELECT count(*) FROM password_hashes').pluck().get()).toBeGreaterThan(100);
  expect(ws.db.prepare('SELECT count(*) FROM mfa_totp_secrets').pluck().get()).toBeGreaterThan(5);
  expect(secrets.length).toBeGreaterThan(50);
});
afterAll(() => {
  ws?.close();
  ex?.cleanup();
});

function services(name: string): AppServices {
  return createAppServices({ userDataDir: join(ex.dir, name), keychain: memoryKeychain(), host: 'cli' });
}

describe('redacted package', () => {
  it('contains no secret and opens read-only in a fresh profile with the full review', async () => {
    const out = join(ex.dir, 'review.a2wpkg');
    const info = await savePackage(ws, out, { mode: 'redacted' });
    expect(info.kind).toBe('redacted');
    const { header, payloadOffset } = await readPackageHeader(out);
    const file = readFileSync(out);
    const inner = gunzipSync(file.subarray(payloadOffset));
    expect(inner.subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
    for (const hay of [file.toString('latin1'), inner.toString('latin1'), inner.toString('utf8')]) {
      for (const s of secrets)
        expect(
          hay.includes(s),
          `secret #${secrets.indexOf(s)} (${s.length} chars, ${s.slice(0, 4)}) found`,
        ).toBe(false);
    }
    expect(header.counts.users).toBe(ex.manifest.users);

    const fresh = services('reviewer-profile');
    const dispatch = createDispatcher(createHandlers(fresh));
    const folder = join(ex.dir, 'reviewer-ws');
    mkdirSync(folder);
    const opened = await callOperation(dispatch, 'package.open', { file: out, folder });
    expect(opened.package.kind).toBe('redacted');
    const current = await callOperation(dispatch, 'workspace.current', {});
    expect(current).toMatchObject({ readOnly: true, secretsAvailable: false });
    const summary = await callOperation(dispatch, 'review.summary', {});
    const original = refreshReview(ws);
    expect(summary.findings.map((f) => [f.code, f.count])).toEqual(
      original.findings.map((f) => [f.code, f.count]),
    );
    expect(summary.outcomes).toEqual(original.outcomes);
    const page = await callOperation(dispatch, 'review.users', { filter: 'blocked_users', limit: 10 });
    expect(page.total).toBe(ex.manifest.blocked);
    const detail = await callOperation(dispatch, 'review.user', { userId: page.rows[0]!.userId });
    expect(detail.auth0).toHaveProperty('user');
    // Data stays read-only; decisions go to the copy's overlay (test/integration/review/decision-file.test.ts).
    expect(summary.access).toMatchObject({ canDecide: true });
    await expect(callOperation(dispatch, 'review.refresh', {})).rejects.toMatchObject({
      code: 'workspace_read_only',
    });
    await fresh.close();
  });
});

describe('encrypted package', () => {
  const pass = 'correct horse battery staple';
  let out: string;
  beforeAll(async () => {
    out = join(ex.dir, 'full.a2wpkg');
    await savePackage(ws, out, { mode: 'encrypted', passphrase: pass });
  });

  it('carries the secrets and the key to another profile', async () => {
    const file = readFileSync(out);
    for (const s of secrets) expect(file.includes(Buffer.from(s))).toBe(false);
    const fresh = services('machine-b');
    const dispatch = createDispatcher(createHandlers(fresh));
    const folder = join(ex.dir, 'machine-b-ws');
    mkdirSync(folder);
    await callOperation(dispatch, 'package.open', { file: out, folder, passphrase: pass });
    const b = fresh.requireWorkspace();
    expect(b.readOnly).toBe(false);
    expect(b.secretsAvailable).toBe(true);
    const row = b.db.prepare('SELECT user_id, hash_enc FROM password_hashes LIMIT 1').get() as {
      user_id: string;
      hash_enc: Buffer;
    };
    const hash = b
      .cipher!.decrypt({ table: 'password_hashes', column: 'hash_enc', id: row.user_id }, row.hash_enc)
      .toString();
    expect(secrets).toContain(hash);
    await fresh.close();
  });

  it('refuses hostile packages with a reason', async () => {
    const dest = (n: string) => join(ex.dir, `hostile-${n}.a2w.sqlite`);
    await expect(unpackPackage(out, dest('wrong'), 'wrong passphrase!!')).rejects.toThrow(
      /passphrase is wrong/,
    );
    const good = readFileSync(out);
    const truncated = join(ex.dir, 'truncated.a2wpkg');
    writeFileSync(truncated, good.subarray(0, good.length - 100));
    await expect(unpackPackage(truncated, dest('t'), pass)).rejects.toThrow(/truncated/);
    const tampered = Buffer.from(good);
    tampered[tampered.length - 200]! ^= 1;
    const tf = join(ex.dir, 'tampered.a2wpkg');
    writeFileSync(tf, tampered);
    await expect(unpackPackage(tf, dest('x'), pass)).rejects.toThrow(/tampered/);
    // A header that lies (edited counts) breaks the AAD, so it is refused as tampering too.
    const { payloadOffset } = await readPackageHeader(out);
    const headerText = good.subarray(12, payloadOffset).toString('utf8');
    const lying = headerText.replace(/"users":(\d+)/, (_m, n: string) =>
      `"users":${Number(n) + 1}`.padEnd(`"users":${n}`.length, ' '),
    );
    const lf = join(ex.dir, 'lying.a2wpkg');
    writeFileSync(
      lf,
      Buffer.concat([good.subarray(0, 12), Buffer.from(lying), good.subarray(payloadOffset)]),
    );
    await expect(unpackPackage(lf, dest('l'), pass)).rejects.toThrow(/refused/);
    const notPkg = join(ex.dir, 'not.a2wpkg');
    writeFileSync(notPkg, 'hello');
    await expect(unpackPackage(notPkg, dest('n'))).rejects.toThrow(/not a migration package/);
    expect(readdirSync(ex.dir).filter((f) => f.startsWith('hostile-'))).toEqual([]);
  });

  it('refuses a redacted package that lies about its counts or is a compression bomb', async () => {
    const red = join(ex.dir, 'review2.a2wpkg');
    await savePackage(ws, red, { mode: 'redacted' });
    const good = readFileSync(red);
    const { payloadOffset, header } = await readPackageHeader(red);
    const rewrite = (h: object, payload: Buffer, name: string) => {
      const json = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(4);
      len.writeUInt32BE(json.length);
      const f = join(ex.dir, name);
      writeFileSync(f, Buffer.concat([good.subarray(0, 8), len, json, payload]));
      return f;
    };
    const payload = good.subarray(payloadOffset);
    const liar = rewrite(
      { ...header, counts: { ...header.counts, users: header.counts.users! + 5 } },
      payload,
      'liar.a2wpkg',
    );
    await expect(unpackPackage(liar, join(ex.dir, 'liar.a2w.sqlite'))).rejects.toThrow(/manifest says/);
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const { createHash } = await import('node:crypto');
    const bf = rewrite(
      {
        ...header,
        payloadBytes: bomb.length,
        databaseBytes: 1024 * 1024,
        sha256: createHash('sha256').update(bomb).digest('hex'),
      },
      bomb,
      'bomb.a2wpkg',
    );
    await expect(unpackPackage(bf, join(ex.dir, 'bomb.a2w.sqlite'))).rejects.toThrow(/compression bomb/);
  });
});
