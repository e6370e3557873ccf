import type { AppErrorShape } from '../../shared/errors';

// What the runner hands a worker thread (workerData) and what the worker posts back.

export interface WorkerInput {
  jobId: string;
  kind: string;
  file: string;
  /** Arrives as a Uint8Array (structured clone); null for a workspace without a data key. */
  dataKey: Uint8Array | null;
  params: unknown;
  checkpoint: unknown;
  /** Int32 flag set to 1 by the runner to ask for a stop; read even while the worker's event loop is busy. */
  stopFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total?: number | null; message?: string }
  | { type: 'done' }
  | { type: 'stopped' }
  | { type: 'error'; error: AppErrorShape };

export type RunnerMessage = { type: 'stop' };
