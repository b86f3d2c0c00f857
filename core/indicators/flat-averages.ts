/**
 * SMA, EMA and RSI written flat: the arithmetic inline in update(), numeric fields only, the
 * SMA window a Float64Array, a fast path for the default close price. These three run on every
 * candle of most flows and every backtest; the layered versions (series.ts) allocated a boxed
 * number per call and cost 2-3x more (bench/indicators.ts measures both against hand-written
 * loops). Same definitions as docs/indicators.md; tests compare them with the textbook.
 */
import { priceOf, type Indicator, type OhlcvCandle } from './candle-indicators';
import type { IndicatorSpec } from './spec';

/** The running sum is recomputed from the window this often, so rounding cannot drift. */
const RESUM = 1024;

type SmaSpec = Extract<IndicatorSpec, { type: 'sma' }>;
type EmaSpec = Extract<IndicatorSpec, { type: 'ema' }>;
type RsiSpec = Extract<IndicatorSpec, { type: 'rsi' }>;

export class SmaIndicator implements Indicator {
  private readonly n: number;
  private readonly onClose: boolean;
  private readonly window: Float64Array;
  private head = 0;
  private count = 0;
  private sum = 0;
  private sinceResum = 0;

  constructor(readonly spec: SmaSpec) {
    this.n = spec.period;
    this.onClose = spec.src === 'close';
    this.window = new Float64Array(spec.period);
  }

  get remaining(): number {
    return this.n - this.count;
  }

  update(c: OhlcvCandle): number | null {
    const x = this.onClose ? c.close : priceOf(c, this.spec.src);
    const n = this.n;
    if (this.count < n) {
      this.window[this.count++] = x;
      this.sum += x;
      return this.count === n ? this.sum / n : null;
    }
    const out = this.window[this.head]!;
    this.window[this.head] = x;
    this.head = this.head + 1 === n ? 0 : this.head + 1;
    this.sum += x - out;
    if (++this.sinceResum === RESUM) {
      this.sinceResum = 0;
      let s = 0;
      for (let i = 0; i < n; i++) s += this.window[(this.head + i) % n]!;
      this.sum = s;
    }
    return this.sum / n;
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
    this.sum = 0;
    this.sinceResum = 0;
  }
}

export class EmaIndicator implements Indicator {
  private readonly n: number;
  private readonly alpha: number;
  private readonly onClose: boolean;
  private seen = 0;
  private value = 0;

  constructor(readonly spec: EmaSpec) {
    this.n = spec.period;
    this.alpha = 2 / (spec.period + 1);
    this.onClose = spec.src === 'close';
  }

  get remaining(): number {
    return this.seen >= this.n ? 0 : this.n - this.seen;
  }

  update(c: OhlcvCandle): number | null {
    const x = this.onClose ? c.close : priceOf(c, this.spec.src);
    if (this.seen >= this.n) {
      this.value += this.alpha * (x - this.value);
      return this.value;
    }
    // Seeding: value holds the running sum of the first n values, then their mean.
    this.value += x;
    if (++this.seen < this.n) return null;
    this.value /= this.n;
    return this.value;
  }

  reset(): void {
    this.seen = 0;
    this.value = 0;
  }
}

export class RsiIndicator implements Indicator {
  private readonly n: number;
  private readonly onClose: boolean;
  /** Candles seen: the first only sets prev; the next n seed the averages. */
  private seen = 0;
  private prev = 0;
  private avgGain = 0;
  private avgLoss = 0;

  constructor(readonly spec: RsiSpec) {
    this.n = spec.period;
    this.onClose = spec.src === 'close';
  }

  get remaining(): number {
    return this.seen > this.n ? 0 : this.n + 1 - this.seen;
  }

  update(c: OhlcvCandle): number | null {
    const x = this.onClose ? c.close : priceOf(c, this.spec.src);
    const n = this.n;
    const seen = ++this.seen;
    const change = x - this.prev;
    this.prev = x;
    if (seen === 1) return null;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    if (seen <= n + 1) {
      // Seeding: sums of the first n gains and losses, then their means.
      this.avgGain += gain;
      this.avgLoss += loss;
      if (seen < n + 1) return null;
      this.avgGain /= n;
      this.avgLoss /= n;
    } else {
      this.avgGain = (this.avgGain * (n - 1) + gain) / n;
      this.avgLoss = (this.avgLoss * (n - 1) + loss) / n;
    }
    if (this.avgLoss === 0) return this.avgGain === 0 ? 50 : 100;
    return 100 - 100 / (1 + this.avgGain / this.avgLoss);
  }

  reset(): void {
    this.seen = 0;
    this.prev = 0;
    this.avgGain = 0;
    this.avgLoss = 0;
  }
}
