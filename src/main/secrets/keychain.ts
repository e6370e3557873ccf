import { AppError } from '../../shared/errors';

// The app's only door to the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux).
// Accounts are stable names: `auth0:<domain>:<client_id>`, `workos:<environment>`, `workspace-key:<workspace id>`.
export interface Keychain {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** Account names this app holds; never the secrets. */
  list(): Promise<string[]>;
}

export const APP_ID = 'com.auth0-to-workos.assistant';

export const accounts = {
  auth0: (domain: string, clientId: string) => `auth0:${domain}:${clientId}`,
  workos: (environment: string) => `workos:${environment}`,
  workspaceKey: (workspaceId: string) => `workspace-key:${workspaceId}`,
  pgpKey: (fingerprint: string) => `pgp-key:${fingerprint}`,
};

type Keytar = typeof import('keytar');

// keytar's errors can carry D-Bus details but never the secret; still, we replace them with our own words.
function unavailable(cause: unknown): AppError {
  const detail = cause instanceof Error ? cause.message.split('\n')[0]?.slice(0, 200) : '';
  return new AppError(
    'keychain_unavailable',
    `The OS keychain could not be used${detail ? ` (${detail})` : ''}.`,
    'On Linux, a Secret Service provider (GNOME Keyring or KWallet) must be running and unlocked.',
  );
}

export function osKeychain(service: string = APP_ID): Keychain {
  let keytar: Keytar | undefined;
  const load = (): Keytar => {
    // Loaded lazily so that commands that never touch a secret work without a keychain.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    keytar ??= require('keytar') as Keytar;
    return keytar;
  };
  const wrap = async <T>(fn: (k: Keytar) => Promise<T>): Promise<T> => {
    try {
      return await fn(load());
    } catch (err) {
      throw unavailable(err);
    }
  };
  return {
    get: (account) => wrap((k) => k.getPassword(service, account)),
    set: (account, secret) => wrap((k) => k.setPassword(service, account, secret)),
    delete: (account) => wrap((k) => k.deletePassword(service, account)),
    list: () => wrap(async (k) => (await k.findCredentials(service)).map((c) => c.account)),
  };
}

/** A process-local keychain for unit tests and for read-only package review where no OS keychain is wanted. */
export function memoryKeychain(initial: Record<string, string> = {}): Keychain {
  const store = new Map(Object.entries(initial));
  return {
    get: async (a) => store.get(a) ?? null,
    set: async (a, s) => void store.set(a, s),
    delete: async (a) => store.delete(a),
    list: async () => [...store.keys()],
  };
}
