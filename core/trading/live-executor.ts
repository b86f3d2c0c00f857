/**
 * Real orders through ccxt (live mode). The rule that keeps money safe: an order is sent at most
 * once per client order id, unless the exchange certainly never received it.
 *  - Not sent (rate limited, connection refused: see order-errors.ts): sent again with the same
 *    client order id after a pause, a few times, then rejected.
 *  - Ambiguous (timeout, reset, 5xx, garbled answer): the order may exist, or may still be
 *    executed late (Binance: "execution status UNKNOWN"). It goes to the flow as `unknown` and
 *    is resolved by looking it up by client order id, repeatedly, over the unknown-order window:
 *    found -> adopted and followed like any other; not found by a lookup made after the window
 *    ended -> `rejected`, "never seen at the exchange". It is NEVER sent again: a resend is what
 *    made two orders of one when the first request executed late. A lookup that fails is no
 *    answer: the executor keeps looking (and says so), it never takes a failed lookup for "not
 *    found".
 *  - Anything else is the exchange's final rejection, reported.
 * Open orders are then followed to a final state through the exchange's order websocket (ccxt
 * watchOrders) where it has one, with polling as the safety net (every poll interval without a
 * websocket, five times slower with one), one request per open order per poll, paced by ccxt's
 * rate limiter. Every loop here handles its own failures: an exchange that fails, a socket that
 * drops, a poll answered with an error are reported through onStatus and retried with backoff;
 * none ends the process.
 */
import type { OrderRequest, OrderStatus, OrderUpdate, Ticker } from '../contract';
import { Backoff, Sleeper } from '../util/backoff';
import { errorClassChain } from '../market/ccxt-loader';
import { newOrderUpdate, rejectedUpdate, type ExecutorRequest, type OrderExecutor, type StopLossOrderFormat, type TradingStatusSink, type UpdateSink } from './executor';
import { describeExchangeError, isAmbiguousError, isNotFoundError, isNotSentError } from './order-errors';
import { clientOrderIdParam, echoedClientOrderId, exchangeClientOrderId } from '../exchanges/client-order-id';
import { exchangeProfile, orderLookupOf } from '../exchanges/profile';
import { splitSymbol } from '../market/symbol';

export { isAmbiguousError } from './order-errors';

export interface LiveExecutorOptions {
  /** The exchange config node's ccxt instance (shared rate limiter). */
  exchange: any;
  exchangeId: string;
  now: () => number;
  pollMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Sends of a request the exchange certainly did not receive (rate limited, refused) before it is rejected. */
  maxAttempts?: number;
  /** Follow orders over the exchange's websocket where it has one (default true). */
  websocket?: boolean;
  /**
   * How long after an ambiguous failure an order can still appear at the exchange, ms: lookups
   * go on this long before "never seen" is final. Default: defaultUnknownOrderWindowMs.
   */
  unknownWindowMs?: number;
  /** Trouble and recovery of the order stream, the polls and the lookups, for the nodes' statuses. */
  onStatus?: TradingStatusSink;
}

/**
 * The unknown-order window an exchange gets when the exchange node leaves it blank.
 *  - Binance (and its ccxt variants): the matching engine refuses a request older than its
 *    recvWindow (ccxt sends 10 s: options.recvWindow), so a late execution can only happen within
 *    recvWindow of the request's timestamp, which lies before the failure. The window, counted
 *    from the failure, is recvWindow + 5 s of margin for clock offset and the engine's queue: 15 s.
 *  - Other exchanges document no such bound: 60 s, several times ccxt's default request timeout
 *    (10 s), so a request held in a gateway queue or retried by the exchange's own proxy has time
 *    to surface before the order is given up.
 */
export function defaultUnknownOrderWindowMs(exchange: { id?: string; options?: Record<string, unknown> } | undefined): number {
  const id = String(exchange?.id ?? '');
  if (id.startsWith('binance')) {
    const recvWindow = Number(exchange?.options?.recvWindow);
    return (Number.isFinite(recvWindow) && recvWindow > 0 ? recvWindow : 10_000) + 5_000;
  }
  return 60_000;
}

const STATUS: Record<string, OrderStatus> = { open: 'open', closed: 'closed', canceled: 'canceled', cancelled: 'canceled', expired: 'expired', rejected: 'rejected' };

interface Tracked {
  request: OrderRequest;
  orderId: string;
  last: OrderUpdate;
  sink: UpdateSink;
}

export class LiveExecutor implements OrderExecutor {
  private readonly tracked = new Map<string, Tracked>();
  private readonly sleeper = new Sleeper();
  private closed = false;
  private polling: Promise<void> | undefined;
  private watching: Promise<void> | undefined;
  /** The order websocket delivered without error since its last failure: polling slows down. */
  private wsHealthy = false;
  /** Unknown orders being looked up (markUnknown). */
  private readonly resolving = new Set<Promise<void>>();

  constructor(private readonly o: LiveExecutorOptions) {}

  async submit(request: ExecutorRequest, sink: UpdateSink): Promise<OrderUpdate> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    const maxAttempts = this.o.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new Error('order executor closed');
      try {
        const order = await this.o.exchange.createOrder(request.symbol, request.type, request.side, request.amount, request.price, {
          // The flow's id in the exchange's format (Kraken a UUID, Bitfinex an integer): the same every time.
          clientOrderId: clientOrderIdParam(this.ccxtId, request.clientOrderId),
          // ccxt's unified stop-loss parameter: a stop-market order triggered at this price
          ...(request.stopLossPrice !== undefined ? { stopLossPrice: request.stopLossPrice } : {}),
        });
        return this.adopt(request, await this.createdWithFees(request, order), sink);
      } catch (err) {
        if (isNotSentError(err)) {
          // Refused before it reached the exchange: the same client order id may go again.
          if (attempt >= maxAttempts) {
            return this.reject(request, sink, `not sent: ${attempt} attempts did not reach the exchange (${describeExchangeError(err)})`);
          }
          await this.sleeper.sleep(backoff.next(errorClassChain(err).includes('DDoSProtection')));
          continue;
        }
        if (isAmbiguousError(err)) return this.markUnknown(request, sink, describeExchangeError(err), Date.now());
        return this.reject(request, sink, `rejected by the exchange: ${describeExchangeError(err, 200)}`);
      }
    }
  }

  /**
   * The create answer with the fees of what filled: Bitfinex answers a filled market order with
   * no fee at all (ccxt bitfinex parseOrder), so they come from the order's trades, or the
   * portfolio would never pay them. Never throws: the order exists, whatever happens here; a fetch
   * that keeps failing leaves the fee out and says so.
   */
  private async createdWithFees(request: OrderRequest, order: any): Promise<any> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withFees(order, request.symbol);
      } catch (err) {
        if (this.closed || attempt >= 3) {
          this.status('warn', `the fee of ${request.clientOrderId} could not be read (${describeExchangeError(err)}): booked without it`);
          return order;
        }
        await this.sleeper.sleep(backoff.next());
      }
    }
  }

  /** ccxt's id of the exchange (binance, kraken): decides the client order id format and the lookup. */
  private get ccxtId(): string {
    return String(this.o.exchange.id ?? this.o.exchangeId);
  }

  /** The client order id this exchange received for the flow's id. */
  private wireId(request: OrderRequest): string {
    return exchangeClientOrderId(this.ccxtId, request.clientOrderId);
  }

  /** The unknown-order window in use, ms. */
  get unknownWindowMs(): number {
    return this.o.unknownWindowMs ?? defaultUnknownOrderWindowMs(this.o.exchange);
  }

  /**
   * The order's outcome is unknown (an ambiguous failure, or a restart while it was being sent):
   * the flow hears `unknown`, and lookups by client order id resolve it in the background until
   * `since` + the window. Returns the unknown update.
   */
  markUnknown(request: OrderRequest, sink: UpdateSink, why: string, since: number): OrderUpdate {
    const windowMs = this.unknownWindowMs;
    const update: OrderUpdate = {
      ...newOrderUpdate(request, this.o.exchangeId, 'live', this.o.now()),
      status: 'unknown',
      reason: `outcome unknown (${why}): looking it up for ${+(windowMs / 1000).toFixed(1)} s, never sent again`,
    };
    sink(update);
    const resolving = this.resolveUnknown(request, sink, since + windowMs, windowMs).catch((err) =>
      this.status('warn', `lookup of ${request.clientOrderId} stopped (${describeExchangeError(err)})`),
    );
    this.resolving.add(resolving);
    void resolving.finally(() => this.resolving.delete(resolving));
    return update;
  }

  /**
   * Looks the unknown order up until it is found (adopted) or a lookup made after `deadline`
   * says the exchange has no such order (rejected). Failed lookups never count as "not found".
   */
  private async resolveUnknown(request: OrderRequest, sink: UpdateSink, deadline: number, windowMs: number): Promise<void> {
    const initial = this.o.backoff?.initialMs ?? 500;
    // Often enough to adopt an order soon after it appears, no busier than a few lookups per window.
    const backoff = new Backoff(initial, Math.max(initial, Math.min(this.o.backoff?.maxMs ?? 30_000, windowMs / 4)));
    let failing = false;
    for (;;) {
      // The first pause lets a request still in flight land; the last lookup comes just after the deadline.
      const untilDeadline = deadline - Date.now();
      await this.sleeper.sleep(untilDeadline > 0 ? Math.min(backoff.next(), untilDeadline + 1) : backoff.next());
      if (this.closed) return;
      const askedAt = Date.now();
      let found: any | null;
      try {
        found = await this.lookup(request);
        if (found) found = await this.withFees(found, request.symbol);
      } catch (err) {
        failing = true;
        this.status('warn', `lookup of ${request.clientOrderId} failing (${describeExchangeError(err)}): retrying`);
        continue;
      }
      if (this.closed) return;
      if (failing) this.status('ok', `lookup of ${request.clientOrderId} answered again`);
      failing = false;
      if (found) {
        this.adopt(request, found, sink);
        return;
      }
      if (askedAt >= deadline) {
        this.reject(request, sink, `never seen at the exchange within the unknown-order window (${+(windowMs / 1000).toFixed(1)} s) after an ambiguous failure: not sent again`);
        return;
      }
    }
  }

  private reject(request: OrderRequest, sink: UpdateSink, reason: string): OrderUpdate {
    const update = rejectedUpdate(request, this.o.exchangeId, 'live', this.o.now(), reason);
    sink(update);
    return update;
  }

  private status(level: 'warn' | 'ok', text: string): void {
    try {
      this.o.onStatus?.({ level, text });
    } catch {
      /* a status listener's failure is not the order's */
    }
  }

  /** Looks up by client order id until the exchange answers: the order, or null when it has none. */
  async lookupUntilKnown(request: OrderRequest, backoff: Backoff): Promise<any | null> {
    for (;;) {
      if (this.closed) throw new Error('order executor closed');
      try {
        const found = await this.lookup(request);
        return found ? await this.withFees(found, request.symbol) : null;
      } catch (err) {
        if (!isAmbiguousError(err)) throw err;
        await this.sleeper.sleep(backoff.next());
      }
    }
  }

  /**
   * The order with this client order id at the exchange, or null when the exchange answers that
   * it has none. Any failure propagates (the caller keeps looking): a failed request is never
   * taken for "not found". How it asks depends on the exchange (core/exchanges/profile.ts):
   *  - fetch-by-client-id (Binance): one fetchOrder by client order id; OrderNotFound is the answer.
   *  - filter-by-client-id (Kraken): open, then closed orders, filtered by the exchange on the id.
   *    (Kraken's single-order query sends the id as `userref`, an integer: it can never find ours.)
   *  - scan (Bitfinex, exchanges not tested): open, then closed orders since a minute before the
   *    order, matched on the id the exchange echoes.
   */
  async lookup(request: OrderRequest): Promise<any | null> {
    const ex = this.o.exchange;
    const wire = this.wireId(request);
    const match = (orders: any[]) => orders.find((o) => echoedClientOrderId(o) === wire) ?? null;
    const since = request.ts - 60_000;
    switch (orderLookupOf(ex)) {
      case 'fetch-by-client-id':
        try {
          return await ex.fetchOrder(undefined, request.symbol, { clientOrderId: wire, origClientOrderId: wire });
        } catch (err) {
          if (isNotFoundError(err)) return null;
          throw err;
        }
      case 'filter-by-client-id': {
        const open = match(await ex.fetchOpenOrders(request.symbol, undefined, undefined, { clientOrderId: wire }));
        return open ?? match(await ex.fetchClosedOrders(request.symbol, since, undefined, { clientOrderId: wire }));
      }
      case 'scan': {
        const open = match(await ex.fetchOpenOrders(request.symbol));
        if (open) return open;
        return match(ex.has?.fetchClosedOrders ? await ex.fetchClosedOrders(request.symbol, since) : await ex.fetchOrders(request.symbol, since));
      }
      default:
        throw new Error(`${this.ccxtId} cannot look orders up through ccxt`);
    }
  }

  /**
   * Cancels an open order at the exchange and reads its final state. Throws when the exchange
   * could not be asked (the caller retries: a limit timeout on a later price, cancelUntilFinal
   * with backoff); an order already filled or canceled is not an error.
   */
  async cancel(clientOrderId: string): Promise<void> {
    const t = this.tracked.get(clientOrderId);
    if (!t) return;
    try {
      await this.o.exchange.cancelOrder(t.orderId, t.request.symbol);
    } catch (err) {
      // Already filled or canceled: the next poll reports the final state.
      if (!errorClassChain(err).includes('OrderNotFound') && !errorClassChain(err).includes('InvalidOrder')) throw err;
    }
    await this.poll(t);
  }

  onPrice(_ticker: Ticker): void {
    /* the exchange fills real orders */
  }

  /**
   * Stop-loss orders rest at the exchange when ccxt says it can create them (createStopLossOrder
   * or createStopOrder) and, where the market lists its order types (Binance), the market takes
   * a stop-market type.
   */
  stopLossOrders(symbol: string): StopLossOrderFormat | undefined {
    const ex = this.o.exchange;
    // Only where a resting stop was proven (profile.ts): ccxt's Bitfinex, for one, ignores
    // stopLossPrice and would send a plain market sell.
    if (exchangeProfile(ex).stops !== 'exchange') return undefined;
    const types = ex.markets?.[symbol]?.info?.orderTypes;
    if (Array.isArray(types) && !types.some((t: string) => t === 'STOP_LOSS' || t === 'STOP_MARKET')) return undefined;
    return {
      amount: (amount) => Number(ex.amountToPrecision(symbol, amount)),
      price: (price) => Number(ex.priceToPrecision(symbol, price)),
    };
  }

  /** Follows an order found at the exchange (after a restart) like one this executor sent. */
  async resume(request: OrderRequest, sink: UpdateSink): Promise<OrderUpdate | null> {
    const found = await this.lookupUntilKnown(request, new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000));
    return found ? this.adopt(request, found, sink) : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sleeper.cancel();
    await this.polling;
    await Promise.all([...this.resolving]);
    this.tracked.clear();
  }

  /**
   * Fees of a fetched order. Some exchanges (Binance) report fills and fees only in the response
   * to the create call, not when the order is fetched later (after a lost response, or polling a
   * limit order): then the order's trades are fetched, so the portfolio pays the real fee.
   */
  private async withFees(order: any, symbol: string): Promise<any> {
    const hasFees = (order.fees?.length ?? 0) > 0 || (order.fee && order.fee.cost !== undefined);
    if (!(Number(order.filled) > 0) || hasFees || !this.o.exchange.has?.fetchOrderTrades) return order;
    const trades: any[] = await this.o.exchange.fetchOrderTrades(order.id, symbol);
    const byCurrency = new Map<string, number>();
    for (const t of trades) {
      for (const f of t.fees?.length ? t.fees : t.fee ? [t.fee] : []) {
        if (f?.currency) byCurrency.set(f.currency, (byCurrency.get(f.currency) ?? 0) + (Number(f.cost) || 0));
      }
    }
    return { ...order, fees: [...byCurrency].map(([currency, cost]) => ({ currency, cost })) };
  }

  private adopt(request: OrderRequest, order: any, sink: UpdateSink): OrderUpdate {
    const update = this.toUpdate(request, order);
    sink(update);
    if (update.status === 'open') {
      this.tracked.set(request.clientOrderId, { request, orderId: String(order.id), last: update, sink });
      // Both loops handle every failure themselves; the catch is for a bug, never an exit.
      this.polling ??= this.pollLoop().catch((err) => {
        this.polling = undefined;
        this.status('warn', `order status poll stopped (${describeExchangeError(err)})`);
      });
      if (this.o.websocket !== false && this.o.exchange.has?.watchOrders === true && typeof this.o.exchange.watchOrders === 'function') {
        this.watching ??= this.watchLoop().catch((err) => {
          this.watching = undefined;
          this.status('warn', `order stream stopped (${describeExchangeError(err)})`);
        });
      }
    }
    return update;
  }

  /**
   * Order updates pushed by the exchange. Any failure (the socket refused, dropped, the exchange
   * unreachable) is reported once as "order stream down" and retried with backoff while polling
   * follows the orders; the first push after that says it is back.
   */
  private async watchLoop(): Promise<void> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    let down = false;
    while (!this.closed && this.tracked.size > 0) {
      try {
        const orders: any[] = await this.o.exchange.watchOrders();
        if (this.closed) break;
        this.wsHealthy = true;
        backoff.reset();
        if (down) this.status('ok', 'order stream back');
        down = false;
        const pushed = new Set<Tracked>();
        for (const o of orders) {
          const t = [...this.tracked.values()].find((x) => x.orderId === String(o.id) || echoedClientOrderId(o) === this.wireId(x.request));
          if (t) pushed.add(t);
        }
        // A push says "this order changed"; what it changed to is read over REST. Pushes are not
        // complete everywhere: Kraken's v2 executions send fills on another channel and status
        // events without amounts, so a push read as the order would book "closed, nothing filled".
        // A read that fails is the poll loop's to report and retry.
        for (const t of pushed) await this.poll(t).catch(() => undefined);
      } catch (err) {
        if (this.closed) break;
        this.wsHealthy = false;
        down = true;
        this.status('warn', `order stream down (${describeExchangeError(err)}): retrying, polling meanwhile`);
        await this.sleeper.sleep(backoff.next());
      }
    }
    this.watching = undefined;
  }

  /** Hands an update on when it says something new (websocket and polling may both see it). */
  private async deliver(t: Tracked, update: OrderUpdate): Promise<void> {
    if (update.status === t.last.status && update.filled === t.last.filled) return;
    if (!this.tracked.has(t.request.clientOrderId)) return;
    t.last = update;
    if (update.status !== 'open') this.tracked.delete(t.request.clientOrderId);
    t.sink(update);
  }

  /**
   * Reads each open order's state every poll interval. A poll that fails, whatever the error (a
   * network error, or an answer such as 400 "signature invalid" after a clock jump or a key
   * change), is reported and tried again with backoff: the order is still open at the exchange
   * and must be followed until it is final.
   */
  private async pollLoop(): Promise<void> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    let failing = false;
    while (!this.closed && this.tracked.size > 0) {
      await this.sleeper.sleep((this.o.pollMs ?? 1_000) * (this.wsHealthy ? 5 : 1));
      for (const t of [...this.tracked.values()]) {
        if (this.closed) break;
        try {
          await this.poll(t);
          backoff.reset();
          if (failing) this.status('ok', 'order status poll back');
          failing = false;
        } catch (err) {
          if (this.closed) break;
          failing = true;
          this.status('warn', `order status poll failing (${describeExchangeError(err)}): retrying`);
          await this.sleeper.sleep(backoff.next(errorClassChain(err).includes('DDoSProtection')));
        }
      }
    }
    this.polling = undefined;
  }

  private async poll(t: Tracked): Promise<void> {
    const order = await this.fetchById(t);
    // Not found anywhere yet (an exchange's lists lag a moment behind a fill): the next poll asks again.
    if (!order) return;
    await this.deliver(t, this.toUpdate(t.request, await this.withFees(order, t.request.symbol)));
  }

  /**
   * The order by its exchange id. Some exchanges' fetchOrder reads open orders only (ccxt's
   * Bitfinex answers a finished order with an order of empty fields; others say OrderNotFound):
   * then the order is read from the closed orders. Null when neither has it.
   */
  private async fetchById(t: Tracked): Promise<any | null> {
    const ex = this.o.exchange;
    const { symbol } = t.request;
    try {
      const order = await ex.fetchOrder(t.orderId, symbol);
      if (order && order.id !== undefined && order.id !== null && String(order.id) === t.orderId) return order;
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
    if (ex.has?.fetchClosedOrder === true) {
      try {
        const order = await ex.fetchClosedOrder(t.orderId, symbol);
        if (order && String(order.id) === t.orderId) return order;
      } catch (err) {
        if (!isNotFoundError(err)) throw err;
      }
    }
    const since = t.request.ts - 60_000;
    const closed: any[] = ex.has?.fetchClosedOrders ? await ex.fetchClosedOrders(symbol, since) : ex.has?.fetchOrders ? await ex.fetchOrders(symbol, since) : [];
    return closed.find((o) => String(o.id) === t.orderId) ?? null;
  }

  private toUpdate(request: OrderRequest, o: any): OrderUpdate {
    const { quote } = splitSymbol(request.symbol);
    const fees: Array<{ cost: number; currency: string }> = o.fees?.length ? o.fees : o.fee ? [o.fee] : [];
    const feeCurrency = fees.find((f) => f && f.cost > 0)?.currency ?? fees[0]?.currency ?? quote;
    const feeCost = fees.filter((f) => f && f.currency === feeCurrency).reduce((sum, f) => sum + (Number(f.cost) || 0), 0);
    const filled = Number(o.filled) || 0;
    const amount = Number(o.amount) || request.amount;
    return {
      kind: 'orderUpdate',
      id: o.id === undefined || o.id === null ? null : String(o.id),
      clientOrderId: request.clientOrderId,
      ...(request.signalId ? { signalId: request.signalId } : {}),
      exchange: this.o.exchangeId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      status: STATUS[o.status] ?? 'open',
      amount,
      filled,
      remaining: Math.max(0, Number(o.remaining ?? amount - filled) || 0),
      average: o.average > 0 ? Number(o.average) : filled > 0 && o.cost > 0 ? Number(o.cost) / filled : null,
      price: o.price > 0 ? Number(o.price) : request.price ?? null,
      fee: { cost: feeCost, currency: feeCurrency },
      ts: Number(o.lastUpdateTimestamp ?? o.timestamp) || this.o.now(),
      mode: 'live',
    };
  }
}
