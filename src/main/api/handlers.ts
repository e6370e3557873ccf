import { existsSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import { wizardStatus } from '../wizard';
import type { AppServices } from '../services';
import type { Handlers } from './dispatch';
import { isAllowedExternalUrl } from './external-links';
import { exportHandlers } from './handlers/export';
import { rehearsalHandlers } from './handlers/rehearsal';
import { reviewHandlers } from './handlers/review';
import { packageHandlers } from './handlers/packages';
import { passwordsHandlers } from './handlers/passwords';
import { workosHandlers } from './handlers/workos';
import { ssoHandlers } from './handlers/sso';
import { reportHandlers } from './handlers/report';

// The implementation of every contract operation, shared by Electron IPC, the test harness and the CLI.
// Inputs arrive already validated by the dispatcher.
export function createHandlers(s: AppServices): Handlers {
  const status = async () => {
    const ws = s.workspace();
    return wizardStatus(ws, ws ? await s.credentials.status(ws) : null);
  };
  const notOnThisHost = (what: string) =>
    new AppError('not_available', `${what} is not available here.`, 'Type the path instead.');

  return {
    ...rehearsalHandlers(s),
    ...reviewHandlers(s),
    ...packageHandlers(s),
    ...passwordsHandlers(s),
    ...workosHandlers(s),
    ...exportHandlers(s),
    ...ssoHandlers(s),
    ...reportHandlers(s),
    'app.info': async () => ({
      version: s.opts.version ?? '0.0.0',
      platform: process.platform,
      userDataDir: s.opts.userDataDir,
      host: s.opts.host,
    }),
    'app.openExternal': async ({ url }) => {
      if (!isAllowedExternalUrl(url)) {
        throw new AppError(
          'invalid_input',
          'Only Auth0 and WorkOS dashboards and documentation open from the app.',
        );
      }
      if (!s.opts.openExternal) throw notOnThisHost('Opening a browser');
      return { opened: await s.opts.openExternal(url) };
    },
    'workspace.create': async ({ folder, name }) => (await s.createWorkspace(folder, name)).summary(),
    'workspace.open': async ({ path }) => (await s.openWorkspace(path)).summary(),
    'workspace.close': async () => ({ closed: await s.closeWorkspace() }),
    'workspace.current': async () => s.workspace()?.summary() ?? null,
    'workspace.recent': async () => s.recent.list(),
    'workspace.forget': async ({ path }) => {
      await s.recent.forget(path);
      return s.recent.list();
    },
    'workspace.defaultFolder': async () => ({ folder: s.defaultFolder() }),
    'workspace.chooseFolder': async () => {
      if (!s.opts.dialogs) throw notOnThisHost('A folder picker');
      return { folder: await s.opts.dialogs.chooseFolder() };
    },
    'workspace.chooseFile': async ({ purpose }) => {
      if (!s.opts.dialogs) throw notOnThisHost('A file picker');
      const path = await s.opts.dialogs.chooseFile(purpose);
      return { path: path && existsSync(path) ? path : null };
    },
    'wizard.status': status,
    'credentials.status': async () => s.credentials.status(s.requireWorkspace()),
    'credentials.setAuth0': async ({ clientSecret, ...settings }) => {
      const ws = writable(s);
      await s.credentials.setAuth0(ws, settings, clientSecret);
      return s.credentials.status(ws);
    },
    'credentials.setWorkos': async ({ apiKey, ...settings }) => {
      const ws = writable(s);
      await s.credentials.setWorkos(ws, settings, apiKey);
      return s.credentials.status(ws);
    },
    'credentials.delete': async ({ which }) => {
      const ws = writable(s);
      await s.credentials.delete(ws, which);
      return s.credentials.status(ws);
    },
    'jobs.list': async () => s.jobs().list(),
    'jobs.pause': async ({ id }) => s.jobs().pause(id),
    'jobs.resume': async ({ id }) => s.jobs().resume(id),
    'jobs.cancel': async ({ id }) => s.jobs().cancel(id),
  };
}

function writable(s: AppServices) {
  const ws = s.requireWorkspace();
  if (ws.readOnly) {
    throw new AppError('workspace_read_only', 'This workspace is open read-only.', ws.warnings[0]);
  }
  return ws;
}
