// Worker-thread entry (built to out/main/users-file-thread.js): reads a users-exports file on a thread of its own
// (users-file.ts: gunzip, JSON, stage rows) while the export's thread writes the previous batches. The file's bytes
// arrive as messages, the batches leave as messages; it never opens the workspace and never logs.
import { parentPort, workerData } from 'node:worker_threads';
import { toAppError } from '../../../shared/errors';
import { readUsersFile, type UsersFileOptions } from './users-file';
import type { UsersFileThreadMessage, UsersFileThreadReply } from './users-file-thread-client';

if (!parentPort) throw new Error('src/main/auth0/export/users-file-thread.ts must run as a worker thread.');
const port = parentPort;
const opts = workerData as UsersFileOptions;
// Batches posted and not yet written: the file is not read further ahead than this.
const MAX_AHEAD = 2;

const chunks: Buffer[] = [];
let ended = false;
let ahead = 0;
// Two waiters at times: the gunzip feed waiting for bytes and the batch loop waiting for the writer.
const waiters = new Set<() => void>();
port.on('message', (m: UsersFileThreadMessage) => {
  if (m.type === 'chunk') chunks.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
  else if (m.type === 'end') ended = true;
  else if (m.type === 'written') ahead--;
  for (const w of waiters) w();
  waiters.clear();
});

const until = async (ready: () => boolean): Promise<void> => {
  while (!ready()) await new Promise<void>((resolve) => waiters.add(resolve));
};

async function* bytes(): AsyncGenerator<Buffer> {
  for (;;) {
    await until(() => chunks.length > 0 || ended);
    const chunk = chunks.shift();
    if (!chunk) return;
    const reply: UsersFileThreadReply = { type: 'taken' };
    port.postMessage(reply);
    yield chunk;
  }
}

async function run(): Promise<void> {
  for await (const batch of readUsersFile(bytes(), opts)) {
    const reply: UsersFileThreadReply = { type: 'batch', batch };
    port.postMessage(reply);
    ahead++;
    await until(() => ahead < MAX_AHEAD);
  }
}

run().catch((err: unknown) => {
  // AppErrors name files and lines, never content; anything else is reduced to a generic message by toAppError.
  const e = toAppError(err);
  const reply: UsersFileThreadReply = { type: 'error', code: e.code, message: e.message, hint: e.hint };
  port.postMessage(reply);
});
