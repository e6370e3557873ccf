import { setTimeout as sleep } from 'node:timers/promises';

// Paces Management API requests from Auth0's own rate-limit headers. Until a response says otherwise the pace is
// the free plan's 2 requests per second; x-ratelimit-limit/-remaining/-reset then tell how many requests the
// current window still allows and when it resets. A 429 waits for the reset (or Retry-After).

export interface PacerOptions {
  /** The pace before any header was seen (default 2 rps = 500 ms). */
  initialIntervalMs?: number;
  now?: () => number;
  /** Tests: a fake sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RateHeaders {
  limit: number | null;
  remaining: number | null;
  /** Epoch milliseconds. */
  resetAt: number | null;
  retryAfterMs: number | null;
}

const num = (v: string | null): number | null => {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

export function readRateHeaders(headers: Headers, now: number): RateHeaders {
  const reset = num(headers.get('x-ratelimit-reset'));
  const retryAfter = headers.get('retry-after');
  let retryAfterMs: number | null = null;
  if (retryAfter !== null) {
    const secs = num(retryAfter);
    if (secs !== null) retryAfterMs = secs * 1000;
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) retryAfterMs = Math.max(0, at - now);
    }
  }
  return {
    limit: num(headers.get('x-ratelimit-limit')),
    remaining: num(headers.get('x-ratelimit-remaining')),
    // Auth0 sends Unix epoch seconds.
    resetAt: reset === null ? null : reset * 1000,
    retryAfterMs,
  };
}

export class Pacer {
  private intervalMs: number;
  private nextAt = 0;
  private blockedUntil = 0;
  private readonly now: () => number;
  private readonly doSleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Whether headers ever told us the limit (for the UI: "pace from Auth0's headers" vs "default 2 rps"). */
  headersSeen = false;
  throttled = 0;

  constructor(opts: PacerOptions = {}) {
    this.intervalMs = opts.initialIntervalMs ?? 500;
    this.now = opts.now ?? Date.now;
    this.doSleep = opts.sleep ?? ((ms, signal) => sleep(ms, undefined, signal ? { signal } : {}));
  }

  /** The current spacing between request starts. */
  get currentIntervalMs(): number {
    return this.intervalMs;
  }

  /** Waits for this request's turn. Turns are handed out in call order. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextAt, this.blockedUntil);
    this.nextAt = at + this.intervalMs;
    if (at > now) await this.doSleep(at - now, signal);
  }

  /** Feeds one response's headers (any status). */
  observe(status: number, headers: Headers): void {
    const now = this.now();
    const h = readRateHeaders(headers, now);
    if (status === 429) {
      this.throttled++;
      const waitUntil = h.retryAfterMs !== null ? now + h.retryAfterMs : (h.resetAt ?? now + 1000);
      this.blockedUntil = Math.max(this.blockedUntil, Math.min(waitUntil, now + 60_000));
      return;
    }
    if (h.limit === null || h.remaining === null || h.resetAt === null) return;
    this.headersSeen = true;
    const windowLeft = Math.max(0, h.resetAt - now);
    if (h.remaining <= 0) {
      this.blockedUntil = Math.max(this.blockedUntil, Math.min(h.resetAt, now + 60_000));
      return;
    }
    // Spread what is left of the window over the time left in it, so a burst allowance is not spent in one go.
    const spread = windowLeft / h.remaining;
    this.intervalMs = Math.max(0, Math.min(spread, 1000));
  }
}
