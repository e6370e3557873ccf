import type { EntityName } from '../auth0/export/entities';
import type { MatchResult } from './match';

// What a merge run counts and where each kind of support file is kept: shared by the merge's own thread
// (merge.ts: writing and committing) and the thread that reads and matches the file (staged-batches.ts).

export type MergeKind = 'passwords' | 'mfa';

export type LineOutcome = MatchResult['outcome'] | 'unreadable';

export interface MergeCounts {
  /** Non-blank lines read. */
  lines: number;
  matched: number;
  blocked: number;
  duplicates: number;
  ambiguous: number;
  noSuchUser: number;
  notDatabaseUser: number;
  /** Well-formed JSON that is not a usable record (no connection, no hash, a secret that is not Base32...). */
  invalid: number;
  /** Not UTF-8, not JSON, too long, cut off: the file is damaged and is refused. */
  unreadable: number;
  /** Passwords only: algorithm -> number of kept hashes (matched + blocked). */
  byAlgorithm: Record<string, number>;
  notImportable: number;
}

export function emptyCounts(): MergeCounts {
  return {
    lines: 0,
    matched: 0,
    blocked: 0,
    duplicates: 0,
    ambiguous: 0,
    noSuchUser: 0,
    notDatabaseUser: 0,
    invalid: 0,
    unreadable: 0,
    byAlgorithm: {},
    notImportable: 0,
  };
}

export const countKey: Record<Exclude<LineOutcome, 'matched' | 'blocked'>, keyof MergeCounts> = {
  duplicate: 'duplicates',
  ambiguous: 'ambiguous',
  no_such_user: 'noSuchUser',
  not_database_user: 'notDatabaseUser',
  invalid: 'invalid',
  unreadable: 'unreadable',
};

/** How many unreadable line numbers a refusal names. */
export const UNREADABLE_REPORTED = 5;

export interface KindSpec {
  /** The view readers use; also the table of the values' AAD. */
  live: string;
  rows: string;
  column: 'hash_enc' | 'secret_enc';
  label: string;
  /** The exported entities its lines are matched against and its figures counted from (see export/versions.ts). */
  matchedAgainst: readonly EntityName[];
}

export const SPECS: Record<MergeKind, KindSpec> = {
  passwords: {
    live: 'password_hashes',
    rows: 'password_hash_rows',
    column: 'hash_enc',
    label: 'password-hash file',
    matchedAgainst: ['users'],
  },
  mfa: {
    live: 'mfa_totp_secrets',
    rows: 'mfa_totp_secret_rows',
    column: 'secret_enc',
    label: 'MFA-secret file',
    matchedAgainst: ['users', 'mfa'],
  },
};

/** A hash's classification as stored once in password_hash_classes (column order of that table). */
export type HashClassValues = [string, string | null, number, number, number | null, string | null];

/** Lines matched, counted and encrypted, ready to be written in one transaction. */
export interface StagedBatch {
  /** Line number of the batch's last line: the checkpoint once it is written. */
  lastLine: number;
  /** The counts once the batch is written. */
  counts: MergeCounts;
  // The rows, by column: a few flat arrays cross between threads far more cheaply than one array per row.
  users: string[];
  /** Each row's line number in the file. */
  rowLines: Int32Array;
  /** Per row: ROW_BLOCKED | ROW_VIA_EMAIL | change code (CHANGE_CODES index) << 2. */
  flags: Uint8Array;
  /** The rows' ciphertexts back to back; row i's ends at blobEnds[i]. A row whose blob is empty has its value in
   * `deferred`: the writing thread encrypts it. */
  blobs: Uint8Array;
  blobEnds: Int32Array;
  /** Plaintext values of the rows with an empty blob, in row order. */
  deferred: string[];
  /** Passwords: each row's index into classes. */
  classOf: Uint8Array;
  classes: HashClassValues[];
  /** password_merge_lines values of the lines that kept no value. */
  lines: unknown[][];
  /** Line numbers of the first unreadable lines in this batch. */
  unreadable: number[];
}

export const ROW_BLOCKED = 1;
export const ROW_VIA_EMAIL = 2;
/** A row's `change` is stored as its index here (migration 008): keep the order. */
export const CHANGE_CODES = ['added', 'changed', 'unchanged'] as const;
export type Change = (typeof CHANGE_CODES)[number];
