// Users and identities are staged without a key (src/main/auth0/export/ingest.ts).
//
// 002 gave every stage twin the live table's primary key. A users-export file lists users in an order unrelated to
// their ids, so each staged row was a random insert into a key b-tree that outgrows the page cache at a few hundred
// thousand users, and every commit rewrote most of that b-tree's pages into the WAL: at a million users that was
// most of the ingest's time. Here the two stage tables are plain rowid tables and a staged row's rowid says where it
// came from: a user's rowid is its line in the file, an identity's is line * 2^20 + its position in the user's list.
// Repeated user ids are removed after the file has been read, by one sorted pass, keeping the first line's user and
// identities. The live tables lose their declared primary key for a unique index with the same columns
// (`auth0_<name>_key`), so a filled stage table can still be renamed into place on a first export and the key built
// in one sort.
//
// Rows keep their rowids, so a users export interrupted before this migration resumes after it.
//
// Never edit this once released; append a new migration instead.

const USER_COLUMNS = `
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
  raw_json       TEXT NOT NULL`;

const IDENTITY_COLUMNS = `
  user_id          TEXT NOT NULL,
  provider         TEXT NOT NULL,
  identity_user_id TEXT NOT NULL,
  connection       TEXT,
  is_social        INTEGER NOT NULL DEFAULT 0,
  is_primary       INTEGER NOT NULL DEFAULT 0,
  raw_json         TEXT NOT NULL`;

/** Recreates `table` with `columns` (no declared key), copying its rows with their rowids. */
function rebuild(table: string, columns: string): string {
  return `
CREATE TABLE ${table}_007 (${columns}
) STRICT;
INSERT INTO ${table}_007 (rowid, ${names(columns)}) SELECT rowid, ${names(columns)} FROM ${table};
DROP TABLE ${table};
ALTER TABLE ${table}_007 RENAME TO ${table};`;
}

function names(columns: string): string {
  return columns
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .join(', ');
}

// legacy_alter_table: the rename must not re-check views that name the table being replaced (it is gone for a
// moment between DROP and RENAME).
export const sql = `
PRAGMA legacy_alter_table = ON;
${rebuild('auth0_users', USER_COLUMNS)}
CREATE UNIQUE INDEX auth0_users_key ON auth0_users (user_id);
CREATE INDEX auth0_users_email_connection ON auth0_users (email_lower, connection);
CREATE INDEX auth0_users_connection ON auth0_users (connection);
CREATE INDEX auth0_users_mfa ON auth0_users (user_id) WHERE has_mfa = 1;
CREATE INDEX auth0_users_blocked ON auth0_users (user_id) WHERE blocked = 1;
CREATE INDEX auth0_users_unverified ON auth0_users (user_id) WHERE email_verified IS NOT 1 AND email IS NOT NULL;
CREATE INDEX auth0_users_no_email ON auth0_users (user_id) WHERE email IS NULL;
CREATE INDEX auth0_users_strategy ON auth0_users (strategy, user_id);
CREATE INDEX auth0_users_email_lower ON auth0_users (email_lower, user_id) WHERE email_lower IS NOT NULL;
${rebuild('auth0_identities', IDENTITY_COLUMNS)}
CREATE UNIQUE INDEX auth0_identities_key ON auth0_identities (user_id, provider, identity_user_id);
CREATE INDEX auth0_identities_connection ON auth0_identities (connection);
${rebuild('auth0_stage_users', USER_COLUMNS)}
${rebuild('auth0_stage_identities', IDENTITY_COLUMNS)}
PRAGMA legacy_alter_table = OFF;
`;
