import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../src/main/secrets/keychain';

// The built CLI: the headless demo now runs the SSO hand-off and saves the report (no step left unavailable), and
// the sso and report commands work on the workspace it kept.
const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin/auth0-to-workos.mjs');
const service = `a2w-test-cli-report-${randomUUID()}`;
const dir = mkdtempSync(path.join(tmpdir(), 'a2w-cli-report-'));
const env = { ...process.env, A2W_USER_DATA_DIR: path.join(dir, 'profile'), A2W_KEYCHAIN_SERVICE: service };
let kept: string | null = null;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'out/main/cli.js')))
    throw new Error('out/main/cli.js is missing: run `npm run build` first.');
});
afterAll(async () => {
  const k = osKeychain(service);
  for (const a of await k.list()) await k.delete(a);
  rmSync(dir, { recursive: true, force: true });
  if (kept) rmSync(kept, { recursive: true, force: true });
});

describe('CLI sso and report', () => {
  it('demo ends with every step done, an SSO summary and a saved report; sso and report run on its workspace', () => {
    const r = cli(['demo', '--users', '60', '--orgs', '4', '--keep', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    kept = summary.folder;
    expect(summary.ok).toBe(true);
    expect(summary.notYetAvailable).toEqual([]);
    expect(summary.stepsNotDone).toEqual([]);
    expect(summary.sso.handedOff).toBe(summary.sso.enterprise);
    expect(summary.report).toMatchObject({
      saved: true,
      verificationOk: true,
      auditChainOk: true,
      failed: 0,
    });
    expect(summary.report.auditHeadHash).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(summary.report.path)).toBe(true);

    const ws = path.join(
      kept!,
      readdirSync(kept!).find((f) => f.endsWith('.a2w.sqlite'))!,
    );
    const sso = cli(['sso', '--workspace', ws, '--json']);
    expect(sso.code, sso.stderr).toBe(0);
    const h = JSON.parse(sso.stdout);
    expect(h.handoff.done).toBe(true);
    expect(h.links).toEqual([]);
    // Nothing left to generate, so no confirmation is needed; a missing --export for secrets is refused.
    expect(cli(['sso', '--workspace', ws, '--include-secrets']).code).toBe(2);

    const out = path.join(dir, 'report.json');
    const rep = cli(['report', '--workspace', ws, '--format', 'json', '--out', out, '--json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.stages.exported.users).toBe(60);
    expect(report.import.failed).toBe(0);
    expect(report.timeline.filter((e: { stage: string }) => e.stage === 'report')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);

    const md = cli(['report', '--workspace', ws]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('## What did not move, and why');
    expect(cli(['report', '--workspace', ws, '--format', 'pdf']).code).toBe(2);
  });
});
