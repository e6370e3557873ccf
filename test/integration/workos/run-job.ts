// Runs (or resumes) one WorkOS job in its own process so a test can SIGKILL it midway:
//   node --import tsx test/integration/workos/run-job.ts <workspaceFile> <kind> <paramsJson> [resumeJobId]
// The data key comes from the file named by A2W_DATA_KEY_FILE and the WorkOS credentials from A2W_TEST_WORKOS
// (JSON), never from the command line. Prints one JSON line per job event, like test/harness/run-job.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JobRunner } from '../../../src/main/jobs/runner';
import {
  serveWorkosCredentials,
  type WorkosJobCredentials,
} from '../../../src/main/workos/credentials-channel';
import { openWorkspaceWithKey } from '../../../src/main/workspace';

const [file, kind, paramsJson, resumeId] = process.argv.slice(2);
const dataKey = readFileSync(process.env.A2W_DATA_KEY_FILE!);
const creds = JSON.parse(process.env.A2W_TEST_WORKOS!) as WorkosJobCredentials;
const workspace = openWorkspaceWithKey(file!, dataKey);
dataKey.fill(0);
serveWorkosCredentials(
  () => workspace.id,
  async () => creds,
);
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const runner = new JobRunner({
  workspace,
  workerEntry: resolve(__dirname, '../../../src/main/jobs/worker.ts'),
  onEvent: (info) => print({ event: 'job', info }),
});
void (async () => {
  runner.recoverInterrupted();
  const started = resumeId
    ? await runner.resume(resumeId)
    : await runner.start(kind!, JSON.parse(paramsJson!));
  print({ event: 'settled', info: await runner.wait(started.id) });
  workspace.close();
})();
