import { describe, expect, it } from 'vitest';
import { canTransition, isSettled, resumableStates, type JobState } from '../../../src/main/jobs/state';

const all: JobState[] = ['queued', 'running', 'paused', 'cancelled', 'failed', 'completed', 'interrupted'];

describe('job state machine', () => {
  it('lets a running job end in every outcome', () => {
    for (const to of ['paused', 'cancelled', 'failed', 'completed', 'interrupted'] as const) {
      expect(canTransition('running', to)).toBe(true);
    }
  });

  it('resumes paused, cancelled, interrupted and failed jobs, and nothing else', () => {
    expect([...resumableStates].sort()).toEqual(['cancelled', 'failed', 'interrupted', 'paused']);
    for (const from of all)
      expect(canTransition(from, 'running')).toBe(from === 'queued' || resumableStates.includes(from));
  });

  it('never leaves completed', () => {
    for (const to of all) expect(canTransition('completed', to)).toBe(false);
  });

  it('does not pause a job that is not running', () => {
    for (const from of all) expect(canTransition(from, 'paused')).toBe(from === 'running');
  });

  it('treats only queued and running as unsettled', () => {
    expect(all.filter((s) => !isSettled(s))).toEqual(['queued', 'running']);
  });
});
