import { create } from 'zustand';
import type { ConnectionTest } from '../../shared/contract';
import { asUiError, call, type UiError } from '../api';
import { useAnnouncer } from './announcer';
import { useWizard } from './wizard';

// The last connection test of the open workspace, kept while the admin moves between steps. Main keeps the
// outcome too (it decides whether Connect is done) and forgets it whenever the settings change; so does this.
interface ConnectionState {
  /** The workspace file the result belongs to. */
  path: string | null;
  result: ConnectionTest | null;
  testing: boolean;
  /** The test itself could not run (no workspace, keychain locked…); per-side failures are in `result`. */
  error: UiError | null;
  test(): Promise<void>;
  forget(): void;
}

let generation = 0;

export const useConnection = create<ConnectionState>()((set) => ({
  path: null,
  result: null,
  testing: false,
  error: null,
  async test() {
    const mine = ++generation;
    const path = useWizard.getState().workspace?.path ?? null;
    set({ testing: true, error: null });
    try {
      const result = await call('credentials.test', {});
      if (mine === generation) {
        set({ path, result });
        const word = (ok: boolean) => (ok ? 'OK' : 'failed');
        useAnnouncer
          .getState()
          .announce(`Connection test: Auth0 ${word(result.auth0.ok)}, WorkOS ${word(result.workos.ok)}.`);
      }
      // Connect's done state follows the test.
      await useWizard.getState().refresh();
    } catch (err) {
      if (mine === generation) set({ path, result: null, error: asUiError(err) });
    } finally {
      if (mine === generation) set({ testing: false });
    }
  },
  forget() {
    generation++;
    set({ path: null, result: null, testing: false, error: null });
  },
}));
