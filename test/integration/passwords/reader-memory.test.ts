import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'a2w-reader-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readInChild(file: string): { summary: string[]; peakRssMB: number } {
  const script = join(__dirname, '../../fixtures/passwords/read-summary.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, file], {
    encoding: 'utf8',
    cwd: join(__dirname, '../../..'),
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { summary: string[]; peakRssMB: number };
}

it('skips a 50 MB line without holding it: peak RSS stays near that of a tiny file', () => {
  const small = join(dir, 'small.ndjson');
  writeFileSync(small, '{"connection":"db"}\n{"x":1}\n{"connection":"db2"}\n');
  const huge = join(dir, 'huge.ndjson');
  const fd = openSync(huge, 'w');
  writeSync(fd, '{"connection":"db"}\n{"passwordHash":"');
  const mb = Buffer.alloc(1024 * 1024, 'a');
  for (let i = 0; i < 50; i++) writeSync(fd, mb);
  writeSync(fd, '"}\n{"connection":"db2"}\n');
  closeSync(fd);

  const baseline = readInChild(small);
  const out = readInChild(huge);
  expect(baseline.summary).toEqual(['R1', 'R2', 'R3']);
  expect(out.summary).toEqual(['R1', 'E2', 'R3']);
  // Holding the line would cost at least 100 MB (its 50 MB of pieces, then their 50 MB concatenation) before the
  // string; skipping it costs only read buffers the GC has not yet reclaimed (about 45 MB measured).
  expect(out.peakRssMB - baseline.peakRssMB).toBeLessThan(90);
});
