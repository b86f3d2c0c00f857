/**
 * Everything one exchange config node owns, free of Node-RED: its settings, its market source
 * (the simulator, a replayed history, or ONE ccxt instance shared by every node that uses the
 * config, so markets load once and one rate limiter paces all requests), its trading account,
 * and its lifecycle. What differs by mode comes from the session's mode (session-mode.ts, one
 * file per mode); this class holds what every mode shares: the account's creation and its
 * prices, the journal's feed, drift and lifecycle events, statuses, health and closing.
 */
import type { BacktestReport } from '../backtest';
import type { DataChecks } from '../backtest/data-file';
import type { OhlcvRow, OrderRequest } from '../contract';
import type { ExchangeSettings } from '../exchange-settings';
import { Journal, type JournalStatus } from '../journal/journal';
import type { JournalStore } from '../journal/types';
import { errorText, redactingLogger, silentLogger, type Logger } from '../logger';
import { rememberMarkets } from '../market-steps';
import type { MarketInfo, MarketSource } from '../market/market-source';
import { addEquitySource } from '../metrics';
import type { RedisHub } from '../redis/redis-hub';
import { secrets } from '../secrets';
import { sessions, type RegisteredSession, type RiskControl } from '../sessions';
import { MemoryStore, type StateStore } from '../state-store';
import { TradingAccount, type OrderListener, type PlaceResult } from '../trading/account';
import type { TradingStatus } from '../trading/executor';
import type { OrderClaims } from '../trading/order-claims';
import { AccountPrices } from './account-prices';
import { SessionListeners } from './session-listeners';
import { BacktestMode, type FastFlow } from './backtest-mode';
import { createMode } from './create-mode';
import type { ModeHost, SessionMode } from './session-mode';
import type { SessionEvent, SessionHealth } from './session-types';

export type { SessionEvent, SessionHealth } from './session-types';

/** How often the journal gets an equity snapshot while the account runs (wall clock). */
const EQUITY_SNAPSHOT_MS = 60_000;

export interface ExchangeSessionOptions {
  /**
   * Where the session writes the failures it handles by itself (a price feed down, a save that
   * failed) and what it tells once (the exchange's profile, data file warnings). Every line
   * passes the session's redaction first. Default: nothing is written.
   */
  logger?: Logger;
}

export class ExchangeSession implements RegisteredSession, ModeHost {
  /** What this session's mode does its own way (settings checked for the mode: throws naming the field). */
  private readonly modeImpl: SessionMode;
  /** The session's log (credentials redacted). */
  readonly log: Logger;
  private sourcePromise: Promise<MarketSource> | undefined;
  private accountPromise: Promise<TradingAccount> | undefined;
  private readonly prices: AccountPrices;
  private store: StateStore;
  private closedFlag = false;
  /** Risk gates trading on this exchange (the Telegram control pauses them; health reports them). */
  readonly riskControls = new Set<RiskControl>();
  /** Who hears trading statuses and events (the place-order nodes). */
  private readonly listeners: SessionListeners;
  /** When market data last arrived (wall clock), for health. */
  private lastDataAt: number | undefined;
  private readonly removeEquity: () => void;

  /** `id` keys the persisted state (the config node's id). */
  constructor(
    readonly settings: ExchangeSettings,
    readonly id = 'exchange',
    options: ExchangeSessionOptions = {},
  ) {
    this.modeImpl = createMode(settings);
    this.log = redactingLogger(options.logger ?? silentLogger, (text) => this.redact(text));
    this.listeners = new SessionListeners(this.log);
    this.store = this.modeImpl.initialStateStore?.() ?? new MemoryStore();
    this.prices = new AccountPrices({
      onPrice: (ticker) => {
        this.noteData();
        this.accountNow?.onPrice(ticker);
      },
      silentAfterMs: this.silentStreamMs,
      log: this.log,
    });
    sessions.add(this);
    this.removeEquity = addEquitySource(() => {
      const account = this.accountNow;
      if (!account) return [];
      const currency = settings.reportCurrency;
      return [{ exchange: this.exchangeName, mode: settings.mode, currency, equity: account.portfolio.equity(currency).equity }];
    });
  }

  /** The account if it exists already (metrics and health must not create one). */
  private accountNow: TradingAccount | undefined;

  /** Whether close() was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** The Redis market-data cache, when the exchange node has a Redis (see useRedis). */
  redis: ModeHost['redis'];

  /**
   * Shares market data (markets, closed candles) and the account's rate budget through Redis with
   * other Node-RED instances (core/market/cached-source.ts); call before the first source().
   * `onStatus` hears once when Redis goes away (the cache is skipped) and once when it is back.
   */
  useRedis(hub: RedisHub | undefined, onStatus?: (text: string) => void): void {
    this.redis = hub ? { hub, onStatus } : undefined;
  }

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
      log: this.log,
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
  attachJournal(account: TradingAccount, source: MarketSource): void {
    const journal = this.journalRef;
    if (!journal) return;
    account.observers.add((update) => journal.order(update));
    // Fills booked before a crash (or during an outage) that the journal did not get: written now, once.
    journal.followFills(() => account.rememberedFills());
    const currency = this.settings.reportCurrency;
    const snapshot = () => journal.equity({ ts: Math.round(source.now()), equity: account.portfolio.equity(currency).equity, currency });
    // An equity point after every fill too: the curve shows each trade at any clock speed (a
    // simulated market at 300x runs five hours in a wall-clock minute). A backtest's curve is its report's.
    const running = !this.modeImpl.replayed;
    account.fillObservers.add((fill) => {
      journal.fill(fill);
      if (running) snapshot();
    });
    if (!running) return;
    snapshot();
    const timer = setInterval(snapshot, EQUITY_SNAPSHOT_MS);
    timer.unref();
    this.onClose(async () => {
      clearInterval(timer);
      snapshot();
    });
  }

  /** A market-data node saw data: feeds health's "last data age". */
  noteData(): void {
    this.lastDataAt = Date.now();
  }

  /** What GET /tradebot/health reports for this exchange. */
  health(now = Date.now()): SessionHealth {
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
    // A journal problem from before this listener came (a damaged file found at deploy) is shown at once.
    return this.listeners.onTradingStatus(listener, this.journalTrouble);
  }

  /**
   * Who hears drift and lifecycle events: the newest place-order node on this exchange (like the
   * account's default listener), so each event goes out once. Events from before anyone listens
   * (the start, at deploy) are kept (up to 100) and handed over. Returns the unsubscribe.
   */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    return this.listeners.onEvent(listener);
  }

  /** Sends a drift or lifecycle event to the flow (see onEvent) and the journal. */
  emitEvent(event: SessionEvent): void {
    if (event.kind === 'drift') this.journalRef?.drift(event);
    else this.journalRef?.lifecycle(event);
    this.listeners.event(event);
  }

  tradingStatus(status: TradingStatus): void {
    this.modeImpl.onTradingStatus?.(status);
    this.listeners.tradingStatus(status);
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

  /** The exchange id payloads carry: "sim" on the simulator, "backtest", else the ccxt id. */
  get exchangeName(): string {
    return this.modeImpl.exchangeName;
  }

  /** Where relative backtest data paths start (the Node-RED user dir). */
  dataDir = process.cwd();

  /** The backtest mode, or an error for a node that needs one on an exchange in another mode. */
  private backtestMode(): BacktestMode {
    if (!(this.modeImpl instanceof BacktestMode)) throw new Error('the exchange node is not in backtest mode');
    return this.modeImpl;
  }

  /**
   * Runs the backtest through the flow: each candle is released to the flow's candles nodes and
   * the next waits until `idle()` says the flow has finished with it (backtest-mode.ts).
   */
  runBacktest(idle: () => Promise<void>, onProgress?: (done: number, total: number) => void, fast?: FastFlow): Promise<BacktestReport> {
    try {
      return this.backtestMode().run(this, idle, onProgress, fast);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Backtest mode: replay these rows instead of loading the exchange node's history (an
   * optimisation's runs share one loaded history). Call before the first source().
   */
  useSeries(series: Record<string, OhlcvRow[]>): void {
    this.backtestMode().useSeries(series);
  }

  /** What the checks of each backtest history file found (files source; empty otherwise). */
  get dataChecks(): DataChecks[] {
    return this.modeImpl instanceof BacktestMode ? this.modeImpl.dataChecks : [];
  }

  /** Requests the backtest's history download sent (0 when the disk cache had it all). */
  get historyRequests(): number {
    return this.modeImpl instanceof BacktestMode ? this.modeImpl.historyRequests : 0;
  }

  /** What the backtest's fast path needs of this exchange node (its account, markets and clock: CompiledContext). */
  async compiledContext(): Promise<{ session: ExchangeSession; account: TradingAccount; markets: Map<string, MarketInfo>; now: () => number }> {
    const source = await this.source();
    return { session: this, account: await this.account(), markets: await source.loadMarkets(), now: () => source.now() };
  }

  /**
   * The trading account: portfolio, orders and stops, with the executor of this mode (simulated
   * fills in sim, paper and backtest, real orders in live). Created on first use; in live mode it
   * first reconciles balances and the orders it had open with the exchange.
   */
  account(): Promise<TradingAccount> {
    if (this.closedFlag) return Promise.reject(new Error('exchange config node was closed'));
    if (!this.accountPromise) {
      this.accountPromise = this.createAccount();
      // Retried on the next call; the failure reaches the caller.
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
    // Prices keep the account's timeouts and stops going; a feed that cannot start is written to the log.
    this.keepPrices([request.symbol]);
    return result;
  }

  /** Keeps prices flowing into the account for the symbols it holds, has orders in, or stops on. */
  async watchPrices(symbols: string[]): Promise<void> {
    // A backtest has no price watcher: the replay moves the account's prices along each candle's
    // path (docs/backtest.md), and a watcher would only repeat each close one wake-up later.
    if (this.modeImpl.replayed) return;
    const source = await this.source();
    await this.account();
    if (this.closedFlag) return;
    await this.prices.watch(source, symbols);
  }

  /** watchPrices in the background: its failure is written to the log (once per symbol until it works). */
  private keepPrices(symbols: string[]): void {
    this.watchPrices(symbols).catch((err) => this.prices.failed(symbols, err));
  }

  private async createAccount(): Promise<TradingAccount> {
    const s = this.settings;
    const mode = this.modeImpl;
    const source = await this.source();
    // The markets as loaded (once per source, shared with the risk gate): ladder rungs round to them.
    let markets: Map<string, MarketInfo> | undefined;
    source.loadMarkets().then(
      (loaded) => {
        markets = loaded;
        // Statuses and notifications round prices and amounts to these markets' steps (core/market-steps.ts).
        rememberMarkets(this.exchangeName, loaded);
      },
      // The account trades without them (amounts and ladder rungs are not rounded to the market's steps).
      (err) => this.log.warn(`markets of ${this.label} not loaded, amounts are not rounded to their steps: ${errorText(err)}`),
    );
    const account = new TradingAccount({
      exchangeId: this.exchangeName,
      mode: s.mode,
      store: mode.accountStore?.() ?? this.store,
      storeKey: this.instance === 'local' ? `tradebot:account:${this.id}:${s.mode}` : `tradebot:account:${this.instance}:${this.id}:${s.mode}`,
      claims: this.claims,
      now: () => source.now(),
      initialBalances: mode.initialBalances,
      maxNotional: s.maxNotional,
      exchangeStops: mode.exchangeStops,
      onStatus: (status) => this.tradingStatus(status),
      market: (symbol) => markets?.get(symbol),
      log: this.log,
    });
    await mode.startAccount(account, source, this);
    this.accountNow = account;
    if (mode.replayed) return account;
    this.keepPrices(account.watchedSymbols());
    this.attachJournal(account, source);
    this.emitEvent({ kind: 'lifecycle', event: 'start', exchange: this.exchangeName, mode: s.mode, reason: `trading on ${this.label}: account ready${mode.readyNote}`, ts: Math.round(source.now()) });
    return account;
  }

  /**
   * The flows stop (a deploy, a shutdown): one `stop` event, before the nodes close, for an account
   * that was started. `why` says which.
   */
  announceStop(why: string): void {
    if (!this.accountNow || this.stopAnnounced || this.modeImpl.replayed) return;
    this.stopAnnounced = true;
    this.emitEvent({ kind: 'lifecycle', event: 'stop', exchange: this.exchangeName, mode: this.settings.mode, reason: why, ts: Math.round(this.sourceReady?.now() ?? Date.now()) });
  }

  private stopAnnounced = false;

  get mode(): ExchangeSettings['mode'] {
    return this.settings.mode;
  }

  /** The exchange node's silent-stream timeout, ms; undefined: each feed's default (3 x its expected interval). */
  get silentStreamMs(): number | undefined {
    return this.settings.silentStreamSec === undefined ? undefined : this.settings.silentStreamSec * 1000;
  }

  /** Short name for statuses: "sim", "backtest" or "binance (paper)". */
  get label(): string {
    return this.modeImpl.label;
  }

  /** How long after its end a candle counts as closed when no newer one was seen (clock skew). */
  get candleCloseGraceMs(): number {
    return this.modeImpl.candleCloseGraceMs;
  }

  /** The market source, created on first use: ccxt is only loaded when a node needs it. */
  source(): Promise<MarketSource> {
    if (this.closedFlag) return Promise.reject(new Error('exchange config node was closed'));
    if (!this.sourcePromise) {
      this.sourcePromise = this.modeImpl.createSource(this);
      // A failed creation is retried on the next call rather than cached (the caller hears the failure).
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
    return this.closedFlag ? undefined : this.sourceReady?.now();
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
    if (known !== undefined && (this.modeImpl.replayed || this.prices.watching(symbol) || justFetched)) return known;
    const ticker = await (await this.source()).fetchTicker(symbol);
    this.pricesFetchedAt.set(symbol, Date.now());
    account.notePrice(ticker);
    this.keepPrices([symbol]);
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

  /** Runs `task` when the session closes, before the source closes. */
  onClose(task: () => Promise<void>): void {
    this.closeTasks.push(task);
  }

  private readonly closeTasks: Array<() => Promise<void>> = [];

  async close(): Promise<void> {
    this.closedFlag = true;
    sessions.delete(this);
    await this.modeImpl.close?.();
    await Promise.all(this.closeTasks.map((f) => f()));
    this.removeEquity();
    await this.prices.stop();
    const account = this.accountPromise;
    this.accountPromise = undefined;
    // An account or source whose creation failed has nothing to close; its failure went to whoever asked for it.
    if (account) await (await account.catch(() => undefined))?.close();
    // After the account's last fills; the store itself belongs to whoever made it (the exchange node).
    await this.journalRef?.close();
    const pending = this.sourcePromise;
    this.sourcePromise = undefined;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }
}
