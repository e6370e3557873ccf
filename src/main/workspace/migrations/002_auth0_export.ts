// The Auth0 export: normalized tables for what the Management API returned, with each row's raw JSON kept for
// fidelity, plus the export's own bookkeeping (runs, completeness against Auth0's totals, what changed).
//
// Every data table has a twin `auth0_stage_<name>` with the same columns and primary key but no secondary
// indexes. A run writes into the stage tables; only when an entity has been read to the end is it merged into
// the live tables in one transaction (so nothing half-written is ever presented as exported). Readers use the
// live `auth0_<name>` tables only.
//
// Connection secrets (client secrets, signing/decryption keys, private keys) never appear in options_json or
// raw_json: they are in secrets_enc, encrypted by the workspace cipher with the row reference
// {table: 'auth0_connections', column: 'secrets_enc', id: connection_id} (also while staged).
//
// Never edit this once released; append a new migration instead.

interface TableDef {
  name: string;
  columns: string;
  primaryKey: string;
  /** Created on the live table only. */
  indexes?: string[];
}

const dataTables: TableDef[] = [
  {
    name: 'users',
    columns: `
  user_id        TEXT NOT NULL,
  connection     TEXT,
  strategy       TEXT,
  is_database    INTEGER NOT NULL DEFAULT 0,
  email          TEXT,
  email_lower    TEXT,
  email_verified INTEGER,
  given_name     TEXT,
  family_name    TEXT,
  name           TEXT,
  blocked        INTEGER NOT NULL DEFAULT 0,
  has_mfa        INTEGER NOT NULL DEFAULT 0,
  mfa_factors    TEXT,
  created_at     TEXT,
  updated_at     TEXT,
  last_login     TEXT,
  logins_count   INTEGER,
  raw_json       TEXT NOT NULL`,
    primaryKey: 'user_id',
    indexes: [
      'CREATE INDEX auth0_users_email_connection ON auth0_users (email_lower, connection)',
      'CREATE INDEX auth0_users_connection ON auth0_users (connection)',
      'CREATE INDEX auth0_users_mfa ON auth0_users (user_id) WHERE has_mfa = 1',
    ],
  },
  {
    name: 'identities',
    columns: `
  user_id          TEXT NOT NULL,
  provider         TEXT NOT NULL,
  identity_user_id TEXT NOT NULL,
  connection       TEXT,
  is_social        INTEGER NOT NULL DEFAULT 0,
  is_primary       INTEGER NOT NULL DEFAULT 0,
  raw_json         TEXT NOT NULL`,
    primaryKey: 'user_id, provider, identity_user_id',
    indexes: ['CREATE INDEX auth0_identities_connection ON auth0_identities (connection)'],
  },
  {
    name: 'organizations',
    columns: `
  org_id        TEXT NOT NULL,
  name          TEXT NOT NULL,
  display_name  TEXT,
  metadata_json TEXT,
  raw_json      TEXT NOT NULL`,
    primaryKey: 'org_id',
    indexes: ['CREATE INDEX auth0_organizations_name ON auth0_organizations (name)'],
  },
  {
    name: 'memberships',
    columns: `
  org_id   TEXT NOT NULL,
  user_id  TEXT NOT NULL,
  raw_json TEXT NOT NULL`,
    primaryKey: 'org_id, user_id',
    indexes: ['CREATE INDEX auth0_memberships_user ON auth0_memberships (user_id)'],
  },
  {
    name: 'membership_roles',
    columns: `
  org_id    TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  role_id   TEXT NOT NULL,
  role_name TEXT`,
    primaryKey: 'org_id, user_id, role_id',
    indexes: [
      'CREATE INDEX auth0_membership_roles_user ON auth0_membership_roles (user_id)',
      'CREATE INDEX auth0_membership_roles_role ON auth0_membership_roles (role_id)',
    ],
  },
  {
    name: 'roles',
    columns: `
  role_id     TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT,
  raw_json    TEXT NOT NULL`,
    primaryKey: 'role_id',
  },
  {
    name: 'connections',
    columns: `
  connection_id   TEXT NOT NULL,
  name            TEXT NOT NULL,
  strategy        TEXT NOT NULL,
  display_name    TEXT,
  options_json    TEXT,
  options_missing INTEGER NOT NULL DEFAULT 0,
  secret_fields   TEXT,
  secrets_enc     BLOB,
  raw_json        TEXT NOT NULL`,
    primaryKey: 'connection_id',
    indexes: ['CREATE UNIQUE INDEX auth0_connections_name ON auth0_connections (name)'],
  },
  {
    name: 'org_connections',
    columns: `
  org_id                     TEXT NOT NULL,
  connection_id              TEXT NOT NULL,
  assign_membership_on_login INTEGER,
  show_as_button             INTEGER,
  is_signup_enabled          INTEGER,
  raw_json                   TEXT NOT NULL`,
    primaryKey: 'org_id, connection_id',
    indexes: ['CREATE INDEX auth0_org_connections_connection ON auth0_org_connections (connection_id)'],
  },
  {
    name: 'mfa_enrolments',
    columns: `
  user_id      TEXT NOT NULL,
  enrolment_id TEXT NOT NULL,
  type         TEXT NOT NULL,
  confirmed    INTEGER,
  name         TEXT,
  created_at   TEXT,
  raw_json     TEXT NOT NULL`,
    primaryKey: 'user_id, enrolment_id',
    indexes: ['CREATE INDEX auth0_mfa_enrolments_type ON auth0_mfa_enrolments (type)'],
  },
  {
    name: 'custom_logic',
    columns: `
  kind        TEXT NOT NULL CHECK (kind IN ('action', 'rule', 'hook')),
  logic_id    TEXT NOT NULL,
  name        TEXT NOT NULL,
  trigger     TEXT,
  enabled     INTEGER,
  last_change TEXT,
  raw_json    TEXT NOT NULL`,
    primaryKey: 'kind, logic_id',
  },
];

function tableSql(t: TableDef): string {
  const live = `CREATE TABLE auth0_${t.name} (${t.columns},
  PRIMARY KEY (${t.primaryKey})
) STRICT;`;
  const stage = `CREATE TABLE auth0_stage_${t.name} (${t.columns},
  PRIMARY KEY (${t.primaryKey})
) STRICT;`;
  return [live, ...(t.indexes ?? []).map((i) => `${i};`), stage].join('\n');
}

export const sql = `
${dataTables.map(tableSql).join('\n\n')}

CREATE TABLE auth0_export_runs (
  run_id        TEXT PRIMARY KEY,
  job_id        TEXT,
  tenant_domain TEXT,
  entities_json TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('running', 'complete', 'incomplete', 'failed', 'cancelled')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  error_json    TEXT
) STRICT;

CREATE TABLE auth0_export_completeness (
  run_id      TEXT NOT NULL REFERENCES auth0_export_runs (run_id),
  entity      TEXT NOT NULL,
  exported    INTEGER NOT NULL,
  expected    INTEGER,
  source      TEXT NOT NULL,
  complete    INTEGER NOT NULL,
  note        TEXT,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, entity)
) STRICT;

CREATE TABLE auth0_export_changes (
  run_id  TEXT NOT NULL REFERENCES auth0_export_runs (run_id),
  entity  TEXT NOT NULL,
  added   INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  changed INTEGER NOT NULL,
  PRIMARY KEY (run_id, entity)
) STRICT;

CREATE TABLE auth0_export_org_totals (
  run_id   TEXT NOT NULL REFERENCES auth0_export_runs (run_id),
  org_id   TEXT NOT NULL,
  expected INTEGER,
  exported INTEGER NOT NULL,
  PRIMARY KEY (run_id, org_id)
) STRICT;
`;

/** The data tables' names without prefix, for code that stages and merges them. */
export const auth0DataTables = dataTables.map((t) => ({ name: t.name, primaryKey: t.primaryKey }));
