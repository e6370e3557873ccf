import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipChunks, gunzipInProcess } from '../../../src/main/auth0/export/gunzip-on-thread';

// The users file is gunzipped on a thread of its own: the text must arrive whole and in order however the source is
// cut, a damaged file must fail with zlib's code, the source must be read no further ahead than the thread inflates,
// and a caller that stops early must not leave the download open.

/** Text that gzip barely compresses (random base64 lines), so compressed and inflated sizes are close. */
function text(mb: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < mb * 16; i++) lines.push(randomBytes(48 * 1024).toString('base64'));
  return Buffer.from(lines.join('\n') + '\n');
}

/** A source that hands out `data` in pieces of `size` bytes and counts what it handed out. */
function counted(
  data: Buffer,
  size: number,
): { source: Readable; read: () => number; destroyed: () => boolean } {
  let at = 0;
  const source = new Readable({
    read() {
      if (at >= data.length) return void this.push(null);
      this.push(data.subarray(at, at + size));
      at += size;
    },
  });
  return { source, read: () => Math.min(at, data.length), destroyed: () => source.destroyed };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const c of chunks) all.push(Buffer.from(c));
  return Buffer.concat(all);
}

describe('gunzip on a thread', () => {
  it('gives the exact text however the source is cut, as the in-process gunzip does', async () => {
    const plain = text(6);
    const gz = gzipSync(plain, { level: 1 });
    for (const size of [4099, 65536, gz.length]) {
      const out = await collect(gunzipChunks(counted(gz, size).source));
      expect(out.length).toBe(plain.length);
      expect(sha(out)).toBe(sha(plain));
    }
    expect(sha(await collect(gunzipInProcess(counted(gz, 65536).source)))).toBe(sha(plain));
  });

  it('fails a truncated or damaged file with zlib code, after the text before the damage', async () => {
    const plain = text(3);
    const gz = gzipSync(plain, { level: 1 });
    let received = 0;
    const truncated = (async () => {
      for await (const c of gunzipChunks(counted(gz.subarray(0, gz.length - 1000), 65536).source))
        received += c.length;
    })();
    await expect(truncated).rejects.toMatchObject({ code: 'Z_BUF_ERROR' });
    expect(received).toBeGreaterThan(plain.length / 2);

    const damaged = Buffer.from(gz);
    damaged.fill(0x55, 5000, 6000);
    await expect(collect(gunzipChunks(counted(damaged, 65536).source))).rejects.toMatchObject({
      code: expect.stringMatching(/^Z_/),
    });
  });

  it('reads the source no further ahead than the thread inflates for a caller that is busy', async () => {
    const plain = text(64);
    const gz = gzipSync(plain, { level: 1 });
    const src = counted(gz, 65536);
    const chunks = gunzipChunks(src.source);
    const first = await chunks.next();
    expect(first.done).toBe(false);
    await sleep(500); // the caller writing a long batch: the thread fills its 8 MB of text ahead, then waits
    const readWhileBusy = src.read();
    // 8 MB of text ahead (about 6 MB of this file compressed), 4 MB handed over and not consumed, the source's buffer.
    expect(readWhileBusy).toBeLessThan(16 * 2 ** 20);
    expect(readWhileBusy).toBeLessThan(gz.length / 2);
    const rest = await collect(chunks);
    expect(sha(Buffer.concat([first.value as Buffer, rest]))).toBe(sha(plain));
    expect(src.read()).toBe(gz.length);
  }, 30_000); // 64 MB made, compressed and inflated: seconds on a loaded 2-core machine

  it('stops the thread and the source when the caller stops early', async () => {
    const gz = gzipSync(text(16), { level: 1 });
    const src = counted(gz, 65536);
    for await (const chunk of gunzipChunks(src.source)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(src.destroyed()).toBe(true);
    expect(src.read()).toBeLessThan(gz.length);
  });

  it('passes on a failing source', async () => {
    const gz = gzipSync(text(2), { level: 1 });
    const source = new Readable({
      read() {
        this.push(gz.subarray(0, 65536));
        this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      },
    });
    await expect(collect(gunzipChunks(source))).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
