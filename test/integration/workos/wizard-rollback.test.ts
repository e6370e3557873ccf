import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkosSandbox } from '../../../src/main/sandbox/workos';
import { wizardStatus } from '../../../src/main/wizard';
import { workosStepsDone } from '../../../src/main/workos/progress';
import { runRollback } from '../../../src/main/workos/rollback';
import type { WorkosApi } from '../../../src/main/workos/api';
import type { Workspace } from '../../../src/main/workspace';
import type { Exported } from '../passwords/setup';
import { apiFor, importDirect, planDirect, reviewedTenant, sandbox, verifyDirect } from './setup';

// The wizard's Plan, Import and Verify states across a rollback: a rollback after the import makes Import and
// Verify not done again and the plan stale (a new plan is the next step); a rollback with nothing to delete changes
// nothing.

let t: Exported;
let ws: Workspace;
let sb: WorkosSandbox;

beforeAll(async () => {
  t = await reviewedTenant({ users: 60, orgs: 3, seed: 'wizard-rollback' });
  ws = t.open();
  sb = await sandbox({ multipleRolesEnabled: true });
}, 120_000);
afterAll(async () => {
  ws?.close();
  await sb?.close();
  t?.cleanup();
});

const rollback = (api: WorkosApi) =>
  runRollback({ workspace: ws, api, progress: () => undefined, throwIfStopped: () => undefined });
// Without credentials the wizard's current step is Connect; the others read done or available.
const stepState = (id: string) => wizardStatus(ws, null).steps.find((s) => s.id === id)?.state;

describe('wizard states after a rollback', () => {
  it('a rollback after the import reopens Plan, Import and Verify; a new plan and import close them again', async () => {
    const api = apiFor(sb);
    const plan = await planDirect(ws, api, { multipleRoles: true });
    expect(workosStepsDone(ws)).toEqual({ plan: true, import: false, verify: false });
    await importDirect(ws, api, plan.planId);
    expect(workosStepsDone(ws)).toEqual({ plan: true, import: true, verify: false });
    const v = await verifyDirect(ws, api, plan.planId, t, sb.clientId);
    expect(v.ok).toBe(true);
    expect(workosStepsDone(ws)).toEqual({ plan: true, import: true, verify: true });
    expect(['import', 'verify'].map(stepState)).toEqual(['done', 'done']);

    const r = await rollback(api);
    expect(r.deleted.users).toBeGreaterThan(0);
    expect(sb.state().users).toHaveLength(0);
    expect(workosStepsDone(ws)).toEqual({ plan: false, import: false, verify: false });
    expect(['plan', 'import', 'verify'].map(stepState)).toEqual(['available', 'available', 'available']);

    // A plan made after the rollback describes WorkOS as it is: done; a rollback with nothing to delete keeps it so.
    const again = await planDirect(ws, api, { multipleRoles: true });
    expect(again.counts.user.create).toBe(plan.counts.user.create);
    expect(workosStepsDone(ws)).toEqual({ plan: true, import: false, verify: false });
    const noop = await rollback(api);
    expect(noop.deleted).toEqual({ users: 0, organizations: 0, memberships: 0, totp: 0 });
    expect(workosStepsDone(ws)).toEqual({ plan: true, import: false, verify: false });

    await importDirect(ws, api, again.planId);
    // Imported again; the verification belongs to the rolled-back plan, so Verify is still to do.
    expect(workosStepsDone(ws)).toEqual({ plan: true, import: true, verify: false });
    expect(['plan', 'import', 'verify'].map(stepState)).toEqual(['done', 'done', 'available']);
  });
});
