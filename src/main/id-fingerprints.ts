/**
 * 64-bit fingerprints of ids (user ids), in an open-addressing table: 16 MB at a million ids, where a Set of the ids
 * themselves held several times that on the V8 heap. Exact in one direction only: an id never added is reported as
 * absent unless its fingerprint collides with one added (about once in 10^13 at a million ids), so callers treat
 * "present" as "check exactly" and "absent" as certain.
 */
export class IdFingerprints {
  private slots = new Uint32Array(1 << 17); // pairs (hi, lo); (0, 0) marks an empty slot
  private used = 0;

  // The last id fingerprinted: has(id) followed by add(id), the usual pair, hashes the id once.
  private lastId: string | undefined;
  private lastHi = 0;
  private lastLo = 0;

  /** Records `id`; true when its fingerprint was already recorded. */
  add(id: string): boolean {
    const [hi, lo] = this.fingerprint(id);
    if (this.find(this.slots, hi, lo, true)) return true;
    if (++this.used * 2 > this.slots.length / 2) this.grow();
    return false;
  }

  /** Whether `id`'s fingerprint was recorded (false: `id` certainly was not added). */
  has(id: string): boolean {
    const [hi, lo] = this.fingerprint(id);
    return this.find(this.slots, hi, lo, false);
  }

  private fingerprint(id: string): readonly [number, number] {
    if (id !== this.lastId) {
      const [hi, lo] = fingerprint(id);
      this.lastId = id;
      this.lastHi = hi;
      this.lastLo = lo;
    }
    pair[0] = this.lastHi;
    pair[1] = this.lastLo;
    return pair;
  }

  /** Whether the pair is in `slots`; when it is not and `insert` is set, puts it there. */
  private find(slots: Uint32Array, hi: number, lo: number, insert: boolean): boolean {
    const mask = slots.length / 2 - 1;
    for (let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      if (slots[2 * i] === 0) {
        if (insert) {
          slots[2 * i] = hi;
          slots[2 * i + 1] = lo;
        }
        return false;
      }
      if (slots[2 * i] === hi && slots[2 * i + 1] === lo) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2)
      if (old[i] !== 0) this.find(this.slots, old[i]!, old[i + 1]!, true);
  }
}

// Two 32-bit FNV-style hashes of the UTF-16 code units.
const pair: [number, number] = [0, 0];
function fingerprint(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  pair[0] = (a | 1) >>> 0; // never 0, so a stored pair is never taken for an empty slot
  pair[1] = b >>> 0;
  return pair;
}
