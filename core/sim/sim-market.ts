/**
 * The built-in simulated market (`sim` mode): several symbols, no network, seeded and
 * deterministic. The same seed, symbol list, startTime and tickMs give bit-identical tickers,
 * books and candles; every symbol has its own random stream (derived from the seed and the
 * symbol name), so adding a symbol does not change the others.
 *
 * The class has no timers and never reads the wall clock: whoever drives it calls step()
 * (one tick of virtual time) as often as the wanted speed requires.
 *
 * Design
 * ------
 * Candle storage: per symbol, one ring of OHLCV buckets per base level
 *   1s x 3600, 1m x 4320, 5m x 2304, 15m x 2112, 1h x 6120, 4h x 3120, 1d x 1100
 * (one preallocated Float64Array per level; about 0.9 MB per symbol, constant for ever).
 * Every trade of step() updates the current bucket of every level, so every level always holds
 * exact aggregates of the trade prices, including trades from before any candle was asked for.
 * A timeframe is served from the coarsest level that divides it (4h from 4h, 6h from 1h, 30m
 * from 15m, 1w from 1d...), aggregated on demand. That bounds how far back each timeframe
 * reaches: at least 1000 candles for 1s(3600) 1m 3m 5m 10m 15m 30m 1h 2h 4h 6h 8h 12h 1d; fewer
 * for 5s(720) 15s(240) 3d(366) 1w(157) 1M(36). Buckets with no trade (tickMs longer than the
 * bucket) are flat candles at the previous close with zero volume, as exchanges report them.
 *
 * History before startTime: generated at construction by running the same process forward from
 * startTime minus ~3 years, in eras of decreasing step length (2h steps while only the 1d ring
 * still needs data, then 1h, 15min, 5min, 1min, 20s, and finally real ticks of tickMs for the
 * last hour): about 65k steps, ~15 ms per symbol. Eras with steps coarser than a tick draw each
 * step's high and low from the Brownian bridge between its end points, so history candles get
 * realistic wicks. The whole generated path is then shifted in log space so that its last trade,
 * at startTime, is exactly the configured start price, and the live process simply continues
 * from that state (same regime, volatility, momentum): history and live data join without a
 * seam. History uses its own random stream, live steps another.
 *
 * Buckets store log prices; prices are exponentiated and rounded to tickSize (amounts to
 * amountStep) on output only. Both are monotone, so aggregating and then rounding equals
 * aggregating the rounded trade prices: candles are exact aggregates of the traded prices.
 */
import { SymbolSchema, type OhlcvRow, type OrderBook, type Ticker } from '../contract';
import { candleOpenTime, timeframeToMs } from '../timeframe';
import { PriceModel, PriceProcess, type RegimeName, type StepConsts } from './price-process';
import { Rng, deriveSeed, hashString, mixSeeds, normalizeSeed } from './random';

export interface SimSymbolSpec {
  /** Unified symbol, for example 'BTC/USDT'. */
  symbol: string;
  /** Price at startTime. */
  price: number;
  /** Daily volatility as a fraction (0.03 = 3 %/day); default 0.03. */
  volatility?: number;
  /** Price increment; default about 5 significant digits of the start price. */
  tickSize?: number;
  /** Amount increment; default 10^-(digits of the price) (BTC at 60000: 0.00001). */
  amountStep?: number;
  /** Typical bid/ask spread in basis points (widens in bursts); default 2. */
  spreadBps?: number;
  /** Mean traded base volume per day; default amountStep * 1e8. */
  dailyVolume?: number;
  /** Smallest order value in quote currency; default 10 * amountStep * price. */
  minNotional?: number;
}

export const DEFAULT_SIM_SYMBOLS: SimSymbolSpec[] = [
  { symbol: 'BTC/USDT', price: 60_000, volatility: 0.03, tickSize: 0.01, amountStep: 0.00001, spreadBps: 1, dailyVolume: 20_000, minNotional: 5 },
  { symbol: 'ETH/USDT', price: 3_000, volatility: 0.04, tickSize: 0.01, amountStep: 0.0001, spreadBps: 1.5, dailyVolume: 300_000, minNotional: 5 },
  { symbol: 'SOL/USDT', price: 150, volatility: 0.055, tickSize: 0.01, amountStep: 0.001, spreadBps: 3, dailyVolume: 2_000_000, minNotional: 5 },
  { symbol: 'ETH/BTC', price: 0.05, volatility: 0.025, tickSize: 0.000001, amountStep: 0.0001, spreadBps: 4, dailyVolume: 40_000, minNotional: 0.0001 },
];
for (const spec of DEFAULT_SIM_SYMBOLS) Object.freeze(spec);
Object.freeze(DEFAULT_SIM_SYMBOLS);

export interface SimMarketOptions {
  seed: number;
  symbols?: SimSymbolSpec[];
  /** Virtual clock start, ms since the epoch. */
  startTime: number;
  /** Virtual ms per step; default 1000. */
  tickMs?: number;
  /** Default 'sim'. */
  exchangeId?: string;
}

export interface SimMarketInfo {
  symbol: string;
  base: string;
  quote: string;
  tickSize: number;
  amountStep: number;
  minAmount: number;
  minNotional: number;
}

export interface SimMarketStats {
  /** Live steps taken since construction. */
  steps: number;
  now: number;
  symbols: number;
  /** Candle buckets currently holding data, all symbols and levels. */
  storedBuckets: number;
  /** The fixed upper bound of storedBuckets (preallocated). */
  capacityBuckets: number;
  levels: Array<{ timeframe: string; bucketMs: number; capacity: number; storedMax: number }>;
}

/** Book depth is capped here; asking for more returns this many levels per side. */
export const MAX_BOOK_DEPTH = 1000;

const LEVELS: ReadonlyArray<{ timeframe: string; ms: number; cap: number }> = [
  { timeframe: '1s', ms: 1_000, cap: 3_600 },
  { timeframe: '1m', ms: 60_000, cap: 4_320 },
  { timeframe: '5m', ms: 300_000, cap: 2_304 },
  { timeframe: '15m', ms: 900_000, cap: 2_112 },
  { timeframe: '1h', ms: 3_600_000, cap: 6_120 },
  { timeframe: '4h', ms: 14_400_000, cap: 3_120 },
  { timeframe: '1d', ms: 86_400_000, cap: 1_100 },
];
/** Step length of history era k (era k is the oldest era that feeds level k); era 0 uses tickMs. */
const ERA_DT_MS = [0, 20_000, 60_000, 300_000, 900_000, 3_600_000, 7_200_000];
/** The 24h rolling volume is summed over this many 1m buckets (the current one included). */
const ROLLING_MINUTES = 1440;
const LEVEL_1M = 1;

/** Rounds to a grid (tick size, amount step) without binary-fraction noise where possible. */
class Quantizer {
  private readonly inv: number;
  private readonly useInv: boolean;

  constructor(readonly step: number) {
    const inv = 1 / step;
    const r = Math.round(inv);
    this.useInv = step < 1 && Math.abs(inv - r) < 1e-9 * inv;
    this.inv = this.useInv ? r : inv;
  }

  round(x: number): number {
    return this.useInv ? Math.round(x * this.inv) / this.inv : Math.round(x / this.step) * this.step;
  }

  floor(x: number): number {
    return this.useInv ? Math.floor(x * this.inv + 1e-9) / this.inv : Math.floor(x / this.step + 1e-9) * this.step;
  }

  ceil(x: number): number {
    return this.useInv ? Math.ceil(x * this.inv - 1e-9) / this.inv : Math.ceil(x / this.step - 1e-9) * this.step;
  }

  /** Rounded, and never below one step (prices must stay > 0). */
  positive(x: number): number {
    const r = this.round(x);
    return r >= this.step ? r : this.step;
  }
}

/**
 * A ring of OHLCV buckets of one size; bucket b covers [b * ms, (b + 1) * ms). Prices are stored
 * as natural logs (exp is monotone, so max/min/first/last commute with it): no exp per step.
 * One interleaved Float64Array [open, high, low, close, volume] per bucket (cache friendly).
 */
class Level {
  /** Slot s of bucket k is at ((k % cap) * 5 + s): 0 open, 1 high, 2 low, 3 close, 4 volume. */
  readonly d: Float64Array;
  /** Absolute index of the newest bucket (floor(ts / ms)). */
  cur = -1;
  /** Offset in d of the newest bucket. */
  at = 0;
  /** Valid contiguous buckets ending at cur. */
  count = 0;
  /** Start time of the bucket after cur: a trade at or after it opens a new bucket. */
  private next = Number.NEGATIVE_INFINITY;
  private volCacheBucket = -1;
  private volCache = 0;

  constructor(
    readonly ms: number,
    readonly cap: number,
  ) {
    this.d = new Float64Array(cap * 5);
  }

  /** Adds a trade (or a bridged path segment starting at `open`) at time ts (non-decreasing). */
  add(ts: number, open: number, hi: number, lo: number, close: number, vol: number): void {
    if (ts >= this.next) this.roll(ts, open);
    const d = this.d;
    const a = this.at;
    if (hi > d[a + 1]!) d[a + 1] = hi;
    if (lo < d[a + 2]!) d[a + 2] = lo;
    d[a + 3] = close;
    d[a + 4] += vol;
  }

  private roll(ts: number, open: number): void {
    const ms = this.ms;
    const cap = this.cap;
    const d = this.d;
    const b = Math.floor(ts / ms);
    if (this.count === 0) {
      this.count = 1;
    } else {
      // Buckets without trades: flat at the previous close, zero volume (at most cap - 1 of them).
      const prev = d[this.at + 3]!;
      const from = Math.max(this.cur + 1, b - cap + 1);
      for (let k = from; k < b; k++) {
        const a = (k % cap) * 5;
        d[a] = prev;
        d[a + 1] = prev;
        d[a + 2] = prev;
        d[a + 3] = prev;
        d[a + 4] = 0;
      }
      this.count = Math.min(cap, this.count + (b - this.cur));
    }
    const a = (b % cap) * 5;
    d[a] = open;
    d[a + 1] = open;
    d[a + 2] = open;
    d[a + 3] = open;
    d[a + 4] = 0;
    this.cur = b;
    this.at = a;
    this.next = (b + 1) * ms;
  }

  oldest(): number {
    return this.cur - this.count + 1;
  }

  /** OHLCV of buckets from..to (inclusive, all valid) into out[0..4]. */
  aggregate(from: number, to: number, out: Float64Array): void {
    const cap = this.cap;
    const d = this.d;
    let a = (from % cap) * 5;
    out[0] = d[a]!;
    let hi = d[a + 1]!;
    let lo = d[a + 2]!;
    let vol = d[a + 4]!;
    for (let k = from + 1; k <= to; k++) {
      a = (k % cap) * 5;
      if (d[a + 1]! > hi) hi = d[a + 1]!;
      if (d[a + 2]! < lo) lo = d[a + 2]!;
      vol += d[a + 4]!;
    }
    out[1] = hi;
    out[2] = lo;
    out[3] = d[(to % cap) * 5 + 3]!;
    out[4] = vol;
  }

  /** Volume of the last n buckets, the current (partial) one included. */
  rollingVolume(n: number): number {
    if (this.count === 0) return 0;
    if (this.volCacheBucket !== this.cur) {
      let sum = 0;
      const from = Math.max(this.oldest(), this.cur - n + 1);
      for (let k = from; k < this.cur; k++) sum += this.d[(k % this.cap) * 5 + 4]!;
      this.volCache = sum;
      this.volCacheBucket = this.cur;
    }
    return this.volCache + this.d[this.at + 4]!;
  }

  /** Adds delta to every stored log price (used once, to pin the generated history). */
  shiftPrices(delta: number): void {
    const d = this.d;
    for (let a = 0; a < d.length; a += 5) {
      d[a] += delta;
      d[a + 1] += delta;
      d[a + 2] += delta;
      d[a + 3] += delta;
    }
  }

  /** Sets the newest close (keeping high >= close >= low). */
  setClose(x: number): void {
    const d = this.d;
    const a = this.at;
    d[a + 3] = x;
    if (d[a + 1]! < x) d[a + 1] = x;
    if (d[a + 2]! > x) d[a + 2] = x;
  }
}

interface SymbolState {
  readonly info: SimMarketInfo;
  readonly seed: number;
  readonly spreadBps: number;
  readonly dailyVolume: number;
  readonly price: Quantizer;
  readonly amount: Quantizer;
  readonly process: PriceProcess;
  readonly live: StepConsts;
  readonly levels: Level[];
}

function positiveOption(value: number | undefined, fallback: number, what: string, symbol: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`sim symbol ${symbol}: ${what} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function alignDown(ts: number, ms: number): number {
  return Math.floor(ts / ms) * ms;
}

export class SimMarket {
  readonly exchangeId: string;
  private readonly startTime: number;
  private readonly tickMs: number;
  private readonly states: SymbolState[] = [];
  private readonly bySymbol = new Map<string, SymbolState>();
  private nowMs: number;
  private stepCount = 0;
  private readonly agg = new Float64Array(5);

  constructor(opts: SimMarketOptions) {
    const seed = normalizeSeed(opts.seed);
    if (!Number.isSafeInteger(opts.startTime) || opts.startTime < 0) {
      throw new Error(`sim startTime must be a non-negative integer (ms since the epoch), got ${String(opts.startTime)}`);
    }
    const tickMs = opts.tickMs ?? 1_000;
    if (!Number.isSafeInteger(tickMs) || tickMs < 1) {
      throw new Error(`sim tickMs must be a positive integer number of ms, got ${String(opts.tickMs)}`);
    }
    const exchangeId = opts.exchangeId ?? 'sim';
    if (typeof exchangeId !== 'string' || exchangeId.length === 0) throw new Error('sim exchangeId must be a non-empty string');
    const specs = opts.symbols ?? DEFAULT_SIM_SYMBOLS;
    if (!Array.isArray(specs) || specs.length === 0) throw new Error('sim market needs at least one symbol');

    this.exchangeId = exchangeId;
    this.startTime = opts.startTime;
    this.tickMs = tickMs;
    this.nowMs = opts.startTime;

    for (const spec of specs) {
      const state = this.createState(seed, spec);
      if (this.bySymbol.has(state.info.symbol)) throw new Error(`sim symbol ${state.info.symbol} is listed twice`);
      this.states.push(state);
      this.bySymbol.set(state.info.symbol, state);
    }
  }

  symbols(): string[] {
    return this.states.map((s) => s.info.symbol);
  }

  market(symbol: string): SimMarketInfo {
    return { ...this.state(symbol).info };
  }

  /** Virtual time, ms. */
  now(): number {
    return this.nowMs;
  }

  /** Advances virtual time by tickMs; every symbol trades once at the new time. */
  step(): void {
    const t = this.nowMs + this.tickMs;
    this.nowMs = t;
    this.stepCount++;
    const states = this.states;
    for (let s = 0; s < states.length; s++) {
      const st = states[s]!;
      const pr = st.process;
      pr.step(st.live, t, false);
      const x = pr.x;
      const vol = pr.volume;
      const levels = st.levels;
      for (let j = 0; j < levels.length; j++) levels[j]!.add(t, x, x, x, x, vol);
    }
  }

  /** Steps until now() >= ts. */
  advanceTo(ts: number): void {
    if (typeof ts !== 'number' || Number.isNaN(ts)) throw new Error(`advanceTo needs a time in ms, got ${String(ts)}`);
    if (ts === Number.POSITIVE_INFINITY) throw new Error('advanceTo(Infinity) would never return');
    while (this.nowMs < ts) this.step();
  }

  ticker(symbol: string): Ticker {
    const s = this.state(symbol);
    const last = s.price.positive(Math.exp(s.process.x));
    const [bid, ask] = this.quote(s, last);
    return {
      kind: 'ticker',
      exchange: this.exchangeId,
      symbol: s.info.symbol,
      ts: this.nowMs,
      bid: bid > 0 ? bid : null,
      ask,
      last,
      baseVolume: s.amount.round(s.levels[LEVEL_1M]!.rollingVolume(ROLLING_MINUTES)),
    };
  }

  /**
   * `depth` levels per side (capped at MAX_BOOK_DEPTH) around the ticker's bid/ask. Level gaps are
   * half the nominal spread (sometimes a gap is skipped), sizes grow away from the touch with seeded
   * noise and the occasional wall, and lean toward the side of the recent move (momentum), so the
   * imbalance carries a little information. Same state (symbol, now) => same book.
   */
  orderBook(symbol: string, depth: number): OrderBook {
    const s = this.state(symbol);
    if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1) {
      throw new Error(`order book depth must be a positive integer, got ${String(depth)}`);
    }
    const n = Math.min(depth, MAX_BOOK_DEPTH);
    const q = s.price;
    const last = q.positive(Math.exp(s.process.x));
    const [bestBid, bestAsk] = this.quote(s, last);
    const rng = new Rng(mixSeeds(s.seed ^ 0x5b00c0de, mixSeeds(this.nowMs >>> 0, Math.floor(this.nowMs / 4_294_967_296))));
    const gap = Math.max(q.step, q.round(last * s.spreadBps * 0.5e-4));
    const baseSize = (s.dailyVolume / 86_400) * 4;
    const tilt = 0.35 * Math.tanh(s.process.momentum() / 2);
    const size = (i: number, lean: number): number => {
      const wall = rng.next() < 0.04 ? 4 : 1;
      const raw = baseSize * (1 + 0.3 * i) * (0.35 + 1.3 * rng.next()) * wall * lean;
      const a = s.amount.round(raw);
      return a >= s.amount.step ? a : s.amount.step;
    };
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    let bidVol = 0;
    let askVol = 0;
    let p = bestBid;
    for (let i = 0; i < n && p > 0; i++) {
      const a = size(i, 1 + tilt);
      bids.push([p, a]);
      bidVol += a;
      p = q.round(p - gap * (rng.next() < 0.3 ? 2 : 1));
    }
    p = bestAsk;
    for (let i = 0; i < n; i++) {
      const a = size(i, 1 - tilt);
      asks.push([p, a]);
      askVol += a;
      p = q.round(p + gap * (rng.next() < 0.3 ? 2 : 1));
    }
    const hasBoth = bids.length > 0 && asks.length > 0;
    const total = bidVol + askVol;
    return {
      kind: 'orderbook',
      exchange: this.exchangeId,
      symbol: s.info.symbol,
      ts: this.nowMs,
      bids,
      asks,
      mid: hasBoth ? (bestBid + bestAsk) / 2 : null,
      spread: hasBoth ? q.round(bestAsk - bestBid) : null,
      imbalance: total > 0 ? Math.max(-1, Math.min(1, (bidVol - askVol) / total)) : null,
    };
  }

  /**
   * Closed candles of `timeframe` whose open time is < candleOpenTime(now); the most recent
   * `limit`, ascending. History from before startTime is included (see the design note above);
   * how far back depends on the timeframe's storage level.
   */
  history(symbol: string, timeframe: string, limit: number): OhlcvRow[] {
    const s = this.state(symbol);
    const tfMs = timeframeToMs(timeframe);
    if (typeof limit !== 'number' || Number.isNaN(limit)) throw new Error(`history limit must be a number, got ${String(limit)}`);
    const want = Math.floor(limit);
    if (want <= 0) return [];
    const level = s.levels[levelFor(tfMs)]!;
    if (level.count === 0) return [];
    const k = tfMs / level.ms;
    const end = candleOpenTime(this.nowMs, tfMs) / level.ms; // first bucket of the forming candle
    const firstStart = Math.ceil(level.oldest() / k) * k;
    const available = Math.max(0, Math.floor((end - firstStart) / k));
    const take = Math.min(want, available);
    const rows: OhlcvRow[] = new Array(take);
    for (let j = 0; j < take; j++) {
      const from = end - (take - j) * k;
      rows[j] = this.row(s, level, from, from + k - 1);
    }
    return rows;
  }

  /** The candle currently forming (open time = candleOpenTime(now)), or null if it has no data. */
  formingCandle(symbol: string, timeframe: string): OhlcvRow | null {
    const s = this.state(symbol);
    const tfMs = timeframeToMs(timeframe);
    const level = s.levels[levelFor(tfMs)]!;
    if (level.count === 0) return null;
    const start = candleOpenTime(this.nowMs, tfMs) / level.ms;
    const from = Math.max(start, level.oldest());
    if (from > level.cur) return null;
    const row = this.row(s, level, from, level.cur);
    row[0] = start * level.ms;
    return row;
  }

  /** The regime the symbol's price process is in now (for status displays and tests). */
  regime(symbol: string): RegimeName {
    return this.state(symbol).process.regimeName();
  }

  /** Storage counters: everything stored is preallocated, so these stay bounded for ever. */
  stats(): SimMarketStats {
    let stored = 0;
    let capacity = 0;
    const levels = LEVELS.map((def, j) => {
      let storedMax = 0;
      for (const s of this.states) {
        const lv = s.levels[j]!;
        stored += lv.count;
        capacity += lv.cap;
        if (lv.count > storedMax) storedMax = lv.count;
      }
      return { timeframe: def.timeframe, bucketMs: def.ms, capacity: def.cap, storedMax };
    });
    return { steps: this.stepCount, now: this.nowMs, symbols: this.states.length, storedBuckets: stored, capacityBuckets: capacity, levels };
  }

  // ---------------------------------------------------------------------------------------------

  private state(symbol: string): SymbolState {
    const s = this.bySymbol.get(symbol);
    if (s) return s;
    throw new Error(`unknown symbol "${String(symbol)}" on the simulated market ${this.exchangeId}: known symbols are ${this.symbols().join(', ')}`);
  }

  private row(s: SymbolState, level: Level, from: number, to: number): OhlcvRow {
    const a = this.agg;
    level.aggregate(from, to, a);
    const q = s.price;
    return [
      from * level.ms,
      q.positive(Math.exp(a[0]!)),
      q.positive(Math.exp(a[1]!)),
      q.positive(Math.exp(a[2]!)),
      q.positive(Math.exp(a[3]!)),
      s.amount.round(a[4]!),
    ];
  }

  /** [bid, ask] around the rounded last price; bid may be <= 0 for a price of one or two ticks. */
  private quote(s: SymbolState, last: number): [number, number] {
    const q = s.price;
    const half = s.spreadBps * 0.5e-4 * s.process.spreadFactor();
    let bid = q.floor(last * (1 - half));
    let ask = q.ceil(last * (1 + half));
    if (bid >= last) bid = q.round(last - q.step);
    if (ask <= last) ask = q.round(last + q.step);
    return [bid, ask];
  }

  private createState(seed: number, spec: SimSymbolSpec): SymbolState {
    if (!spec || typeof spec !== 'object') throw new Error('sim symbol spec must be an object');
    const parsed = SymbolSchema.safeParse(spec.symbol);
    if (!parsed.success) throw new Error(`sim symbol "${String(spec.symbol)}" must look like BASE/QUOTE, for example BTC/USDT`);
    const symbol = parsed.data;
    const price = positiveOption(spec.price, NaN, 'price', symbol);
    if (Number.isNaN(price)) throw new Error(`sim symbol ${symbol}: price is required`);
    const digits = Math.floor(Math.log10(price));
    const volatility = positiveOption(spec.volatility, 0.03, 'volatility', symbol);
    if (volatility > 1) throw new Error(`sim symbol ${symbol}: volatility is a daily fraction (0.03 = 3 %), got ${volatility}`);
    const tickSize = positiveOption(spec.tickSize, 10 ** (digits - 5), 'tickSize', symbol);
    if (tickSize * 10 > price) throw new Error(`sim symbol ${symbol}: tickSize ${tickSize} is too coarse for price ${price}`);
    const amountStep = positiveOption(spec.amountStep, 10 ** Math.min(0, -digits - 1), 'amountStep', symbol);
    const spreadBps = positiveOption(spec.spreadBps, 2, 'spreadBps', symbol);
    const dailyVolume = positiveOption(spec.dailyVolume, amountStep * 1e8, 'dailyVolume', symbol);
    const minNotional = positiveOption(spec.minNotional, 10 * amountStep * price, 'minNotional', symbol);
    const [base = '', rest = ''] = symbol.split('/');
    const quote = rest.split(':')[0] ?? rest;

    const symbolSeed = deriveSeed(seed, symbol);
    const model = new PriceModel(volatility, dailyVolume);
    const process = new PriceProcess(model, price, Rng.derive(symbolSeed, 'history'));
    const state: SymbolState = {
      info: { symbol, base, quote, tickSize, amountStep, minAmount: amountStep, minNotional },
      seed: symbolSeed ^ hashString('book'),
      spreadBps,
      dailyVolume,
      price: new Quantizer(tickSize),
      amount: new Quantizer(amountStep),
      process,
      live: model.stepConsts(this.tickMs),
      levels: LEVELS.map((def) => new Level(def.ms, def.cap)),
    };
    this.generateHistory(state, price);
    process.rng = Rng.derive(symbolSeed, 'live');
    return state;
  }

  /** Fills the rings with the path up to startTime and pins its last trade to `price` (see the header). */
  private generateHistory(s: SymbolState, price: number): void {
    const start = this.startTime;
    const pr = s.process;
    const levels = s.levels;
    // eraStart[k]: start of era k. Era k (k >= 1) runs steps of ERA_DT_MS[k] over
    // [eraStart[k], eraStart[k-1]) and feeds levels k..6; era 0 runs ticks up to startTime and
    // feeds every level. eraStart[k] is at or before the oldest bucket level k's ring will hold,
    // so each ring only ever holds data at least as fine as its bucket; each boundary is aligned
    // to the coarser era's step.
    const eraStart: number[] = [];
    for (let k = 0; k < LEVELS.length; k++) {
      const { ms, cap } = LEVELS[k]!;
      let t = (Math.floor(start / ms) - (cap - 1)) * ms;
      if (k > 0) t = Math.min(t, eraStart[k - 1]!);
      t = alignDown(t, ERA_DT_MS[Math.min(k + 1, LEVELS.length - 1)]!);
      eraStart.push(Math.max(0, t));
    }
    for (let k = LEVELS.length - 1; k >= 1; k--) {
      const dt = ERA_DT_MS[k]!;
      const c = pr.model.stepConsts(dt);
      const end = eraStart[k - 1]!;
      for (let t = eraStart[k]!; t < end; t += dt) {
        pr.step(c, t, true);
        for (let j = k; j < levels.length; j++) levels[j]!.add(t, pr.x0, pr.hiX, pr.loX, pr.x, pr.volume);
      }
    }
    const tick = this.tickMs;
    const n = Math.max(0, Math.ceil((start - eraStart[0]!) / tick) - 1);
    for (let i = n; i >= 0; i--) {
      const t = start - i * tick;
      pr.step(s.live, t, false);
      const x = pr.x;
      for (let j = 0; j < levels.length; j++) levels[j]!.add(t, x, x, x, x, pr.volume);
    }
    // Pin the path: its last trade (at startTime) becomes exactly the configured price.
    const target = Math.log(price);
    const delta = target - pr.x;
    for (const lv of levels) lv.shiftPrices(delta);
    pr.shift(delta);
    pr.x = target;
    for (const lv of levels) lv.setClose(target);
  }
}

/** Index of the coarsest storage level whose bucket divides the timeframe. */
function levelFor(tfMs: number): number {
  for (let j = LEVELS.length - 1; j > 0; j--) if (tfMs % LEVELS[j]!.ms === 0) return j;
  return 0;
}
