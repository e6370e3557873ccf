import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { THREAD_RESOURCE_LIMITS, threadEntry } from '../../jobs/thread-entry';

// The users file's text, gunzipped on a thread of its own (gunzip-thread.ts). The caller's thread only reads the
// compressed source and hands it over; the thread inflates ahead of the caller by up to 8 MB of text while the
// caller writes a batch. Errors keep their zlib code (Z_BUF_ERROR for a truncated file), so the caller words them.

export type GunzipRequest =
  { type: 'compressed'; compressed: Uint8Array } | { type: 'taken'; bytes: number } | { type: 'end' };
export type GunzipReply =
  | { type: 'text'; text: Uint8Array }
  | { type: 'consumed'; bytes: number }
  | { type: 'end' }
  | { type: 'failed'; code: string };

/** Compressed bytes handed over and not yet consumed by zlib: the source is read no further ahead than this. */
const MAX_UNCONSUMED_BYTES = 4 * 2 ** 20;

/** A zlib failure as the in-process stream reports it: an Error with zlib's code, no content. */
function zlibError(code: string): Error {
  return Object.assign(new Error(`gzip: ${code}`), { code });
}

/** The gunzipped text of `source`, in chunks of about a megabyte. `entryFile` is the thread's built entry (benchmarks). */
export async function* gunzipChunks(
  source: Readable,
  opts: { entryFile?: string } = {},
): AsyncGenerator<Buffer> {
  // On one core a thread would only take turns with the caller.
  if (availableParallelism() < 2) {
    yield* gunzipInProcess(source);
    return;
  }
  const entry = threadEntry(__dirname, 'gunzip-thread', opts.entryFile);
  const worker = new Worker(entry.file, {
    execArgv: entry.execArgv,
    // It holds zlib's stream and the pieces in flight; the text itself is in ArrayBuffers outside its heap.
    resourceLimits: { ...THREAD_RESOURCE_LIMITS, maxOldGenerationSizeMb: 16 },
  });

  const text: Buffer[] = [];
  let ended = false;
  let failure: unknown = null;
  let stopped = false;
  let unconsumed = 0;
  let wakeReader: (() => void) | null = null;
  let wakePump: (() => void) | null = null;
  const wake = (): void => {
    wakeReader?.();
    wakeReader = null;
  };
  const resumePump = (): void => {
    wakePump?.();
    wakePump = null;
  };
  const fail = (err: unknown): void => {
    failure ??= err;
    wake();
    resumePump();
  };

  worker.on('message', (reply: GunzipReply) => {
    switch (reply.type) {
      case 'text':
        text.push(Buffer.from(reply.text.buffer, reply.text.byteOffset, reply.text.length));
        return wake();
      case 'consumed':
        unconsumed -= reply.bytes;
        return resumePump();
      case 'end':
        ended = true;
        return wake();
      case 'failed':
        return fail(zlibError(reply.code));
    }
  });
  worker.on('error', () => fail(new Error('The gunzip thread failed.')));
  worker.on('exit', () => {
    if (!ended && !stopped) fail(new Error('The gunzip thread stopped before the end of the file.'));
  });

  let sourceEnded = false;
  const pump = async (): Promise<void> => {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      if (stopped || failure) return;
      // A copy with a buffer of its own, moved to the thread: the source's chunk may be a view of a shared pool.
      const compressed = new Uint8Array(chunk);
      unconsumed += compressed.length;
      worker.postMessage({ type: 'compressed', compressed } satisfies GunzipRequest, [compressed.buffer]);
      while (unconsumed > MAX_UNCONSUMED_BYTES && !stopped && !failure)
        await new Promise<void>((resolve) => (wakePump = resolve));
    }
    sourceEnded = true;
    if (!stopped && !failure) worker.postMessage({ type: 'end' } satisfies GunzipRequest);
  };
  pump().catch((err: unknown) => {
    if (!stopped) fail(err);
  });

  try {
    for (;;) {
      const next = text.shift();
      if (next) {
        worker.postMessage({ type: 'taken', bytes: next.length } satisfies GunzipRequest);
        yield next;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  } finally {
    stopped = true;
    resumePump();
    void worker.terminate();
    // A caller that stops early (a bad line, a cancel) leaves the rest unread: the download is not kept open.
    if (!sourceEnded) source.destroy();
  }
}

/** The same on the caller's thread: where there is one core. */
export async function* gunzipInProcess(source: Readable): AsyncGenerator<Buffer> {
  // Large output chunks: each chunk is a hop to zlib's thread and back, and a million users are ~600 MB of text.
  const gunzip = createGunzip({ chunkSize: 2 ** 20 });
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  yield* gunzip as AsyncIterable<Buffer>;
}
