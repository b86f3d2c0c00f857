/**
 * Indicator speed benchmark (not a test: it prints figures and ratios and asserts nothing about
 * time). Run:
 *
 *   npm run build && node dist/bench/indicators.js
 *
 * Three ways of getting an indicator value for each new candle, measured in one process on one
 * candle series:
 *
 *   1. ours            core/indicators: `createIndicator(spec).update(candle)`, every type
 *                      with its default parameters. This is what the tradebot-indicator node does.
 *   2. hand-written    the tightest loop a person would write for RSI(14), EMA(20), SMA(20): a
 *                      Float64Array of closes, locals only, no objects, no allocation. It is the
 *                      baseline ours is compared with; the project's aim is "within 3x" of it.
 *   3. technicalindicators (the library most Node-RED trading flows use), two ways:
 *        a. streaming     `new RSI({period, values: []})` then `nextValue(close)` per candle;
 *        b. batch per candle  what naive flows do: keep the last N candles and call
 *                      `RSI.calculate({period, values: lastN})` on every new candle, using only
 *                      the last element. Measured on a rolling window of the last BATCH_WINDOW
 *                      candles over BATCH_CANDLES candles only, because it is O(N) per candle.
 *
 * Also measured: the "call floor", a do-nothing update(candle) through the same call site, i.e. what
 * the `update(candle)` interface itself costs before any indicator arithmetic (see CallFloor).
 *
 * Value checks (section "checks") make sure nothing here measures broken or dead code: ours must
 * equal the hand-written loops (exactly, or 1e-12 relative for SMA, whose engine re-sums its
 * window every 1024 updates), and the library's RSI/EMA/SMA must be close to ours (its RSI is
 * rounded to 2 decimals, so up to ~0.005 apart). Every timed loop adds its results into a
 * checksum that is printed, so V8 cannot drop the work.
 *
 * Prints a table and the aim lines; writes bench/results/indicators-latest.json.
 * Exit code 0 whatever the figures (1 only if the data are missing or a check finds broken values).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ti from 'technicalindicators';
import { createIndicator, INDICATOR_TYPES, type Indicator, type IndicatorType, type OhlcvCandle } from '../core/indicators';
import { listPairs, loadCandles, OHLCV_DIR } from '../test/support/ohlcv-data';

// ------------------------------------------------------------------ parameters

/** The repo root; dist/bench/indicators.js -> ../.. */
const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'indicators-latest.json');

/**
 * Timed repetitions per measurement; the best (fastest) is the figure: noise (other processes on a
 * shared 2-core machine) only ever adds time.
 */
const REPS = 5;
/** The library's streaming passes are long already (up to ~0.3 s each): fewer repetitions. */
const LIB_STREAM_REPS = 3;
/**
 * The hand-written loops and the call floor are cheap to repeat and every aim ratio hinges on
 * them, so they get more repetitions: one unlucky (preempted) baseline would flatter ours.
 */
const BASELINE_REPS = 12;
/**
 * A repetition is whole passes over the series (a fresh or reset indicator each pass), as many as
 * needed to last at least MIN_REP_MS. Long enough that every repetition includes its share of
 * garbage collection: ours allocates 16-80 bytes per update (boxed doubles), the library more, and
 * a scavenge happens every few MB. (technicalindicators 3.1.0's streaming objects built on its
 * LinkedList - SMA, WMA, BollingerBands, Stochastic, CCI, MFI, WilliamsR, ROC - even keep every
 * value they were fed: 64-192 bytes retained per update, found while writing this benchmark.) Very short repetitions would let "best of" pick the ones that
 * happened to see no GC, which is not a sustained rate.
 */
const MIN_REP_MS = 50;
/**
 * Ours, the call floor, the hand-written loops and the library's streaming API are measured in
 * ROUNDS rounds over all types, keeping the best: a burst of load from elsewhere then cannot spoil
 * every repetition of one type while sparing the others.
 */
const ROUNDS = 2;
/**
 * Library batch-per-candle: window length, how many candles (each one a full recomputation of the
 * window, 0.03-1 ms, so this part dominates the run time), timed as BATCH_REPS repetitions of
 * BATCH_CANDLES / BATCH_REPS consecutive candles, best repetition.
 */
const BATCH_WINDOW = 500;
const BATCH_CANDLES = 1_000;
const BATCH_WARMUP_CANDLES = 100;
const BATCH_REPS = 2;
/** Types whose updates allocate so much that they are measured after all the others (see main). */
const HEAVY: readonly IndicatorType[] = ['patterns'];
/** The project's aim for ours vs the hand-written loops (an aim, not an assertion). */
const AIM_RATIO = 3;

// ------------------------------------------------------------------ the candle series

/**
 * All pairs' 1m files, one after the other. Prices of different pairs are orders of magnitude
 * apart (ADA/BTC ~5e-5, ETH/BTC ~0.09), so each pair is RESCALED to continue from the previous
 * pair's last close (its OHLC multiplied by prevClose/firstOpen) and its timestamps SHIFTED to
 * continue one minute after the previous pair's last candle. Volumes are unchanged. The result
 * is one continuous, realistic-looking series: no price jumps for the indicators to chew on,
 * timestamps strictly increasing (VWAP's daily anchor keeps working).
 */
interface SeriesData {
  candles: OhlcvCandle[];
  /** Column copies for the hand-written loops (Float64Array) and the library (plain arrays, as flows hold them). */
  close64: Float64Array;
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  pairs: { pair: string; candles: number; scale: number }[];
}

function buildSeries(): SeriesData {
  const pairs = listPairs('1m');
  if (pairs.length === 0) {
    console.error(`no 1m OHLCV files found in ${OHLCV_DIR}`);
    process.exit(1);
  }
  const candles: OhlcvCandle[] = [];
  const info: SeriesData['pairs'] = [];
  for (const pair of pairs) {
    const rows = loadCandles(pair, '1m');
    const prev = candles[candles.length - 1];
    const scale = prev ? prev.close / rows[0]!.open : 1;
    const shift = prev ? prev.ts + 60_000 - rows[0]!.ts : 0;
    for (const r of rows) {
      // Same property order for every candle: one hidden class, as the candles node produces.
      candles.push({
        ts: r.ts + shift,
        open: r.open * scale,
        high: r.high * scale,
        low: r.low * scale,
        close: r.close * scale,
        volume: r.volume,
      });
    }
    info.push({ pair, candles: rows.length, scale });
  }
  return {
    candles,
    close64: Float64Array.from(candles, (c) => c.close),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.map((c) => c.volume),
    pairs: info,
  };
}

// ------------------------------------------------------------------ timing

interface Timing {
  /** Updates (candles fed) per second, from the best repetition. */
  perSec: number;
  nsPerUpdate: number;
  /** Sum of what the timed loops produced (all repetitions); printed so the work cannot be eliminated. */
  checksum: number;
  updatesPerRep: number;
}

const now = () => Number(process.hrtime.bigint());
/** 1/5/15-minute load averages: other work on the machine slows every figure (2 CPUs here). */
const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * Times `pass` (one pass = `updatesPerPass` updates, returns a checksum): one untimed warm-up pass
 * (lets V8 optimise), then REPS repetitions of enough passes to last MIN_REP_MS; best rep wins.
 */
function measure(updatesPerPass: number, pass: () => number, reps = REPS): Timing {
  let checksum = 0;
  const t0 = now();
  checksum += pass();
  const warmNs = Math.max(1, now() - t0);
  const passes = Math.max(1, Math.ceil((MIN_REP_MS * 1e6) / warmNs));
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const start = now();
    for (let p = 0; p < passes; p++) checksum += pass();
    best = Math.min(best, now() - start);
  }
  const updates = passes * updatesPerPass;
  return { perSec: (updates / best) * 1e9, nsPerUpdate: best / updates, checksum, updatesPerRep: updates };
}

/** The better of two timings of the same thing (checksums add up, since both ran). */
function better(a: Timing | undefined, b: Timing): Timing {
  if (a === undefined) return b;
  const best = a.nsPerUpdate <= b.nsPerUpdate ? a : b;
  return { ...best, checksum: a.checksum + b.checksum };
}

// ------------------------------------------------------------------ 1. ours

/**
 * For structured values (macd, bollinger, ...) the checksum adds one field. `key` varies between
 * types, so the property read is a (cheap) keyed load; number-valued types do not pay it.
 */
const OUR_KEY: Partial<Record<IndicatorType, string>> = {
  macd: 'histogram',
  bollinger: 'middle',
  stochastic: 'k',
  stochrsi: 'k',
  adx: 'adx',
  donchian: 'middle',
  keltner: 'middle',
  supertrend: 'supertrend',
  psar: 'sar',
  ichimoku: 'base',
  heikinashi: 'close',
  pivots: 'pp',
  patterns: 'doji',
};

/**
 * Feeds every candle through update(), exactly as the indicator node does. One shared loop for
 * all types, like the node's one call site: after the warm-up of every type it is megamorphic,
 * which is the steady state of a real Node-RED process running several indicator types.
 */
function runOurs(ind: Pick<Indicator, 'update'>, candles: readonly OhlcvCandle[], key: string | undefined): number {
  let sum = 0;
  let nulls = 0;
  for (let i = 0; i < candles.length; i++) {
    const v = ind.update(candles[i]!);
    if (v === null) nulls++;
    else if (typeof v === 'number') sum += v;
    else sum += v[key!]!;
  }
  return sum + nulls;
}

/**
 * The call floor: a do-nothing "indicator" whose update() just returns candle.close, fed through
 * the same runOurs loop (warmed with the others, so the same megamorphic call site). What is left
 * is the price of the interface itself: a call V8 cannot inline, a read of a heap candle object,
 * and the returned double boxed in a fresh HeapNumber. No `update(candle)` implementation can be
 * faster than this, which is worth knowing when comparing with loops over a Float64Array.
 */
class CallFloor {
  update(c: OhlcvCandle): number {
    return c.close;
  }
}

/** The values ours produces for a number-valued type, NaN while it returns null (untimed; for checks). */
function oursValues(type: IndicatorType, candles: readonly OhlcvCandle[]): Float64Array {
  const ind = createIndicator({ type });
  const out = new Float64Array(candles.length);
  for (let i = 0; i < candles.length; i++) {
    const v = ind.update(candles[i]!);
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return out;
}

// ------------------------------------------------------------------ 2. hand-written loops

/*
 * The baseline: what a person writes when speed is all that matters. Same definitions and the same
 * order of floating-point operations as docs/indicators.md and the engine, so values must match.
 * Each returns a checksum (sum of values + count of candles without a value, like runOurs) and,
 * when `out` is given (checks only, never while timed), writes each value (NaN before the first).
 */

function handSma(x: Float64Array, period: number, out: Float64Array | null): number {
  const n = x.length;
  let sum = 0;
  let acc = 0;
  let i = 0;
  for (; i < n && i < period - 1; i++) {
    sum += x[i]!;
    if (out !== null) out[i] = NaN;
  }
  acc += i; // candles without a value
  for (; i < n; i++) {
    sum += i >= period ? x[i]! - x[i - period]! : x[i]!; // running sum, as the engine does
    const v = sum / period;
    acc += v;
    if (out !== null) out[i] = v;
  }
  return acc;
}

function handEma(x: Float64Array, period: number, out: Float64Array | null): number {
  const n = x.length;
  const alpha = 2 / (period + 1);
  let seed = 0;
  let acc = 0;
  let i = 0;
  for (; i < n && i < period - 1; i++) {
    seed += x[i]!;
    if (out !== null) out[i] = NaN;
  }
  acc += i;
  if (i >= n) return acc;
  seed += x[i]!;
  let ema = seed / period; // SMA seed
  acc += ema;
  if (out !== null) out[i] = ema;
  for (i++; i < n; i++) {
    ema += alpha * (x[i]! - ema);
    acc += ema;
    if (out !== null) out[i] = ema;
  }
  return acc;
}

function handRsi(x: Float64Array, period: number, out: Float64Array | null): number {
  const n = x.length;
  if (n === 0) return 0;
  let gain = 0;
  let loss = 0;
  let acc = 1;
  if (out !== null) out[0] = NaN;
  let i = 1;
  // Seed: means of the first `period` gains and losses (candles 2..period+1).
  for (; i < n && i <= period; i++) {
    const ch = x[i]! - x[i - 1]!;
    gain += ch > 0 ? ch : 0;
    loss += ch < 0 ? -ch : 0;
    if (i < period) {
      acc++;
      if (out !== null) out[i] = NaN;
    }
  }
  if (i <= period) return acc;
  gain /= period;
  loss /= period;
  let v = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
  acc += v;
  if (out !== null) out[period] = v;
  const keep = period - 1;
  for (; i < n; i++) {
    const ch = x[i]! - x[i - 1]!;
    gain = (gain * keep + (ch > 0 ? ch : 0)) / period; // Wilder
    loss = (loss * keep + (ch < 0 ? -ch : 0)) / period;
    v = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
    acc += v;
    if (out !== null) out[i] = v;
  }
  return acc;
}

const HAND: Partial<Record<IndicatorType, { label: string; run: (x: Float64Array, out: Float64Array | null) => number }>> = {
  sma: { label: 'SMA(20), running sum', run: (x, out) => handSma(x, 20, out) },
  ema: { label: 'EMA(20), SMA seed', run: (x, out) => handEma(x, 20, out) },
  rsi: { label: 'RSI(14), Wilder', run: (x, out) => handRsi(x, 14, out) },
};

// ------------------------------------------------------------------ 3. technicalindicators

/*
 * The library's streaming objects take either a number (the close) or a candle-like object
 * {high, low, close, volume}; we pass our candle objects as they are (no allocation per update).
 * Its typings do not match its runtime for several nextValue signatures, hence the loose type.
 * Parameters are the same as our defaults where the library has them. Where its definition
 * differs from ours (its Stochastic is the fast one with no k smoothing, its VWAP has no daily
 * anchor, its StochRSI/MACD warm up differently) the figures still compare the cost of an update.
 */
interface LibStream {
  nextValue(input: unknown): unknown;
}

interface LibCase {
  /** What the streaming object is fed: the close, or the candle object. */
  input: 'close' | 'candle';
  /** Output field added to the checksum for structured values (one that is defined whenever a value is). */
  key?: string;
  stream: () => LibStream;
  /** The batch function over candles [from, to) of the series (arrays sliced, as a flow keeping "the last N" would). */
  batch: (s: SeriesData, from: number, to: number) => unknown[];
  note?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const T = ti as any;
const hlc = (s: SeriesData, a: number, b: number) => ({ high: s.high.slice(a, b), low: s.low.slice(a, b), close: s.close.slice(a, b) });
const hlcv = (s: SeriesData, a: number, b: number) => ({ ...hlc(s, a, b), volume: s.volume.slice(a, b) });
const empty = { high: [], low: [], close: [], volume: [] };

/** The library's counterparts; types it has none of (or none with a streaming API) are measured as ours only. */
const LIB: Partial<Record<IndicatorType, LibCase>> = {
  sma: { input: 'close', stream: () => new T.SMA({ period: 20, values: [] }), batch: (s, a, b) => T.SMA.calculate({ period: 20, values: s.close.slice(a, b) }) },
  ema: { input: 'close', stream: () => new T.EMA({ period: 20, values: [] }), batch: (s, a, b) => T.EMA.calculate({ period: 20, values: s.close.slice(a, b) }) },
  wma: { input: 'close', stream: () => new T.WMA({ period: 20, values: [] }), batch: (s, a, b) => T.WMA.calculate({ period: 20, values: s.close.slice(a, b) }) },
  rsi: { input: 'close', stream: () => new T.RSI({ period: 14, values: [] }), batch: (s, a, b) => T.RSI.calculate({ period: 14, values: s.close.slice(a, b) }) },
  macd: {
    input: 'close',
    key: 'MACD',
    stream: () => new T.MACD({ fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false, values: [] }),
    batch: (s, a, b) =>
      T.MACD.calculate({ fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false, values: s.close.slice(a, b) }),
  },
  bollinger: {
    input: 'close',
    key: 'middle',
    stream: () => new T.BollingerBands({ period: 20, stdDev: 2, values: [] }),
    batch: (s, a, b) => T.BollingerBands.calculate({ period: 20, stdDev: 2, values: s.close.slice(a, b) }),
  },
  stochastic: {
    input: 'candle',
    key: 'k',
    stream: () => new T.Stochastic({ period: 14, signalPeriod: 3, ...empty }),
    batch: (s, a, b) => T.Stochastic.calculate({ period: 14, signalPeriod: 3, ...hlc(s, a, b) }),
    note: 'library: fast stochastic (no k smoothing)',
  },
  stochrsi: {
    input: 'close',
    key: 'k',
    stream: () => new T.StochasticRSI({ rsiPeriod: 14, stochasticPeriod: 14, kPeriod: 3, dPeriod: 3, values: [] }),
    batch: (s, a, b) => T.StochasticRSI.calculate({ rsiPeriod: 14, stochasticPeriod: 14, kPeriod: 3, dPeriod: 3, values: s.close.slice(a, b) }),
  },
  atr: { input: 'candle', stream: () => new T.ATR({ period: 14, ...empty }), batch: (s, a, b) => T.ATR.calculate({ period: 14, ...hlc(s, a, b) }) },
  adx: { input: 'candle', key: 'adx', stream: () => new T.ADX({ period: 14, ...empty }), batch: (s, a, b) => T.ADX.calculate({ period: 14, ...hlc(s, a, b) }) },
  cci: { input: 'candle', stream: () => new T.CCI({ period: 20, ...empty }), batch: (s, a, b) => T.CCI.calculate({ period: 20, ...hlc(s, a, b) }) },
  obv: { input: 'candle', stream: () => new T.OBV({ close: [], volume: [] }), batch: (s, a, b) => T.OBV.calculate({ close: s.close.slice(a, b), volume: s.volume.slice(a, b) }) },
  vwap: { input: 'candle', stream: () => new T.VWAP({ ...empty }), batch: (s, a, b) => T.VWAP.calculate(hlcv(s, a, b)), note: 'library: no daily anchor' },
  roc: { input: 'close', stream: () => new T.ROC({ period: 10, values: [] }), batch: (s, a, b) => T.ROC.calculate({ period: 10, values: s.close.slice(a, b) }) },
  williamsr: { input: 'candle', stream: () => new T.WilliamsR({ period: 14, ...empty }), batch: (s, a, b) => T.WilliamsR.calculate({ period: 14, ...hlc(s, a, b) }) },
  mfi: { input: 'candle', stream: () => new T.MFI({ period: 14, ...empty }), batch: (s, a, b) => T.MFI.calculate({ period: 14, ...hlcv(s, a, b) }) },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The library's figure for one output: a number, or `key` of an object; undefined/NaN when it has none. */
function libNumber(v: unknown, key: string | undefined): number {
  if (typeof v === 'number') return v;
  if (key !== undefined && v !== null && typeof v === 'object') {
    const f = (v as Record<string, unknown>)[key];
    if (typeof f === 'number') return f;
  }
  return NaN;
}

/** Feeds candles [from, to) to a live streaming object; checksum = sum of values + count of updates without one. */
function runLibStream(lib: LibCase, obj: LibStream, s: SeriesData, from: number, to: number): number {
  const { candles, close } = s;
  const key = lib.key;
  let sum = 0;
  let none = 0;
  if (lib.input === 'close') {
    for (let i = from; i < to; i++) {
      const v = libNumber(obj.nextValue(close[i]), key);
      if (v === v) sum += v;
      else none++;
    }
  } else {
    for (let i = from; i < to; i++) {
      const v = libNumber(obj.nextValue(candles[i]), key);
      if (v === v) sum += v;
      else none++;
    }
  }
  return sum + none;
}

/** The streaming values per candle (NaN where none), for checks. */
function libStreamValues(lib: LibCase, s: SeriesData): Float64Array {
  const obj = lib.stream();
  const out = new Float64Array(s.candles.length);
  for (let i = 0; i < out.length; i++) out[i] = libNumber(obj.nextValue(lib.input === 'close' ? s.close[i] : s.candles[i]), lib.key);
  return out;
}

/**
 * Batch per candle for candles [first, first+count): each one recomputes the whole window ending at
 * it and keeps the last value. Returns the checksum and, when `out` is given, the values by candle.
 */
function runLibBatch(lib: LibCase, s: SeriesData, first: number, count: number, out: Float64Array | null): number {
  let sum = 0;
  let none = 0;
  for (let i = first; i < first + count; i++) {
    const result = lib.batch(s, i + 1 - BATCH_WINDOW, i + 1);
    const v = libNumber(result[result.length - 1], lib.key);
    if (v === v) sum += v;
    else none++;
    if (out !== null) out[i] = v;
  }
  return sum + none;
}

// ------------------------------------------------------------------ checks

interface Comparison {
  what: string;
  /** Candles where both have a value. */
  compared: number;
  /** Candles where exactly one of them has a value. */
  presenceMismatch: number;
  maxAbsDiff: number;
  maxRelDiff: number;
  /** What we expect ("exact", "<= 1e-12 relative", "<= ~0.005 (library rounds RSI to 2 decimals)", ...). */
  expectation: string;
  ok: boolean;
}

function compare(what: string, a: Float64Array, b: Float64Array, from: number, to: number, expectation: string, okIf: (absMax: number, relMax: number) => boolean, ignorePresence = false): Comparison {
  let compared = 0;
  let presenceMismatch = 0;
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  for (let i = from; i < to; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== x || y !== y) {
      if ((x !== x) !== (y !== y)) presenceMismatch++;
      continue;
    }
    compared++;
    const d = Math.abs(x - y);
    maxAbsDiff = Math.max(maxAbsDiff, d);
    const scale = Math.max(Math.abs(x), Math.abs(y));
    if (scale > 0) maxRelDiff = Math.max(maxRelDiff, d / scale);
  }
  const ok = compared > 0 && (ignorePresence || presenceMismatch === 0) && okIf(maxAbsDiff, maxRelDiff);
  return { what, compared, presenceMismatch, maxAbsDiff, maxRelDiff, expectation, ok };
}

// ------------------------------------------------------------------ formatting

const fmtRate = (r: number | undefined) =>
  r === undefined ? '-' : r >= 1e6 ? `${(r / 1e6).toFixed(r >= 1e8 ? 0 : 1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
const fmtNs = (ns: number | undefined) => (ns === undefined ? '-' : ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));
const fmtRatio = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);
const sig = (x: number) => Number(x.toPrecision(6));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ------------------------------------------------------------------ main

interface Row {
  type: IndicatorType;
  ours: Timing;
  hand?: Timing & { label: string };
  /** Absent for the types the library has no streaming counterpart of. */
  libStream?: Timing;
  libBatch?: Timing;
  /** ours ns/update ÷ hand-written ns/update: how many times slower ours is than the hand-written loop. */
  oursOverHand?: number;
  /** library ns/update ÷ ours ns/update: how many times faster ours is. */
  libStreamOverOurs?: number;
  libBatchOverOurs?: number;
  note?: string;
}

function main(): void {
  const t0 = Date.now();
  const loadStart = loadAvg();
  const s = buildSeries();
  const N = s.candles.length;
  const batchFirst = BATCH_WINDOW - 1; // the first candle whose window of BATCH_WINDOW is full
  const batchCount = Math.floor(Math.min(BATCH_CANDLES, N - batchFirst) / BATCH_REPS) * BATCH_REPS;

  console.log(`Indicator benchmark — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  console.log(
    `Series: ${N.toLocaleString('en-US')} candles = the ${s.pairs.length} pairs' 1m files (${s.pairs.map((p) => p.pair).join(', ')}) ` +
      `concatenated; each pair RESCALED to continue from the previous close and its timestamps shifted to follow on ` +
      `(prices/volumes otherwise real; the series is for speed, not for trading conclusions).`,
  );
  console.log(
    `Timing: whole-series passes (fresh or reset indicator each), repetitions of >= ${MIN_REP_MS} ms after a warm-up pass; best of ` +
      `${ROUNDS} rounds x ${REPS} repetitions (hand-written and call floor: ${ROUNDS} x ${BASELINE_REPS}; library streaming: ${ROUNDS} x ${LIB_STREAM_REPS}). Load average at start: ${loadStart}.`,
  );
  console.log(
    `Library batch per candle: e.g. RSI.calculate({period, values}) over a rolling window of the last ${BATCH_WINDOW} candles, ` +
      `for ${batchCount.toLocaleString('en-US')} candles (after ${BATCH_WARMUP_CANDLES} warm-up candles; best of ${BATCH_REPS} runs of ${batchCount / BATCH_REPS}).\n`,
  );

  // ---- Warm-up of ours: EVERY type (and the call floor) first, so the shared call sites (runOurs,
  // Counted.update, priceOf) have seen all classes before anything is timed: no type gets an
  // unrealistically monomorphic head start just because it was measured first.
  const types = [...INDICATOR_TYPES];
  // Measured after all the others (HEAVY): a pattern update allocates ~2 KB (the library builds
  // objects per pattern), and with its passes in between, the other types' figures rose by up to
  // 1.8x through garbage collection alone (SMA 15 -> 27 ns on 2026-12-03), not through their own work.
  const light = types.filter((t) => !HEAVY.includes(t));
  const libTypes = types.filter((t) => LIB[t] !== undefined);
  const inds = new Map<IndicatorType, Indicator>(types.map((t) => [t, createIndicator({ type: t })]));
  const floorInd = new CallFloor();
  for (const t of light) runOurs(inds.get(t)!, s.candles, OUR_KEY[t]);
  runOurs(floorInd, s.candles, undefined);

  // ---- 1. ours, the call floor, 2. the hand-written loops and 3a. the library's streaming API,
  // all in the same ROUNDS rounds (best of the rounds is kept).
  const handCases = Object.entries(HAND) as [IndicatorType, NonNullable<(typeof HAND)[IndicatorType]>][];
  let floor: Timing | undefined;
  const ours = new Map<IndicatorType, Timing>();
  const handTimings = new Map<IndicatorType, Timing>();
  const libStream = new Map<IndicatorType, Timing>();
  for (let round = 1; round <= ROUNDS; round++) {
    floor = better(floor, measure(N, () => runOurs(floorInd, s.candles, undefined), BASELINE_REPS));
    for (const t of light) {
      const ind = inds.get(t)!;
      const timing = measure(N, () => {
        ind.reset();
        return runOurs(ind, s.candles, OUR_KEY[t]);
      });
      ours.set(t, better(ours.get(t), timing));
    }
    for (const [t, h] of handCases) handTimings.set(t, better(handTimings.get(t), measure(N, () => h.run(s.close64, null), BASELINE_REPS)));
    for (const t of libTypes) {
      const lib = LIB[t]!;
      libStream.set(t, better(libStream.get(t), measure(N, () => runLibStream(lib, lib.stream(), s, 0, N), LIB_STREAM_REPS)));
    }
    const list = (m: Map<IndicatorType, Timing>) => [...m].map(([t, x]) => `${t} ${fmtNs(x.nsPerUpdate)}`).join(', ');
    console.log(`  round ${round}/${ROUNDS}, ns/update (best so far):`);
    console.log(`    call floor ${fmtNs(floor.nsPerUpdate)}; hand-written ${list(handTimings)}`);
    console.log(`    ours: ${list(ours)}`);
    console.log(`    library streaming: ${list(libStream)}`);
  }
  // The heavy ones last, warmed here, same measurement.
  for (const t of HEAVY) runOurs(inds.get(t)!, s.candles, OUR_KEY[t]);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of HEAVY) {
      const ind = inds.get(t)!;
      const timing = measure(N, () => {
        ind.reset();
        return runOurs(ind, s.candles, OUR_KEY[t]);
      });
      ours.set(t, better(ours.get(t), timing));
    }
  }
  console.log(`  measured last: ${HEAVY.map((t) => `${t} ${fmtNs(ours.get(t)!.nsPerUpdate)}`).join(', ')} ns/update`);
  const callFloor = floor!;
  const hand = new Map<IndicatorType, Timing & { label: string }>(handCases.map(([t, h]) => [t, { ...handTimings.get(t)!, label: h.label }]));

  // ---- 3b. library batch per candle
  const libBatch = new Map<IndicatorType, Timing>();
  for (const t of libTypes) {
    const lib = LIB[t]!;
    let checksum = runLibBatch(lib, s, batchFirst, BATCH_WARMUP_CANDLES, null);
    let best = Infinity;
    const perRep = batchCount / BATCH_REPS;
    for (let r = 0; r < BATCH_REPS; r++) {
      const start = now();
      checksum += runLibBatch(lib, s, batchFirst + r * perRep, perRep, null);
      best = Math.min(best, now() - start);
    }
    libBatch.set(t, { perSec: (perRep / best) * 1e9, nsPerUpdate: best / perRep, checksum, updatesPerRep: perRep });
  }
  console.log(`  library batch per candle, ns/update: ${libTypes.map((t) => `${t} ${fmtNs(libBatch.get(t)!.nsPerUpdate)}`).join(', ')}`);

  // ---- 4. checks (untimed): the three ways agree where their definitions agree.
  const checks: Comparison[] = [];
  for (const t of ['rsi', 'ema', 'sma'] as const) {
    const o = oursValues(t, s.candles);
    const hv = new Float64Array(N);
    HAND[t]!.run(s.close64, hv);
    checks.push(
      t === 'sma'
        ? compare(`ours vs hand-written ${t}`, o, hv, 0, N, '<= 1e-12 relative (ours re-sums its window every 1024 updates)', (_a, r) => r <= 1e-12)
        : compare(`ours vs hand-written ${t}`, o, hv, 0, N, 'exact (same operations in the same order)', (a) => a === 0),
    );
    const lv = libStreamValues(LIB[t]!, s);
    checks.push(
      t === 'rsi'
        ? compare(`ours vs library streaming ${t}`, o, lv, 0, N, '<= ~0.005 (library rounds RSI to 2 decimals)', (a) => a <= 0.005 + 1e-9)
        : compare(`ours vs library streaming ${t}`, o, lv, 0, N, '<= 1e-9 relative (library adds/subtracts in another order)', (_a, r) => r <= 1e-9),
    );
    // Batch over a window: SMA is exact over its last 20; EMA/RSI restart at the window start, but
    // after ~480 candles the seed's weight is ~e^-40, so only rounding (RSI: 2 decimals) remains.
    const bv = new Float64Array(N).fill(NaN);
    runLibBatch(LIB[t]!, s, batchFirst, batchCount, bv);
    checks.push(
      compare(
        `ours vs library batch/candle ${t}`,
        o,
        bv,
        batchFirst,
        batchFirst + batchCount,
        t === 'rsi' ? '<= ~0.005 (2-decimal rounding; window seed effect negligible)' : '<= 1e-9 relative (window seed effect negligible)',
        t === 'rsi' ? (a) => a <= 0.005 + 1e-9 : (_a, r) => r <= 1e-9,
      ),
    );
  }

  // ---- results
  const rows: Row[] = types.map((t) => {
    const o = ours.get(t)!;
    const h = hand.get(t);
    const ls = libStream.get(t);
    const lb = libBatch.get(t);
    return {
      type: t,
      ours: o,
      hand: h,
      libStream: ls,
      libBatch: lb,
      oursOverHand: h ? o.nsPerUpdate / h.nsPerUpdate : undefined,
      libStreamOverOurs: ls ? ls.nsPerUpdate / o.nsPerUpdate : undefined,
      libBatchOverOurs: lb ? lb.nsPerUpdate / o.nsPerUpdate : undefined,
      note: LIB[t]?.note,
    };
  });

  console.log('\nupdates/s (candles per second), best repetition; ratios are time per update:');
  console.log('  ours/hand = ours ÷ hand-written (times slower than the hand-written loop); lib/ours = library ÷ ours (times faster ours is)\n');
  console.log(
    table(
      ['indicator', 'ours upd/s', 'ns/upd', 'hand-written', 'lib streaming', `lib batch(${BATCH_WINDOW})`, 'ours/hand', 'lib-stream/ours', 'lib-batch/ours'],
      rows.map((r) => [
        r.type + (r.note ? ' *' : ''),
        fmtRate(r.ours.perSec),
        fmtNs(r.ours.nsPerUpdate),
        fmtRate(r.hand?.perSec),
        fmtRate(r.libStream?.perSec),
        fmtRate(r.libBatch?.perSec),
        fmtRatio(r.oursOverHand),
        fmtRatio(r.libStreamOverOurs),
        fmtRatio(r.libBatchOverOurs),
      ]),
    ),
  );
  for (const r of rows) if (r.note) console.log(`  * ${r.type}: ${r.note}; compare speed only`);

  console.log(
    `\ncall floor: a do-nothing update(candle) that returns candle.close, through the same call site: ` +
      `${fmtNs(callFloor.nsPerUpdate)} ns/update (${fmtRate(callFloor.perSec)}/s). No update(candle) can beat it; the hand-written loops do not pay it.`,
  );
  console.log(`hand-written loops (ns/update): ${rows.filter((r) => r.hand).map((r) => `${r.hand!.label} ${fmtNs(r.hand!.nsPerUpdate)}`).join('; ')}`);
  console.log(`\naim: ours within ${AIM_RATIO}x of a hand-written loop (an aim, not an assertion)`);
  const aims = rows
    .filter((r) => r.oursOverHand !== undefined)
    .map((r) => ({ type: r.type, ratio: sig(r.oursOverHand!), aim: AIM_RATIO, status: r.oursOverHand! <= AIM_RATIO ? 'OK' : 'OVER' }));
  for (const a of aims) console.log(`  ${a.type.padEnd(4)} ours/hand-written = ${a.ratio.toFixed(2)}x (aim <= ${AIM_RATIO}x): ${a.status}`);

  console.log('\nchecks (the timed code computes the right thing):');
  for (const c of checks) {
    console.log(
      `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what.padEnd(38)} ${String(c.compared).padStart(7)} candles, max |diff| ${c.maxAbsDiff.toExponential(2)}, ` +
        `max rel ${c.maxRelDiff.toExponential(2)}${c.presenceMismatch ? `, ${c.presenceMismatch} with a value on one side only` : ''}  [expected ${c.expectation}]`,
    );
  }
  const checksums = rows.map((r) => `${r.type}=${sig(r.ours.checksum)}`).join(' ');
  console.log(`\nchecksums (ours, all passes; printed so no work can be optimised away): ${checksums} call-floor=${sig(callFloor.checksum)}`);
  console.log(
    `checksums (hand-written / library): ${rows
      .filter((r) => r.hand || r.libStream)
      .map((r) => `${r.type}=${r.hand ? sig(r.hand.checksum) + '/' : ''}${r.libStream ? sig(r.libStream.checksum) : '-'}/${r.libBatch ? sig(r.libBatch.checksum) : '-'}`)
      .join(' ')}`,
  );

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
    series: {
      candles: N,
      timeframe: '1m',
      construction: 'all pairs concatenated; each pair rescaled to continue from the previous close, timestamps shifted to follow on',
      pairs: s.pairs.map((p) => ({ ...p, scale: sig(p.scale) })),
    },
    method: {
      reps: REPS,
      rounds: ROUNDS,
      minRepMs: MIN_REP_MS,
      warmup: 'one untimed pass per measurement; every type of ours warmed before any is timed',
      figure: 'best repetition',
      baselineReps: BASELINE_REPS,
      libStreamingReps: LIB_STREAM_REPS,
      batch: { window: BATCH_WINDOW, candles: batchCount, warmupCandles: BATCH_WARMUP_CANDLES, reps: BATCH_REPS, figure: 'best repetition' },
      ratios: 'oursOverHand = ours ns ÷ hand-written ns; libXOverOurs = library ns ÷ ours ns',
    },
    rows: rows.map((r) => ({
      type: r.type,
      ours: { updatesPerSec: Math.round(r.ours.perSec), nsPerUpdate: sig(r.ours.nsPerUpdate), checksum: r.ours.checksum },
      handWritten: r.hand ? { label: r.hand.label, updatesPerSec: Math.round(r.hand.perSec), nsPerUpdate: sig(r.hand.nsPerUpdate), checksum: r.hand.checksum } : null,
      libraryStreaming: r.libStream ? { updatesPerSec: Math.round(r.libStream.perSec), nsPerUpdate: sig(r.libStream.nsPerUpdate), checksum: r.libStream.checksum } : null,
      libraryBatchPerCandle: r.libBatch ? { updatesPerSec: Math.round(r.libBatch.perSec), nsPerUpdate: sig(r.libBatch.nsPerUpdate), checksum: r.libBatch.checksum } : null,
      oursOverHand: r.oursOverHand === undefined ? null : sig(r.oursOverHand),
      libStreamingOverOurs: r.libStreamOverOurs === undefined ? null : sig(r.libStreamOverOurs),
      libBatchOverOurs: r.libBatchOverOurs === undefined ? null : sig(r.libBatchOverOurs),
      note: r.note ?? null,
    })),
    callFloor: { what: 'update(candle) returning candle.close through the same call site', updatesPerSec: Math.round(callFloor.perSec), nsPerUpdate: sig(callFloor.nsPerUpdate), checksum: callFloor.checksum },
    aims,
    checks,
    loadAverage: { start: loadStart, end: loadAvg() },
    durationSec: Math.round((Date.now() - t0) / 100) / 10,
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwritten: ${path.relative(ROOT, RESULTS_FILE)} (total ${result.durationSec} s; load average at start ${loadStart}, at end ${result.loadAverage.end})`);

  if (checks.some((c) => !c.ok)) {
    console.error('\na value check failed: the figures above may be measuring broken code');
    process.exitCode = 1;
  }
}

main();
