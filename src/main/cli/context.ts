import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError, toAppError } from '../../shared/errors';
import { createDispatcher, type Dispatcher } from '../api/dispatch';
import { createHandlers } from '../api/handlers';
import { fileLogger } from '../log';
import { createAppServices, defaultUserDataDir, type AppServices } from '../services';
import { APP_ID, osKeychain } from '../secrets/keychain';

// What every command gets: services built the same way as in the app, and one way to print results.
export interface GlobalOptions {
  json?: boolean;
  userData?: string;
}

export interface CliContext {
  json: boolean;
  services: AppServices;
  dispatch: Dispatcher;
  /** Human text on stdout, or nothing in --json mode (the final JSON object is printed by `result`). */
  say(text: string): void;
  /** The command's outcome: one JSON object in --json mode, else the human rendering. */
  result(value: unknown, human: () => string): void;
  /** Opens the workspace named by --workspace. */
  openWorkspace(path: string): Promise<void>;
}

/** `mainDir`: the folder of the built entry files (out/main), where the job worker and sandbox host sit. */
export function createCliContext(opts: GlobalOptions, version: string, mainDir: string): CliContext {
  const userDataDir = resolve(opts.userData || process.env.A2W_USER_DATA_DIR || defaultUserDataDir());
  const logger = fileLogger(resolve(userDataDir, 'logs'), 'cli.log');
  const services = createAppServices({
    userDataDir,
    keychain: osKeychain(process.env.A2W_KEYCHAIN_SERVICE || APP_ID),
    host: 'cli',
    version,
    logger,
    workerEntry: resolve(mainDir, 'worker.js'),
    sandboxEntry: resolve(mainDir, 'sandbox-host.js'),
  });
  const json = Boolean(opts.json);
  return {
    json,
    services,
    dispatch: createDispatcher(createHandlers(services), logger),
    say: (text) => {
      if (!json) process.stdout.write(text + '\n');
    },
    result: (value, human) => {
      process.stdout.write((json ? JSON.stringify(value) : human()) + '\n');
    },
    openWorkspace: async (path) => {
      await services.openWorkspace(resolve(path));
    },
  };
}

/** One-line failure on stderr (and a JSON error object on stdout in --json mode), exit code 1. */
export function reportFailure(err: unknown, json: boolean): number {
  const e = toAppError(err);
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: e.toJSON() }) + '\n');
  process.stderr.write(`error: ${e.message}${e.hint ? ` (${e.hint})` : ''}\n`);
  return e.code === 'invalid_input' ? 2 : 1;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function requireOption<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new AppError('invalid_input', `Missing ${flag}.`);
  return value;
}
