// Fixed-window request limits per route group and caller. Each window holds `limit` requests;
// `reset` is when the current window ends, which is what Auth0's x-ratelimit-reset and WorkOS's
// Retry-After both express.

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Rules by route group name; `default` applies to routes whose group has no rule. No rule = unlimited. */
export type RateLimitConfig = Record<string, RateLimitRule>;

export interface RateLimitState {
  group: string;
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window resets. */
  resetAt: number;
  limited: boolean;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter {
  private rules: RateLimitConfig = {};
  private windows = new Map<string, Window>();
  private limitedCount = 0;

  constructor(
    rules?: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.set(rules ?? {});
  }

  set(rules: RateLimitConfig): void {
    for (const [group, rule] of Object.entries(rules)) {
      if (!(rule.limit >= 1) || !(rule.windowMs >= 1))
        throw new RangeError(`rate limit for ${group} needs limit >= 1 and windowMs >= 1`);
    }
    this.rules = { ...rules };
    this.windows.clear();
  }

  get(): RateLimitConfig {
    return { ...this.rules };
  }

  limitedTotal(): number {
    return this.limitedCount;
  }

  /** Counts one request; null when the group has no rule. */
  take(group: string, callerKey = ''): RateLimitState | null {
    const ruleGroup = this.rules[group] ? group : this.rules.default ? 'default' : null;
    if (!ruleGroup) return null;
    const rule = this.rules[ruleGroup]!;
    const key = `${ruleGroup}\u0000${callerKey}`;
    const now = this.now();
    let win = this.windows.get(key);
    if (!win || now >= win.start + rule.windowMs) {
      win = { start: now, count: 0 };
      this.windows.set(key, win);
    }
    const limited = win.count >= rule.limit;
    if (!limited) win.count++;
    else this.limitedCount++;
    return {
      group: ruleGroup,
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - win.count),
      resetAt: win.start + rule.windowMs,
      limited,
    };
  }
}

/** The headers Auth0 sends on every Management API answer (reset in epoch seconds). */
export function auth0RateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(Math.ceil(state.resetAt / 1000)),
  };
}

/** Whole seconds until the window resets, at least 1 (the Retry-After value). */
export function retryAfterSeconds(state: RateLimitState, now = Date.now()): number {
  return Math.max(1, Math.ceil((state.resetAt - now) / 1000));
}
