import { create } from 'zustand';
import type { WizardStatus, WorkspaceSummary } from '../../shared/contract';
import { stepIds, type StepId } from '../../shared/steps';
import { asUiError, call, type UiError } from '../api';

// The wizard frame's state: the open workspace, the step status main computes from it, and the step the
// admin is looking at. Main owns the truth; this store only mirrors it and remembers the chosen panel.
interface WizardState {
  loaded: boolean;
  workspace: WorkspaceSummary | null;
  status: WizardStatus | null;
  viewing: StepId;
  loadError: UiError | null;
  /** Re-reads the workspace and step status. `land` moves the view to the step the workspace left off at. */
  refresh(opts?: { land?: boolean }): Promise<void>;
  view(step: StepId): void;
}

let generation = 0;

export const useWizard = create<WizardState>()((set) => ({
  loaded: false,
  workspace: null,
  status: null,
  viewing: 'workspace',
  loadError: null,
  async refresh(opts) {
    const mine = ++generation;
    try {
      const [workspace, status] = await Promise.all([
        call('workspace.current', {}),
        call('wizard.status', {}),
      ]);
      // A newer refresh already answered: its data is fresher, but a landing request still counts.
      if (mine !== generation) {
        if (opts?.land) set({ viewing: status.current });
        return;
      }
      set((s) => ({
        loaded: true,
        loadError: null,
        workspace,
        status,
        viewing: opts?.land ? status.current : workspace ? s.viewing : 'workspace',
      }));
    } catch (err) {
      if (mine === generation) set({ loaded: true, loadError: asUiError(err) });
    }
  },
  view(step) {
    set({ viewing: step });
  },
}));

export function stepInfo(status: WizardStatus | null, id: StepId) {
  return status?.steps.find((s) => s.id === id) ?? { id, state: 'locked' as const, reason: undefined };
}

export function nextStep(id: StepId): StepId | undefined {
  return stepIds[stepIds.indexOf(id) + 1];
}
