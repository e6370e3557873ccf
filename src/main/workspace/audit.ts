import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { canonicalJson } from './canonical';

export interface AuditEntryInput {
  actor: string;
  action: string;
  details?: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: string;
  problem?: string;
}

export interface AuditLog {
  append(entry: AuditEntryInput): { seq: number; hash: string };
  verify(): AuditVerification;
  head(): string;
}

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export function auditEntryHash(e: {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: unknown;
  prevHash: string;
}): string {
  const body = canonicalJson([e.seq, e.at, e.actor, e.action, e.details, e.prevHash]);
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

// Audit details carry counts and names of things, never secrets or personal data. This is a cheap guard against
// the obvious mistakes: keys that name a secret, and values that look like an email address. Counts and flags
// under such keys (e.g. `hashesMerged: 1200`) cannot leak anything and are allowed.
const sensitiveKey =
  /secret|passw|pwd|hash|token|e-?mail|api[-_]?key|private[-_]?key|credential|totp|otp[-_]?seed/i;
const emailLike = /[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/i;

function checkDetails(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (emailLike.test(value)) {
      throw new AppError(
        'invalid_input',
        `Audit detail "${path}" looks like an email address; audit entries must not hold personal data.`,
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkDetails(v, `${path}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (sensitiveKey.test(key) && typeof v !== 'number' && typeof v !== 'boolean' && v !== undefined) {
        throw new AppError(
          'invalid_input',
          `Audit detail "${here}" is named like a secret or personal data; audit entries must not hold those.`,
          'Record a count or a flag instead of the value.',
        );
      }
      checkDetails(v, here);
    }
  }
}

interface Row {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details_json: string;
  prev_hash: string;
  hash: string;
}

/**
 * The hash-chained audit log over one connection. `isReadOnly` is asked on each append so a workspace opened
 * read-only refuses with a clear error instead of a SQLite one.
 */
export function createAuditLog(db: Database, isReadOnly: () => boolean): AuditLog {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, at, actor, action, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  const head = (): string => (last.get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;

  // IMMEDIATE: take the write lock before reading the tail, so two connections cannot both extend the same entry.
  const appendTx = db.transaction((actor: string, action: string, details: Record<string, unknown>) => {
    const tail = last.get() as { seq: number; hash: string } | undefined;
    const seq = (tail?.seq ?? 0) + 1;
    const prevHash = tail?.hash ?? GENESIS_HASH;
    const at = new Date().toISOString();
    const detailsJson = canonicalJson(details);
    const hash = auditEntryHash({ seq, at, actor, action, details: JSON.parse(detailsJson), prevHash });
    insert.run(seq, at, actor, action, detailsJson, prevHash, hash);
    return { seq, hash };
  });

  return {
    append({ actor, action, details = {} }) {
      if (isReadOnly()) {
        throw new AppError(
          'workspace_read_only',
          'The workspace is open read-only; the audit log cannot be written.',
        );
      }
      if (typeof actor !== 'string' || !actor.trim() || typeof action !== 'string' || !action.trim()) {
        throw new AppError('invalid_input', 'An audit entry needs an actor and an action.');
      }
      if (details === null || typeof details !== 'object' || Array.isArray(details)) {
        throw new AppError('invalid_input', 'Audit details must be an object.');
      }
      checkDetails(details, '');
      return appendTx.immediate(actor, action, details);
    },

    verify() {
      let entries = 0;
      let prevHash = GENESIS_HASH;
      let problem: string | undefined;
      for (const row of db
        .prepare('SELECT * FROM audit_log ORDER BY seq')
        .iterate() as IterableIterator<Row>) {
        entries++;
        if (problem) continue;
        const expectedSeq = entries;
        if (row.seq !== expectedSeq) {
          problem = `Audit entry #${expectedSeq} is missing (the next entry is #${row.seq}): entries were removed.`;
        } else if (row.prev_hash !== prevHash) {
          problem = `Audit entry #${row.seq} does not link to the entry before it: entries were removed, reordered or edited.`;
        } else {
          let details: unknown;
          try {
            details = JSON.parse(row.details_json);
          } catch {
            problem = `Audit entry #${row.seq} has unreadable details: it was edited after it was written.`;
          }
          if (!problem) {
            const hash = auditEntryHash({ ...row, details, prevHash: row.prev_hash });
            if (hash !== row.hash) {
              problem = `Audit entry #${row.seq} does not match its hash: it was edited after it was written.`;
            }
          }
        }
        prevHash = row.hash;
      }
      const result: AuditVerification = { ok: !problem, entries, head: prevHash };
      if (problem) result.problem = problem;
      return result;
    },

    head,
  };
}
