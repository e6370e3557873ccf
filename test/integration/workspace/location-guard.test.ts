import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocationGuard, findMount, parseMountTable, realProbes } from '../../../src/main/workspace';

// The Linux branch of the location guard against this machine: its real statfs, its real mount table, real
// symlinks. No network or FUSE mount can be made here, so those verdicts are covered by the unit tests; what
// this file proves is that the real probes read this machine correctly.
const linux = process.platform === 'linux';
const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'a2w-guard-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function findmnt(target: string): string | null {
  try {
    // Stacked mounts print one line each; the last one is the mount that is visible.
    const lines = execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '--target', target], { encoding: 'utf8' })
      .trim()
      .split('\n');
    return lines[lines.length - 1]!.trim();
  } catch {
    return null;
  }
}

describe.runIf(linux)('location guard on this Linux machine', () => {
  const probes = realProbes();

  it('accepts a local temp folder, and a file that does not exist yet below it', async () => {
    const guard = createLocationGuard();
    expect(await guard.check(path.join(dir, 'a.a2w.sqlite'), 'workspace')).toEqual({ ok: true });
    expect(await guard.check(path.join(dir, 'new', 'deeper', 'a.a2w.sqlite'), 'workspace')).toEqual({
      ok: true,
    });
  });

  it('classifies /proc and tmpfs as local', async () => {
    const guard = createLocationGuard();
    expect(await guard.check('/proc/self/not-a-file', 'workspace')).toEqual({ ok: true });
    if (existsSync('/dev/shm'))
      expect(await guard.check('/dev/shm/a.a2w.sqlite', 'workspace')).toEqual({ ok: true });
  });

  it('reads statfs magic numbers as unsigned f_type values that agree with stat -f', async () => {
    for (const p of ['/proc', dir, '/dev/shm'].filter((x) => existsSync(x))) {
      const expected = parseInt(execFileSync('stat', ['-f', '-c', '%t', p], { encoding: 'utf8' }).trim(), 16);
      expect(await probes.statfsType(p), p).toBe(expected);
    }
    expect(await probes.statfsType('/proc')).toBe(0x9fa0);
  });

  it('parses the real mount table and finds the same file system type as findmnt', async () => {
    const text = await probes.readMounts();
    expect(text).toBe(readFileSync('/proc/self/mountinfo', 'utf8'));
    const mounts = parseMountTable(text!, 'linux');
    expect(mounts.length).toBe(text!.trim().split('\n').length);
    expect(findMount(mounts, '/proc/self')!.fstype).toBe('proc');
    for (const target of [dir, '/proc', '/dev/shm', '/'].filter((x) => existsSync(x))) {
      const oracle = findmnt(target);
      if (oracle === null) continue; // findmnt missing: the /proc assertion above still stands
      expect(findMount(mounts, target)!.fstype, target).toBe(oracle);
    }
  });

  it('refuses the same real folder once the mount table says it is NFS', async () => {
    const real = (await probes.readMounts())!;
    const guard = createLocationGuard({
      readMounts: async () => `${real}\n999 27 0:99 / ${dir} rw,relatime - nfs4 fileserver:/export rw`,
    });
    const v = await guard.check(path.join(dir, 'a.a2w.sqlite'), 'workspace');
    expect(v).toMatchObject({ ok: false, kind: 'network' });
  });

  it('refuses a real Dropbox folder, also reached through a symlink, and a Box folder in the home folder', async () => {
    const dropbox = path.join(dir, 'Dropbox', 'team');
    mkdirSync(dropbox, { recursive: true });
    symlinkSync(path.join(dir, 'Dropbox'), path.join(dir, 'innocent'));
    mkdirSync(path.join(dir, 'Box'));
    const guard = createLocationGuard({ homedir: () => dir, defaultFolder: '/home/u/.config/a2w' });
    const direct = await guard.check(path.join(dropbox, 'a.a2w.sqlite'), 'workspace');
    expect(direct).toMatchObject({ ok: false, kind: 'sync' });
    const viaLink = await guard.check(path.join(dir, 'innocent', 'team', 'a.a2w.sqlite'), 'hash file');
    expect(viaLink).toMatchObject({ ok: false, kind: 'sync' });
    if (!viaLink.ok) {
      expect(viaLink.reason).toContain(path.join(dir, 'Dropbox', 'team', 'a.a2w.sqlite'));
      expect(viaLink.hint).toContain('/home/u/.config/a2w');
    }
    expect(await guard.check(path.join(dir, 'Box', 'a.a2w.sqlite'), 'workspace')).toMatchObject({
      ok: false,
    });
    await expect(guard.assert(path.join(dropbox, 'b'), 'workspace')).rejects.toMatchObject({
      code: 'location_refused',
    });
  });
});
