/**
 * The simulated exchange for sim and paper modes. Market orders walk the order book (the
 * simulator's, or the real exchange's in paper mode), so they can fill partially and pay the
 * spread; each fill also pays `slippage` and a `feeRate` fee in quote currency. Limit orders
 * rest and fill at their price when the market crosses it (a buy when the ask or last price is at
 * or below the limit, a sell when the bid or last is at or above it).
 *
 * Like an exchange, it reports order updates and checks balances; it never writes the portfolio:
 * the account books fills from the updates, the same way for simulated and live orders.
 */
import type { OrderRequest, OrderUpdate, Ticker } from '../contract';
import type { MarketSource } from '../market/market-source';
import { newOrderUpdate, rejectedUpdate, type OrderExecutor, type UpdateSink } from './executor';
import { walkBook } from './order-book-walk';
import type { Portfolio } from './portfolio';
import { splitSymbol } from '../market/symbol';

export interface SimExecutorOptions {
  exchangeId: string;
  mode: 'sim' | 'paper';
  source: MarketSource;
  portfolio: Portfolio;
  /** Fee per fill as a fraction of its value (0.001 = 0.1 %). */
  feeRate: number;
  /** Extra adverse price move per fill, as a fraction (0.0005 = 5 bp). */
  slippage: number;
  /** Book depth a market order may walk. */
  bookDepth?: number;
}

interface RestingOrder {
  request: OrderRequest;
  update: OrderUpdate;
  sink: UpdateSink;
}

export class SimExecutor implements OrderExecutor {
  private readonly resting = new Map<string, RestingOrder>();
  private nextId = 1;
  /** Order ids are unique across restarts: the start time is part of them. */
  private readonly idPrefix = `${Date.now().toString(36)}`;

  constructor(private readonly o: SimExecutorOptions) {}

  async submit(request: OrderRequest, sink: UpdateSink): Promise<OrderUpdate> {
    const { quote, base } = splitSymbol(request.symbol);
    const now = this.o.source.now();
    const reject = (reason: string) => {
      const update = rejectedUpdate(request, this.o.exchangeId, this.o.mode, now, reason);
      sink(update);
      return update;
    };
    const id = `${this.o.mode}-${this.idPrefix}-${this.nextId++}`;
    const base0 = newOrderUpdate(request, this.o.exchangeId, this.o.mode, now, id);


    if (request.type === 'limit') {
      const price = request.price!;
      const need = request.side === 'buy' ? { currency: quote, amount: request.amount * price * (1 + this.o.feeRate) } : { currency: base, amount: request.amount };
      const free = this.o.portfolio.balance(need.currency).free;
      if (free + 1e-12 < need.amount) return reject(`insufficient ${need.currency}: ${+need.amount.toPrecision(8)} needed, ${+free.toPrecision(8)} free`);
      const order: RestingOrder = { request, update: base0, sink };
      this.resting.set(request.clientOrderId, order);
      sink(base0);
      return base0;
    }

    const book = await this.o.source.fetchOrderBook(request.symbol, this.o.bookDepth ?? 50);
    const levels = request.side === 'buy' ? book.asks : book.bids;
    let amount = request.amount;
    if (request.side === 'sell') {
      const free = this.o.portfolio.balance(base).free;
      if (free + 1e-12 < amount) return reject(`insufficient ${base}: ${amount} to sell, ${free} free`);
    }
    const walk = walkBook(request.side, amount, levels, this.o.slippage);
    if (walk.filled <= 0 || walk.average === null) return reject(`no ${request.side === 'buy' ? 'asks' : 'bids'} in the book for ${request.symbol}`);
    const cost = walk.filled * walk.average;
    const fee = cost * this.o.feeRate;
    if (request.side === 'buy' && this.o.portfolio.balance(quote).free + 1e-9 < cost + fee) {
      return reject(`insufficient ${quote}: ${+(cost + fee).toPrecision(8)} needed, ${+this.o.portfolio.balance(quote).free.toPrecision(8)} free`);
    }
    amount = walk.filled;
    const partial = amount < request.amount - 1e-12;
    const done: OrderUpdate = {
      ...base0,
      // Like exchanges' market orders: what the book could not fill expires.
      status: partial ? 'expired' : 'closed',
      filled: amount,
      remaining: Math.max(0, request.amount - amount),
      average: walk.average,
      fee: { cost: fee, currency: quote },
      ...(partial ? { reason: `the book had only ${amount} of ${request.amount} within ${this.o.bookDepth ?? 50} levels` } : {}),
    };
    sink(done);
    return done;
  }

  onPrice(ticker: Ticker): void {
    for (const order of [...this.resting.values()]) {
      if (order.request.symbol !== ticker.symbol) continue;
      const limit = order.request.price!;
      const crosses =
        order.request.side === 'buy'
          ? (ticker.ask !== null && ticker.ask <= limit) || ticker.last <= limit
          : (ticker.bid !== null && ticker.bid >= limit) || ticker.last >= limit;
      if (crosses) this.fillResting(order, ticker.ts);
    }
  }

  async cancel(clientOrderId: string): Promise<void> {
    const order = this.resting.get(clientOrderId);
    if (!order) return;
    this.resting.delete(clientOrderId);
    order.sink({ ...order.update, status: 'canceled', ts: this.o.source.now(), reason: 'canceled' });
  }

  restore(request: OrderRequest, last: OrderUpdate, sink: UpdateSink): void {
    if (request.type === 'limit' && last.status === 'open' && last.id !== null) this.resting.set(request.clientOrderId, { request, update: last, sink });
  }

  async close(): Promise<void> {
    this.resting.clear();
  }

  private fillResting(order: RestingOrder, ts: number): void {
    const { request } = order;
    const { quote } = splitSymbol(request.symbol);
    const price = request.price!;
    const fee = request.amount * price * this.o.feeRate;
    this.resting.delete(request.clientOrderId);
    order.sink({ ...order.update, status: 'closed', filled: request.amount, remaining: 0, average: price, fee: { cost: fee, currency: quote }, ts });
  }
}
