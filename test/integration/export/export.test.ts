import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityVersions } from '../../../src/main/auth0/export/versions';
import { generateTenant } from '../../../src/main/sandbox/generator';
import type { Tenant } from '../../../src/main/sandbox/tenant';
import {
  createTestWorkspace,
  expectedCounts,
  liveCounts,
  runExport,
  snapshot,
  startSandbox,
  withWorkspace,
} from './helpers';

// The export against generated tenants: every count matches the tenant exactly, the completeness table agrees,
// and a re-export records what changed.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-export-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = {
  entity: string;
  exported: number;
  expected: number | null;
  complete: number;
  note: string | null;
};

describe('Auth0 export of a generated tenant', () => {
  it('exports 10,000 users and everything else with counts matching the tenant exactly', async () => {
    const tenant = generateTenant({ users: 10_000, orgs: 120, seed: 'export-10k' });
    const sb = await startSandbox(tenant);
    try {
      const tw = await createTestWorkspace(dir, 'tenk');
      const { job, runId } = await runExport(tw, sb);
      expect(job.error).toBeUndefined();
      expect(job.state).toBe('completed');
      withWorkspace(tw, (ws) => {
        expect(liveCounts(ws)).toEqual(expectedCounts(tenant));
        const rows = ws.db
          .prepare('SELECT * FROM auth0_export_completeness WHERE run_id = ?')
          .all(runId) as Row[];
        expect(rows.map((r) => r.entity).sort()).toEqual(
          ['connections', 'logic', 'memberships', 'mfa', 'organizations', 'roles', 'users'].sort(),
        );
        for (const r of rows) expect(r.complete, `${r.entity}: ${r.note}`).toBe(1);
        expect(ws.db.prepare('SELECT state FROM auth0_export_runs WHERE run_id = ?').pluck().get(runId)).toBe(
          'complete',
        );
        // Users in no organization are exported too.
        const noOrg = tenant.users.filter((u) => !tenant.members.some((m) => m.user_id === u.user_id)).length;
        expect(noOrg).toBeGreaterThan(0);
        expect(
          ws.db
            .prepare(
              'SELECT count(*) FROM auth0_users u WHERE NOT EXISTS (SELECT 1 FROM auth0_memberships m WHERE m.user_id = u.user_id)',
            )
            .pluck()
            .get(),
        ).toBe(noOrg);
        // Connection secrets only as ciphertext; the clear columns never hold them.
        const conns = ws.db.prepare('SELECT * FROM auth0_connections').all() as Record<string, unknown>[];
        const withSecrets = tenant.connections.filter((c) =>
          Object.keys(c.options).some((k) => /secret|private|decryption/i.test(k)),
        );
        expect(withSecrets.length).toBeGreaterThan(0);
        for (const c of withSecrets) {
          const row = conns.find((r) => r.connection_id === c.id)!;
          expect(row.secrets_enc).toBeInstanceOf(Buffer);
          for (const [k, v] of Object.entries(c.options)) {
            if (!/secret|private|decryption/i.test(k) || typeof v !== 'string') continue;
            expect(String(row.options_json)).not.toContain(v);
            expect(String(row.raw_json)).not.toContain(v);
          }
        }
        // Nested secrets too: a custom database's configuration values never sit in a clear column.
        const nested = tenant.connections.flatMap((c) =>
          Object.values((c.options as { configuration?: Record<string, string> }).configuration ?? {}),
        );
        expect(nested.length).toBeGreaterThan(0);
        const clearText = conns.map((r) => `${String(r.options_json)}${String(r.raw_json)}`).join('');
        for (const v of nested) expect(clearText).not.toContain(v);
        // The audit log records the run without personal data.
        const audit = ws.db
          .prepare("SELECT details_json FROM audit_log WHERE action LIKE 'export.%'")
          .pluck()
          .all() as string[];
        expect(audit.length).toBe(8);
        const someEmail = tenant.users.find((u) => u.email)!.email!;
        for (const a of audit) expect(a).not.toContain(someEmail);
      });
    } finally {
      await sb.close();
    }
  });

  it('pages past 1000 organizations and past 1000 members of one organization', async () => {
    const base = generateTenant({ users: 1_300, orgs: 1_050, seed: 'export-paging' });
    const big = base.organizations[0]!.id;
    const members = base.members.filter((m) => m.org_id !== big);
    for (const u of base.users.slice(0, 1_100)) members.push({ org_id: big, user_id: u.user_id, roles: [] });
    const tenant: Tenant = { ...base, members };
    const sb = await startSandbox(tenant);
    try {
      const tw = await createTestWorkspace(dir, 'paging');
      const { job, runId } = await runExport(tw, sb, { entities: ['organizations', 'memberships', 'users'] });
      expect(job.error).toBeUndefined();
      withWorkspace(tw, (ws) => {
        const want = expectedCounts(tenant);
        const got = liveCounts(ws);
        expect(got.organizations).toBe(1_050);
        expect(got.memberships).toBe(want.memberships);
        expect(got.membership_roles).toBe(want.membership_roles);
        expect(got.org_connections).toBe(want.org_connections);
        expect(got.users).toBe(1_300);
        expect(
          ws.db.prepare('SELECT count(*) FROM auth0_memberships WHERE org_id = ?').pluck().get(big),
        ).toBe(1_100);
        const totals = ws.db
          .prepare('SELECT expected, exported FROM auth0_export_org_totals WHERE run_id = ? AND org_id = ?')
          .get(runId, big);
        expect(totals).toEqual({ expected: 1_100, exported: 1_100 });
        expect(ws.db.prepare('SELECT state FROM auth0_export_runs WHERE run_id = ?').pluck().get(runId)).toBe(
          'complete',
        );
      });
    } finally {
      await sb.close();
    }
  });

  it('re-exports a finished workspace and records what changed', async () => {
    const tenant = generateTenant({ users: 300, orgs: 20, seed: 'export-refresh' });
    const tw = await createTestWorkspace(dir, 'refresh');
    let sb = await startSandbox(tenant);
    let before: Record<string, unknown[]>;
    try {
      await runExport(tw, sb);
      before = withWorkspace(tw, snapshot);
      expect(withWorkspace(tw, (ws) => entityVersions(ws.db, ['users', 'organizations']))).toBe(
        'users:1 organizations:1',
      );
      const again = await runExport(tw, sb);
      withWorkspace(tw, (ws) => {
        expect(snapshot(ws)).toEqual(before);
        // Nothing changed: work matched against the users (a password merge) stays valid.
        expect(entityVersions(ws.db, ['users', 'organizations'])).toBe('users:1 organizations:1');
        const changes = ws.db
          .prepare(
            'SELECT sum(added) a, sum(removed) r, sum(changed) c FROM auth0_export_changes WHERE run_id = ?',
          )
          .get(again.runId);
        expect(changes).toEqual({ a: 0, r: 0, c: 0 });
      });
    } finally {
      await sb.close();
    }
    // Auth0 changed: one user removed, one renamed, one organization added.
    const removed = tenant.users[5]!;
    const changed = { ...tenant.users[6]!, name: 'Renamed Person' };
    const users = tenant.users
      .filter((u) => u !== removed)
      .map((u) => (u.user_id === changed.user_id ? changed : u));
    const members = tenant.members.filter((m) => m.user_id !== removed.user_id);
    const org = { id: 'org_zzzzznewone', name: 'brand-new-org' };
    const next: Tenant = { ...tenant, users, members, organizations: [...tenant.organizations, org] };
    sb = await startSandbox(next);
    try {
      const third = await runExport(tw, sb);
      expect(third.job.state).toBe('completed');
      withWorkspace(tw, (ws) => {
        const rows = ws.db
          .prepare(
            'SELECT entity, added, removed, changed FROM auth0_export_changes WHERE run_id = ? ORDER BY entity',
          )
          .all(third.runId) as { entity: string; added: number; removed: number; changed: number }[];
        const by = Object.fromEntries(rows.map((r) => [r.entity, r]));
        expect(by.users).toEqual({ entity: 'users', added: 0, removed: 1, changed: 1 });
        expect(entityVersions(ws.db, ['users', 'organizations', 'roles'])).toBe(
          'users:2 organizations:2 roles:1',
        );
        expect(by.organizations).toEqual({ entity: 'organizations', added: 1, removed: 0, changed: 0 });
        const removedMemberships = tenant.members.length - members.length;
        expect(by.memberships?.removed).toBe(removedMemberships);
        expect(
          ws.db.prepare('SELECT name FROM auth0_users WHERE user_id = ?').pluck().get(changed.user_id),
        ).toBe('Renamed Person');
        const audit = ws.db
          .prepare(
            "SELECT details_json FROM audit_log WHERE action = 'export.entity' ORDER BY seq DESC LIMIT 7",
          )
          .pluck()
          .all() as string[];
        expect(audit.some((a) => a.includes('"removed":1') && a.includes('"entity":"users"'))).toBe(true);
      });
    } finally {
      await sb.close();
    }
  });
});
