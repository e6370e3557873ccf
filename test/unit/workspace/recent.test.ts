import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecentWorkspaces } from '../../../src/main/workspace';

let dir: string;
let recentFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'a2w-recent-'));
  recentFile = path.join(dir, 'recent-workspaces.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ws = (n: string) => path.join(dir, `${n}.a2w.sqlite`);

describe('recent workspaces', () => {
  it('starts empty without a file', async () => {
    expect(await new RecentWorkspaces(dir).list()).toEqual([]);
  });

  it('lists most recent first, de-duplicated, with existence and a 0600 file', async () => {
    writeFileSync(ws('a'), '');
    const r = new RecentWorkspaces(dir);
    await r.add(ws('a'), 'A');
    await r.add(ws('b'), 'B');
    await r.add(ws('a'), 'A renamed');
    const list = await r.list();
    expect(list.map((e) => [e.path, e.name, e.exists])).toEqual([
      [ws('a'), 'A renamed', true],
      [ws('b'), 'B', false],
    ]);
    expect(new Date(list[0]!.lastOpenedAt).toISOString()).toBe(list[0]!.lastOpenedAt);
    expect(statSync(recentFile).mode & 0o777).toBe(0o600);
    // a new instance reads the same file
    expect((await new RecentWorkspaces(dir).list()).map((e) => e.name)).toEqual(['A renamed', 'B']);
  });

  it('keeps at most 20 entries, dropping the oldest', async () => {
    const r = new RecentWorkspaces(dir);
    for (let i = 0; i < 25; i++) await r.add(ws(`w${i}`), `W${i}`);
    const list = await r.list();
    expect(list).toHaveLength(20);
    expect(list[0]!.name).toBe('W24');
    expect(list[19]!.name).toBe('W5');
  });

  it('forgets an entry', async () => {
    const r = new RecentWorkspaces(dir);
    await r.add(ws('a'), 'A');
    await r.add(ws('b'), 'B');
    await r.forget(ws('a'));
    expect((await r.list()).map((e) => e.name)).toEqual(['B']);
  });

  it('survives a corrupt file: starts empty, then rewrites it', async () => {
    writeFileSync(recentFile, '{"this is": not json');
    const r = new RecentWorkspaces(dir);
    expect(await r.list()).toEqual([]);
    await r.add(ws('a'), 'A');
    expect(JSON.parse(readFileSync(recentFile, 'utf8'))).toHaveLength(1);
  });

  it('drops malformed entries but keeps good ones', async () => {
    writeFileSync(
      recentFile,
      JSON.stringify([{ path: ws('a'), name: 'A', lastOpenedAt: 'x' }, { path: 42 }, 'junk']),
    );
    expect((await new RecentWorkspaces(dir).list()).map((e) => e.name)).toEqual(['A']);
    writeFileSync(recentFile, JSON.stringify({ not: 'a list' }));
    expect(await new RecentWorkspaces(dir).list()).toEqual([]);
  });

  it('writes atomically and loses nothing under concurrent adds', async () => {
    const r = new RecentWorkspaces(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => r.add(ws(`c${i}`), `C${i}`)));
    expect(await r.list()).toHaveLength(10);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('creates the user-data folder if needed', async () => {
    const nested = path.join(dir, 'not', 'yet');
    await new RecentWorkspaces(nested).add(ws('a'), 'A');
    expect((await new RecentWorkspaces(nested).list())[0]!.name).toBe('A');
  });
});
