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

/** "first value at candle" column of the doc's table (1-based candle number). */
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
      return 1;
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
    default:
      throw new Error(`textbook: unknown type ${String(type)}`);
  }
}
