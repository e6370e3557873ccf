// On a two-core machine the reading thread and the writing one share a merge's encryption (about a third of its
// work). The pipeline runs at the pace of the slower thread, so each batch's values are split where both threads'
// work on a batch comes out equal, from what each thread measured its own work to cost.
//
// An earlier version moved the share by a fixed step towards whichever thread had waited for the other: with
// batches buffered between the threads its corrections arrived batches late, so the share swung between 0 and 0.5
// and both threads took turns waiting.

/** Weight of the newest measurement in the running averages: smooths one batch's noise (a GC, a WAL checkpoint). */
const SMOOTHING = 0.2;
/**
 * What the measurements miss shows in the batches waiting between the threads: per batch away from half full, the
 * reading thread's share moves this much (up when batches pile up before the writer, down when it runs out).
 */
const LEVEL_LEAN = 0.05;

export interface ThreadWork {
  /** Lines in the batch the work was for. */
  lines: number;
  /** Milliseconds the thread worked, encryption included, waits excluded. */
  busyMs: number;
  /** Of which encrypting `encrypted` values. */
  encryptMs: number;
  encrypted: number;
}

export class EncryptionBalance {
  /** Milliseconds per line besides encryption, on each thread; and per value encrypted, on either. */
  private readingPerLine: number | undefined;
  private writingPerLine: number | undefined;
  private perValue: number | undefined;
  private share: number;

  constructor(initialShare = 0.5) {
    this.share = initialShare;
  }

  reading(work: ThreadWork): void {
    this.readingPerLine = this.observeLine(this.readingPerLine, work);
  }

  writing(work: ThreadWork): void {
    this.writingPerLine = this.observeLine(this.writingPerLine, work);
  }

  /**
   * The share (0 to 1) of a batch's `values` fresh values for the reading thread to encrypt; `buffered`: the batches
   * posted and not yet written, and how many may be.
   */
  next(batch: { lines: number; values: number }, buffered?: { ahead: number; max: number }): number {
    const { readingPerLine: r, writingPerLine: w, perValue: e } = this;
    if (r === undefined || w === undefined || e === undefined || e <= 0 || batch.values === 0)
      return this.share;
    // r·lines + share·values·e = w·lines + (1 − share)·values·e
    const balanced = ((w - r) * batch.lines + batch.values * e) / (2 * batch.values * e);
    const lean = buffered ? LEVEL_LEAN * (buffered.ahead - buffered.max / 2) : 0;
    this.share = Math.min(1, Math.max(0, balanced + lean));
    return this.share;
  }

  private observeLine(average: number | undefined, work: ThreadWork): number | undefined {
    if (work.lines <= 0 || work.busyMs < 0) return average;
    if (work.encrypted > 0) this.perValue = smooth(this.perValue, work.encryptMs / work.encrypted);
    return smooth(average, Math.max(0, work.busyMs - work.encryptMs) / work.lines);
  }
}

function smooth(average: number | undefined, sample: number): number {
  return average === undefined ? sample : average + SMOOTHING * (sample - average);
}
