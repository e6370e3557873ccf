import { useEffect } from 'react';
import { create } from 'zustand';
import type { CredentialsStatus, JobInfo, Output } from '../../shared/contract';
import { asUiError, call, subscribe, type UiError } from '../api';
import { useAnnouncer } from './announcer';
import { useJobs } from './jobs';
import { useWizard } from './wizard';

// What main says about the WorkOS side of the migration: the latest plan, the import of it, the last verification
// and rollback, and the stored connection (environment label, production or rehearsal). Shared by the Plan, Import
// and Verify steps, re-read when a workos.* job moves and whenever the workspace changes.

export type PlanSummary = NonNullable<Output<'workos.plan.get'>>;
export type ImportStatus = NonNullable<Output<'workos.import.status'>>;
export type VerifyResult = NonNullable<Output<'workos.verify.get'>>;
export type RollbackPreview = Output<'workos.rollback.preview'>;
export type RollbackResult = NonNullable<Output<'workos.rollback.get'>>;

export const WORKOS_KINDS = {
  plan: 'workos.plan',
  import: 'workos.import',
  verify: 'workos.verify',
  rollback: 'workos.rollback',
} as const;
export type WorkosJobName = keyof typeof WORKOS_KINDS;

const JOB_WORDS: Record<WorkosJobName, string> = {
  plan: 'Plan',
  import: 'Import',
  verify: 'Verification',
  rollback: 'Rollback',
};

interface WorkosState {
  loaded: boolean;
  plan: PlanSummary | null;
  importStatus: ImportStatus | null;
  verify: VerifyResult | null;
  rollback: RollbackResult | null;
  rollbackPreview: RollbackPreview | null;
  credentials: CredentialsStatus | null;
  error: UiError | null;
  refresh(): Promise<void>;
  dismissError(): void;
}

let generation = 0;

export const useWorkos = create<WorkosState>()((set) => ({
  loaded: false,
  plan: null,
  importStatus: null,
  verify: null,
  rollback: null,
  rollbackPreview: null,
  credentials: null,
  error: null,
  async refresh() {
    const mine = ++generation;
    try {
      const [plan, importStatus, verify, rollback, rollbackPreview, credentials] = await Promise.all([
        call('workos.plan.get', {}),
        call('workos.import.status', {}),
        call('workos.verify.get', {}),
        call('workos.rollback.get', {}),
        call('workos.rollback.preview', {}),
        call('credentials.status', {}),
      ]);
      if (mine === generation)
        set({
          loaded: true,
          error: null,
          plan,
          importStatus,
          verify,
          rollback,
          rollbackPreview,
          credentials,
        });
    } catch (err) {
      if (mine === generation) set({ loaded: true, error: asUiError(err) });
    }
  },
  dismissError() {
    set({ error: null });
  },
}));

/** The newest job of a workos.* kind as the jobs store knows it (kept current by job.progress events). */
export function useLatestJob(name: WorkosJobName): JobInfo | null {
  return useJobs((s) => {
    let best: JobInfo | null = null;
    for (const j of Object.values(s.jobs))
      if (j.kind === WORKOS_KINDS[name] && (!best || j.updatedAt > best.updatedAt)) best = j;
    return best;
  });
}

/** Whether the last rollback ran after the last import started or resumed (its result then describes WorkOS now). */
export function rolledBackSinceImport(rollbackJob: JobInfo | null, importJob: JobInfo | null): boolean {
  return rollbackJob?.state === 'completed' && rollbackJob.updatedAt >= (importJob?.updatedAt ?? '');
}

export const isActive = (job: JobInfo | null | undefined): boolean =>
  job?.state === 'running' || job?.state === 'queued';

const REFRESH_MS = 400;

/** Keeps the store current while a step is shown: the first read, then at most every REFRESH_MS while workos.*
 *  jobs report progress; a job that ends is announced and the wizard's step states are re-read. */
export function useWorkosLive(): void {
  useEffect(() => {
    const { refresh } = useWorkos.getState();
    queueMicrotask(() => void refresh());
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const lastState = new Map<string, string>();
    const offJobs = subscribe('job.progress', (job) => {
      const name = (Object.keys(WORKOS_KINDS) as WorkosJobName[]).find((k) => WORKOS_KINDS[k] === job.kind);
      if (!name) return;
      const before = lastState.get(job.id);
      lastState.set(job.id, job.state);
      if (before && before !== job.state && !isActive(job)) {
        useAnnouncer.getState().announce(`${JOB_WORDS[name]} ${job.state}.`);
        void useWizard.getState().refresh();
      }
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = Date.now();
          void useWorkos.getState().refresh();
        },
        Math.max(0, REFRESH_MS - (Date.now() - last)),
      );
    });
    const offWorkspace = subscribe('workspace.changed', () => void useWorkos.getState().refresh());
    return () => {
      offJobs();
      offWorkspace();
      if (timer) clearTimeout(timer);
    };
  }, []);
}

/** Whether the stored WorkOS connection is the rehearsal sandbox, a production key, or something else. */
export function targetKind(
  credentials: CredentialsStatus | null,
  rehearsalWorkspace: boolean,
): 'rehearsal' | 'production' | 'staging' | 'unknown' {
  const report = credentials?.lastTest?.workos.report;
  if (report?.environment === 'production') return 'production';
  if (rehearsalWorkspace && (report?.rehearsal ?? true)) return 'rehearsal';
  if (report?.rehearsal) return 'rehearsal';
  return report?.environment ?? 'unknown';
}
