import type { JobInfo } from '../../shared/contract';

export type JobState = JobInfo['state'];

// Which state a job may move to from each state. 'running' is entered by start (from queued) and by resume.
const transitions: Record<JobState, readonly JobState[]> = {
  queued: ['running', 'cancelled', 'failed', 'interrupted'],
  running: ['paused', 'cancelled', 'failed', 'completed', 'interrupted'],
  paused: ['running', 'cancelled'],
  // A cancelled, interrupted or failed job keeps its checkpoint; resume continues from it.
  cancelled: ['running'],
  interrupted: ['running', 'cancelled'],
  failed: ['running', 'cancelled'],
  completed: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return transitions[from].includes(to);
}

export const resumableStates: readonly JobState[] = ['paused', 'cancelled', 'interrupted', 'failed'];

/** States in which no worker runs: wait() resolves on these. */
export function isSettled(state: JobState): boolean {
  return state !== 'queued' && state !== 'running';
}

/** States a killed process leaves behind in the jobs table. */
export const liveStates: readonly JobState[] = ['queued', 'running'];
