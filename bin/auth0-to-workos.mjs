#!/usr/bin/env node
// Launcher for the built CLI (out/main/cli.js). Checks the Node version first so that an old Node gets a clear
// sentence instead of a native-module error.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `error: Node ${process.versions.node} is too old; Node 22 or newer is required (see README).\n`,
  );
  process.exit(1);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('error: the CLI is not built yet; run `npm run build` first.\n');
  process.exit(1);
}
const { main } = createRequire(import.meta.url)(cli);
process.exit(await main(process.argv.slice(2)));
