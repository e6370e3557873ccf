import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { AppError } from '../../shared/errors';

// The tenant file: one JSON document holding a whole Auth0 tenant in Auth0's own shapes, from which
// the Auth0 sandbox answers and the support files are written. Format: docs/tenant-format.md.

export const TENANT_FORMAT_VERSION = 1;

export interface Auth0Identity {
  provider: string;
  connection: string;
  user_id: string;
  isSocial: boolean;
  [key: string]: unknown;
}

/** A user as the users-exports job emits it (with every field named in `fields`). */
export interface Auth0User {
  user_id: string;
  email?: string;
  email_verified?: boolean;
  username?: string;
  phone_number?: string;
  phone_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  nickname?: string;
  picture?: string;
  created_at: string;
  updated_at: string;
  last_login?: string;
  last_ip?: string;
  logins_count?: number;
  blocked?: boolean;
  identities: Auth0Identity[];
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  /** Guardian factors the profile shows, e.g. ['guardian'] or ['google-authenticator']. */
  multifactor?: string[];
  [key: string]: unknown;
}

export interface Auth0Organization {
  id: string;
  name: string;
  display_name?: string;
  metadata?: Record<string, string>;
  branding?: { logo_url?: string; colors?: Record<string, string> };
}

export interface Auth0Member {
  org_id: string;
  user_id: string;
  /** Role ids directly assigned in this organization. */
  roles: string[];
}

export interface Auth0Role {
  id: string;
  name: string;
  description?: string;
}

export interface Auth0Connection {
  id: string;
  name: string;
  display_name?: string;
  strategy: string;
  options: Record<string, unknown>;
  realms?: string[];
  is_domain_connection?: boolean;
  enabled_clients?: string[];
  metadata?: Record<string, string>;
}

export interface Auth0OrgConnection {
  org_id: string;
  connection_id: string;
  assign_membership_on_login: boolean;
  show_as_button?: boolean;
  is_signup_enabled?: boolean;
}

/** One line of the password-hash file from Auth0 support (REFERENCE.md). */
export interface PasswordLine {
  _id: { $oid: string };
  email?: string;
  email_verified?: boolean;
  passwordHash: string;
  password_set_date: { $date: string };
  tenant: string;
  connection: string;
  _tmp_is_unique: boolean;
  identifiers: { type: string; value: string; verified?: boolean }[];
  alt_id?: string;
}

export type MfaType = 'totp' | 'phone' | 'push' | 'email' | 'webauthn-roaming' | 'recovery-code';

/** One enrolled factor; served by GET /users/{id}/authentication-methods. */
export interface MfaEnrollment {
  user_id: string;
  id: string;
  type: MfaType;
  confirmed: boolean;
  created_at: string;
  name?: string;
  /** Base32 TOTP secret (type totp): what the MFA-secret support file carries. */
  totp_secret?: string;
  /** E.164 number (type phone). */
  phone_number?: string;
  preferred_authentication_method?: 'sms' | 'voice';
}

export interface Auth0Action {
  id: string;
  name: string;
  supported_triggers: { id: string; version: string }[];
  code: string;
  runtime: string;
  status: string;
  all_changes_deployed: boolean;
  created_at: string;
  updated_at: string;
  secrets?: { name: string; updated_at?: string }[];
  dependencies?: { name: string; version: string }[];
}

export interface Auth0Rule {
  id: string;
  name: string;
  enabled: boolean;
  script: string;
  order: number;
  stage: string;
}

export interface Auth0Hook {
  id: string;
  name: string;
  enabled: boolean;
  script: string;
  triggerId: string;
  dependencies?: Record<string, string>;
}

export interface Tenant {
  formatVersion: typeof TENANT_FORMAT_VERSION;
  tenant: { name: string; domain: string };
  users: Auth0User[];
  organizations: Auth0Organization[];
  members: Auth0Member[];
  roles: Auth0Role[];
  connections: Auth0Connection[];
  orgConnections: Auth0OrgConnection[];
  passwords: PasswordLine[];
  mfa: MfaEnrollment[];
  /** user_id -> the password its hash was made from, so imported hashes can be proved by logging in. */
  plaintextPasswords?: Record<string, string>;
  actions: Auth0Action[];
  rules: Auth0Rule[];
  hooks: Auth0Hook[];
}

const str = { type: 'string' } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;
const bool = { type: 'boolean' } as const;
const obj = { type: 'object' } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const arrayOf = (items: object) => ({ type: 'array', items }) as const;

export const tenantJsonSchema = {
  $id: 'https://auth0-to-workos.local/tenant.schema.json',
  type: 'object',
  required: [
    'formatVersion',
    'tenant',
    'users',
    'organizations',
    'members',
    'roles',
    'connections',
    'orgConnections',
    'passwords',
    'mfa',
    'actions',
    'rules',
    'hooks',
  ],
  additionalProperties: false,
  properties: {
    formatVersion: { const: TENANT_FORMAT_VERSION },
    tenant: {
      type: 'object',
      required: ['name', 'domain'],
      properties: { name: nonEmpty, domain: nonEmpty },
    },
    users: arrayOf({
      type: 'object',
      required: ['user_id', 'created_at', 'updated_at', 'identities'],
      properties: {
        user_id: { type: 'string', pattern: '^[^|]+\\|.+$' },
        email: str,
        email_verified: bool,
        username: str,
        phone_number: str,
        phone_verified: bool,
        name: str,
        given_name: str,
        family_name: str,
        nickname: str,
        picture: str,
        created_at: str,
        updated_at: str,
        last_login: str,
        last_ip: str,
        logins_count: { type: 'integer', minimum: 0 },
        blocked: bool,
        identities: arrayOf({
          type: 'object',
          required: ['provider', 'connection', 'user_id', 'isSocial'],
          properties: { provider: nonEmpty, connection: nonEmpty, user_id: nonEmpty, isSocial: bool },
        }),
        app_metadata: obj,
        user_metadata: obj,
        multifactor: arrayOf(str),
      },
    }),
    organizations: arrayOf({
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'string', pattern: '^org_' },
        name: nonEmpty,
        display_name: str,
        metadata: stringMap,
        branding: obj,
      },
    }),
    members: arrayOf({
      type: 'object',
      required: ['org_id', 'user_id', 'roles'],
      additionalProperties: false,
      properties: { org_id: nonEmpty, user_id: nonEmpty, roles: arrayOf(nonEmpty) },
    }),
    roles: arrayOf({
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string', pattern: '^rol_' }, name: nonEmpty, description: str },
    }),
    connections: arrayOf({
      type: 'object',
      required: ['id', 'name', 'strategy', 'options'],
      properties: {
        id: { type: 'string', pattern: '^con_' },
        name: nonEmpty,
        display_name: str,
        strategy: nonEmpty,
        options: obj,
        realms: arrayOf(str),
        is_domain_connection: bool,
        enabled_clients: arrayOf(str),
        metadata: stringMap,
      },
    }),
    orgConnections: arrayOf({
      type: 'object',
      required: ['org_id', 'connection_id', 'assign_membership_on_login'],
      properties: {
        org_id: nonEmpty,
        connection_id: nonEmpty,
        assign_membership_on_login: bool,
        show_as_button: bool,
        is_signup_enabled: bool,
      },
    }),
    passwords: arrayOf({
      type: 'object',
      required: [
        '_id',
        'passwordHash',
        'password_set_date',
        'tenant',
        'connection',
        '_tmp_is_unique',
        'identifiers',
      ],
      properties: {
        _id: { type: 'object', required: ['$oid'], properties: { $oid: nonEmpty } },
        email: str,
        email_verified: bool,
        passwordHash: nonEmpty,
        password_set_date: { type: 'object', required: ['$date'], properties: { $date: str } },
        tenant: nonEmpty,
        connection: nonEmpty,
        _tmp_is_unique: bool,
        identifiers: arrayOf({
          type: 'object',
          required: ['type', 'value'],
          properties: { type: nonEmpty, value: str, verified: bool },
        }),
        alt_id: nonEmpty,
      },
    }),
    mfa: arrayOf({
      type: 'object',
      required: ['user_id', 'id', 'type', 'confirmed', 'created_at'],
      properties: {
        user_id: nonEmpty,
        id: nonEmpty,
        type: { enum: ['totp', 'phone', 'push', 'email', 'webauthn-roaming', 'recovery-code'] },
        confirmed: bool,
        created_at: str,
        name: str,
        totp_secret: { type: 'string', pattern: '^[A-Z2-7]+=*$' },
        phone_number: str,
        preferred_authentication_method: { enum: ['sms', 'voice'] },
      },
    }),
    plaintextPasswords: stringMap,
    actions: arrayOf({
      type: 'object',
      required: [
        'id',
        'name',
        'supported_triggers',
        'code',
        'runtime',
        'status',
        'all_changes_deployed',
        'created_at',
        'updated_at',
      ],
      properties: {
        id: nonEmpty,
        name: nonEmpty,
        supported_triggers: arrayOf({
          type: 'object',
          required: ['id', 'version'],
          properties: { id: nonEmpty, version: nonEmpty },
        }),
        code: str,
        runtime: str,
        status: str,
        all_changes_deployed: bool,
        created_at: str,
        updated_at: str,
      },
    }),
    rules: arrayOf({
      type: 'object',
      required: ['id', 'name', 'enabled', 'script', 'order', 'stage'],
      properties: {
        id: nonEmpty,
        name: nonEmpty,
        enabled: bool,
        script: str,
        order: { type: 'number' },
        stage: nonEmpty,
      },
    }),
    hooks: arrayOf({
      type: 'object',
      required: ['id', 'name', 'enabled', 'script', 'triggerId'],
      properties: {
        id: nonEmpty,
        name: nonEmpty,
        enabled: bool,
        script: str,
        triggerId: nonEmpty,
        dependencies: stringMap,
      },
    }),
  },
} as const;

let validator: ReturnType<Ajv['compile']> | null = null;
function validate(data: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: false, strict: true }).compile(tenantJsonSchema);
  return validator(data) ? [] : (validator.errors ?? []);
}

function describe(err: ErrorObject): string {
  const at = err.instancePath || '/';
  if (err.keyword === 'required')
    return `${at}: missing required field "${String(err.params.missingProperty)}"`;
  if (err.keyword === 'additionalProperties')
    return `${at}: unknown field "${String(err.params.additionalProperty)}"`;
  // ajv's messages name the constraint, never the offending value, so they are safe to show.
  return `${at}: ${err.message ?? 'is invalid'}`;
}

/** Cross-references the schema cannot express; each problem names its JSON path. */
function checkReferences(t: Tenant): string | null {
  const unique = (list: { id: string }[], what: string): Set<string> | string => {
    const seen = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      if (seen.has(list[i]!.id)) return `/${what}/${i}/id: duplicate id`;
      seen.add(list[i]!.id);
    }
    return seen;
  };
  const orgs = unique(t.organizations, 'organizations');
  if (typeof orgs === 'string') return orgs;
  const roles = unique(t.roles, 'roles');
  if (typeof roles === 'string') return roles;
  const conns = unique(t.connections, 'connections');
  if (typeof conns === 'string') return conns;
  const users = new Set<string>();
  for (let i = 0; i < t.users.length; i++) {
    const u = t.users[i]!;
    if (users.has(u.user_id)) return `/users/${i}/user_id: duplicate user_id`;
    users.add(u.user_id);
  }
  const connNames = new Set(t.connections.map((c) => c.name));
  for (let i = 0; i < t.users.length; i++) {
    const ids = t.users[i]!.identities;
    for (let j = 0; j < ids.length; j++)
      if (!connNames.has(ids[j]!.connection))
        return `/users/${i}/identities/${j}/connection: no connection with this name`;
  }
  const memberKeys = new Set<string>();
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (!orgs.has(m.org_id)) return `/members/${i}/org_id: no organization with this id`;
    if (!users.has(m.user_id)) return `/members/${i}/user_id: no user with this id`;
    const key = `${m.org_id}\u0000${m.user_id}`;
    if (memberKeys.has(key)) return `/members/${i}: duplicate membership`;
    memberKeys.add(key);
    for (let j = 0; j < m.roles.length; j++)
      if (!roles.has(m.roles[j]!)) return `/members/${i}/roles/${j}: no role with this id`;
  }
  for (let i = 0; i < t.orgConnections.length; i++) {
    const oc = t.orgConnections[i]!;
    if (!orgs.has(oc.org_id)) return `/orgConnections/${i}/org_id: no organization with this id`;
    if (!conns.has(oc.connection_id)) return `/orgConnections/${i}/connection_id: no connection with this id`;
  }
  for (let i = 0; i < t.mfa.length; i++)
    if (!users.has(t.mfa[i]!.user_id)) return `/mfa/${i}/user_id: no user with this id`;
  for (const [i, line] of t.passwords.entries())
    if (!connNames.has(line.connection)) return `/passwords/${i}/connection: no connection with this name`;
  return null;
}

/** Validates parsed JSON as a tenant; errors name `sourceName` and the JSON path, never a value. */
export function parseTenant(json: unknown, sourceName: string): Tenant {
  const errors = validate(json);
  if (errors.length > 0) {
    throw new AppError(
      'invalid_input',
      `${sourceName}: not a valid tenant file at ${describe(errors[0]!)}`,
      'See docs/tenant-format.md for the format.',
    );
  }
  const tenant = json as Tenant;
  const problem = checkReferences(tenant);
  if (problem)
    throw new AppError(
      'invalid_input',
      `${sourceName}: not a valid tenant file at ${problem}`,
      'See docs/tenant-format.md for the format.',
    );
  return tenant;
}

/** Reads and validates a tenant file; a JSON syntax error is reported by line and column. */
export function loadTenant(file: string): Tenant {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AppError('not_found', `Cannot read the tenant file ${basename(file)}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the surrounding text, which may hold an email address: report the position only.
    const pos = /position (\d+)/.exec(err instanceof Error ? err.message : '');
    const where = pos ? lineColumn(text, Number(pos[1])) : 'end of file';
    throw new AppError('invalid_input', `${basename(file)}: invalid JSON at ${where}.`);
  }
  return parseTenant(json, basename(file));
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return `line ${line}, column ${offset - lastBreak}`;
}
