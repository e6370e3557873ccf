// The password-hash and MFA-secret merge (src/main/passwords/merge.ts).
//
// A merge run reads one support file into the *_stage twins; only when the file was read to its end (and, for a PGP
// file, its integrity check passed) is the stage compared with the live table and applied in one transaction.
// Hashes and TOTP secrets are stored only as workspace-cipher ciphertext whose AAD is the LIVE row
// ({table: 'password_hashes', column: 'hash_enc', id: user_id} and {table: 'mfa_totp_secrets', column:
// 'secret_enc', id: user_id}), also while staged, so that a staged blob can be copied to the live row as it is.
//
// password_merge_lines holds every line of a run except the line whose value was kept (that one is the `line` of
// the user's row in the live table): unmatched, ambiguous, duplicate, not a database user, invalid. Never a hash,
// a secret or an email address.
//
// Never edit this once released; append a new migration instead.
export const sql = `
CREATE TABLE password_merge_runs (
  run_id      TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('passwords', 'mfa')),
  job_id      TEXT,
  file_name   TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  file_bytes  INTEGER NOT NULL,
  encrypted   INTEGER NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('staging', 'committed', 'superseded')),
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  counts_json TEXT
) STRICT;
CREATE INDEX password_merge_runs_kind ON password_merge_runs (kind, state);

CREATE TABLE password_merge_lines (
  run_id     TEXT NOT NULL REFERENCES password_merge_runs (run_id),
  line       INTEGER NOT NULL,
  outcome    TEXT NOT NULL,
  user_id    TEXT,
  algorithm  TEXT,
  via        TEXT,
  candidates INTEGER,
  problem    TEXT,
  PRIMARY KEY (run_id, line)
) STRICT;
CREATE INDEX password_merge_lines_outcome ON password_merge_lines (run_id, outcome);

CREATE TABLE password_hashes (
  user_id     TEXT PRIMARY KEY,
  hash_enc    BLOB NOT NULL,
  algorithm   TEXT NOT NULL,
  workos_type TEXT,
  importable  INTEGER NOT NULL,
  valid       INTEGER NOT NULL,
  cost        INTEGER,
  reason      TEXT,
  blocked     INTEGER NOT NULL,
  via         TEXT NOT NULL,
  run_id      TEXT NOT NULL,
  line        INTEGER NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX password_hashes_algorithm ON password_hashes (algorithm);

CREATE TABLE password_hashes_stage (
  user_id     TEXT PRIMARY KEY,
  hash_enc    BLOB,
  algorithm   TEXT NOT NULL,
  workos_type TEXT,
  importable  INTEGER NOT NULL,
  valid       INTEGER NOT NULL,
  cost        INTEGER,
  reason      TEXT,
  blocked     INTEGER NOT NULL,
  via         TEXT NOT NULL,
  line        INTEGER NOT NULL,
  change      TEXT NOT NULL CHECK (change IN ('added', 'changed', 'unchanged'))
) STRICT;

CREATE TABLE mfa_totp_secrets (
  user_id    TEXT PRIMARY KEY,
  secret_enc BLOB NOT NULL,
  via        TEXT NOT NULL,
  run_id     TEXT NOT NULL,
  line       INTEGER NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE mfa_totp_secrets_stage (
  user_id    TEXT PRIMARY KEY,
  secret_enc BLOB,
  via        TEXT NOT NULL,
  line       INTEGER NOT NULL,
  change     TEXT NOT NULL CHECK (change IN ('added', 'changed', 'unchanged'))
) STRICT;
`;
