import type { ZodType } from 'zod';
import type { Workspace } from '../workspace';

export interface JobProgress {
  done: number;
  /** Omitted: keep the last known total; null: the total is unknown. */
  total?: number | null;
  message?: string;
}

export interface JobContext<P, C> {
  params: P;
  /** The worker's own connection (WAL), opened with openWorkspaceWithKey. */
  workspace: Workspace;
  /** Last saved checkpoint (null on the first run). */
  checkpoint: C | null;
  /** Save the checkpoint and progress; call inside the same db transaction as the work it covers so that a kill never
   *  redoes or skips work. */
  saveCheckpoint(checkpoint: C, progress?: JobProgress): void;
  /**
   * Throttled progress events (at most ~10/s); not persisted. `now` sends this one at once: for the message before a
   * long synchronous step, during which the throttle's timer cannot run.
   */
  progress(p: JobProgress, opts?: { now?: boolean }): void;
  /** Aborted on pause or cancel (reason: a JobStopped): stop at the next safe point. */
  signal: AbortSignal;
  /** Throws the runner's stop marker (JobStopped) if pause/cancel was requested. */
  throwIfStopped(): void;
}

/**
 * A kind of long-running work. run() resolving means the work is complete; to stop early on pause/cancel it must
 * throw (throwIfStopped, or an AbortError from an API given ctx.signal). Params are stored in the jobs table
 * as JSON: they must never hold a secret.
 */
export interface JobDefinition<P = unknown, C = unknown, R = unknown> {
  kind: string;
  paramsSchema: ZodType<P>;
  run(ctx: JobContext<P, C>): Promise<R>;
  /**
   * V8 old-generation bound of the job's thread, in MB, for a job that streams (its live data stays small however
   * large the tenant): held to it, V8 collects the garbage of a long run instead of letting the process grow by
   * hundreds of MB. A job that outgrows it fails with a message saying so, and resumes from its checkpoint.
   */
  heapLimitMb?: number;
}

/** The marker a job throws to stop at a safe point; never reported as a failure. */
export class JobStopped extends Error {
  constructor() {
    super('The job was asked to stop.');
    this.name = 'JobStopped';
  }
}

/** Typed definition stored in the untyped registry. */
export function defineJob<P, C, R>(definition: JobDefinition<P, C, R>): JobDefinition {
  return definition as unknown as JobDefinition;
}
