import { create } from 'zustand';
import type { Input, RehearsalStatus } from '../../shared/contract';
import { asUiError, call, type UiError } from '../api';
import { useAnnouncer } from './announcer';
import { useConnection } from './connection';
import { useWizard } from './wizard';

// Rehearsal mode as main reports it: whether the open workspace is a rehearsal, whether its sandboxes run, where
// they listen and where their support files are. Sandbox secrets never reach the page.
export type RehearsalAction = 'start' | 'resume' | 'stop';
type Action = RehearsalAction;

interface RehearsalState {
  status: RehearsalStatus | null;
  /** The action in flight, for busy states. */
  busy: Action | null;
  error: UiError | null;
  /** Which action the error is about, so it shows where that action was asked for. */
  failed: Action | null;
  load(): Promise<void>;
  /** Generates a tenant, starts both sandboxes and creates a rehearsal workspace with Connect filled in. */
  start(input: Input<'rehearsal.start'>): Promise<boolean>;
  /** Restarts the sandboxes of a reopened rehearsal workspace (same tenant, same credentials). */
  resume(): Promise<boolean>;
  stop(): Promise<boolean>;
  dismissError(): void;
}

export const useRehearsal = create<RehearsalState>()((set, get) => {
  const act = async (
    action: Action,
    work: () => Promise<RehearsalStatus>,
    done?: string,
  ): Promise<boolean> => {
    if (get().busy) return false;
    set({ busy: action, error: null, failed: null });
    try {
      set({ status: await work() });
      // New sandbox addresses change the stored connection: an earlier test result no longer applies.
      useConnection.getState().forget();
      await useWizard.getState().refresh();
      if (done) useAnnouncer.getState().announce(done);
      return true;
    } catch (err) {
      set({ error: asUiError(err), failed: action });
      return false;
    } finally {
      set({ busy: null });
    }
  };

  return {
    status: null,
    busy: null,
    error: null,
    failed: null,
    async load() {
      try {
        set({ status: await call('rehearsal.status', {}) });
      } catch (err) {
        set({ status: null, error: asUiError(err), failed: null });
      }
    },
    start: (input) => act('start', async () => (await call('rehearsal.start', input)).status),
    resume: () =>
      act('resume', () => call('rehearsal.resume', {}), 'The rehearsal sandboxes are running again.'),
    stop: () => act('stop', () => call('rehearsal.stop', {}), 'The rehearsal sandboxes are stopped.'),
    dismissError() {
      set({ error: null, failed: null });
    },
  };
});
