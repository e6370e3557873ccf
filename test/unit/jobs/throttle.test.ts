import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { latestThrottle } from '../../../src/main/jobs/throttle';

describe('latestThrottle', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('sends the first value at once, then at most one per interval, ending with the latest', () => {
    const sent: number[] = [];
    const t = latestThrottle<number>(100, (v) => sent.push(v));
    t.push(1);
    expect(sent).toEqual([1]);
    for (let i = 2; i <= 50; i++) {
      vi.advanceTimersByTime(10);
      t.push(i);
    }
    vi.advanceTimersByTime(200);
    // 490 ms of pushes every 10 ms: one immediate send plus one per 100 ms, the last one being 50.
    expect(sent.length).toBeLessThanOrEqual(7);
    expect(sent.at(-1)).toBe(50);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
  });

  it('flush sends a pending value immediately and only once', () => {
    const sent: number[] = [];
    const t = latestThrottle<number>(100, (v) => sent.push(v));
    t.push(1);
    t.push(2);
    t.flush();
    t.flush();
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([1, 2]);
  });

  it('sends on push once the interval has passed, even when the event loop never ran the timer', () => {
    const sent: number[] = [];
    const t = latestThrottle<number>(100, (v) => sent.push(v));
    t.push(1);
    t.push(2); // arms the trailing timer
    vi.setSystemTime(Date.now() + 150); // time passes inside a synchronous loop: no timer runs
    t.push(3);
    expect(sent).toEqual([1, 3]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([1, 3]);
  });
});
