/**
 * The simulated market as a market source: the `sim` mode. No network, no ccxt.
 *
 * A timer steps the SimMarket's virtual clock: at speed 1 one virtual tick per tick length of
 * wall time, at speed 60 a virtual minute per wall second, measured on the wall clock, so a busy
 * machine's late timers do not slow it down. The series depends only on the seed, never on how
 * fast the machine is; speed only decides how soon it is seen.
 */
import type { OhlcvRow, OrderBook, Ticker } from '../contract';
import { SimMarket, type SimSymbolSpec } from '../sim/sim-market';
import type { PairTicker } from './pairlist';
import { SourceClosedError, type MarketInfo, type MarketSource, type SourceCapabilities } from './market-source';

export interface SimSourceOptions {
  seed: number;
  /** Virtual time per wall time; 1 = real time. */
  speed: number;
  /** Virtual ms between two price updates. */
  tickMs?: number;
  symbols?: SimSymbolSpec[];
  /** Virtual clock start (default: now). */
  startTime?: number;
}

/** Timers fire at most this often; faster speeds take several steps per firing. */
const MIN_TIMER_MS = 10;
/**
 * A late timer (a busy machine, a garbage collection) is made up for: each firing takes the steps
 * the wall clock says are due. After a longer stall (a suspended Pi, a debugger) at most this much
 * wall time is made up at once, and the rest is given up: the simulator falls behind instead of
 * computing hours of virtual time in one burst.
 */
const MAX_CATCH_UP_MS = 1_000;

export class SimSource implements MarketSource {
  readonly exchangeId: string;
  readonly capabilities: SourceCapabilities = { watchTicker: true, watchOrderBook: true, watchOHLCV: true };
  readonly market: SimMarket;
  private readonly timer: NodeJS.Timeout;
  private readonly tickMs: number;
  private readonly wallMsPerStep: number;
  /** Wall clock (monotonic) of step 0, and the steps taken or given up since. */
  private readonly startedAt = performance.now();
  private stepsCounted = 0;
  private readonly maxCatchUpSteps: number;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closed = false;

  constructor(options: SimSourceOptions) {
    this.tickMs = options.tickMs ?? 1_000;
    this.market = new SimMarket({
      seed: options.seed,
      symbols: options.symbols,
      startTime: options.startTime ?? Date.now(),
      tickMs: this.tickMs,
    });
    this.exchangeId = this.market.exchangeId;
    this.wallMsPerStep = this.tickMs / options.speed;
    const timerMs = Math.max(MIN_TIMER_MS, this.wallMsPerStep);
    this.maxCatchUpSteps = Math.max(1, Math.ceil(MAX_CATCH_UP_MS / this.wallMsPerStep));
    this.timer = setInterval(() => this.advance(this.stepsNowDue()), timerMs);
    // The simulator alone must not keep a process (a test, a script) alive.
    this.timer.unref();
  }

  /** The steps the wall clock says are due since the last firing (the speed holds under load). */
  private stepsNowDue(): number {
    const due = Math.floor((performance.now() - this.startedAt) / this.wallMsPerStep);
    const behind = due - this.stepsCounted;
    const steps = Math.min(behind, this.maxCatchUpSteps);
    // Further behind than the catch-up allows: the rest is given up, counted as if taken.
    this.stepsCounted = behind > this.maxCatchUpSteps ? due : this.stepsCounted + steps;
    return steps;
  }

  /** Advances the virtual clock by `steps` ticks and wakes every watcher. */
  advance(steps: number): void {
    if (steps <= 0) return;
    for (let i = 0; i < steps; i++) this.market.step();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  private markets: Map<string, MarketInfo> | undefined;

  async loadMarkets(): Promise<Map<string, MarketInfo>> {
    if (!this.markets) {
      this.markets = new Map();
      for (const symbol of this.market.symbols()) this.markets.set(symbol, { ...this.market.market(symbol), active: true });
    }
    return this.markets;
  }

  now(): number {
    return this.market.now();
  }

  minPollIntervalMs(): number {
    return this.wallMsPerStep;
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    return this.market.ticker(symbol);
  }

  async fetchTickers(): Promise<PairTicker[]> {
    // The simulator's 24h volume is in the base currency; in the quote currency at the last price.
    return this.market.symbols().map((symbol) => {
      const t = this.market.ticker(symbol);
      return { symbol, last: t.last, bid: t.bid, ask: t.ask, baseVolume: t.baseVolume, quoteVolume: (t.baseVolume ?? 0) * t.last };
    });
  }

  async watchTicker(symbol: string): Promise<Ticker> {
    this.market.market(symbol); // unknown symbol: fail now, not after a step
    await this.nextStep();
    return this.market.ticker(symbol);
  }

  async fetchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    return this.market.orderBook(symbol, depth);
  }

  async watchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    this.market.market(symbol);
    await this.nextStep();
    return this.market.orderBook(symbol, depth);
  }

  async fetchOHLCV(symbol: string, timeframe: string, since?: number, limit = 500): Promise<OhlcvRow[]> {
    // The simulator keeps a bounded history; asking for more than `limit` is enough to cover `since`.
    let rows = this.market.history(symbol, timeframe, since === undefined ? limit : Math.max(limit, 1000));
    const forming = this.market.formingCandle(symbol, timeframe);
    if (forming) rows = [...rows, forming];
    if (since !== undefined) rows = rows.filter((row) => row[0] >= since);
    return since === undefined ? rows.slice(-limit) : rows.slice(0, limit);
  }

  async watchOHLCV(symbol: string, timeframe: string): Promise<OhlcvRow[]> {
    this.market.market(symbol);
    await this.nextStep();
    const forming = this.market.formingCandle(symbol, timeframe);
    return forming ? [forming] : [];
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new SourceClosedError(this.exchangeId));
  }

  private nextStep(): Promise<void> {
    if (this.closed) return Promise.reject(new SourceClosedError(this.exchangeId));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}
