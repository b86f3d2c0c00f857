/**
 * One trading account (one exchange config node): the portfolio, every order by client order
 * id, the stops, and the executor that reaches the market. The only place that books fills,
 * so simulated and live orders change the portfolio the same way. Everything that must survive
 * a restart is written to the state store after each change.
 */
import { isForceExit } from '../risk/force-exit';
import type { Mode, OrderRequest, OrderUpdate, Ticker } from '../contract';
import * as metrics from '../metrics';
import type { MarketInfo } from '../market/market-source';
import type { StateStore } from '../state-store';
import { ExchangeStops } from './exchange-stops';
import { newOrderUpdate, type ExecutorRequest, type OrderExecutor, type TradingStatusSink } from './executor';
import type { OrderClaims } from './order-claims';
import { describeExchangeError } from './order-errors';
import { Portfolio, type PortfolioSnapshot } from './portfolio';
import { splitSymbol } from '../market/symbol';
import { floorToStep } from './precision';
import { StopBook, type StopHit, type StopLevels } from './stops';
import type { FillRecord } from '../journal/types';
import { errorText, silentLogger, StateChangeLog, type Logger } from '../logger';
import { rememberId } from '../util/remembered-ids';

export type OrderListener = (update: OrderUpdate) => void;

interface OrderRecord {
  request: ExecutorRequest;
  last: OrderUpdate;
  /** Funds held for an open limit order, and how much of them fills consumed. */
  reserved?: { currency: string; amount: number; consumed: number };
  /** Virtual time after which an open limit order is canceled. */
  cancelAt?: number;
  /** A close sent by a stop-loss / take-profit / trailing stop. */
  stopClose?: boolean;
  /** When it was sent (wall clock), until its first definite answer: for the latency metric. */
  sentAt?: number;
}

interface AccountState {
  portfolio: PortfolioSnapshot;
  /** Orders not yet final. */
  open: Array<{ request: OrderRequest; last: OrderUpdate; reserved?: OrderRecord['reserved']; cancelAt?: number; stopClose?: boolean }>;
  /** Client order ids already used (final orders), newest last: a request repeating one is refused. */
  done: string[];
  stops: StopLevels[];
  /**
   * The last fills booked (FillRecord JSON, newest last): the journal writes from them what it
   * missed (a crash before its batch, a database outage longer than its queue). Absent in state
   * written by older versions.
   */
  fills?: string[];
}

const FINAL = new Set<OrderUpdate['status']>(['closed', 'canceled', 'rejected', 'expired']);
/** How many finished client order ids are remembered, at least, for duplicate protection. */
const REMEMBER_DONE = 10_000;
/** How many recent fills the state keeps for the journal's catch-up. */
export const REMEMBER_FILLS = 500;

export interface AccountOptions {
  exchangeId: string;
  mode: Mode;
  store: StateStore;
  storeKey: string;
  /** Virtual or wall clock, ms. */
  now: () => number;
  /** Initial simulated balances (sim, paper) when the store has none. */
  initialBalances?: Record<string, number>;
  /** The exchange node's cap on one order's value (quote currency): anything above is refused. */
  maxNotional?: number;
  /** Claims on client order ids shared with other instances trading the same account. */
  claims?: OrderClaims;
  /** Rest stop-losses at the exchange where the executor can (live); otherwise the bot watches them. */
  exchangeStops?: boolean;
  /** Hears trouble the account retries by itself (a limit timeout's cancel that failed), for the nodes' statuses. */
  onStatus?: TradingStatusSink;
  /** The market's precision and minimums (ladder rungs round their parts to them); undefined where not known. */
  market?: (symbol: string) => MarketInfo | undefined;
  /** A limit timeout's cancel that failed is tried again on the first price at least this much later (ms of price time; default 2 s). */
  cancelRetryMs?: number;
  /** Where failures the account handles by itself are written (a background save, a stop's close); default nowhere. */
  log?: Logger;
}

export type PlaceResult = { update: OrderUpdate; duplicate: boolean };

export class TradingAccount {
  readonly portfolio = new Portfolio();
  /** Where failures the account handles by itself are written. */
  private readonly log: Logger;
  /** A background save that keeps failing is written once, and once when saves work again. */
  private readonly saveTrouble: StateChangeLog;
  /** A stop whose close fails unexpectedly is written once per symbol until a close works. */
  private readonly stopTrouble: StateChangeLog;
  readonly stops = new StopBook();
  private executor: OrderExecutor | undefined;
  private readonly open = new Map<string, OrderRecord>();
  private readonly listeners = new Map<string, OrderListener>();
  private done: string[] = [];
  private doneSet = new Set<string>();
  private saving: Promise<void> = Promise.resolve();
  private pendingSave: Promise<void> | undefined;
  /** Who hears about stop-triggered closes, per symbol: the listener of the order that opened the position. */
  private readonly stopOwners = new Map<string, OrderListener>();
  /** Hears updates of orders nobody listens to (restored after a restart, or whose owner is gone). */
  private fallback: OrderListener | undefined;
  /** See every update of every order, whoever placed it (the backtest report's trade list). */
  readonly observers = new Set<OrderListener>();
  /** See every fill as booked, once it is saved (the trade journal). */
  readonly fillObservers = new Set<(fill: FillRecord) => void>();
  /** The last fills booked, as JSON (the state's `fills`). */
  private recentFills: string[] = [];
  /** Updates that came before anyone listened (at start-up), handed over when someone does. */
  private unheard: OrderUpdate[] = [];
  /** Stop-loss orders resting at the exchange (live, where it has them). */
  private readonly exchangeStops: ExchangeStops | undefined;
  /** Who waits for an order to reach its final state (cancelUntilFinal). */
  private readonly finalWaiters = new Map<string, () => void>();
  /** State writes started and not finished, and updates booked whose listeners have not run yet. */
  private writing = 0;
  private untold = 0;
  /** Counts every change of orders or balances: reconciliation discards a reading taken across one. */
  private changes = 0;
  /** See bookWithoutWaiting. */
  private bookingNow = false;
  /** The metrics' labels, made once (a backtest books thousands of orders). */
  private readonly metricLabels: { exchange: string; mode: Mode };
  private readonly outcomeCounts = new Map<string, metrics.OrderCount>();

  /**
   * Books without waiting, for the backtest's fast path (docs/backtest.md): an account whose store
   * keeps nothing (a backtest's) has no record to make durable before an order goes out and no
   * write to wait for before its listeners hear of an update. With this on, orders go to an
   * executor that answers at once (submitNow) as soon as they are recorded, and each update
   * reaches the observers and the listener as it is booked, in the same order as otherwise. Only
   * for a backtest account whose store discards writes: every other account writes its record
   * before an order is sent.
   */
  bookWithoutWaiting(on: boolean): void {
    if (on && (this.o.mode !== 'backtest' || !this.o.store.discardsWrites)) throw new Error('only a backtest account that keeps no state books without waiting');
    this.bookingNow = on;
  }

  /** Whether the account books without waiting (bookWithoutWaiting): place orders with placeNow(). */
  get booksWithoutWaiting(): boolean {
    return this.bookingNow;
  }

  /** Grows with every booked update, every order recorded and every adoption of balances. */
  get version(): number {
    return this.changes;
  }

  /** An order is on its way (recorded, no answer from the exchange yet) or its outcome is unknown. */
  get ordersInFlight(): boolean {
    for (const r of this.open.values()) if (r.last.id === null || r.last.status === 'unknown') return true;
    return false;
  }

  /** The request of an open order (reconciliation looks up one that is missing at the exchange). */
  openRequest(clientOrderId: string): OrderRequest | undefined {
    return this.open.get(clientOrderId)?.request;
  }

  /**
   * Takes the exchange's balances as the account's (reconciliation: the exchange is the truth). A
   * currency the exchange no longer lists is 0. Positions are cut to the base currency held. Resolves
   * once the result is saved.
   */
  adoptBalances(balances: Record<string, { free: number; used: number }>): Promise<void> {
    for (const currency of new Set([...Object.keys(this.portfolio.allBalances()), ...Object.keys(balances)])) {
      this.portfolio.setBalance(currency, balances[currency] ?? { free: 0, used: 0 });
    }
    for (const p of this.portfolio.openPositions()) {
      const b = this.portfolio.balance(splitSymbol(p.symbol).base);
      this.portfolio.capPosition(p.symbol, b.free + b.used);
    }
    this.changes++;
    return this.save();
  }

  get defaultListener(): OrderListener | undefined {
    return this.fallback;
  }

  set defaultListener(listener: OrderListener | undefined) {
    this.fallback = listener;
    if (!listener) return;
    const waiting = this.unheard;
    this.unheard = [];
    for (const update of waiting) listener(update);
  }

  constructor(readonly o: AccountOptions) {
    this.log = o.log ?? silentLogger;
    this.metricLabels = { exchange: o.exchangeId, mode: o.mode };
    this.saveTrouble = new StateChangeLog(this.log);
    this.stopTrouble = new StateChangeLog(this.log, 'error');
    this.exchangeStops = o.exchangeStops
      ? new ExchangeStops({
          stops: this.stops,
          portfolio: this.portfolio,
          format: (symbol) => this.executor?.stopLossOrders?.(symbol),
          openOrder: (id) => this.open.get(id),
          otherOrderOpen: (symbol) => [...this.open.values()].some((r) => r.request.symbol === symbol && r.request.stopLossPrice === undefined),
          place: async (request) => (await this.place(request, this.stopOwners.get(request.symbol), true)).update,
          cancelUntilFinal: (id) => this.cancelUntilFinal(id),
          // Nobody waits on this save: a failure is written to the log (once until a save works again).
          changed: () => void this.save().catch((err) => this.saveTrouble.fail('save', `the account's state could not be saved (its stops changed): ${errorText(err)}`)),
          log: this.log,
          now: () => this.o.now(),
        })
      : undefined;
  }

  /** Loads saved state (or the initial balances) and attaches the executor. */
  async init(executor: OrderExecutor): Promise<void> {
    this.executor = executor;
    const saved = await this.o.store.get<AccountState>(this.o.storeKey);
    if (saved) {
      this.portfolio.restore(saved.portfolio);
      for (const r of saved.open) this.open.set(r.request.clientOrderId, { ...r });
      this.done = saved.done.slice(-REMEMBER_DONE);
      this.doneSet = new Set(this.done);
      this.stops.restore(saved.stops);
      this.recentFills = (saved.fills ?? []).slice(-REMEMBER_FILLS);
    } else if (this.o.initialBalances) {
      for (const [currency, free] of Object.entries(this.o.initialBalances)) this.portfolio.setBalance(currency, { free, used: 0 });
      await this.save();
    }
    if (executor.restore) {
      // The simulator lost its memory with the restart: resting limit orders go back on its book;
      // an order it never acknowledged was never executed.
      for (const r of [...this.open.values()]) {
        if (r.last.id === null) this.apply({ ...r.last, status: 'rejected', ts: this.o.now(), reason: 'not executed before the restart' });
        else executor.restore(r.request, r.last, (u) => this.apply(u));
      }
    }
  }

  /** The executor, for the backtest driver that moves its price path. */
  executorForBacktest(): OrderExecutor | undefined {
    return this.executor;
  }

  /** The fills the state remembers (the newest REMEMBER_FILLS), oldest first: the journal's catch-up. */
  rememberedFills(): FillRecord[] {
    const out: FillRecord[] = [];
    for (const text of this.recentFills) {
      try {
        out.push(JSON.parse(text) as FillRecord);
      } catch {
        /* a damaged entry is skipped; the others still count */
      }
    }
    return out;
  }

  /** Whether an order with this client order id ended here (filled, canceled, rejected, expired): it is never sent again. */
  finished(clientOrderId: string): boolean {
    return this.doneSet.has(clientOrderId);
  }

  openOrders(): OrderUpdate[] {
    return [...this.open.values()].map((r) => r.last);
  }

  /** Open orders that were restored from the store and need to be looked up at the exchange. */
  restoredOpen(): OrderRequest[] {
    return [...this.open.values()].map((r) => r.request);
  }

  /**
   * Places an order unless its client order id was seen before: then nothing is sent, and the
   * order's latest state comes back with duplicate = true. `listener` gets every later update.
   */
  async place(request: ExecutorRequest, listener?: OrderListener, stopClose = false): Promise<PlaceResult> {
    if (!this.executor) throw new Error('the account is not ready yet');
    const refused = this.refusal(request, listener, stopClose);
    if (refused) return refused;
    try {
      if (this.o.claims && !(await this.o.claims.claim(request.clientOrderId))) {
        return { update: { ...this.placeholder(request), status: 'rejected', reason: `client order id ${request.clientOrderId} was placed by another instance: not sent again` }, duplicate: true };
      }
    } catch (err) {
      const update: OrderUpdate = { ...this.placeholder(request), status: 'rejected', reason: `state store unavailable (${(err as Error).message}): not sent` };
      listener?.(update);
      return { update, duplicate: false };
    }
    const resting = request.side === 'sell' && !stopClose ? this.exchangeStops?.resting(request.symbol) : undefined;
    if (resting !== undefined) {
      // The coins are locked by the stop resting at the exchange: take it down first, one thing at a time.
      return this.exchangeStops!.exclusive(request.symbol, async () => {
        try {
          await this.exchangeStops!.takeDown(resting);
        } catch (err) {
          const update: OrderUpdate = { ...this.placeholder(request), status: 'rejected', reason: `the stop-loss resting at the exchange could not be canceled first (${(err as Error).message}): not sent` };
          listener?.(update);
          return { update, duplicate: false };
        }
        return this.send(request, listener, stopClose);
      });
    }
    return this.send(request, listener, stopClose);
  }

  /**
   * place() done at once, where nothing needs waiting for: an account booking without waiting
   * (bookWithoutWaiting), with no claims shared with other instances and no stops resting at an
   * exchange. Undefined where it cannot be done at once: then use place().
   */
  placeNow(request: ExecutorRequest, listener?: OrderListener): PlaceResult | undefined {
    if (!this.bookingNow || !this.executor?.submitNow || this.o.claims || this.exchangeStops) return undefined;
    return this.refusal(request, listener, false) ?? this.sendNow(request, listener, false);
  }

  /** Why an order may not be sent, decided from what the account knows (a repeated client order id, the max-order cap); undefined when it may. */
  private refusal(request: ExecutorRequest, listener: OrderListener | undefined, stopClose: boolean): PlaceResult | undefined {
    const known = this.open.get(request.clientOrderId);
    if (known) return { update: known.last, duplicate: true };
    if (this.doneSet.has(request.clientOrderId)) {
      return {
        update: { ...this.placeholder(request), status: 'rejected', reason: `client order id ${request.clientOrderId} was already used: not sent again` },
        duplicate: true,
      };
    }
    // The cap guards against oversized orders that add risk. A sell of coins held only reduces it:
    // refusing it would leave a position the bot can never close (a stop or take-profit included).
    const held = this.portfolio.position(request.symbol)?.amount ?? 0;
    const reducesPosition = request.side === 'sell' && (stopClose || request.amount <= held * (1 + 1e-9));
    const cap = reducesPosition ? undefined : this.o.maxNotional;
    if (cap !== undefined) {
      const price = this.fillPriceBound(request);
      const reason =
        price === undefined
          ? `no market price known for ${request.symbol} to check the max order value ${cap}: not sent`
          : request.amount * price > cap * (1 + 1e-9)
            ? `order value ${+(request.amount * price).toPrecision(8)} (at ${+price.toPrecision(8)}, the price it would fill at) is above the exchange node's max order ${cap}: not sent`
            : undefined;
      if (reason) {
        const update: OrderUpdate = { ...this.placeholder(request), status: 'rejected', reason };
        listener?.(update);
        return { update, duplicate: false };
      }
    }
    return undefined;
  }

  /** Records the order as pending: the write-ahead record (send) or, booking without waiting, the record alone (sendNow). */
  private record(request: ExecutorRequest, listener: OrderListener | undefined, stopClose: boolean): void {
    if (listener) this.listeners.set(request.clientOrderId, listener);
    // A backtest's latency would be this machine's, not an exchange's: not measured (docs/health-and-metrics.md).
    const record: OrderRecord = { request, last: this.placeholder(request), sentAt: this.o.mode === 'backtest' ? undefined : Date.now() };
    if (stopClose) record.stopClose = true;
    if (request.type === 'limit' && request.timeoutMs) record.cancelAt = request.ts + request.timeoutMs;
    this.open.set(request.clientOrderId, record);
    this.changes++;
  }

  /** Records the order (write-ahead) and hands it to the executor. */
  private async send(request: ExecutorRequest, listener: OrderListener | undefined, stopClose: boolean): Promise<PlaceResult> {
    if (!this.executor) throw new Error('the account is not ready yet');
    // Booking without waiting: a store that keeps nothing has no record to make durable first.
    if (this.bookingNow && this.executor.submitNow) return this.sendNow(request, listener, stopClose);
    // Write-ahead: the order is recorded as pending before anything is sent, so a crash between
    // sending and hearing back leaves a record to reconcile, never an unknown order.
    this.record(request, listener, stopClose);
    try {
      await this.save();
    } catch (err) {
      // No order goes out on state nobody saved: with the store down, refuse and say so.
      this.open.delete(request.clientOrderId);
      this.listeners.delete(request.clientOrderId);
      const update: OrderUpdate = { ...this.placeholder(request), status: 'rejected', reason: `state store unavailable (${(err as Error).message}): not sent` };
      listener?.(update);
      return { update, duplicate: false };
    }
    const update = await this.executor.submit(request, (u) => this.apply(u));
    return { update, duplicate: false };
  }

  /** send() at once (bookWithoutWaiting): recorded, then handed to the executor, which answers at once. */
  private sendNow(request: ExecutorRequest, listener: OrderListener | undefined, stopClose: boolean): PlaceResult {
    this.record(request, listener, stopClose);
    return { update: this.executor!.submitNow!(request, this.sink), duplicate: false };
  }

  /** Where the executor's updates go (one function for every order). */
  private readonly sink = (update: OrderUpdate): void => this.apply(update);

  /** Adopts an order's state found at the exchange (reconciliation after a restart). */
  adopt(update: OrderUpdate): void {
    if (this.open.has(update.clientOrderId)) this.apply(update);
  }

  async cancel(clientOrderId: string): Promise<void> {
    await this.executor?.cancel(clientOrderId);
  }

  /**
   * Cancels an open order and resolves once its final state is booked (canceled, or filled if it
   * fired first). Network failures are retried a few times with backoff; then it throws.
   */
  async cancelUntilFinal(clientOrderId: string, attempts = 5): Promise<void> {
    if (!this.open.has(clientOrderId)) return;
    const final = new Promise<void>((resolve) => this.finalWaiters.set(clientOrderId, resolve));
    try {
      let lastError: unknown;
      for (let attempt = 0; attempt < attempts && this.open.has(clientOrderId); attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
        try {
          await this.executor?.cancel(clientOrderId);
          // The executor books the final state before it returns; give a pushed update a moment.
          await Promise.race([final, new Promise((resolve) => setTimeout(resolve, 1_000))]);
        } catch (err) {
          lastError = err;
        }
      }
      if (this.open.has(clientOrderId)) {
        throw new Error(`order ${clientOrderId} could not be canceled${lastError ? `: ${(lastError as Error).message}` : ''}`);
      }
    } finally {
      this.finalWaiters.delete(clientOrderId);
    }
  }

  /** After the live start-up reconciliation: every position's stop resting at the exchange is checked. */
  resumeExchangeStops(): Promise<void> {
    return this.exchangeStops?.syncAll() ?? Promise.resolve();
  }

  /**
   * The price an order would fill at, as high as it can be, for the max-order cap: whatever price
   * a message carries, a market order fills at the market (the ask for a buy, the bid for a sell,
   * else the last price), a limit buy at its limit or lower, a limit sell at its limit or higher
   * (the market's price when that is above the limit). Undefined when the market price it needs
   * is not known.
   */
  private fillPriceBound(request: ExecutorRequest): number | undefined {
    const market = this.marketPrice(request.symbol, request.side);
    if (request.type === 'limit' && request.price !== undefined) {
      if (request.side === 'buy') return request.price;
      return market === undefined ? undefined : Math.max(request.price, market);
    }
    return market;
  }

  /**
   * The market's price of a symbol as the account last heard it: the latest ticker's ask (for a
   * buy) or bid (for a sell) where it gives them, else its last price; in a backtest the replay's
   * price. Not a fill's price: a simulated limit that crosses fills at its own price, which is
   * not the market's. Falls back to the portfolio's last price (saved before a restart).
   */
  marketPrice(symbol: string, side?: 'buy' | 'sell'): number | undefined {
    if (this.o.mode === 'backtest') return this.portfolio.lastPrice(symbol);
    const quote = this.quotes.get(symbol);
    const sided = side === 'buy' ? quote?.ask : side === 'sell' ? quote?.bid : undefined;
    return sided ?? quote?.last ?? this.portfolio.lastPrice(symbol);
  }

  /** The latest ticker's bid, ask and last price, per symbol. */
  private readonly quotes = new Map<string, { bid: number | null; ask: number | null; last: number }>();

  /** Marks the portfolio at a ticker's last price and keeps its bid and ask for the max-order cap. */
  notePrice(ticker: Ticker): void {
    this.portfolio.mark(ticker.symbol, ticker.last);
    this.quotes.set(ticker.symbol, { bid: ticker.bid, ask: ticker.ask, last: ticker.last });
  }

  /** A new price: marks the portfolio, fills simulated limit orders, fires stops and timeouts. */
  onPrice(ticker: Ticker): void {
    this.notePrice(ticker);
    this.executor?.onPrice(ticker);
    for (const r of this.open.values()) {
      // Only an order the exchange has acknowledged (it has an id) can be canceled: one still being
      // sent (a paced exchange: Kraken allows a private call every 3 s) keeps its timeout for the
      // first price after the answer; taking the timeout now would cancel nothing and drop it.
      if (r.cancelAt !== undefined && ticker.ts >= r.cancelAt && r.last.status === 'open' && r.last.id !== null) {
        r.cancelAt = undefined;
        this.cancelOnTimeout(r, ticker.ts);
      }
    }
    const hit = this.stops.check(ticker, this.stopCloseOpen(ticker.symbol));
    // closeOnStop handles its own failures (the stop is re-armed); the catch is for a bug, written
    // down (once per symbol until a close works: a stop is checked on every price), never an exit.
    if (hit) {
      this.closeOnStop(hit).then(
        () => this.stopTrouble.ok(hit.symbol, `the stop on ${hit.symbol} closes the position again`),
        (err) => this.stopTrouble.fail(hit.symbol, `the stop on ${hit.symbol} failed to close the position: ${errorText(err)}`),
      );
    }
  }

  /** Whether a stop's close (a ladder rung's partial sell) on the symbol is still open: the held amount is not final yet. */
  private stopCloseOpen(symbol: string): boolean {
    if (this.stops.get(symbol)?.ladder === undefined) return false;
    for (const r of this.open.values()) if (r.stopClose && r.request.symbol === symbol && r.request.stopLossPrice === undefined) return true;
    return false;
  }

  /**
   * A limit order's timeout: cancel it. The exchange may fail to answer (a 503, a timeout): the
   * order is still open there, so the cancel is tried again on a later price, and the nodes hear
   * why until it goes through (its final state then comes as an order update).
   */
  private cancelOnTimeout(r: OrderRecord, priceTs: number): void {
    const id = r.request.clientOrderId;
    const retryLater = (err: unknown) => {
      if (this.open.get(id) !== r || FINAL.has(r.last.status)) return;
      r.cancelAt = priceTs + (this.o.cancelRetryMs ?? 2_000);
      try {
        this.o.onStatus?.({ level: 'warn', text: `cancel of ${id} after its timeout failed (${describeExchangeError(err)}): retrying` });
      } catch {
        /* a status listener's failure is not the order's */
      }
    };
    // Called synchronously: the simulator cancels at once, before the next price of the same
    // path (backtests stay as they were); a live cancel's failure is handled, never left floating.
    let cancelling: Promise<void> | undefined;
    try {
      cancelling = this.executor?.cancel(id);
    } catch (err) {
      retryLater(err);
      return;
    }
    cancelling?.catch(retryLater);
  }

  /** Symbols the account needs prices for: open orders, stops and positions. */
  watchedSymbols(): string[] {
    const symbols = new Set<string>(this.stops.symbols());
    for (const r of this.open.values()) symbols.add(r.request.symbol);
    for (const p of this.portfolio.openPositions()) symbols.add(p.symbol);
    return [...symbols];
  }

  /** A node that closes stops hearing updates; orders it placed report to the default listener. */
  forget(listener: OrderListener): void {
    for (const [id, l] of this.listeners) if (l === listener) this.listeners.delete(id);
    for (const [symbol, l] of this.stopOwners) if (l === listener) this.stopOwners.delete(symbol);
    if (this.fallback === listener) this.fallback = undefined;
  }

  /**
   * Nothing can happen without a new price or order: no order open, no stop armed, no state write
   * or listener pending. The backtest skips the price path of a candle, and the waits for
   * listeners, while the account is quiet (most candles of a run).
   */
  get quiet(): boolean {
    return this.open.size === 0 && this.stops.size === 0 && this.settled;
  }

  /** No state write and no listener pending: flush() has nothing to wait for. */
  get settled(): boolean {
    return this.writing === 0 && this.untold === 0;
  }

  /** Waits until every state change so far is stored. */
  flush(): Promise<void> {
    return this.saving;
  }

  async close(): Promise<void> {
    await this.executor?.close();
    await this.flush();
  }

  private async closeOnStop(hit: StopHit): Promise<void> {
    if (this.exchangeStops) {
      await this.exchangeStops.exclusive(hit.symbol, async () => {
        try {
          await this.exchangeStops!.takeDown(hit.exchangeOrder);
        } catch {
          // Could not cancel it: it stays and protects the position; the bot tries again on the next price.
          this.rearm(hit);
          return;
        }
        await this.sendStopClose(hit);
      });
      return;
    }
    await this.sendStopClose(hit);
  }

  private async sendStopClose(hit: StopHit): Promise<void> {
    // Read now: an exchange stop that fired just before it was canceled already sold.
    const position = this.portfolio.position(hit.symbol);
    if (!position) return;
    const free = this.portfolio.balance(splitSymbol(hit.symbol).base).free;
    const held = Math.min(position.amount, free);
    const amount = hit.rung ? this.rungAmount(hit.symbol, held, hit.rung.share, hit.price) : held;
    if (amount === 0) return; // a rung too small to be an order on its own: its part stays with the rungs above
    const request: OrderRequest = {
      kind: 'orderRequest',
      clientOrderId: hit.clientOrderId,
      symbol: hit.symbol,
      side: 'sell',
      type: 'market',
      amount,
      reason: hit.rung ? `take-profit rung ${hit.rung.index + 1} at ${hit.level} (price ${hit.price}): ${+(100 * hit.rung.share).toPrecision(6)} % of the position` : `${hit.kind} at ${hit.level} (price ${hit.price})`,
      ts: this.o.now(),
    };
    try {
      await this.place(request, this.stopOwners.get(hit.symbol), true);
    } catch {
      /* the close failed to send: the position stays; the stop is re-armed below */
      if (hit.rung) this.rearm(hit);
      else this.stops.set({ symbol: hit.symbol, parentClientOrderId: hit.clientOrderId, stopLoss: hit.kind === 'stop-loss' ? hit.level : undefined, highWater: hit.price });
    }
  }

  /**
   * The amount a ladder rung sells: its share of what is held, rounded down to the market's amount
   * step. Everything held when the rest would be too small to sell later (below the market's
   * minimum amount or order value), 0 (nothing sent) when the part itself is. Without market
   * information the share is sold as it comes (the exchange rounds it).
   */
  private rungAmount(symbol: string, held: number, share: number, price: number): number {
    if (share >= 1) return held;
    const market = this.o.market?.(symbol);
    const step = market?.amountStep;
    const amount = floorToStep(held * share, step);
    const rest = floorToStep(held - amount, step);
    const tooSmall = (x: number) => !(x > 0) || (market?.minAmount !== undefined && x < market.minAmount) || (market?.minNotional !== undefined && x * price < market.minNotional);
    if (tooSmall(rest)) return held;
    return tooSmall(amount) ? 0 : amount;
  }

  /** A stop whose close could not go out is armed again: a ladder rung unfired, a whole stop put back. */
  private rearm(hit: StopHit): void {
    if (hit.rung && !hit.rung.last) this.stops.unfire(hit.symbol, hit.rung.index);
    else if (hit.rung) {
      hit.levels.ladder![hit.rung.index]!.fired = false;
      this.stops.set(hit.levels);
    } else this.stops.set(hit.levels);
  }

  /** Books an update: reservation, fill delta into the portfolio, stops, persistence, listener. */
  private apply(incoming: OrderUpdate): void {
    const record = this.open.get(incoming.clientOrderId);
    if (!record) return;
    this.changes++;
    // Stop-triggered closes and force exits say why they happened on every update.
    const update = (record.stopClose || isForceExit(record.request)) && !incoming.reason ? { ...incoming, reason: record.request.reason } : incoming;
    const prev = record.last;
    const { base, quote } = splitSymbol(update.symbol);

    if (update.status === 'open' && update.type === 'limit' && !record.reserved && update.price !== null) {
      const amount = update.side === 'buy' ? update.amount * update.price : update.amount;
      const currency = update.side === 'buy' ? quote : base;
      const take = Math.min(amount, this.portfolio.balance(currency).free);
      this.portfolio.reserve(currency, take);
      record.reserved = { currency, amount: take, consumed: 0 };
    }

    const filledDelta = update.filled - prev.filled;
    let fill: FillRecord | undefined;
    if (filledDelta > 1e-15) {
      const cost = (update.average ?? 0) * update.filled - (prev.average ?? 0) * prev.filled;
      const price = cost / filledDelta;
      const feeDelta = update.fee.currency === prev.fee.currency ? update.fee.cost - prev.fee.cost : update.fee.cost;
      let fromReserved = false;
      if (record.reserved) {
        const need = update.side === 'buy' ? filledDelta * price : filledDelta;
        if (record.reserved.amount - record.reserved.consumed + 1e-9 >= need) {
          record.reserved.consumed += need;
          fromReserved = true;
        }
      }
      const heldBefore = this.portfolio.position(update.symbol)?.amount ?? 0;
      const fee = { cost: Math.max(0, feeDelta), currency: update.fee.currency };
      this.portfolio.applyFill({ symbol: update.symbol, side: update.side, amount: filledDelta, price, fee, ts: update.ts }, fromReserved);
      // The journal's record of the fill: made where someone reads it (a store that keeps the
      // state's tail of fills, or a fill observer).
      if (!this.o.store.discardsWrites || this.fillObservers.size > 0) fill = this.fillRecord(record, update, filledDelta, price, fee, heldBefore);
      if (update.side === 'buy') this.armStops(record.request, price, this.listenerOf(update.clientOrderId));
      else if (!this.portfolio.position(update.symbol)) {
        // Sold out: a stop still resting at the exchange for these coins goes too.
        const orphan = this.exchangeStops?.resting(update.symbol);
        this.stops.clear(update.symbol);
        if (orphan !== undefined && orphan !== update.clientOrderId) {
          void this.exchangeStops!.exclusive(update.symbol, () => this.exchangeStops!.takeDown(orphan)).catch((err) =>
            this.log.warn(`the stop-loss resting at the exchange for ${update.symbol} (${orphan}) could not be canceled after the position was sold: ${errorText(err)}`),
          );
        }
      }
    }

    this.count(record, prev, update);
    record.last = update;
    if (FINAL.has(update.status)) {
      if (record.reserved) this.portfolio.release(record.reserved.currency, record.reserved.amount - record.reserved.consumed);
      this.open.delete(update.clientOrderId);
      rememberId(this.done, this.doneSet, update.clientOrderId, REMEMBER_DONE);
      if (this.finalWaiters.size) this.finalWaiters.get(update.clientOrderId)?.();
      // An order on the symbol ended: the stop resting at the exchange follows what is held now.
      if (this.exchangeStops) void this.exchangeStops.sync(update.symbol);
    }
    const listener = this.listenerOf(update.clientOrderId) ?? this.defaultListener;
    if (this.listeners.size && FINAL.has(update.status)) this.listeners.delete(update.clientOrderId);
    // The flow hears of a change only once it is saved: a crash in between cannot make it see a
    // fill the restarted account does not know. (Saves are serialised, so updates keep their order;
    // with the store down the update still goes out: the flow must know.)
    if (this.bookingNow) {
      // Nothing to save first (bookWithoutWaiting): told at once.
      try {
        this.tell(fill, update, listener);
      } catch (err) {
        this.log.warn(`a listener failed on the update of ${update.clientOrderId}: ${errorText(err)}`);
      }
      return;
    }
    this.untold++;
    const tell = () => {
      this.untold--;
      this.tell(fill, update, listener);
    };
    // tell runs the flow's listeners: one that throws must not become an unhandled rejection, nor go unseen.
    this.save().then(tell, tell).catch((err) => this.log.warn(`a listener failed on the update of ${update.clientOrderId}: ${errorText(err)}`));
  }

  /** The listener of an order (no lookup while nobody listens: a backtest's fast path places orders without one). */
  private listenerOf(clientOrderId: string): OrderListener | undefined {
    return this.listeners.size ? this.listeners.get(clientOrderId) : undefined;
  }

  /** Hands a booked update (and its fill) to the observers and the order's listener. */
  private tell(fill: FillRecord | undefined, update: OrderUpdate, listener: OrderListener | undefined): void {
    if (fill) for (const observer of this.fillObservers) observer(fill);
    for (const observer of this.observers) observer(update);
    if (listener) listener(update);
    else if (this.unheard.length < 1000) this.unheard.push(update);
  }

  /** Metrics: orders by outcome, and the time to the first definite answer. */
  private count(record: OrderRecord, prev: OrderUpdate, update: OrderUpdate): void {
    const labels = this.metricLabels;
    if (record.sentAt !== undefined && (update.id !== null || (update.status !== 'open' && update.status !== 'unknown'))) {
      metrics.orderLatency.observe(labels, (Date.now() - record.sentAt) / 1000);
      record.sentAt = undefined;
    }
    if (prev.id === null && update.id !== null) this.outcomeCount('placed').n++;
    if (FINAL.has(update.status) && !FINAL.has(prev.status)) {
      const outcome = update.status === 'closed' ? 'filled' : update.status;
      this.outcomeCount(outcome).n++;
    }
  }

  /** The orders counter's count for an outcome of this account (added to the counter when it is read). */
  private outcomeCount(outcome: string): metrics.OrderCount {
    let count = this.outcomeCounts.get(outcome);
    if (!count) {
      count = metrics.orderCount({ ...this.metricLabels, outcome });
      this.outcomeCounts.set(outcome, count);
    }
    return count;
  }

  /** The journal's record of a fill (types.ts), remembered in the state until REMEMBER_FILLS newer ones came. */
  private fillRecord(record: OrderRecord, update: OrderUpdate, amount: number, price: number, fee: { cost: number; currency: string }, heldBefore: number): FillRecord {
    const { base, quote } = splitSymbol(update.symbol);
    const request = record.request;
    // The optional fields are set in place, in the record's order (no spread of a small object per fill).
    const fill: FillRecord = {
      id: `${update.clientOrderId}@${+update.filled.toPrecision(12)}`,
      clientOrderId: update.clientOrderId,
      orderId: update.id,
      exchange: this.o.exchangeId,
      mode: this.o.mode,
      symbol: update.symbol,
      side: update.side,
      amount,
      price,
      fee,
      feeQuote: fee.currency === quote ? fee.cost : fee.currency === base ? fee.cost * price : 0,
      ts: update.ts,
    } as FillRecord;
    if (request.strategy) fill.strategy = request.strategy;
    if (request.signalId) fill.signalId = request.signalId;
    if (record.stopClose || isForceExit(request)) fill.reason = request.reason;
    if (record.stopClose) fill.stopClose = true;
    fill.heldBefore = heldBefore;
    fill.heldAfter = this.portfolio.position(update.symbol)?.amount ?? 0;
    // Only a store that keeps the state needs the tail (a backtest's does not).
    if (!this.o.store.discardsWrites) {
      this.recentFills.push(JSON.stringify(fill));
      if (this.recentFills.length > REMEMBER_FILLS) this.recentFills.shift();
    }
    return fill;
  }

  private armStops(request: OrderRequest, entry: number, owner: OrderListener | undefined): void {
    if (request.stopLoss === undefined && request.takeProfit === undefined && request.trailingStop === undefined && !request.takeProfitLadder?.length) return;
    if (owner) this.stopOwners.set(request.symbol, owner);
    this.stops.set({
      symbol: request.symbol,
      parentClientOrderId: request.clientOrderId,
      stopLoss: request.stopLoss,
      takeProfit: request.takeProfit,
      ...(request.takeProfitLadder ? { ladder: request.takeProfitLadder.map((rung) => ({ fraction: rung.fraction, price: rung.price })) } : {}),
      trailingStop: request.trailingStop,
      highWater: entry,
    });
  }

  private placeholder(request: OrderRequest): OrderUpdate {
    return newOrderUpdate(request, this.o.exchangeId, this.o.mode, request.ts);
  }

  /**
   * Writes the state. Writes are serialised and coalesced: changes made while a write is pending
   * join it, and the state is taken when the write starts, so the store always ends with the
   * latest state and a burst of fills costs one write, not one per fill.
   */
  private save(): Promise<void> {
    if (this.pendingSave) return this.pendingSave;
    this.writing++;
    const write = this.saving.then(async () => {
      this.pendingSave = undefined;
      try {
        // A store that keeps nothing (the backtest's) is not worth a copy of the account per write.
        if (!this.o.store.discardsWrites) {
          await this.o.store.set(this.o.storeKey, this.state());
          this.saveTrouble.ok('save', `the account's state is saved again`);
        }
      } finally {
        this.writing--;
      }
    });
    this.pendingSave = write;
    // The chain goes on after a failed write (the next one writes the whole state anyway);
    // the caller of this write sees its failure.
    this.saving = write.catch(() => undefined);
    write.catch(() => undefined);
    return write;
  }

  private state(): AccountState {
    return {
      portfolio: this.portfolio.snapshot(),
      open: [...this.open.values()].map((r) => ({ request: r.request, last: r.last, reserved: r.reserved, cancelAt: r.cancelAt, stopClose: r.stopClose })),
      done: this.done.slice(),
      stops: this.stops.snapshot(),
      fills: this.recentFills.slice(),
    };
  }
}
