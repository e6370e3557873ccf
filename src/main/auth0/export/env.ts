import type { ManagementClient } from 'auth0';
import type { Database } from 'better-sqlite3';
import type { Workspace } from '../../workspace';

// What every entity exporter gets from the export job.

export interface EntityEnv {
  ws: Workspace;
  db: Database;
  client: ManagementClient;
  domain: string;
  runId: string;
  usersBatchSize?: number | undefined;
  signal: AbortSignal;
  throwIfStopped(): void;
  /** Saves the entity's resume state and progress; call inside the transaction that wrote the rows it covers. */
  save(state: unknown, exported: number, expected: number | null): void;
  /** Progress without a checkpoint (e.g. while waiting for Auth0's export job). */
  progress(exported: number, expected: number | null, message?: string): void;
}

export interface EntityResult {
  exported: number;
  /** Auth0's own total; null when Auth0 offers none for this entity. */
  expected: number | null;
  /** Where `expected` came from. */
  source: string;
  complete: boolean;
  /** Why the counts differ, or how completeness was established without a total. */
  note?: string;
}

export type EntityExporter<S> = (env: EntityEnv, state: S | null) => Promise<EntityResult>;

/** The standard comparison: complete only when Auth0 gave a total and the count matches it. */
export function compare(
  exported: number,
  expected: number | null,
  source: string,
  note?: string,
): EntityResult {
  const complete = expected !== null && exported === expected;
  let why = note;
  if (expected !== null && exported !== expected) {
    const diff = exported - expected;
    why = [
      `${Math.abs(diff)} ${diff < 0 ? 'fewer' : 'more'} than Auth0's total`,
      diff < 0
        ? 'records were deleted, or Auth0 had not yet indexed them (its lists are eventually consistent), while the export ran; run the export again to refresh'
        : 'records were created while the export ran; run the export again to refresh',
      note,
    ]
      .filter(Boolean)
      .join('; ');
  }
  return { exported, expected, source, complete, ...(why ? { note: why } : {}) };
}
