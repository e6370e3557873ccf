import { Prng } from './prng';

/** Applied to every request before routing; change at runtime with `setFaults`. */
export interface FaultConfig {
  /** Added delay before the answer, in milliseconds. */
  latencyMs?: number;
  /** Share (0..1) of requests answered with 500 or 503 instead of being handled. */
  errorRate?: number;
  /** Share (0..1) of requests whose socket is destroyed without an answer. */
  dropRate?: number;
  /** Seed for the fault dice, so a failing run can be replayed. */
  seed?: string | number;
}

export type FaultDecision = { kind: 'none' } | { kind: 'drop' } | { kind: 'error'; status: 500 | 503 };

export interface FaultStats {
  delayed: number;
  errors: number;
  drops: number;
}

export class FaultInjector {
  private config: FaultConfig = {};
  private rng = new Prng(0);
  private counts: FaultStats = { delayed: 0, errors: 0, drops: 0 };

  constructor(config?: FaultConfig) {
    this.set(config ?? {});
  }

  set(config: FaultConfig): void {
    for (const key of ['errorRate', 'dropRate'] as const) {
      const v = config[key];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${key} must be between 0 and 1`);
    }
    if (config.latencyMs !== undefined && !(config.latencyMs >= 0))
      throw new RangeError('latencyMs must be >= 0');
    this.config = { ...config };
    this.rng = new Prng(config.seed ?? 'faults');
  }

  get(): FaultConfig {
    return { ...this.config };
  }

  stats(): FaultStats {
    return { ...this.counts };
  }

  latencyMs(): number {
    const ms = this.config.latencyMs ?? 0;
    if (ms > 0) this.counts.delayed++;
    return ms;
  }

  /** One roll per request: drop first, then error. */
  decide(): FaultDecision {
    const { dropRate = 0, errorRate = 0 } = this.config;
    if (dropRate > 0 && this.rng.chance(dropRate)) {
      this.counts.drops++;
      return { kind: 'drop' };
    }
    if (errorRate > 0 && this.rng.chance(errorRate)) {
      this.counts.errors++;
      return { kind: 'error', status: this.rng.chance(0.5) ? 500 : 503 };
    }
    return { kind: 'none' };
  }
}
