// Worker-thread entry of the cipher pool (built to out/main/cipher-worker.js): encrypts batches of field values with
// the workspace cipher, so that a bulk write (a million password hashes) spreads AES-GCM over the machine's cores.
// It holds the data key it was started with and nothing else: no database, no file, no log.
import { parentPort, workerData } from 'node:worker_threads';
import { createFieldCipher } from './cipher';
import type { CipherPoolReply, CipherPoolRequest, CipherPoolStart } from './cipher-pool';

if (!parentPort) throw new Error('src/main/workspace/cipher-worker.ts must run as a worker thread.');
const port = parentPort;
const start = workerData as CipherPoolStart;
const key = Buffer.from(start.dataKey.buffer, start.dataKey.byteOffset, start.dataKey.byteLength);
const cipher = createFieldCipher(key);
key.fill(0);

port.on('message', (req: CipherPoolRequest) => {
  let reply: CipherPoolReply;
  try {
    // Blobs are written back to back; their lengths follow from the values' (see blobBytes), so none are sent.
    const blobs = req.values.map((value, i) =>
      cipher.encrypt({ table: req.table, column: req.column, id: req.ids[i]! }, value),
    );
    const out = new Uint8Array(blobs.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of blobs) {
      out.set(b, at);
      at += b.length;
    }
    reply = { id: req.id, blobs: out };
    port.postMessage(reply, [out.buffer]);
  } catch (err) {
    // The cipher's own errors carry no secret; anything else is reported by name only.
    reply = { id: req.id, error: err instanceof Error ? err.message : 'encryption failed' };
    port.postMessage(reply);
  }
});
