import { describe, expect, it } from 'vitest';
import { RateEstimator } from '../../../src/main/jobs/rate';

describe('RateEstimator', () => {
  it('has no rate or ETA until two samples some time apart exist', () => {
    const r = new RateEstimator();
    expect(r.rate()).toBeNull();
    r.add({ at: 1000, done: 0 });
    expect(r.rate()).toBeNull();
    r.add({ at: 1000, done: 50 });
    expect(r.rate()).toBeNull();
    expect(r.etaSeconds(100)).toBeNull();
  });

  it('computes items per second and the remaining seconds', () => {
    const r = new RateEstimator();
    r.add({ at: 0, done: 0 });
    r.add({ at: 2000, done: 400 });
    expect(r.rate()).toBe(200);
    expect(r.etaSeconds(1000)).toBe(3);
    expect(r.etaSeconds(null)).toBeNull();
  });

  it('forgets samples older than the window so a slowdown shows quickly', () => {
    const r = new RateEstimator(5000);
    r.add({ at: 0, done: 0 });
    r.add({ at: 1000, done: 1000 }); // fast start: 1000/s
    for (let t = 2000; t <= 20_000; t += 1000) r.add({ at: t, done: 1000 + (t - 1000) / 100 }); // then 10/s
    expect(r.rate()).toBeCloseTo(10, 5);
  });

  it('reports no ETA when nothing moves, and restarts after the count goes back', () => {
    const r = new RateEstimator();
    r.add({ at: 0, done: 10 });
    r.add({ at: 1000, done: 10 });
    expect(r.rate()).toBe(0);
    expect(r.etaSeconds(100)).toBeNull();
    r.add({ at: 2000, done: 3 });
    expect(r.rate()).toBeNull();
    r.add({ at: 3000, done: 13 });
    expect(r.rate()).toBe(10);
    expect(r.etaSeconds(23)).toBe(1);
  });
});
