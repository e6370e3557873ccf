// Worker-thread entry (built to out/main/stage-thread.js): the reading half of a large merge. It reads the support
// file (decrypting PGP in memory), matches and classifies each line against its own read-only connection to the
// workspace, has the values encrypted (by a cipher pool where there are cores for one, else by itself and the merge's
// thread in shares), and posts the batches to the merge's thread, which writes them. It never writes the workspace
// and never logs; values and keys stay in memory.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { toAppError } from '../../shared/errors';
import { createFieldCipher } from '../workspace/cipher';
import { inlineEncryptor, startCipherPool } from '../workspace/cipher-pool';
import { stagedBatches, type SourceTimings } from './staged-batches';
import type { StageThreadMessage, StageThreadReply, StageThreadStart } from './stage-thread-client';

if (!parentPort) throw new Error('src/main/passwords/stage-thread.ts must run as a worker thread.');
const port = parentPort;
const start = workerData as StageThreadStart;
// Batches posted and not yet written: the file is not read further ahead than this.
const MAX_AHEAD = 3;
const SHARE_STEP = 0.05;

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
  // Without cipher threads (a two-core machine) this thread and the writing one share the encryption: the one that
  // waited longer for the other since the last batch (the writer: with nothing to write) takes more of the next.
  let share = 0.5;
  let waitedHere = 0;
  let waitedThere = 0;
  const encryptShare = (): number => {
    if (waitedThere > waitedHere) share = Math.max(0, share - SHARE_STEP);
    else if (waitedHere > waitedThere) share = Math.min(1, share + SHARE_STEP);
    waitedHere = 0;
    waitedThere = 0;
    return share;
  };
  const source = stagedBatches({
    db,
    cipher,
    encryptor,
    ...(encryptor.parallel ? {} : { encryptShare }),
    kind: start.kind,
    runId: start.runId,
    seq: start.seq,
    skip: start.skip,
    counts: start.counts,
    read: start.read,
    timings,
  });
  let ahead = 0;
  // The users of the batches posted and not yet written, oldest first (the writer acknowledges them in order).
  const posted: string[][] = [];
  let wake: (() => void) | null = null;
  port.on('message', (m: StageThreadMessage) => {
    if (m.type !== 'written') return;
    source.written({ users: posted.shift()! });
    waitedThere += m.waitedMs;
    ahead--;
    wake?.();
  });
  try {
    for await (const batch of source) {
      const reply: StageThreadReply = { type: 'batch', batch };
      port.postMessage(reply);
      posted.push(batch.users);
      ahead++;
      if (ahead >= MAX_AHEAD) {
        const since = performance.now();
        while (ahead >= MAX_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
        waitedHere += performance.now() - since;
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
