import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { threadEntry } from '../../../src/main/jobs/thread-entry';

// The built app starts the merge's and the export's threads from bundled code that may sit in out/main or in out/main/chunks: both
// must find the built entries, never fall back to TypeScript sources that the app does not ship.
const outMain = resolve(__dirname, '../../../out/main');

describe.skipIf(!existsSync(join(outMain, 'index.js')))('thread entries of the built app', () => {
  it('are found from out/main and from out/main/chunks', () => {
    const dirs = [outMain, join(outMain, 'chunks')];
    expect(readdirSync(join(outMain, 'chunks')).length).toBeGreaterThan(0);
    for (const dir of dirs)
      for (const name of [
        'cipher-worker',
        'stage-thread',
        'wal-checkpoint-thread',
        'outcome-thread',
        'migrate-thread',
        'gunzip-thread',
      ]) {
        const entry = threadEntry(dir, name);
        expect(entry.file).toBe(join(outMain, `${name}.js`));
        // No loader, whatever the process that starts the thread was run with (vitest runs through a loader).
        expect(entry.execArgv).not.toContain('--import');
      }
  });

  it('a missing entry is an error that says the app is incomplete', () => {
    expect(() => threadEntry(join(outMain, 'chunks'), 'no-such-thread')).toThrow(/incomplete/);
  });
});
