import { setTimeout as sleep } from 'node:timers/promises';

// Client-side pacing for WorkOS, set from its published limits: at most `limit` requests in any trailing window per
// bucket (a sliding log, so no fixed server window can ever see more), every request also counted against the
// per-key overall bucket, a bound on requests in flight, and adaptation on 429: the bucket pauses for Retry-After
// (or an exponential back-off without one), lowers its effective limit by 10 %, and climbs back as answers succeed.

export type LimitGroup = 'um_write' | 'um_read' | 'org_delete' | 'other';

export interface LimitRule {
  limit: number;
  windowMs: number;
}

export interface LimiterConfig {
  /** POST/PUT/DELETE under /user_management: 500 per 10 s. */
  umWrites: LimitRule | null;
  /** GET under /user_management: 1,000 per 10 s. */
  umReads: LimitRule | null;
  /** DELETE /organizations/{id}: 50 per 60 s. */
  orgDeletes: LimitRule | null;
  /** Every request with one API key: 6,000 per 60 s. */
  overall: LimitRule | null;
  /** Requests in flight at once. */
  concurrency: number;
}

/** WorkOS's published limits (REFERENCE.md: 500 writes / 10 s and 1,000 reads / 10 s under /user_management,
 *  6,000 / 60 s per key, 50 organization deletes / 60 s). */
export const WORKOS_PUBLISHED_LIMITS: LimiterConfig = {
  umWrites: { limit: 500, windowMs: 10_000 },
  umReads: { limit: 1000, windowMs: 10_000 },
  orgDeletes: { limit: 50, windowMs: 60_000 },
  overall: { limit: 6000, windowMs: 60_000 },
  concurrency: 16,
};

/** Sent times keep this much distance from the window edge: answers arrive later than they were sent, unevenly. */
const EDGE_MARGIN_MS = 60;
const MIN_FACTOR = 0.3;

class SlidingLog {
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  factor = 1;

  constructor(readonly rule: LimitRule) {
    this.times = new Float64Array(rule.limit);
  }

  private effectiveLimit(): number {
    return Math.max(1, Math.floor(this.rule.limit * this.factor));
  }

  /** Milliseconds until one more request fits. */
  waitMs(now: number): number {
    const limit = this.effectiveLimit();
    if (this.count < limit) return 0;
    // The send `limit` places back must have left the window.
    const idx = (this.head - limit + this.times.length) % this.times.length;
    return Math.max(0, this.times[idx]! + this.rule.windowMs + EDGE_MARGIN_MS - now);
  }

  record(now: number): void {
    this.times[this.head] = now;
    this.head = (this.head + 1) % this.times.length;
    if (this.count < this.times.length) this.count++;
  }
}

export interface LimiterStats {
  requests: Record<LimitGroup, number>;
  rateLimited: number;
  /** Effective share of each limited bucket's published limit right now (1 = full). */
  factors: Partial<Record<LimitGroup | 'overall', number>>;
  waitedMs: number;
}

export class WorkosLimiter {
  private readonly buckets: Partial<Record<LimitGroup, SlidingLog>> = {};
  private readonly overall: SlidingLog | null;
  private readonly pausedUntil: Record<LimitGroup, number> = {
    um_write: 0,
    um_read: 0,
    org_delete: 0,
    other: 0,
  };
  private readonly backoffs: Record<LimitGroup, number> = {
    um_write: 0,
    um_read: 0,
    org_delete: 0,
    other: 0,
  };
  private readonly queues: Record<LimitGroup, Promise<void>> = {
    um_write: Promise.resolve(),
    um_read: Promise.resolve(),
    org_delete: Promise.resolve(),
    other: Promise.resolve(),
  };
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly counts: LimiterStats = {
    requests: { um_write: 0, um_read: 0, org_delete: 0, other: 0 },
    rateLimited: 0,
    factors: {},
    waitedMs: 0,
  };

  constructor(private readonly config: LimiterConfig = WORKOS_PUBLISHED_LIMITS) {
    if (config.umWrites) this.buckets.um_write = new SlidingLog(config.umWrites);
    if (config.umReads) this.buckets.um_read = new SlidingLog(config.umReads);
    if (config.orgDeletes) this.buckets.org_delete = new SlidingLog(config.orgDeletes);
    this.overall = config.overall ? new SlidingLog(config.overall) : null;
  }

  get concurrency(): number {
    return this.config.concurrency;
  }

  /** Runs fn once a slot and the buckets allow it. Throws the signal's reason if aborted while waiting. */
  async run<T>(group: LimitGroup, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.slot(signal);
    try {
      await this.pace(group, signal);
      return await fn();
    } finally {
      this.release();
    }
  }

  /** A 429: pause the bucket for Retry-After (or back off exponentially) and lower its effective limit. */
  rateLimited(group: LimitGroup, retryAfterSeconds: number | null): void {
    this.counts.rateLimited++;
    this.backoffs[group] = Math.min(6, this.backoffs[group] + 1);
    const wait = retryAfterSeconds !== null ? retryAfterSeconds * 1000 : 500 * 2 ** this.backoffs[group];
    this.pausedUntil[group] = Math.max(this.pausedUntil[group], Date.now() + wait);
    for (const b of [this.buckets[group], this.overall])
      if (b) b.factor = Math.max(MIN_FACTOR, b.factor * 0.9);
  }

  /** A successful answer: climb back towards the published limit. */
  succeeded(group: LimitGroup): void {
    this.backoffs[group] = 0;
    for (const b of [this.buckets[group], this.overall])
      if (b && b.factor < 1) b.factor = Math.min(1, b.factor + 0.002);
  }

  stats(): LimiterStats {
    const factors: LimiterStats['factors'] = {};
    for (const [g, b] of Object.entries(this.buckets)) factors[g as LimitGroup] = Number(b.factor.toFixed(3));
    if (this.overall) factors.overall = Number(this.overall.factor.toFixed(3));
    return { ...this.counts, requests: { ...this.counts.requests }, factors };
  }

  private async slot(signal?: AbortSignal): Promise<void> {
    while (this.inFlight >= this.config.concurrency) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }

  /** FIFO per group: each request waits for the one before it, then for its buckets. */
  private pace(group: LimitGroup, signal?: AbortSignal): Promise<void> {
    const turn = this.queues[group].then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const now = Date.now();
        const bucket = this.buckets[group];
        const wait = Math.max(
          this.pausedUntil[group] - now,
          bucket ? bucket.waitMs(now) : 0,
          this.overall ? this.overall.waitMs(now) : 0,
        );
        if (wait <= 0) {
          bucket?.record(now);
          this.overall?.record(now);
          this.counts.requests[group]++;
          return;
        }
        const ms = Math.min(wait, 1000);
        this.counts.waitedMs += ms;
        // The stop's own reason (the job runner's JobStopped), not a generic AbortError.
        await sleep(ms, undefined, signal ? { signal } : undefined).catch((err: unknown) => {
          throw signal?.aborted ? signal.reason : err;
        });
      }
    });
    // A failed turn (abort) must not block the ones queued behind it.
    this.queues[group] = turn.catch(() => undefined);
    return turn;
  }
}
