import type { ConnectionTest } from '../shared/contract';
import { toAppError } from '../shared/errors';
import { fetchGrantedScopes, missingScopes } from './auth0/client';
import type { CredentialsService } from './credentials';
import { checkWorkosAccess } from './workos/client';
import type { Workspace } from './workspace';

const TESTED = 'connect.tested';

// Tests both sides with the stored credentials and keeps the outcome in the workspace: the Connect step is done
// only when both sides answered and no required scope is missing.
export async function testConnections(
  ws: Workspace,
  credentials: CredentialsService,
): Promise<ConnectionTest> {
  const [auth0, workos] = await Promise.all([
    (async (): Promise<ConnectionTest['auth0']> => {
      try {
        const granted = await fetchGrantedScopes(await credentials.auth0(ws));
        const missing = missingScopes(granted).map((m) => ({
          scope: m.scope,
          neededFor: m.neededFor,
          ...(m.optional ? { optional: true } : {}),
        }));
        return { ok: missing.every((m) => m.optional), granted, missing };
      } catch (err) {
        return { ok: false, granted: [], missing: [], error: toAppError(err).toJSON() };
      }
    })(),
    (async (): Promise<ConnectionTest['workos']> => {
      try {
        return { ok: true, report: await checkWorkosAccess(await credentials.workos(ws)) };
      } catch (err) {
        return { ok: false, error: toAppError(err).toJSON() };
      }
    })(),
  ]);
  const result: ConnectionTest = { testedAt: new Date().toISOString(), auth0, workos };
  if (!ws.readOnly) {
    ws.setSetting(TESTED, result);
    ws.audit.append({
      actor: 'admin',
      action: 'credentials.tested',
      details: { auth0Ok: auth0.ok, workosOk: workos.ok, missingScopes: auth0.missing.length },
    });
  }
  return result;
}

export function lastConnectionTest(ws: Workspace): ConnectionTest | undefined {
  return ws.getSetting<ConnectionTest>(TESTED) ?? undefined;
}

/** Changing either side's settings invalidates an earlier test. */
export function forgetConnectionTest(ws: Workspace): void {
  ws.setSetting(TESTED, undefined);
}
