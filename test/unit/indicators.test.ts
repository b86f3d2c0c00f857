/**
 * The incremental indicator engine (core/indicators) against an independent batch
 * implementation of docs/indicators.md (test/support/textbook-indicators.ts), on the real
 * exchange candles of ../shared/data/ohlcv: all ten pairs, every candle, at 1m and 5m. Candlestick
 * patterns: the reference writes the doc's fully spelt-out ones itself and calls the library on the
 * last candles for the others (see textbook-indicators.ts `patterns`).
 *
 * BTC-quoted prices are tiny (NXT/BTC ~ 0.00003) and many 1m candles are flat: the hard case for
 * running sums, so every series is used whole, never a prefix.
 *
 * Tolerance: |engine - textbook| <= 1e-9 * max(|textbook|, scale).
 *  - Relative 1e-9 wherever the value is not near 0.
 *  - `scale` is an absolute floor for values that are legitimately ~0 (MACD histogram, OBV
 *    crossing 0, ROC, CCI...), where a relative bound would demand more than double precision
 *    can give. It is the natural magnitude of what the value is made of:
 *      price-valued (sma, ema, wma, vwap, macd lines, bollinger bands, donchian, keltner, supertrend,
 *      psar, ichimoku, heikinashi, pivots): P = mean close of the series (a direction, ±1, is then
 *      held to 1e-9·max(1, P): in effect, exactly); patterns (1 or 0): scale 1, so exactly;
 *      atr: the series' mean true range; obv: the series' mean volume;
 *      0–100 oscillators (rsi, stochastic, adx/pdi/mdi, williamsr, mfi) and roc (a percentage): 1.
 *  - A few outputs divide by a difference that can be tiny compared with the prices it comes
 *    from; there an error of 1e-9·P in the price-level intermediates (the bound above) is
 *    amplified, and the floor is that bound propagated through the formula, per value:
 *      bollinger bandwidth = (U-L)/M       -> 2P/M
 *      bollinger percentB = (src-L)/(U-L)  -> P(2 + 2|%B|)/(U-L); 1 when the window is flat (exact 0.5)
 *      cci = (tp-sma)/(0.015 md)           -> P(2 + 0.015|cci|)/(0.015 md); 1 when the window is flat (exact 0)
 *      stochrsi stoch = 100(rsi-min)/(max-min), RSI allowed 1e-9·100 -> 4e4/(max-min), then averaged
 *        through the k and d SMAs; unbounded where the RSI window is flat (max = min), see the note there.
 *    Flat windows for Bollinger/CCI are decided on the exact inputs, so the doc's special value is
 *    required there.
 * Each test title ends with the worst |engine - textbook| / max(|textbook|, scale) it saw and,
 * where it differs, the same measured with the simple floor only (P, 1, ... without propagation;
 * reported, not asserted: near-flat windows exceed 1e-9 there through conditioning alone).
 */
import assert from 'node:assert/strict';
import { createIndicator, parseIndicatorSpec } from '../../core/indicators';
import { OHLCV_TIMEFRAMES, listPairs, loadCandles, skipWithoutOhlcv, type Candle, type OhlcvTimeframe } from '../support/ohlcv-data';
import * as tb from '../support/textbook-indicators';

const REL = 1e-9;

const SPECS: tb.TextbookSpec[] = [
  { type: 'sma' },
  { type: 'sma', period: 7, src: 'hl2' },
  { type: 'ema' },
  { type: 'ema', period: 50 },
  { type: 'ema', period: 9, src: 'ohlc4' },
  { type: 'wma' },
  { type: 'wma', period: 9, src: 'hlc3' },
  { type: 'rsi' },
  { type: 'rsi', period: 2 },
  { type: 'rsi', period: 21 },
  { type: 'rsi', period: 14, src: 'low' },
  { type: 'macd' },
  { type: 'macd', fast: 5, slow: 35, signal: 5 },
  { type: 'bollinger' },
  { type: 'bollinger', period: 10, stdDev: 1.5 },
  { type: 'bollinger', period: 20, stdDev: 2, src: 'hlc3' },
  { type: 'stochastic' },
  { type: 'stochastic', period: 5, kSmoothing: 1, dPeriod: 3 },
  { type: 'stochrsi' },
  { type: 'stochrsi', rsiPeriod: 7, stochPeriod: 7, kPeriod: 2, dPeriod: 2 },
  { type: 'atr' },
  { type: 'atr', period: 5 },
  { type: 'adx' },
  { type: 'adx', period: 7 },
  { type: 'cci' },
  { type: 'cci', period: 10 },
  { type: 'obv' },
  { type: 'vwap' },
  { type: 'vwap', anchor: 'none' },
  { type: 'roc' },
  { type: 'roc', period: 3, src: 'open' },
  { type: 'williamsr' },
  { type: 'williamsr', period: 7 },
  { type: 'mfi' },
  { type: 'mfi', period: 5 },
  { type: 'donchian' },
  { type: 'donchian', period: 5 },
  { type: 'donchian', period: 1 },
  { type: 'keltner' },
  { type: 'keltner', period: 10, multiplier: 1.5, atrPeriod: 20 },
  { type: 'supertrend' },
  { type: 'supertrend', period: 7, multiplier: 2 },
  { type: 'psar' },
  { type: 'psar', step: 0.01, maxStep: 0.1 },
  { type: 'ichimoku' },
  { type: 'ichimoku', conversionPeriod: 5, basePeriod: 10, spanBPeriod: 20, displacement: 1 },
  { type: 'heikinashi' },
  { type: 'pivots' },
  { type: 'pivots', method: 'fibonacci' },
  { type: 'pivots', method: 'camarilla' },
  { type: 'pivots', method: 'woodie', session: 'week' },
  { type: 'patterns' },
];

/**
 * Candles still needed after candle k (0 = before any): the doc's fixed first value, or for pivot
 * points (first value with the second session, however long the first is) 1 until there is one.
 */
function expectedRemaining(spec: tb.TextbookSpec, k: number, valueAfterK: boolean): number {
  const first = tb.firstValueAt(spec);
  if (Number.isNaN(first)) return valueAfterK ? 0 : 1;
  return Math.max(0, first - k);
}

function label(spec: tb.TextbookSpec): string {
  const { type, ...params } = spec;
  const p = Object.entries(params).map(([k, v]) => `${k} ${String(v)}`);
  return `${type}${p.length ? ` (${p.join(', ')})` : ' (defaults)'}`;
}

interface NamedSeries {
  name: string;
  candles: readonly Candle[];
}

let allSeries: NamedSeries[] | undefined;
function series(): NamedSeries[] {
  allSeries ??= OHLCV_TIMEFRAMES.flatMap((tf: OhlcvTimeframe) => listPairs(tf).map((pair) => ({ name: `${pair}-${tf}`, candles: loadCandles(pair, tf) })));
  return allSeries;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Mean of the last n entries of xs ending at i (all present), else undefined. */
function trailingMean(xs: readonly (number | undefined)[], i: number, n: number): number | undefined {
  if (i - n + 1 < 0) return undefined;
  let s = 0;
  for (let j = i - n + 1; j <= i; j++) {
    const x = xs[j];
    if (x === undefined) return undefined;
    s += x;
  }
  return s / n;
}

type ScaleFn = (i: number, field: string) => number;

/** The simple per-indicator floor (no propagation): reported alongside, never asserted. */
function plainScale(spec: tb.TextbookSpec, candles: readonly Candle[]): ScaleFn {
  const P = mean(candles.map((c) => c.close));
  switch (spec.type as tb.IndicatorType) {
    case 'sma':
    case 'ema':
    case 'wma':
    case 'vwap':
    case 'macd':
    case 'donchian':
    case 'keltner':
    case 'supertrend':
    case 'psar':
    case 'ichimoku':
    case 'heikinashi':
    case 'pivots':
      return () => P;
    case 'bollinger':
      return (_i, field) => (field === 'bandwidth' || field === 'percentB' ? 1 : P);
    case 'atr':
    case 'obv':
      return scales(spec, candles, []);
    default:
      return () => 1;
  }
}

/** The absolute floor `scale` per value, as explained in the header. */
function scales(spec: tb.TextbookSpec, candles: readonly Candle[], expected: tb.Series): ScaleFn {
  const full = tb.withDefaults(spec);
  const P = mean(candles.map((c) => c.close));
  switch (spec.type as tb.IndicatorType) {
    case 'sma':
    case 'ema':
    case 'wma':
    case 'vwap':
    case 'macd':
    // price-valued (their direction, ±1, is compared relative to itself)
    case 'donchian':
    case 'keltner':
    case 'supertrend':
    case 'psar':
    case 'ichimoku':
    case 'heikinashi':
    case 'pivots':
      return () => P;
    case 'atr': {
      const meanTR = mean(candles.map((c, i) => (i === 0 ? c.high - c.low : Math.max(c.high - c.low, Math.abs(c.high - candles[i - 1]!.close), Math.abs(c.low - candles[i - 1]!.close)))));
      return () => meanTR;
    }
    case 'obv': {
      const V = mean(candles.map((c) => c.volume));
      return () => V;
    }
    case 'bollinger':
      return (i, field) => {
        const b = expected[i] as unknown as tb.BollingerValue;
        if (field === 'bandwidth') return (2 * P) / Math.abs(b.middle);
        if (field === 'percentB') return b.upper === b.lower ? 1 : (P * (2 + 2 * Math.abs(b.percentB))) / (b.upper - b.lower);
        return P;
      };
    case 'cci': {
      const parts = tb.cciParts(candles, full as unknown as { period: number });
      return (i) => {
        const p = parts[i]!;
        return p.md === 0 ? 1 : (P * (2 + 0.015 * Math.abs(p.cci))) / (0.015 * p.md);
      };
    }
    case 'stochrsi': {
      // RSI values are allowed 1e-9 * 100; stoch = 100(rsi-min)/(max-min) then moves by at most
      // (200 + 2*stoch) * 1e-7 / (max-min) <= 1e-9 * 4e4/(max-min). Where the RSI window is flat
      // in the textbook (max = min, stoch pinned to 50) the RSI's own rounding decides whether an
      // implementation sees max = min exactly, so nothing is required there (Infinity); counted
      // and reported in the title.
      const { kPeriod, dPeriod } = full as unknown as { kPeriod: number; dPeriod: number };
      const parts = tb.stochrsiParts(candles, full as unknown as tb.StochRsiParams);
      const sStoch = parts.map((p) => (p === null ? undefined : p.range === 0 ? Infinity : Math.max(1, Math.abs(p.stoch), 4e4 / p.range)));
      const sK = sStoch.map((_, i) => trailingMean(sStoch, i, kPeriod));
      const sD = sK.map((_, i) => trailingMean(sK, i, dPeriod));
      return (i, field) => (field === 'k' ? sK[i]! : sD[i]!);
    }
    default:
      return () => 1;
  }
}

interface Outcome {
  values: number;
  worst: number;
  unconstrained: number;
  unconstrainedDiffering: number;
  worstPlain: number;
  overPlain: number;
  mismatches: string[];
  mismatchCount: number;
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? String(x) : Number.isFinite(x) ? x.toPrecision(17) : String(x);
}

/** Feeds one series through the engine candle by candle and compares with the textbook. */
function compareSeries(spec: tb.TextbookSpec, s: NamedSeries, expected: tb.Series, out: Outcome): void {
  const scale = scales(spec, s.candles, expected);
  const plain = plainScale(spec, s.candles);
  const fields = tb.FIELDS[spec.type as tb.IndicatorType];
  const ind = createIndicator(spec);
  const miss = (msg: string): void => {
    out.mismatchCount++;
    if (out.mismatches.length < 8) out.mismatches.push(`${s.name} candle ${msg}`);
  };
  const before = expectedRemaining(spec, 0, false);
  if (ind.remaining !== before) miss(`0: remaining before any candle ${ind.remaining}, expected ${before}`);
  for (let i = 0; i < s.candles.length; i++) {
    const got = ind.update(s.candles[i]!);
    const want = expected[i]!;
    const k = i + 1; // candle number
    const rem = ind.remaining;
    const remWant = expectedRemaining(spec, k, want !== null);
    if (rem !== remWant) miss(`${k}: remaining ${rem}, expected ${remWant}`);
    if (want === null || got === null) {
      if (want !== got) miss(`${k}: engine ${JSON.stringify(got)}, textbook ${JSON.stringify(want)}`);
      continue;
    }
    const pairs: [string, number | undefined, number][] = [];
    if (fields) {
      if (typeof got !== 'object') {
        miss(`${k}: engine gave ${JSON.stringify(got)}, expected an object with ${fields.join(', ')}`);
        continue;
      }
      const extra = Object.keys(got).filter((f) => !fields.includes(f));
      if (extra.length) miss(`${k}: unexpected fields ${extra.join(', ')}`);
      for (const f of fields) pairs.push([f, (got as Record<string, number>)[f], (want as Record<string, number>)[f]!]);
    } else {
      pairs.push(['', typeof got === 'number' ? got : undefined, want as number]);
    }
    for (const [f, a, b] of pairs) {
      out.values++;
      const sc = scale(i, f);
      if (sc === Infinity) {
        out.unconstrained++;
        if (a !== b) out.unconstrainedDiffering++;
      }
      const norm = a === undefined || !Number.isFinite(a) ? Infinity : Math.abs(a - b) / Math.max(Math.abs(b), sc);
      if (sc !== Infinity && norm > out.worst) out.worst = norm;
      const normPlain = a === undefined || !Number.isFinite(a) ? Infinity : Math.abs(a - b) / Math.max(Math.abs(b), plain(i, f));
      if (normPlain > out.worstPlain) out.worstPlain = normPlain;
      if (!(normPlain <= REL)) out.overPlain++;
      if (!(norm <= REL) && !(sc === Infinity && a !== undefined && Number.isFinite(a))) {
        miss(`${k} (index ${i})${f ? ` ${f}` : ''}: engine ${fmt(a)}, textbook ${fmt(b)}, |diff| ${fmt(a === undefined ? NaN : Math.abs(a - b))} > tol ${fmt(REL * Math.max(Math.abs(b), sc))}`);
      }
    }
  }
}

describe('indicators: engine vs textbook on real candles (docs/indicators.md)', function () {
  before(function () {
    skipWithoutOhlcv(this);
  });

  for (const spec of SPECS) {
    it(label(spec), function () {
      skipWithoutOhlcv(this);
      const all = series();
      assert.equal(listPairs('1m').length, 10, 'expected the ten 1m pairs of ../shared/data/ohlcv');
      const out: Outcome = { values: 0, worst: 0, unconstrained: 0, unconstrainedDiffering: 0, worstPlain: 0, overPlain: 0, mismatches: [], mismatchCount: 0 };
      for (const s of all) {
        // the textbook itself must put the first value where the doc's table says
        const expected = tb.textbook(spec, s.candles);
        const firstAt = tb.firstValueAt(spec);
        if (!Number.isNaN(firstAt)) assert.equal(expected.findIndex((v) => v !== null) + 1, firstAt, `textbook first value, ${s.name}`);
        compareSeries(spec, s, expected, out);
      }
      const plainNote = out.worstPlain !== out.worst ? ` (simple floor: worst ${out.worstPlain.toExponential(1)}, ${out.overPlain} over 1e-9)` : '';
      const flatNote = out.unconstrained ? `, ${out.unconstrained} unconstrained (flat RSI window; ${out.unconstrainedDiffering} differ at all)` : '';
      this.test!.title += ` — ${all.length} series, ${out.values} values, worst ${out.worst.toExponential(1)}${plainNote}${flatNote}`;
      assert.equal(out.mismatchCount, 0, `${out.mismatchCount} disagreements with the textbook, first ones:\n  ${out.mismatches.join('\n  ')}`);
    });
  }
});

describe('indicators: remaining, reset, defaults', function () {
  it('remaining counts down by one per candle to 0 exactly when the first value appears', function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', '1m');
    for (const spec of SPECS) {
      const first = tb.firstValueAt(spec);
      if (Number.isNaN(first)) continue; // pivots: see 'pivot points wait for a whole session'
      const ind = createIndicator(spec);
      assert.equal(ind.remaining, first, `${label(spec)}: remaining before any candle`);
      for (let k = 1; k <= first + 3; k++) {
        const v = ind.update(candles[k - 1]!);
        assert.equal(ind.remaining, Math.max(0, first - k), `${label(spec)}: remaining after candle ${k}`);
        assert.equal(v === null, k < first, `${label(spec)}: value at candle ${k} (first expected at ${first})`);
      }
    }
  });

  it('reset() makes an indicator behave exactly like a fresh one', function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('XMR_BTC', '1m');
    const run = (ind: ReturnType<typeof createIndicator>, from: number, to: number) => {
      const out: unknown[] = [];
      for (let i = from; i < to; i++) out.push([ind.update(candles[i]!), ind.remaining]);
      return out;
    };
    for (const spec of SPECS) {
      const fresh = () => createIndicator(spec);
      const first = expectedRemaining(spec, 0, false);
      // reset after a long history, then restart inside the same UTC day (matters for vwap day)
      const used = fresh();
      run(used, 0, 3000);
      const specBefore = JSON.stringify(used.spec);
      used.reset();
      assert.equal(used.remaining, first, `${label(spec)}: remaining after reset`);
      assert.equal(JSON.stringify(used.spec), specBefore, `${label(spec)}: spec after reset`);
      assert.deepStrictEqual(run(used, 2900, 6000), run(fresh(), 2900, 6000), `${label(spec)}: after reset at candle 3000`);
      // reset in the middle of the warm-up, and twice in a row
      const warm = fresh();
      run(warm, 0, Math.max(1, (Number.isNaN(tb.firstValueAt(spec)) ? 60 : first) - 1));
      warm.reset();
      warm.reset();
      assert.deepStrictEqual(run(warm, 5000, 5500), run(fresh(), 5000, 5500), `${label(spec)}: after reset during warm-up`);
    }
  });

  it('pivot points wait for a whole session: none on the first UTC day, values from the first candle of the next', function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', '1m');
    const day = (ts: number) => Math.floor(ts / 86_400_000);
    const nextDay = candles.findIndex((c) => day(c.ts) !== day(candles[0]!.ts));
    assert.ok(nextDay > 1, 'the series spans two UTC days');
    const ind = createIndicator({ type: 'pivots' });
    for (let i = 0; i < nextDay; i++) {
      assert.equal(ind.update(candles[i]!), null, `candle ${i + 1}, still the first day`);
      assert.equal(ind.remaining, 1, `remaining on the first day (candle ${i + 1})`);
    }
    const first = candles.slice(0, nextDay);
    const h = Math.max(...first.map((c) => c.high));
    const l = Math.min(...first.map((c) => c.low));
    const c = first[first.length - 1]!.close;
    const v = ind.update(candles[nextDay]!) as Record<string, number>;
    assert.equal(ind.remaining, 0);
    assert.equal(v.pp, (h + l + c) / 3, 'pp of the first day');
    assert.equal(v.r1, (2 * (h + l + c)) / 3 - l, 'r1 = 2pp - low');
  });

  it('the real candles exercise every pattern and both directions (the comparisons above are not all zeros)', function () {
    skipWithoutOhlcv(this);
    const seen: Record<string, number> = {};
    const flips = { supertrend: 0, psar: 0 };
    for (const s of series()) {
      const patterns = createIndicator({ type: 'patterns' });
      const trend = { supertrend: createIndicator({ type: 'supertrend' }), psar: createIndicator({ type: 'psar' }) };
      const last = { supertrend: 0, psar: 0 };
      for (const c of s.candles) {
        const v = patterns.update(c) as Record<string, number> | null;
        if (v) for (const [k, x] of Object.entries(v)) seen[k] = (seen[k] ?? 0) + x;
        for (const t of ['supertrend', 'psar'] as const) {
          const d = (trend[t].update(c) as Record<string, number> | null)?.direction;
          if (d === undefined) continue;
          if (last[t] !== 0 && d !== last[t]) flips[t]++;
          last[t] = d;
        }
      }
    }
    for (const p of tb.FIELDS.patterns!) assert.ok((seen[p] ?? 0) > 0, `${p} never seen on the real candles`);
    assert.ok(flips.supertrend > 100 && flips.psar > 100, `direction changes: ${JSON.stringify(flips)}`);
  });

  it('fills in the documented defaults', function () {
    for (const type of tb.INDICATOR_TYPES) {
      const ind = createIndicator({ type });
      assert.deepEqual({ ...ind.spec }, { type, ...tb.DEFAULTS[type] }, `${type} defaults`);
    }
  });
});

describe('indicators: parseIndicatorSpec', function () {
  const rejects = (input: unknown, field: RegExp, why: string) =>
    assert.throws(
      () => parseIndicatorSpec(input),
      (e: unknown) => e instanceof Error && field.test(e.message),
      `${why}: expected an Error naming ${String(field)}`,
    );

  it('rejects bad periods naming the field', function () {
    rejects({ type: 'sma', period: 0 }, /\bperiod\b/, 'period 0');
    rejects({ type: 'sma', period: -3 }, /\bperiod\b/, 'period -3');
    rejects({ type: 'sma', period: 'abc' }, /\bperiod\b/, "period 'abc'");
    rejects({ type: 'sma', period: NaN }, /\bperiod\b/, 'period NaN');
    rejects({ type: 'sma', period: 2.5 }, /\bperiod\b/, 'period 2.5 (periods are whole numbers)');
    rejects({ type: 'ema', period: Infinity }, /\bperiod\b/, 'period Infinity');
    rejects({ type: 'stochrsi', rsiPeriod: 0 }, /\brsiPeriod\b/, 'rsiPeriod 0');
    rejects({ type: 'stochastic', kSmoothing: 'x' }, /\bkSmoothing\b/, "kSmoothing 'x'");
    rejects({ type: 'macd', signal: 0 }, /\bsignal\b/, 'macd signal 0');
  });

  it('rejects fast >= slow for macd', function () {
    rejects({ type: 'macd', fast: 26, slow: 12 }, /\b(fast|slow)\b/, 'fast 26 slow 12');
    rejects({ type: 'macd', fast: 12, slow: 12 }, /\b(fast|slow)\b/, 'fast = slow');
    rejects({ type: 'macd', fast: 30 }, /\b(fast|slow)\b/, 'fast 30 with the default slow 26');
  });

  it('rejects unknown types, sources and anchors', function () {
    rejects({ type: 'foo' }, /\btype\b/, 'unknown type');
    rejects({}, /\btype\b/, 'missing type');
    rejects(null, /\btype\b/, 'null spec');
    rejects({ type: 'sma', src: 'vwap' }, /\bsrc\b/, 'unknown src');
    rejects({ type: 'rsi', src: 'hl3' }, /\bsrc\b/, 'unknown src');
    rejects({ type: 'vwap', anchor: 'week' }, /\banchor\b/, 'unknown anchor');
    assert.throws(() => createIndicator({ type: 'sma', period: 0 }), /\bperiod\b/, 'createIndicator validates too');
  });

  it('rejects bad parameters of the newer indicators naming the field', function () {
    rejects({ type: 'keltner', multiplier: 0 }, /\bmultiplier\b/, 'keltner multiplier 0');
    rejects({ type: 'keltner', multiplier: 'x' }, /\bmultiplier\b/, "keltner multiplier 'x'");
    rejects({ type: 'keltner', atrPeriod: 0 }, /\batrPeriod\b/, 'keltner atrPeriod 0');
    rejects({ type: 'supertrend', multiplier: 11 }, /\bmultiplier\b/, 'supertrend multiplier 11');
    rejects({ type: 'supertrend', period: 1.5 }, /\bperiod\b/, 'supertrend period 1.5');
    rejects({ type: 'psar', step: 0 }, /\bstep\b/, 'psar step 0');
    rejects({ type: 'psar', maxStep: 2 }, /\bmaxStep\b/, 'psar maxStep 2');
    rejects({ type: 'psar', step: 0.3, maxStep: 0.2 }, /\bstep\b.*maxStep/, 'psar step above maxStep');
    rejects({ type: 'ichimoku', displacement: 0 }, /\bdisplacement\b/, 'ichimoku displacement 0');
    rejects({ type: 'ichimoku', spanBPeriod: 'abc' }, /\bspanBPeriod\b/, "ichimoku spanBPeriod 'abc'");
    rejects({ type: 'donchian', period: -1 }, /\bperiod\b/, 'donchian period -1');
    rejects({ type: 'pivots', method: 'demark' }, /\bmethod\b/, 'pivots method demark');
    rejects({ type: 'pivots', session: 'month' }, /\bsession\b/, 'pivots session month');
    rejects({ type: 'patterns', period: 3 }, /\bperiod\b/, 'patterns take no period');
    rejects({ type: 'heikinashi', src: 'close' }, /\bsrc\b/, 'heikinashi takes no src');
  });

  it('accepts valid specs and fills defaults', function () {
    assert.deepEqual({ ...parseIndicatorSpec({ type: 'macd', fast: 5, slow: 35, signal: 5 }) }, { type: 'macd', fast: 5, slow: 35, signal: 5, src: 'close' });
    assert.deepEqual({ ...parseIndicatorSpec({ type: 'sma', period: 7, src: 'hl2' }) }, { type: 'sma', period: 7, src: 'hl2' });
    assert.deepEqual({ ...parseIndicatorSpec({ type: 'vwap', anchor: 'none' }) }, { type: 'vwap', anchor: 'none' });
    assert.deepEqual({ ...parseIndicatorSpec({ type: 'obv' }) }, { type: 'obv' });
  });
});
