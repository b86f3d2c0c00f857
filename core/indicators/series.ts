/**
 * Streaming building blocks over a number series: each `next(x)` is O(1) (or O(period), which
 * does not grow with history) and returns null until the definition has enough values.
 * Definitions: docs/indicators.md.
 */
import { Ring } from './ring';

export interface Series {
  next(x: number): number | null;
  reset(): void;
}

/**
 * Simple moving average with a running sum. The sum is recomputed from the window every
 * RESUM updates so add/subtract rounding cannot drift over months of candles.
 */
const RESUM = 1024;
export class Sma implements Series {
  private readonly ring: Ring;
  private sum = 0;
  private sinceResum = 0;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
  }

  next(x: number): number | null {
    const out = this.ring.push(x);
    this.sum += x - (out ?? 0);
    if (++this.sinceResum >= RESUM) {
      this.sum = this.ring.sum();
      this.sinceResum = 0;
    }
    return this.ring.full ? this.sum / this.period : null;
  }

  reset(): void {
    this.ring.clear();
    this.sum = 0;
    this.sinceResum = 0;
  }
}

/**
 * Mean of the last n values, summed over the window at every update (O(n), no running sum): a
 * window of equal values gives exactly that value (100, 100, 100 -> 100, never 99.99999999999999)
 * and nothing of the values that left the window remains (0, 0, 0 -> 0, never -1.2e-15). The
 * oscillators smooth with it: rules test their extremes.
 */
export class WindowMean implements Series {
  private readonly ring: Ring;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
  }

  next(x: number): number | null {
    this.ring.push(x);
    return this.ring.full ? this.ring.sum() / this.period : null;
  }

  reset(): void {
    this.ring.clear();
  }
}

/** x limited to [lo, hi] (an oscillator's documented range; -0 becomes 0). */
export function clampTo(x: number, lo: number, hi: number): number {
  return x <= lo ? lo : x >= hi ? hi : x;
}

/**
 * Where x lies between lo and hi, as 0 to 100: exactly 0 at lo and 100 at hi (the division alone
 * can give 100.00000000000001 or 99.99999999999999 there), never outside.
 */
export function percentOfRange(x: number, lo: number, hi: number): number {
  if (x <= lo) return 0;
  if (x >= hi) return 100;
  return clampTo((100 * (x - lo)) / (hi - lo), 0, 100);
}

/** EMA seeded with the SMA of the first `period` values. */
export class Ema implements Series {
  private readonly alpha: number;
  private value: number | null = null;
  private seedSum = 0;
  private seen = 0;

  constructor(readonly period: number) {
    this.alpha = 2 / (period + 1);
  }

  next(x: number): number | null {
    if (this.value !== null) {
      this.value += this.alpha * (x - this.value);
      return this.value;
    }
    this.seedSum += x;
    if (++this.seen === this.period) this.value = this.seedSum / this.period;
    return this.value;
  }

  reset(): void {
    this.value = null;
    this.seedSum = 0;
    this.seen = 0;
  }
}

/** Weighted moving average, weights 1..n (newest n), with running sums. */
export class Wma implements Series {
  private readonly ring: Ring;
  private readonly denominator: number;
  private sum = 0;
  private numerator = 0;
  private sinceResum = 0;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
    this.denominator = (period * (period + 1)) / 2;
  }

  next(x: number): number | null {
    const n = this.period;
    if (!this.ring.full) {
      this.ring.push(x);
      this.sum += x;
      this.numerator += this.ring.count * x;
    } else {
      const out = this.ring.push(x)!;
      // Every weight drops by one (-sum of the old window), the oldest leaves, x enters with weight n.
      this.numerator += n * x - this.sum;
      this.sum += x - out;
    }
    if (++this.sinceResum >= RESUM && this.ring.full) {
      this.sum = 0;
      this.numerator = 0;
      for (let i = 0; i < n; i++) {
        const v = this.ring.at(i);
        this.sum += v;
        this.numerator += (i + 1) * v;
      }
      this.sinceResum = 0;
    }
    return this.ring.full ? this.numerator / this.denominator : null;
  }

  reset(): void {
    this.ring.clear();
    this.sum = 0;
    this.numerator = 0;
    this.sinceResum = 0;
  }
}

/** Wilder's smoothing of a series: first value = mean of the first n, then (prev*(n-1) + x)/n. */
export class WilderAverage implements Series {
  private value: number | null = null;
  private seedSum = 0;
  private seen = 0;

  constructor(readonly period: number) {}

  next(x: number): number | null {
    if (this.value !== null) {
      this.value = (this.value * (this.period - 1) + x) / this.period;
      return this.value;
    }
    this.seedSum += x;
    if (++this.seen === this.period) this.value = this.seedSum / this.period;
    return this.value;
  }

  reset(): void {
    this.value = null;
    this.seedSum = 0;
    this.seen = 0;
  }
}

/** Wilder's RSI over a series; first value at the (n+1)-th input. */
export class Rsi implements Series {
  private prev: number | null = null;
  private readonly gains: WilderAverage;
  private readonly losses: WilderAverage;

  constructor(readonly period: number) {
    this.gains = new WilderAverage(period);
    this.losses = new WilderAverage(period);
  }

  next(x: number): number | null {
    const prev = this.prev;
    this.prev = x;
    if (prev === null) return null;
    const change = x - prev;
    const gain = this.gains.next(change > 0 ? change : 0);
    const loss = this.losses.next(change < 0 ? -change : 0);
    if (gain === null || loss === null) return null;
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
  }

  reset(): void {
    this.prev = null;
    this.gains.reset();
    this.losses.reset();
  }
}

/**
 * 100*(x - min)/(max - min) over the last n values; 50 when flat. `flatBelow`: a range at or
 * below it counts as flat (StochRSI: an RSI of a flat market jitters by 1e-14, which the
 * division would stretch to anything from 0 to 100).
 */
export class Stoch implements Series {
  private readonly ring: Ring;

  constructor(
    readonly period: number,
    private readonly flatBelow = 0,
  ) {
    this.ring = new Ring(period);
  }

  next(x: number): number | null {
    this.ring.push(x);
    if (!this.ring.full) return null;
    const hi = this.ring.max();
    const lo = this.ring.min();
    return hi - lo <= this.flatBelow ? 50 : percentOfRange(x, lo, hi);
  }

  reset(): void {
    this.ring.clear();
  }
}
