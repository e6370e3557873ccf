import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { callOperation, createDispatcher, type Dispatcher } from '../../../src/main/api/dispatch';
import { createHandlers } from '../../../src/main/api/handlers';
import { fileLogger } from '../../../src/main/log';
import type { WorkosSandbox } from '../../../src/main/sandbox/workos';
import { accounts, osKeychain, type Keychain } from '../../../src/main/secrets/keychain';
import { createAppServices, type AppServices } from '../../../src/main/services';
import type { Exported } from '../passwords/setup';
import { apiFor, importDirect, planDirect, reviewedTenant, sandbox, verifyDirect } from '../workos/setup';

// A fully migrated small tenant (export, merge, sign-off, plan, import, verify against the WorkOS sandbox through the
// real SDK), then opened by the app's services with its data key and WorkOS credentials in a throw-away keychain
// service: the contract operations of the SSO and Report steps run exactly as in the app.

export interface Migrated {
  t: Exported;
  sb: WorkosSandbox;
  services: AppServices;
  dispatch: Dispatcher;
  keychain: Keychain;
  logDir: string;
  /** What the next save dialog answers. */
  dialogs: { saveFile: string | null };
  close(): Promise<void>;
}

export async function migratedWorkspace(opts: {
  users: number;
  orgs: number;
  seed: string;
}): Promise<Migrated> {
  const t = await reviewedTenant(opts);
  const sb = await sandbox();
  const ws = t.open();
  const { id } = ws;
  try {
    const api = apiFor(sb);
    const plan = await planDirect(ws, api);
    await importDirect(ws, api, plan.planId);
    const v = await verifyDirect(ws, api, plan.planId, t, sb.clientId);
    if (!v.ok) throw new Error('The setup import did not verify.');
  } finally {
    ws.close();
  }
  const keychain = osKeychain(`a2w-test-sso-${randomUUID()}`);
  await keychain.set(accounts.workspaceKey(id), t.tw.dataKey.toString('base64'));
  const logDir = join(t.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logger = fileLogger(logDir);
  const dialogs = { saveFile: null as string | null };
  const services = createAppServices({
    userDataDir: join(t.dir, 'profile'),
    keychain,
    host: 'harness',
    logger,
    version: '9.9.9-test',
    dialogs: {
      chooseFolder: async () => null,
      chooseFile: async () => null,
      chooseSaveFile: async () => dialogs.saveFile,
    },
  });
  const dispatch = createDispatcher(createHandlers(services), logger);
  await callOperation(dispatch, 'workspace.open', { path: t.tw.file });
  // The environment label the plan was made for ('test'), pointed at the sandbox.
  await callOperation(dispatch, 'credentials.setWorkos', {
    environment: 'test',
    apiKey: sb.apiKey,
    baseUrl: sb.baseUrl,
  });
  return {
    t,
    sb,
    services,
    dispatch,
    keychain,
    logDir,
    dialogs,
    async close() {
      await services.close();
      for (const a of await keychain.list()) await keychain.delete(a);
      await sb.close();
      t.cleanup();
    },
  };
}

/** Every secret of the generated tenant and of the run: hashes, TOTP secrets, connection secrets, keys. */
export function knownSecrets(m: Migrated): string[] {
  const out = new Set<string>([m.sb.apiKey, m.t.tw.dataKey.toString('base64'), m.t.pgp.passphrase]);
  for (const p of m.t.tenant.passwords) out.add(p.passwordHash);
  for (const e of m.t.tenant.mfa) if (e.totp_secret) out.add(e.totp_secret);
  for (const pw of Object.values(m.t.tenant.plaintextPasswords ?? {})) out.add(pw);
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (/secret|key|password/i.test(key) && v.length >= 8) out.add(v);
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const c of m.t.tenant.connections) walk(c.options, '');
  return [...out].filter((s) => s.length >= 8);
}

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
