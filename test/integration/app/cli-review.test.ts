import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { clearKeychainService, testKeychainService } from '../../harness/keychain';
import { exportedTenant, type Exported } from '../review/setup';

// The built CLI's review, decide and package commands, spawned like an admin would run them, in two profiles
// (admin and reviewer, each with its own user-data folder and keychain service): review, scripted decisions,
// packages both ways, the signed decision file round trip, and the WorkOS CLI directory. Refusals of bad input
// exit with 2 (invalid_input), other failures with 1.

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin/auth0-to-workos.mjs');
const adminService = testKeychainService('cli-review-admin');
const reviewerService = testKeychainService('cli-review-reviewer');
let ex: Exported;
let file: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

function cli(who: 'admin' | 'reviewer', args: string[], extraEnv: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      A2W_USER_DATA_DIR: path.join(ex.dir, `${who}-profile`),
      A2W_KEYCHAIN_SERVICE: who === 'admin' ? adminService : reviewerService,
      ...extraEnv,
    },
    encoding: 'utf8',
    input: '',
    timeout: 120_000,
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  if (!existsSync(path.join(root, 'out/main/cli.js')))
    throw new Error('out/main/cli.js is missing: run `npm run build` first.');
  ex = await exportedTenant({ users: 200, orgs: 5, seed: 'cli-review' });
  file = ex.tw.file;
  const ws = ex.open();
  const id = ws.id;
  ws.close();
  await osKeychain(adminService).set(accounts.workspaceKey(id), ex.tw.dataKey.toString('base64'));
});

afterAll(async () => {
  await clearKeychainService(adminService);
  await clearKeychainService(reviewerService);
  ex?.cleanup();
});

describe('CLI: review, decide, package', () => {
  let blockedUser: string;
  let redacted: string;
  let reviewCopy: string;
  let decisionFile: string;
  let fingerprint: string;

  it('review computes the findings (in the job worker) and prints them as JSON', () => {
    const r = cli('admin', ['review', '--workspace', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { ok: boolean; byCode: Record<string, number>; computedAt: string | null };
    expect(out.ok).toBe(true);
    expect(out.computedAt).not.toBeNull();
    expect(out.byCode.blocked_users).toBe(ex.manifest.blocked);
    expect(out.byCode.custom_logic).toBeGreaterThan(0);
    const human = cli('admin', ['review', '--workspace', file, '--no-refresh']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/blocked_users\s+\d+/);
    expect(human.stdout).toContain('not signed');
    const ws = ex.open(true);
    blockedUser = ws.db
      .prepare('SELECT user_id FROM auth0_users WHERE blocked = 1 LIMIT 1')
      .pluck()
      .get() as string;
    ws.close();
  });

  it('decide records scripted decisions and refuses bad ones with a reason', () => {
    const a = cli('admin', [
      'decide',
      'include',
      '--workspace',
      file,
      '--by',
      'Ada Admin',
      '--user',
      blockedUser,
      '--json',
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json()).toMatchObject({ ok: true, users: 1, decision: 'include' });
    const b = cli('admin', [
      'decide',
      'policy',
      'unverified_emails',
      'exclude',
      '--workspace',
      file,
      '--by',
      'Ada Admin',
    ]);
    expect(b.code, b.stderr).toBe(0);
    const bad = cli('admin', [
      'decide',
      'policy',
      'blocked_users',
      'maybe',
      '--workspace',
      file,
      '--by',
      'Ada Admin',
    ]);
    expect(bad.code).toBe(2); // invalid_input
    expect(bad.stderr).toContain('"maybe" is not a value of policy blocked_users');
    const unknown = cli('admin', [
      'decide',
      'exclude',
      '--workspace',
      file,
      '--by',
      'Ada',
      '--user',
      'auth0|nobody',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not in the workspace');
    const ws = ex.open(true);
    expect(ws.db.prepare('SELECT include, decided_by FROM review_user_decisions').all()).toEqual([
      { include: 1, decided_by: 'Ada Admin' },
    ]);
    ws.close();
  });

  it('package save writes a redacted and an encrypted package; package open reads them in another profile', () => {
    redacted = path.join(ex.dir, 'for-review.a2wpkg');
    const r = cli('admin', [
      'package',
      'save',
      '--workspace',
      file,
      '--out',
      redacted,
      '--redacted',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      package: { kind: 'redacted', counts: { users: ex.manifest.users } },
    });
    expect(statSync(redacted).mode & 0o777).toBe(0o600);
    const both = cli('admin', ['package', 'save', '--workspace', file, '--out', redacted, '--redacted']);
    expect(both.code).toBe(2); // invalid_input
    expect(both.stderr).toContain('already exists');

    const enc = path.join(ex.dir, 'full.a2wpkg');
    const pass = { PKG_PASS: 'correct horse battery staple' };
    const e = cli(
      'admin',
      ['package', 'save', '--workspace', file, '--out', enc, '--passphrase-env', 'PKG_PASS'],
      pass,
    );
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout + e.stderr).not.toContain(pass.PKG_PASS);
    const machineB = path.join(ex.dir, 'machine-b');
    mkdirSync(machineB);
    const wrong = cli(
      'reviewer',
      ['package', 'open', enc, '--workspace', machineB, '--passphrase-env', 'PKG_PASS'],
      {
        PKG_PASS: 'not the passphrase',
      },
    );
    expect(wrong.code).toBe(2); // invalid_input
    expect(wrong.stderr).toContain('passphrase is wrong');

    const copyDir = path.join(ex.dir, 'reviewer-ws');
    mkdirSync(copyDir);
    const o = cli('reviewer', ['package', 'open', redacted, '--workspace', copyDir, '--json']);
    expect(o.code, o.stderr).toBe(0);
    const opened = o.json() as { workspacePath: string; package: { kind: string } };
    expect(opened.package.kind).toBe('redacted');
    reviewCopy = opened.workspacePath;
    const rv = cli('reviewer', ['review', '--workspace', reviewCopy, '--json']);
    expect(rv.code, rv.stderr).toBe(0);
    expect((rv.json() as { byCode: Record<string, number> }).byCode.blocked_users).toBe(ex.manifest.blocked);
  });

  it('round trip: decide and sign off in the review copy, export-file, apply-file to the original', () => {
    const ex1 = cli('reviewer', [
      'decide',
      'exclude',
      '--workspace',
      reviewCopy,
      '--by',
      'Rita Reviewer',
      '--user',
      blockedUser,
    ]);
    expect(ex1.code, ex1.stderr).toBe(0);
    const so = cli('reviewer', [
      'decide',
      'sign-off',
      '--workspace',
      reviewCopy,
      '--by',
      'Rita Reviewer',
      '--note',
      'fine',
    ]);
    expect(so.code, so.stderr).toBe(0);
    expect(so.stdout).toContain('Signed off by Rita Reviewer');
    decisionFile = path.join(ex.dir, 'rita.a2w-decisions.json');
    const x = cli('reviewer', [
      'decide',
      'export-file',
      '--workspace',
      reviewCopy,
      '--by',
      'Rita Reviewer',
      '--out',
      decisionFile,
      '--json',
    ]);
    expect(x.code, x.stderr).toBe(0);
    const exported = x.json() as { fingerprint: string; signedOff: boolean; decisions: number };
    expect(exported).toMatchObject({ signedOff: true, decisions: 2 });
    fingerprint = exported.fingerprint;
    expect(fingerprint).toMatch(/^([0-9a-f]{4}-){7}[0-9a-f]{4}$/);
    expect(statSync(decisionFile).mode & 0o777).toBe(0o600);

    const dry = cli('admin', ['decide', 'apply-file', decisionFile, '--workspace', file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`with key ${fingerprint}`);
    expect(dry.stdout).toMatch(/user\s+auth0\|\S+: include -> exclude/);
    const unconfirmed = cli('admin', ['decide', 'apply-file', decisionFile, '--workspace', file]);
    expect(unconfirmed.code).toBe(2); // invalid_input
    expect(unconfirmed.stderr).toContain(`signed with key ${fingerprint}`);

    const tampered = path.join(ex.dir, 'tampered.json');
    writeFileSync(
      tampered,
      readFileSync(decisionFile, 'utf8').replace('"include": false', '"include": true'),
    );
    const t = cli('admin', [
      'decide',
      'apply-file',
      tampered,
      '--workspace',
      file,
      '--fingerprint',
      fingerprint,
    ]);
    expect(t.code).toBe(2); // invalid_input
    expect(t.stderr).toContain('signature does not verify');

    const ok = cli('admin', [
      'decide',
      'apply-file',
      decisionFile,
      '--workspace',
      file,
      '--fingerprint',
      fingerprint,
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ ok: true, signedOff: true, signOff: { signed: true, intact: true } });
    const after = cli('admin', ['review', '--workspace', file, '--no-refresh', '--json']);
    expect((after.json() as { signOff: { reviewer: string } }).signOff.reviewer).toBe(
      `Rita Reviewer [key ${fingerprint}]`,
    );
    const again = cli('admin', [
      'decide',
      'apply-file',
      decisionFile,
      '--workspace',
      file,
      '--fingerprint',
      fingerprint,
    ]);
    expect(again.code).toBe(2); // invalid_input
    expect(again.stderr).toContain('already applied');
    // Locked by the applied sign-off.
    const locked = cli('admin', [
      'decide',
      'clear',
      '--workspace',
      file,
      '--by',
      'Ada Admin',
      '--user',
      blockedUser,
    ]);
    expect(locked.code).toBe(2); // invalid_input
    expect(locked.stderr).toContain('locked');
  });

  it('package export-workos-cli writes the directory and import-workos-cli reads it into a new workspace', () => {
    const dir = path.join(ex.dir, 'workos-cli');
    const w = cli('admin', ['package', 'export-workos-cli', '--workspace', file, '--out', dir, '--json']);
    expect(w.code, w.stderr).toBe(0);
    expect(readdirSync(dir)).toContain('manifest.json');
    const created = cli('admin', [
      'workspace',
      'create',
      '--name',
      'From CLI dir',
      '--folder',
      path.join(ex.dir, 'imported'),
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const target = (created.json() as { workspace: { path: string } }).workspace.path;
    const i = cli('admin', ['package', 'import-workos-cli', dir, '--workspace', target, '--json']);
    expect(i.code, i.stderr).toBe(0);
    expect((i.json() as { counts: Record<string, number> }).counts.organizations).toBe(
      (w.json() as { counts: Record<string, number> }).counts.organizations,
    );
  });
});
