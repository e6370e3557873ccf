import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bumpEntityVersion } from '../../../src/main/auth0/export/versions';
import { listWhere, type MergeCheckpoint } from '../../../src/main/passwords/merge';
import type { Workspace } from '../../../src/main/workspace';
import { exportedTenant, lineOwner, mergeDirect, mergeTables, type Exported } from './setup';

// The merge against the real exported workspace of a generated tenant, with the sandbox's own support files.

const LEGACY_TO_CLASSIFIED: Record<string, string> = {
  argon2id: 'argon2',
  scrypt: 'scrypt',
  'pbkdf2-sha256': 'pbkdf2',
  ssha: 'ssha',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
};

let t: Exported;
let ws: Workspace;

beforeAll(async () => {
  t = await exportedTenant({ users: 1000, orgs: 6, seed: 'merge-1' });
  ws = t.open();
}, 120_000);
afterAll(() => {
  ws?.close();
  t?.cleanup();
});

function storedHash(userId: string): string | undefined {
  const row = ws.db.prepare('SELECT hash_enc FROM password_hashes WHERE user_id = ?').get(userId) as
    { hash_enc: Buffer } | undefined;
  if (!row) return undefined;
  return ws
    .cipher!.decrypt({ table: 'password_hashes', column: 'hash_enc', id: userId }, row.hash_enc)
    .toString();
}

function expectEveryHashMatched(): void {
  const users = new Map(t.tenant.users.map((u) => [u.user_id, u]));
  const seen = new Set<string>();
  for (const line of t.tenant.passwords) {
    const owner = lineOwner(line);
    if (!users.has(owner)) continue; // orphan line
    if (seen.has(owner)) continue; // duplicate line: the first one is kept
    seen.add(owner);
    expect(storedHash(owner), owner).toBe(line.passwordHash);
  }
  expect(seen.size).toBe(ws.db.prepare('SELECT count(*) FROM password_hashes').pluck().get());
}

/** Merges `file` until the first batch after the checkpoint names the file, then stops it as a pause would. */
async function mergeUntilPaused(
  file: string,
  threads: boolean,
): Promise<{ stopped: unknown; saved: MergeCheckpoint | null }> {
  let saved: MergeCheckpoint | null = null;
  const stopped = await mergeDirect(ws, 'passwords', file, {
    env: {
      threads,
      saveCheckpoint: (cp) => (saved = cp),
      throwIfStopped: () => {
        // Once the checkpoint names the file (a run stopped before its hash is saved starts over).
        if ((saved?.linesApplied ?? 0) > 0 && saved?.fileSha256)
          throw Object.assign(new Error('paused'), { name: 'JobStopped' });
      },
    },
  }).catch((e: unknown) => e);
  return { stopped, saved };
}

describe('password-hash merge with the sandbox files', () => {
  it('the tenant has the awkward cases planted', () => {
    const m = t.manifest;
    expect(m.altIdUsers).toBeGreaterThan(0);
    expect(m.duplicateEmailAcrossConnections).toBeGreaterThan(0);
    expect(m.passwordLinesWithoutRootEmail).toBeGreaterThan(0);
    expect(m.orphanPasswordLines).toBeGreaterThan(0);
    expect(m.duplicatePasswordLines).toBeGreaterThan(0);
  });

  it('plain file: every generated user gets exactly their own hash, counts match the manifest', async () => {
    const { summary } = await mergeDirect(ws, 'passwords', t.files.passwordsPlain);
    const m = t.manifest;
    const c = summary.counts;
    expect(c.lines).toBe(m.passwordLines);
    expect(c.matched + c.blocked).toBe(m.passwordLines - m.duplicatePasswordLines - m.orphanPasswordLines);
    expect(c.duplicates).toBe(m.duplicatePasswordLines);
    expect(c.noSuchUser).toBe(m.orphanPasswordLines);
    expect(c.ambiguous + c.invalid + c.unreadable + c.notDatabaseUser).toBe(0);
    expect(summary.withoutValue).toBe(0);
    expect(summary.added).toBe(c.matched + c.blocked);
    expect(c.byAlgorithm.bcrypt).toBe(m.bcryptHashes);
    for (const [legacy, n] of Object.entries(m.legacyHashesByAlgorithm)) {
      if (n > 0) expect(c.byAlgorithm[LEGACY_TO_CLASSIFIED[legacy]!], legacy).toBe(n);
    }
    const blockedDb = t.tenant.users.filter((u) => u.blocked && u.user_id.startsWith('auth0|')).length;
    expect(c.blocked).toBe(blockedDb);
    expectEveryHashMatched();

    // alt_id users, users whose line has no root email, and users sharing an email across connections.
    const altIds = t.tenant.passwords.filter((l) => l.alt_id);
    expect(altIds.length).toBeGreaterThan(0);
    for (const l of altIds) expect(storedHash(`auth0|${l.alt_id}`)).toBe(l.passwordHash);
    for (const l of t.tenant.passwords.filter((x) => !x.email && x.identifiers.length > 0)) {
      expect(storedHash(lineOwner(l))).toBe(l.passwordHash);
    }
    const shared = t.tenant.passwords.filter((l) => !l._tmp_is_unique);
    expect(shared.length).toBeGreaterThan(1);
    for (const l of shared) expect(storedHash(lineOwner(l))).toBe(l.passwordHash);

    // The stored hash is the user's real password's hash.
    const bcryptLine = t.tenant.passwords.find((l) => l.passwordHash.startsWith('$2') && !l.alt_id)!;
    const owner = lineOwner(bcryptLine);
    expect(bcrypt.compareSync(t.tenant.plaintextPasswords![owner]!, storedHash(owner)!)).toBe(true);

    // Blocked users' hashes are kept and flagged.
    const blockedRows = ws.db.prepare('SELECT user_id FROM password_hashes WHERE blocked = 1').pluck().all();
    expect(blockedRows.length).toBe(c.blocked);

    // Per-line outcomes: never the hash, never an email.
    const lines = ws.db.prepare('SELECT * FROM password_merge_lines').all() as Record<string, unknown>[];
    expect(lines.length).toBe(c.duplicates + c.noSuchUser);
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/@/);
    expect(text).not.toContain('$2');
  });

  it('the PGP file (binary and armored) gives the same result and changes nothing', async () => {
    const before = mergeTables(ws);
    expect(before.password_hashes!.length).toBeGreaterThan(0);
    for (const file of [t.files.passwordsPgp, t.files.passwordsPgpArmored!]) {
      const { summary } = await mergeDirect(ws, 'passwords', file, { pgp: t.pgp });
      expect(summary.encrypted).toBe(true);
      expect(summary.changed + summary.added + summary.removed).toBe(0);
      expect(summary.unchanged).toBe(summary.counts.matched + summary.counts.blocked);
    }
    const after = mergeTables(ws);
    expect(after.password_hashes).toEqual(before.password_hashes);
    expectEveryHashMatched();
  });

  it('re-running the same plain file changes nothing; a newer file updates what changed, with an audit entry', async () => {
    const before = mergeTables(ws);
    const again = await mergeDirect(ws, 'passwords', t.files.passwordsPlain);
    expect(again.summary.added + again.summary.changed + again.summary.removed).toBe(0);
    expect(mergeTables(ws).password_hashes).toEqual(before.password_hashes);

    // A newer file: one user's hash changed, one user's line gone.
    const lines = t.tenant.passwords.map((l) => ({ ...l }));
    const changedLine = lines.find((l) => l.passwordHash.startsWith('$2') && !l.alt_id)!;
    const newHash = bcrypt.hashSync('a brand new password', 4);
    const changedOwner = lineOwner(changedLine);
    for (const l of lines) if (lineOwner(l) === changedOwner) l.passwordHash = newHash;
    const goneOwner = lineOwner(
      lines.find((l) => lineOwner(l) !== changedOwner && l.passwordHash.startsWith('$2'))!,
    );
    const newer = lines.filter((l) => lineOwner(l) !== goneOwner);
    const file = join(t.dir, 'passwords-newer.ndjson');
    writeFileSync(file, newer.map((l) => JSON.stringify(l)).join('\n') + '\n', { mode: 0o600 });
    const { summary } = await mergeDirect(ws, 'passwords', file);
    expect(summary.changed).toBe(1);
    expect(summary.removed).toBe(1);
    expect(summary.added).toBe(0);
    expect(summary.withoutValue).toBe(1);
    expect(storedHash(changedOwner)).toBe(newHash);
    expect(storedHash(goneOwner)).toBeUndefined();

    const audit = ws.db
      .prepare(
        "SELECT details_json FROM audit_log WHERE action = 'passwords.merged' ORDER BY seq DESC LIMIT 1",
      )
      .pluck()
      .get() as string;
    const details = JSON.parse(audit);
    expect(details).toMatchObject({ fileName: 'passwords-newer.ndjson', changed: 1, removed: 1, added: 0 });
    expect(details.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ws.audit.verify().ok).toBe(true);
  });

  it.each([
    ['shared by the reading and the writing thread', 0],
    ['on a cipher thread', 1],
  ])(
    'read and matched on a thread of its own, encrypted %s: every hash lands the same, decryptable only for its own user',
    async (_how, cipherThreads) => {
      const empty = join(t.dir, 'passwords-empty.ndjson');
      writeFileSync(empty, '', { mode: 0o600 });
      const cleared = await mergeDirect(ws, 'passwords', empty);
      expect(cleared.summary.removed).toBeGreaterThan(0);
      expect(ws.db.prepare('SELECT count(*) FROM password_hashes').pluck().get()).toBe(0);

      const { summary } = await mergeDirect(ws, 'passwords', t.files.passwordsPlain, {
        env: { threads: true, cipherThreads },
      });
      expect(summary.added).toBe(summary.counts.matched + summary.counts.blocked);
      expectEveryHashMatched();
      // The AAD binds each blob to its row: another user's id does not open it.
      const [a, b] = ws.db.prepare('SELECT user_id, hash_enc FROM password_hashes LIMIT 2').raw().all() as [
        string,
        Buffer,
      ][];
      expect(() =>
        ws.cipher!.decrypt({ table: 'password_hashes', column: 'hash_enc', id: b![0] }, a![1]),
      ).toThrow(/could not be decrypted/);
      // Nothing of an earlier run is left behind.
      expect(ws.db.prepare('SELECT count(DISTINCT run) FROM password_hash_rows').pluck().get()).toBe(1);

      // The same file again on threads: every value is found unchanged and kept as it was.
      const before = ws.db
        .prepare('SELECT user_id, hash_enc FROM password_hashes ORDER BY user_id')
        .raw()
        .all();
      const again = await mergeDirect(ws, 'passwords', t.files.passwordsPlain, {
        env: { threads: true, cipherThreads },
      });
      expect(again.summary).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: summary.added });
      expect(
        ws.db.prepare('SELECT user_id, hash_enc FROM password_hashes ORDER BY user_id').raw().all(),
      ).toEqual(before);
    },
  );
});

describe('a merge paused and resumed', () => {
  it.each([
    ['on the merge thread', false],
    ['on a reading thread', true],
  ])(
    '%s: a user merged before the pause is a duplicate when a later line names them again',
    async (_how, threads) => {
      const database = new Set(
        t.tenant.users.filter((u) => u.user_id.startsWith('auth0|')).map((u) => u.user_id),
      );
      const original = t.tenant.passwords.find((l) => database.has(lineOwner(l)))!;
      const owner = lineOwner(original);
      // The tenant's lines, lines of unknown users (so that the pause falls between batches before the end), then
      // the first database user's line again with another hash.
      const tenantLines = readFileSync(t.files.passwordsPlain, 'utf8').trimEnd().split('\n');
      // One database user's only line left out, so that one user has no hash.
      const ownerOf = (line: string) => lineOwner(JSON.parse(line) as (typeof t.tenant.passwords)[number]);
      const lineCount = new Map<string, number>();
      for (const line of tenantLines) lineCount.set(ownerOf(line), (lineCount.get(ownerOf(line)) ?? 0) + 1);
      const left = tenantLines.findIndex((line) => {
        const who = ownerOf(line);
        return who !== owner && database.has(who) && lineCount.get(who) === 1;
      });
      expect(left).toBeGreaterThanOrEqual(0);
      const text = tenantLines.filter((_, i) => i !== left);
      for (let i = 0; i < 1500; i++)
        text.push(
          JSON.stringify({
            _id: { $oid: `ffff${i.toString(16).padStart(20, '0')}` },
            email: `nobody-${i}@example.invalid`,
            passwordHash: original.passwordHash,
            connection: original.connection,
          }),
        );
      text.push(JSON.stringify({ ...original, passwordHash: bcrypt.hashSync('another password', 4) }));
      const file = join(t.dir, `passwords-repeat-${threads}.ndjson`);
      writeFileSync(file, text.join('\n') + '\n', { mode: 0o600 });

      const { stopped, saved } = await mergeUntilPaused(file, threads);
      expect(stopped).toMatchObject({ name: 'JobStopped' });
      expect(saved!.linesApplied).toBeGreaterThan(0);
      expect(saved!.linesApplied).toBeLessThan(text.length);

      const { summary } = await mergeDirect(ws, 'passwords', file, { checkpoint: saved, env: { threads } });
      expect(summary.runId).toBe(saved!.runId); // resumed, not started over
      expect(summary.counts.lines).toBe(text.length);
      expect(summary.counts.duplicates).toBe(t.manifest.duplicatePasswordLines + 1);
      expect(storedHash(owner)).toBe(original.passwordHash); // the first line wins
      // A resumed run counts the users without a hash from its rows: the same as asking for them one by one.
      const withoutHash = ws.db
        .prepare(`SELECT count(*) FROM auth0_users u WHERE ${listWhere.withoutHash}`)
        .pluck()
        .get() as number;
      expect(withoutHash).toBe(1);
      expect(summary.withoutValue).toBe(withoutHash);
    },
  );
});

describe('a merge beside an export', () => {
  it('a run whose users an export refreshed meanwhile merges nothing', async () => {
    await mergeDirect(ws, 'passwords', t.files.passwordsPlain);
    const before = mergeTables(ws);
    let refreshed = false;
    const refused = await mergeDirect(ws, 'passwords', t.files.passwordsPlain, {
      env: {
        threads: false,
        saveCheckpoint: (cp) => {
          // Once the run has written a batch, an export commits a users refresh that changed a user (job.ts).
          if (!refreshed && cp.linesApplied > 0) {
            refreshed = true;
            ws.db.prepare("UPDATE auth0_users SET name = 'Renamed' WHERE rowid = 1").run();
            bumpEntityVersion(ws.db, 'users');
          }
        },
      },
    }).catch((e: unknown) => e);
    expect(refreshed).toBe(true);
    expect(refused).toMatchObject({ code: 'job_conflict' });
    expect((refused as Error).message).toMatch(/refreshed the exported users.*Nothing was merged/);
    const after = mergeTables(ws);
    for (const table of Object.keys(before).filter((n) => n !== 'auth0_users'))
      expect(after[table], table).toEqual(before[table]);
  });

  it('a paused run resumed after an export refreshed the users starts over', async () => {
    // Long enough to pause mid-file: the tenant's lines, then lines of users nobody exported.
    const text = readFileSync(t.files.passwordsPlain, 'utf8').trimEnd().split('\n');
    for (let i = 0; i < 1500; i++)
      text.push(
        JSON.stringify({ _id: { $oid: `eeee${i.toString(16).padStart(20, '0')}` }, passwordHash: 'x' }),
      );
    const file = join(t.dir, 'passwords-refreshed.ndjson');
    writeFileSync(file, text.join('\n') + '\n', { mode: 0o600 });
    const { stopped: paused, saved } = await mergeUntilPaused(file, false);
    expect(paused).toMatchObject({ name: 'JobStopped' });
    expect(saved!.linesApplied).toBeGreaterThan(0);
    bumpEntityVersion(ws.db, 'users'); // an export refreshed the users meanwhile

    const { summary } = await mergeDirect(ws, 'passwords', file, {
      checkpoint: saved,
      env: { threads: false },
    });
    expect(summary.runId).not.toBe(saved!.runId); // matched again from the first line
    expect(summary.counts.lines).toBe(text.length);
    expectEveryHashMatched();
  });
});

describe('MFA-secret merge', () => {
  it('stores every TOTP secret encrypted for its user and lists SMS/push users for re-enrolment', async () => {
    const { summary } = await mergeDirect(ws, 'mfa', t.files.mfaSecretsPgp, { pgp: t.pgp });
    const totp = t.tenant.mfa.filter((e) => e.type === 'totp' && e.confirmed && e.totp_secret);
    expect(totp.length).toBeGreaterThan(0);
    expect(summary.counts.matched + summary.counts.blocked).toBe(totp.length);
    for (const e of totp) {
      const blob = ws.db
        .prepare('SELECT secret_enc FROM mfa_totp_secrets WHERE user_id = ?')
        .pluck()
        .get(e.user_id) as Buffer;
      const plain = ws
        .cipher!.decrypt({ table: 'mfa_totp_secrets', column: 'secret_enc', id: e.user_id }, blob)
        .toString();
      expect(plain).toBe(e.totp_secret!.replace(/=+$/, '').toUpperCase());
    }
    const withTotp = new Set(totp.map((e) => e.user_id));
    const mfaUsers = new Set(
      t.tenant.users.filter((u) => (u.multifactor ?? []).length > 0).map((u) => u.user_id),
    );
    const expectReenrol = [...mfaUsers].filter((u) => !withTotp.has(u));
    expect(expectReenrol.length).toBeGreaterThan(0);
    expect(summary.withoutValue).toBe(expectReenrol.length);
  });
});
