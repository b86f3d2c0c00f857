/**
 * Recorded candles as a market source for `backtest` mode. The backtest releases one candle at a
 * time (`release`): only released candles exist for the flow's candles nodes (fetchOHLCV), and
 * each release wakes their watchers, so the candles nodes emit it through their normal path
 * (each closed candle once, in order). The clock is the close time of the last released candle.
 * Nothing here looks ahead: an unreleased candle is invisible.
 */
import type { OhlcvRow, OrderBook, Ticker } from '../contract';
import { SourceClosedError, summarizeBook, type MarketInfo, type MarketSource, type SourceCapabilities } from '../market/market-source';
import { splitSymbol } from '../trading/portfolio';
import { timeframeToMs } from '../timeframe';

export class ReplaySource implements MarketSource {
  readonly capabilities: SourceCapabilities = { watchTicker: true, watchOrderBook: true, watchOHLCV: true };
  private readonly released = new Map<string, OhlcvRow[]>();
  private readonly tfMs: number;
  private clock = 0;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closed = false;

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
      const head = rows.slice(0, warmup);
      this.released.set(symbol, head);
      if (head.length) this.clock = Math.max(this.clock, head[head.length - 1]![0] + this.tfMs);
    }
  }

  /** The candle becomes history: the flow's candles nodes see it and emit it. */
  release(symbol: string, row: OhlcvRow): void {
    this.released.get(symbol)!.push(row);
    this.clock = Math.max(this.clock, row[0] + this.tfMs);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
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

  async loadMarkets(): Promise<Map<string, MarketInfo>> {
    return new Map(
      Object.keys(this.series).map((symbol) => {
        const { base, quote } = splitSymbol(symbol);
        return [symbol, { symbol, base, quote, amountStep: this.precision.amountStep ?? 1e-8, tickSize: this.precision.tickSize, active: true }];
      }),
    );
  }

  async fetchOHLCV(symbol: string, timeframe: string, since?: number, limit = 500): Promise<OhlcvRow[]> {
    if (timeframe !== this.timeframe) throw new Error(`the backtest data is ${this.timeframe}; a candles node asks for ${timeframe}`);
    const rows = this.rowsOf(symbol);
    if (since === undefined) return rows.slice(-limit);
    // Released rows are in time order: a binary search keeps each call O(log n + limit); filtering
    // them all made a long backtest quadratic (the candles node asks once per candle).
    const start = firstAtOrAfter(rows, since);
    return rows.slice(start, start + limit);
  }

  async watchOHLCV(symbol: string, timeframe: string): Promise<OhlcvRow[]> {
    await this.next();
    // A "forming" candle one timeframe after the last released one tells the candle feed to catch up.
    const rows = this.rowsOf(symbol);
    const last = rows[rows.length - 1];
    void timeframe;
    return last ? [[last[0] + this.tfMs, last[4], last[4], last[4], last[4], 0]] : [];
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    const last = this.rowsOf(symbol).at(-1);
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
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new SourceClosedError(this.exchangeId));
  }

  private rowsOf(symbol: string): OhlcvRow[] {
    const rows = this.released.get(symbol);
    if (!rows) throw new Error(`symbol "${symbol}" is not in the backtest data (it has ${Object.keys(this.series).join(', ')})`);
    return rows;
  }

  private next(): Promise<void> {
    if (this.closed) return Promise.reject(new SourceClosedError(this.exchangeId));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

/** Index of the first row whose time is >= ts (rows sorted by time); rows.length when none. */
function firstAtOrAfter(rows: OhlcvRow[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]![0] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
