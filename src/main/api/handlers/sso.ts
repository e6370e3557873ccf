import { AppError } from '../../../shared/errors';
import type { AppServices } from '../../services';
import { exportSsoFiles } from '../../sso/export';
import { buildHandoff, markConnectionHandled } from '../../sso/handoff';
import { importedPlan } from '../../sso/organizations';
import { generatePortalLink } from '../../sso/portal';
import type { Workspace } from '../../workspace';
import type { Handlers } from '../dispatch';

type SsoHandlers = Pick<Handlers, 'sso.handoff' | 'sso.generateLink' | 'sso.markHandled' | 'sso.exportFiles'>;

function writable(s: AppServices): Workspace {
  const ws = s.requireWorkspace();
  if (ws.readOnly)
    throw new AppError('workspace_read_only', 'This workspace is open read-only.', ws.warnings[0]);
  return ws;
}

export function ssoHandlers(s: AppServices): SsoHandlers {
  return {
    'sso.handoff': async () => buildHandoff(s.requireWorkspace()),
    'sso.generateLink': async ({ orgId, intent }) => {
      const ws = writable(s);
      const plan = importedPlan(ws);
      const creds = await s.credentials.workos(ws);
      // The link must come from the environment the organizations were imported into.
      if (plan && plan.environment !== creds.environment)
        throw new AppError(
          'invalid_input',
          `The organizations were imported into "${plan.environment}", but the Connect step now points at "${creds.environment}".`,
          'Connect the WorkOS environment the import went into to generate its Admin Portal links.',
        );
      return generatePortalLink(
        ws,
        { apiKey: creds.apiKey, ...(creds.baseUrl ? { baseUrl: creds.baseUrl } : {}) },
        orgId,
        intent,
      );
    },
    'sso.markHandled': async ({ connectionId, handled, note }) => {
      const ws = writable(s);
      markConnectionHandled(ws, connectionId, handled, note);
      return buildHandoff(ws);
    },
    'sso.exportFiles': async ({ folder, includeSecrets, confirmSecrets }) => {
      if (includeSecrets && !confirmSecrets)
        throw new AppError(
          'invalid_input',
          'Connection secrets go into the files only when you confirm it (confirmSecrets).',
          'The files would hold client secrets and private keys in clear text.',
        );
      return exportSsoFiles(s.requireWorkspace(), folder, { includeSecrets, guard: s.guard });
    },
  };
}
