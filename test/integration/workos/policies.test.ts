import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPolicy, reopen, signOff } from '../../../src/main/review/decisions';
import { iterateWorkosUsers } from '../../../src/main/review/mapping';
import type { WorkosSandbox } from '../../../src/main/sandbox/workos';
import { journalCounts } from '../../../src/main/workos/journal';
import { planBlockers, planItems } from '../../../src/main/workos/plan';
import { previewRollback, repairedObjects, runRollback } from '../../../src/main/workos/rollback';
import { openWorkspaceWithKey, type Workspace } from '../../../src/main/workspace';
import type { Exported } from '../passwords/setup';
import { runImport } from '../../../src/main/workos/import';
import {
  NO_LIMITS,
  apiFor,
  importDirect,
  planDirect,
  reviewedTenant,
  sandbox,
  shape,
  verifyDirect,
} from './setup';

// Rollback, stale plans and conflict policies, each on its own copy of one reviewed workspace.

let t: Exported;
const opened: Workspace[] = [];
const sandboxes: WorkosSandbox[] = [];

beforeAll(async () => {
  t = await reviewedTenant({ users: 150, orgs: 4, seed: 'workos-policies' });
}, 120_000);
afterAll(async () => {
  for (const ws of opened) ws.close();
  for (const sb of sandboxes) await sb.close();
  t?.cleanup();
});

function copyWorkspace(name: string): Workspace {
  const file = join(t.dir, `${name}.a2w.sqlite`);
  copyFileSync(t.tw.file, file);
  const ws = openWorkspaceWithKey(file, t.tw.dataKey);
  opened.push(ws);
  return ws;
}

async function newSandbox() {
  const sb = await sandbox({ multipleRolesEnabled: true });
  sandboxes.push(sb);
  return sb;
}

const noop = { progress: () => undefined, throwIfStopped: () => undefined };

describe('rollback', () => {
  it('leaves WorkOS exactly as before the import, pre-existing objects untouched', async () => {
    const sb = await newSandbox();
    const api = apiFor(sb);
    // WorkOS already holds things this workspace did not create: a user, an organization, a webhook.
    const other = await api.request<{ id: string }>('POST', '/user_management/users', {
      body: { email: 'someone.else@unrelated.example', external_id: 'not-ours' },
    });
    const otherOrg = await api.request<{ id: string }>('POST', '/organizations', {
      body: { name: 'Unrelated', external_id: 'org-not-ours' },
    });
    await api.request('POST', '/user_management/organization_memberships', {
      body: { user_id: other.id, organization_id: otherOrg.id },
    });
    await api.request('POST', '/webhook_endpoints', {
      body: { endpoint_url: 'https://hooks.example/a', events: ['user.created'] },
    });
    const before = shape(sb);

    const ws = copyWorkspace('rollback');
    const plan = await planDirect(ws, api, { pauseWebhooks: true, multipleRoles: true });
    await importDirect(ws, api, plan.planId);
    expect(sb.state().users.length).toBeGreaterThan(100);
    // Webhooks were paused during the import and are enabled again.
    expect(shape(sb).webhooks).toEqual(before.webhooks);

    const preview = previewRollback(ws);
    expect(preview.toDelete.users).toBe(plan.counts.user.create);
    expect(preview.toDelete.organizations).toBe(plan.counts.organization.create);
    expect(preview.notDeletable.roles.length).toBe(plan.counts.role.create);
    const result = await runRollback({ workspace: ws, api, ...noop });
    expect(result.failed).toBe(0);
    expect(result.deleted.users).toBe(plan.counts.user.create);

    const after = shape(sb);
    // Environment roles cannot be deleted through WorkOS's API: everything else is exactly as before.
    expect({ ...after, roles: [] }).toEqual({ ...before, roles: [] });
    expect(after.roles.filter((r) => !before.roles.includes(r))).toHaveLength(plan.counts.role.create);
    // A second rollback finds nothing left to delete.
    expect(previewRollback(ws).toDelete).toEqual({ users: 0, organizations: 0, memberships: 0, totp: 0 });
  });

  it('an object an earlier import created and a later plan repaired is deleted, not listed as pre-existing', async () => {
    const sb = await newSandbox();
    const api = apiFor(sb);
    const ws = copyWorkspace('repaired-own');
    const first = await planDirect(ws, api);
    await importDirect(ws, api, first.planId);
    // Someone renames one of the users this workspace created; the next plan repairs it.
    const renamed = sb.state().users[0]!;
    await api.request('PUT', `/user_management/users/${renamed.id}`, {
      body: { first_name: 'Renamed', last_name: 'Elsewhere' },
    });
    const second = await planDirect(ws, api);
    expect(second.counts.user.repair).toBe(1);
    await importDirect(ws, api, second.planId);
    expect(journalCounts(ws, second.planId).user.done).toBe(1);
    // The rollback deletes it with the rest of what this workspace created; nothing pre-existing was repaired.
    const preview = previewRollback(ws);
    expect(preview.toDelete.users).toBe(first.counts.user.create);
    expect(preview.repairedLeftAlone).toBe(0);
    expect(repairedObjects(ws).rows).toEqual([]);
    const plan = ws.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT 1 FROM workos_journal c WHERE c.workos_id = ? AND c.created = 1 AND c.status = 'done'`,
      )
      .all('x') as { detail: string }[];
    expect(plan.map((r) => r.detail).join(' ')).toContain('workos_journal_created_ids');
    expect((await runRollback({ workspace: ws, api, ...noop })).failed).toBe(0);
    expect(sb.state().users).toHaveLength(0);
  });
});

describe('stale plans', () => {
  it('refuses a plan after WorkOS changed, and after the workspace changed', async () => {
    const sb = await newSandbox();
    const api = apiFor(sb);
    const ws = copyWorkspace('stale');
    const plan = await planDirect(ws, api);
    await api.request('POST', '/organizations', { body: { name: 'Made after the plan' } });
    await expect(importDirect(ws, api, plan.planId)).rejects.toMatchObject({ code: 'plan_stale' });
    expect(sb.state().users).toHaveLength(0);

    const fresh = await planDirect(ws, api);
    expect(planBlockers(ws, fresh)).toEqual([]);
    reopen(ws, 'Test Reviewer');
    setPolicy(ws, 'Test Reviewer', 'unverified_emails', 'exclude');
    signOff(ws, 'Test Reviewer');
    expect(planBlockers(ws, fresh).join(' ')).toMatch(/workspace changed/);
    await expect(importDirect(ws, api, fresh.planId)).rejects.toMatchObject({ code: 'plan_stale' });
    expect(sb.state().users).toHaveLength(0);
  });

  it('an import stops before its next request when the workspace changes under it, and resumes only planned again', async () => {
    const sb = await newSandbox();
    // Four at a time: batches of 16 operations, so the change lands with most of the users still to create.
    const api = apiFor(sb, { ...NO_LIMITS, concurrency: 4 });
    const ws = copyWorkspace('changed-mid-import');
    const plan = await planDirect(ws, api);
    // Another connection to the file, as a merge or an export thread has, reopens the review mid-way.
    const other = openWorkspaceWithKey(ws.file, t.tw.dataKey);
    opened.push(other);
    let usersAtChange = -1;
    const run = runImport({
      workspace: ws,
      api,
      planId: plan.planId,
      checkpoint: null,
      saveCheckpoint: () => undefined,
      progress: () => undefined,
      throwIfStopped: () => {
        if (usersAtChange < 0 && sb.state().users.length >= 16) {
          usersAtChange = sb.state().users.length;
          reopen(other, 'Another Reviewer');
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'plan_stale', message: /changed during the import/ });
    expect(usersAtChange).toBeGreaterThan(0);
    expect(usersAtChange).toBeLessThan(plan.counts.user.create);
    // Nothing was sent after the change.
    expect(sb.state().users).toHaveLength(usersAtChange);
    expect(
      ws.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'workos.import.stopped'").pluck().get(),
    ).toBe(1);

    // Signed off again, the same plan still does not resume: its workspace is not the one it was made from.
    signOff(other, 'Another Reviewer');
    await expect(importDirect(ws, api, plan.planId)).rejects.toMatchObject({
      code: 'plan_stale',
      message: /workspace changed.*not resumed: \d+ of \d+ operations were done, and nothing more was sent/,
    });
    expect(sb.state().users).toHaveLength(usersAtChange);

    // Planned again, the rest is imported: every planned user exactly once.
    const again = await planDirect(ws, api);
    expect(again.counts.user.create).toBe(plan.counts.user.create - usersAtChange);
    // What the stopped import created is found as it is: nothing to repair.
    expect(again.counts.user.exists).toBe(usersAtChange);
    expect(again.counts.user.repair).toBe(0);
    const summary = await importDirect(ws, api, again.planId);
    expect(Object.values(summary.counts).reduce((n, c) => n + c.failed, 0)).toBe(0);
    expect(sb.state().users).toHaveLength(plan.counts.user.create);
    // A rollback removes what both plans created.
    expect((await runRollback({ workspace: ws, api, ...noop })).failed).toBe(0);
    expect(sb.state().users).toHaveLength(0);
    expect(sb.state().organizations).toHaveLength(0);
  });

  it('refuses to import without a signed-off review', async () => {
    const sb = await newSandbox();
    const api = apiFor(sb);
    const ws = copyWorkspace('unsigned');
    reopen(ws, 'Test Reviewer');
    const plan = await planDirect(ws, api);
    expect(planBlockers(ws, plan).join(' ')).toMatch(/not signed off/);
    await expect(importDirect(ws, api, plan.planId)).rejects.toMatchObject({ code: 'plan_stale' });
  });
});

describe('conflicts', () => {
  async function withTakenEmails() {
    const sb = await newSandbox();
    const api = apiFor(sb);
    const ws = copyWorkspace(`conflict-${sandboxes.length}`);
    const users = [...iterateWorkosUsers(ws)];
    // Two users exist in WorkOS already, created by someone else: one under the same email, one holding the Auth0 id
    // under another address.
    const taken = users[0]!;
    const squatted = users[1]!;
    await api.request('POST', '/user_management/users', {
      body: { email: taken.email, email_verified: false },
    });
    await api.request('POST', '/user_management/users', {
      body: { email: 'other.address@unrelated.example', external_id: squatted.externalId },
    });
    return { sb, api, ws, taken, squatted, users };
  }

  it('stop: the plan lists the conflicts and the import refuses to start', async () => {
    const { api, ws, taken, squatted } = await withTakenEmails();
    const plan = await planDirect(ws, api, { conflictPolicy: 'stop' });
    expect(plan.counts.user.conflict).toBe(2);
    const rows = planItems(ws, plan.planId, { kind: 'user', action: 'conflict' }).rows;
    expect(rows.map((r) => [r.sourceKey, r.detail.conflict]).sort()).toEqual(
      [
        [taken.sourceUserId, 'email_taken'],
        [squatted.sourceUserId, 'external_id_other_email'],
      ].sort(),
    );
    await expect(importDirect(ws, api, plan.planId)).rejects.toMatchObject({ code: 'plan_stale' });
  });

  it('skip: the conflicting users and their memberships stay out, everything else is imported', async () => {
    const { sb, api, ws, taken, users } = await withTakenEmails();
    const plan = await planDirect(ws, api, { conflictPolicy: 'skip', multipleRoles: true });
    await importDirect(ws, api, plan.planId);
    const c = journalCounts(ws, plan.planId);
    expect(c.user.skipped).toBe(2);
    expect(c.user.done).toBe(users.length - 2);
    const existing = sb.state().users.find((u) => u.email.toLowerCase() === taken.email.toLowerCase())!;
    expect(existing.external_id).toBeNull();
    expect(sb.state().memberships.filter((m) => m.user_id === existing.id)).toHaveLength(0);
  });

  it('link: the existing user is linked (external_id, fields, password, memberships) and verifies', async () => {
    const { sb, api, ws, taken } = await withTakenEmails();
    const plan = await planDirect(ws, api, { conflictPolicy: 'link', multipleRoles: true });
    await importDirect(ws, api, plan.planId);
    const linked = sb.state().users.find((u) => u.email.toLowerCase() === taken.email.toLowerCase())!;
    expect(linked.external_id).toBe(taken.externalId);
    expect(linked.email_verified).toBe(taken.emailVerified);
    const v = await verifyDirect(ws, api, plan.planId, t, sb.clientId);
    expect(v.counts.mismatches).toBe(0);
    // The linked user was not created by this workspace: a rollback leaves it (and lists it as repaired).
    const preview = previewRollback(ws);
    expect(preview.toDelete.users).toBe(plan.counts.user.create);
    expect(preview.repairedLeftAlone).toBeGreaterThan(0);
    await runRollback({ workspace: ws, api, ...noop });
    expect(sb.state().users.some((u) => u.id === linked.id)).toBe(true);
  });
});
