import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_HEADERS, exportWorkosCliDir, importWorkosCliDir } from '../../../src/main/pkg/workos-cli';
import { createWorkspace, type Workspace } from '../../../src/main/workspace';
import { memoryKeychain } from '../../../src/main/secrets/keychain';
import { exportedTenant, type Exported } from '../review/setup';

let ex: Exported;
let ws: Workspace;

beforeAll(async () => {
  ex = await exportedTenant({ users: 500, orgs: 12, seed: 'review-workos-cli' });
  ws = ex.open();
});
afterAll(() => {
  ws?.close();
  ex?.cleanup();
});

async function fresh(name: string): Promise<Workspace> {
  return createWorkspace(join(ex.dir, `${name}.a2w.sqlite`), { keychain: memoryKeychain(), name });
}

const CSVS = Object.keys(CSV_HEADERS);

describe('WorkOS migrations CLI directory', () => {
  it('writes the files with the headers of REFERENCE.md and reads them back into an identical workspace', async () => {
    const dir1 = join(ex.dir, 'cli1');
    const r = await exportWorkosCliDir(ws, dir1);
    const exact: Record<string, string> = {
      'users.csv':
        'email,password,password_hash,password_hash_type,first_name,last_name,email_verified,external_id,metadata,org_id,org_external_id,org_name,role_slugs',
      'organizations.csv': 'org_id,org_external_id,org_name,domains,metadata',
      'organization_memberships.csv':
        'email,external_id,user_id,org_id,org_external_id,org_name,role_slugs,metadata',
      'role_definitions.csv': 'role_slug,role_name,role_type,permissions,org_id,org_external_id',
      'user_role_assignments.csv': 'email,user_id,external_id,role_slug,org_id,org_external_id',
      'totp_secrets.csv': 'email,totp_secret,totp_issuer,totp_user',
      'sso/saml_connections.csv':
        'name,organizationName,organizationId,organizationExternalId,domains,idpEntityId,idpUrl,x509Cert,idpMetadataUrl,customEntityId,customAcsUrl,idpIdAttribute,emailAttribute,firstNameAttribute,lastNameAttribute,nameAttribute,idpInitiatedEnabled,requestSigningKey,assertionEncryptionKey,nameIdEncryptionKey,externalId',
      'sso/oidc_connections.csv':
        'name,organizationName,organizationId,organizationExternalId,domains,clientId,clientSecret,discoveryEndpoint,customRedirectUri,externalId',
      'sso/proxy_routes.csv':
        'externalId,organizationExternalId,provider,protocol,sourceAcsUrl,sourceEntityId,sourceRedirectUri,customAcsUrl,customEntityId,customRedirectUri,workosConnectionId,workosAcsUrl,cutoverState,notes',
    };
    for (const [f, h] of Object.entries(exact))
      expect(readFileSync(join(dir1, f), 'utf8').split('\n')[0]).toBe(h);
    const manifest = JSON.parse(readFileSync(join(dir1, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ schemaVersion: 1, provider: 'auth0', secretsRedacted: true });
    for (const k of [
      'sourceTenant',
      'generatedAt',
      'entitiesRequested',
      'entitiesExported',
      'files',
      'importability',
      'warnings',
    ])
      expect(manifest).toHaveProperty(k);
    // A user in N organizations has N rows in users.csv.
    const users = parse(readFileSync(join(dir1, 'users.csv')), { columns: true }) as Record<string, string>[];
    const multi = ex.tenant.members.reduce(
      (m, x) => m.set(x.user_id, (m.get(x.user_id) ?? 0) + 1),
      new Map<string, number>(),
    );
    const someMulti = users.find((u) => (multi.get(u.external_id!) ?? 0) > 1)!;
    expect(users.filter((u) => u.external_id === someMulti.external_id)).toHaveLength(
      multi.get(someMulti.external_id!)!,
    );
    expect(r.counts.users).toBe(new Set(users.map((u) => u.external_id)).size);
    expect(users.every((u) => u.password_hash === '' && u.password === '')).toBe(true);

    const b = await fresh('from-cli');
    try {
      await importWorkosCliDir(b, dir1);
      const dir2 = join(ex.dir, 'cli2');
      await exportWorkosCliDir(b, dir2);
      for (const f of CSVS)
        expect(readFileSync(join(dir2, f), 'utf8'), f).toBe(readFileSync(join(dir1, f), 'utf8'));
      const m2 = JSON.parse(readFileSync(join(dir2, 'manifest.json'), 'utf8'));
      const { skipped_users: _a, ...e1 } = manifest.entitiesExported;
      const { skipped_users: _b, ...e2 } = m2.entitiesExported;
      expect(e2).toEqual(e1);
    } finally {
      b.close();
    }
  });

  it('reads the older importedId column', async () => {
    const dir = join(ex.dir, 'cli-old');
    cpSync(join(ex.dir, 'cli1'), dir, { recursive: true });
    for (const f of ['sso/saml_connections.csv', 'sso/oidc_connections.csv']) {
      const text = readFileSync(join(dir, f), 'utf8');
      writeFileSync(join(dir, f), text.replace(/,externalId\n/, ',importedId\n'));
    }
    const b = await fresh('old');
    try {
      const r = await importWorkosCliDir(b, dir);
      expect(r.counts.saml_connections).toBeGreaterThan(0);
      expect(b.db.prepare('SELECT count(*) FROM auth0_org_connections').pluck().get()).toBeGreaterThan(0);
    } finally {
      b.close();
    }
  });

  it('refuses hostile directories with a reason', async () => {
    const variant = (name: string, edit: (dir: string) => void) => {
      const dir = join(ex.dir, name);
      cpSync(join(ex.dir, 'cli1'), dir, { recursive: true });
      edit(dir);
      return dir;
    };
    const cases: [string, (d: string) => void, RegExp][] = [
      [
        'lying',
        (d) => {
          const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
          m.entitiesExported.users += 3;
          writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
        },
        /manifest.json says/,
      ],
      [
        'headers',
        (d) => {
          const t = readFileSync(join(d, 'organizations.csv'), 'utf8');
          writeFileSync(join(d, 'organizations.csv'), t.replace('org_name', 'name'));
        },
        /organizations.csv line 1/,
      ],
      [
        'symlink',
        (d) => {
          writeFileSync(join(ex.dir, 'outside.csv'), 'x');
          const p = join(d, 'role_definitions.csv');
          writeFileSync(p, '');
          rmSync(p);
          symlinkSync(join(ex.dir, 'outside.csv'), p);
        },
        /symbolic link/,
      ],
      [
        'badcsv',
        (d) => {
          writeFileSync(
            join(d, 'organizations.csv'),
            readFileSync(join(d, 'organizations.csv'), 'utf8') + '"unterminated,\n',
          );
        },
        /organizations.csv line \d+: not valid CSV/,
      ],
      ['nomanifest', (d) => rmSync(join(d, 'manifest.json')), /no manifest.json/],
    ];
    for (const [name, edit, msg] of cases) {
      const b = await fresh(`hostile-${name}`);
      try {
        await expect(importWorkosCliDir(b, variant(name, edit)), name).rejects.toThrow(msg);
        expect(b.db.prepare('SELECT count(*) FROM auth0_users').pluck().get()).toBe(0);
      } finally {
        b.close();
      }
    }
    expect(readdirSync(ex.dir).length).toBeGreaterThan(0);
    mkdirSync(join(ex.dir, 'empty'));
  });
});
