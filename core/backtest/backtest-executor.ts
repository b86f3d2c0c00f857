/**
 * The simulated exchange of a backtest (docs/backtest.md): market orders decided at a candle's
 * close fill at the next open of their symbol; orders sent while a candle's price path runs
 * (stop closes) fill at the path's current price; limit orders fill when the path reaches them.
 * Like the other executors it reports updates and never writes the portfolio.
 */
import type { OrderRequest, OrderUpdate, Ticker } from '../contract';
import { newOrderUpdate, rejectedUpdate, type OrderExecutor, type UpdateSink } from '../trading/executor';
import type { Portfolio } from '../trading/portfolio';
import { splitSymbol } from '../market/symbol';

interface Waiting {
  request: OrderRequest;
  update: OrderUpdate;
  sink: UpdateSink;
}

export interface PathPoint {
  symbol: string;
  ts: number;
  price: number;
  /** The candle's open: market orders waiting for it fill here. */
  open: boolean;
}

export class BacktestExecutor implements OrderExecutor {
  private readonly market: Waiting[] = [];
  private readonly limits: Waiting[] = [];
  private nextId = 1;
  /**
   * Where the price path is, per symbol, while it runs (undefined between paths: the key stays,
   * as deleting and adding it again for every candle with an order open costs the map's storage).
   */
  private readonly path = new Map<string, PathPoint | undefined>();

  constructor(
    private readonly o: { exchangeId: string; portfolio: Portfolio; feeRate: number; slippage: number; now: () => number },
  ) {}

  async submit(request: OrderRequest, sink: UpdateSink): Promise<OrderUpdate> {
    return this.submitNow(request, sink);
  }

  submitNow(request: OrderRequest, sink: UpdateSink): OrderUpdate {
    const open = newOrderUpdate(request, this.o.exchangeId, 'backtest', this.o.now(), `bt-${this.nextId++}`);
    const point = this.path.get(request.symbol);
    sink(open);
    if (request.type === 'market' && point) return this.fill({ request, update: open, sink }, point.price, point.ts);
    (request.type === 'market' ? this.market : this.limits).push({ request, update: open, sink });
    return open;
  }

  /** A point of a candle's price path: fills what it reaches. Call with open first. */
  pathPoint(point: PathPoint): void {
    this.path.set(point.symbol, point);
    // Most points of a run meet no waiting order: no lists made for them.
    if (this.market.length === 0 && this.limits.length === 0) return;
    if (point.open) {
      for (const w of this.market.filter((m) => m.request.symbol === point.symbol)) {
        this.market.splice(this.market.indexOf(w), 1);
        this.fill(w, point.price, point.ts);
      }
    }
    for (const w of this.limits.filter((m) => m.request.symbol === point.symbol)) {
      const limit = w.request.price!;
      const reached = w.request.side === 'buy' ? point.price <= limit : point.price >= limit;
      if (!reached) continue;
      this.limits.splice(this.limits.indexOf(w), 1);
      // At the open the candle may have gapped through the limit: then it fills at the open.
      const price = point.open ? (w.request.side === 'buy' ? Math.min(limit, point.price) : Math.max(limit, point.price)) : limit;
      this.fill(w, price, point.ts, false);
    }
  }

  /** Prices of the limit orders of one side waiting on a symbol (the path stops at each). */
  limitPrices(symbol: string, side: 'buy' | 'sell'): number[] {
    const prices: number[] = [];
    for (const w of this.limits) if (w.request.symbol === symbol && w.request.side === side) prices.push(w.request.price!);
    return prices;
  }

  /** The price path of a candle is over. */
  endPath(symbol: string): void {
    if (this.path.get(symbol) !== undefined) this.path.set(symbol, undefined);
  }

  onPrice(_ticker: Ticker): void {
    /* the backtest drives fills through pathPoint */
  }

  async cancel(clientOrderId: string): Promise<void> {
    const i = this.limits.findIndex((w) => w.request.clientOrderId === clientOrderId);
    if (i < 0) return;
    const [w] = this.limits.splice(i, 1);
    w!.sink({ ...w!.update, status: 'canceled', ts: this.o.now(), reason: 'canceled' });
  }

  restore(): void {
    /* a backtest never restarts mid-run */
  }

  async close(): Promise<void> {
    this.market.length = 0;
    this.limits.length = 0;
  }

  private fill(w: Waiting, price: number, ts: number, slip = true): OrderUpdate {
    const { request } = w;
    const fillPrice = slip ? (request.side === 'buy' ? price * (1 + this.o.slippage) : price * (1 - this.o.slippage)) : price;
    const fee = this.o.feeRate * request.amount * fillPrice;
    const { base, quote } = splitSymbol(request.symbol);
    const funds = request.side === 'buy' ? this.o.portfolio.balance(quote) : this.o.portfolio.balance(base);
    const available = funds.free + (request.type === 'limit' ? funds.used : 0);
    const needed = request.side === 'buy' ? request.amount * fillPrice + fee : request.amount;
    if (available + 1e-12 < needed) {
      const update = { ...rejectedUpdate(request, this.o.exchangeId, 'backtest', ts, `insufficient ${request.side === 'buy' ? quote : base} at the fill: ${needed} needed, ${available} available`), id: w.update.id };
      w.sink(update);
      return update;
    }
    const update: OrderUpdate = { ...w.update, status: 'closed', filled: request.amount, remaining: 0, average: fillPrice, fee: { cost: fee, currency: quote }, ts };
    w.sink(update);
    return update;
  }
}
