// Rate and ETA from progress samples over a moving time window, so a burst or a stall
// shows up within seconds instead of being averaged over the whole run.

export interface RateSample {
  at: number; // milliseconds, monotonic
  done: number;
}

export class RateEstimator {
  private samples: RateSample[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Records a sample; a lower count than the last one (a restart) starts a new window. */
  add(sample: RateSample): void {
    const last = this.samples.at(-1);
    if (last && sample.done < last.done) this.samples = [];
    this.samples.push(sample);
    const oldest = sample.at - this.windowMs;
    // Keep one sample at or before the window start so the window spans its full width.
    while (this.samples.length > 2 && this.samples[1]!.at <= oldest) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  /** Items per second, or null until two samples some time apart exist. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return null;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  /** Seconds left at the current rate, or null when the total is unknown or nothing moves. */
  etaSeconds(total: number | null): number | null {
    const rate = this.rate();
    const last = this.samples.at(-1);
    if (total === null || rate === null || rate <= 0 || !last) return null;
    return Math.max(0, Math.ceil((total - last.done) / rate));
  }
}
