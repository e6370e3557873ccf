import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { JobInfo } from '../../shared/contract';
import { AppError, appErrorSchema, toAppError, type AppErrorShape } from '../../shared/errors';
import type { Workspace } from '../workspace';
import type { RunnerMessage, WorkerInput, WorkerMessage } from './protocol';
import { RateEstimator } from './rate';
import { jobDefinitions } from './registry';
import { canTransition, isSettled, liveStates, resumableStates, type JobState } from './state';
import { THREAD_RESOURCE_LIMITS, threadExecArgv } from './thread-entry';

interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  params_json: string;
  checkpoint_json: string | null;
  done: number;
  total: number | null;
  message: string | null;
  error_json: string | null;
  updated_at: string;
}

/** A job with a worker thread; the jobs row is the record of everything else. */
interface ActiveJob {
  id: string;
  kind: string;
  worker: Worker;
  stopFlag: Int32Array;
  /** What a stop at a safe point turns into. */
  stopAs: 'paused' | 'cancelled' | null;
  outcome: WorkerMessage | null;
  crash: AppError | null;
  live: { done: number; total: number | null; message: string | null };
  rate: RateEstimator;
  settled: Promise<JobInfo>;
}

export interface JobRunnerOptions {
  workspace: Workspace;
  /** path.join(__dirname, 'worker.js') in the built app; the .ts source (run through tsx) in tests. */
  workerEntry: string;
  onEvent: (info: JobInfo) => void;
}

const AUDIT_ACTOR = 'app';

export class JobRunner {
  private readonly workspace: Workspace;
  private readonly workerEntry: string;
  private readonly onEvent: (info: JobInfo) => void;
  private readonly active = new Map<string, ActiveJob>();
  private closed = false;

  constructor(opts: JobRunnerOptions) {
    this.workspace = opts.workspace;
    this.workerEntry = opts.workerEntry;
    this.onEvent = opts.onEvent;
  }

  async start(kind: string, params: unknown): Promise<JobInfo> {
    this.assertOpen();
    const definition = jobDefinitions[kind];
    if (!definition) throw new AppError('invalid_input', `There is no job of kind "${kind.slice(0, 64)}".`);
    const parsed = definition.paramsSchema.safeParse(params);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`)
        .join('; ');
      throw new AppError('invalid_input', `Invalid parameters for job ${kind}: ${issues}`);
    }
    this.assertNoLiveJob(kind);

    const id = randomUUID();
    const now = new Date().toISOString();
    this.workspace.db
      .prepare(
        `INSERT INTO jobs (id, kind, state, params_json, checkpoint_json, done, total, message, error_json, created_at, updated_at)
         VALUES (?, ?, 'queued', ?, NULL, 0, NULL, NULL, NULL, ?, ?)`,
      )
      .run(id, kind, JSON.stringify(parsed.data ?? null), now, now);
    this.audit('job.started', { jobId: id, kind });
    return this.spawn(this.requireRow(id), parsed.data, null);
  }

  async pause(id: string): Promise<JobInfo> {
    const job = this.active.get(id);
    if (!job) {
      const row = this.requireRow(id);
      if (row.state === 'paused') return this.info(row);
      throw new AppError('job_conflict', `Job ${id} is ${row.state}; only a running job can be paused.`);
    }
    this.requestStop(job, job.stopAs ?? 'paused');
    return job.settled;
  }

  async resume(id: string): Promise<JobInfo> {
    this.assertOpen();
    if (this.active.has(id)) throw new AppError('job_conflict', `Job ${id} is already running.`);
    const row = this.requireRow(id);
    if (!resumableStates.includes(row.state)) {
      throw new AppError('job_conflict', `Job ${id} is ${row.state}; it cannot be resumed.`);
    }
    const definition = jobDefinitions[row.kind];
    if (!definition)
      throw new AppError('not_available', `Job ${id} is of a kind this version cannot run (${row.kind}).`);
    const parsed = definition.paramsSchema.safeParse(JSON.parse(row.params_json));
    if (!parsed.success)
      throw new AppError('invalid_input', `The stored parameters of job ${id} are invalid.`);
    this.assertNoLiveJob(row.kind);
    const checkpoint: unknown = row.checkpoint_json === null ? null : JSON.parse(row.checkpoint_json);
    this.audit('job.started', { jobId: id, kind: row.kind, resumedAt: row.done });
    return this.spawn(row, parsed.data, checkpoint);
  }

  async cancel(id: string): Promise<JobInfo> {
    const job = this.active.get(id);
    if (job) {
      this.requestStop(job, 'cancelled');
      return job.settled;
    }
    const row = this.requireRow(id);
    if (row.state === 'cancelled') return this.info(row);
    if (!canTransition(row.state, 'cancelled')) {
      throw new AppError('job_conflict', `Job ${id} is ${row.state}; it cannot be cancelled.`);
    }
    this.setState(id, 'cancelled', null);
    this.audit('job.cancelled', { jobId: id, kind: row.kind, done: row.done, total: row.total });
    return this.emit(this.requireRow(id));
  }

  list(): JobInfo[] {
    const rows = this.workspace.db
      .prepare('SELECT * FROM jobs ORDER BY created_at DESC, id')
      .all() as JobRow[];
    return rows.map((row) => this.info(row));
  }

  get(id: string): JobInfo | undefined {
    const row = this.row(id);
    return row ? this.info(row) : undefined;
  }

  /** Resolves when the job is no longer running: completed, failed, cancelled, paused or interrupted. */
  async wait(id: string): Promise<JobInfo> {
    const job = this.active.get(id);
    if (job) return job.settled;
    const info = this.get(id);
    if (!info) throw new AppError('not_found', `There is no job ${id} in this workspace.`);
    return info;
  }

  /** Call once on open: rows a killed process left queued or running become 'interrupted' (resumable). */
  recoverInterrupted(): JobInfo[] {
    const placeholders = liveStates.map(() => '?').join(', ');
    const rows = this.workspace.db
      .prepare(`SELECT * FROM jobs WHERE state IN (${placeholders})`)
      .all(...liveStates) as JobRow[];
    const recovered: JobInfo[] = [];
    for (const row of rows) {
      if (this.active.has(row.id)) continue;
      this.setState(row.id, 'interrupted', null);
      recovered.push(this.emit(this.requireRow(row.id)));
    }
    return recovered;
  }

  /**
   * Stops every worker at a safe point (state 'paused'); used on app quit and workspace close. Resolves false if a
   * worker did not stop within timeoutMs: the caller should then exit the process, which is as safe as a kill
   * (the job resumes from its last checkpoint as 'interrupted'). Workers are never terminated from here: terminating
   * a thread inside a native SQLite call can crash the whole process (better-sqlite3 #1507).
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    this.closed = true;
    const jobs = [...this.active.values()];
    for (const job of jobs) this.requestStop(job, job.stopAs ?? 'paused');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), opts.timeoutMs ?? 30_000);
      timer.unref();
    });
    try {
      return await Promise.race([Promise.all(jobs.map((job) => job.settled)).then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private spawn(row: JobRow, params: unknown, checkpoint: unknown): JobInfo {
    const key = this.workspace.dataKeyForWorker();
    const stopFlag = new SharedArrayBuffer(4);
    const workerData: WorkerInput = {
      jobId: row.id,
      kind: row.kind,
      file: this.workspace.file,
      // A copy with its own ArrayBuffer: cloning a pooled Buffer would copy its whole pool slab.
      dataKey: key ? new Uint8Array(key) : null,
      params,
      checkpoint,
      stopFlag,
    };
    const heapLimitMb = jobDefinitions[row.kind]?.heapLimitMb;
    const worker = new Worker(this.workerEntry, {
      workerData,
      // Tests run the TypeScript source (with the loader); the built worker gets the profilers' flags only.
      execArgv: threadExecArgv(this.workerEntry),
      resourceLimits: {
        ...THREAD_RESOURCE_LIMITS,
        ...(heapLimitMb ? { maxOldGenerationSizeMb: heapLimitMb } : {}),
      },
    });
    // workerData was cloned into the worker by the constructor: wipe our copies of the key.
    workerData.dataKey?.fill(0);
    key?.fill(0);

    let settle!: (info: JobInfo) => void;
    const job: ActiveJob = {
      id: row.id,
      kind: row.kind,
      worker,
      stopFlag: new Int32Array(stopFlag),
      stopAs: null,
      outcome: null,
      crash: null,
      live: { done: row.done, total: row.total, message: row.message },
      rate: new RateEstimator(),
      settled: new Promise<JobInfo>((resolve) => (settle = resolve)),
    };
    job.rate.add({ at: performance.now(), done: row.done });
    this.active.set(row.id, job);

    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        job.live = {
          done: message.done,
          total: message.total === undefined ? job.live.total : message.total,
          message: message.message ?? job.live.message,
        };
        job.rate.add({ at: performance.now(), done: message.done });
        const current = this.row(job.id);
        if (current) this.emit(current);
      } else {
        job.outcome = message;
      }
    });
    worker.on('error', (err) => {
      job.crash =
        (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new AppError(
              'internal',
              `The job used up its memory budget (${heapLimitMb ?? 'default'} MB) and stopped.`,
              'Resume it: it continues from its last checkpoint.',
            )
          : toAppError(err);
    });
    worker.on('exit', (code) => settle(this.finish(job, code)));

    this.setState(row.id, 'running', null);
    return this.emit(this.requireRow(row.id));
  }

  private finish(job: ActiveJob, exitCode: number): JobInfo {
    this.active.delete(job.id);
    const outcome = job.outcome;
    let state: JobState;
    let error: AppErrorShape | null = null;
    if (outcome?.type === 'done') state = 'completed';
    else if (outcome?.type === 'stopped') state = job.stopAs ?? 'paused';
    else if (outcome?.type === 'error') {
      state = 'failed';
      error = outcome.error;
    } else {
      state = 'failed';
      error = (
        job.crash ?? new AppError('internal', `The job worker stopped unexpectedly (exit code ${exitCode}).`)
      ).toJSON();
    }

    const row = this.requireRow(job.id);
    this.setState(job.id, state, error);
    const counts = { jobId: job.id, kind: job.kind, done: row.done, total: row.total };
    if (state === 'completed') this.audit('job.completed', counts);
    else if (state === 'cancelled') this.audit('job.cancelled', counts);
    else if (state === 'failed') this.audit('job.failed', { ...counts, code: error?.code ?? 'internal' });
    return this.emit(this.requireRow(job.id));
  }

  private requestStop(job: ActiveJob, as: 'paused' | 'cancelled'): void {
    job.stopAs = as;
    Atomics.store(job.stopFlag, 0, 1);
    job.worker.postMessage({ type: 'stop' } satisfies RunnerMessage);
  }

  private setState(id: string, state: JobState, error: AppErrorShape | null): void {
    this.workspace.db
      .prepare('UPDATE jobs SET state = ?, error_json = ?, updated_at = ? WHERE id = ?')
      .run(state, error ? JSON.stringify(error) : null, new Date().toISOString(), id);
  }

  private assertNoLiveJob(kind: string): void {
    const live = this.workspace.db
      .prepare(
        `SELECT id FROM jobs WHERE kind = ? AND state IN (${liveStates.map(() => '?').join(', ')}) LIMIT 1`,
      )
      .get(kind, ...liveStates) as { id: string } | undefined;
    if (live || [...this.active.values()].some((job) => job.kind === kind)) {
      throw new AppError(
        'job_conflict',
        `A ${kind} job is already running.`,
        'Wait for it to finish, or pause or cancel it first.',
      );
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('not_available', 'The job runner is closed.');
    // Jobs write their checkpoints into the workspace.
    this.workspace.assertWritable();
  }

  private row(id: string): JobRow | undefined {
    return this.workspace.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  private requireRow(id: string): JobRow {
    const row = this.row(id);
    if (!row) throw new AppError('not_found', `There is no job ${id} in this workspace.`);
    return row;
  }

  private info(row: JobRow): JobInfo {
    const job = this.active.get(row.id);
    const running = job !== undefined && !isSettled(row.state);
    const done = running ? job.live.done : row.done;
    const total = running ? job.live.total : row.total;
    const message = running ? job.live.message : row.message;
    const error = row.error_json ? appErrorSchema.safeParse(JSON.parse(row.error_json)) : null;
    return {
      id: row.id,
      kind: row.kind,
      state: row.state,
      done,
      total,
      rate: running ? job.rate.rate() : null,
      etaSeconds: running ? job.rate.etaSeconds(total) : null,
      ...(message !== null ? { message } : {}),
      ...(error?.success ? { error: error.data } : {}),
      updatedAt: row.updated_at,
    };
  }

  private emit(row: JobRow): JobInfo {
    const info = this.info(row);
    this.onEvent(info);
    return info;
  }

  private audit(action: string, details: Record<string, unknown>): void {
    this.workspace.audit.append({ actor: AUDIT_ACTOR, action, details });
  }
}
