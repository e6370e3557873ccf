import { randomBytes } from 'node:crypto';
import type { RehearsalStatus } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { testConnections } from '../../connect-test';
import { supportFilesDirFor, type RehearsalSettings } from '../../rehearsal';
import type { SandboxesDescription } from '../../sandbox';
import { fileNameFor, type AppServices } from '../../services';
import { accounts } from '../../secrets/keychain';
import type { Handlers } from '../dispatch';
import { join } from 'node:path';

const SETTINGS = 'rehearsal';
export const REHEARSAL_ENVIRONMENT = 'rehearsal';

type RehearsalHandlers = Pick<
  Handlers,
  'credentials.test' | 'rehearsal.start' | 'rehearsal.status' | 'rehearsal.resume' | 'rehearsal.stop'
>;

function fileRecord(files: SandboxesDescription['files']): Record<string, string> | undefined {
  return files
    ? Object.fromEntries(Object.entries(files).filter(([, v]) => typeof v === 'string'))
    : undefined;
}

function publicView(
  d: SandboxesDescription | null,
  settings: RehearsalSettings | null,
): RehearsalStatus['sandboxes'] {
  if (!d) return null;
  const files = fileRecord(d.files) ?? settings?.files;
  return {
    auth0: { domain: d.auth0.domain, baseUrl: d.auth0.baseUrl, clientId: d.auth0.clientId },
    workos: { baseUrl: d.workos.baseUrl },
    tenant: { name: d.tenant.name, users: d.tenant.users, organizations: d.tenant.organizations },
    ...(files ? { files } : {}),
  };
}

export function rehearsalHandlers(s: AppServices): RehearsalHandlers {
  const status = (): RehearsalStatus => {
    const ws = s.workspace();
    const settings = ws?.getSetting<RehearsalSettings>(SETTINGS) ?? null;
    // Only the open rehearsal workspace's own sandboxes count as running for it.
    const candidate = s.rehearsal.running();
    const running =
      candidate && settings && candidate.auth0.clientId === settings.auth0ClientId ? candidate : null;
    return {
      rehearsal: Boolean(ws?.rehearsal),
      running: Boolean(running),
      settings: settings
        ? {
            users: settings.users,
            orgs: settings.orgs,
            seed: settings.seed,
            supportFilesDir: settings.supportFilesDir,
          }
        : null,
      sandboxes: publicView(running, settings),
    };
  };

  // Points the stored connection settings at the sandboxes' current ports; the secrets stay as they were.
  const connect = async (d: SandboxesDescription, storeSecrets: boolean) => {
    const ws = s.requireWorkspace();
    await s.credentials.setAuth0(
      ws,
      { domain: d.auth0.domain, clientId: d.auth0.clientId, baseUrl: d.auth0.baseUrl },
      storeSecrets ? d.auth0.clientSecret : undefined,
    );
    await s.credentials.setWorkos(
      ws,
      { environment: REHEARSAL_ENVIRONMENT, baseUrl: d.workos.baseUrl },
      storeSecrets ? d.workos.apiKey : undefined,
    );
    await testConnections(ws, s.credentials);
  };

  return {
    'credentials.test': async () => testConnections(s.requireWorkspace(), s.credentials),

    'rehearsal.start': async ({ folder, name, users, orgs, seed }) => {
      const workspaceFile = join(folder, fileNameFor(name));
      const supportFilesDir = supportFilesDirFor(workspaceFile);
      // The support files hold password hashes: the same location rules as the workspace apply.
      await s.guard.assert(folder, 'hash file');
      const chosenSeed = seed ?? randomBytes(6).toString('hex');
      // Closing first stops an earlier rehearsal's sandboxes before new ones start.
      await s.closeWorkspace();
      const description = await s.rehearsal.start({
        generate: { users, orgs, seed: chosenSeed },
        supportFilesDir,
      });
      try {
        const ws = await s.createWorkspace(folder, name, { rehearsal: true });
        const settings: RehearsalSettings = {
          users,
          orgs,
          seed: chosenSeed,
          supportFilesDir,
          auth0ClientId: description.auth0.clientId,
          workosClientId: description.workos.clientId,
          ...(description.files ? { files: fileRecord(description.files) } : {}),
        };
        ws.setSetting(SETTINGS, settings);
        ws.audit.append({ actor: 'admin', action: 'rehearsal.started', details: { users, orgs } });
        await connect(description, true);
        return { workspace: ws.summary(), status: status() };
      } catch (err) {
        await s.rehearsal.stop();
        throw err;
      }
    },

    'rehearsal.status': async () => status(),

    // A reopened rehearsal workspace gets its sandboxes back: same tenant (same seed), same credentials.
    'rehearsal.resume': async () => {
      const ws = s.requireWorkspace();
      const settings = ws.getSetting<RehearsalSettings>(SETTINGS);
      if (!ws.rehearsal || !settings)
        throw new AppError('not_available', 'This is not a rehearsal workspace.');
      const creds = await s.credentials.status(ws);
      const secret = creds.auth0
        ? await s.keychain.get(accounts.auth0(creds.auth0.domain, settings.auth0ClientId))
        : null;
      const apiKey = await s.keychain.get(accounts.workos(REHEARSAL_ENVIRONMENT));
      if (!secret || !apiKey) {
        throw new AppError(
          'credentials_missing',
          "The rehearsal credentials are not in this machine's keychain.",
          'Start a new rehearsal.',
        );
      }
      const description = await s.rehearsal.start({
        generate: { users: settings.users, orgs: settings.orgs, seed: settings.seed },
        credentials: {
          auth0ClientId: settings.auth0ClientId,
          auth0ClientSecret: secret,
          workosApiKey: apiKey,
          workosClientId: settings.workosClientId,
        },
      });
      await connect(description, false);
      s.events.emit('workspace.changed', ws.summary());
      return status();
    },

    'rehearsal.stop': async () => {
      await s.rehearsal.stop();
      const ws = s.workspace();
      if (ws) s.events.emit('workspace.changed', ws.summary());
      return status();
    },
  };
}
