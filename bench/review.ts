// Review benchmark: first-page latency of typical review filters on a workspace with 1,000,000 users.
//   node --expose-gc --import tsx bench/review.ts [--users 1000000] [--orgs 20000] [--page 100] [--runs 21]
// The workspace is filled by the export's own staging writers (stageUser + mergeEntity) with users shaped like
// the generator's (2% blocked, 8% unverified, 12% MFA, ~20% in no organization, duplicate emails, large and
// non-string metadata), because exporting a million users through the sandbox is bench/export.ts's job.
// Prints one JSON line: fill seconds; the full refresh (what the review.refresh job runs in a worker thread) split
// into findings and outcomes; what a decision costs (the outcome pass it triggers); the report built from the stored
// review; then per filter the median and p95 first-page latency over --runs runs (statements prepared anew each
// run, as on the renderer's first visit), with the machine's load average before and after (the benchmark shares
// its cores with whatever else runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareUserWriters, stageUser } from '../src/main/auth0/export/ingest';
import { mergeEntity } from '../src/main/auth0/export/stage';
import { buildReport } from '../src/main/report/build';
import { refreshFindings } from '../src/main/review/findings';
import { decideWithOutcomes, refreshOutcomes, refreshReview, survivorGroup } from '../src/main/review/review';
import { chooseSurvivor, setPolicy, setUserDecisions } from '../src/main/review/decisions';
import { queryUsers, type UserQuery } from '../src/main/review/queries';
import { Prng } from '../src/main/sandbox/common/prng';
import { memoryKeychain } from '../src/main/secrets/keychain';
import { createWorkspace } from '../src/main/workspace';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    orgs: { type: 'string', default: '20000' },
    page: { type: 'string', default: '100' },
    runs: { type: 'string', default: '21' },
  },
});
const USERS = Number(values.users);
const ORGS = Number(values.orgs);
const PAGE = Number(values.page);
const RUNS = Number(values.runs);

function pct(sorted: number[], p: number): number {
  return +sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'a2w-bench-review-'));
  const ws = await createWorkspace(join(dir, 'bench.a2w.sqlite'), {
    keychain: memoryKeychain(),
    name: 'bench',
  });
  try {
    const rng = new Prng('bench-review');
    const t0 = performance.now();
    const db = ws.db;
    const writers = prepareUserWriters(db);
    const org = db.prepare(
      'INSERT INTO auth0_organizations (org_id, name, display_name, metadata_json, raw_json) VALUES (?, ?, ?, ?, ?)',
    );
    const member = db.prepare(
      'INSERT OR IGNORE INTO auth0_memberships (org_id, user_id, raw_json) VALUES (?, ?, ?)',
    );
    const mfa = db.prepare(
      "INSERT INTO auth0_mfa_enrolments (user_id, enrolment_id, type, confirmed, created_at, raw_json) VALUES (?, ?, ?, 1, '2020-01-01', '{}')",
    );
    db.transaction(() => {
      for (let o = 0; o < ORGS; o++)
        org.run(
          `org_${String(o).padStart(8, '0')}`,
          `org-${o}`,
          `Org ${o}`,
          '{"plan":"team"}',
          `{"id":"org_${o}"}`,
        );
    })();
    const strategies = [
      'auth0',
      'auth0',
      'auth0',
      'auth0',
      'auth0',
      'auth0',
      'google-oauth2',
      'github',
      'samlp',
      'email',
      'sms',
    ];
    const BATCH = 20_000;
    for (let start = 0; start < USERS; start += BATCH) {
      db.transaction(() => {
        for (let i = start; i < Math.min(USERS, start + BATCH); i++) {
          const strategy = strategies[i % strategies.length]!;
          const id = `${strategy}|${rng.hex(12)}`;
          const noEmail = strategy === 'sms' || (strategy === 'auth0' && rng.chance(0.03));
          const email = noEmail
            ? undefined
            : i % 200 === 7 && i > 0
              ? `user${i - 1}@example.com`
              : `user${i}@example.com`;
          const user: Record<string, unknown> = {
            user_id: id,
            ...(email ? { email, email_verified: !rng.chance(0.08) } : {}),
            name: `User ${i}`,
            given_name: 'User',
            family_name: String(i),
            created_at: '2021-01-01T00:00:00.000Z',
            updated_at: '2021-01-01T00:00:00.000Z',
            identities: [
              {
                provider: strategy,
                connection: strategy === 'auth0' ? 'Username-Password-Authentication' : strategy,
                user_id: id.slice(id.indexOf('|') + 1),
                isSocial: strategy === 'github' || strategy === 'google-oauth2',
              },
            ],
            app_metadata: rng.chance(0.03) ? { seats: 3, beta: true } : { plan: 'pro' },
            user_metadata: rng.chance(0.005) ? { notes: 'x'.repeat(2000) } : { locale: 'en' },
            ...(rng.chance(0.02) ? { blocked: true } : {}),
            ...(rng.chance(0.12) ? { multifactor: ['guardian'] } : {}),
          };
          stageUser(writers, user, JSON.stringify(user), i + 1, 'bench');
          if (user.multifactor) mfa.run(id, `dev_${i}`, rng.pick(['totp', 'phone', 'push']));
          const r = rng.next();
          const n = r < 0.2 ? 0 : r < 0.85 ? 1 : 2;
          for (let k = 0; k < n; k++)
            member.run(`org_${String(rng.int(0, ORGS - 1)).padStart(8, '0')}`, id, '{}');
        }
      })();
    }
    db.transaction(() => mergeEntity(db, 'users'))();
    db.pragma('optimize');
    const fillSeconds = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    refreshFindings(db);
    const findingsSeconds = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    let steps = 0;
    refreshReview(ws, { step: (n) => (steps = n) });
    const fullRefreshSeconds = (performance.now() - t2) / 1000;
    // What decisions cost: a user decision and a survivor choice adjust the outcome counts by their users alone (in
    // the calling thread); a policy needs the outcome pass again (the review.refresh job, scope 'outcomes').
    const someUser = db
      .prepare('SELECT user_id FROM auth0_users ORDER BY user_id LIMIT 1')
      .pluck()
      .get() as string;
    const dupUser = db
      .prepare("SELECT user_id FROM review_user_issues WHERE code = 'duplicate_emails' LIMIT 1")
      .pluck()
      .get() as string;
    const t3 = performance.now();
    decideWithOutcomes(ws, [someUser], () => setUserDecisions(ws, 'bench', [someUser], false));
    const userDecisionMs = performance.now() - t3;
    const t4 = performance.now();
    decideWithOutcomes(ws, survivorGroup(ws, dupUser), () => chooseSurvivor(ws, 'bench', dupUser));
    const survivorDecisionMs = performance.now() - t4;
    const t5 = performance.now();
    decideWithOutcomes(ws, 'all', () => setPolicy(ws, 'bench', 'unverified_emails', 'exclude'));
    refreshOutcomes(ws);
    const policyOutcomeSeconds = (performance.now() - t5) / 1000;
    // The report as the Report step asks for it once the review is current: built from the stored findings and
    // outcome counts, on the app's main thread (it used to recompute both there: the full refresh's cost).
    const t6 = performance.now();
    buildReport(ws, { version: 'bench' });
    const reportMs = performance.now() - t6;

    const filters: { name: string; query: UserQuery }[] = [
      { name: 'all users', query: {} },
      { name: 'blocked users', query: { filter: 'blocked_users' } },
      { name: 'unverified emails', query: { filter: 'unverified_emails' } },
      { name: 'users in no organization', query: { filter: 'users_without_organization' } },
      { name: 'duplicate emails, sorted by email', query: { filter: 'duplicate_emails', sort: 'email' } },
      { name: 'search by email prefix', query: { search: 'user12345' } },
    ];
    // In the app the refresh and outcome passes run in a worker thread (their own heap); here they ran in this one.
    // Collect their garbage first (node --expose-gc) so a pause left over from them is not charged to a page.
    (globalThis as { gc?: () => void }).gc?.();
    const loadBefore = loadavg().map((x) => +x.toFixed(2));
    const results = filters.map(({ name, query }) => {
      const times: number[] = [];
      let total = 0;
      let rows = 0;
      for (let run = 0; run < RUNS; run++) {
        const s = performance.now();
        const page = queryUsers(ws, { ...query, limit: PAGE, offset: 0 });
        times.push(performance.now() - s);
        total = page.total;
        rows = page.rows.length;
      }
      const firstRunMs = +times[0]!.toFixed(2);
      times.sort((a, b) => a - b);
      return {
        filter: name,
        rows,
        total,
        runs: RUNS,
        firstRunMs,
        medianMs: pct(times, 50),
        p95Ms: pct(times, 95),
        worstMs: +times[times.length - 1]!.toFixed(2),
      };
    });
    const loadAfter = loadavg().map((x) => +x.toFixed(2));
    const deepTimes: number[] = [];
    for (let run = 0; run < 5; run++) {
      const deep = performance.now();
      queryUsers(ws, { filter: 'users_without_organization', offset: 150_000, limit: PAGE });
      deepTimes.push(performance.now() - deep);
    }
    deepTimes.sort((a, b) => a - b);
    const deepMs = deepTimes[2]!;
    process.stdout.write(
      JSON.stringify({
        bench: 'review',
        users: USERS,
        organizations: ORGS,
        pageSize: PAGE,
        fillSeconds: +fillSeconds.toFixed(1),
        findingsRefreshSeconds: +findingsSeconds.toFixed(1),
        fullRefreshSeconds: +fullRefreshSeconds.toFixed(1),
        fullRefreshSteps: steps,
        decisionMs: { user: +userDecisionMs.toFixed(1), survivor: +survivorDecisionMs.toFixed(1) },
        policyOutcomePassSeconds: +policyOutcomeSeconds.toFixed(1),
        reportFromStoredReviewMs: +reportMs.toFixed(1),
        loadAverage: { before: loadBefore, after: loadAfter, cpus: availableParallelism() },
        firstPage: results,
        deepPageMs: { filter: 'users in no organization', offset: 150_000, medianOf5Ms: +deepMs.toFixed(2) },
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        node: process.version,
      }) + '\n',
    );
  } finally {
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
