// Runs one merge job in its own process, so a test can SIGKILL it midway or watch the disk while it runs:
//   node --import tsx test/integration/passwords/run-merge.ts <workspaceFile> <passwords|mfa> <file> [keyFile]
// Secrets come from files named in the environment, never from the command line: A2W_DATA_KEY_FILE (raw data key),
// A2W_PGP_PASSPHRASE_FILE. A2W_RESUME_JOB resumes that job instead of starting one. A2W_LOG_DIR gets the job events
// through the app's file logger. Prints one JSON line per job event and exits 0 once the job settles.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JobRunner } from '../../../src/main/jobs/runner';
import { fileLogger, silentLogger } from '../../../src/main/log';
import { newKeyHandle, offerPgpKey } from '../../../src/main/passwords/key-broker';
import { MERGE_JOB_KINDS, type MergeJobParams } from '../../../src/main/passwords/merge-job';
import { openWorkspaceWithKey } from '../../../src/main/workspace';

const [file, kind, input, keyFile] = process.argv.slice(2) as [
  string,
  'passwords' | 'mfa',
  string,
  string | undefined,
];
const dataKey = readFileSync(process.env.A2W_DATA_KEY_FILE!);
const workspace = openWorkspaceWithKey(file, dataKey);
dataKey.fill(0);
const logger = process.env.A2W_LOG_DIR ? fileLogger(process.env.A2W_LOG_DIR, 'merge.log') : silentLogger;
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const runner = new JobRunner({
  workspace,
  workerEntry: resolve(__dirname, '../../../src/main/jobs/worker.ts'),
  onEvent: (info) => {
    logger.log('info', 'job.progress', {
      kind: info.kind,
      state: info.state,
      done: info.done,
      message: info.message,
    });
    print({ event: 'job', info });
  },
});

async function main(): Promise<void> {
  runner.recoverInterrupted();
  const resumeId = process.env.A2W_RESUME_JOB;
  let handle: string | undefined;
  if (resumeId) {
    const row = workspace.db
      .prepare('SELECT params_json FROM jobs WHERE id = ?')
      .pluck()
      .get(resumeId) as string;
    handle = (JSON.parse(row) as MergeJobParams).keyHandle;
  } else if (keyFile) handle = newKeyHandle();
  if (handle && keyFile) {
    offerPgpKey(handle, {
      privateKeyArmored: readFileSync(keyFile, 'utf8'),
      passphrase: readFileSync(process.env.A2W_PGP_PASSPHRASE_FILE!, 'utf8').trim(),
    });
  }
  const params: MergeJobParams = { file: resolve(input), ...(handle ? { keyHandle: handle } : {}) };
  const started = resumeId
    ? await runner.resume(resumeId)
    : await runner.start(MERGE_JOB_KINDS[kind], params);
  const settled = await runner.wait(started.id);
  print({ event: 'settled', info: settled });
  workspace.close();
}

main().catch((err: unknown) => {
  print({
    event: 'error',
    error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
  });
  process.exit(1);
});
