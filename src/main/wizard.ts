import type { WizardStatus } from '../shared/contract';
import { stepIds, type StepId } from '../shared/steps';
import type { CredentialsStatus } from '../shared/contract';
import { lastConnectionTest } from './connect-test';
import { hasCompleteExport } from './auth0/export/status';
import { passwordsMerged } from './passwords/results';
import type { Workspace } from './workspace';
import { signOffState } from './review/decisions';
import { workosStepsDone } from './workos/progress';
import { ssoHandedOff } from './sso/handoff';
import { reportSavedAfterVerification } from './report/save';

// Steps whose capability has not been built yet say so instead of pretending. As capabilities land, they move
// from this table into `progress` below.
const notBuiltYet: Partial<Record<StepId, string>> = {};

// Where the workflow stands is derived from the workspace itself, so a reopened workspace lands where it left off.
export function wizardStatus(ws: Workspace | null, creds: CredentialsStatus | null): WizardStatus {
  const done = new Set<StepId>();
  if (ws) done.add('workspace');
  const tested = ws ? lastConnectionTest(ws) : undefined;
  if (creds?.auth0?.hasSecret && creds.workos?.hasKey && tested?.auth0.ok && tested.workos.ok)
    done.add('connect');
  if (ws && hasCompleteExport(ws)) done.add('export');
  if (ws && passwordsMerged(ws.db)) done.add('passwords');
  if (ws && signOffState(ws).signed) done.add('review');
  const workos = ws ? workosStepsDone(ws) : null;
  if (workos?.plan) done.add('plan');
  if (workos?.import) done.add('import');
  if (workos?.verify) done.add('verify');
  // SSO: every enterprise connection has a hand-off (a portal link per organization, or marked handled).
  if (ws && done.has('export') && ssoHandedOff(ws)) done.add('sso');
  // Report: saved after the last verification.
  if (ws && reportSavedAfterVerification(ws)) done.add('report');

  let current: StepId = 'workspace';
  for (const id of stepIds) {
    if (!done.has(id) && !notBuiltYet[id]) {
      current = id;
      break;
    }
    if (done.has(id)) current = id;
  }
  const steps = stepIds.map((id) => {
    if (notBuiltYet[id]) return { id, state: 'unavailable' as const, reason: notBuiltYet[id] };
    if (id === current && !done.has(id)) return { id, state: 'current' as const };
    if (done.has(id)) return { id, state: 'done' as const };
    if (!ws) return { id, state: 'locked' as const, reason: 'Create or open a workspace first.' };
    return { id, state: 'available' as const };
  });
  return { current, steps };
}
