/**
 * Channels around price: Donchian (highest high / lowest low), Keltner (EMA ± ATR) and the
 * Ichimoku cloud (midpoints of high-low ranges). Definitions: docs/indicators.md. Each update is
 * O(1) (amortised: rolling-extremes.ts).
 */
import { Counted, TrueRange, type OhlcvCandle } from './candle-indicators';
import { Ring } from './ring';
import { RollingExtremes } from './rolling-extremes';
import { Ema, WilderAverage } from './series';
import type { IndicatorSpec } from './spec';

type Spec<T extends IndicatorSpec['type']> = Extract<IndicatorSpec, { type: T }>;

export class Donchian extends Counted<Spec<'donchian'>> {
  private readonly window: RollingExtremes;
  constructor(spec: Spec<'donchian'>) {
    super(spec, spec.period);
    this.window = new RollingExtremes(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    if (!this.window.push(c.high, c.low)) return null;
    const { hh, ll } = this.window;
    return { upper: hh, middle: (hh + ll) / 2, lower: ll };
  }
  protected clear() {
    this.window.clear();
  }
}

export class Keltner extends Counted<Spec<'keltner'>> {
  private readonly ema: Ema;
  private readonly tr = new TrueRange();
  private readonly atr: WilderAverage;
  constructor(spec: Spec<'keltner'>) {
    super(spec, Math.max(spec.period, spec.atrPeriod));
    this.ema = new Ema(spec.period);
    this.atr = new WilderAverage(spec.atrPeriod);
  }
  protected compute(c: OhlcvCandle) {
    const middle = this.ema.next(c.close);
    const atr = this.atr.next(this.tr.next(c));
    if (middle === null || atr === null) return null;
    const width = this.spec.multiplier * atr;
    return { upper: middle + width, middle, lower: middle - width };
  }
  protected clear() {
    this.ema.reset();
    this.tr.reset();
    this.atr.reset();
  }
}

/** Midpoint of the highest high and lowest low of a window, null until it is full. */
class MidRange {
  private readonly window: RollingExtremes;
  constructor(period: number) {
    this.window = new RollingExtremes(period);
  }
  next(c: OhlcvCandle): number | null {
    if (!this.window.push(c.high, c.low)) return null;
    return (this.window.hh + this.window.ll) / 2;
  }
  clear() {
    this.window.clear();
  }
}

/**
 * Ichimoku Kinko Hyo. The leading spans computed on a candle are drawn `displacement - 1` candles
 * ahead (TradingView's convention), so the cloud under the current candle (cloudA, cloudB) is the
 * pair of spans computed that many candles ago: known now, no look-ahead.
 */
export class Ichimoku extends Counted<Spec<'ichimoku'>> {
  private readonly conversion: MidRange;
  private readonly base: MidRange;
  private readonly spanB: MidRange;
  /** The last `displacement` spans A and B (oldest first): the oldest is the cloud under this candle. */
  private readonly pastA: Ring;
  private readonly pastB: Ring;
  constructor(spec: Spec<'ichimoku'>) {
    super(spec, Math.max(spec.conversionPeriod, spec.basePeriod, spec.spanBPeriod) + spec.displacement - 1);
    this.conversion = new MidRange(spec.conversionPeriod);
    this.base = new MidRange(spec.basePeriod);
    this.spanB = new MidRange(spec.spanBPeriod);
    this.pastA = new Ring(spec.displacement);
    this.pastB = new Ring(spec.displacement);
  }
  protected compute(c: OhlcvCandle) {
    const conversion = this.conversion.next(c);
    const base = this.base.next(c);
    const spanB = this.spanB.next(c);
    if (conversion === null || base === null || spanB === null) return null;
    const spanA = (conversion + base) / 2;
    this.pastA.push(spanA);
    this.pastB.push(spanB);
    if (!this.pastA.full) return null;
    return { conversion, base, spanA, spanB, cloudA: this.pastA.at(0), cloudB: this.pastB.at(0) };
  }
  protected clear() {
    this.conversion.clear();
    this.base.clear();
    this.spanB.clear();
    this.pastA.clear();
    this.pastB.clear();
  }
}
