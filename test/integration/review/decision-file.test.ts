import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOperation, createDispatcher, type Dispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { previewDecisionFile } from '../../../src/main/review/decision-file';
import { decisionsDigest, setPolicy } from '../../../src/main/review/decisions';
import { openOverlay } from '../../../src/main/review/overlay';
import { outcomeCounts } from '../../../src/main/review/queries';
import { refreshReview } from '../../../src/main/review/review';
import { REVIEWER_KEY_ACCOUNT } from '../../../src/main/review/signing-key';
import { accounts, osKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices, type AppServices } from '../../../src/main/services';
import { openWorkspaceWithKey, type Workspace } from '../../../src/main/workspace';
import { clearKeychainService, testKeychainService } from '../../harness/keychain';
import { exportedTenant, mergeDirect, type Exported } from '../passwords/setup';

// The round trip of issue 6: the admin saves a redacted package, a reviewer on another machine (another profile
// and keychain) opens it, decides and signs off in the read-only copy, exports a signed decision file, and the
// admin applies it to the original workspace. Tampered, foreign and stale files are refused with their reason.

const ADMIN_KEYCHAIN = testKeychainService('review-admin');
const reviewerService = testKeychainService('review-reviewer');
const forgerService = testKeychainService('review-forger');

let ex: Exported;
let admin: AppServices;
let reviewer: AppServices;
let adminApi: Dispatcher;
let reviewerApi: Dispatcher;
let pkg: string;
let text: string;
let fingerprint: string;
let reviewerDigest: string;

function profile(name: string, service: string): AppServices {
  return createAppServices({ userDataDir: join(ex.dir, name), keychain: osKeychain(service), host: 'cli' });
}

beforeAll(async () => {
  ex = await exportedTenant({ users: 300, orgs: 8, seed: 'decision-file' });
  const ws = ex.open();
  await mergeDirect(ws, 'passwords', ex.files.passwordsPlain);
  refreshReview(ws);
  const id = ws.id;
  ws.close();
  // The admin's machine holds the workspace's data key in its keychain.
  await osKeychain(ADMIN_KEYCHAIN).set(accounts.workspaceKey(id), ex.tw.dataKey.toString('base64'));
  admin = profile('admin-profile', ADMIN_KEYCHAIN);
  adminApi = createDispatcher(createHandlers(admin));
  await admin.openWorkspace(ex.tw.file);
  // A decision taken before the package leaves: the reviewer's decisions start from it.
  await callOperation(adminApi, 'review.decide', {
    reviewer: 'Ada Admin',
    decision: { kind: 'policy', code: 'blocked_users', value: 'import_without_password' },
  });
  pkg = join(ex.dir, 'for-review.a2wpkg');
  await callOperation(adminApi, 'package.save', { out: pkg, mode: 'redacted' });
  reviewer = profile('reviewer-profile', reviewerService);
  reviewerApi = createDispatcher(createHandlers(reviewer));
  const folder = join(ex.dir, 'reviewer-ws');
  mkdirSync(folder);
  await callOperation(reviewerApi, 'package.open', { file: pkg, folder });
});

afterAll(async () => {
  await admin?.close();
  await reviewer?.close();
  await clearKeychainService(ADMIN_KEYCHAIN);
  await clearKeychainService(reviewerService);
  await clearKeychainService(forgerService);
  ex?.cleanup();
});

describe('signed decision file', () => {
  it('records decisions in the read-only review copy without touching its data', async () => {
    const copy = reviewer.requireWorkspace();
    expect(copy.readOnly).toBe(true);
    const before = await callOperation(reviewerApi, 'review.summary', {});
    expect(before.access).toEqual({
      canDecide: true,
      reviewCopy: { workspaceName: 'passwords', savedAt: expect.any(String) as string },
    });
    const blocked = await callOperation(reviewerApi, 'review.users', { filter: 'blocked_users', limit: 5 });
    const unverified = await callOperation(reviewerApi, 'review.users', {
      filter: 'unverified_emails',
      limit: 3,
    });
    const dup = await callOperation(reviewerApi, 'review.users', { filter: 'duplicate_emails', limit: 2 });
    expect(blocked.rows.length).toBeGreaterThan(0);
    expect(dup.rows.length).toBeGreaterThan(0);
    const excluded = unverified.rows.filter((r) => r.outcome === 'create').map((r) => r.userId);
    expect(excluded.length).toBeGreaterThan(0);
    await callOperation(reviewerApi, 'review.decide', {
      reviewer: 'Rita Reviewer',
      decision: { kind: 'users', userIds: excluded, include: false, note: 'not ours' },
    });
    await callOperation(reviewerApi, 'review.decide', {
      reviewer: 'Rita Reviewer',
      decision: { kind: 'survivor', userId: dup.rows[0]!.userId },
    });
    const after = await callOperation(reviewerApi, 'review.decide', {
      reviewer: 'Rita Reviewer',
      decision: { kind: 'policy', code: 'users_without_organization', value: 'exclude' },
    });
    // The reviewer's decisions show in the copy's review at once, and the counts kept up by each decision (by
    // the users it concerns, or a full pass for a policy) equal a full recount.
    expect(after.outcomes!.create).toBeLessThan(before.outcomes!.create);
    expect(after.outcomes).toEqual(outcomeCounts(copy));
    // A policy's pass runs on a thread; decisions made meanwhile wait for it, and the counts end up those of the
    // last decision (here, undoing both policy changes around a user decision).
    const [, , last] = await Promise.all([
      callOperation(reviewerApi, 'review.decide', {
        reviewer: 'Rita Reviewer',
        decision: { kind: 'policy', code: 'users_without_organization', value: 'import' },
      }),
      callOperation(reviewerApi, 'review.decide', {
        reviewer: 'Rita Reviewer',
        decision: { kind: 'users', userIds: excluded, include: true, note: 'ours after all' },
      }),
      callOperation(reviewerApi, 'review.decide', {
        reviewer: 'Rita Reviewer',
        decision: { kind: 'users', userIds: excluded, include: false, note: 'not ours' },
      }),
    ]);
    expect(last.outcomes).toEqual(outcomeCounts(copy));
    expect((await callOperation(reviewerApi, 'review.summary', {})).outcomes).toEqual(outcomeCounts(copy));
    await callOperation(reviewerApi, 'review.decide', {
      reviewer: 'Rita Reviewer',
      decision: { kind: 'policy', code: 'users_without_organization', value: 'exclude' },
    });
    const page = await callOperation(reviewerApi, 'review.users', { search: excluded[0]!, limit: 1 });
    expect(page.rows[0]).toMatchObject({ outcome: 'skip' });
    // Data-side findings stay as the package brought them (the copy has no hashes to recompute them from).
    expect(after.findings.find((f) => f.code === 'users_without_hash')!.count).toBe(
      before.findings.find((f) => f.code === 'users_without_hash')!.count,
    );
    // The overlay cannot change data, even by mistake.
    const o = openOverlay(copy);
    try {
      expect(() => o.db.prepare('DELETE FROM auth0_users').run()).toThrow(/data is read-only/);
      expect(() => o.db.prepare("UPDATE meta SET value = 'x' WHERE key = 'id'").run()).toThrow(/read-only/);
      expect(() => o.db.prepare('DELETE FROM audit_log').run()).toThrow(/only grows/);
    } finally {
      o.close();
    }
    expect(copy.db.prepare('SELECT count(*) FROM auth0_users').pluck().get()).toBe(ex.manifest.users);
    const signed = await callOperation(reviewerApi, 'review.signOff', {
      reviewer: 'Rita Reviewer',
      note: 'ok',
    });
    expect(signed.signed).toBe(true);
    expect(reviewer.requireWorkspace().summary().audit.ok).toBe(true);
    reviewerDigest = decisionsDigest(copy);
  });

  it('exports a small signed file under the reviewer key kept in the keychain', async () => {
    const key = await callOperation(reviewerApi, 'review.reviewerKey', {});
    const file = await callOperation(reviewerApi, 'review.exportDecisions', { signer: 'Rita Reviewer' });
    expect(file.fingerprint).toBe(key.fingerprint);
    expect(file.signedOff).toBe(true);
    expect(file.fileName).toMatch(/\.a2w-decisions\.json$/);
    expect(file.text.length).toBeLessThan(20_000);
    expect(await osKeychain(reviewerService).get(REVIEWER_KEY_ACCOUNT)).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    // No private key material in the file: only the raw public key.
    const parsed = JSON.parse(file.text) as { signer: { publicKey: string }; signature: string };
    expect(Buffer.from(parsed.signer.publicKey, 'base64url')).toHaveLength(32);
    expect(file.text).not.toContain((await osKeychain(reviewerService).get(REVIEWER_KEY_ACCOUNT))!);
    text = file.text;
    fingerprint = file.fingerprint;
    writeFileSync(join(ex.dir, file.fileName), text);
  });

  it('refuses a tampered file, a re-signed one under the confirmed fingerprint, and a foreign one', async () => {
    const body = JSON.parse(text) as { decisions: { users: { include: boolean }[] } };
    body.decisions.users[0]!.include = true;
    await expect(
      callOperation(adminApi, 'review.previewDecisions', { text: JSON.stringify(body) }),
    ).rejects.toThrow(/signature does not verify/);
    await expect(
      callOperation(adminApi, 'review.previewDecisions', {
        text: text.replace('"Rita Reviewer"', '"Mallory"'),
      }),
    ).rejects.toThrow(/signature does not verify/);
    await expect(callOperation(adminApi, 'review.previewDecisions', { text: 'not json' })).rejects.toThrow(
      /not JSON/,
    );

    // Someone re-signs an edited file with their own key: the signature verifies, the fingerprint does not match.
    const forger = profile('forger-profile', forgerService);
    const forgerApi = createDispatcher(createHandlers(forger));
    const folder = join(ex.dir, 'forger-ws');
    mkdirSync(folder);
    await callOperation(forgerApi, 'package.open', { file: pkg, folder });
    await callOperation(forgerApi, 'review.decide', {
      reviewer: 'Rita Reviewer',
      decision: { kind: 'policy', code: 'blocked_users', value: 'import' },
    });
    const forged = await callOperation(forgerApi, 'review.exportDecisions', { signer: 'Rita Reviewer' });
    await forger.close();
    expect(forged.fingerprint).not.toBe(fingerprint);
    const preview = await callOperation(adminApi, 'review.previewDecisions', { text: forged.text });
    expect(preview.fingerprint).toBe(forged.fingerprint);
    await expect(
      callOperation(adminApi, 'review.applyDecisions', { text: forged.text, fingerprint }),
    ).rejects.toThrow(/not with the key you confirmed/);

    // Another workspace (same app, other identity).
    const other = profile('other-profile', ADMIN_KEYCHAIN);
    const otherApi = createDispatcher(createHandlers(other));
    const ofolder = join(ex.dir, 'other-ws');
    mkdirSync(ofolder);
    await other.createWorkspace(ofolder, 'someone else');
    await expect(callOperation(otherApi, 'review.previewDecisions', { text })).rejects.toThrow(
      /made for another workspace \("passwords"\)/,
    );
    await other.close();
  });

  it('refuses a stale file: decisions changed here, or the data changed since the package was saved', async () => {
    // A copy of the original (same identity and key): what the admin's workspace would be after more work.
    const src = admin.requireWorkspace();
    const copyFile = join(ex.dir, 'later.a2w.sqlite');
    src.db.prepare('VACUUM INTO ?').run(copyFile);
    const later: Workspace = openWorkspaceWithKey(copyFile, ex.tw.dataKey);
    try {
      setPolicy(later, 'Ada Admin', 'domain_state', 'verified');
      expect(() => previewDecisionFile(later, text)).toThrow(/decisions in this workspace changed/);
      await mergeDirect(later, 'mfa', ex.files.mfaSecrets);
      expect(() => previewDecisionFile(later, text)).toThrow(/data of this workspace changed/);
    } finally {
      later.close();
    }
  });

  it('previews and applies the file to the original workspace, audit-logged under name and fingerprint', async () => {
    const preview = await callOperation(adminApi, 'review.previewDecisions', { text });
    expect(preview.fingerprint).toBe(fingerprint);
    expect(preview.signer).toBe('Rita Reviewer');
    expect(preview.signOff).toMatchObject({ reviewer: 'Rita Reviewer', note: 'ok' });
    const kinds = preview.changes.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'user').length).toBeGreaterThan(0);
    expect(kinds).toContain('survivor');
    expect(preview.changes).toContainEqual({
      kind: 'policy',
      target: 'users_without_organization',
      from: 'default',
      to: 'exclude',
    });
    // The admin's own earlier decision is not a change: the reviewer started from it.
    expect(preview.changes.find((c) => c.target === 'blocked_users')).toBeUndefined();

    await expect(
      callOperation(adminApi, 'review.applyDecisions', { text, fingerprint: '0000-1111-2222-3333' }),
    ).rejects.toThrow(/not with the key you confirmed/);
    const applied = await callOperation(adminApi, 'review.applyDecisions', {
      text,
      fingerprint: fingerprint.toUpperCase().replace(/-/g, ' '),
    });
    expect(applied.signedOff).toBe(true);
    // The file changes a policy: the outcome pass runs as the review.refresh job (a worker thread).
    expect(applied.summary.refreshing).toMatchObject({ kind: 'review.refresh' });
    expect((await admin.jobs().wait(applied.summary.refreshing!.id)).state).toBe('completed');
    const ws = admin.requireWorkspace();
    expect(decisionsDigest(ws)).toBe(reviewerDigest);
    const summary = await callOperation(adminApi, 'review.summary', {});
    expect(summary.signOff).toMatchObject({ signed: true, intact: true });
    expect(summary.signOff.reviewer).toBe(`Rita Reviewer [key ${fingerprint}]`);
    const reviewerOutcomes = (await callOperation(reviewerApi, 'review.summary', {})).outcomes;
    expect(summary.outcomes).toEqual(reviewerOutcomes);
    expect(summary.outcomes).toEqual(outcomeCounts(ws));
    const audit = ws.db
      .prepare("SELECT actor, details_json FROM audit_log WHERE action = 'review.decisions.applied'")
      .all() as { actor: string; details_json: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe(`Rita Reviewer [key ${fingerprint}]`);
    expect(JSON.parse(audit[0]!.details_json)).toMatchObject({ keyFingerprint: fingerprint, signOff: true });
    const decided = ws.db
      .prepare("SELECT count(*) FROM audit_log WHERE action LIKE 'review.decide.%' AND actor = ?")
      .pluck()
      .get(`Rita Reviewer [key ${fingerprint}]`) as number;
    expect(decided).toBe(preview.changes.length);
    expect(ws.summary().audit.ok).toBe(true);

    await expect(callOperation(adminApi, 'review.applyDecisions', { text, fingerprint })).rejects.toThrow(
      /already applied/,
    );
  });
});
