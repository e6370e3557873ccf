// Worker-thread entry (built to out/main/worker.js): runs one job on its own workspace connection and reports
// progress, completion, a stop at a safe point, or a sanitised error to the runner.
import { parentPort, workerData } from 'node:worker_threads';
import { AppError, toAppError } from '../../shared/errors';
import { JOB_BUSY_TIMEOUT_MS, openWorkspaceWithKey } from '../workspace';
import type { RunnerMessage, WorkerInput, WorkerMessage } from './protocol';
import { jobDefinitions } from './registry';
import { latestThrottle } from './throttle';
import { JobStopped, type JobContext, type JobProgress } from './types';

const PROGRESS_INTERVAL_MS = 100;

if (!parentPort) throw new Error('src/main/jobs/worker.ts must run as a worker thread.');
const port = parentPort;
const post = (message: WorkerMessage): void => port.postMessage(message);

// Once a pause or cancel was asked for, whatever the job throws is a consequence of the abort (a library may wrap
// the AbortError of a request in flight as its own network error): the job stopped, it did not fail. Its checkpoint
// is intact, so a resume retries the interrupted step.
function isStop(err: unknown, signal: AbortSignal): boolean {
  return err instanceof JobStopped || signal.aborted;
}

async function run(input: WorkerInput): Promise<WorkerMessage> {
  const definition = jobDefinitions[input.kind];
  if (!definition)
    throw new AppError('invalid_input', `There is no job of kind "${input.kind.slice(0, 64)}".`);
  const parsed = definition.paramsSchema.safeParse(input.params);
  if (!parsed.success)
    throw new AppError('invalid_input', `The stored parameters of job ${input.jobId} are invalid.`);

  const stopFlag = new Int32Array(input.stopFlag);
  const controller = new AbortController();
  const stopNow = (): void => {
    if (!controller.signal.aborted) controller.abort(new JobStopped());
  };
  const onMessage = (message: RunnerMessage): void => {
    if (message.type === 'stop') stopNow();
  };
  port.on('message', onMessage);

  const dataKey = input.dataKey
    ? Buffer.from(input.dataKey.buffer, input.dataKey.byteOffset, input.dataKey.byteLength)
    : null;
  const workspace = openWorkspaceWithKey(input.file, dataKey, { busyTimeoutMs: JOB_BUSY_TIMEOUT_MS });
  const throttle = latestThrottle<JobProgress>(PROGRESS_INTERVAL_MS, (p) => post({ type: 'progress', ...p }));
  try {
    const save = workspace.db.prepare(
      `UPDATE jobs SET checkpoint_json = @checkpoint, done = COALESCE(@done, done),
         total = CASE WHEN @keepTotal THEN total ELSE @total END,
         message = COALESCE(@message, message), updated_at = @now
       WHERE id = @id`,
    );
    // Progress saved with a checkpoint is reported only once its transaction has committed: released by the job's next
    // call made outside a transaction (jobs in a synchronous loop never reach a microtask), or by a microtask.
    const committedDone = workspace.db.prepare('SELECT done FROM jobs WHERE id = ?').pluck();
    let uncommitted: JobProgress | null = null;
    const releaseCommitted = (): void => {
      if (!uncommitted || workspace.db.inTransaction) return;
      const p = uncommitted;
      uncommitted = null;
      // A rolled-back step left the row at its previous count: report nothing for it.
      if (committedDone.get(input.jobId) === p.done) throttle.push(p);
    };
    const ctx: JobContext<unknown, unknown> = {
      params: parsed.data,
      workspace,
      checkpoint: input.checkpoint ?? null,
      saveCheckpoint(checkpoint, progress) {
        releaseCommitted();
        const result = save.run({
          id: input.jobId,
          checkpoint: JSON.stringify(checkpoint),
          done: progress?.done ?? null,
          keepTotal: progress?.total === undefined ? 1 : 0,
          total: progress?.total ?? null,
          message: progress?.message ?? null,
          now: new Date().toISOString(),
        });
        if (result.changes !== 1)
          throw new AppError('not_found', `Job ${input.jobId} is missing from the jobs table.`);
        if (progress) {
          uncommitted = { ...progress };
          queueMicrotask(releaseCommitted);
        }
      },
      progress(p, opts) {
        releaseCommitted();
        throttle.push(p);
        if (opts?.now) throttle.flush();
      },
      signal: controller.signal,
      throwIfStopped() {
        releaseCommitted();
        if (Atomics.load(stopFlag, 0) === 1) stopNow();
        controller.signal.throwIfAborted();
      },
    };
    try {
      await definition.run(ctx);
      return { type: 'done' };
    } catch (err) {
      if (isStop(err, controller.signal)) return { type: 'stopped' };
      throw err;
    } finally {
      releaseCommitted();
    }
  } finally {
    throttle.flush();
    port.off('message', onMessage);
    workspace.close();
    dataKey?.fill(0);
  }
}

// Once the outcome is posted (the workspace is closed by then) the thread ends at once: a library may leave a timer
// behind (the auth0 SDK does not clear its 60 s request timeout when the request is aborted), and the runner
// settles a pause or cancel only when the thread exits. Messages posted before process.exit are delivered.
run(workerData as WorkerInput)
  .then(post, (err: unknown) => post({ type: 'error', error: toAppError(err).toJSON() }))
  .finally(() => process.exit(0));
