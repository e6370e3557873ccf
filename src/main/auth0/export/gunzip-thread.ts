// Worker-thread entry of gunzip-on-thread.ts (built to out/main/gunzip-thread.js): inflates the compressed chunks its
// parent posts and posts the text back in pieces of about a megabyte, moved, not copied. On its own event loop
// zlib keeps inflating while the parent is inside a batch's transaction: on the parent's loop every round of zlib
// waited for the batch to end, and the parent then waited for zlib (14% of the staging at 200k users).
import { parentPort } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import type { GunzipReply, GunzipRequest } from './gunzip-on-thread';

if (!parentPort) throw new Error('src/main/auth0/export/gunzip-thread.ts must run as a worker thread.');
const port = parentPort;

/** Text posted and not yet taken by the parent: inflating pauses above this, so memory stays bounded. */
const MAX_UNTAKEN_BYTES = 8 * 2 ** 20;
/** The size of the pieces posted: large enough that a piece is one hop, small enough to keep memory flat. */
const PIECE_BYTES = 2 ** 20;

const gunzip = createGunzip({ chunkSize: PIECE_BYTES });
/** The output slices zlib gave of its current buffer, in order. */
let slices: Buffer[] = [];
let untaken = 0;

function post(reply: GunzipReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

function sent(bytes: number): void {
  untaken += bytes;
  if (untaken > MAX_UNTAKEN_BYTES) gunzip.pause();
}

/**
 * zlib writes its output into a buffer of chunkSize bytes and hands it out slice by slice; once a slice ends at the
 * buffer's end zlib has moved on to a new buffer, and the whole buffer is moved to the parent, not copied. Allocated
 * here and dropped there, it is collected with the parent's frequent garbage: freed here, where little else is
 * allocated, 650 MB of spent buffers waited for a collection 64 MB at a time.
 */
function sendSlices(): void {
  if (slices.length === 0) return;
  const first = slices[0]!;
  const last = slices[slices.length - 1]!;
  const buffer = first.buffer as ArrayBuffer;
  const whole =
    first.byteOffset === 0 &&
    last.byteOffset + last.length === buffer.byteLength &&
    slices.every(
      (s, i) =>
        s.buffer === buffer &&
        (i === 0 || s.byteOffset === slices[i - 1]!.byteOffset + slices[i - 1]!.length),
    );
  // The piece's length is taken before the move, which leaves the buffer here empty.
  const piece = whole ? new Uint8Array(buffer) : new Uint8Array(Buffer.concat(slices)); // else one copy: the file's end
  const bytes = piece.length;
  post({ type: 'text', text: piece }, [piece.buffer as ArrayBuffer]);
  sent(bytes);
  slices = [];
}

gunzip.on('data', (out: Buffer) => {
  if (slices.length > 0 && out.buffer !== slices[0]!.buffer) sendSlices();
  slices.push(out);
  if (out.byteOffset + out.length === out.buffer.byteLength) sendSlices();
});
gunzip.on('end', () => {
  sendSlices();
  post({ type: 'end' });
});
// Only the code: zlib's messages say nothing about the content, but the parent words the error for the user.
gunzip.on('error', (err: NodeJS.ErrnoException) => post({ type: 'failed', code: err.code ?? 'ERR_ZLIB' }));

port.on('message', (req: GunzipRequest) => {
  switch (req.type) {
    case 'compressed':
      // Acknowledged once zlib has consumed it, so the parent reads the source no further ahead than zlib is.
      gunzip.write(req.compressed, () => post({ type: 'consumed', bytes: req.compressed.length }));
      return;
    case 'taken':
      untaken -= req.bytes;
      if (untaken <= MAX_UNTAKEN_BYTES && gunzip.isPaused()) gunzip.resume();
      return;
    case 'end':
      gunzip.end();
      return;
  }
});
