/**
 * Recorded candles as a market source for `backtest` mode. The backtest releases one candle at a
 * time (`release`): only released candles exist for the flow's candles nodes (fetchOHLCV), and
 * each release wakes their watchers, so the candles nodes emit it through their normal path
 * (each closed candle once, in order). The clock is the close time of the last released candle.
 * Nothing here looks ahead: an unreleased candle is invisible.
 *
 * Candles nodes of a longer timeframe than the data's (a 1h filter on 5m data) get candles made
 * from the data (resample.ts); such a candle exists once the last base candle inside it is
 * released, so it is emitted right after that one and before the base candle that opens at its
 * close (docs/backtest.md, "Several timeframes").
 *
 * Released rows are not copied: per symbol only a count of the series' first rows is kept, so a
 * long run holds nothing per candle beyond the series itself.
 */
import type { OhlcvRow, OrderBook, Ticker } from '../contract';
import { SourceClosedError, summarizeBook, type MarketInfo, type MarketSource, type SourceCapabilities } from '../market/market-source';
import { splitSymbol } from '../market/symbol';
import { timeframeToMs } from '../timeframe';
import { resample, resampleError } from './resample';

export class ReplaySource implements MarketSource {
  readonly capabilities: SourceCapabilities = { watchTicker: true, watchOrderBook: true, watchOHLCV: true };
  /** Per symbol: how many of its series' rows are released (the first n). */
  private readonly released = new Map<string, number>();
  private readonly tfMs: number;
  private clock = 0;
  /** What every watcher waits on until the next release: one promise shared by all of them. */
  private wake: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  private closed = false;
  /** Per symbol and longer timeframe: its candles made from the whole series (made at the first ask). */
  private readonly longer = new Map<string, { rows: OhlcvRow[]; tfMs: number }>();

  constructor(
    readonly exchangeId: string,
    readonly timeframe: string,
    readonly series: Record<string, OhlcvRow[]>,
    /** Candles per symbol released at once: the warm-up the candles nodes fetch at deploy. */
    readonly warmup: number,
    private readonly precision: { amountStep?: number; tickSize?: number } = {},
  ) {
    this.tfMs = timeframeToMs(timeframe);
    for (const [symbol, rows] of Object.entries(series)) {
      const n = Math.min(warmup, rows.length);
      this.released.set(symbol, n);
      if (n) this.clock = Math.max(this.clock, rows[n - 1]![0] + this.tfMs);
    }
  }

  /** The symbol's next row becomes history: the flow's candles nodes see it and emit it. Returns it. */
  releaseNext(symbol: string): OhlcvRow {
    const n = this.released.get(symbol);
    const row = n === undefined ? undefined : this.series[symbol]![n];
    if (!row) throw new Error(`backtest: no more ${symbol} candles to release`);
    this.released.set(symbol, n! + 1);
    this.clock = Math.max(this.clock, row[0] + this.tfMs);
    const wake = this.wake;
    this.wake = undefined;
    wake?.resolve();
    return row;
  }

  /** Whether a watcher waits for the next release (the candles nodes have started watching). */
  get watching(): boolean {
    return this.wake !== undefined;
  }

  /** Sets the clock inside a candle (its open, for fills), without releasing anything. */
  setClock(ts: number): void {
    this.clock = ts;
  }

  now(): number {
    return this.clock;
  }

  minPollIntervalMs(): number {
    return 0;
  }

  private markets: Map<string, MarketInfo> | undefined;

  /** The markets of the data's symbols (made once: the place-order node asks on every order). */
  async loadMarkets(): Promise<Map<string, MarketInfo>> {
    return (this.markets ??= new Map(
      Object.keys(this.series).map((symbol) => {
        const { base, quote } = splitSymbol(symbol);
        return [symbol, { symbol, base, quote, amountStep: this.precision.amountStep ?? 1e-8, tickSize: this.precision.tickSize, active: true }];
      }),
    ));
  }

  async fetchOHLCV(symbol: string, timeframe: string, since?: number, limit = 500): Promise<OhlcvRow[]> {
    let rows: OhlcvRow[];
    let n: number;
    if (timeframe === this.timeframe) {
      n = this.releasedCount(symbol);
      rows = this.series[symbol]!;
    } else {
      ({ rows, n } = this.longerReleased(symbol, timeframe));
    }
    if (since === undefined) return rows.slice(Math.max(0, n - limit), n);
    // Released rows are in time order: a binary search keeps each call O(log n + limit); filtering
    // them all made a long backtest quadratic (the candles node asks once per candle).
    const start = firstAtOrAfter(rows, n, since);
    return rows.slice(start, Math.min(n, start + limit));
  }

  async watchOHLCV(symbol: string, timeframe: string): Promise<OhlcvRow[]> {
    await this.next();
    // A "forming" candle one timeframe after the last released one tells the candle feed to catch up.
    if (timeframe !== this.timeframe) {
      const { rows, n, tfMs } = this.longerReleased(symbol, timeframe);
      const last = n ? rows[n - 1]! : undefined;
      return last ? [[last[0] + tfMs, last[4], last[4], last[4], last[4], 0]] : [];
    }
    const last = this.lastReleased(symbol);
    return last ? [[last[0] + this.tfMs, last[4], last[4], last[4], last[4], 0]] : [];
  }

  /**
   * A longer timeframe's candles and how many of them exist now: those whose close is at or
   * before the close of the symbol's last released base candle.
   */
  private longerReleased(symbol: string, timeframe: string): { rows: OhlcvRow[]; n: number; tfMs: number } {
    const key = `${symbol}|${timeframe}`;
    let longer = this.longer.get(key);
    if (!longer) {
      const error = resampleError(this.timeframe, timeframe);
      if (error) throw new Error(`a candles node asks for ${error}`);
      this.releasedCount(symbol);
      longer = { rows: resample(this.series[symbol]!, timeframe), tfMs: timeframeToMs(timeframe) };
      this.longer.set(key, longer);
    }
    const last = this.lastReleased(symbol);
    const n = last ? firstAtOrAfter(longer.rows, longer.rows.length, last[0] + this.tfMs - longer.tfMs + 1) : 0;
    return { rows: longer.rows, n, tfMs: longer.tfMs };
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    const last = this.lastReleased(symbol);
    if (!last) throw new Error(`no ${symbol} candle released yet`);
    return { kind: 'ticker', exchange: this.exchangeId, symbol, ts: this.clock, bid: null, ask: null, last: last[4] };
  }

  async watchTicker(symbol: string): Promise<Ticker> {
    await this.next();
    return this.fetchTicker(symbol);
  }

  async fetchOrderBook(symbol: string, _depth: number): Promise<OrderBook> {
    const t = await this.fetchTicker(symbol);
    return summarizeBook(this.exchangeId, symbol, this.clock, [[t.last, 1e9]], [[t.last, 1e9]]);
  }

  async watchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    await this.next();
    return this.fetchOrderBook(symbol, depth);
  }

  async close(): Promise<void> {
    this.closed = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.reject(new SourceClosedError(this.exchangeId));
  }

  private releasedCount(symbol: string): number {
    const n = this.released.get(symbol);
    if (n === undefined) throw new Error(`symbol "${symbol}" is not in the backtest data (it has ${Object.keys(this.series).join(', ')})`);
    return n;
  }

  private lastReleased(symbol: string): OhlcvRow | undefined {
    const n = this.releasedCount(symbol);
    return n ? this.series[symbol]![n - 1] : undefined;
  }

  private next(): Promise<void> {
    if (this.closed) return Promise.reject(new SourceClosedError(this.exchangeId));
    if (!this.wake) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A rejection at close reaches the watchers; the shared promise itself must not count as unhandled.
      promise.catch(() => undefined);
      this.wake = { promise, resolve, reject };
    }
    return this.wake.promise;
  }
}

/** Index of the first of the first `n` rows whose time is >= ts (rows sorted by time); n when none. */
function firstAtOrAfter(rows: OhlcvRow[], n: number, ts: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]![0] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
