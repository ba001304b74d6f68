import { present } from "../../lib/invariant.js";

/**
 * A set of strings kept as 64-bit fingerprints in typed arrays: 16 bytes a member at most (the table is at most half
 * full), whatever the strings' length, so a million settlement lines cost 16 MB, not the ~100 MB of a Set of strings.
 * Two different strings share a fingerprint with a probability of about n^2 / 2^65 (3 in 10^8 for a million).
 */
export class FingerprintSet {
  private high = new Uint32Array(1024);
  private low = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    const [h, l] = fingerprint(key);
    if (this.count * 2 >= this.high.length) this.grow();
    return this.insert(h, l);
  }

  has(key: string): boolean {
    const [h, l] = fingerprint(key);
    const mask = this.high.length - 1;
    for (let i = l & mask; ; i = (i + 1) & mask) {
      if (this.high[i] === 0 && this.low[i] === 0) return false;
      if (this.high[i] === h && this.low[i] === l) return true;
    }
  }

  private insert(h: number, l: number): boolean {
    const mask = this.high.length - 1;
    for (let i = l & mask; ; i = (i + 1) & mask) {
      if (this.high[i] === 0 && this.low[i] === 0) {
        this.high[i] = h;
        this.low[i] = l;
        this.count++;
        return true;
      }
      if (this.high[i] === h && this.low[i] === l) return false;
    }
  }

  private grow(): void {
    const [high, low] = [this.high, this.low];
    this.high = new Uint32Array(high.length * 2);
    this.low = new Uint32Array(low.length * 2);
    this.count = 0;
    high.forEach((h, i) => {
      const l = present(low[i], "the high and low halves of the table are the same length");
      if (h !== 0 || l !== 0) this.insert(h, l);
    });
  }
}

/** Two independent 32-bit FNV-1a style hashes; (0, 0), the empty slot, is moved to (0, 1). */
function fingerprint(key: string): [number, number] {
  let h = 0x811c9dc5;
  let l = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h = Math.imul(h ^ c, 0x01000193);
    l = Math.imul(l ^ c, 0x5bd1e995);
    l ^= l >>> 15;
  }
  h >>>= 0;
  l >>>= 0;
  return h === 0 && l === 0 ? [0, 1] : [h, l];
}
