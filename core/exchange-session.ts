/**
 * Everything one exchange config node owns, free of Node-RED: its settings, its market
 * source (the simulator, or ONE ccxt instance shared by every node that uses the config,
 * so markets load once and one rate limiter paces all requests), and its lifecycle.
 * Later issues add the simulated broker and the portfolio here.
 */
import { rememberMarkets } from './market-steps';
import { parseBalances, type ExchangeSettings } from './exchange-settings';
import { CcxtSource } from './market/ccxt-source';
// --- Redis market-data cache hook (imports) ---
import { CachedSource } from './market/cached-source';
import type { RedisHub } from './redis/redis-hub';
// --- end Redis market-data cache hook ---
import type { MarketInfo, MarketSource } from './market/market-source';
import { SimSource } from './market/sim-source';
import { BacktestExecutor, ReplaySource, replay, type BacktestReport } from './backtest';
import { loadSeries, parseDataList, type DataChecks } from './backtest/data-file';
import { downloadHistory } from './backtest/history-download';
import type { CompiledFlow } from './backtest/compiled/compiled-flow';
import type { CompiledContext } from './backtest/compiled/compiled-nodes';
import type { Deliver } from './backtest/types';
import path from 'node:path';
import type { OhlcvRow } from './contract';
import { DEFAULT_SIM_SYMBOLS } from './sim/sim-market';
import type { SymbolFeed } from './market/symbol-feed';
import { createTickerFeed } from './market/ticker-feed';
import { addEquitySource } from './metrics';
import { secrets } from './secrets';
import { sessions, type RiskControl } from './sessions';
import { DiscardingStore, MemoryStore, SnapshotStore, type StateStore } from './state-store';
import type { OrderRequest } from './contract';
import { TradingAccount, type OrderListener, type PlaceResult } from './trading/account';
import type { OrderClaims } from './trading/order-claims';
import type { TradingStatus } from './trading/executor';
import { LiveExecutor } from './trading/live-executor';
import { LiveReconciler, reconcileLiveAccount } from './trading/reconcile';
import type { Drift, Lifecycle } from './contract';

/** What the session tells the flow besides order updates: drift found by reconciliation, start and stop. */
export type SessionEvent = Drift | Lifecycle;
import { SimExecutor } from './trading/sim-executor';
import { describeProfile, exchangeProfile, LiveRefusedError } from './exchanges/profile';
import { Journal, type JournalStatus } from './journal/journal';
import type { JournalStore } from './journal/types';

/** How often the journal gets an equity snapshot while the account runs (wall clock). */
const EQUITY_SNAPSHOT_MS = 60_000;

export class ExchangeSession {
  private sourcePromise: Promise<MarketSource> | undefined;
  private accountPromise: Promise<TradingAccount> | undefined;
  private readonly priceFeeds = new Map<string, SymbolFeed<any>>();
  private store: StateStore = new MemoryStore();
  private closed = false;
  /** Risk gates trading on this exchange (the Telegram control pauses them; health reports them). */
  readonly riskControls = new Set<RiskControl>();
  /** Who shows trading trouble and recovery (the place-order nodes' statuses). */
  private readonly tradingStatusListeners = new Set<(status: TradingStatus) => void>();
  /** When market data last arrived (wall clock), for health. */
  private lastDataAt: number | undefined;
  private readonly removeEquity: () => void;

  /** `id` keys the persisted state (the config node's id). */
  constructor(
    readonly settings: ExchangeSettings,
    readonly id = 'exchange',
  ) {
    sessions.add(this);
    // A backtest's risk state lives for one run, in memory (the exchange node opens no file for it).
    if (settings.mode === 'backtest') this.store = new SnapshotStore();
    this.removeEquity = addEquitySource(() => {
      const account = this.accountNow;
      if (!account) return [];
      const currency = settings.reportCurrency;
      return [{ exchange: this.exchangeName, mode: settings.mode, currency, equity: account.portfolio.equity(currency).equity }];
    });
  }

  /** The account if it exists already (metrics and health must not create one). */
  private accountNow: TradingAccount | undefined;

  // --- Redis market-data cache hook ---
  private redisHub: RedisHub | undefined;
  private onCacheStatus: ((text: string) => void) | undefined;

  /**
   * Shares market data (markets, closed candles) and the account's rate budget through Redis with
   * other Node-RED instances (core/market/cached-source.ts); call before the first source().
   * `onStatus` hears once when Redis goes away (the cache is skipped) and once when it is back.
   */
  useRedis(hub: RedisHub | undefined, onStatus?: (text: string) => void): void {
    this.redisHub = hub;
    this.onCacheStatus = onStatus;
  }
  // --- end Redis market-data cache hook ---

  private journalRef: Journal | undefined;

  /**
   * Starts the trade journal of this account in `store` (docs/journal.md); before the first
   * account() call. Its rows are keyed by the account (`[<instance>:]<node id>:<mode>`). The session
   * feeds it fills, order updates, drift and lifecycle events and the equity; the nodes feed it
   * signals, rejections and order requests. Its trouble and recovery reach `onStatus` (the log) and
   * the place-order nodes' statuses.
   */
  openJournal(store: JournalStore, onStatus: (status: JournalStatus) => void): Journal {
    const s = this.settings;
    const journal = new Journal({
      store,
      account: `${this.instance === 'local' ? '' : `${this.instance}:`}${this.id}:${s.mode}`,
      exchange: this.exchangeName,
      keepDays: s.journalKeepDays,
      keepTradeDays: s.journalKeepTradeDays,
      now: () => this.clock() ?? Date.now(),
      onStatus: (status) => {
        onStatus(status);
        this.journalTrouble = status.level === 'ok' ? undefined : status;
        this.tradingStatus(status);
      },
    });
    this.journalRef = journal;
    void journal.start();
    return journal;
  }

  get journal(): Journal | undefined {
    return this.journalRef;
  }

  /**
   * The journal's current trouble (undefined while it writes): shown at once to a place-order node
   * that starts later, and kept in its status, which order updates would otherwise replace.
   */
  journalTrouble: TradingStatus | undefined;

  /** Feeds the journal from the account: its fills and order updates, what it missed, and the equity. */
  private attachJournal(account: TradingAccount, source: MarketSource): void {
    const journal = this.journalRef;
    if (!journal) return;
    account.observers.add((update) => journal.order(update));
    // Fills booked before a crash (or during an outage) that the journal did not get: written now, once.
    journal.followFills(() => account.rememberedFills());
    const currency = this.settings.reportCurrency;
    const snapshot = () => journal.equity({ ts: Math.round(source.now()), equity: account.portfolio.equity(currency).equity, currency });
    const live = this.settings.mode !== 'backtest';
    // An equity point after every fill too: the curve shows each trade at any clock speed (a
    // simulated market at 300x runs five hours in a wall-clock minute). A backtest's curve is its report's.
    account.fillObservers.add((fill) => {
      journal.fill(fill);
      if (live) snapshot();
    });
    if (!live) return;
    snapshot();
    const timer = setInterval(snapshot, EQUITY_SNAPSHOT_MS);
    timer.unref();
    this.onClose.push(async () => {
      clearInterval(timer);
      snapshot();
    });
  }

  /** A market-data node saw data: feeds health's "last data age". */
  noteData(): void {
    this.lastDataAt = Date.now();
  }

  /** What GET /tradebot/health reports for this exchange. */
  health(now = Date.now()): {
    id: string;
    exchange: string;
    mode: string;
    connected: boolean;
    lastDataAgeMs: number | null;
    killSwitch: boolean;
    breakerTripped: boolean;
    openOrders: number;
    journal?: ReturnType<Journal['health']>;
  } {
    const age = this.lastDataAt === undefined ? null : now - this.lastDataAt;
    const gates = [...this.riskControls];
    return {
      id: this.id,
      exchange: this.exchangeName,
      mode: this.settings.mode,
      // Connected: the source is up and data arrived within the last minute.
      connected: this.sourcePromise !== undefined && age !== null && age < 60_000,
      lastDataAgeMs: age,
      killSwitch: gates.some((g) => g.killed),
      breakerTripped: gates.some((g) => g.breakerTripped),
      openOrders: this.accountNow?.openOrders().length ?? 0,
      ...(this.journalRef ? { journal: this.journalRef.health() } : {}),
    };
  }

  /**
   * Hears what the account and the live executor meet and retry by themselves: the order stream
   * down or back, polls or lookups failing, a cancel to retry. Returns the unsubscribe.
   */
  onTradingStatus(listener: (status: TradingStatus) => void): () => void {
    this.tradingStatusListeners.add(listener);
    // A journal problem from before this listener came (a damaged file found at deploy) is shown at once.
    if (this.journalTrouble) {
      try {
        listener(this.journalTrouble);
      } catch {
        /* one node's status is not the journal's concern */
      }
    }
    return () => this.tradingStatusListeners.delete(listener);
  }

  /**
   * Who hears drift and lifecycle events: the newest place-order node on this exchange (like the
   * account's default listener), so each event goes out once. Events from before anyone listens
   * (the start, at deploy) are kept (up to 100) and handed over. Returns the unsubscribe.
   */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.eventListener = listener;
    const waiting = this.unheardEvents;
    this.unheardEvents = [];
    for (const event of waiting) this.deliverEvent(listener, event);
    return () => {
      if (this.eventListener === listener) this.eventListener = undefined;
    };
  }

  private eventListener: ((event: SessionEvent) => void) | undefined;
  private unheardEvents: SessionEvent[] = [];

  /** Sends a drift or lifecycle event to the flow (see onEvent). */
  emitEvent(event: SessionEvent): void {
    if (event.kind === 'drift') this.journalRef?.drift(event);
    else this.journalRef?.lifecycle(event);
    if (this.eventListener) this.deliverEvent(this.eventListener, event);
    else if (this.unheardEvents.length < 100) this.unheardEvents.push(event);
  }

  private deliverEvent(listener: (event: SessionEvent) => void, event: SessionEvent): void {
    try {
      listener(event);
    } catch {
      /* a node's failure is not the session's */
    }
  }

  /** Reconciliation while running (live). */
  private reconciler: LiveReconciler | undefined;

  private tradingStatus(status: TradingStatus): void {
    // The order stream or the exchange is back: what happened meanwhile is read from the exchange.
    if (status.level === 'ok' && /\bback\b/.test(status.text) && !/^reconciliation/.test(status.text)) this.reconciler?.soon();
    for (const listener of this.tradingStatusListeners) {
      try {
        listener(status);
      } catch {
        /* one node's status is not trading's concern */
      }
    }
  }

  /** Where the account's state persists; set before the first account() call. */
  setStateStore(store: StateStore, claims?: OrderClaims, instance?: string): void {
    this.store = store;
    this.claims = claims;
    if (instance) this.instance = instance;
  }

  private claims: OrderClaims | undefined;
  /** Several instances may share a Redis: each keeps its own account document. */
  private instance = 'local';

  get stateStore(): StateStore {
    return this.store;
  }

  /** The exchange id payloads carry: "sim" on the simulator, else the ccxt id. */
  get exchangeName(): string {
    return this.usesSimulator ? 'sim' : this.settings.mode === 'backtest' ? 'backtest' : this.settings.exchangeId;
  }

  /** Where relative backtest data paths start (the Node-RED user dir). */
  dataDir = process.cwd();

  /**
   * Runs the backtest through the flow: each candle is released to the flow's candles nodes and
   * the next waits until `idle()` says the flow has finished with it.
   */
  async runBacktest(idle: () => Promise<void>, onProgress?: (done: number, total: number) => void, fast?: CompiledFlow): Promise<BacktestReport> {
    if (this.settings.mode !== 'backtest') throw new Error('the exchange node is not in backtest mode');
    if (this.backtestRan) throw new Error('this deploy already ran its backtest: deploy again (or restart the flows) to run it again from a clean state');
    this.backtestRan = true;
    const source = (await this.source()) as ReplaySource;
    const account = await this.account();
    const executor = this.backtestExecutor(account);
    // A journaled backtest: the journal holds its last run (the ids repeat from run to run).
    const journal = this.journalRef;
    if (journal) {
      await journal.flush().catch(() => undefined);
      await journal.store.clear(journal.account);
      this.attachJournal(account, source);
    }
    const s = this.settings;
    let n = 0;
    // Candles to hand over, for the progress (no index of the history is built for it).
    const total = Object.values(source.series).reduce((sum, rows) => sum + Math.max(0, rows.length - s.backtestWarmup), 0);
    let deliver: Deliver;
    if (fast) {
      // The fast path: the compiled flow gets the warm-up the candles nodes would send at deploy, and
      // then each candle. Nothing is released to the source, so the deployed candles nodes stay silent.
      const flow = fast;
      await flow.warmUp('backtest', s.backtestTimeframe, (symbol) => source.series[symbol]!.slice(0, Math.min(s.backtestWarmup, source.series[symbol]!.length)));
      const counted = (): Promise<void> | undefined => {
        n++;
        onProgress?.(n, total);
        // Resolved promises never leave the microtask queue: a turn of the event loop now and then
        // keeps Node-RED (the editor, statuses, timers) responsive during a long run.
        return (n & 4095) === 0 ? new Promise((r) => setImmediate(r)) : undefined;
      };
      // No promise for a candle that sets off nothing to wait for (most of them): see deliverNow.
      deliver = (candle) => {
        const pending = flow.deliverNow(candle);
        return pending ? pending.then(counted) : counted();
      };
    } else {
      deliver = async (candle) => {
        // The replay hands over the symbol's next row: the source releases that row itself, uncopied.
        source.releaseNext(candle.symbol);
        await idle();
        onProgress?.(++n, total);
      };
    }
    const report = await replay(
      { timeframe: s.backtestTimeframe, series: source.series, warmup: s.backtestWarmup },
      { exchange: 'backtest', currency: s.reportCurrency, account, executor, setNow: (ts) => source.setClock(ts), flowListens: !fast },
      deliver,
      false,
    );
    if (journal) {
      // The run's equity curve (downsampled, as in the report), then everything written before the report goes out.
      for (const [ts, equity] of report.equity) journal.equity({ ts, equity, currency: s.reportCurrency });
      await journal.flush();
    }
    // The data the run stood on, and what its checks dropped or changed.
    return { ...report, dataChecks: this.dataChecks.map((c) => ({ ...c })) };
  }

  private givenSeries: Record<string, OhlcvRow[]> | undefined;

  /**
   * Backtest mode: replay these rows instead of loading the exchange node's history (an
   * optimisation's runs share one loaded history). Call before the first source().
   */
  useSeries(series: Record<string, OhlcvRow[]>): void {
    this.givenSeries = series;
  }

  /** What the backtest's fast path needs of this exchange node (its account, markets and clock). */
  async compiledContext(): Promise<CompiledContext> {
    const source = await this.source();
    return { session: this, account: await this.account(), markets: await source.loadMarkets(), now: () => source.now() };
  }

  private backtestRan = false;
  /** What the checks of each backtest history file found (files source; empty otherwise). */
  readonly dataChecks: DataChecks[] = [];
  /** Where warnings about the data go (the exchange node's log). */
  onWarning: ((text: string) => void) | undefined;
  /** Where the exchange's capability profile goes once the connection is set up (the exchange node's log). */
  onInfo: ((text: string) => void) | undefined;


  /** Requests the history download sent (0 when the disk cache had it all). */
  historyRequests = 0;

  private backtestExecutor(account: TradingAccount): BacktestExecutor {
    const executor = account.executorForBacktest();
    if (!(executor instanceof BacktestExecutor)) throw new Error('the account has no backtest executor');
    return executor;
  }

  /**
   * The trading account: portfolio, orders and stops, with the executor of this mode (simulated
   * fills in sim and paper, real orders in live). Created on first use; in live mode it first
   * reconciles balances and the orders it had open with the exchange.
   */
  account(): Promise<TradingAccount> {
    if (this.closed) return Promise.reject(new Error('exchange config node was closed'));
    if (!this.accountPromise) {
      this.accountPromise = this.createAccount();
      this.accountPromise.catch(() => (this.accountPromise = undefined));
    }
    return this.accountPromise;
  }

  /**
   * Places an order on the account, making sure a price for the symbol is known first (the max
   * order value check needs one), and keeps prices flowing for it afterwards.
   */
  async placeOrder(request: OrderRequest, listener?: OrderListener): Promise<PlaceResult> {
    const account = await this.account();
    // The max-order cap values the order at the market: a current price first (fetched if no feed keeps one).
    await this.marketPrice(request.symbol);
    const result = await account.place(request, listener);
    // Prices keep the account's timeouts and stops going; a feed that cannot start says so in its own status.
    this.watchPrices([request.symbol]).catch(() => undefined);
    return result;
  }

  /** Keeps prices flowing into the account for the symbols it holds, has orders in, or stops on. */
  async watchPrices(symbols: string[]): Promise<void> {
    // A backtest has no price watcher: the replay moves the account's prices along each candle's
    // path (docs/backtest.md), and a watcher would only repeat each close one wake-up later.
    if (this.settings.mode === 'backtest') return;
    const source = await this.source();
    const account = await this.account();
    for (const symbol of symbols) {
      if (this.priceFeeds.has(symbol) || this.closed) continue;
      // The account's prices drive limit timeouts and bot-watched stops: they fall back to polling
      // whatever the websocket setting, so a stop never waits on one transport.
      const feed = createTickerFeed(source, { symbols: [symbol], pollIntervalMs: 2_000, silentAfterMs: this.silentStreamMs, fallback: true }, {
        onData: (ticker) => {
          this.noteData();
          account.onPrice(ticker);
        },
        onStatus: () => undefined,
        onFatal: () => this.priceFeeds.delete(symbol),
      });
      this.priceFeeds.set(symbol, feed);
      await feed.start().catch(() => this.priceFeeds.delete(symbol));
    }
  }

  private async createAccount(): Promise<TradingAccount> {
    const s = this.settings;
    const source = await this.source();
    // The markets as loaded (once per source, shared with the risk gate): ladder rungs round to them.
    let markets: Map<string, MarketInfo> | undefined;
    source.loadMarkets().then(
      (loaded) => {
        markets = loaded;
        // Statuses and notifications round prices and amounts to these markets' steps (core/market-steps.ts).
        rememberMarkets(this.exchangeName, loaded);
      },
      () => undefined,
    );
    const account = new TradingAccount({
      exchangeId: this.exchangeName,
      mode: s.mode,
      // A backtest starts from its balances every time: its account is never persisted.
      store: s.mode === 'backtest' ? new DiscardingStore() : this.store,
      storeKey: this.instance === 'local' ? `tradebot:account:${this.id}:${s.mode}` : `tradebot:account:${this.instance}:${this.id}:${s.mode}`,
      claims: this.claims,
      now: () => source.now(),
      initialBalances: s.mode === 'live' ? undefined : parseBalances(s.simBalances),
      maxNotional: s.maxNotional,
      exchangeStops: s.mode === 'live' && s.exchangeStops,
      onStatus: (status) => this.tradingStatus(status),
      market: (symbol) => markets?.get(symbol),
    });
    if (s.mode === 'backtest') {
      await account.init(new BacktestExecutor({ exchangeId: this.exchangeName, portfolio: account.portfolio, feeRate: s.feeRate, slippage: s.slippage, now: () => source.now() }));
      this.accountNow = account;
      return account;
    }
    if (s.mode === 'live') {
      // Live trading only where an order whose answer is lost can be found again (profile.ts).
      const ccxtSource = source as CcxtSource;
      const profile = exchangeProfile(ccxtSource.ccxt, ccxtSource.websocketAllowed);
      if (profile.liveRefusal) throw new LiveRefusedError(`live trading on ${s.exchangeId} is refused: ${profile.liveRefusal}`);
      const executor = new LiveExecutor({
        exchange: (source as CcxtSource).ccxt,
        exchangeId: this.exchangeName,
        now: () => source.now(),
        unknownWindowMs: s.unknownWindowSec === undefined ? undefined : s.unknownWindowSec * 1000,
        websocket: s.websocket !== 'off',
        onStatus: (status) => this.tradingStatus(status),
      });
      await account.init(executor);
      try {
        await reconcileLiveAccount(account, executor, (source as CcxtSource).ccxt);
      } catch (err) {
        // The next account() call starts over: this executor's lookups and loops stop here.
        await executor.close();
        throw err;
      }
      void account.resumeExchangeStops();
      this.reconciler = new LiveReconciler({
        account,
        executor,
        ccxt: (source as CcxtSource).ccxt,
        exchangeId: this.exchangeName,
        intervalMs: s.reconcileSec * 1000,
        onDrift: (drift) => this.emitEvent(drift),
        onStatus: (status) => this.tradingStatus(status),
        now: () => source.now(),
      });
      if (!this.closed) this.reconciler.start();
    } else {
      await account.init(
        new SimExecutor({ exchangeId: this.exchangeName, mode: s.mode === 'paper' ? 'paper' : 'sim', source, portfolio: account.portfolio, feeRate: s.feeRate, slippage: s.slippage }),
      );
    }
    this.watchPrices(account.watchedSymbols()).catch(() => undefined);
    this.accountNow = account;
    this.attachJournal(account, source);
    this.emitEvent({ kind: 'lifecycle', event: 'start', exchange: this.exchangeName, mode: s.mode, reason: `trading on ${this.label}: account ready${s.mode === 'live' ? ', reconciled with the exchange' : ''}`, ts: Math.round(source.now()) });
    return account;
  }

  /**
   * The flows stop (a deploy, a shutdown): one `stop` event, before the nodes close, for an account
   * that was started. `why` says which.
   */
  announceStop(why: string): void {
    if (!this.accountNow || this.stopAnnounced || this.settings.mode === 'backtest') return;
    this.stopAnnounced = true;
    this.emitEvent({ kind: 'lifecycle', event: 'stop', exchange: this.exchangeName, mode: this.settings.mode, reason: why, ts: Math.round(this.sourceReady?.now() ?? Date.now()) });
  }

  private stopAnnounced = false;

  get mode(): ExchangeSettings['mode'] {
    return this.settings.mode;
  }

  /** Where market data comes from: the simulator in sim mode, the real exchange otherwise. */
  get usesSimulator(): boolean {
    return this.settings.mode === 'sim';
  }

  /** The exchange node's silent-stream timeout, ms; undefined: each feed's default (3 x its expected interval). */
  get silentStreamMs(): number | undefined {
    return this.settings.silentStreamSec === undefined ? undefined : this.settings.silentStreamSec * 1000;
  }

  /** Short name for statuses: "sim" or "binance (paper)". */
  get label(): string {
    if (this.settings.mode === 'backtest') return 'backtest';
    return this.usesSimulator ? 'sim' : `${this.settings.exchangeId} (${this.settings.mode})`;
  }

  /** How long after its end a candle counts as closed when no newer one was seen (clock skew). */
  get candleCloseGraceMs(): number {
    return this.usesSimulator || this.settings.mode === 'backtest' ? 0 : 2_000;
  }

  /** The market source, created on first use: ccxt is only loaded when a node needs it. */
  source(): Promise<MarketSource> {
    if (this.closed) return Promise.reject(new Error('exchange config node was closed'));
    if (!this.sourcePromise) {
      this.sourcePromise = this.createSource();
      // A failed creation is retried on the next call rather than cached.
      this.sourcePromise.then(
        (source) => (this.sourceReady = source),
        () => (this.sourcePromise = undefined),
      );
    }
    return this.sourcePromise;
  }

  private sourceReady: MarketSource | undefined;
  /** When marketPrice() last fetched a symbol's ticker (wall clock; a two-second reuse, not a decision). */
  private readonly pricesFetchedAt = new Map<string, number>();

  /** The exchange's clock (virtual in sim and backtest) once the source exists, else undefined. */
  clock(): number | undefined {
    return this.closed ? undefined : this.sourceReady?.now();
  }

  /**
   * The market price of a symbol (to check messages' prices against, to value an order for the
   * max-order cap): the account's latest ticker while a feed keeps it current (or the backtest's
   * replay price), else fetched from the exchange, after which a feed keeps it current.
   */
  async marketPrice(symbol: string): Promise<number> {
    const account = await this.account();
    const known = account.marketPrice(symbol);
    // A price fetched a moment ago is current too (the plausibility check and the order's cap ask one after the other).
    const justFetched = Date.now() - (this.pricesFetchedAt.get(symbol) ?? -Infinity) < 2_000;
    if (known !== undefined && (this.settings.mode === 'backtest' || this.priceFeeds.has(symbol) || justFetched)) return known;
    const ticker = await (await this.source()).fetchTicker(symbol);
    this.pricesFetchedAt.set(symbol, Date.now());
    account.notePrice(ticker);
    void this.watchPrices([symbol]).catch(() => undefined);
    return ticker.last;
  }

  /** Removes every credential value from a text (error messages pass through here before anyone sees them). */
  redact(text: string): string {
    // The process-wide redaction (every config node's credentials, core/secrets.ts), then this
    // session's own values, for a session made without a config node (benchmarks, core tests).
    let out = secrets.redact(text);
    for (const value of Object.values(this.settings.credentials)) {
      if (value && value.length >= 4) out = out.split(value).join('***');
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    sessions.delete(this);
    await this.reconciler?.close();
    await Promise.all(this.onClose.map((f) => f()));
    this.removeEquity();
    await Promise.all([...this.priceFeeds.values()].map((f) => f.stop()));
    this.priceFeeds.clear();
    const account = this.accountPromise;
    this.accountPromise = undefined;
    if (account) await (await account.catch(() => undefined))?.close();
    // After the account's last fills; the store itself belongs to whoever made it (the exchange node).
    await this.journalRef?.close();
    const pending = this.sourcePromise;
    this.sourcePromise = undefined;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }

  /**
   * The simulator continues where it stopped: its virtual clock (ahead of the wall clock at speeds
   * above 1) and last prices are saved every few seconds, so after a restart time does not run
   * backwards under the restored positions and orders, and prices carry on from where they were.
   */
  private async createSim(): Promise<SimSource> {
    const s = this.settings;
    const key = `tradebot:sim:${this.id}`;
    const saved = await this.store.get<{ now: number; prices: Record<string, number> }>(key).catch(() => undefined);
    const symbols = saved ? DEFAULT_SIM_SYMBOLS.map((spec) => ({ ...spec, price: saved.prices[spec.symbol] ?? spec.price })) : undefined;
    const sim = new SimSource({ seed: s.simSeed, speed: s.simSpeed, tickMs: s.simTickMs, symbols, startTime: Math.max(Date.now(), (saved?.now ?? 0) + s.simTickMs) });
    const save = () => {
      const prices = Object.fromEntries(sim.market.symbols().map((symbol) => [symbol, sim.market.ticker(symbol).last]));
      return this.store.set(key, { now: sim.now(), prices }).catch(() => undefined);
    };
    const timer = setInterval(save, 2_000);
    timer.unref();
    this.onClose.push(async () => {
      clearInterval(timer);
      await save();
    });
    return sim;
  }

  /** Things to do when the session closes (before the source closes). */
  private readonly onClose: Array<() => Promise<void>> = [];

  private async createSource(): Promise<MarketSource> {
    const s = this.settings;
    if (s.mode === 'sim') return this.createSim();
    if (s.mode === 'backtest') {
      const series: Record<string, OhlcvRow[]> = {};
      if (this.givenSeries) {
        // An optimisation's run: the history is already loaded (and cut to its window).
        Object.assign(series, this.givenSeries);
      } else if (s.backtestSource === 'exchange') {
        // Downloaded once through ccxt (paginated), cached on disk under the user dir.
        const exchange = await CcxtSource.create({ exchangeId: s.exchangeId, sandbox: s.sandbox, baseUrl: s.baseUrl, credentials: {}, timeoutMs: s.timeoutMs });
        try {
          const time = (t: string) => (/^\d+$/.test(t) ? Number(t) : Date.parse(t));
          for (const symbol of s.backtestSymbols.split(/[\s,;]+/).filter(Boolean).map((x) => x.toUpperCase())) {
            const got = await downloadHistory({ source: exchange, exchangeId: s.exchangeId, symbol, timeframe: s.backtestTimeframe, from: time(s.backtestFrom), to: time(s.backtestTo), cacheDir: path.join(this.dataDir, 'tradebot-cache') });
            series[symbol] = got.rows;
            this.historyRequests += got.requests;
          }
        } finally {
          await exchange.close();
        }
      } else {
        for (const { symbol, file } of parseDataList(s.backtestData)) {
          const loaded = loadSeries(file, this.dataDir, symbol);
          series[symbol] = loaded.rows;
          this.dataChecks.push(loaded.checks);
          // One warning line per file with problems, once per deploy (the source loads once).
          for (const note of loaded.notes) this.onWarning?.(note);
        }
      }
      return new ReplaySource('backtest', s.backtestTimeframe, series, s.backtestWarmup, {});
    }
    const ccxtSource = await CcxtSource.create({
      exchangeId: s.exchangeId,
      sandbox: s.sandbox,
      baseUrl: s.baseUrl,
      credentials: s.credentials,
      timeoutMs: s.timeoutMs,
      websocket: s.websocket,
    });
    this.onInfo?.(describeProfile(exchangeProfile(ccxtSource.ccxt, ccxtSource.websocketAllowed)));
    // --- Redis market-data cache hook: CachedSource exposes `ccxt` too, for the live executor ---
    if (this.redisHub) return new CachedSource(ccxtSource, { redis: this.redisHub.client(), onStatus: this.onCacheStatus });
    // --- end Redis market-data cache hook ---
    return ccxtSource;
  }
}
