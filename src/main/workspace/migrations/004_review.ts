// The review: decisions the admin takes before anything is written to WorkOS, the sign-off that locks them, the
// findings computed over the Auth0 export, and the partial indexes that keep the review's filters fast at
// 1,000,000 users (each filter's first page is an ordered walk of a small index).
//
// Never edit this once released; append a new migration instead.
export const sql = `
CREATE TABLE review_user_decisions (
  user_id    TEXT PRIMARY KEY,
  include    INTEGER NOT NULL CHECK (include IN (0, 1)),
  note       TEXT,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL
) STRICT;

-- Which account of a duplicate-email group survives; the others are merged into it.
CREATE TABLE review_survivors (
  email_lower      TEXT PRIMARY KEY,
  survivor_user_id TEXT NOT NULL,
  decided_by       TEXT NOT NULL,
  decided_at       TEXT NOT NULL
) STRICT;

CREATE TABLE review_policies (
  code       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL
) STRICT;

-- Edits of the Auth0 role -> WorkOS role mapping (the defaults are computed, see src/main/review/roles.ts).
CREATE TABLE review_role_map (
  role_id    TEXT PRIMARY KEY,
  slug       TEXT NOT NULL,
  name       TEXT,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL
) STRICT;

CREATE TABLE review_signoffs (
  seq              INTEGER PRIMARY KEY,
  action           TEXT NOT NULL CHECK (action IN ('signed', 'reopened')),
  reviewer         TEXT NOT NULL,
  at               TEXT NOT NULL,
  decisions_digest TEXT NOT NULL,
  note             TEXT
) STRICT;

-- The last computed findings (counts and summaries); entity lists are queried live.
CREATE TABLE review_findings (
  code         TEXT PRIMARY KEY,
  severity     TEXT NOT NULL,
  count        INTEGER NOT NULL,
  summary_json TEXT NOT NULL,
  computed_at  TEXT NOT NULL
) STRICT;

-- Per-user findings that need more than a column test (metadata limits, names, ids): one row per user and code.
CREATE TABLE review_user_issues (
  code    TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (code, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX review_user_issues_user ON review_user_issues (user_id);

CREATE INDEX auth0_users_blocked ON auth0_users (user_id) WHERE blocked = 1;
CREATE INDEX auth0_users_unverified ON auth0_users (user_id) WHERE email_verified IS NOT 1 AND email IS NOT NULL;
CREATE INDEX auth0_users_no_email ON auth0_users (user_id) WHERE email IS NULL;
CREATE INDEX auth0_users_strategy ON auth0_users (strategy, user_id);
CREATE INDEX auth0_users_email_lower ON auth0_users (email_lower, user_id) WHERE email_lower IS NOT NULL;
CREATE INDEX auth0_mfa_enrolments_user_type ON auth0_mfa_enrolments (type, user_id);
`;
