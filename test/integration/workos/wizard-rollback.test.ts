import { describe, expect, it } from 'vitest';
import { wizardStatus } from '../../../src/main/wizard';
import { workosStepsDone } from '../../../src/main/workos/progress';
import { runRollback } from '../../../src/main/workos/rollback';
import type { WorkosApi } from '../../../src/main/workos/api';
import { apiFor, reviewedWorkspace, importDirect, planDirect, verifyDirect } from './setup';

// The wizard's Plan, Import and Verify states across a rollback: a rollback after the import makes Import and
// Verify not done again and the plan stale (a new plan is the next step); a rollback with nothing to delete changes
// nothing.

const f = reviewedWorkspace({ users: 60, orgs: 3, seed: 'wizard-rollback' });

const rollback = (api: WorkosApi) =>
  runRollback({ workspace: f.ws, api, progress: () => undefined, throwIfStopped: () => undefined });
// Without credentials the wizard's current step is Connect; the others read done or available.
const stepState = (id: string) => wizardStatus(f.ws, null).steps.find((s) => s.id === id)?.state;

describe('wizard states after a rollback', () => {
  it('a rollback after the import reopens Plan, Import and Verify; a new plan and import close them again', async () => {
    const api = apiFor(f.sb);
    const plan = await planDirect(f.ws, api, { multipleRoles: true });
    expect(workosStepsDone(f.ws)).toEqual({ plan: true, import: false, verify: false });
    await importDirect(f.ws, api, plan.planId);
    expect(workosStepsDone(f.ws)).toEqual({ plan: true, import: true, verify: false });
    const v = await verifyDirect(f.ws, api, plan.planId, f.t, f.sb.clientId);
    expect(v.ok).toBe(true);
    expect(workosStepsDone(f.ws)).toEqual({ plan: true, import: true, verify: true });
    expect(['import', 'verify'].map(stepState)).toEqual(['done', 'done']);

    const r = await rollback(api);
    expect(r.deleted.users).toBeGreaterThan(0);
    expect(f.sb.state().users).toHaveLength(0);
    expect(workosStepsDone(f.ws)).toEqual({ plan: false, import: false, verify: false });
    expect(['plan', 'import', 'verify'].map(stepState)).toEqual(['available', 'available', 'available']);

    // A plan made after the rollback describes WorkOS as it is: done; a rollback with nothing to delete keeps it so.
    const again = await planDirect(f.ws, api, { multipleRoles: true });
    expect(again.counts.user.create).toBe(plan.counts.user.create);
    expect(workosStepsDone(f.ws)).toEqual({ plan: true, import: false, verify: false });
    const noop = await rollback(api);
    expect(noop.deleted).toEqual({ users: 0, organizations: 0, memberships: 0, totp: 0 });
    expect(workosStepsDone(f.ws)).toEqual({ plan: true, import: false, verify: false });

    await importDirect(f.ws, api, again.planId);
    // Imported again; the verification belongs to the rolled-back plan, so Verify is still to do.
    expect(workosStepsDone(f.ws)).toEqual({ plan: true, import: true, verify: false });
    expect(['plan', 'import', 'verify'].map(stepState)).toEqual(['done', 'done', 'available']);
  });
});
