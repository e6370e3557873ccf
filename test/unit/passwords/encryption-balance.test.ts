import { describe, expect, it } from 'vitest';
import { EncryptionBalance } from '../../../src/main/passwords/encryption-balance';

// Times per 1000-line batch, in ms: `busy` includes `enc` ms spent encrypting `n` values.
const work = (busy: number, enc: number, n: number) => ({
  lines: 1000,
  busyMs: busy,
  encryptMs: enc,
  encrypted: n,
});

describe('EncryptionBalance', () => {
  it('keeps its initial share until both threads and the encryption have been measured', () => {
    const b = new EncryptionBalance(0.5);
    expect(b.next({ lines: 1000, values: 1000 })).toBe(0.5);
    b.reading(work(5, 0, 0)); // no encryption measured yet
    b.writing(work(3, 0, 0));
    expect(b.next({ lines: 1000, values: 1000 })).toBe(0.5);
  });

  it('splits a batch where both threads work equally long', () => {
    const b = new EncryptionBalance();
    // Reading: 5 ms per batch besides encryption; writing: 3 ms besides 2 ms encrypting 500 values (4 µs each).
    b.reading(work(5, 0, 0));
    b.writing(work(5, 2, 500));
    const share = b.next({ lines: 1000, values: 1000 });
    // 5 + share·4 = 3 + (1 − share)·4
    expect(share).toBeCloseTo(0.25, 10);
    expect(5 + share * 4).toBeCloseTo(3 + (1 - share) * 4, 10);
  });

  it('gives the reading thread nothing when it is the slower one even without encryption, and everything in the reverse', () => {
    const slowReader = new EncryptionBalance();
    slowReader.reading(work(12, 0, 0));
    slowReader.writing(work(5, 4, 1000));
    expect(slowReader.next({ lines: 1000, values: 1000 })).toBe(0);

    const slowWriter = new EncryptionBalance();
    slowWriter.reading(work(3, 2, 500));
    slowWriter.writing(work(9, 0, 0));
    expect(slowWriter.next({ lines: 1000, values: 1000 })).toBe(1);
  });

  it('smooths one batch’s outlier (a GC pause) instead of swinging to it', () => {
    const b = new EncryptionBalance();
    b.reading(work(5, 0, 0));
    b.writing(work(5, 2, 500));
    const steady = b.next({ lines: 1000, values: 1000 });
    b.reading(work(10, 0, 0)); // a 5 ms pause on the reading thread
    const after = b.next({ lines: 1000, values: 1000 });
    expect(after).toBeLessThan(steady);
    // Counted in full the pause would leave the reading thread nothing to encrypt; it counts for a fifth.
    expect(after).toBeCloseTo(0.125, 10);
  });

  it('leans towards the reading thread when batches pile up before the writer, away when the writer runs out', () => {
    const b = new EncryptionBalance();
    b.reading(work(5, 0, 0));
    b.writing(work(5, 2, 500));
    expect(b.next({ lines: 1000, values: 1000 }, { ahead: 4, max: 8 })).toBeCloseTo(0.25, 10);
    expect(b.next({ lines: 1000, values: 1000 }, { ahead: 8, max: 8 })).toBeCloseTo(0.45, 10);
    expect(b.next({ lines: 1000, values: 1000 }, { ahead: 0, max: 8 })).toBeCloseTo(0.05, 10);
  });

  it('leaves the share alone for a batch with nothing to encrypt', () => {
    const b = new EncryptionBalance(0.4);
    b.reading(work(5, 2, 500));
    b.writing(work(3, 0, 0));
    expect(b.next({ lines: 1000, values: 0 })).toBe(0.4);
  });
});
