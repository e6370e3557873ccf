import { create } from 'zustand';
import type { JobInfo } from '../../shared/contract';
import { call, UiError } from '../api';

// Jobs as main reports them: loaded once per workspace, then kept current by job.progress events.
interface JobsState {
  jobs: Record<string, JobInfo>;
  load(): Promise<void>;
  update(job: JobInfo): void;
  clear(): void;
}

export const useJobs = create<JobsState>()((set) => ({
  jobs: {},
  async load() {
    try {
      const list = await call('jobs.list', {});
      set({ jobs: Object.fromEntries(list.map((j) => [j.id, j])) });
    } catch (err) {
      // No open workspace means no jobs; anything else is shown by the frame's own error handling.
      if (err instanceof UiError && err.code === 'no_workspace') set({ jobs: {} });
      else throw err;
    }
  },
  update(job) {
    set((s) => ({ jobs: { ...s.jobs, [job.id]: job } }));
  },
  clear() {
    set({ jobs: {} });
  },
}));
