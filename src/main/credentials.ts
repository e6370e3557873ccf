import type { CredentialsStatus } from '../shared/contract';
import { AppError } from '../shared/errors';
import { forgetConnectionTest, lastConnectionTest } from './connect-test';
import { assertLoopbackUrl } from './net/loopback';
import { redactor } from './log';
import { accounts, type Keychain } from './secrets/keychain';
import type { Workspace } from './workspace';

// Connection settings are split: what identifies the tenant/environment lives in the workspace (not secret),
// the client secret and API key live only in the OS keychain.
export interface Auth0Settings {
  domain: string;
  clientId: string;
  baseUrl?: string;
}
export interface WorkosSettings {
  environment: string;
  baseUrl?: string;
}
export interface Auth0Credentials extends Auth0Settings {
  clientSecret: string;
}
export interface WorkosCredentials extends WorkosSettings {
  apiKey: string;
}

const AUTH0 = 'connect.auth0';
const WORKOS = 'connect.workos';

export class CredentialsService {
  constructor(
    private readonly keychain: Keychain,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  async status(ws: Workspace): Promise<CredentialsStatus> {
    const a = ws.getSetting<Auth0Settings>(AUTH0);
    const w = ws.getSetting<WorkosSettings>(WORKOS);
    return {
      auth0: a
        ? { ...a, hasSecret: (await this.keychain.get(accounts.auth0(a.domain, a.clientId))) !== null }
        : null,
      workos: w ? { ...w, hasKey: (await this.keychain.get(accounts.workos(w.environment))) !== null } : null,
      lastTest: lastConnectionTest(ws) ?? null,
    };
  }

  async setAuth0(ws: Workspace, s: Auth0Settings, clientSecret?: string): Promise<void> {
    if (s.baseUrl) assertLoopbackUrl(s.baseUrl, 'Auth0 base URL');
    const previous = ws.getSetting<Auth0Settings>(AUTH0);
    const account = accounts.auth0(s.domain, s.clientId);
    if (clientSecret !== undefined) {
      redactor.register(clientSecret);
      await this.keychain.set(account, clientSecret);
    } else if ((await this.keychain.get(account)) === null) {
      throw new AppError(
        'credentials_missing',
        'No client secret is stored for this Auth0 application yet: enter it once.',
      );
    }
    // A changed domain or client id leaves the old secret orphaned in the keychain: remove it.
    if (previous && accounts.auth0(previous.domain, previous.clientId) !== account) {
      await this.keychain.delete(accounts.auth0(previous.domain, previous.clientId));
    }
    ws.setSetting(AUTH0, s.baseUrl ? s : { domain: s.domain, clientId: s.clientId });
    forgetConnectionTest(ws);
    ws.audit.append({
      actor: 'admin',
      action: 'credentials.auth0.set',
      details: { secretChanged: clientSecret !== undefined },
    });
  }

  async setWorkos(ws: Workspace, s: WorkosSettings, apiKey?: string): Promise<void> {
    if (s.baseUrl) assertLoopbackUrl(s.baseUrl, 'WorkOS base URL');
    const previous = ws.getSetting<WorkosSettings>(WORKOS);
    const account = accounts.workos(s.environment);
    if (apiKey !== undefined) {
      redactor.register(apiKey);
      await this.keychain.set(account, apiKey);
    } else if ((await this.keychain.get(account)) === null) {
      throw new AppError(
        'credentials_missing',
        'No API key is stored for this WorkOS environment yet: enter it once.',
      );
    }
    if (previous && accounts.workos(previous.environment) !== account) {
      await this.keychain.delete(accounts.workos(previous.environment));
    }
    ws.setSetting(WORKOS, s.baseUrl ? s : { environment: s.environment });
    forgetConnectionTest(ws);
    ws.audit.append({
      actor: 'admin',
      action: 'credentials.workos.set',
      details: { keyChanged: apiKey !== undefined },
    });
  }

  async delete(ws: Workspace, which: 'auth0' | 'workos'): Promise<void> {
    if (which === 'auth0') {
      const a = ws.getSetting<Auth0Settings>(AUTH0);
      if (a) await this.keychain.delete(accounts.auth0(a.domain, a.clientId));
      ws.setSetting(AUTH0, undefined);
    } else {
      const w = ws.getSetting<WorkosSettings>(WORKOS);
      if (w) await this.keychain.delete(accounts.workos(w.environment));
      ws.setSetting(WORKOS, undefined);
    }
    forgetConnectionTest(ws);
    ws.audit.append({ actor: 'admin', action: `credentials.${which}.deleted` });
  }

  /** The Auth0 credentials for a run: secret from the keychain, or AUTH0_CLIENT_SECRET for unattended runs. */
  async auth0(ws: Workspace): Promise<Auth0Credentials> {
    const s = ws.getSetting<Auth0Settings>(AUTH0);
    if (!s)
      throw new AppError(
        'credentials_missing',
        'Auth0 is not connected in this workspace.',
        'Complete the Connect step first.',
      );
    const secret =
      this.env.AUTH0_CLIENT_SECRET || (await this.keychain.get(accounts.auth0(s.domain, s.clientId)));
    if (!secret)
      throw new AppError(
        'credentials_missing',
        "The Auth0 client secret is not in this machine's keychain.",
        'Enter it again in the Connect step, or set AUTH0_CLIENT_SECRET for an unattended run.',
      );
    redactor.register(secret);
    return { ...s, clientSecret: secret };
  }

  async workos(ws: Workspace): Promise<WorkosCredentials> {
    const s = ws.getSetting<WorkosSettings>(WORKOS);
    if (!s)
      throw new AppError(
        'credentials_missing',
        'WorkOS is not connected in this workspace.',
        'Complete the Connect step first.',
      );
    const key = this.env.WORKOS_API_KEY || (await this.keychain.get(accounts.workos(s.environment)));
    if (!key)
      throw new AppError(
        'credentials_missing',
        "The WorkOS API key is not in this machine's keychain.",
        'Enter it again in the Connect step, or set WORKOS_API_KEY for an unattended run.',
      );
    redactor.register(key);
    return { ...s, apiKey: key };
  }
}
