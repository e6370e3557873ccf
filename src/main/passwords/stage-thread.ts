// Worker-thread entry (built to out/main/stage-thread.js): the reading half of a large merge. It reads the support
// file (decrypting PGP in memory), matches and classifies each line against its own read-only connection to the
// workspace, has the values encrypted (by a cipher pool where there are cores for one, else by itself and the merge's
// thread in shares), and posts the batches to the merge's thread, which writes them. It never writes the workspace
// and never logs; values and keys stay in memory.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { toAppError } from '../../shared/errors';
import { createFieldCipher } from '../workspace/cipher';
import { inlineEncryptor, startCipherPool, type BulkEncryptor } from '../workspace/cipher-pool';
import { EncryptionBalance } from './encryption-balance';
import { stagedBatches, type SourceTimings } from './staged-batches';
import type { StageThreadMessage, StageThreadReply, StageThreadStart } from './stage-thread-client';

if (!parentPort) throw new Error('src/main/passwords/stage-thread.ts must run as a worker thread.');
const port = parentPort;
const start = workerData as StageThreadStart;
// Batches posted and not yet written: the file is not read further ahead than this. Enough that one thread's pause (a
// GC, a WAL checkpoint) does not leave the other waiting: with 3, the writer waited 0.9 s at a million lines; with 8,
// 0.3 s (a batch is some 150 KB).
const MAX_AHEAD = 8;

async function run(): Promise<void> {
  const key = Buffer.from(start.dataKey.buffer, start.dataKey.byteOffset, start.dataKey.byteLength);
  const cipher = createFieldCipher(key);
  const encryptor =
    start.cipherThreads > 0
      ? startCipherPool(Buffer.from(key), start.cipherThreads)
      : inlineEncryptor(cipher);
  key.fill(0);
  const db = new Database(start.workspaceFile, { readonly: true, fileMustExist: true });
  db.pragma('cache_size = -16384');
  const timings: SourceTimings = { read: 0, match: 0, waitEncrypt: 0 };
  // Without cipher threads (a two-core machine) this thread and the writing one share the encryption, in shares
  // sized by what each measured its work to cost (encryption-balance.ts).
  const balance = new EncryptionBalance();
  let waited = 0;
  let encryptMs = 0;
  let encrypted = 0;
  let lastShare = performance.now();
  let shared = 0;
  const timedEncryptor: BulkEncryptor = {
    ...encryptor,
    // The inline encryptor encrypts before it returns.
    encryptMany: (table, column, ids, values) => {
      const since = performance.now();
      const blobs = encryptor.encryptMany(table, column, ids, values);
      encryptMs += performance.now() - since;
      encrypted += values.length;
      return blobs;
    },
  };
  const encryptShare = (batch: { lines: number; values: number }): number => {
    const now = performance.now();
    // The first batch's time includes opening the file.
    if (shared++ > 0)
      balance.reading({ lines: batch.lines, busyMs: now - lastShare - waited, encryptMs, encrypted });
    lastShare = now;
    waited = 0;
    encryptMs = 0;
    encrypted = 0;
    return balance.next(batch, { ahead, max: MAX_AHEAD });
  };
  const source = stagedBatches({
    db,
    cipher,
    ...(encryptor.parallel ? { encryptor } : { encryptor: timedEncryptor, encryptShare }),
    kind: start.kind,
    runId: start.runId,
    seq: start.seq,
    skip: start.skip,
    counts: start.counts,
    read: start.read,
    timings,
  });
  let ahead = 0;
  // The lines of each batch posted and not yet written, oldest first (the writer acknowledges them in order).
  const posted: number[] = [];
  let lastLine = start.skip;
  let acknowledged = 0;
  let wake: (() => void) | null = null;
  port.on('message', (m: StageThreadMessage) => {
    if (m.type !== 'written') return;
    const lines = posted.shift()!;
    source.written();
    // The first batch's time includes the writer's start.
    if (acknowledged++ > 0)
      balance.writing({
        lines,
        busyMs: m.busyMs,
        encryptMs: m.encryptMs,
        encrypted: m.encrypted,
      });
    ahead--;
    wake?.();
  });
  try {
    for await (const batch of source) {
      const reply: StageThreadReply = { type: 'batch', batch };
      port.postMessage(reply);
      posted.push(batch.lastLine - lastLine);
      lastLine = batch.lastLine;
      ahead++;
      if (ahead >= MAX_AHEAD) {
        const since = performance.now();
        while (ahead >= MAX_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
        waited += performance.now() - since;
      }
    }
    const done: StageThreadReply = { type: 'done', timings };
    port.postMessage(done);
  } finally {
    await source.close();
    db.close();
  }
}

run().catch((err: unknown) => {
  // AppErrors name files and lines, never content; anything else is reduced to a generic message by toAppError.
  const e = toAppError(err);
  const reply: StageThreadReply = { type: 'error', code: e.code, message: e.message, hint: e.hint };
  port.postMessage(reply);
});
