/**
 * Textbook (batch) indicators: an independent reference for core/indicators/.
 *
 * Written straight from docs/indicators.md, without looking at the engine. Every function takes
 * the whole candle array and returns an array of the same length: `null` before the first value,
 * then a value on every candle. Index i is "candle i+1" in the doc's numbering.
 *
 * Clarity over speed: windowed quantities (SMA, WMA, highest high, standard deviation, mean
 * deviation, MFI flows, ...) are recomputed from scratch over the window on every candle, summing
 * oldest to newest, so no running sum can drift. Recursive quantities (EMA, Wilder averages,
 * ADX smoothed sums) follow the doc's formulas literally, in the doc's order of operations.
 * Cumulative sums since an anchor (OBV, VWAP) are prefix sums, which is the same sequence of
 * additions as summing the slice from scratch each time.
 *
 * The one place where IEEE arithmetic is helped along: a window whose values are all equal has
 * a standard deviation (Bollinger) or mean deviation (CCI) of exactly 0, but sum/n can be one
 * ulp away from the common value, which would turn 0 into rounding noise and percentB / CCI into
 * garbage. There the textbook uses the exact 0 (see `allEqual`).
 */

export interface Candle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type Src = 'close' | 'open' | 'high' | 'low' | 'hl2' | 'hlc3' | 'ohlc4';
export const SRCS: readonly Src[] = ['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4'];

export type IndicatorValue = number | Record<string, number>;
export type Series<T = IndicatorValue> = (T | null)[];

/** The doc's table: every type with its params and their defaults. */
export const DEFAULTS = {
  sma: { period: 20, src: 'close' },
  ema: { period: 20, src: 'close' },
  wma: { period: 20, src: 'close' },
  rsi: { period: 14, src: 'close' },
  macd: { fast: 12, slow: 26, signal: 9, src: 'close' },
  bollinger: { period: 20, stdDev: 2, src: 'close' },
  stochastic: { period: 14, kSmoothing: 3, dPeriod: 3 },
  stochrsi: { rsiPeriod: 14, stochPeriod: 14, kPeriod: 3, dPeriod: 3, src: 'close' },
  atr: { period: 14 },
  adx: { period: 14 },
  cci: { period: 20 },
  obv: {},
  vwap: { anchor: 'day' },
  roc: { period: 10, src: 'close' },
  williamsr: { period: 14 },
  mfi: { period: 14 },
  donchian: { period: 20 },
  keltner: { period: 20, multiplier: 2, atrPeriod: 10 },
  supertrend: { period: 10, multiplier: 3 },
  psar: { step: 0.02, maxStep: 0.2 },
  ichimoku: { conversionPeriod: 9, basePeriod: 26, spanBPeriod: 52, displacement: 26 },
  heikinashi: {},
  pivots: { method: 'classic', session: 'day' },
  patterns: {},
} as const;

export type IndicatorType = keyof typeof DEFAULTS;
export const INDICATOR_TYPES = Object.keys(DEFAULTS) as IndicatorType[];

/** Field names of the object-valued indicators (number-valued ones are absent). */
export const FIELDS: Partial<Record<IndicatorType, readonly string[]>> = {
  macd: ['macd', 'signal', 'histogram'],
  bollinger: ['upper', 'middle', 'lower', 'bandwidth', 'percentB'],
  stochastic: ['k', 'd'],
  stochrsi: ['k', 'd'],
  adx: ['adx', 'pdi', 'mdi'],
  donchian: ['upper', 'middle', 'lower'],
  keltner: ['upper', 'middle', 'lower'],
  supertrend: ['supertrend', 'direction', 'upper', 'lower'],
  psar: ['sar', 'direction'],
  ichimoku: ['conversion', 'base', 'spanA', 'spanB', 'cloudA', 'cloudB'],
  heikinashi: ['open', 'high', 'low', 'close'],
  pivots: ['pp', 'r1', 'r2', 'r3', 's1', 's2', 's3'],
  patterns: [
    'bullishEngulfing', 'bearishEngulfing', 'doji', 'dragonflyDoji', 'gravestoneDoji',
    'bullishHammer', 'bearishHammer', 'bullishInvertedHammer', 'bearishInvertedHammer',
    'morningStar', 'eveningStar', 'morningDojiStar', 'eveningDojiStar', 'abandonedBaby',
    'bullishHarami', 'bearishHarami', 'bullishHaramiCross', 'bearishHaramiCross',
    'piercingLine', 'darkCloudCover', 'downsideTasukiGap', 'threeWhiteSoldiers', 'threeBlackCrows',
    'bullishMarubozu', 'bearishMarubozu', 'bullishSpinningTop', 'bearishSpinningTop',
  ],
};

export interface TextbookSpec {
  type: string;
  [param: string]: unknown;
}

/** Spec with the doc's defaults filled in for omitted params. */
export function withDefaults(spec: TextbookSpec): TextbookSpec & Record<string, number | string> {
  if (!(spec.type in DEFAULTS)) throw new Error(`textbook: unknown type ${String(spec.type)}`);
  const given = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS[spec.type as IndicatorType], ...given } as TextbookSpec & Record<string, number | string>;
}

/**
 * "first value at candle" column of the doc's table (1-based candle number). Pivot points have no
 * fixed one (the first candle of the second session): NaN, and the caller takes it from the data.
 */
export function firstValueAt(spec: TextbookSpec): number {
  const s = withDefaults(spec) as Record<string, number>;
  switch (spec.type as IndicatorType) {
    case 'sma':
    case 'ema':
    case 'wma':
    case 'bollinger':
    case 'atr':
    case 'cci':
    case 'williamsr':
      return s.period!;
    case 'rsi':
    case 'roc':
    case 'mfi':
      return s.period! + 1;
    case 'macd':
      return s.slow! + s.signal! - 1;
    case 'stochastic':
      return s.period! + s.kSmoothing! + s.dPeriod! - 2;
    case 'stochrsi':
      return s.rsiPeriod! + s.stochPeriod! + s.kPeriod! + s.dPeriod! - 2;
    case 'adx':
      return 2 * s.period!;
    case 'obv':
    case 'vwap':
    case 'heikinashi':
      return 1;
    case 'donchian':
    case 'supertrend':
      return s.period!;
    case 'keltner':
      return Math.max(s.period!, s.atrPeriod!);
    case 'psar':
      return 2;
    case 'ichimoku':
      return Math.max(s.conversionPeriod!, s.basePeriod!, s.spanBPeriod!) + s.displacement! - 1;
    case 'patterns':
      return 3;
    case 'pivots':
      return NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export function price(c: Candle, src: Src): number {
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
    default:
      throw new Error(`textbook: unknown src ${String(src)}`);
  }
}

/** Typical price (h+l+c)/3. */
export function tp(c: Candle): number {
  return (c.high + c.low + c.close) / 3;
}

/** Sum of xs[from..to] inclusive, oldest to newest, from scratch. */
function sum(xs: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let j = from; j <= to; j++) s += xs[j]!;
  return s;
}

/** Mean of xs[from..to] inclusive. */
function mean(xs: readonly number[], from: number, to: number): number {
  return sum(xs, from, to) / (to - from + 1);
}

function highest(xs: readonly number[], from: number, to: number): number {
  let m = -Infinity;
  for (let j = from; j <= to; j++) if (xs[j]! > m) m = xs[j]!;
  return m;
}

function lowest(xs: readonly number[], from: number, to: number): number {
  let m = Infinity;
  for (let j = from; j <= to; j++) if (xs[j]! < m) m = xs[j]!;
  return m;
}

function allEqual(xs: readonly number[], from: number, to: number): boolean {
  for (let j = from + 1; j <= to; j++) if (xs[j] !== xs[from]) return false;
  return true;
}

/**
 * SMA of a series that itself starts with nulls: value at i once the last n entries are all
 * numbers. Used for the smoothing stages (stochastic k/d, stochrsi k/d).
 */
function smaOfSeries(xs: Series<number>, n: number): Series<number> {
  return xs.map((_, i) => {
    if (i - n + 1 < 0) return null;
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const x = xs[j];
      if (x === null || x === undefined) return null;
      s += x;
    }
    return s / n;
  });
}

/** EMA of a plain series: SMA seed over the first n values (at index n-1), then the recursion. */
function emaOfSeries(xs: readonly number[], n: number): Series<number> {
  const alpha = 2 / (n + 1);
  const out: Series<number> = xs.map(() => null);
  let e = 0;
  for (let i = n - 1; i < xs.length; i++) {
    if (i === n - 1) e = mean(xs, 0, n - 1);
    else e = e + alpha * (xs[i]! - e);
    out[i] = e;
  }
  return out;
}

/** Wilder RSI of a plain series; first value at index n (candle n+1). */
function rsiOfSeries(xs: readonly number[], n: number): Series<number> {
  const gains = xs.map((x, i) => (i === 0 ? 0 : Math.max(x - xs[i - 1]!, 0)));
  const losses = xs.map((x, i) => (i === 0 ? 0 : Math.max(-(x - xs[i - 1]!), 0)));
  const out: Series<number> = xs.map(() => null);
  let avgGain = 0;
  let avgLoss = 0;
  for (let i = n; i < xs.length; i++) {
    if (i === n) {
      avgGain = mean(gains, 1, n);
      avgLoss = mean(losses, 1, n);
    } else {
      avgGain = (avgGain * (n - 1) + gains[i]!) / n;
      avgLoss = (avgLoss * (n - 1) + losses[i]!) / n;
    }
    if (avgGain === 0 && avgLoss === 0) out[i] = 50;
    else if (avgLoss === 0) out[i] = 100;
    else out[i] = 100 - 100 / (1 + avgGain / avgLoss);
  }
  return out;
}

/** True range per candle: TR_1 = h-l; then max(h-l, |h-c_prev|, |l-c_prev|). */
function trueRanges(candles: readonly Candle[]): number[] {
  return candles.map((c, i) => {
    if (i === 0) return c.high - c.low;
    const pc = candles[i - 1]!.close;
    return Math.max(c.high - c.low, Math.abs(c.high - pc), Math.abs(c.low - pc));
  });
}

function checkPeriod(name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`textbook: ${name} must be a whole number >= 1, got ${String(n)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The indicators, one function per type

export interface PeriodSrc {
  period?: number;
  src?: Src;
}

export function sma(candles: readonly Candle[], { period = 20, src = 'close' }: PeriodSrc = {}): Series<number> {
  const n = checkPeriod('period', period);
  const xs = candles.map((c) => price(c, src));
  return xs.map((_, i) => (i + 1 >= n ? mean(xs, i - n + 1, i) : null));
}

export function ema(candles: readonly Candle[], { period = 20, src = 'close' }: PeriodSrc = {}): Series<number> {
  const n = checkPeriod('period', period);
  return emaOfSeries(candles.map((c) => price(c, src)), n);
}

export function wma(candles: readonly Candle[], { period = 20, src = 'close' }: PeriodSrc = {}): Series<number> {
  const n = checkPeriod('period', period);
  const xs = candles.map((c) => price(c, src));
  let weights = 0;
  for (let w = 1; w <= n; w++) weights += w;
  return xs.map((_, i) => {
    if (i + 1 < n) return null;
    let s = 0;
    // oldest gets weight 1, newest (xs[i]) weight n
    for (let w = 1; w <= n; w++) s += w * xs[i - n + w]!;
    return s / weights;
  });
}

export function rsi(candles: readonly Candle[], { period = 14, src = 'close' }: PeriodSrc = {}): Series<number> {
  const n = checkPeriod('period', period);
  return rsiOfSeries(candles.map((c) => price(c, src)), n);
}

export interface MacdParams {
  fast?: number;
  slow?: number;
  signal?: number;
  src?: Src;
}
export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}

export function macd(candles: readonly Candle[], { fast = 12, slow = 26, signal = 9, src = 'close' }: MacdParams = {}): Series<MacdValue> {
  checkPeriod('fast', fast);
  checkPeriod('slow', slow);
  checkPeriod('signal', signal);
  if (fast >= slow) throw new Error('textbook: fast must be < slow');
  const xs = candles.map((c) => price(c, src));
  const fastE = emaOfSeries(xs, fast);
  const slowE = emaOfSeries(xs, slow);
  // macd series exists from candle `slow` (index slow-1)
  const macdLine: number[] = [];
  for (let i = slow - 1; i < xs.length; i++) macdLine.push(fastE[i]! - slowE[i]!);
  const sig = emaOfSeries(macdLine, signal);
  return xs.map((_, i) => {
    const j = i - (slow - 1);
    if (j < 0) return null;
    const s = sig[j];
    if (s === null || s === undefined) return null;
    const m = macdLine[j]!;
    return { macd: m, signal: s, histogram: m - s };
  });
}

export interface BollingerParams {
  period?: number;
  stdDev?: number;
  src?: Src;
}
export interface BollingerValue {
  upper: number;
  middle: number;
  lower: number;
  bandwidth: number;
  percentB: number;
}

export function bollinger(candles: readonly Candle[], { period = 20, stdDev = 2, src = 'close' }: BollingerParams = {}): Series<BollingerValue> {
  const n = checkPeriod('period', period);
  const xs = candles.map((c) => price(c, src));
  return xs.map((x, i) => {
    if (i + 1 < n) return null;
    const from = i - n + 1;
    const middle = mean(xs, from, i);
    // two-pass population standard deviation; exactly 0 for a flat window (see file header)
    let sd = 0;
    if (!allEqual(xs, from, i)) {
      let ss = 0;
      for (let j = from; j <= i; j++) ss += (xs[j]! - middle) ** 2;
      sd = Math.sqrt(ss / n);
    }
    const upper = middle + stdDev * sd;
    const lower = middle - stdDev * sd;
    const bandwidth = (upper - lower) / middle;
    const percentB = upper === lower ? 0.5 : (x - lower) / (upper - lower);
    return { upper, middle, lower, bandwidth, percentB };
  });
}

export interface StochasticParams {
  period?: number;
  kSmoothing?: number;
  dPeriod?: number;
}
export interface KD {
  k: number;
  d: number;
}

export function stochastic(candles: readonly Candle[], { period = 14, kSmoothing = 3, dPeriod = 3 }: StochasticParams = {}): Series<KD> {
  const n = checkPeriod('period', period);
  checkPeriod('kSmoothing', kSmoothing);
  checkPeriod('dPeriod', dPeriod);
  const highs = candles.map((c) => c.high);
  const lows = candles.map((c) => c.low);
  const rawK: Series<number> = candles.map((c, i) => {
    if (i + 1 < n) return null;
    const hh = highest(highs, i - n + 1, i);
    const ll = lowest(lows, i - n + 1, i);
    return hh === ll ? 50 : (100 * (c.close - ll)) / (hh - ll);
  });
  const k = smaOfSeries(rawK, kSmoothing);
  const d = smaOfSeries(k, dPeriod);
  return candles.map((_, i) => (d[i] === null ? null : { k: k[i]!, d: d[i]! }));
}

export interface StochRsiParams {
  rsiPeriod?: number;
  stochPeriod?: number;
  kPeriod?: number;
  dPeriod?: number;
  src?: Src;
}

export function stochrsi(candles: readonly Candle[], params: StochRsiParams = {}): Series<KD> {
  const { kPeriod = 3, dPeriod = 3 } = params;
  checkPeriod('kPeriod', kPeriod);
  checkPeriod('dPeriod', dPeriod);
  const stoch = stochrsiParts(candles, params).map((p) => (p === null ? null : p.stoch));
  const k = smaOfSeries(stoch, kPeriod);
  const d = smaOfSeries(k, dPeriod);
  return candles.map((_, i) => (d[i] === null ? null : { k: k[i]!, d: d[i]! }));
}

/**
 * The stochastic stage of StochRSI with its intermediates: the RSI, the stoch value and the
 * range max-min of the last stochPeriod RSI values it divides by (null before the first stoch).
 */
export function stochrsiParts(
  candles: readonly Candle[],
  { rsiPeriod = 14, stochPeriod = 14, src = 'close' }: StochRsiParams = {},
): Series<{ rsi: number; stoch: number; range: number }> {
  checkPeriod('rsiPeriod', rsiPeriod);
  const sp = checkPeriod('stochPeriod', stochPeriod);
  const r = rsiOfSeries(candles.map((c) => price(c, src)), rsiPeriod);
  return r.map((x, i) => {
    if (x === null || i - sp + 1 < 0 || r[i - sp + 1] === null) return null;
    const win = r.slice(i - sp + 1, i + 1) as number[];
    const max = highest(win, 0, sp - 1);
    const min = lowest(win, 0, sp - 1);
    const stoch = max === min ? 50 : (100 * (x - min)) / (max - min);
    return { rsi: x, stoch, range: max - min };
  });
}

export function atr(candles: readonly Candle[], { period = 14 }: { period?: number } = {}): Series<number> {
  const n = checkPeriod('period', period);
  const tr = trueRanges(candles);
  const out: Series<number> = candles.map(() => null);
  let a = 0;
  for (let i = n - 1; i < candles.length; i++) {
    if (i === n - 1) a = mean(tr, 0, n - 1);
    else a = (a * (n - 1) + tr[i]!) / n;
    out[i] = a;
  }
  return out;
}

export interface AdxValue {
  adx: number;
  pdi: number;
  mdi: number;
}

export function adx(candles: readonly Candle[], { period = 14 }: { period?: number } = {}): Series<AdxValue> {
  const n = checkPeriod('period', period);
  const tr = trueRanges(candles);
  const pdm = candles.map((c, i) => {
    if (i === 0) return 0;
    const up = c.high - candles[i - 1]!.high;
    const down = candles[i - 1]!.low - c.low;
    return up > down && up > 0 ? up : 0;
  });
  const mdm = candles.map((c, i) => {
    if (i === 0) return 0;
    const up = c.high - candles[i - 1]!.high;
    const down = candles[i - 1]!.low - c.low;
    return down > up && down > 0 ? down : 0;
  });
  const out: Series<AdxValue> = candles.map(() => null);
  let sTR = 0;
  let sP = 0;
  let sM = 0;
  const dx: number[] = []; // dx[j] is DX at index n+j (candle n+1+j)
  let a = 0;
  for (let i = n; i < candles.length; i++) {
    if (i === n) {
      // first smoothed sums: plain sums over candles 2..n+1 (indices 1..n)
      sTR = sum(tr, 1, n);
      sP = sum(pdm, 1, n);
      sM = sum(mdm, 1, n);
    } else {
      sTR = sTR - sTR / n + tr[i]!;
      sP = sP - sP / n + pdm[i]!;
      sM = sM - sM / n + mdm[i]!;
    }
    const pdi = sTR === 0 ? 0 : (100 * sP) / sTR;
    const mdi = sTR === 0 ? 0 : (100 * sM) / sTR;
    const d = pdi + mdi === 0 ? 0 : (100 * Math.abs(pdi - mdi)) / (pdi + mdi);
    dx.push(d);
    if (i < 2 * n - 1) continue;
    if (i === 2 * n - 1) a = mean(dx, 0, n - 1);
    else a = (a * (n - 1) + d) / n;
    out[i] = { adx: a, pdi, mdi };
  }
  return out;
}

export function cci(candles: readonly Candle[], { period = 20 }: { period?: number } = {}): Series<number> {
  return cciParts(candles, { period }).map((p) => (p === null ? null : p.cci));
}

/** CCI with its intermediates (the mean deviation is what the value is divided by). */
export function cciParts(candles: readonly Candle[], { period = 20 }: { period?: number } = {}): Series<{ cci: number; sma: number; md: number }> {
  const n = checkPeriod('period', period);
  const tps = candles.map(tp);
  return tps.map((t, i) => {
    if (i + 1 < n) return null;
    const from = i - n + 1;
    const m = mean(tps, from, i);
    // exactly 0 for a flat window (see file header)
    let md = 0;
    if (!allEqual(tps, from, i)) {
      let s = 0;
      for (let j = from; j <= i; j++) s += Math.abs(tps[j]! - m);
      md = s / n;
    }
    return { cci: md === 0 ? 0 : (t - m) / (0.015 * md), sma: m, md };
  });
}

export function obv(candles: readonly Candle[], _params: Record<string, never> = {}): Series<number> {
  let v = 0;
  return candles.map((c, i) => {
    if (i > 0) {
      const prev = candles[i - 1]!.close;
      if (c.close > prev) v = v + c.volume;
      else if (c.close < prev) v = v - c.volume;
    }
    return v;
  });
}

const DAY_MS = 86_400_000;

export function vwap(candles: readonly Candle[], { anchor = 'day' }: { anchor?: 'day' | 'none' } = {}): Series<number> {
  if (anchor !== 'day' && anchor !== 'none') throw new Error(`textbook: unknown anchor ${String(anchor)}`);
  let pv = 0;
  let vol = 0;
  return candles.map((c, i) => {
    // `day`: restart at the first candle of each UTC day (by open time), gaps included
    if (anchor === 'day' && i > 0 && Math.floor(c.ts / DAY_MS) !== Math.floor(candles[i - 1]!.ts / DAY_MS)) {
      pv = 0;
      vol = 0;
    }
    const t = tp(c);
    pv += t * c.volume;
    vol += c.volume;
    return vol === 0 ? t : pv / vol;
  });
}

export function roc(candles: readonly Candle[], { period = 10, src = 'close' }: PeriodSrc = {}): Series<number> {
  const n = checkPeriod('period', period);
  const xs = candles.map((c) => price(c, src));
  return xs.map((x, i) => {
    if (i < n) return null;
    const past = xs[i - n]!;
    return (100 * (x - past)) / past;
  });
}

export function williamsr(candles: readonly Candle[], { period = 14 }: { period?: number } = {}): Series<number> {
  const n = checkPeriod('period', period);
  const highs = candles.map((c) => c.high);
  const lows = candles.map((c) => c.low);
  return candles.map((c, i) => {
    if (i + 1 < n) return null;
    const hh = highest(highs, i - n + 1, i);
    const ll = lowest(lows, i - n + 1, i);
    return hh === ll ? -50 : (-100 * (hh - c.close)) / (hh - ll);
  });
}

export function mfi(candles: readonly Candle[], { period = 14 }: { period?: number } = {}): Series<number> {
  const n = checkPeriod('period', period);
  const tps = candles.map(tp);
  return candles.map((_, i) => {
    if (i < n) return null;
    // the last n flows are those of candles i-n+1..i, each compared with its previous candle
    let pos = 0;
    let neg = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const flow = tps[j]! * candles[j]!.volume;
      if (tps[j]! > tps[j - 1]!) pos += flow;
      else if (tps[j]! < tps[j - 1]!) neg += flow;
    }
    if (pos === 0 && neg === 0) return 50;
    if (neg === 0) return 100;
    return 100 - 100 / (1 + pos / neg);
  });
}

// ---------------------------------------------------------------------------------------------

/** Dispatcher: `textbook({ type: 'sma', period: 20 }, candles)`; omitted params take the doc's defaults. */
export function textbook(spec: TextbookSpec, candles: readonly Candle[]): Series<IndicatorValue> {
  const { type, ...p } = withDefaults(spec);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const params = p as any;
  switch (type as IndicatorType) {
    case 'sma':
      return sma(candles, params);
    case 'ema':
      return ema(candles, params);
    case 'wma':
      return wma(candles, params);
    case 'rsi':
      return rsi(candles, params);
    case 'macd':
      return macd(candles, params) as Series<IndicatorValue>;
    case 'bollinger':
      return bollinger(candles, params) as Series<IndicatorValue>;
    case 'stochastic':
      return stochastic(candles, params) as Series<IndicatorValue>;
    case 'stochrsi':
      return stochrsi(candles, params) as Series<IndicatorValue>;
    case 'atr':
      return atr(candles, params);
    case 'adx':
      return adx(candles, params) as Series<IndicatorValue>;
    case 'cci':
      return cci(candles, params);
    case 'obv':
      return obv(candles);
    case 'vwap':
      return vwap(candles, params);
    case 'roc':
      return roc(candles, params);
    case 'williamsr':
      return williamsr(candles, params);
    case 'mfi':
      return mfi(candles, params);
    case 'donchian':
      return donchian(candles, params) as Series<IndicatorValue>;
    case 'keltner':
      return keltner(candles, params) as Series<IndicatorValue>;
    case 'supertrend':
      return supertrend(candles, params) as Series<IndicatorValue>;
    case 'psar':
      return psar(candles, params) as Series<IndicatorValue>;
    case 'ichimoku':
      return ichimoku(candles, params) as Series<IndicatorValue>;
    case 'heikinashi':
      return heikinashi(candles) as Series<IndicatorValue>;
    case 'pivots':
      return pivots(candles, params) as Series<IndicatorValue>;
    case 'patterns':
      return patterns(candles) as Series<IndicatorValue>;
    default:
      throw new Error(`textbook: unknown type ${String(type)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Channels, trend stops, price levels, candlestick patterns

export interface Bands {
  upper: number;
  middle: number;
  lower: number;
}

export function donchian(candles: readonly Candle[], { period = 20 }: { period?: number } = {}): Series<Bands> {
  const n = checkPeriod('period', period);
  const highs = candles.map((c) => c.high);
  const lows = candles.map((c) => c.low);
  return candles.map((_, i) => {
    if (i < n - 1) return null;
    const upper = highest(highs, i - n + 1, i);
    const lower = lowest(lows, i - n + 1, i);
    return { upper, middle: (upper + lower) / 2, lower };
  });
}

export function keltner(candles: readonly Candle[], { period = 20, multiplier = 2, atrPeriod = 10 } = {}): Series<Bands> {
  checkPeriod('period', period);
  checkPeriod('atrPeriod', atrPeriod);
  const mid = emaOfSeries(candles.map((c) => c.close), period);
  const a = atr(candles, { period: atrPeriod });
  return candles.map((_, i) => {
    const m = mid[i];
    const r = a[i];
    if (m === null || m === undefined || r === null || r === undefined) return null;
    return { upper: m + multiplier * r, middle: m, lower: m - multiplier * r };
  });
}

export interface SupertrendValue {
  supertrend: number;
  direction: number;
  upper: number;
  lower: number;
}

/** The doc's Supertrend, step by step: bands from hl2 ± multiplier·ATR, carried forward, then the direction. */
export function supertrend(candles: readonly Candle[], { period = 10, multiplier = 3 } = {}): Series<SupertrendValue> {
  const a = atr(candles, { period });
  const out: Series<SupertrendValue> = candles.map(() => null);
  let prev: SupertrendValue | null = null;
  for (let i = 0; i < candles.length; i++) {
    const r = a[i];
    if (r === null || r === undefined) continue;
    const c = candles[i]!;
    const hl2 = (c.high + c.low) / 2;
    const basicUpper = hl2 + multiplier * r;
    const basicLower = hl2 - multiplier * r;
    let v: SupertrendValue;
    if (prev === null) {
      v = { supertrend: basicUpper, direction: -1, upper: basicUpper, lower: basicLower };
    } else {
      const prevClose = candles[i - 1]!.close;
      const upper = basicUpper < prev.upper || prevClose > prev.upper ? basicUpper : prev.upper;
      const lower = basicLower > prev.lower || prevClose < prev.lower ? basicLower : prev.lower;
      let direction: number;
      if (prev.direction === -1) direction = c.close > upper ? 1 : -1;
      else direction = c.close < lower ? -1 : 1;
      v = { supertrend: direction === 1 ? lower : upper, direction, upper, lower };
    }
    out[i] = v;
    prev = v;
  }
  return out;
}

export interface SarValue {
  sar: number;
  direction: number;
}

/** The doc's Parabolic SAR (Wilder), one candle at a time. */
export function psar(candles: readonly Candle[], { step = 0.02, maxStep = 0.2 } = {}): Series<SarValue> {
  const out: Series<SarValue> = candles.map(() => null);
  if (candles.length < 2) return out;
  const c1 = candles[0]!;
  const c2 = candles[1]!;
  let up = c2.close >= c1.close;
  let sar = up ? Math.min(c1.low, c2.low) : Math.max(c1.high, c2.high);
  let ep = up ? Math.max(c1.high, c2.high) : Math.min(c1.low, c2.low);
  let af = step;
  out[1] = { sar, direction: up ? 1 : -1 };
  for (let i = 2; i < candles.length; i++) {
    const c = candles[i]!;
    const p1 = candles[i - 1]!;
    const p2 = candles[i - 2]!;
    let next = sar + af * (ep - sar);
    if (up) {
      next = Math.min(next, p1.low, p2.low);
      if (c.low < next) {
        up = false;
        next = ep;
        ep = c.low;
        af = step;
      } else if (c.high > ep) {
        ep = c.high;
        af = Math.min(af + step, maxStep);
      }
    } else {
      next = Math.max(next, p1.high, p2.high);
      if (c.high > next) {
        up = true;
        next = ep;
        ep = c.high;
        af = step;
      } else if (c.low < ep) {
        ep = c.low;
        af = Math.min(af + step, maxStep);
      }
    }
    sar = next;
    out[i] = { sar, direction: up ? 1 : -1 };
  }
  return out;
}

export interface IchimokuValue {
  conversion: number;
  base: number;
  spanA: number;
  spanB: number;
  cloudA: number;
  cloudB: number;
}

export function ichimoku(candles: readonly Candle[], { conversionPeriod = 9, basePeriod = 26, spanBPeriod = 52, displacement = 26 } = {}): Series<IchimokuValue> {
  const highs = candles.map((c) => c.high);
  const lows = candles.map((c) => c.low);
  const mid = (i: number, n: number) => (i < n - 1 ? null : (highest(highs, i - n + 1, i) + lowest(lows, i - n + 1, i)) / 2);
  const spans = candles.map((_, i) => {
    const conversion = mid(i, conversionPeriod);
    const base = mid(i, basePeriod);
    const spanB = mid(i, spanBPeriod);
    if (conversion === null || base === null || spanB === null) return null;
    return { conversion, base, spanA: (conversion + base) / 2, spanB };
  });
  return spans.map((s, i) => {
    const drawnHere = spans[i - (displacement - 1)];
    if (s === null || !drawnHere) return null;
    return { ...s, cloudA: drawnHere.spanA, cloudB: drawnHere.spanB };
  });
}

export interface Ohlc {
  open: number;
  high: number;
  low: number;
  close: number;
}

export function heikinashi(candles: readonly Candle[]): Series<Ohlc> {
  const out: Series<Ohlc> = [];
  let prev: Ohlc | null = null;
  for (const c of candles) {
    const close = (c.open + c.high + c.low + c.close) / 4;
    const open: number = prev === null ? (c.open + c.close) / 2 : (prev.open + prev.close) / 2;
    const v: Ohlc = { open, high: Math.max(c.high, open, close), low: Math.min(c.low, open, close), close };
    out.push(v);
    prev = v;
  }
  return out;
}

export type PivotMethod = 'classic' | 'fibonacci' | 'camarilla' | 'woodie';
export interface PivotValue {
  pp: number;
  r1: number;
  r2: number;
  r3: number;
  s1: number;
  s2: number;
  s3: number;
}

/** The doc's table of levels from a session's high h, low l and close c. */
export function pivotTable(method: PivotMethod, h: number, l: number, c: number): PivotValue {
  const r = h - l;
  if (method === 'camarilla') {
    const pp = (h + l + c) / 3;
    return { pp, r1: c + (1.1 * r) / 12, r2: c + (1.1 * r) / 6, r3: c + (1.1 * r) / 4, s1: c - (1.1 * r) / 12, s2: c - (1.1 * r) / 6, s3: c - (1.1 * r) / 4 };
  }
  if (method === 'fibonacci') {
    const pp = (h + l + c) / 3;
    return { pp, r1: pp + 0.382 * r, r2: pp + 0.618 * r, r3: pp + r, s1: pp - 0.382 * r, s2: pp - 0.618 * r, s3: pp - r };
  }
  const pp = method === 'woodie' ? (h + l + 2 * c) / 4 : (h + l + c) / 3;
  return { pp, r1: 2 * pp - l, r2: pp + r, r3: h + 2 * (pp - l), s1: 2 * pp - h, s2: pp - r, s3: l - 2 * (h - pp) };
}

/** UTC calendar day, or ISO week (Monday to Sunday, UTC), of a timestamp, as a string key. */
function sessionKey(ts: number, session: 'day' | 'week'): string {
  const d = new Date(ts);
  if (session === 'day') return d.toISOString().slice(0, 10);
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  return monday.toISOString().slice(0, 10);
}

/** Pivot points of each candle from the previous session's high, low and close (scanned from scratch). */
export function pivots(candles: readonly Candle[], { method = 'classic', session = 'day' }: { method?: PivotMethod; session?: 'day' | 'week' } = {}): Series<PivotValue> {
  const keys = candles.map((c) => sessionKey(c.ts, session));
  // Each session (a run of candles with the same key): its high, low and last close, from scratch.
  const levelsAfter: (PivotValue | null)[] = candles.map(() => null);
  let prevLevels: PivotValue | null = null;
  for (let start = 0; start < candles.length; ) {
    let end = start;
    while (end + 1 < candles.length && keys[end + 1] === keys[start]) end++;
    for (let j = start; j <= end; j++) levelsAfter[j] = prevLevels;
    let h = -Infinity;
    let l = Infinity;
    for (let j = start; j <= end; j++) {
      h = Math.max(h, candles[j]!.high);
      l = Math.min(l, candles[j]!.low);
    }
    prevLevels = pivotTable(method, h, l, candles[end]!.close);
    start = end + 1;
  }
  return levelsAfter.map((v) => (v === null ? null : { ...v }));
}

/**
 * The doc's "a ≈ b": |a - b| <= 0.001·a, each side first rounded to 4 significant digits (as the
 * library compares).
 */
function approx(a: number, b: number): boolean {
  return Number(Math.abs(a - b).toPrecision(4)) <= Number((a * 0.001).toPrecision(4));
}

/**
 * Candlestick patterns: the ones the doc spells out (engulfing, doji, hammers, morning and evening
 * star) written here from the doc; the others taken from technicalindicators' own function called
 * on the last five candles up to this one (it picks the ones it needs itself), which checks the
 * engine's windows and field names against the library used the way its documentation shows.
 */
export function patterns(candles: readonly Candle[]): Series<Record<string, number>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('technicalindicators') as Record<string, (d: unknown) => boolean>;
  const libName: Record<string, string> = {
    dragonflyDoji: 'dragonflydoji',
    gravestoneDoji: 'gravestonedoji',
    morningDojiStar: 'morningdojistar',
    eveningDojiStar: 'eveningdojistar',
    abandonedBaby: 'abandonedbaby',
    bullishHarami: 'bullishharami',
    bearishHarami: 'bearishharami',
    bullishHaramiCross: 'bullishharamicross',
    bearishHaramiCross: 'bearishharamicross',
    piercingLine: 'piercingline',
    darkCloudCover: 'darkcloudcover',
    downsideTasukiGap: 'downsidetasukigap',
    threeWhiteSoldiers: 'threewhitesoldiers',
    threeBlackCrows: 'threeblackcrows',
    bullishMarubozu: 'bullishmarubozu',
    bearishMarubozu: 'bearishmarubozu',
    bullishSpinningTop: 'bullishspinningtop',
    bearishSpinningTop: 'bearishspinningtop',
  };
  const cols = { open: candles.map((c) => c.open), high: candles.map((c) => c.high), low: candles.map((c) => c.low), close: candles.map((c) => c.close) };
  return candles.map((c3, i) => {
    if (i < 2) return null;
    const c1 = candles[i - 2]!;
    const c2 = candles[i - 1]!;
    const b = (x: boolean) => (x ? 1 : 0);
    const out: Record<string, number> = {
      bullishEngulfing: b(c2.close < c2.open && c3.open < c2.close && c3.close > c2.open),
      bearishEngulfing: b(c2.close > c2.open && c3.open > c2.close && c3.close < c2.open),
      doji: b(approx(c3.open, c3.close) && approx(c3.open, c3.high) === approx(c3.close, c3.low)),
      bullishHammer: b(c3.close > c3.open && approx(c3.close, c3.high) && c3.close - c3.open <= 2 * (c3.open - c3.low)),
      bearishHammer: b(c3.open > c3.close && approx(c3.open, c3.high) && c3.open - c3.close <= 2 * (c3.close - c3.low)),
      bullishInvertedHammer: b(c3.close > c3.open && approx(c3.open, c3.low) && c3.close - c3.open <= 2 * (c3.high - c3.close)),
      bearishInvertedHammer: b(c3.open > c3.close && approx(c3.close, c3.low) && c3.open - c3.close <= 2 * (c3.high - c3.open)),
      morningStar: b(c1.close < c1.open && c2.high < c1.low && c3.open > c2.high && c3.close > c3.open && c3.close > (c1.open + c1.close) / 2),
      eveningStar: b(c1.close > c1.open && c2.low > c1.high && c3.open < c2.low && c3.close < c3.open && c3.close < (c1.open + c1.close) / 2),
    };
    const from = Math.max(0, i - 4); // the last five candles: more than any pattern reads
    const upTo = { open: cols.open.slice(from, i + 1), high: cols.high.slice(from, i + 1), low: cols.low.slice(from, i + 1), close: cols.close.slice(from, i + 1) };
    for (const [field, fn] of Object.entries(libName)) out[field] = lib[fn]!({ ...upTo }) ? 1 : 0;
    return out;
  });
}
