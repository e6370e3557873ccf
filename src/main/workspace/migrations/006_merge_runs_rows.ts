// The password-hash and MFA-secret merge keeps its values per merge run (src/main/passwords/merge.ts).
//
// 003 staged a run into *_stage twins and copied the stage into the live table when the run committed: at a million
// hashes that copy cost seconds inside one transaction. Here a run writes its rows once, under its run number
// (`seq`), into *_rows tables; `password_hashes` and `mfa_totp_secrets` become views of the rows of the kind's
// committed run, so a commit flips the run's state and drops the previous run's rows. Readers keep querying the same
// names and columns (less `updated_at`; `run_id` is the committed run), and a run still staging is invisible to them.
//
// Rows are kept narrow because a merge writes a million of them: an integer run number instead of the run's UUID,
// and the hash's classification as a reference into password_hash_classes (a handful of distinct rows).
//
// Ciphertexts keep their AAD: the row reference is still {table: 'password_hashes', column: 'hash_enc', id: user_id}
// and {table: 'mfa_totp_secrets', column: 'secret_enc', id: user_id}, so existing blobs move over unchanged.
// `change` says what the run did to the user's value compared with the run before it.
//
// A run that was staging when this migration ran cannot resume into the new tables: it is dropped, and the merge
// job starts that file over (its checkpoint no longer finds a staging run).
//
// Never edit this once released; append a new migration instead.
export const sql = `
ALTER TABLE password_merge_runs ADD COLUMN seq INTEGER;
UPDATE password_merge_runs SET seq = rowid;
CREATE UNIQUE INDEX password_merge_runs_seq ON password_merge_runs (seq);
-- At most one committed run per kind: the views below rely on it.
CREATE UNIQUE INDEX password_merge_runs_committed ON password_merge_runs (kind) WHERE state = 'committed';

CREATE TABLE password_hash_classes (
  class_id    INTEGER PRIMARY KEY,
  algorithm   TEXT NOT NULL,
  workos_type TEXT,
  importable  INTEGER NOT NULL,
  valid       INTEGER NOT NULL,
  cost        INTEGER,
  reason      TEXT,
  UNIQUE (algorithm, workos_type, importable, valid, cost, reason)
) STRICT;

CREATE TABLE password_hash_rows (
  run      INTEGER NOT NULL,
  user_id  TEXT NOT NULL,
  hash_enc BLOB NOT NULL,
  class_id INTEGER NOT NULL REFERENCES password_hash_classes (class_id),
  blocked  INTEGER NOT NULL,
  via      TEXT NOT NULL,
  line     INTEGER NOT NULL,
  change   TEXT NOT NULL CHECK (change IN ('added', 'changed', 'unchanged')),
  PRIMARY KEY (run, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE mfa_totp_secret_rows (
  run        INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  secret_enc BLOB NOT NULL,
  via        TEXT NOT NULL,
  line       INTEGER NOT NULL,
  change     TEXT NOT NULL CHECK (change IN ('added', 'changed', 'unchanged')),
  PRIMARY KEY (run, user_id)
) STRICT, WITHOUT ROWID;

DELETE FROM password_merge_lines WHERE run_id IN (SELECT run_id FROM password_merge_runs WHERE state = 'staging');
DELETE FROM password_merge_runs WHERE state = 'staging';

INSERT OR IGNORE INTO password_hash_classes (algorithm, workos_type, importable, valid, cost, reason)
SELECT DISTINCT algorithm, workos_type, importable, valid, cost, reason FROM password_hashes;

INSERT INTO password_hash_rows (run, user_id, hash_enc, class_id, blocked, via, line, change)
SELECT r.seq, h.user_id, h.hash_enc, c.class_id, h.blocked, h.via, h.line,
  CASE WHEN h.run_id = r.run_id THEN 'changed' ELSE 'unchanged' END
FROM password_hashes h
JOIN password_merge_runs r ON r.kind = 'passwords' AND r.state = 'committed'
JOIN password_hash_classes c ON c.algorithm = h.algorithm AND c.workos_type IS h.workos_type
  AND c.importable = h.importable AND c.valid = h.valid AND c.cost IS h.cost AND c.reason IS h.reason;

INSERT INTO mfa_totp_secret_rows (run, user_id, secret_enc, via, line, change)
SELECT r.seq, s.user_id, s.secret_enc, s.via, s.line, CASE WHEN s.run_id = r.run_id THEN 'changed' ELSE 'unchanged' END
FROM mfa_totp_secrets s
JOIN password_merge_runs r ON r.kind = 'mfa' AND r.state = 'committed';

DROP TABLE password_hashes;
DROP TABLE password_hashes_stage;
DROP TABLE mfa_totp_secrets;
DROP TABLE mfa_totp_secrets_stage;

CREATE VIEW password_hashes AS
SELECT h.user_id, h.hash_enc, c.algorithm, c.workos_type, c.importable, c.valid, c.cost, c.reason, h.blocked, h.via,
  r.run_id, h.line
FROM password_merge_runs r
JOIN password_hash_rows h ON h.run = r.seq
JOIN password_hash_classes c ON c.class_id = h.class_id
WHERE r.kind = 'passwords' AND r.state = 'committed';

CREATE VIEW mfa_totp_secrets AS
SELECT s.user_id, s.secret_enc, s.via, r.run_id, s.line
FROM mfa_totp_secret_rows s
JOIN password_merge_runs r ON s.run = r.seq
WHERE r.kind = 'mfa' AND r.state = 'committed';
`;
