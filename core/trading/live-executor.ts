/**
 * Real orders through ccxt (live mode). The rule that keeps money safe: an order is sent at most
 * once per client order id. After any ambiguous failure (timeout, reset, 5xx, rate limit: the
 * order may or may not exist) the executor first looks the order up by its client order id and
 * only sends again when the exchange says it has no such order; while the lookup itself fails it
 * keeps looking, it never resends blind. An exchange rejection (insufficient funds, invalid
 * order, bad credentials) is final and reported. Open orders are then followed to a final state
 * through the exchange's order websocket (ccxt watchOrders) where it has one, with polling as the
 * safety net (every poll interval without a websocket, five times slower with one), one request
 * per open order per poll, paced by ccxt's rate limiter.
 */
import type { OrderRequest, OrderStatus, OrderUpdate, Ticker } from '../contract';
import { Backoff, Sleeper } from '../market/backoff';
import { errorClassChain } from '../market/ccxt-loader';
import { rejectedUpdate, type ExecutorRequest, type OrderExecutor, type StopLossOrderFormat, type UpdateSink } from './executor';
import { splitSymbol } from './portfolio';

export interface LiveExecutorOptions {
  /** The exchange config node's ccxt instance (shared rate limiter). */
  exchange: any;
  exchangeId: string;
  now: () => number;
  pollMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Sends before giving up on an order the exchange keeps failing to answer (each after a lookup). */
  maxAttempts?: number;
  /** Follow orders over the exchange's websocket where it has one (default true). */
  websocket?: boolean;
}

/** ccxt errors after which the order may exist: look it up before anything else. */
export function isAmbiguousError(err: unknown): boolean {
  return errorClassChain(err).some((n) => n === 'NetworkError' || n === 'BadResponse' || n === 'NullResponse');
}

function isDuplicateOrderError(err: unknown): boolean {
  const chain = errorClassChain(err);
  return chain.includes('DuplicateOrderId') || /duplicate order/i.test((err as Error)?.message ?? '');
}

function isNotFound(err: unknown): boolean {
  return errorClassChain(err).includes('OrderNotFound');
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

  constructor(private readonly o: LiveExecutorOptions) {}

  async submit(request: ExecutorRequest, sink: UpdateSink): Promise<OrderUpdate> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    const maxAttempts = this.o.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new Error('order executor closed');
      try {
        const order = await this.o.exchange.createOrder(request.symbol, request.type, request.side, request.amount, request.price, {
          clientOrderId: request.clientOrderId,
          // ccxt's unified stop-loss parameter: a stop-market order triggered at this price
          ...(request.stopLossPrice !== undefined ? { stopLossPrice: request.stopLossPrice } : {}),
        });
        return this.adopt(request, order, sink);
      } catch (err) {
        if (isDuplicateOrderError(err) || isAmbiguousError(err)) {
          // Give a request still in flight time to land before asking whether it exists.
          await this.sleeper.sleep(backoff.next());
          const found = await this.lookupUntilKnown(request, backoff);
          if (found) return this.adopt(request, found, sink);
          if (isDuplicateOrderError(err)) {
            // The exchange says the id exists but cannot show it: never send it again.
            const update = rejectedUpdate(request, this.o.exchangeId, 'live', this.o.now(), `the exchange reports client order id ${request.clientOrderId} exists but it cannot be found; not sent again`);
            sink(update);
            return update;
          }
          if (attempt >= maxAttempts) {
            const update = rejectedUpdate(request, this.o.exchangeId, 'live', this.o.now(), `not sent: ${attempt} attempts failed and the exchange has no such order (${(err as Error).message})`);
            sink(update);
            return update;
          }
          await this.sleeper.sleep(backoff.next());
          continue;
        }
        const update = rejectedUpdate(request, this.o.exchangeId, 'live', this.o.now(), `rejected by the exchange: ${(err as Error).message}`);
        sink(update);
        return update;
      }
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

  /** The order with this client order id at the exchange, or null. Network errors propagate. */
  async lookup(request: OrderRequest): Promise<any | null> {
    const ex = this.o.exchange;
    try {
      return await ex.fetchOrder(undefined, request.symbol, { clientOrderId: request.clientOrderId, origClientOrderId: request.clientOrderId });
    } catch (err) {
      if (isNotFound(err)) return null;
      if (isAmbiguousError(err)) throw err;
      // This exchange cannot fetch by client order id: search its open and recent orders.
    }
    const match = (orders: any[]) => orders.find((o) => o.clientOrderId === request.clientOrderId) ?? null;
    const open = ex.has?.fetchOpenOrders ? match(await ex.fetchOpenOrders(request.symbol)) : null;
    if (open) return open;
    if (ex.has?.fetchClosedOrders) return match(await ex.fetchClosedOrders(request.symbol, request.ts - 60_000));
    if (ex.has?.fetchOrders) return match(await ex.fetchOrders(request.symbol, request.ts - 60_000));
    return null;
  }

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
    if (ex.has?.createStopLossOrder !== true && ex.has?.createStopOrder !== true) return undefined;
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
    await this.polling?.catch(() => undefined);
    this.tracked.clear();
    this.watching?.catch(() => undefined);
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
      this.polling ??= this.pollLoop();
      if (this.o.websocket !== false && this.o.exchange.has?.watchOrders === true && typeof this.o.exchange.watchOrders === 'function') {
        this.watching ??= this.watchLoop();
      }
    }
    return update;
  }

  /** Order updates pushed by the exchange; any failure falls back to polling until it recovers. */
  private async watchLoop(): Promise<void> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    while (!this.closed && this.tracked.size > 0) {
      try {
        const orders: any[] = await this.o.exchange.watchOrders();
        this.wsHealthy = true;
        backoff.reset();
        for (const o of orders) {
          const t = [...this.tracked.values()].find((x) => x.orderId === String(o.id) || (o.clientOrderId && o.clientOrderId === x.request.clientOrderId));
          if (!t) continue;
          // A push carries the fee of its own fill only: exact fees come from the order's trades.
          await this.deliver(t, this.toUpdate(t.request, await this.withFees({ ...o, fee: undefined, fees: undefined }, t.request.symbol)));
        }
      } catch (err) {
        if (this.closed) break;
        this.wsHealthy = false;
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

  private async pollLoop(): Promise<void> {
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 500, this.o.backoff?.maxMs ?? 30_000);
    while (!this.closed && this.tracked.size > 0) {
      await this.sleeper.sleep((this.o.pollMs ?? 1_000) * (this.wsHealthy ? 5 : 1));
      for (const t of [...this.tracked.values()]) {
        if (this.closed) break;
        try {
          await this.poll(t);
          backoff.reset();
        } catch (err) {
          if (!isAmbiguousError(err)) throw err;
          await this.sleeper.sleep(backoff.next());
        }
      }
    }
    this.polling = undefined;
  }

  private async poll(t: Tracked): Promise<void> {
    const order = await this.o.exchange.fetchOrder(t.orderId, t.request.symbol);
    await this.deliver(t, this.toUpdate(t.request, await this.withFees(order, t.request.symbol)));
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
