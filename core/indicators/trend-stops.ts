/**
 * Trailing stop-and-reverse lines: Supertrend (ATR bands around hl2 that only tighten) and
 * Wilder's Parabolic SAR. Both report a direction, +1 (up: the line is below price) or -1 (down:
 * above). Definitions: docs/indicators.md. O(1) per candle.
 */
import { Counted, TrueRange, type OhlcvCandle } from './candle-indicators';
import { WilderAverage } from './series';
import type { IndicatorSpec } from './spec';

type Spec<T extends IndicatorSpec['type']> = Extract<IndicatorSpec, { type: T }>;

export class Supertrend extends Counted<Spec<'supertrend'>> {
  private readonly tr = new TrueRange();
  private readonly atr: WilderAverage;
  /** The previous candle's final bands and direction (direction 0: no value yet) and close. */
  private upper = 0;
  private lower = 0;
  private direction = 0;
  private prevClose = 0;
  constructor(spec: Spec<'supertrend'>) {
    super(spec, spec.period);
    this.atr = new WilderAverage(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    const atr = this.atr.next(this.tr.next(c));
    const prevClose = this.prevClose;
    this.prevClose = c.close;
    if (atr === null) return null;
    const mid = (c.high + c.low) / 2;
    const basicUpper = mid + this.spec.multiplier * atr;
    const basicLower = mid - this.spec.multiplier * atr;
    if (this.direction === 0) {
      // The first value: the bands as they are, the trend down (as TradingView starts it).
      this.upper = basicUpper;
      this.lower = basicLower;
      this.direction = -1;
    } else {
      // A band only moves towards price, unless the previous close broke through it.
      this.upper = basicUpper < this.upper || prevClose > this.upper ? basicUpper : this.upper;
      this.lower = basicLower > this.lower || prevClose < this.lower ? basicLower : this.lower;
      this.direction = this.direction < 0 ? (c.close > this.upper ? 1 : -1) : c.close < this.lower ? -1 : 1;
    }
    return { supertrend: this.direction > 0 ? this.lower : this.upper, direction: this.direction, upper: this.upper, lower: this.lower };
  }
  protected clear() {
    this.tr.reset();
    this.atr.reset();
    this.upper = 0;
    this.lower = 0;
    this.direction = 0;
    this.prevClose = 0;
  }
}

export class ParabolicSar extends Counted<Spec<'psar'>> {
  /** Candles seen since reset (the first two start the trend). */
  private count = 0;
  private long = true;
  private sar = 0;
  /** Extreme point of the current trend and the acceleration factor. */
  private ep = 0;
  private af = 0;
  /** The previous two candles' highs and lows (1 = the previous candle). */
  private high1 = 0;
  private low1 = 0;
  private high2 = 0;
  private low2 = 0;
  /** The previous candle's close (candle 2 compares its own with it). */
  private prevClose = 0;
  constructor(spec: Spec<'psar'>) {
    super(spec, 2);
  }
  protected compute(c: OhlcvCandle) {
    const { step, maxStep } = this.spec;
    const seen = ++this.count;
    let result: { sar: number; direction: number } | null = null;
    if (seen === 2) {
      // The trend starts with the direction of the second close against the first.
      this.long = c.close >= this.prevClose;
      this.sar = this.long ? Math.min(this.low1, c.low) : Math.max(this.high1, c.high);
      this.ep = this.long ? Math.max(this.high1, c.high) : Math.min(this.low1, c.low);
      this.af = step;
      result = { sar: this.sar, direction: this.long ? 1 : -1 };
    } else if (seen > 2) {
      let sar = this.sar + this.af * (this.ep - this.sar);
      if (this.long) {
        // Never above the lows of the two candles before this one.
        sar = Math.min(sar, this.low1, this.low2);
        if (c.low < sar) {
          this.long = false;
          sar = this.ep;
          this.ep = c.low;
          this.af = step;
        } else if (c.high > this.ep) {
          this.ep = c.high;
          this.af = Math.min(this.af + step, maxStep);
        }
      } else {
        sar = Math.max(sar, this.high1, this.high2);
        if (c.high > sar) {
          this.long = true;
          sar = this.ep;
          this.ep = c.high;
          this.af = step;
        } else if (c.low < this.ep) {
          this.ep = c.low;
          this.af = Math.min(this.af + step, maxStep);
        }
      }
      this.sar = sar;
      result = { sar, direction: this.long ? 1 : -1 };
    }
    this.high2 = this.high1;
    this.low2 = this.low1;
    this.high1 = c.high;
    this.low1 = c.low;
    this.prevClose = c.close;
    return result;
  }
  protected clear() {
    this.count = 0;
    this.long = true;
    this.sar = 0;
    this.ep = 0;
    this.af = 0;
    this.high1 = this.low1 = this.high2 = this.low2 = 0;
    this.prevClose = 0;
  }
}
