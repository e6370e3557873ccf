import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSurvivor,
  reopen,
  setPolicy,
  setRoleMapping,
  setUserDecisions,
  signOff,
  signOffState,
} from '../../../src/main/review/decisions';
import { refreshFindings, storedFindings, type Finding } from '../../../src/main/review/findings';
import { iterateUserOutcomes, mapUser, roleMappings } from '../../../src/main/review/mapping';
import { reviewSummary } from '../../../src/main/review/review';
import { queryUsers } from '../../../src/main/review/queries';
import type { Workspace } from '../../../src/main/workspace';
import { exportedTenant, type Exported } from './setup';

let ex: Exported;
let ws: Workspace;
let findings: Map<string, Finding>;

beforeAll(async () => {
  ex = await exportedTenant({ users: 1500, orgs: 16, seed: 'review-findings' });
  ws = ex.open();
  findings = new Map(refreshFindings(ws.db).map((f) => [f.code, f]));
});
afterAll(() => {
  ws?.close();
  ex?.cleanup();
});

describe('findings on the generated tenant', () => {
  it('counts every planted case exactly', () => {
    const m = ex.manifest;
    const c = (code: string) => findings.get(code)!.count;
    expect(m.usersWithoutEmail).toBeGreaterThan(0);
    expect(m.duplicateEmailAcrossConnections).toBeGreaterThan(0);
    expect(m.largeMetadata).toBeGreaterThan(0);
    expect(c('users_without_email')).toBe(m.usersWithoutEmail);
    expect(findings.get('duplicate_emails')!.summary.extraAccounts).toBe(m.duplicateEmailAcrossConnections);
    expect(c('duplicate_emails')).toBe(2 * m.duplicateEmailAcrossConnections); // each planted email is shared by two accounts
    expect(c('federated_users')).toBe(m.enterprise);
    expect(c('social_users')).toBe(m.social);
    expect(c('passwordless_users')).toBe(m.passwordless);
    expect(c('blocked_users')).toBe(m.blocked);
    expect(c('unverified_emails')).toBe(m.unverified);
    expect(c('users_without_hash')).toBe(m.database); // no password file merged into this workspace
    expect(c('unimportable_hashes')).toBe(0);
    expect(c('sms_mfa_reenrol')).toBe(m.smsMfa);
    expect(c('push_mfa_reenrol')).toBe(m.pushMfa);
    expect(c('passkey_users')).toBe(0);
    expect(c('metadata_over_limits')).toBe(m.largeMetadata);
    expect(c('metadata_not_strings')).toBe(m.nonStringMetadata);
    expect(c('users_without_organization')).toBe(m.noOrg);
    expect(c('multi_org_users')).toBe(m.multiOrg);
    const withMembers = new Set(ex.tenant.members.map((x) => x.org_id));
    expect(c('organizations_without_members')).toBe(
      ex.tenant.organizations.filter((o) => !withMembers.has(o.id)).length,
    );
    const ssoConns = new Set(
      ex.tenant.connections.filter((x) => Array.isArray(x.options.domain_aliases)).map((x) => x.id),
    );
    const withDomains = new Set(
      ex.tenant.orgConnections.filter((x) => ssoConns.has(x.connection_id)).map((x) => x.org_id),
    );
    expect(c('organizations_without_domains')).toBe(m.organizations - withDomains.size);
    // "Admin", "admin ", "admin" -> admin; "Member", "member" -> member; one name over 48 characters.
    expect(c('role_name_problems')).toBe(6);
    expect(c('custom_logic')).toBe(
      ex.tenant.actions.length + ex.tenant.rules.length + ex.tenant.hooks.length,
    );
    expect(c('connections')).toBe(m.connections);
    expect(c('export_incomplete')).toBe(0);
  });

  it('lists the providers to configure and the connections by protocol', () => {
    const social = findings.get('social_users')!.summary.providers as { connection: string; users: number }[];
    expect(social.map((p) => p.connection).sort()).toEqual(['github', 'google-oauth2']);
    expect(social.reduce((n, p) => n + p.users, 0)).toBe(ex.manifest.social);
    const conns = findings.get('connections')!.summary as { byProtocol: Record<string, number> };
    expect(conns.byProtocol).toEqual({ database: 3, social: 2, saml: 2, oidc: 2, passwordless: 2 });
    expect(storedFindings(ws.db).findings).toHaveLength(findings.size);
    // No personal data in what is stored as summaries.
    expect(JSON.stringify(storedFindings(ws.db).findings)).not.toMatch(/@[a-z0-9.-]+\.[a-z]{2,}/i);
  });
});

describe('paged user queries', () => {
  it('pages through a filter exactly, in user_id or email order, with search', () => {
    const expectIds = ex.tenant.users
      .filter((u) => u.email && u.email_verified === false)
      .map((u) => u.user_id);
    const got: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const page = queryUsers(ws, { filter: 'unverified_emails', offset, limit: 7 });
      expect(page.total).toBe(expectIds.length);
      got.push(...page.rows.map((r) => r.userId));
      if (page.rows.length < 7) break;
    }
    expect(got).toEqual([...expectIds].sort());
    const byEmail = queryUsers(ws, { filter: 'unverified_emails', sort: 'email', limit: 500 }).rows.map((r) =>
      r.email!.toLowerCase(),
    );
    expect(byEmail).toEqual([...byEmail].sort());
    expect(byEmail).toHaveLength(expectIds.length);
    const someone = ex.tenant.users.find((u) => u.email)!;
    const found = queryUsers(ws, { search: someone.email!.slice(0, 12) });
    expect(found.rows.map((r) => r.userId)).toContain(someone.user_id);
    expect(
      found.rows.every((r) => r.email?.toLowerCase().startsWith(someone.email!.slice(0, 12).toLowerCase())),
    ).toBe(true);
    expect(() => queryUsers(ws, { filter: 'nope' })).toThrow(/Unknown user filter/);
  });
});

describe('decisions and sign-off', () => {
  it('excludes and includes users, picks survivors, applies policies, and locks at sign-off', () => {
    const blocked = ex.tenant.users.find((u) => u.blocked && u.email)!;
    expect(mapUser(ws, blocked.user_id)).toMatchObject({ kind: 'skip', reason: 'blocked_policy' });
    setPolicy(ws, 'alice', 'blocked_users', 'import_without_password');
    const o = mapUser(ws, blocked.user_id)!;
    expect(o.kind).toBe('create');
    if (o.kind === 'create') expect(o.record.importPassword).toBe(false);

    const someone = ex.tenant.users.find((u) => u.email && !u.blocked && u.user_id.startsWith('github|'))!;
    setUserDecisions(ws, 'alice', [someone.user_id], false, 'left the company');
    expect(mapUser(ws, someone.user_id)).toMatchObject({ kind: 'skip', reason: 'excluded_by_decision' });

    const merged = [...iterateUserOutcomes(ws)].find(
      (x) => x.kind === 'skip' && x.reason === 'merged_into_survivor',
    )!;
    expect(merged.kind === 'skip' && merged.mergedInto).toBeTruthy();
    chooseSurvivor(ws, 'alice', merged.sourceUserId);
    const now = mapUser(ws, merged.sourceUserId)!;
    expect(now.kind).toBe('create');
    if (now.kind === 'create') {
      expect(now.record.mergedUserIds).toHaveLength(1);
      expect(JSON.parse(now.record.metadata.auth0_merged_user_ids!)).toEqual(now.record.mergedUserIds);
    }

    const editor = roleMappings(ws.db).find((r) => r.auth0Name === 'Editor')!;
    setRoleMapping(ws, 'alice', editor.roleId, 'content-editor', 'Content editor');
    expect(roleMappings(ws.db).find((r) => r.roleId === editor.roleId)).toMatchObject({
      slug: 'content-editor',
      source: 'edited',
    });
    expect(() => setRoleMapping(ws, 'alice', editor.roleId, 'Bad Slug!')).toThrow(
      /not a valid WorkOS role slug/,
    );
    expect(() => setPolicy(ws, 'alice', 'blocked_users', 'maybe')).toThrow(/not a value of policy/);

    const s = signOff(ws, 'Bob Reviewer', 'looked at everything');
    expect(s).toMatchObject({ signed: true, reviewer: 'Bob Reviewer', intact: true });
    expect(() => setPolicy(ws, 'alice', 'blocked_users', 'exclude')).toThrow(/locked/);
    expect(() => setUserDecisions(ws, 'alice', [someone.user_id], true)).toThrow(/locked/);
    // Edited behind the app's back: the sign-off no longer matches.
    ws.db.prepare("UPDATE review_policies SET value = 'import' WHERE code = 'blocked_users'").run();
    expect(signOffState(ws).intact).toBe(false);
    ws.db
      .prepare("UPDATE review_policies SET value = 'import_without_password' WHERE code = 'blocked_users'")
      .run();
    expect(signOffState(ws).intact).toBe(true);

    reopen(ws, 'Bob Reviewer', 'one more change');
    setPolicy(ws, 'alice', 'blocked_users', 'exclude');
    const actions = ws.db
      .prepare("SELECT action FROM audit_log WHERE action LIKE 'review.%' ORDER BY seq")
      .pluck()
      .all();
    expect(actions).toEqual([
      'review.decide.policy',
      'review.decide.users',
      'review.decide.survivor',
      'review.decide.role',
      'review.signoff',
      'review.reopen',
      'review.decide.policy',
    ]);
    expect(ws.audit.verify().ok).toBe(true);
  });
});

describe('a later refresh', () => {
  const ids = (code: string) =>
    ws.db
      .prepare('SELECT user_id FROM review_user_issues WHERE code = ? ORDER BY user_id')
      .pluck()
      .all(code) as string[];

  it('writes only what changed and ends exactly as the data is', () => {
    // Users move in and out of a rule as a re-export moves them: five blocked users unblocked, five others blocked.
    const before = ids('blocked_users');
    const unblock = before.slice(0, 5);
    const block = ws.db
      .prepare('SELECT user_id FROM auth0_users WHERE blocked = 0 ORDER BY user_id LIMIT 5')
      .pluck()
      .all() as string[];
    const set = ws.db.prepare('UPDATE auth0_users SET blocked = ? WHERE user_id = ?');
    ws.db.transaction(() => {
      for (const u of unblock) set.run(0, u);
      for (const u of block) set.run(1, u);
    })();
    const refreshed = new Map(refreshFindings(ws.db).map((f) => [f.code, f]));
    const expected = [...before.filter((u) => !unblock.includes(u)), ...block].sort();
    expect(ids('blocked_users')).toEqual(expected);
    expect(refreshed.get('blocked_users')!.count).toBe(expected.length);
    expect(storedFindings(ws.db).findings.find((f) => f.code === 'blocked_users')!.count).toBe(
      expected.length,
    );
    // No rule left rows behind for users it no longer selects, nor missed any.
    expect(ids('users_without_email')).toEqual(
      ws.db.prepare('SELECT user_id FROM auth0_users WHERE email IS NULL ORDER BY user_id').pluck().all(),
    );
  });

  it('stays marked stale when an export commits while its rules run', () => {
    expect(reviewSummary(ws).stale).toBe(false);
    const other = ex.open();
    try {
      refreshFindings(ws.db, {
        step: (done) => {
          if (done !== 2) return;
          // Between two rules, as an export finishing in its worker would.
          other.db
            .prepare(
              "INSERT INTO auth0_export_runs (run_id, entities_json, state, started_at, finished_at) VALUES ('during-refresh', '[]', 'complete', ?, ?)",
            )
            .run(new Date().toISOString(), new Date().toISOString());
        },
      });
    } finally {
      other.close();
    }
    expect(reviewSummary(ws).stale).toBe(true);
  });
});
