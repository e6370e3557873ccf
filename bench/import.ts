// Import benchmark: N users, M organizations, K memberships planned and imported into the WorkOS sandbox, once at
// WorkOS's published limits (the sandbox enforces them, the importer paces itself from them) and once with limits
// lifted on both sides. Prints one JSON object.
//
//   node --import tsx bench/import.ts [--users 100000] [--orgs 1000] [--memberships 150000] [--mode both|published|lifted]
//
// The workspace is filled directly with a synthetic export (bcrypt hashes, encrypted as the merge stores them) and a
// signed-off review, so that only plan and import are measured. The sandbox runs in a child process, so the peak RSS
// is the importer's own. At the published limits a full 100,000-user run takes at least 250,000 writes / 50 per
// second = 83 minutes: pass smaller numbers for the published run when time is short (the JSON says what ran).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { signOff } from '../src/main/review/decisions';
import { memoryKeychain } from '../src/main/secrets/keychain';
import { WorkosApi } from '../src/main/workos/api';
import { runImport, type ImportCheckpoint } from '../src/main/workos/import';
import { WORKOS_PUBLISHED_LIMITS, type LimiterConfig } from '../src/main/workos/limiter';
import { createPlan, defaultPlanOptions } from '../src/main/workos/plan';
import { createWorkspace, type Workspace } from '../src/main/workspace';

type Mode = 'published' | 'lifted';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

// ---- the sandbox child

if (process.argv.includes('--sandbox-child')) {
  void (async () => {
    const { startWorkosSandbox, PUBLISHED_RATE_LIMITS, NO_RATE_LIMITS } =
      await import('../src/main/sandbox/workos');
    const published = process.argv.includes('--published');
    const sb = await startWorkosSandbox({
      rateLimits: published ? PUBLISHED_RATE_LIMITS : NO_RATE_LIMITS,
      multipleRolesEnabled: true,
      idempotencyCapacity: 10_000,
    });
    process.send!({ type: 'ready', baseUrl: sb.baseUrl, apiKey: sb.apiKey });
    process.on('message', (m: { type: string }) => {
      if (m.type !== 'stats') return;
      const s = sb.state();
      process.send!({
        type: 'stats',
        stats: sb.stats(),
        counts: {
          users: s.users.length,
          organizations: s.organizations.length,
          memberships: s.memberships.length,
        },
        rssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      });
    });
  })();
} else {
  void main();
}

function startSandbox(published: boolean): Promise<{ child: ChildProcess; baseUrl: string; apiKey: string }> {
  const child = fork(__filename, ['--sandbox-child', ...(published ? ['--published'] : [])], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { baseUrl: string; apiKey: string }) => resolve({ child, ...m }));
    child.once('exit', (code) => reject(new Error(`sandbox child exited ${code}`)));
  });
}

function sandboxStats(child: ChildProcess): Promise<{
  stats: { rateLimited: number; requests: number; byStatus: Record<string, number> };
  counts: Record<string, number>;
  rssMB: number;
}> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as never));
    child.send({ type: 'stats' });
  });
}

// ---- a synthetic reviewed workspace

async function fillWorkspace(ws: Workspace, users: number, orgs: number, memberships: number): Promise<void> {
  const db = ws.db;
  const hash = bcrypt.hashSync('bench-password-1', 4);
  const roles = [
    ['rol_admin', 'Admin'],
    ['rol_billing', 'Billing Manager'],
    ['rol_viewer', 'Viewer'],
  ];
  db.transaction(() => {
    for (const [id, name] of roles)
      db.prepare('INSERT INTO auth0_roles (role_id, name, description, raw_json) VALUES (?, ?, NULL, ?)').run(
        id,
        name,
        '{}',
      );
    const org = db.prepare(
      'INSERT INTO auth0_organizations (org_id, name, display_name, metadata_json, raw_json) VALUES (?, ?, ?, ?, ?)',
    );
    for (let o = 0; o < orgs; o++)
      org.run(
        `org_${String(o).padStart(6, '0')}`,
        `org-${o}`,
        `Organization ${o}`,
        JSON.stringify({ tier: o % 3 === 0 ? 'gold' : 'basic' }),
        '{}',
      );
    const user = db.prepare(
      `INSERT INTO auth0_users (user_id, connection, strategy, is_database, email, email_lower, email_verified, given_name,
         family_name, name, blocked, has_mfa, created_at, raw_json) VALUES (?, 'Username-Password-Authentication', 'auth0', 1,
         ?, ?, 1, ?, ?, ?, 0, 0, '2020-01-01T00:00:00.000Z', ?)`,
    );
    // The hashes as one committed merge run (password_hashes is the view of the committed run's rows).
    db.prepare(
      `INSERT INTO password_merge_runs (run_id, kind, file_name, file_sha256, file_bytes, encrypted, state, started_at, seq)
       VALUES ('bench', 'passwords', 'bench.ndjson', '', 0, 0, 'committed', ?, 1)`,
    ).run(new Date().toISOString());
    const bcryptClass = db
      .prepare(
        "INSERT INTO password_hash_classes (algorithm, workos_type, importable, valid, cost) VALUES ('bcrypt', 'bcrypt', 1, 1, 4)",
      )
      .run().lastInsertRowid;
    const pw = db.prepare(
      `INSERT INTO password_hash_rows (run, user_id, hash_enc, class_id, blocked, via, line, change)
       VALUES (1, ?, ?, ${Number(bcryptClass)}, 0, 0, ?, 0)`, // via 0 = matched by id, change 0 = added (migration 008)
    );
    const mem = db.prepare('INSERT INTO auth0_memberships (org_id, user_id, raw_json) VALUES (?, ?, ?)');
    const memRole = db.prepare(
      'INSERT INTO auth0_membership_roles (org_id, user_id, role_id, role_name) VALUES (?, ?, ?, NULL)',
    );
    let m = 0;
    for (let u = 0; u < users; u++) {
      const id = `auth0|bench${String(u).padStart(8, '0')}`;
      const email = `user${u}@bench.example`;
      user.run(
        id,
        email,
        email,
        `First${u}`,
        `Last${u}`,
        `First${u} Last${u}`,
        JSON.stringify({ app_metadata: { plan: 'pro' } }),
      );
      pw.run(id, ws.cipher!.encrypt({ table: 'password_hashes', column: 'hash_enc', id }, hash), u + 1);
      // Every user in one organization; the first (memberships - users) users in a second one as well.
      const count = m + (users - u) < memberships ? 2 : 1;
      for (let k = 0; k < count && m < memberships; k++, m++) {
        const orgId = `org_${String((u + k * 7) % orgs).padStart(6, '0')}`;
        mem.run(orgId, id, '{}');
        if (u % 5 === 0) memRole.run(orgId, id, roles[(u + k) % roles.length]![0]);
      }
    }
  })();
  signOff(ws, 'Benchmark');
}

// ---- one run

async function runOnce(mode: Mode, users: number, orgs: number, memberships: number) {
  const dir = mkdtempSync(join(tmpdir(), 'a2w-bench-import-'));
  const { child, baseUrl, apiKey } = await startSandbox(mode === 'published');
  const ws = await createWorkspace(join(dir, 'bench.a2w.sqlite'), {
    keychain: memoryKeychain(),
    name: 'bench',
  });
  try {
    const t0 = Date.now();
    await fillWorkspace(ws, users, orgs, memberships);
    const fillSeconds = (Date.now() - t0) / 1000;
    const limits: LimiterConfig =
      mode === 'published'
        ? WORKOS_PUBLISHED_LIMITS
        : { umWrites: null, umReads: null, orgDeletes: null, overall: null, concurrency: 32 };
    const api = new WorkosApi({ apiKey, baseUrl }, { limits });
    const p0 = Date.now();
    const plan = await createPlan({
      workspace: ws,
      api,
      environment: 'bench',
      options: { ...defaultPlanOptions, multipleRoles: true },
    });
    const planSeconds = (Date.now() - p0) / 1000;

    const phaseStart = new Map<number, number>();
    const i0 = Date.now();
    phaseStart.set(1, i0);
    let checkpoint: ImportCheckpoint | null = null;
    const summary = await runImport({
      workspace: ws,
      api,
      planId: plan.planId,
      checkpoint,
      saveCheckpoint: (cp) => {
        checkpoint = cp;
        if (!phaseStart.has(cp.phase)) phaseStart.set(cp.phase, Date.now());
      },
      progress: () => undefined,
      throwIfStopped: () => undefined,
    });
    const importSeconds = (Date.now() - i0) / 1000;
    const sb = await sandboxStats(child);
    const stats = api.limiter.stats();
    // User-management writes (users, memberships, TOTP) run in phases 3..5, against 500 per 10 s.
    const umSeconds = ((phaseStart.get(6) ?? Date.now()) - (phaseStart.get(3) ?? i0)) / 1000;
    const umWrites = stats.requests.um_write;
    const umLimit = WORKOS_PUBLISHED_LIMITS.umWrites!;
    const umLimitPerSecond = (umLimit.limit * 1000) / umLimit.windowMs;
    const otherWrites = stats.requests.other;
    const overall = WORKOS_PUBLISHED_LIMITS.overall!;
    const theoreticalMinSeconds =
      umWrites / umLimitPerSecond + otherWrites / ((overall.limit * 1000) / overall.windowMs);
    return {
      mode,
      users,
      organizations: orgs,
      memberships,
      planned: plan.counts,
      imported: Object.fromEntries(Object.entries(summary.counts).map(([k, c]) => [k, c.done])),
      failed: Object.values(summary.counts).reduce((n, c) => n + c.failed, 0),
      workosHolds: sb.counts,
      fillSeconds,
      planSeconds,
      importSeconds,
      requests: stats.requests,
      userManagementWrites: {
        writes: umWrites,
        seconds: Math.round(umSeconds * 10) / 10,
        perSecond: Math.round((umWrites / umSeconds) * 10) / 10,
        shareOfPublishedLimit: Math.round((umWrites / umSeconds / umLimitPerSecond) * 1000) / 1000,
      },
      rateLimited: { seenByImporter: stats.rateLimited, answeredBySandbox: sb.stats.rateLimited },
      theoreticalMinimumSecondsAtPublishedLimits: Math.round(theoreticalMinSeconds),
      wallVsTheoreticalMinimum: Math.round((importSeconds / theoreticalMinSeconds) * 1000) / 1000,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      sandboxPeakRssMB: sb.rssMB,
    };
  } finally {
    ws.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--mode');
  const mode = (at > 0 ? process.argv[at + 1] : 'both') as Mode | 'both';
  const users = arg('users', 100_000);
  const orgs = arg('orgs', 1_000);
  const memberships = arg('memberships', 150_000);
  const pubUsers = arg('published-users', users);
  const pubOrgs = arg('published-orgs', orgs);
  const pubMemberships = arg('published-memberships', memberships);
  const runs = [];
  if (mode === 'both' || mode === 'lifted') runs.push(await runOnce('lifted', users, orgs, memberships));
  if (mode === 'both' || mode === 'published')
    runs.push(await runOnce('published', pubUsers, pubOrgs, pubMemberships));
  process.stdout.write(JSON.stringify({ bench: 'import', node: process.version, runs }, null, 2) + '\n');
}
