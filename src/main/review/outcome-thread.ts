// Worker-thread entry (built to out/main/outcome-thread.js): counts every user's WorkOS outcome in a reviewer's copy
// of a redacted package, over a read-only connection of its own, so that the pass (a minute at a million users)
// leaves the app's main thread free. The caller writes the counts through the copy's decision overlay.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { outcomeCounts } from './queries';
import type { OutcomeThreadReply, OutcomeThreadStart } from './outcome-thread-client';

if (!parentPort) throw new Error('src/main/review/outcome-thread.ts must run as a worker thread.');
const start = workerData as OutcomeThreadStart;
let reply: OutcomeThreadReply;
try {
  const db = new Database(start.file, { readonly: true, fileMustExist: true });
  try {
    reply = { type: 'done', outcomes: outcomeCounts({ db }) };
  } finally {
    db.close();
  }
} catch {
  // SQLite's or the mapping's message could quote data of the copy: the caller reports the failure without it.
  reply = { type: 'failed' };
}
parentPort.postMessage(reply);
