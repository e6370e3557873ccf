import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOperation } from '../../../src/main/api/dispatch';
import { reportMarkdown } from '../../../src/main/report/markdown';
import { reopen, signOff } from '../../../src/main/review/decisions';
import { storedReview } from '../../../src/main/review/review';
import { EMAIL, knownSecrets, migratedWorkspace, type Migrated } from '../sso/setup';

// The migration report of a migrated rehearsal tenant: its numbers are the workspace's (exported, merged, planned,
// imported, verified), the audit head hash is the chain's, it carries no email address, hash or secret in either
// format, and saving it (through the save dialog) completes the Report step until the next verification.

let m: Migrated;

beforeAll(async () => {
  m = await migratedWorkspace({ users: 120, orgs: 4, seed: 'report' });
}, 120_000);
afterAll(async () => {
  await m?.close();
});

const n = (sql: string) => m.services.requireWorkspace().db.prepare(sql).pluck().get() as number;

function scan(text: string) {
  expect(text).not.toMatch(EMAIL);
  for (const u of m.t.tenant.users) if (u.email) expect(text).not.toContain(u.email);
  for (const secret of knownSecrets(m)) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/\$2[aby]\$\d\d\$/);
}

describe('migration report', () => {
  it('equals the workspace at every stage', async () => {
    const r = await callOperation(m.dispatch, 'report.get', {});
    const ws = m.services.requireWorkspace();
    expect(r.workspace).toMatchObject({ id: ws.id, name: ws.name });
    expect(r.tool.version).toBe('9.9.9-test');
    expect(r.tenant.auth0Domain).toBe(
      ws.db.prepare('SELECT tenant_domain FROM auth0_export_runs LIMIT 1').pluck().get(),
    );
    expect(r.tenant.workosEnvironment).toBe('test');
    expect(r.stages.exported).toEqual({
      users: n('SELECT count(*) FROM auth0_users'),
      organizations: n('SELECT count(*) FROM auth0_organizations'),
      memberships: n('SELECT count(*) FROM auth0_memberships'),
      roles: n('SELECT count(*) FROM auth0_roles'),
      connections: n('SELECT count(*) FROM auth0_connections'),
      logic: n('SELECT count(*) FROM auth0_custom_logic'),
    });
    expect(r.stages.exported.users).toBe(m.t.tenant.users.length);
    expect(r.completeness.length).toBeGreaterThan(0);
    expect(r.completeness.every((c) => c.complete)).toBe(true);
    // Matched lines of active and of blocked users: each stored one hash.
    const merged = r.stages.merged.passwords!;
    expect(merged.matched! + merged.blocked!).toBe(n('SELECT count(*) FROM password_hashes'));

    // Import: what WorkOS holds is what the report says was created.
    const live = m.sb.state();
    expect(r.import!.created.user).toBe(live.users.length);
    expect(r.import!.created.organization).toBe(live.organizations.length);
    expect(r.import!.created.membership).toBe(live.memberships.length);
    expect(r.import!.created.totp).toBe(live.authFactors.length);
    expect(r.import!.failed).toBe(0);
    expect(r.stages.review.toMigrate).toBe(live.users.length);
    const journal = r.stages.imported!;
    expect(journal.user!.done).toBe(live.users.length);
    expect(r.stages.planned!.user!.create).toBe(live.users.length);
    expect(r.verification).toMatchObject({ ok: true, mismatches: 0, rolledBackSince: false });
    expect(r.verification!.passwords.verified).toBe(r.verification!.passwords.checked);
    expect(r.stages.verified!.users).toMatchObject({ expected: live.users.length, found: live.users.length });

    // Decisions and findings.
    expect(r.decisions).toMatchObject({ signed: true, reviewer: 'Test Reviewer', intact: true });
    expect(r.decisions.digest).toMatch(/^[0-9a-f]{64}$/);
    const sms = r.notMoved.find((x) => x.code === 'sms_mfa_reenrol');
    expect(sms?.count).toBe(
      n("SELECT count(DISTINCT user_id) FROM auth0_mfa_enrolments WHERE type IN ('phone', 'sms', 'voice')"),
    );
    expect(r.notMoved.find((x) => x.code === 'custom_logic')?.count).toBe(
      m.t.tenant.actions.length + m.t.tenant.rules.length + m.t.tenant.hooks.length,
    );

    // Timeline in order, with every stage of the run.
    const stages = new Set(r.timeline.map((e) => e.stage));
    for (const s of ['workspace', 'export', 'passwords', 'review', 'plan', 'import', 'verify'] as const)
      expect(stages.has(s), s).toBe(true);
    expect([...r.timeline.map((e) => e.at)].sort()).toEqual(r.timeline.map((e) => e.at));

    // Audit log: the chain's head hash, verified.
    const audit = ws.audit.verify();
    expect(r.audit).toEqual({ entries: audit.entries, headHash: audit.head, chainOk: true, problem: null });

    scan(JSON.stringify(r));
    scan(reportMarkdown(r));
  });

  it('is saved through the save dialog in either format, which completes the step until a new verification', async () => {
    const status = async () =>
      (await callOperation(m.dispatch, 'wizard.status', {})).steps.find((s) => s.id === 'report')?.state;
    expect(await status()).not.toBe('done');
    m.dialogs.saveFile = null;
    expect(await callOperation(m.dispatch, 'report.save', { format: 'md' })).toMatchObject({
      saved: false,
      path: null,
    });
    expect(await status()).not.toBe('done');

    const md = join(m.t.dir, 'report.md');
    m.dialogs.saveFile = md;
    const saved = await callOperation(m.dispatch, 'report.save', { format: 'md' });
    expect(saved).toMatchObject({ saved: true, path: md, format: 'md' });
    expect(statSync(md).mode & 0o777).toBe(0o600);
    const text = readFileSync(md, 'utf8');
    const head = m.services.requireWorkspace().audit.verify().head;
    expect(text).toContain('# Migration report');
    expect(text).toContain('## What did not move, and why');
    scan(text);
    expect(await status()).toBe('done');

    const json = join(m.t.dir, 'report.json');
    m.dialogs.saveFile = json;
    await callOperation(m.dispatch, 'report.save', { format: 'json' });
    const parsed = JSON.parse(readFileSync(json, 'utf8')) as {
      audit: { headHash: string };
      timeline: { stage: string }[];
    };
    // The report names the audit head as it was when it was built (after the md save, before its own save).
    expect(parsed.audit.headHash).toBe(head);
    expect(parsed.timeline.filter((e) => e.stage === 'report')).toHaveLength(1);
    scan(readFileSync(json, 'utf8'));

    // A verification after the save makes the saved report out of date.
    const ws = m.services.requireWorkspace();
    ws.db
      .prepare(
        "INSERT INTO workos_verifications (verify_id, plan_id, started_at, finished_at, ok, counts_json) SELECT 'later', plan_id, ?, ?, ok, counts_json FROM workos_verifications LIMIT 1",
      )
      .run(new Date(Date.now() + 1000).toISOString(), new Date(Date.now() + 2000).toISOString());
    expect(await status()).not.toBe('done');
  });

  it('is built from the review as it stands: the stored one while current, else refreshed by the review job first', async () => {
    const ws = m.services.requireWorkspace();
    const refreshes = () =>
      m.services
        .jobs()
        .list()
        .filter((j) => j.kind === 'review.refresh');
    await callOperation(m.dispatch, 'report.get', {});
    const before = refreshes().length;
    const current = await callOperation(m.dispatch, 'report.get', {});
    // Nothing changed since: no pass over the users at all.
    expect(refreshes()).toHaveLength(before);

    // A merge commits a new run: the stored findings no longer describe the data until the review is recomputed.
    const { id } = await callOperation(m.dispatch, 'passwords.merge', {
      kind: 'mfa',
      path: m.t.files.mfaSecrets,
    });
    expect((await m.services.jobs().wait(id)).state).toBe('completed');
    expect(storedReview(ws)).toBeNull();
    const waiting = refreshes().length;
    const after = await callOperation(m.dispatch, 'report.get', {});
    // Recomputed in the review refresh job's worker, not in the handler, and stored for the next reader.
    expect(refreshes()).toHaveLength(waiting + 1);
    expect(refreshes()[0]!.state).toBe('completed');
    expect(storedReview(ws)).not.toBeNull();
    // The same file again changes no data: the recomputed report says what the stored one said.
    expect(after.notMoved).toEqual(current.notMoved);
    expect(after.stages.review).toEqual(current.stages.review);
  });

  it('withholds anything that looks like an email address, such as a reviewer named by address', async () => {
    const ws = m.services.requireWorkspace();
    reopen(ws, 'Test Reviewer');
    signOff(ws, 'riley.reviewer@corp.example');
    const r = await callOperation(m.dispatch, 'report.get', {});
    expect(r.decisions.reviewer).toBe('[email address withheld]');
    expect(r.timeline.at(-1)!.event).toBe('Review signed off by [email address withheld]');
    scan(JSON.stringify(r));
    scan(reportMarkdown(r));
  });
});
