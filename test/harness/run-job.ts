// Runs one job in its own process so a test can SIGKILL it midway:
//   node --import tsx test/harness/run-job.ts <workspaceFile> <kind> <paramsJson>
// The workspace data key comes from the file named by A2W_DATA_KEY_FILE (raw bytes), never from the command line.
// Prints one JSON line per job event ({"event":"job","info":...}) and exits 0 once the job settles.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JobRunner } from '../../src/main/jobs/runner';
import { openWorkspaceWithKey } from '../../src/main/workspace';

const [file, kind, paramsJson] = process.argv.slice(2);
if (!file || !kind || !paramsJson) {
  process.stderr.write('usage: run-job.ts <workspaceFile> <kind> <paramsJson>\n');
  process.exit(2);
}
const keyFile = process.env.A2W_DATA_KEY_FILE;
const dataKey = keyFile ? readFileSync(keyFile) : null;
const workspace = openWorkspaceWithKey(file, dataKey);
dataKey?.fill(0);

const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const runner = new JobRunner({
  workspace,
  workerEntry: resolve(__dirname, '../../src/main/jobs/worker.ts'),
  onEvent: (info) => print({ event: 'job', info }),
});

async function main(jobKind: string, params: unknown): Promise<void> {
  const started = await runner.start(jobKind, params);
  const settled = await runner.wait(started.id);
  print({ event: 'settled', info: settled });
  workspace.close();
}

main(kind, JSON.parse(paramsJson)).catch((err: unknown) => {
  print({
    event: 'error',
    error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
  });
  process.exit(1);
});
