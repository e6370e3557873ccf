import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { listWhere, type MergeKind, type MergeSummary } from './merge';

// What the Passwords step and the CLI show after a merge: the latest committed run's summary, and paged, searchable
// lists. Only user ids, line numbers, outcomes, algorithms and explanations leave here; never a hash, a secret or an
// email address (search is by user id or line number for that reason).

export const listNames = [
  'unmatched',
  'ambiguous',
  'duplicates',
  'blocked',
  'notImportable',
  'withoutHash',
  'reenrol',
] as const;
export type ListName = (typeof listNames)[number];

export interface ListItem {
  line: number | null;
  userId: string | null;
  outcome: string | null;
  algorithm: string | null;
  detail: string | null;
}

export interface MergeStatus {
  kind: MergeKind;
  latest: (MergeSummary & { finishedAt: string }) | null;
}

export function mergeStatus(db: Database, kind: MergeKind): MergeStatus {
  const row = db
    .prepare(
      "SELECT counts_json, finished_at FROM password_merge_runs WHERE kind = ? AND state = 'committed' ORDER BY finished_at DESC LIMIT 1",
    )
    .get(kind) as { counts_json: string; finished_at: string } | undefined;
  return {
    kind,
    latest: row ? { ...(JSON.parse(row.counts_json) as MergeSummary), finishedAt: row.finished_at } : null,
  };
}

function latestRunId(db: Database, kind: MergeKind): string | null {
  return (
    (db
      .prepare(
        "SELECT run_id FROM password_merge_runs WHERE kind = ? AND state = 'committed' ORDER BY finished_at DESC LIMIT 1",
      )
      .pluck()
      .get(kind) as string | undefined) ?? null
  );
}

const LINE_OUTCOMES: Partial<Record<ListName, string[]>> = {
  unmatched: ['no_such_user', 'not_database_user', 'invalid', 'unreadable'],
  ambiguous: ['ambiguous'],
  duplicates: ['duplicate'],
};

/** A search term: digits match a line number exactly, anything else is a user-id substring. */
function searchClause(
  search: string | undefined,
  userCol: string,
  lineCol: string | null,
): { sql: string; args: unknown[] } {
  const term = search?.trim();
  if (!term) return { sql: '', args: [] };
  const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (lineCol && /^\d{1,12}$/.test(term)) {
    return { sql: ` AND (${lineCol} = ? OR ${userCol} LIKE ? ESCAPE '\\')`, args: [Number(term), like] };
  }
  return { sql: ` AND ${userCol} LIKE ? ESCAPE '\\'`, args: [like] };
}

export function listEntries(
  db: Database,
  kind: MergeKind,
  list: ListName,
  opts: { search?: string; offset: number; limit: number },
): { total: number; items: ListItem[] } {
  const page = ` LIMIT ${Math.max(1, Math.min(500, Math.floor(opts.limit)))} OFFSET ${Math.max(0, Math.floor(opts.offset))}`;
  const run = (
    from: string,
    select: string,
    order: string,
    args: unknown[],
    s: { sql: string; args: unknown[] },
  ) => {
    const total = db
      .prepare(`SELECT count(*) ${from}${s.sql}`)
      .pluck()
      .get(...args, ...s.args) as number;
    const items = db
      .prepare(`SELECT ${select} ${from}${s.sql} ORDER BY ${order}${page}`)
      .all(...args, ...s.args) as ListItem[];
    return { total, items };
  };

  const outcomes = LINE_OUTCOMES[list];
  if (outcomes) {
    const runId = latestRunId(db, kind);
    if (!runId) return { total: 0, items: [] };
    const from = `FROM password_merge_lines l WHERE l.run_id = ? AND l.outcome IN (${outcomes.map(() => '?').join(', ')})`;
    return run(
      from,
      'l.line AS line, l.user_id AS userId, l.outcome AS outcome, l.algorithm AS algorithm, l.problem AS detail',
      'l.line',
      [runId, ...outcomes],
      searchClause(opts.search, 'l.user_id', 'l.line'),
    );
  }
  if (list === 'blocked' || list === 'notImportable') {
    if (kind !== 'passwords')
      throw new AppError('invalid_input', `The ${list} list belongs to the password-hash merge.`);
    const where = list === 'blocked' ? 'h.blocked = 1' : 'h.importable = 0';
    const detail =
      list === 'blocked'
        ? "'Blocked in Auth0: the hash is kept, but no password is set in WorkOS unless you decide otherwise.'"
        : 'h.reason';
    return run(
      `FROM password_hashes h WHERE ${where}`,
      `h.line AS line, h.user_id AS userId, CASE WHEN h.blocked = 1 THEN 'blocked' ELSE 'matched' END AS outcome, h.algorithm AS algorithm, ${detail} AS detail`,
      'h.user_id',
      [],
      searchClause(opts.search, 'h.user_id', 'h.line'),
    );
  }
  if (list === 'withoutHash') {
    return run(
      `FROM auth0_users u WHERE ${listWhere.withoutHash}`,
      "NULL AS line, u.user_id AS userId, NULL AS outcome, NULL AS algorithm, 'Connection ' || COALESCE(u.connection, '?') || ': no hash in the file; this user needs a password reset or just-in-time migration.' AS detail",
      'u.user_id',
      [],
      searchClause(opts.search, 'u.user_id', null),
    );
  }
  // reenrol
  return run(
    `FROM auth0_users u WHERE ${listWhere.reenrol}`,
    `NULL AS line, u.user_id AS userId, NULL AS outcome, NULL AS algorithm,
     'Enrolled factors: ' || COALESCE((SELECT group_concat(DISTINCT e.type) FROM auth0_mfa_enrolments e WHERE e.user_id = u.user_id), 'unknown (MFA enrolment not exported)') || '. No TOTP secret: the user enrols again in WorkOS.' AS detail`,
    'u.user_id',
    [],
    searchClause(opts.search, 'u.user_id', null),
  );
}

/** For the wizard: a password-hash merge has been committed in this workspace. */
export function passwordsMerged(db: Database): boolean {
  // A read-only workspace of an older schema has no merge tables yet.
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'password_merge_runs'").get())
    return false;
  return (
    db.prepare("SELECT 1 FROM password_merge_runs WHERE kind = 'passwords' AND state = 'committed'").get() !==
    undefined
  );
}
