// Runs one export job in its own process so a test can SIGKILL it midway:
//   node --import tsx test/integration/export/run-export.ts <workspaceFile> <paramsJson>
// The data key comes from the file named by A2W_DATA_KEY_FILE and the sandbox credentials from A2W_TEST_AUTH0
// (JSON), never from the command line. Prints one JSON line per job event.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serveAuth0Credentials } from '../../../src/main/auth0/export/credentials-channel';
import { EXPORT_JOB_KIND } from '../../../src/main/auth0/export/job';
import { JobRunner } from '../../../src/main/jobs/runner';
import { openWorkspaceWithKey } from '../../../src/main/workspace';

const [file, paramsJson] = process.argv.slice(2);
const dataKey = readFileSync(process.env.A2W_DATA_KEY_FILE!);
const creds = JSON.parse(process.env.A2W_TEST_AUTH0!) as {
  domain: string;
  clientId: string;
  clientSecret: string;
  baseUrl: string;
};
const workspace = openWorkspaceWithKey(file!, dataKey);
dataKey.fill(0);
serveAuth0Credentials(
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
  const params = JSON.parse(paramsJson!) as { resume?: string };
  runner.recoverInterrupted();
  const started = params.resume
    ? await runner.resume(params.resume)
    : await runner.start(EXPORT_JOB_KIND, params);
  print({ event: 'settled', info: await runner.wait(started.id) });
  workspace.close();
})();
