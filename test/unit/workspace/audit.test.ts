import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryKeychain } from '../../../src/main/secrets/keychain';
import { AppError } from '../../../src/shared/errors';
import { createWorkspace, GENESIS_HASH, openWorkspace, type Workspace } from '../../../src/main/workspace';

let dir: string;
let file: string;
let ws: Workspace;
const keychain = memoryKeychain();

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'a2w-audit-'));
  file = path.join(dir, 'a.a2w.sqlite');
  ws = await createWorkspace(file, { keychain, name: 'audit' });
});
afterEach(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

function appendSome(n: number) {
  for (let i = 0; i < n; i++)
    ws.audit.append({ actor: 'admin', action: 'export.page', details: { page: i, users: 50 } });
}

/** Edits the file the way an attacker with file access would: drop the guard trigger, then change a row. */
function tamper(sql: string) {
  ws.close();
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

describe('audit log', () => {
  it('chains entries and verifies', () => {
    expect(ws.audit.verify()).toMatchObject({ ok: true, entries: 1 });
    const first = ws.db.prepare('SELECT * FROM audit_log WHERE seq = 1').get() as {
      prev_hash: string;
      hash: string;
    };
    expect(first.prev_hash).toBe(GENESIS_HASH);
    const r = ws.audit.append({ actor: 'admin', action: 'credentials.set', details: { provider: 'auth0' } });
    expect(r.seq).toBe(2);
    expect(r.hash).toBe(ws.audit.head());
    const second = ws.db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as {
      prev_hash: string;
      at: string;
    };
    expect(second.prev_hash).toBe(first.hash);
    expect(new Date(second.at).toISOString()).toBe(second.at);
    expect(ws.audit.verify()).toEqual({ ok: true, entries: 2, head: r.hash });
  });

  it('stores details canonically, so key order does not matter', () => {
    ws.audit.append({ actor: 'a', action: 'x', details: { b: 1, a: { d: 2, c: 3 } } });
    const row = ws.db.prepare('SELECT details_json FROM audit_log WHERE seq = 2').get() as {
      details_json: string;
    };
    expect(row.details_json).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('refuses UPDATE and DELETE through SQLite triggers', () => {
    expect(() => ws.db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    expect(() => ws.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('reports an edited entry by number, on verify and when the workspace is opened', async () => {
    appendSome(4);
    tamper('UPDATE audit_log SET details_json = \'{"page":1,"users":5000}\' WHERE seq = 3');
    ws = await openWorkspace(file, { keychain });
    const v = ws.audit.verify();
    expect(v.ok).toBe(false);
    expect(v.entries).toBe(5);
    expect(v.problem).toMatch(/entry #3 does not match its hash/);
    const s = ws.summary();
    expect(s.audit.ok).toBe(false);
    expect(s.audit.problem).toMatch(/#3/);
    expect(s.warnings.join(' ')).toMatch(/audit log failed verification.*#3/);
  });

  it('reports a re-hashed edit as a broken link at the next entry', async () => {
    appendSome(3);
    // The attacker recomputes nothing sensible: a forged hash breaks the link from entry 3.
    tamper(`UPDATE audit_log SET hash = '${'f'.repeat(64)}', actor = 'other' WHERE seq = 2`);
    ws = await openWorkspace(file, { keychain });
    expect(ws.audit.verify().problem).toMatch(/#2/);
  });

  it('reports a deleted entry in the middle', async () => {
    appendSome(4);
    tamper('DELETE FROM audit_log WHERE seq = 2');
    ws = await openWorkspace(file, { keychain });
    const v = ws.audit.verify();
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(/#2 is missing/);
  });

  it('refuses details that name secrets or hold email addresses', () => {
    for (const details of [
      { clientSecret: 'abc' },
      { password: 'x' },
      { passwordHash: '$2b$...' },
      { apiKey: 'sk_test' },
      { nested: { accessToken: 'x' } },
      { user: 'jane.doe@example.com' },
      { list: ['ok', 'a@b.io'] },
    ]) {
      let err: unknown;
      try {
        ws.audit.append({ actor: 'a', action: 'x', details });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(Object.keys(details))).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('invalid_input');
      expect((err as AppError).message).not.toMatch(/example\.com|a@b\.io|sk_test/);
    }
    // counts and flags under such names are fine
    ws.audit.append({
      actor: 'a',
      action: 'merge.done',
      details: { hashesMerged: 12, passwordResetRequired: true },
    });
    expect(ws.audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('requires actor and action', () => {
    expect(() => ws.audit.append({ actor: '', action: 'x' })).toThrow(AppError);
    expect(() => ws.audit.append({ actor: 'a', action: ' ' })).toThrow(AppError);
  });
});
