import { argon2Sync, createHash, pbkdf2Sync, scryptSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { Prng } from './common/prng';
import {
  TENANT_FORMAT_VERSION,
  type Auth0Action,
  type Auth0Connection,
  type Auth0Member,
  type Auth0Organization,
  type Auth0Role,
  type Auth0User,
  type MfaEnrollment,
  type PasswordLine,
  type Tenant,
} from './tenant';

// Deterministic synthetic Auth0 tenants with the awkward cases real tenants have. Same options -> the
// same JSON, byte for byte: every random choice comes from a seeded Prng and no clock is read.
//
// Hashing trade-off: hashing one bcrypt per user would take minutes at 100k users, so passwords come from
// a pool (up to `passwordPoolSize`, default 2048) whose hashes are computed once, each with its own salt,
// and users are assigned pool entries deterministically. Users who share a pool entry share the same hash
// string; every hash is still a real hash of the password recorded in `plaintextPasswords`.

export interface GenerateOptions {
  users: number;
  orgs: number;
  seed: string | number;
  tenantName?: string;
  /** bcrypt cost for the pool (default 4: fast and still a real bcrypt). */
  bcryptCost?: number;
  passwordPoolSize?: number;
  /** Total memberships to aim for (the benchmark's 1.5 per user); without it about 1.1 per user. */
  memberships?: number;
}

export const LEGACY_ALGORITHMS = [
  'argon2id',
  'scrypt',
  'pbkdf2-sha256',
  'ssha',
  'md5',
  'sha1',
  'sha256',
] as const;
export type LegacyAlgorithm = (typeof LEGACY_ALGORITHMS)[number];

/** Exact numbers of each planted case, as the generator planted them (see `plantedCounts`). */
export interface TenantManifest {
  users: number;
  organizations: number;
  memberships: number;
  roles: number;
  connections: number;
  database: number;
  social: number;
  enterprise: number;
  passwordless: number;
  usersWithoutEmail: number;
  blocked: number;
  unverified: number;
  noOrg: number;
  oneOrg: number;
  multiOrg: number;
  duplicateEmailAcrossConnections: number;
  smsMfa: number;
  totpMfa: number;
  pushMfa: number;
  altIdUsers: number;
  unicodeNames: number;
  largeMetadata: number;
  nonStringMetadata: number;
  orgsOver1000Members: number;
  bcryptHashes: number;
  legacyHashesByAlgorithm: Record<LegacyAlgorithm, number>;
  passwordLines: number;
  passwordLinesWithoutRootEmail: number;
  passwordLinesWithPrefixedOid: number;
  duplicatePasswordLines: number;
  orphanPasswordLines: number;
}

const EPOCH = Date.UTC(2019, 0, 1);
const DAY = 86_400_000;

const FIRST = [
  'Ann',
  'Ben',
  'Chloe',
  'Dev',
  'Eli',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kai',
  'Lena',
  'Marco',
  'Nia',
  'Omar',
  'Pia',
  'Quinn',
  'Raj',
  'Sara',
  'Tom',
];
const LAST = [
  'Smith',
  'Jones',
  'Garcia',
  'Chen',
  'Okafor',
  'Muller',
  'Rossi',
  'Kim',
  'Patel',
  'Novak',
  'Silva',
  'Brown',
  'Taylor',
  'Khan',
  'Lopez',
];
const UNICODE_NAMES: [string, string][] = [
  ['Zoë', 'Ångström'],
  ['李', '小龙'],
  ['Дмитрий', 'Иванов'],
  ['محمد', 'علي'],
  ['José', 'Núñez'],
  ['Ñandú', 'Çelik'],
  ['Siobhán', "O'Brien-Ó Súilleabháin"],
  ['Ava 🙂', 'Emoji'],
  ['हरि', 'शर्मा'],
  ['Łukasz', 'Żółć'],
];
const WORDS = [
  'river',
  'maple',
  'orbit',
  'copper',
  'lantern',
  'violet',
  'harbor',
  'summit',
  'ember',
  'quartz',
  'meadow',
  'falcon',
];
const ORG_WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Vandelay',
  'Wonka',
];

const DB1 = 'Username-Password-Authentication';
const DB2 = 'legacy-customers';
const DB3 = 'partners-db';
const ENTERPRISE = ['samlp', 'oidc', 'adfs', 'waad'] as const;
const SOCIAL = ['google-oauth2', 'github'] as const;

export const ENTERPRISE_STRATEGIES = new Set([
  'samlp',
  'oidc',
  'waad',
  'adfs',
  'okta',
  'google-apps',
  'pingfederate',
  'ad',
  'office365',
  'ip',
]);
export const PASSWORDLESS_STRATEGIES = new Set(['email', 'sms']);

interface PoolEntry {
  password: string;
  hash: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const base32 = (buf: Buffer): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
};
const bcryptSalt = (rng: Prng, prefix: string, cost: number): string => {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 22; i++) s += alphabet[rng.int(0, 63)];
  return `${prefix}${String(cost).padStart(2, '0')}$${s}`;
};
const b64 = (buf: Buffer): string => buf.toString('base64').replace(/=+$/, '');

function makePassword(rng: Prng, i: number): string {
  const unicode = i % 97 === 13 ? 'pässwörd-' : '';
  return `${unicode}${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.int(10, 9999)}${rng.pick(['!', '#', '', '?'])}`;
}

/** Computes a real hash of `password` in the named legacy format (formats: docs/tenant-format.md). */
export function legacyHash(algorithm: LegacyAlgorithm, password: string, salt: Buffer): string {
  switch (algorithm) {
    case 'argon2id': {
      const hash = argon2Sync('argon2id', {
        message: password,
        nonce: salt,
        parallelism: 1,
        tagLength: 32,
        memory: 1024,
        passes: 2,
      });
      return `$argon2id$v=19$m=1024,t=2,p=1$${b64(salt)}$${b64(hash)}`;
    }
    case 'scrypt': {
      const hash = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
      return `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(hash)}`;
    }
    case 'pbkdf2-sha256': {
      const hash = pbkdf2Sync(password, salt, 1000, 32, 'sha256');
      return `$pbkdf2-sha256$i=1000,l=32$${b64(salt)}$${b64(hash)}`;
    }
    case 'ssha': {
      const digest = createHash('sha1').update(password).update(salt).digest();
      return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
      return createHash(algorithm).update(password).digest('hex');
  }
}

/** The hash family of a passwordHash string, from its prefix or length. */
export function hashAlgorithmOf(hash: string): 'bcrypt' | LegacyAlgorithm | 'unknown' {
  if (/^\$2[aby]\$\d\d\$/.test(hash)) return 'bcrypt';
  if (hash.startsWith('$argon2id$')) return 'argon2id';
  if (hash.startsWith('$scrypt$')) return 'scrypt';
  if (hash.startsWith('$pbkdf2-sha256$')) return 'pbkdf2-sha256';
  if (hash.startsWith('{SSHA}')) return 'ssha';
  if (/^[0-9a-f]{32}$/.test(hash)) return 'md5';
  if (/^[0-9a-f]{40}$/.test(hash)) return 'sha1';
  if (/^[0-9a-f]{64}$/.test(hash)) return 'sha256';
  return 'unknown';
}

function pem(rng: Prng, label: string, bytes: number): string {
  const body = rng
    .bytes(bytes)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

function makeConnections(rng: Prng, domain: string): Auth0Connection[] {
  const secret = (n = 32) => rng.bytes(n).toString('base64url');
  const id = () => `con_${rng.hex(8)}`;
  const dbOptions = (extra: Record<string, unknown>) => ({
    mfa: { active: true, return_enroll_settings: true },
    passwordPolicy: 'good',
    brute_force_protection: true,
    strategy_version: 2,
    ...extra,
  });
  return [
    {
      id: id(),
      name: DB1,
      strategy: 'auth0',
      options: dbOptions({ requires_username: false }),
      realms: [DB1],
      is_domain_connection: false,
    },
    {
      id: id(),
      name: DB2,
      strategy: 'auth0',
      options: dbOptions({
        import_mode: true,
        enabledDatabaseCustomization: true,
        customScripts: {
          login:
            'function login(email, password, callback) {\n  // legacy store lookup\n  callback(null);\n}',
        },
        configuration: { LEGACY_DB_PASSWORD: secret() },
      }),
      realms: [DB2],
      is_domain_connection: false,
    },
    {
      id: id(),
      name: DB3,
      strategy: 'auth0',
      options: dbOptions({ requires_username: true }),
      realms: [DB3],
      is_domain_connection: false,
    },
    {
      id: id(),
      name: 'google-oauth2',
      strategy: 'google-oauth2',
      options: {
        client_id: `${rng.int(1e11, 9e11)}-${rng.hex(16)}.apps.googleusercontent.com`,
        client_secret: `GOCSPX-${secret(21)}`,
        email: true,
        profile: true,
        scope: ['email', 'profile'],
      },
    },
    {
      id: id(),
      name: 'github',
      strategy: 'github',
      options: {
        client_id: `Iv1.${rng.hex(8)}`,
        client_secret: rng.hex(20),
        email: true,
        scope: ['user:email'],
      },
    },
    {
      id: id(),
      name: 'acme-saml',
      display_name: 'Acme Corp SSO',
      strategy: 'samlp',
      options: {
        signInEndpoint: 'https://idp.acme.example/app/sso/saml',
        signOutEndpoint: 'https://idp.acme.example/app/slo/saml',
        signingCert: pem(rng, 'CERTIFICATE', 720),
        entityId: 'http://www.okta.com/exk' + rng.hex(8),
        metadataUrl: 'https://idp.acme.example/app/exk/sso/saml/metadata',
        signSAMLRequest: true,
        signatureAlgorithm: 'rsa-sha256',
        digestAlgorithm: 'sha256',
        protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        decryptionKey: { key: pem(rng, 'PRIVATE KEY', 1190), cert: pem(rng, 'CERTIFICATE', 720) },
        fieldsMap: {
          email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          given_name: 'firstName',
          family_name: 'lastName',
        },
        domain_aliases: ['acme.example', 'acme-corp.example'],
        tenant_domain: 'acme.example',
      },
      is_domain_connection: false,
    },
    {
      id: id(),
      name: 'globex-oidc',
      display_name: 'Globex',
      strategy: 'oidc',
      options: {
        type: 'back_channel',
        client_id: `0oa${rng.hex(8)}`,
        client_secret: secret(),
        discovery_url: 'https://login.globex.example/.well-known/openid-configuration',
        issuer: 'https://login.globex.example',
        authorization_endpoint: 'https://login.globex.example/oauth2/v1/authorize',
        token_endpoint: 'https://login.globex.example/oauth2/v1/token',
        jwks_uri: 'https://login.globex.example/oauth2/v1/keys',
        scope: 'openid profile email',
        domain_aliases: ['globex.example'],
      },
    },
    {
      id: id(),
      name: 'initech-adfs',
      strategy: 'adfs',
      options: {
        adfs_server: 'https://adfs.initech.example/FederationMetadata/2007-06/FederationMetadata.xml',
        fedMetadataXml: `<EntityDescriptor entityID="http://adfs.initech.example/adfs/services/trust"><!-- ${rng.hex(16)} --></EntityDescriptor>`,
        thumbprints: [rng.hex(20)],
        signInEndpoint: 'https://adfs.initech.example/adfs/ls/',
        domain_aliases: ['initech.example'],
      },
    },
    {
      id: id(),
      name: 'contoso-azure',
      display_name: 'Contoso (Entra ID)',
      strategy: 'waad',
      options: {
        client_id: `${rng.hex(4)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(6)}`,
        client_secret: `${rng.hex(2)}~${secret(30)}`,
        tenant_domain: 'contoso.onmicrosoft.com',
        tenant_id: `${rng.hex(4)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(6)}`,
        waad_protocol: 'openid-connect',
        useCommonEndpoint: false,
        domain_aliases: ['contoso.example'],
        app_domain: domain,
      },
    },
    {
      id: id(),
      name: 'email',
      strategy: 'email',
      options: {
        from: `no-reply@${domain}`,
        subject: 'Your sign-in code',
        totp: { length: 6, time_step: 300 },
      },
    },
    {
      id: id(),
      name: 'sms',
      strategy: 'sms',
      options: {
        from: '+15550100',
        twilio_sid: `AC${rng.hex(16)}`,
        twilio_token: rng.hex(16),
        syntax: 'md_with_macros',
        totp: { length: 6, time_step: 300 },
      },
    },
  ];
}

function makeRoles(rng: Prng): Auth0Role[] {
  const names = [
    'Admin',
    'admin ',
    'admin',
    'Member',
    'member',
    'Owner',
    'Viewer',
    'Editor',
    'Billing & Finance (EU)',
    'Support—Tier 2',
    'read:all/write*',
    'Regional Operations Manager for Europe, Middle East and Africa'.slice(0, 60),
  ];
  return names.map((name) => ({ id: `rol_${rng.hex(8)}`, name, description: `${name.trim()} role` }));
}

function makeCustomLogic(rng: Prng): Pick<Tenant, 'actions' | 'rules' | 'hooks'> {
  const at = (d: number) => iso(EPOCH + d * DAY);
  const actions: Auth0Action[] = [
    {
      id: rng.hex(4) + '-' + rng.hex(12),
      name: 'add-roles-to-token',
      supported_triggers: [{ id: 'post-login', version: 'v3' }],
      code: "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('roles', event.authorization?.roles);\n};",
      runtime: 'node22',
      status: 'built',
      all_changes_deployed: true,
      created_at: at(100),
      updated_at: at(400),
      secrets: [{ name: 'API_KEY' }],
      dependencies: [],
    },
    {
      id: rng.hex(4) + '-' + rng.hex(12),
      name: 'block-disposable-emails',
      supported_triggers: [{ id: 'pre-user-registration', version: 'v2' }],
      code: 'exports.onExecutePreUserRegistration = async (event, api) => {};',
      runtime: 'node22',
      status: 'built',
      all_changes_deployed: false,
      created_at: at(200),
      updated_at: at(500),
    },
    {
      id: rng.hex(4) + '-' + rng.hex(12),
      name: 'sync-to-crm',
      supported_triggers: [{ id: 'post-user-registration', version: 'v2' }],
      code: 'exports.onExecutePostUserRegistration = async (event) => {};',
      runtime: 'node18',
      status: 'built',
      all_changes_deployed: true,
      created_at: at(250),
      updated_at: at(260),
      dependencies: [{ name: 'axios', version: '1.7.2' }],
    },
  ];
  const rules = [
    {
      id: `rul_${rng.hex(8)}`,
      name: 'Enrich profile with CRM id',
      enabled: true,
      script: 'function (user, context, callback) {\n  callback(null, user, context);\n}',
      order: 1,
      stage: 'login_success',
    },
    {
      id: `rul_${rng.hex(8)}`,
      name: 'Force MFA for admins',
      enabled: false,
      script: 'function (user, context, callback) {\n  callback(null, user, context);\n}',
      order: 2,
      stage: 'login_success',
    },
  ];
  const hooks = [
    {
      id: rng.hex(12),
      name: 'legacy-pre-registration',
      enabled: true,
      script: 'module.exports = function (user, context, cb) { cb(null, { user }); };',
      triggerId: 'pre-user-registration',
      dependencies: { lodash: '4.17.21' },
    },
  ];
  return { actions, rules, hooks };
}

function emptyManifest(): TenantManifest {
  return {
    users: 0,
    organizations: 0,
    memberships: 0,
    roles: 0,
    connections: 0,
    database: 0,
    social: 0,
    enterprise: 0,
    passwordless: 0,
    usersWithoutEmail: 0,
    blocked: 0,
    unverified: 0,
    noOrg: 0,
    oneOrg: 0,
    multiOrg: 0,
    duplicateEmailAcrossConnections: 0,
    smsMfa: 0,
    totpMfa: 0,
    pushMfa: 0,
    altIdUsers: 0,
    unicodeNames: 0,
    largeMetadata: 0,
    nonStringMetadata: 0,
    orgsOver1000Members: 0,
    bcryptHashes: 0,
    legacyHashesByAlgorithm: {
      argon2id: 0,
      scrypt: 0,
      'pbkdf2-sha256': 0,
      ssha: 0,
      md5: 0,
      sha1: 0,
      sha256: 0,
    },
    passwordLines: 0,
    passwordLinesWithoutRootEmail: 0,
    passwordLinesWithPrefixedOid: 0,
    duplicatePasswordLines: 0,
    orphanPasswordLines: 0,
  };
}

export interface GeneratedTenant {
  tenant: Tenant;
  manifest: TenantManifest;
}

/** Generates a tenant; see `generateTenantWithManifest` for what was planted. */
export function generateTenant(opts: GenerateOptions): Tenant {
  return generateTenantWithManifest(opts).tenant;
}

export function generateTenantWithManifest(opts: GenerateOptions): GeneratedTenant {
  if (!Number.isInteger(opts.users) || opts.users < 0)
    throw new RangeError('users must be a non-negative integer');
  if (!Number.isInteger(opts.orgs) || opts.orgs < 0)
    throw new RangeError('orgs must be a non-negative integer');
  const root = new Prng(opts.seed);
  const tenantName = opts.tenantName ?? 'rehearsal';
  const domain = `${tenantName}.eu.auth0.local`;
  const m = emptyManifest();

  const connections = makeConnections(root.fork('connections'), domain);
  const byName = new Map(connections.map((c) => [c.name, c]));
  const roles = makeRoles(root.fork('roles'));
  const logic = makeCustomLogic(root.fork('logic'));

  // Password pools: hashed once, each entry with its own salt.
  const poolRng = root.fork('passwords');
  const cost = opts.bcryptCost ?? 4;
  const poolSize = Math.max(1, Math.min(opts.passwordPoolSize ?? 2048, Math.ceil(opts.users * 0.8)));
  const bcryptPool: PoolEntry[] = [];
  for (let i = 0; i < poolSize; i++) {
    const password = makePassword(poolRng, i);
    const prefix = i % 10 === 7 ? '$2a$' : '$2b$';
    let hash = bcrypt.hashSync(password, bcryptSalt(poolRng, prefix, cost));
    if (i % 10 === 9) hash = `$2y$${hash.slice(4)}`; // PHP-style prefix, same algorithm
    bcryptPool.push({ password, hash });
  }
  const legacyPools = new Map<LegacyAlgorithm, PoolEntry[]>();
  const legacySize = Math.max(1, Math.min(64, Math.ceil(opts.users / 50)));
  for (const alg of LEGACY_ALGORITHMS) {
    const entries: PoolEntry[] = [];
    for (let i = 0; i < legacySize; i++) {
      const password = makePassword(poolRng, i);
      entries.push({ password, hash: legacyHash(alg, password, poolRng.bytes(16)) });
    }
    legacyPools.set(alg, entries);
  }

  const orgRng = root.fork('orgs');
  const organizations: Auth0Organization[] = [];
  for (let i = 0; i < opts.orgs; i++) {
    const word = ORG_WORDS[i % ORG_WORDS.length]!;
    const display =
      i % 17 === 5
        ? `${word} Société Générale ${i}`
        : i % 23 === 11
          ? `${word.toUpperCase()} ${i}`
          : `${word} ${i}`;
    organizations.push({
      id: `org_${orgRng.hex(8)}`,
      name: `${word.toLowerCase()}-${i}`,
      display_name: display,
      metadata: {
        plan: orgRng.pick(['free', 'team', 'enterprise']),
        region: orgRng.pick(['eu', 'us', 'apac']),
        crm_id: `A-${10000 + i}`,
      },
    });
  }
  m.organizations = organizations.length;

  const users: Auth0User[] = [];
  const members: Auth0Member[] = [];
  const passwords: PasswordLine[] = [];
  const mfa: MfaEnrollment[] = [];
  const plaintextPasswords: Record<string, string> = {};
  const reusableEmails: { email: string; connection: string }[] = [];
  let reusePointer = 0;
  const rng = root.fork('users');
  const bigOrgUsers = opts.users >= 5000 && opts.orgs >= 4 ? Math.floor(opts.users * 0.3) : 0;
  const secondBigOrgUsers = opts.users >= 50000 && opts.orgs >= 4 ? Math.floor(opts.users * 0.45) : 0;

  for (let i = 0; i < opts.users; i++) {
    const created = EPOCH + rng.int(0, 1800) * DAY + rng.int(0, DAY - 1);
    const unicode = rng.chance(0.05);
    const [given, family] = unicode ? rng.pick(UNICODE_NAMES) : [rng.pick(FIRST), rng.pick(LAST)];
    if (unicode) m.unicodeNames++;
    const local = `${(unicode ? 'user' : given).toLowerCase()}.${(unicode ? 'u' : family).toLowerCase()}.${i}`;
    const kindRoll = rng.next();
    const kind =
      kindRoll < 0.72
        ? 'database'
        : kindRoll < 0.84
          ? 'social'
          : kindRoll < 0.93
            ? 'enterprise'
            : 'passwordless';
    let connection: string;
    let strategy: string;
    let userId: string;
    let email: string | undefined;
    let username: string | undefined;
    let phone: string | undefined;
    let altId: string | undefined;
    let oid: string | undefined;
    if (kind === 'database') {
      const r = rng.next();
      connection = r < 0.6 ? DB1 : r < 0.85 ? DB2 : DB3;
      strategy = 'auth0';
      oid = rng.hex(12);
      email = `${local}@${rng.pick(['example.com', 'mail.example', 'corp.example'])}`;
      const usernameOnly = connection === DB3 && rng.chance(0.3);
      if (usernameOnly) email = undefined;
      else if (connection !== DB1 && reusePointer < reusableEmails.length && rng.chance(0.04)) {
        email = reusableEmails[reusePointer++]!.email;
        m.duplicateEmailAcrossConnections++;
      } else if (connection === DB1 && email) reusableEmails.push({ email, connection });
      if (connection === DB3) username = `${given.toLowerCase().replace(/[^a-z]/g, '') || 'user'}_${i}`;
      if (connection === DB2 && rng.chance(0.08)) altId = `legacy-${100000 + i}`;
      userId = `auth0|${altId ?? oid}`;
      m.database++;
    } else if (kind === 'social') {
      strategy = rng.pick(SOCIAL);
      connection = strategy;
      // Provider ids look random but embed the user's index so none repeats, even at 1M users
      // (random ids alone collided a dozen times there and left the tenant's counts ambiguous).
      userId =
        strategy === 'github'
          ? `github|${100000 + i * 97 + rng.int(0, 96)}`
          : `google-oauth2|1${String(i).padStart(8, '0')}${rng.int(1e11, 9e11 - 1)}`;
      email = `${local}@gmail.example`;
      m.social++;
    } else if (kind === 'enterprise') {
      strategy = rng.pick(ENTERPRISE);
      const conn = { samlp: 'acme-saml', oidc: 'globex-oidc', adfs: 'initech-adfs', waad: 'contoso-azure' }[
        strategy
      ]!;
      connection = conn;
      const mailDomain = {
        samlp: 'acme.example',
        oidc: 'globex.example',
        adfs: 'initech.example',
        waad: 'contoso.example',
      }[strategy]!;
      email = `${local}@${mailDomain}`;
      userId = strategy === 'waad' ? `waad|${rng.hex(16)}` : `${strategy}|${conn}|${email}`;
      m.enterprise++;
    } else {
      strategy = rng.chance(0.6) ? 'email' : 'sms';
      connection = strategy;
      userId = `${strategy}|${rng.hex(12)}`;
      if (strategy === 'email') email = `${local}@example.org`;
      else phone = `+1555${String(1000000 + i).slice(-7)}`;
      m.passwordless++;
    }
    if (!email) m.usersWithoutEmail++;
    const verified = email ? !rng.chance(0.08) : undefined;
    if (email && !verified) m.unverified++;
    const blocked = rng.chance(0.02);
    if (blocked) m.blocked++;

    const identityId = userId.slice(userId.indexOf('|') + 1);
    const user: Auth0User = {
      user_id: userId,
      ...(email ? { email, email_verified: verified } : {}),
      ...(username ? { username } : {}),
      ...(phone ? { phone_number: phone, phone_verified: true } : {}),
      name: `${given} ${family}`,
      given_name: given,
      family_name: family,
      nickname: (username ?? local).slice(0, 40),
      picture: `https://s.gravatar.example/avatar/${rng.hex(16)}?d=identicon`,
      created_at: iso(created),
      updated_at: iso(created + rng.int(0, 400) * DAY),
      identities: [{ provider: strategy, connection, user_id: identityId, isSocial: kind === 'social' }],
      app_metadata: { plan: rng.pick(['free', 'pro', 'business']), crm_id: `C-${i}` },
      user_metadata: { locale: rng.pick(['en', 'de', 'fr', 'ja', 'pt-BR']) },
    };
    const logins = rng.int(0, 400);
    if (logins > 0) {
      user.logins_count = logins;
      user.last_login = iso(created + rng.int(1, 900) * DAY);
      user.last_ip = `203.0.113.${rng.int(1, 254)}`;
    }
    if (blocked) user.blocked = true;
    if (rng.chance(0.005)) {
      const big: Record<string, unknown> = { notes: 'Lorem ipsum dolor sit amet. '.repeat(800) };
      for (let k = 0; k < 60; k++) big[`pref_${k}`] = `value-${k}-${'x'.repeat(20)}`;
      user.user_metadata = big;
      m.largeMetadata++;
    } else if (rng.chance(0.03)) {
      user.app_metadata = {
        plan: 'pro',
        seats: rng.int(1, 500),
        beta: true,
        score: 0.75,
        tags: ['a', 'b'],
        billing: { vat: null, country: 'DE' },
      };
      m.nonStringMetadata++;
    }

    // MFA: only for users who can hold a second factor (not passwordless).
    if (kind !== 'passwordless' && rng.chance(0.12)) {
      const r = rng.next();
      const types: ('totp' | 'phone' | 'push')[] =
        r < 0.45 ? ['totp'] : r < 0.75 ? ['phone'] : r < 0.9 ? ['push'] : ['push', 'totp'];
      for (const type of types) {
        const enrolled = created + rng.int(1, 300) * DAY;
        const base: MfaEnrollment = {
          user_id: userId,
          id: `${type}|dev_${rng.hex(8)}`,
          type,
          confirmed: true,
          created_at: iso(enrolled),
        };
        if (type === 'totp') {
          base.totp_secret = base32(rng.bytes(20));
          m.totpMfa++;
        } else if (type === 'phone') {
          base.phone_number = `+4479${String(10000000 + i).slice(-8)}`;
          base.preferred_authentication_method = 'sms';
          m.smsMfa++;
        } else {
          base.name = rng.pick(['iPhone 15', 'Pixel 8', 'Galaxy S24']);
          m.pushMfa++;
        }
        mfa.push(base);
      }
      user.multifactor = ['guardian'];
    }
    users.push(user);

    // Password line for database users.
    if (kind === 'database') {
      const legacy =
        connection === DB2 && rng.chance(0.5) ? LEGACY_ALGORITHMS[i % LEGACY_ALGORITHMS.length]! : null;
      const entry = legacy ? rng.pick(legacyPools.get(legacy)!) : rng.pick(bcryptPool);
      if (legacy) m.legacyHashesByAlgorithm[legacy]++;
      else m.bcryptHashes++;
      plaintextPasswords[userId] = entry.password;
      const prefixed = !altId && rng.chance(0.01);
      if (prefixed) m.passwordLinesWithPrefixedOid++;
      const noRootEmail = !!email && rng.chance(0.02);
      if (noRootEmail) m.passwordLinesWithoutRootEmail++;
      if (altId) m.altIdUsers++;
      const identifiers: PasswordLine['identifiers'] = [];
      if (email) identifiers.push({ type: 'email', value: email, verified: !!verified });
      if (username) identifiers.push({ type: 'username', value: username });
      const line: PasswordLine = {
        _id: { $oid: prefixed ? `auth0|${oid!}` : oid! },
        ...(email && !noRootEmail ? { email, email_verified: !!verified } : {}),
        passwordHash: entry.hash,
        password_set_date: { $date: iso(created + rng.int(0, 300) * DAY) },
        tenant: tenantName,
        connection,
        _tmp_is_unique: true,
        identifiers,
        ...(altId ? { alt_id: altId } : {}),
      };
      passwords.push(line);
      if (rng.chance(0.002)) {
        passwords.push({ ...line, password_set_date: { $date: iso(created) } });
        m.duplicatePasswordLines++;
      }
    }

    // Organizations: none, one or several; the first users fill the big organizations at larger sizes.
    if (organizations.length > 0) {
      const r = rng.next();
      let count =
        i < bigOrgUsers || i < secondBigOrgUsers
          ? r < 0.85
            ? 1
            : 2
          : r < 0.2
            ? 0
            : r < 0.85
              ? 1
              : rng.int(2, Math.min(4, organizations.length));
      if (opts.memberships && count > 0) {
        // Keep the running total on course for the requested figure; users in no organization stay so.
        const due = Math.round(((i + 1) * opts.memberships) / opts.users) - members.length;
        if (due > count) count = Math.min(due, 4, organizations.length);
      }
      const chosen = new Set<number>();
      if (i < bigOrgUsers) chosen.add(0);
      else if (i < secondBigOrgUsers) chosen.add(1);
      let guard = 0;
      while (chosen.size < count && guard++ < 20)
        chosen.add(rng.int(bigOrgUsers ? 2 : 0, organizations.length - 1));
      if (chosen.size === 0) m.noOrg++;
      else if (chosen.size === 1) m.oneOrg++;
      else m.multiOrg++;
      for (const o of [...chosen].sort((a, b) => a - b)) {
        const roleIds = rng.chance(0.7)
          ? [rng.pick(roles).id]
          : rng.chance(0.5)
            ? []
            : [roles[0]!.id, roles[1]!.id];
        members.push({ org_id: organizations[o]!.id, user_id: userId, roles: roleIds });
      }
    } else m.noOrg++;
  }

  // Lines for users that no longer exist in the tenant (deleted after the dump was taken).
  const orphans = Math.floor(opts.users / 500);
  for (let i = 0; i < orphans; i++) {
    const entry = rng.pick(bcryptPool);
    passwords.push({
      _id: { $oid: rng.hex(12) },
      email: `deleted.${i}@example.com`,
      email_verified: false,
      passwordHash: entry.hash,
      password_set_date: { $date: iso(EPOCH + rng.int(0, 900) * DAY) },
      tenant: tenantName,
      connection: DB1,
      _tmp_is_unique: true,
      identifiers: [{ type: 'email', value: `deleted.${i}@example.com`, verified: false }],
    });
    m.orphanPasswordLines++;
  }
  // Shared emails are not unique in the store: mark every line carrying one.
  const dupEmails = new Set(reusableEmails.slice(0, reusePointer).map((e) => e.email));
  for (const l of passwords) {
    const e = l.email ?? l.identifiers.find((x) => x.type === 'email')?.value;
    if (e && dupEmails.has(e)) l._tmp_is_unique = false;
  }

  const orgConnections: Tenant['orgConnections'] = [];
  const ocRng = root.fork('orgConnections');
  const enterpriseConns = connections.filter((c) => ENTERPRISE_STRATEGIES.has(c.strategy));
  organizations.forEach((org, i) => {
    orgConnections.push({
      org_id: org.id,
      connection_id: byName.get(DB1)!.id,
      assign_membership_on_login: false,
      is_signup_enabled: i % 5 === 0,
    });
    if (i % 3 === 1) {
      const c = enterpriseConns[i % enterpriseConns.length]!;
      orgConnections.push({
        org_id: org.id,
        connection_id: c.id,
        assign_membership_on_login: ocRng.chance(0.5),
        show_as_button: true,
      });
    }
  });

  const memberCounts = new Map<string, number>();
  for (const mem of members) memberCounts.set(mem.org_id, (memberCounts.get(mem.org_id) ?? 0) + 1);
  m.orgsOver1000Members = [...memberCounts.values()].filter((n) => n > 1000).length;
  m.users = users.length;
  m.memberships = members.length;
  m.roles = roles.length;
  m.connections = connections.length;
  m.passwordLines = passwords.length;

  const tenant: Tenant = {
    formatVersion: TENANT_FORMAT_VERSION,
    tenant: { name: tenantName, domain },
    users,
    organizations,
    members,
    roles,
    connections,
    orgConnections,
    passwords,
    mfa,
    plaintextPasswords,
    ...logic,
  };
  return { tenant, manifest: m };
}

/** Recounts every planted case from the tenant data alone (for tenants from any source). */
export function plantedCounts(t: Tenant): TenantManifest {
  const m = emptyManifest();
  const strategyOf = new Map(t.connections.map((c) => [c.name, c.strategy]));
  m.users = t.users.length;
  m.organizations = t.organizations.length;
  m.memberships = t.members.length;
  m.roles = t.roles.length;
  m.connections = t.connections.length;
  const emailConnections = new Map<string, string[]>();
  for (const u of t.users) {
    const ident = u.identities[0];
    const strategy = ident ? (strategyOf.get(ident.connection) ?? ident.provider) : 'auth0';
    if (strategy === 'auth0') m.database++;
    else if (PASSWORDLESS_STRATEGIES.has(strategy)) m.passwordless++;
    else if (ENTERPRISE_STRATEGIES.has(strategy)) m.enterprise++;
    else m.social++;
    if (!u.email) m.usersWithoutEmail++;
    else {
      if (u.email_verified === false) m.unverified++;
      const list = emailConnections.get(u.email.toLowerCase()) ?? [];
      list.push(ident?.connection ?? '');
      emailConnections.set(u.email.toLowerCase(), list);
    }
    if (u.blocked) m.blocked++;
    if (/[^\x20-\x7e]/.test(u.name ?? '')) m.unicodeNames++;
    const size = JSON.stringify(u.user_metadata ?? {}).length + JSON.stringify(u.app_metadata ?? {}).length;
    if (size > 16_384) m.largeMetadata++;
    const values = [...Object.values(u.app_metadata ?? {}), ...Object.values(u.user_metadata ?? {})];
    if (values.some((v) => typeof v !== 'string')) m.nonStringMetadata++;
  }
  for (const conns of emailConnections.values())
    if (new Set(conns).size > 1) m.duplicateEmailAcrossConnections += conns.length - 1;
  const orgsPerUser = new Map<string, number>();
  const perOrg = new Map<string, number>();
  for (const mem of t.members) {
    orgsPerUser.set(mem.user_id, (orgsPerUser.get(mem.user_id) ?? 0) + 1);
    perOrg.set(mem.org_id, (perOrg.get(mem.org_id) ?? 0) + 1);
  }
  for (const u of t.users) {
    const n = orgsPerUser.get(u.user_id) ?? 0;
    if (n === 0) m.noOrg++;
    else if (n === 1) m.oneOrg++;
    else m.multiOrg++;
  }
  m.orgsOver1000Members = [...perOrg.values()].filter((n) => n > 1000).length;
  for (const e of t.mfa) {
    if (e.type === 'totp') m.totpMfa++;
    else if (e.type === 'phone') m.smsMfa++;
    else if (e.type === 'push') m.pushMfa++;
  }
  const userIds = new Set(t.users.map((u) => u.user_id));
  // Every count the export is checked against assumes one user per id.
  if (userIds.size !== t.users.length)
    throw new Error(`generator produced ${t.users.length - userIds.size} repeated user ids`);
  const seenLines = new Set<string>();
  m.passwordLines = t.passwords.length;
  for (const line of t.passwords) {
    const oid = line._id.$oid.replace(/^auth0\|/, '');
    const userId = `auth0|${line.alt_id ?? oid}`;
    if (!userIds.has(userId)) {
      m.orphanPasswordLines++;
      continue;
    }
    const key = `${userId}\u0000${line.connection}`;
    if (seenLines.has(key)) {
      m.duplicatePasswordLines++;
      continue;
    }
    seenLines.add(key);
    if (line.alt_id) m.altIdUsers++;
    if (line._id.$oid.startsWith('auth0|')) m.passwordLinesWithPrefixedOid++;
    if (!line.email && line.identifiers.some((x) => x.type === 'email')) m.passwordLinesWithoutRootEmail++;
    const alg = hashAlgorithmOf(line.passwordHash);
    if (alg === 'bcrypt') m.bcryptHashes++;
    else if (alg !== 'unknown') m.legacyHashesByAlgorithm[alg]++;
  }
  return m;
}
