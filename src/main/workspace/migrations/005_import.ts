// Plan, import, verify and rollback against WorkOS (src/main/workos).
//
// A plan is the diff of the reviewed workspace against the live WorkOS environment: one item per entity with the
// action it needs (create, exists, repair, conflict, skip). It records fingerprints of the workspace state and of the
// WorkOS state it saw; the import refuses a plan either of them no longer matches.
//
// The journal holds one row per WorkOS write of an import (kind, source key, status, WorkOS id, request id,
// attempts, last error code and message: never a request or answer body). It drives resume (in-flight rows are
// re-checked against WorkOS before a retry), retry of failures, verification and rollback (`created` = this
// workspace created the object; only those are ever deleted).
//
// Never edit this once released; append a new migration instead.
export const sql = `
CREATE TABLE workos_plans (
  plan_id              TEXT PRIMARY KEY,
  created_at           TEXT NOT NULL,
  environment          TEXT NOT NULL,
  host                 TEXT NOT NULL,
  options_json         TEXT NOT NULL,
  workspace_fingerprint TEXT NOT NULL,
  workos_fingerprint   TEXT NOT NULL,
  counts_json          TEXT NOT NULL,
  signoff_json         TEXT NOT NULL
) STRICT;

CREATE TABLE workos_plan_items (
  plan_id    TEXT NOT NULL REFERENCES workos_plans (plan_id),
  seq        INTEGER NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('role', 'organization', 'user', 'membership', 'totp')),
  source_key TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('create', 'exists', 'repair', 'conflict', 'skip')),
  workos_id  TEXT,
  detail_json TEXT,
  PRIMARY KEY (plan_id, seq)
) STRICT;
CREATE UNIQUE INDEX workos_plan_items_key ON workos_plan_items (plan_id, kind, source_key);
CREATE INDEX workos_plan_items_action ON workos_plan_items (plan_id, action, kind, seq);

CREATE TABLE workos_journal (
  op_id         INTEGER PRIMARY KEY,
  plan_id       TEXT NOT NULL REFERENCES workos_plans (plan_id),
  phase         INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  source_key    TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'done', 'failed', 'skipped')),
  workos_id     TEXT,
  created       INTEGER NOT NULL DEFAULT 0,
  request_id    TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  error_code    TEXT,
  error_message TEXT,
  updated_at    TEXT NOT NULL,
  rolled_back   TEXT CHECK (rolled_back IN ('deleted', 'gone', 'not_deletable')),
  UNIQUE (plan_id, kind, source_key)
) STRICT;
CREATE INDEX workos_journal_status ON workos_journal (plan_id, phase, status, op_id);

-- Webhook endpoints the import disabled; restored at the end of every run and, after a crash, on the next open.
CREATE TABLE workos_webhook_pauses (
  endpoint_id TEXT PRIMARY KEY,
  plan_id     TEXT NOT NULL,
  paused_at   TEXT NOT NULL,
  restored_at TEXT
) STRICT;

-- Counters of the last import run of a plan (requests, 429s, limiter state) for the progress view and the report.
CREATE TABLE workos_import_stats (
  plan_id    TEXT PRIMARY KEY,
  stats_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE workos_verifications (
  verify_id   TEXT PRIMARY KEY,
  plan_id     TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  ok          INTEGER,
  counts_json TEXT
) STRICT;

CREATE TABLE workos_verify_mismatches (
  verify_id  TEXT NOT NULL REFERENCES workos_verifications (verify_id),
  seq        INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  source_key TEXT NOT NULL,
  field      TEXT NOT NULL,
  expected   TEXT,
  actual     TEXT,
  PRIMARY KEY (verify_id, seq)
) STRICT;

CREATE TABLE workos_rollbacks (
  rollback_id TEXT PRIMARY KEY,
  plan_id     TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  counts_json TEXT
) STRICT;
`;
