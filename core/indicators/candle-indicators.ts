/**
 * Indicators over candles, one class per definition in docs/indicators.md. Each update is O(1)
 * in the length of history (window scans are O(period)). Values are never rounded.
 */
import { Ring } from './ring';
import { clampTo, Ema, percentOfRange, Rsi, Sma, Stoch, WilderAverage, WindowMean, Wma } from './series';
import type { IndicatorSpec, PriceSource } from './spec';

export interface OhlcvCandle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type IndicatorValue = number | Record<string, number>;

export interface Indicator {
  readonly spec: IndicatorSpec;
  /** Feeds one closed candle; the value, or null while the indicator still needs data. */
  update(candle: OhlcvCandle): IndicatorValue | null;
  /** Candles still needed before the first value (0 once it has one). */
  readonly remaining: number;
  reset(): void;
}

export function priceOf(c: OhlcvCandle, src: PriceSource): number {
  switch (src) {
    case 'close':
      return c.close;
    case 'open':
      return c.open;
    case 'high':
      return c.high;
    case 'low':
      return c.low;
    case 'hl2':
      return (c.high + c.low) / 2;
    case 'hlc3':
      return (c.high + c.low + c.close) / 3;
    case 'ohlc4':
      return (c.open + c.high + c.low + c.close) / 4;
  }
}

const typical = (c: OhlcvCandle) => (c.high + c.low + c.close) / 3;

/** Highest high and lowest low of the last n candles (current included). */
class HighLowWindow {
  private readonly highs: Ring;
  private readonly lows: Ring;
  constructor(period: number) {
    this.highs = new Ring(period);
    this.lows = new Ring(period);
  }
  /** Adds a candle; the range once the window is full, else null. */
  push(c: OhlcvCandle): { hh: number; ll: number } | null {
    this.highs.push(c.high);
    this.lows.push(c.low);
    return this.highs.full ? { hh: this.highs.max(), ll: this.lows.min() } : null;
  }
  clear() {
    this.highs.clear();
    this.lows.clear();
  }
}

/** Counts candles so `remaining` is exact without each indicator tracking it. */
export abstract class Counted<S extends IndicatorSpec> implements Indicator {
  private seen = 0;
  constructor(
    readonly spec: S,
    private readonly firstAt: number,
  ) {}

  get remaining(): number {
    return Math.max(0, this.firstAt - this.seen);
  }

  update(candle: OhlcvCandle): IndicatorValue | null {
    this.seen++;
    return this.compute(candle);
  }

  reset(): void {
    this.seen = 0;
    this.clear();
  }

  protected abstract compute(candle: OhlcvCandle): IndicatorValue | null;
  protected abstract clear(): void;
}

/** WMA over one price source (SMA, EMA and RSI, on most flows' hot path, are written flat: flat-averages.ts). */
export class WmaIndicator extends Counted<Extract<IndicatorSpec, { type: 'wma' }>> {
  private readonly wma: Wma;
  constructor(spec: Extract<IndicatorSpec, { type: 'wma' }>) {
    super(spec, spec.period);
    this.wma = new Wma(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    return this.wma.next(priceOf(c, this.spec.src));
  }
  protected clear() {
    this.wma.reset();
  }
}

export class Macd extends Counted<Extract<IndicatorSpec, { type: 'macd' }>> {
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signal: Ema;
  constructor(spec: Extract<IndicatorSpec, { type: 'macd' }>) {
    super(spec, spec.slow + spec.signal - 1);
    this.fast = new Ema(spec.fast);
    this.slow = new Ema(spec.slow);
    this.signal = new Ema(spec.signal);
  }
  protected compute(c: OhlcvCandle) {
    const x = priceOf(c, this.spec.src);
    const fast = this.fast.next(x);
    const slow = this.slow.next(x);
    if (fast === null || slow === null) return null;
    const macd = fast - slow;
    const signal = this.signal.next(macd);
    return signal === null ? null : { macd, signal, histogram: macd - signal };
  }
  protected clear() {
    this.fast.reset();
    this.slow.reset();
    this.signal.reset();
  }
}

export class Bollinger extends Counted<Extract<IndicatorSpec, { type: 'bollinger' }>> {
  private readonly window: Ring;
  private readonly sma: Sma;
  constructor(spec: Extract<IndicatorSpec, { type: 'bollinger' }>) {
    super(spec, spec.period);
    this.window = new Ring(spec.period);
    this.sma = new Sma(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    const x = priceOf(c, this.spec.src);
    this.window.push(x);
    const middle = this.sma.next(x);
    if (middle === null) return null;
    // Two-pass variance over the window: exact even for tiny BTC-quoted prices.
    let squares = 0;
    for (let i = 0; i < this.window.count; i++) {
      const d = this.window.at(i) - middle;
      squares += d * d;
    }
    // A flat window has sd 0 exactly; the running-sum mean can be an ulp off and turn 0 into noise.
    const flat = this.window.max() === this.window.min();
    const sd = flat ? 0 : Math.sqrt(squares / this.spec.period);
    const upper = flat ? x : middle + this.spec.stdDev * sd;
    const lower = flat ? x : middle - this.spec.stdDev * sd;
    return {
      upper,
      middle: flat ? x : middle,
      lower,
      bandwidth: (upper - lower) / middle,
      percentB: upper === lower ? 0.5 : (x - lower) / (upper - lower),
    };
  }
  protected clear() {
    this.window.clear();
    this.sma.reset();
  }
}

/** An oscillator's smoothing: exact at its extremes, kept in 0..100 (docs/indicators.md "Ranges"). */
const percentMean = (period: number) => new WindowMean(period);
const percent = (x: number) => clampTo(x, 0, 100);

export class Stochastic extends Counted<Extract<IndicatorSpec, { type: 'stochastic' }>> {
  private readonly window: HighLowWindow;
  private readonly k: WindowMean;
  private readonly d: WindowMean;
  constructor(spec: Extract<IndicatorSpec, { type: 'stochastic' }>) {
    super(spec, spec.period + spec.kSmoothing + spec.dPeriod - 2);
    this.window = new HighLowWindow(spec.period);
    this.k = percentMean(spec.kSmoothing);
    this.d = percentMean(spec.dPeriod);
  }
  protected compute(c: OhlcvCandle) {
    const range = this.window.push(c);
    if (!range) return null;
    const { hh, ll } = range;
    const rawK = hh === ll ? 50 : percentOfRange(c.close, ll, hh);
    const k = this.k.next(rawK);
    if (k === null) return null;
    const d = this.d.next(percent(k));
    return d === null ? null : { k: percent(k), d: percent(d) };
  }
  protected clear() {
    this.window.clear();
    this.k.reset();
    this.d.reset();
  }
}

export class StochRsi extends Counted<Extract<IndicatorSpec, { type: 'stochrsi' }>> {
  private readonly rsi: Rsi;
  private readonly stoch: Stoch;
  private readonly k: WindowMean;
  private readonly d: WindowMean;
  constructor(spec: Extract<IndicatorSpec, { type: 'stochrsi' }>) {
    super(spec, spec.rsiPeriod + spec.stochPeriod + spec.kPeriod + spec.dPeriod - 2);
    this.rsi = new Rsi(spec.rsiPeriod);
    // RSI ranges below 1e-7 (on its 0-100 scale) are rounding noise of a flat market.
    this.stoch = new Stoch(spec.stochPeriod, 1e-7);
    this.k = percentMean(spec.kPeriod);
    this.d = percentMean(spec.dPeriod);
  }
  protected compute(c: OhlcvCandle) {
    const rsi = this.rsi.next(priceOf(c, this.spec.src));
    if (rsi === null) return null;
    const stoch = this.stoch.next(rsi);
    if (stoch === null) return null;
    const k = this.k.next(stoch);
    if (k === null) return null;
    const d = this.d.next(percent(k));
    return d === null ? null : { k: percent(k), d: percent(d) };
  }
  protected clear() {
    this.rsi.reset();
    this.stoch.reset();
    this.k.reset();
    this.d.reset();
  }
}

/** True range, with the first candle's range as its TR (Wilder). */
export class TrueRange {
  private prevClose: number | null = null;
  next(c: OhlcvCandle): number {
    const prev = this.prevClose;
    this.prevClose = c.close;
    const range = c.high - c.low;
    return prev === null ? range : Math.max(range, Math.abs(c.high - prev), Math.abs(c.low - prev));
  }
  reset() {
    this.prevClose = null;
  }
}

export class Atr extends Counted<Extract<IndicatorSpec, { type: 'atr' }>> {
  private readonly tr = new TrueRange();
  private readonly avg: WilderAverage;
  constructor(spec: Extract<IndicatorSpec, { type: 'atr' }>) {
    super(spec, spec.period);
    this.avg = new WilderAverage(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    return this.avg.next(this.tr.next(c));
  }
  protected clear() {
    this.tr.reset();
    this.avg.reset();
  }
}

/** Wilder's running sum: first = sum of the first n, then s - s/n + x. */
class WilderSum {
  private value: number | null = null;
  private seed = 0;
  private seen = 0;
  constructor(private readonly n: number) {}
  next(x: number): number | null {
    if (this.value !== null) {
      this.value = this.value - this.value / this.n + x;
      return this.value;
    }
    this.seed += x;
    if (++this.seen === this.n) this.value = this.seed;
    return this.value;
  }
  reset() {
    this.value = null;
    this.seed = 0;
    this.seen = 0;
  }
}

export class Adx extends Counted<Extract<IndicatorSpec, { type: 'adx' }>> {
  private prev: OhlcvCandle | null = null;
  private readonly tr = new TrueRange();
  private readonly sTr: WilderSum;
  private readonly sPlus: WilderSum;
  private readonly sMinus: WilderSum;
  private readonly adx: WilderAverage;
  constructor(spec: Extract<IndicatorSpec, { type: 'adx' }>) {
    super(spec, 2 * spec.period);
    this.sTr = new WilderSum(spec.period);
    this.sPlus = new WilderSum(spec.period);
    this.sMinus = new WilderSum(spec.period);
    this.adx = new WilderAverage(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    const prev = this.prev;
    this.prev = c;
    const tr = this.tr.next(c);
    if (prev === null) return null;
    const up = c.high - prev.high;
    const down = prev.low - c.low;
    const sTr = this.sTr.next(tr);
    const sPlus = this.sPlus.next(up > down && up > 0 ? up : 0);
    const sMinus = this.sMinus.next(down > up && down > 0 ? down : 0);
    if (sTr === null || sPlus === null || sMinus === null) return null;
    const pdi = sTr === 0 ? 0 : percent((100 * sPlus) / sTr);
    const mdi = sTr === 0 ? 0 : percent((100 * sMinus) / sTr);
    const dx = pdi + mdi === 0 ? 0 : percent((100 * Math.abs(pdi - mdi)) / (pdi + mdi));
    const adx = this.adx.next(dx);
    return adx === null ? null : { adx: percent(adx), pdi, mdi };
  }
  protected clear() {
    this.prev = null;
    this.tr.reset();
    this.sTr.reset();
    this.sPlus.reset();
    this.sMinus.reset();
    this.adx.reset();
  }
}

export class Cci extends Counted<Extract<IndicatorSpec, { type: 'cci' }>> {
  private readonly window: Ring;
  private readonly sma: Sma;
  constructor(spec: Extract<IndicatorSpec, { type: 'cci' }>) {
    super(spec, spec.period);
    this.window = new Ring(spec.period);
    this.sma = new Sma(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    const tp = typical(c);
    this.window.push(tp);
    const mean = this.sma.next(tp);
    if (mean === null) return null;
    let deviation = 0;
    for (let i = 0; i < this.window.count; i++) deviation += Math.abs(this.window.at(i) - mean);
    deviation /= this.spec.period;
    // All typical prices equal: the mean deviation is 0 exactly (see Bollinger).
    if (this.window.max() === this.window.min()) return 0;
    return deviation === 0 ? 0 : (tp - mean) / (0.015 * deviation);
  }
  protected clear() {
    this.window.clear();
    this.sma.reset();
  }
}

export class Obv extends Counted<Extract<IndicatorSpec, { type: 'obv' }>> {
  private prevClose: number | null = null;
  private value = 0;
  constructor(spec: Extract<IndicatorSpec, { type: 'obv' }>) {
    super(spec, 1);
  }
  protected compute(c: OhlcvCandle) {
    if (this.prevClose !== null) {
      if (c.close > this.prevClose) this.value += c.volume;
      else if (c.close < this.prevClose) this.value -= c.volume;
    }
    this.prevClose = c.close;
    return this.value;
  }
  protected clear() {
    this.prevClose = null;
    this.value = 0;
  }
}

const DAY_MS = 86_400_000;
export class Vwap extends Counted<Extract<IndicatorSpec, { type: 'vwap' }>> {
  private day: number | null = null;
  private pv = 0;
  private volume = 0;
  constructor(spec: Extract<IndicatorSpec, { type: 'vwap' }>) {
    super(spec, 1);
  }
  protected compute(c: OhlcvCandle) {
    const day = Math.floor(c.ts / DAY_MS);
    if (this.spec.anchor === 'day' && day !== this.day) {
      this.pv = 0;
      this.volume = 0;
    }
    this.day = day;
    const tp = typical(c);
    this.pv += tp * c.volume;
    this.volume += c.volume;
    return this.volume === 0 ? tp : this.pv / this.volume;
  }
  protected clear() {
    this.day = null;
    this.pv = 0;
    this.volume = 0;
  }
}

export class Roc extends Counted<Extract<IndicatorSpec, { type: 'roc' }>> {
  private readonly window: Ring;
  constructor(spec: Extract<IndicatorSpec, { type: 'roc' }>) {
    super(spec, spec.period + 1);
    this.window = new Ring(spec.period + 1);
  }
  protected compute(c: OhlcvCandle) {
    const x = priceOf(c, this.spec.src);
    this.window.push(x);
    if (!this.window.full) return null;
    const then = this.window.at(0);
    return (100 * (x - then)) / then;
  }
  protected clear() {
    this.window.clear();
  }
}

export class WilliamsR extends Counted<Extract<IndicatorSpec, { type: 'williamsr' }>> {
  private readonly window: HighLowWindow;
  constructor(spec: Extract<IndicatorSpec, { type: 'williamsr' }>) {
    super(spec, spec.period);
    this.window = new HighLowWindow(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    const range = this.window.push(c);
    if (!range) return null;
    const { hh, ll } = range;
    if (hh === ll) return -50;
    // Exactly -100 at the lowest low and 0 at the highest high (the division alone can give
    // -100.00000000000001 there), never outside.
    if (c.close <= ll) return -100;
    if (c.close >= hh) return 0;
    return clampTo((-100 * (hh - c.close)) / (hh - ll), -100, 0);
  }
  protected clear() {
    this.window.clear();
  }
}

export class Mfi extends Counted<Extract<IndicatorSpec, { type: 'mfi' }>> {
  private prevTp: number | null = null;
  private readonly positive: Ring;
  private readonly negative: Ring;
  constructor(spec: Extract<IndicatorSpec, { type: 'mfi' }>) {
    super(spec, spec.period + 1);
    this.positive = new Ring(spec.period);
    this.negative = new Ring(spec.period);
  }
  protected compute(c: OhlcvCandle) {
    const tp = typical(c);
    const prev = this.prevTp;
    this.prevTp = tp;
    if (prev === null) return null;
    const flow = tp * c.volume;
    this.positive.push(tp > prev ? flow : 0);
    this.negative.push(tp < prev ? flow : 0);
    if (!this.positive.full) return null;
    // Sums over the window (O(period)): exact, no drift from add/subtract.
    const pos = this.positive.sum();
    const neg = this.negative.sum();
    if (neg === 0) return pos === 0 ? 50 : 100;
    return 100 - 100 / (1 + pos / neg);
  }
  protected clear() {
    this.prevTp = null;
    this.positive.clear();
    this.negative.clear();
  }
}
