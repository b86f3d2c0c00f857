/**
 * Small, fast, seeded pseudo-random numbers for the simulated market.
 *
 * - `Rng` is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state,
 *   passes PractRand), seeded through splitmix32 from one 32-bit seed.
 * - `normal()` is Box-Muller; the second value of each pair is kept for the next call.
 * - `deriveSeed(seed, label)` gives independent streams, for example one per symbol, so the
 *   series of BTC/USDT does not change when another symbol is added to the list.
 *
 * Only 32-bit integer arithmetic (Math.imul, |0, >>>) and Math.log/sqrt/cos/sin are used, so the
 * same seed gives bit-identical numbers on every platform running the same Node.js.
 */

const TWO_POW_32 = 4_294_967_296;
const TWO_PI = 2 * Math.PI;

/** murmur3's 32-bit finaliser: a cheap, well-mixing bijection on uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string (FNV-1a over UTF-16 code units, then fmix32). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * Any finite number to a uint32 seed. Integers in [0, 2^32) map to themselves; other integers
 * fold their high bits in; non-integers hash their IEEE-754 bits.
 */
export function normalizeSeed(seed: number): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`seed must be a finite number, got ${String(seed)}`);
  }
  if (Number.isInteger(seed) && Math.abs(seed) <= Number.MAX_SAFE_INTEGER) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    return (lo ^ (hi === 0 ? 0 : fmix32(hi))) >>> 0;
  }
  const bits = new Uint32Array(new Float64Array([seed]).buffer);
  return fmix32(bits[0]! ^ fmix32(bits[1]!));
}

/** A seed for an independent stream named `label` (a symbol, "history", "book"...) under `seed`. */
export function deriveSeed(seed: number, label: string): number {
  const s = normalizeSeed(seed);
  return fmix32((s ^ Math.imul(hashString(label), 0x9e3779b1)) + 0x6a09e667);
}

/** Mixes two uint32 values into one seed (for seeds derived from a state, e.g. a timestamp). */
export function mixSeeds(a: number, b: number): number {
  return fmix32((fmix32(a >>> 0) + Math.imul(b >>> 0, 0x9e3779b1) + 0x3c6ef372) | 0);
}

/** One splitmix32 output for state `s` (the caller advances s by the golden ratio). */
function splitmix32Output(s: number): number {
  let z = s | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  /** `seed` is folded to 32 bits by normalizeSeed. */
  constructor(seed: number) {
    let s = normalizeSeed(seed) | 0;
    s = (s + 0x9e3779b9) | 0;
    this.a = splitmix32Output(s);
    s = (s + 0x9e3779b9) | 0;
    this.b = splitmix32Output(s);
    s = (s + 0x9e3779b9) | 0;
    this.c = splitmix32Output(s);
    s = (s + 0x9e3779b9) | 0;
    this.d = splitmix32Output(s);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent generator for `label` under `seed` (see deriveSeed). */
  static derive(seed: number, label: string): Rng {
    return new Rng(deriveSeed(seed, label));
  }

  /** Uniform uint32. */
  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. (sfc32 repeated inline: a hot path.) */
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  }

  /** Uniform in (0, 1): never exactly 0, safe for Math.log. */
  nextOpen(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; every second call is free). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextOpen()));
    const theta = TWO_PI * this.next();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }
}
