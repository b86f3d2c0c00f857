/** How an account sends orders: simulated (sim, paper) or to the exchange (live). */
import type { OrderRequest, OrderUpdate, Ticker } from '../contract';
import { splitSymbol } from '../market/symbol';

export type UpdateSink = (update: OrderUpdate) => void;

/**
 * What trading meets on its way that is not an order update: the order stream down or back, a
 * poll or a lookup failing, a cancel to retry. `warn` while it lasts, `ok` once it recovered.
 * The place-order nodes show it in their status.
 */
export interface TradingStatus {
  /** warn: trouble retried by itself; error: a part is out of order (the journal's file damaged), trading goes on; ok: recovered. */
  level: 'warn' | 'ok' | 'error';
  text: string;
}
export type TradingStatusSink = (status: TradingStatus) => void;

/**
 * What an executor is asked to send: an order request, or (built by the account, never taken from
 * a message) a stop-loss order resting at the exchange: a market sell triggered at stopLossPrice.
 */
export type ExecutorRequest = OrderRequest & { stopLossPrice?: number };

/** How to express a stop-loss order for one market of an exchange that rests them. */
export interface StopLossOrderFormat {
  /** The amount as the exchange accepts it (its precision, rounded down); throws below its minimum. */
  amount(amount: number): number;
  /** The stop price as the exchange accepts it (its precision). */
  price(price: number): number;
}

export interface OrderExecutor {
  /**
   * Sends the order; every change (accepted, each fill, final state) goes to the sink, in order.
   * Resolves with the first definite state (accepted, filled or rejected). Never sends an order
   * twice for one clientOrderId.
   */
  submit(request: ExecutorRequest, sink: UpdateSink): Promise<OrderUpdate>;
  /**
   * submit() done at once, for an executor that never waits on anything (the backtest's): the
   * same updates to the sink, the same result, without a promise.
   */
  submitNow?(request: ExecutorRequest, sink: UpdateSink): OrderUpdate;
  /** Cancels an open order; its final update goes to the sink it was submitted with. */
  cancel(clientOrderId: string): Promise<void>;
  /** A new price: simulated limit orders fill against it (live: no-op). */
  onPrice(ticker: Ticker): void;
  /** Stops tracking; nothing is canceled at the exchange. */
  close(): Promise<void>;
  /** Takes back an order that was open before a restart (the simulator's resting limit orders). */
  restore?(request: OrderRequest, last: OrderUpdate, sink: UpdateSink): void;
  /** Stop-loss orders at the exchange for this symbol: undefined where the exchange has none (and in sim). */
  stopLossOrders?(symbol: string): StopLossOrderFormat | undefined;
}

/** A fresh update for a request: open, nothing filled yet. Callers override what they know. */
export function newOrderUpdate(request: OrderRequest, exchange: string, mode: OrderUpdate['mode'], ts: number, id: string | null = null): OrderUpdate {
  const fee = { cost: 0, currency: splitSymbol(request.symbol).quote };
  const price = request.price ?? null;
  // Two literals rather than a spread of an optional field: the same fields in the same order, made at once.
  return request.signalId
    ? { kind: 'orderUpdate', id, clientOrderId: request.clientOrderId, signalId: request.signalId, exchange, symbol: request.symbol, side: request.side, type: request.type, status: 'open', amount: request.amount, filled: 0, remaining: request.amount, average: null, price, fee, ts, mode }
    : { kind: 'orderUpdate', id, clientOrderId: request.clientOrderId, exchange, symbol: request.symbol, side: request.side, type: request.type, status: 'open', amount: request.amount, filled: 0, remaining: request.amount, average: null, price, fee, ts, mode };
}

/** An update that says nothing happened: for rejections before any order exists. */
export function rejectedUpdate(request: OrderRequest, exchange: string, mode: OrderUpdate['mode'], ts: number, reason: string): OrderUpdate {
  return { ...newOrderUpdate(request, exchange, mode, ts), status: 'rejected', reason };
}
