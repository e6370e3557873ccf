import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../shared/errors';
import { isLoopbackHost } from '../../net/loopback';
import { call } from './http';
import type { EntityEnv, EntityExporter } from './env';
import { ingestUsers } from './ingest';

// Users come from Auth0's users-exports job (GET /users stops at 1000): create the job, poll it with backoff,
// download the gzip file within its link's 60 s (a fresh link comes from GET /jobs/{id}), and stream it into the
// stage tables. The job id and its creation time are checkpointed: within the job's 24 h a resumed export
// downloads the same file again and continues after the last committed line.

/** Every field the app needs, named explicitly (Auth0 exports only what is named). */
export const USER_EXPORT_FIELDS = [
  'user_id',
  'email',
  'email_verified',
  'username',
  'phone_number',
  'phone_verified',
  'name',
  'given_name',
  'family_name',
  'nickname',
  'picture',
  'identities',
  'app_metadata',
  'user_metadata',
  'multifactor',
  'blocked',
  'created_at',
  'updated_at',
  'last_login',
  'last_ip',
  'logins_count',
].map((name) => ({ name }));

const JOB_VALIDITY_MS = 24 * 3600 * 1000;
/** Margin before the 24 h end, so a download is not started on a job about to expire. */
const JOB_REUSE_MS = JOB_VALIDITY_MS - 3600 * 1000;
const MAX_JOB_FAILURES = 3;
const MAX_DOWNLOAD_ATTEMPTS = 6;

interface UsersState {
  jobId: string | null;
  jobCreatedAt: string | null;
  lines: number;
  duplicates: number;
  jobFailures: number;
}

interface JobStatus {
  id?: string;
  status?: string;
  location?: string;
  percentage_done?: number;
  time_left_seconds?: number;
  summary?: { total?: number };
  count?: number;
}

function checkLocation(location: string): URL {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new AppError(
      'remote_error',
      'GET /api/v2/jobs/{id} returned a download location that is not a URL.',
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new AppError(
      'remote_error',
      'GET /api/v2/jobs/{id} returned a download location that is not HTTPS; refusing it.',
    );
  }
  return url;
}

async function getJob(env: EntityEnv, id: string): Promise<JobStatus> {
  return (await call('GET /api/v2/jobs/{id}', env, (abortSignal) =>
    env.client.jobs.get(id, { abortSignal }),
  )) as unknown as JobStatus;
}

/** Polls until the job completes; returns its status with a fresh download location. */
async function waitForJob(env: EntityEnv, id: string, lines: number): Promise<JobStatus> {
  let delay = 500;
  for (;;) {
    env.throwIfStopped();
    const job = await getJob(env, id);
    if (job.status === 'completed' && job.location) return job;
    if (job.status === 'failed') {
      throw new AppError(
        'remote_error',
        `Auth0's users export job ${id} failed (GET /api/v2/jobs/{id} status failed).`,
      );
    }
    const pct = typeof job.percentage_done === 'number' ? ` ${job.percentage_done}%` : '';
    const left = typeof job.time_left_seconds === 'number' ? `, about ${job.time_left_seconds} s left` : '';
    env.progress(
      lines,
      null,
      `Users: Auth0 is preparing the export file (${job.status ?? 'pending'}${pct}${left})`,
    );
    await sleep(delay, undefined, { signal: env.signal });
    delay = Math.min(10_000, Math.round(delay * 1.5));
  }
}

export const exportUsers: EntityExporter<UsersState> = async (env, state) => {
  let st: UsersState = state ?? { jobId: null, jobCreatedAt: null, lines: 0, duplicates: 0, jobFailures: 0 };
  const saveState = (next: UsersState): void => {
    env.db.transaction(() => env.save(next, next.lines, null))();
    st = next;
  };

  for (;;) {
    const jobAge = st.jobCreatedAt ? Date.now() - Date.parse(st.jobCreatedAt) : Infinity;
    if (!st.jobId || !(jobAge < JOB_REUSE_MS)) {
      // A new job is a new file: lines staged from an older file cannot be continued.
      const job = (await call('POST /api/v2/jobs/users-exports', env, (abortSignal) =>
        env.client.jobs.usersExports.create({ format: 'json', fields: USER_EXPORT_FIELDS }, { abortSignal }),
      )) as unknown as JobStatus & { created_at?: string };
      if (!job.id) throw new AppError('remote_error', 'POST /api/v2/jobs/users-exports returned no job id.');
      env.db.transaction(() => {
        env.db.prepare('DELETE FROM auth0_stage_users').run();
        env.db.prepare('DELETE FROM auth0_stage_identities').run();
        const next = {
          ...st,
          jobId: job.id!,
          jobCreatedAt: job.created_at ?? new Date().toISOString(),
          lines: 0,
          duplicates: 0,
        };
        env.save(next, 0, null);
        st = next;
      })();
    }
    let job: JobStatus;
    try {
      job = await waitForJob(env, st.jobId!, st.lines);
    } catch (err) {
      if (!(err instanceof AppError) || !/failed \(GET/.test(err.message)) throw err;
      const failures = st.jobFailures + 1;
      saveState({ ...st, jobId: null, jobCreatedAt: null, jobFailures: failures });
      if (failures >= MAX_JOB_FAILURES) {
        throw new AppError(
          'remote_error',
          `Auth0's users export job failed ${failures} times in a row (GET /api/v2/jobs/{id} status failed).`,
          'Check the tenant logs in the Auth0 dashboard (Monitoring > Logs), then resume the export.',
        );
      }
      continue;
    }

    const expected = job.summary?.total ?? job.count ?? null;
    for (let attempt = 1; ; attempt++) {
      env.throwIfStopped();
      const url = checkLocation(job.location!);
      let res: Response;
      try {
        res = await fetch(url, { signal: env.signal });
      } catch (err) {
        if (env.signal.aborted) throw err;
        if (attempt >= MAX_DOWNLOAD_ATTEMPTS)
          throw new AppError(
            'network',
            `Downloading the users export file failed ${attempt} times (connection error).`,
            'Check the network, then resume the export.',
          );
        await sleep(Math.min(8000, 500 * 2 ** attempt), undefined, { signal: env.signal });
        job = await waitForJob(env, st.jobId!, st.lines);
        continue;
      }
      if (res.status === 403 || res.status === 404 || res.status === 410) {
        // The 60 s link expired (S3 answers 403): ask the job for a fresh one.
        await res.body?.cancel().catch(() => undefined);
        if (attempt >= MAX_DOWNLOAD_ATTEMPTS)
          throw new AppError(
            'remote_error',
            `The users export download link kept failing (HTTP ${res.status}) even when fresh.`,
            'Resume the export; it asks Auth0 for a new link.',
          );
        job = await waitForJob(env, st.jobId!, st.lines);
        continue;
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        if (attempt >= MAX_DOWNLOAD_ATTEMPTS)
          throw new AppError(
            'remote_error',
            `Downloading the users export file answered HTTP ${res.status}.`,
            'Resume the export later.',
          );
        await sleep(Math.min(8000, 500 * 2 ** attempt), undefined, { signal: env.signal });
        job = await waitForJob(env, st.jobId!, st.lines);
        continue;
      }
      try {
        const result = await ingestUsers(
          env.db,
          Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
          {
            skipLines: st.lines,
            ...(env.usersBatchSize ? { batchSize: env.usersBatchSize } : {}),
            beforeBatch: () => env.throwIfStopped(),
            onBatch: (lines) => {
              st = { ...st, lines };
              env.save(st, lines, expected);
            },
          },
        );
        const exported = env.db.prepare('SELECT count(*) FROM auth0_stage_users').pluck().get() as number;
        const duplicates = result.lines - exported;
        const integrity = `the file's gzip checksum and length verified and all ${result.lines} lines parsed`;
        if (expected !== null) {
          return {
            exported,
            expected,
            source: 'users export job summary',
            complete: exported === expected,
            note: [
              exported !== expected
                ? `${Math.abs(expected - exported)} ${exported < expected ? 'fewer' : 'more'} than the job's count`
                : undefined,
              integrity,
            ]
              .filter(Boolean)
              .join('; '),
          };
        }
        return {
          exported,
          expected: null,
          source: 'users export file',
          complete: duplicates === 0,
          note: [
            `Auth0 reports no user total for an export job; ${integrity}`,
            duplicates ? `${duplicates} line(s) repeated a user id already in the file` : undefined,
          ]
            .filter(Boolean)
            .join('; '),
        };
      } catch (err) {
        if (err instanceof AppError || env.signal.aborted || (err as Error)?.name === 'JobStopped') throw err;
        // The connection dropped mid-file: fetch a fresh link and continue after the last committed line.
        if (attempt >= MAX_DOWNLOAD_ATTEMPTS)
          throw new AppError(
            'network',
            `The users export download was interrupted ${attempt} times.`,
            'Check the network, then resume the export.',
          );
        job = await waitForJob(env, st.jobId!, st.lines);
      }
    }
  }
};
