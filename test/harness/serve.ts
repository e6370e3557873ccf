import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clearKeychainService, testKeychainService } from './keychain';
import { startHarness } from './server';

// Manual use: `node --import tsx test/harness/serve.ts [--user-data-dir DIR] [--keychain-service NAME] [--port N]`
// (after `npm run build`). Prints the URL to open in a browser; Ctrl-C stops it. Without --keychain-service
// it uses a throwaway service name and removes its keychain entries on exit.
async function main() {
  const { values } = parseArgs({
    options: {
      'user-data-dir': { type: 'string' },
      'keychain-service': { type: 'string' },
      port: { type: 'string' },
      home: { type: 'string' },
    },
  });
  const throwaway = !values['keychain-service'];
  const keychainService = values['keychain-service'] ?? testKeychainService('harness');
  const userDataDir = values['user-data-dir'] ?? mkdtempSync(join(tmpdir(), 'a2w-harness-'));
  const harness = await startHarness({
    userDataDir,
    keychainService,
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.home ? { homeDir: values.home } : {}),
  });
  process.stdout.write(
    `UI harness on ${harness.origin}\n  user data: ${userDataDir}\n  keychain service: ${keychainService}\n  open: ${harness.url}\n`,
  );
  const stop = async () => {
    await harness.close();
    if (throwaway) await clearKeychainService(keychainService);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
