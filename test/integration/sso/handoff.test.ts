import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOperation } from '../../../src/main/api/dispatch';
import { CSV_HEADERS } from '../../../src/main/pkg/workos-cli';
import { ENTERPRISE_STRATEGIES } from '../../../src/main/sandbox/generator';
import { knownSecrets, migratedWorkspace, type Migrated } from './setup';

// The SSO hand-off on a migrated rehearsal tenant: exactly the tenant's enterprise connections and the organizations
// they are enabled for, with the WorkOS organization ids of the import; Admin Portal links generated through the
// WorkOS SDK against the sandbox (a link that opens the portal page), never stored or logged; the hand-off files in
// WorkOS's CLI format with secrets only on explicit request; the wizard's SSO step done once every enterprise
// connection is handed off.

let m: Migrated;

beforeAll(async () => {
  m = await migratedWorkspace({ users: 150, orgs: 6, seed: 'sso-handoff' });
}, 120_000);
afterAll(async () => {
  await m?.close();
});

const wizardState = async (step: string) =>
  (await callOperation(m.dispatch, 'wizard.status', {})).steps.find((s) => s.id === step)?.state;

describe('SSO hand-off', () => {
  it('lists exactly the enterprise connections and their organizations, with the imported WorkOS ids', async () => {
    const h = await callOperation(m.dispatch, 'sso.handoff', {});
    const tenant = m.t.tenant;
    const enterprise = tenant.connections.filter((c) => ENTERPRISE_STRATEGIES.has(c.strategy));
    expect(enterprise.length).toBeGreaterThan(0);
    expect(h.connections.map((c) => c.name).sort()).toEqual(enterprise.map((c) => c.name).sort());
    const liveOrgs = new Map(m.sb.state().organizations.map((o) => [o.external_id, o.id]));
    for (const c of h.connections) {
      const expected = tenant.orgConnections
        .filter((oc) => oc.connection_id === c.connectionId)
        .map((oc) => oc.org_id)
        .sort();
      expect(c.organizations.map((o) => o.orgId).sort()).toEqual(expected);
      for (const o of c.organizations) expect(o.workosOrganizationId).toBe(liveOrgs.get(o.orgId));
      expect(c.handedOff).toBe(false);
    }
    const withOrgs = new Set(
      tenant.orgConnections
        .filter((oc) => enterprise.some((c) => c.id === oc.connection_id))
        .map((oc) => oc.org_id),
    );
    expect(withOrgs.size).toBeGreaterThan(0);
    expect(
      h.organizations
        .filter((o) => o.connections.length)
        .map((o) => o.orgId)
        .sort(),
    ).toEqual([...withOrgs].sort());
    // IdP facts come from the export; secrets appear as field names only.
    const saml = h.connections.find((c) => c.strategy === 'samlp')!;
    expect(saml.protocol).toBe('saml');
    expect(saml.idp.ssoUrl).toMatch(/^https:\/\//);
    expect(saml.idp.certificate).toBe(true);
    expect(saml.idp.secretFields).toContain('decryptionKey');
    const oidc = h.connections.find((c) => c.strategy === 'oidc')!;
    expect(oidc.idp.discoveryUrl).toMatch(/openid-configuration$/);
    expect(oidc.idp.secretFields).toContain('client_secret');
    // Social providers with the users who sign in with them.
    const google = h.social.find((s) => s.strategy === 'google-oauth2')!;
    expect(google.label).toBe('Google');
    expect(google.users).toBe(
      tenant.users.filter((u) => u.identities?.[0]?.connection === 'google-oauth2').length,
    );
    const text = JSON.stringify(h);
    for (const secret of knownSecrets(m)) expect(text).not.toContain(secret);
    expect(await wizardState('sso')).not.toBe('done');
  });

  it('generates Admin Portal links through the sandbox after confirmation, and never stores or logs them', async () => {
    const h = await callOperation(m.dispatch, 'sso.handoff', {});
    const org = h.organizations.find((o) => o.connections.length)!;
    // No confirmation, no write.
    const refused = await m.dispatch('sso.generateLink', { orgId: org.orgId, intent: 'sso' });
    expect(refused.ok).toBe(false);
    const unknown = await m.dispatch('sso.generateLink', { orgId: 'org_nope', intent: 'sso', confirm: true });
    expect(unknown.ok || unknown.error.code).toBe('not_found');

    const link = await callOperation(m.dispatch, 'sso.generateLink', {
      orgId: org.orgId,
      intent: 'sso',
      confirm: true,
    });
    expect(link.workosOrganizationId).toBe(org.workosOrganizationId);
    expect(link.link.startsWith(`${m.sb.baseUrl}/portal/launch?secret=`)).toBe(true);
    const page = await fetch(link.link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Intent: sso');
    expect(html).toContain(org.name.replace(/&/g, '&#38;'));

    const after = await callOperation(m.dispatch, 'sso.handoff', {});
    expect(after.organizations.find((o) => o.orgId === org.orgId)!.links.sso).toBe(link.generatedAt);
    expect(after.summary.linksGenerated).toBe(1);

    // The link is a bearer secret: not in the workspace file, its WAL, the audit log or the app log.
    const token = new URL(link.link).searchParams.get('secret')!;
    const file = m.t.tw.file;
    for (const f of [file, `${file}-wal`])
      if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(token))).toBe(false);
    const ws = m.services.requireWorkspace();
    const audit = ws.db
      .prepare("SELECT details_json FROM audit_log WHERE action = 'sso.portalLink.generated'")
      .pluck()
      .all() as string[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!)).toEqual({
      orgId: org.orgId,
      workosOrganizationId: org.workosOrganizationId,
      intent: 'sso',
    });
    for (const f of readdirSync(m.logDir))
      expect(readFileSync(join(m.logDir, f), 'utf8')).not.toContain(token);

    // Domain verification for an organization with pending domains, when the tenant has one.
    const pending = after.organizations.find((o) => o.pendingDomains.length);
    if (pending) {
      const dv = await callOperation(m.dispatch, 'sso.generateLink', {
        orgId: pending.orgId,
        intent: 'domain_verification',
        confirm: true,
      });
      expect(await (await fetch(dv.link)).text()).toContain('Intent: domain_verification');
    }
  });

  it('is done once every enterprise connection has a link per organization or is marked handled', async () => {
    let h = await callOperation(m.dispatch, 'sso.handoff', {});
    for (const o of h.organizations.filter((x) => x.connections.length && !x.links.sso))
      await callOperation(m.dispatch, 'sso.generateLink', { orgId: o.orgId, intent: 'sso', confirm: true });
    h = await callOperation(m.dispatch, 'sso.handoff', {});
    const orphans = h.connections.filter((c) => c.organizations.length === 0);
    for (const c of h.connections.filter((x) => x.organizations.length)) expect(c.handedOff).toBe(true);
    if (orphans.length) {
      expect(h.done).toBe(false);
      expect(await wizardState('sso')).not.toBe('done');
      for (const c of orphans)
        h = await callOperation(m.dispatch, 'sso.markHandled', {
          connectionId: c.connectionId,
          handled: true,
          note: 'Configured by the customer directly',
        });
    }
    expect(h.done).toBe(true);
    expect(h.summary.handedOff).toBe(h.summary.enterprise);
    expect(await wizardState('sso')).toBe('done');
    // Withdrawing a mark makes the step open again.
    if (orphans.length) {
      await callOperation(m.dispatch, 'sso.markHandled', {
        connectionId: orphans[0]!.connectionId,
        handled: false,
      });
      expect(await wizardState('sso')).not.toBe('done');
      await callOperation(m.dispatch, 'sso.markHandled', {
        connectionId: orphans[0]!.connectionId,
        handled: true,
      });
    }
    // Only enterprise connections take a hand-off.
    const db = m.t.tenant.connections.find((c) => c.strategy === 'auth0')!;
    const bad = await m.dispatch('sso.markHandled', { connectionId: db.id, handled: true });
    expect(bad.ok || bad.error.code).toBe('invalid_input');
  });

  it('exports the WorkOS CLI SSO files, with secrets only when explicitly confirmed', async () => {
    const plain = mkdtempSync(join(m.t.dir, 'sso-plain-'));
    const r = await callOperation(m.dispatch, 'sso.exportFiles', { folder: plain });
    expect(r.secretsIncluded).toBe(false);
    const read = (dir: string, f: keyof typeof CSV_HEADERS) => {
      const rows = parse(readFileSync(join(dir, f), 'utf8')) as string[][];
      expect(rows[0]).toEqual([...CSV_HEADERS[f]]);
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      return rows.slice(1).map((row) => Object.fromEntries(CSV_HEADERS[f].map((h, i) => [h, row[i] ?? ''])));
    };
    const saml = read(plain, 'sso/saml_connections.csv');
    const oidc = read(plain, 'sso/oidc_connections.csv');
    const tenant = m.t.tenant;
    const strategyOf = new Map(tenant.connections.map((c) => [c.id, c.strategy]));
    const pairs = (strategies: string[]) =>
      tenant.orgConnections.filter((oc) => strategies.includes(strategyOf.get(oc.connection_id)!)).length;
    expect(saml).toHaveLength(pairs(['samlp', 'adfs', 'pingfederate']));
    expect(oidc).toHaveLength(pairs(['oidc', 'waad', 'okta', 'google-apps']));
    expect(r.counts).toEqual({ saml: saml.length, oidc: oidc.length });
    const liveOrgs = new Map(m.sb.state().organizations.map((o) => [o.external_id, o.id]));
    for (const row of [...saml, ...oidc])
      expect(row.organizationId).toBe(liveOrgs.get(row.organizationExternalId ?? null));
    const notes = readFileSync(join(plain, 'sso/handoff_notes.md'), 'utf8');
    expect(notes).toContain('Admin Portal link generated');
    const everything = [
      notes,
      ...['saml', 'oidc'].map((p) => readFileSync(join(plain, `sso/${p}_connections.csv`), 'utf8')),
    ].join('\n');
    for (const secret of knownSecrets(m)) expect(everything).not.toContain(secret);

    const unconfirmed = await m.dispatch('sso.exportFiles', {
      folder: mkdtempSync(join(m.t.dir, 'sso-x-')),
      includeSecrets: true,
    });
    expect(unconfirmed.ok || unconfirmed.error.code).toBe('invalid_input');

    const withSecrets = mkdtempSync(join(m.t.dir, 'sso-secrets-'));
    const r2 = await callOperation(m.dispatch, 'sso.exportFiles', {
      folder: withSecrets,
      includeSecrets: true,
      confirmSecrets: true,
    });
    expect(r2.secretsIncluded).toBe(true);
    const oidcSecret = read(withSecrets, 'sso/oidc_connections.csv');
    for (const row of oidcSecret) {
      const conn = tenant.connections.find((c) => c.id === row.externalId)!;
      expect(row.clientSecret).toBe((conn.options as { client_secret: string }).client_secret);
    }
    for (const row of read(withSecrets, 'sso/saml_connections.csv').filter((x) => x.name === 'acme-saml'))
      expect(row.assertionEncryptionKey).toMatch(/BEGIN PRIVATE KEY/);
    expect(readFileSync(join(withSecrets, 'sso/handoff_notes.md'), 'utf8')).toContain(
      'contain connection secrets',
    );
    // A folder that is not empty is refused.
    const again = await m.dispatch('sso.exportFiles', { folder: plain });
    expect(again.ok || again.error.code).toBe('invalid_input');
  });
});
