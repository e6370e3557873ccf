import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  readSupportFile,
  readSupportFileBatches,
  type SupportFileItem,
} from '../../../src/main/passwords/reader';
import { AppError } from '../../../src/shared/errors';

const dir = mkdtempSync(join(tmpdir(), 'a2w-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}.ndjson`);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, maxLineBytes?: number): Promise<SupportFileItem[]> {
  const out: SupportFileItem[] = [];
  for await (const item of readSupportFile(maxLineBytes ? { file: path, maxLineBytes } : { file: path }))
    out.push(item);
  return out;
}

const rec = (i: number) =>
  JSON.stringify({ _id: { $oid: `id${i}` }, passwordHash: `secret-hash-${i}`, connection: 'db' });

describe('readSupportFile: plain NDJSON', () => {
  it('reads LF lines with line numbers', async () => {
    const items = await readAll(file(`${rec(1)}\n${rec(2)}\n`));
    expect(items).toEqual([
      { line: 1, record: JSON.parse(rec(1)) },
      { line: 2, record: JSON.parse(rec(2)) },
    ]);
  });

  it('strips a UTF-8 BOM, handles CRLF, skips blank lines but keeps counting them', async () => {
    const items = await readAll(
      file(
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(`${rec(1)}\r\n\r\n   \r\n${rec(2)}\r\n`),
        ]),
      ),
    );
    expect(items).toEqual([
      { line: 1, record: JSON.parse(rec(1)) },
      { line: 4, record: JSON.parse(rec(2)) },
    ]);
  });

  it('accepts a complete last line without a newline', async () => {
    const items = await readAll(file(`${rec(1)}\n${rec(2)}`));
    expect(items.map((i) => i.line)).toEqual([1, 2]);
    expect('record' in items[1]!).toBe(true);
  });

  it('reports a truncated last line with its number', async () => {
    const items = await readAll(file(`${rec(1)}\n${rec(2)}\n${rec(3).slice(0, 30)}`));
    expect(items).toHaveLength(3);
    const last = items[2]!;
    expect(last.line).toBe(3);
    expect('error' in last && last.error).toMatch(/line 3 is incomplete.*truncated/);
  });

  it('reports a non-JSON line by number without echoing it', async () => {
    const path = file(`${rec(1)}\nthis is not json secret-hash-XYZ\n[1,2]\n${rec(4)}\n`);
    const items = await readAll(path);
    expect(items.map((i) => ('error' in i ? `E${i.line}` : `R${i.line}`))).toEqual(['R1', 'E2', 'E3', 'R4']);
    const err = items[1] as { error: string };
    expect(err.error).toMatch(/^f\d+\.ndjson line 2 is not valid JSON/);
    expect(err.error).not.toContain('secret-hash');
    expect((items[2] as { error: string }).error).toMatch(/line 3 is JSON but not an object/);
  });

  it('reports invalid UTF-8 on its line and keeps reading', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"passwordHash":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}\n'),
    ]);
    const items = await readAll(
      file(Buffer.concat([Buffer.from(rec(1) + '\n'), bad, Buffer.from(rec(3) + '\n')])),
    );
    expect(items.map((i) => ('error' in i ? `E${i.line}` : `R${i.line}`))).toEqual(['R1', 'E2', 'R3']);
    expect((items[1] as { error: string }).error).toMatch(/line 2 is not valid UTF-8/);
  });

  it('keeps multi-byte characters split across read chunks intact', async () => {
    const name = 'Zoë Ångström 日本語 🚀';
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ i, name }));
    const items = await readAll(file(lines.join('\n') + '\n'));
    expect(items).toHaveLength(30_000);
    expect(items.every((it) => 'record' in it && (it.record as { name: string }).name === name)).toBe(true);
    expect(items[29_999]!.line).toBe(30_000);
  });

  it('rejects a 50 MB line quickly without buffering it', async () => {
    const path = join(dir, 'huge.ndjson');
    const fd = openSync(path, 'w');
    writeSync(fd, rec(1) + '\n{"passwordHash":"');
    const mb = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 50; i++) writeSync(fd, mb);
    writeSync(fd, '"}\n' + rec(3) + '\n');
    closeSync(fd);

    const started = Date.now();
    const items: SupportFileItem[] = [];
    for await (const batch of readSupportFileBatches({ file: path })) items.push(...batch);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(items.map((i) => ('error' in i ? `E${i.line}` : `R${i.line}`))).toEqual(['R1', 'E2', 'R3']);
    expect((items[1] as { error: string }).error).toMatch(/line 2 is longer than 1048576 bytes/);
    // Memory under a small heap: test/integration/passwords/reader-memory.test.ts.
  });

  it('honours a smaller maxLineBytes for lines inside one chunk', async () => {
    const items = await readAll(
      file(`${rec(1)}\n${JSON.stringify({ pad: 'x'.repeat(500) })}\n${rec(3)}\n`),
      200,
    );
    expect(items.map((i) => ('error' in i ? `E${i.line}` : `R${i.line}`))).toEqual(['R1', 'E2', 'R3']);
  });

  it('refuses a binary file that is not PGP', async () => {
    await expect(
      readAll(file(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x10, 0x11]))),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/binary file/),
    });
  });

  it('asks for a key when given a PGP file without one', async () => {
    await expect(
      readAll(file('-----BEGIN PGP MESSAGE-----\n\nwcBMA\n-----END PGP MESSAGE-----\n')),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/is PGP-encrypted/),
    });
  });

  it('names a missing or unreadable file', async () => {
    const missing = readAll(join(dir, 'nope.ndjson'));
    await expect(missing).rejects.toBeInstanceOf(AppError);
    await expect(missing).rejects.toMatchObject({
      code: 'not_found',
      message: 'nope.ndjson does not exist.',
    });
    await expect(readAll(dir)).rejects.toMatchObject({ message: expect.stringMatching(/is a folder/) });
    if (process.getuid?.() !== 0) {
      const locked = file(rec(1) + '\n');
      chmodSync(locked, 0o000);
      await expect(readAll(locked)).rejects.toMatchObject({
        message: expect.stringMatching(/permission denied/),
      });
    }
  });

  it('reads an empty file as no records', async () => {
    expect(await readAll(file(''))).toEqual([]);
  });
});
