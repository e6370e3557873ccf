// Worker-thread entry of the WAL checkpointer (wal-checkpointer.ts; built to out/main/wal-checkpoint-thread.js). Its
// own connection to the workspace file runs PASSIVE checkpoints only: they never wait for or block the writer or a
// reader, and it never reads or writes a row.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type {
  WalCheckpointerReply,
  WalCheckpointerRequest,
  WalCheckpointerStart,
  WalCheckpointStats,
} from './wal-checkpointer';

if (!parentPort) throw new Error('src/main/workspace/wal-checkpoint-thread.ts must run as a worker thread.');
const port = parentPort;
const start = workerData as WalCheckpointerStart;
const db = new Database(start.file, { fileMustExist: true });
const stats: WalCheckpointStats = { checkpoints: 0, maxLogFrames: 0 };
let wanted = false;
let scheduled = false;

/** Commits reported while a checkpoint ran are covered by one more, not one each. */
function checkpoint(): void {
  scheduled = false;
  try {
    while (wanted && db.open) {
      wanted = false;
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      stats.checkpoints++;
      stats.maxLogFrames = Math.max(stats.maxLogFrames, row?.log ?? 0);
    }
  } catch {
    // The writer meets the same file and reports its errors itself; this thread just stops.
    if (db.open) db.close();
    const reply: WalCheckpointerReply = { type: 'failed', stats };
    port.postMessage(reply);
    port.close();
  }
}

port.on('message', (req: WalCheckpointerRequest) => {
  if (req.type === 'committed') {
    wanted = true;
    if (!scheduled && db.open) {
      scheduled = true;
      setImmediate(checkpoint);
    }
    return;
  }
  if (!db.open) return; // it failed, and said so
  checkpoint(); // commits reported before the close are copied too
  if (!db.open) return;
  db.close();
  const reply: WalCheckpointerReply = { type: 'closed', stats };
  port.postMessage(reply);
  port.close();
});
