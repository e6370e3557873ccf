import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../jobs/thread-entry';
import { blobBytes, type FieldCipher } from './cipher';

// Encrypts many field values of one column at once. AES-GCM with a fresh cipher per value costs a few microseconds,
// which made encryption the largest single cost of merging a million password hashes; the pool runs it on worker
// threads while the caller goes on reading and matching, so the two overlap on a multi-core laptop. Small jobs use
// the caller's own cipher: starting a thread would cost more than it saves.
//
// The workers get a copy of the data key at start (wiped here once handed over) and only ever see the values to
// encrypt and their row ids, in memory: nothing is written anywhere.

export interface BulkEncryptor {
  /** Encrypts values[i] for the row ids[i] of table.column; the blobs come back in the same order. */
  encryptMany(table: string, column: string, ids: string[], values: string[]): Promise<Buffer[]>;
  close(): Promise<void>;
  /** Whether encryption runs beside the caller (worth giving it work ahead) or on the caller's own thread. */
  readonly parallel: boolean;
}

export interface CipherPoolStart {
  dataKey: Uint8Array;
}
export interface CipherPoolRequest {
  id: number;
  table: string;
  column: string;
  ids: string[];
  values: string[];
}
export type CipherPoolReply = { id: number; blobs: Uint8Array } | { id: number; error: string };

/** The caller's cipher, synchronously: for small jobs and as the reference the pool must agree with. */
export function inlineEncryptor(cipher: FieldCipher): BulkEncryptor {
  return {
    encryptMany: async (table, column, ids, values) =>
      values.map((v, i) => cipher.encrypt({ table, column, id: ids[i]! }, v)),
    close: async () => undefined,
    parallel: false,
  };
}

/** One thread per core beyond the caller's own, at least one, at most four. */
function defaultPoolThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export function startCipherPool(dataKey: Buffer, threads = defaultPoolThreads()): BulkEncryptor {
  const entry = threadEntry(__dirname, 'cipher-worker');
  const pending = new Map<number, { resolve(b: Buffer[]): void; reject(e: Error): void; sizes: number[] }>();
  let nextId = 0;
  let closed = false;
  let turn = 0;
  let failure: Error | null = null;
  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const workers = Array.from({ length: Math.max(1, threads) }, () => {
    const start: CipherPoolStart = { dataKey: new Uint8Array(dataKey) };
    const worker = new Worker(entry.file, {
      workerData: start,
      execArgv: entry.execArgv,
      resourceLimits: THREAD_RESOURCE_LIMITS,
    });
    start.dataKey.fill(0);
    worker.on('message', (reply: CipherPoolReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) {
        p.reject(new AppError('internal', `Encrypting values for the workspace failed: ${reply.error}`));
        return;
      }
      const all = Buffer.from(reply.blobs.buffer, reply.blobs.byteOffset, reply.blobs.byteLength);
      const out: Buffer[] = new Array(p.sizes.length);
      let at = 0;
      for (let i = 0; i < p.sizes.length; i++) {
        out[i] = all.subarray(at, at + p.sizes[i]!);
        at += p.sizes[i]!;
      }
      p.resolve(out);
    });
    worker.on('error', () =>
      failAll(new AppError('internal', 'A workspace encryption thread stopped unexpectedly.')),
    );
    worker.on('exit', (code) => {
      if (code !== 0 && !closed) failAll(new AppError('internal', 'A workspace encryption thread exited.'));
    });
    return worker;
  });
  dataKey.fill(0);
  return {
    parallel: true,
    encryptMany(table, column, ids, values) {
      if (closed) return Promise.reject(new AppError('internal', 'The encryption pool was closed.'));
      if (failure) return Promise.reject(failure);
      if (values.length === 0) return Promise.resolve([]);
      const id = nextId++;
      const sizes = values.map((v) => blobBytes(Buffer.byteLength(v, 'utf8')));
      const request: CipherPoolRequest = { id, table, column, ids, values };
      return new Promise<Buffer[]>((resolve, reject) => {
        pending.set(id, { resolve, reject, sizes });
        workers[turn++ % workers.length]!.postMessage(request);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      failAll(new AppError('internal', 'The encryption pool was closed.'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
