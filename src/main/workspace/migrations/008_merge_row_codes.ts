// A merge run's rows store how a line was matched (`via`) and what the run did to the value (`change`) as small
// integers instead of words (src/main/passwords/merge.ts writes a million rows per run).
//
// 006 kept them as TEXT with a CHECK on the words: binding two strings per row and testing the word list cost about
// a quarter of a row's insert (2.6 µs a row against 1.9 µs with integers, measured in batches of 64 rows). The codes
// follow merge-model.ts: via 0 = 'id', 1 = 'email'; change 0 = 'added', 1 = 'changed', 2 = 'unchanged'
// (CHANGE_CODES). The views `password_hashes` and `mfa_totp_secrets` still show `via` as the word, so every reader
// keeps its names, columns and values; `change` was never in them.
//
// Never edit this once released; append a new migration instead.
export const sql = `
DROP VIEW password_hashes;
DROP VIEW mfa_totp_secrets;

CREATE TABLE password_hash_rows_008 (
  run      INTEGER NOT NULL,
  user_id  TEXT NOT NULL,
  hash_enc BLOB NOT NULL,
  class_id INTEGER NOT NULL REFERENCES password_hash_classes (class_id),
  blocked  INTEGER NOT NULL,
  via      INTEGER NOT NULL CHECK (via BETWEEN 0 AND 1),
  line     INTEGER NOT NULL,
  change   INTEGER NOT NULL CHECK (change BETWEEN 0 AND 2),
  PRIMARY KEY (run, user_id)
) STRICT, WITHOUT ROWID;
INSERT INTO password_hash_rows_008 (run, user_id, hash_enc, class_id, blocked, via, line, change)
SELECT run, user_id, hash_enc, class_id, blocked, CASE via WHEN 'email' THEN 1 ELSE 0 END, line,
  CASE change WHEN 'added' THEN 0 WHEN 'changed' THEN 1 ELSE 2 END
FROM password_hash_rows;
DROP TABLE password_hash_rows;
ALTER TABLE password_hash_rows_008 RENAME TO password_hash_rows;

CREATE TABLE mfa_totp_secret_rows_008 (
  run        INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  secret_enc BLOB NOT NULL,
  via        INTEGER NOT NULL CHECK (via BETWEEN 0 AND 1),
  line       INTEGER NOT NULL,
  change     INTEGER NOT NULL CHECK (change BETWEEN 0 AND 2),
  PRIMARY KEY (run, user_id)
) STRICT, WITHOUT ROWID;
INSERT INTO mfa_totp_secret_rows_008 (run, user_id, secret_enc, via, line, change)
SELECT run, user_id, secret_enc, CASE via WHEN 'email' THEN 1 ELSE 0 END, line,
  CASE change WHEN 'added' THEN 0 WHEN 'changed' THEN 1 ELSE 2 END
FROM mfa_totp_secret_rows;
DROP TABLE mfa_totp_secret_rows;
ALTER TABLE mfa_totp_secret_rows_008 RENAME TO mfa_totp_secret_rows;

CREATE VIEW password_hashes AS
SELECT h.user_id, h.hash_enc, c.algorithm, c.workos_type, c.importable, c.valid, c.cost, c.reason, h.blocked,
  CASE h.via WHEN 1 THEN 'email' ELSE 'id' END AS via, r.run_id, h.line
FROM password_merge_runs r
JOIN password_hash_rows h ON h.run = r.seq
JOIN password_hash_classes c ON c.class_id = h.class_id
WHERE r.kind = 'passwords' AND r.state = 'committed';

CREATE VIEW mfa_totp_secrets AS
SELECT s.user_id, s.secret_enc, CASE s.via WHEN 1 THEN 'email' ELSE 'id' END AS via, r.run_id, s.line
FROM mfa_totp_secret_rows s
JOIN password_merge_runs r ON s.run = r.seq
WHERE r.kind = 'mfa' AND r.state = 'committed';
`;
