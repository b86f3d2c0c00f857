/**
 * Stop-loss orders resting at the exchange (live mode, on exchanges that have them): for each
 * position whose stops include a stop-loss, one stop-market sell order waits at the exchange, so
 * the position is protected while the bot is down, restarting or cut off. The bot keeps watching
 * the take-profit and the trailing stop itself (a spot exchange locks the position's coins for the
 * resting stop, so a second resting order, the take-profit, would need an OCO pair that ccxt does
 * not unify).
 *
 * The rules that keep it safe:
 *  - Everything that places or cancels orders of one symbol runs one after the other (exclusive):
 *    a stop is never being replaced while the bot sells the same coins.
 *  - The order is placed through the account like any other: a deterministic client order id
 *    (`<opening order id>-x<n>`), written ahead, never resent after an ambiguous failure
 *    (unknown until a lookup finds it or its window ends).
 *  - Before the bot sells the position itself (a strategy's sell, a take-profit, a trailing stop)
 *    the resting stop is canceled and the position read again: if the exchange stop fired
 *    meanwhile, there is nothing left to sell.
 *  - The resting order follows the position: bought more, sold part, or canceled from outside, it
 *    is replaced by one for what is held. An exchange that refuses it (the price is already below
 *    the stop, the amount below its minimum) leaves the stop-loss to the bot, as in paper mode.
 */
import type { OrderUpdate } from '../contract';
import { errorText, type Logger } from '../logger';
import type { ExecutorRequest, StopLossOrderFormat } from './executor';
import type { Portfolio } from './portfolio';
import { splitSymbol } from '../market/symbol';
import { exchangeStopOrderId, type StopBook, type StopLevels } from './stops';

/** What the keeper needs from the account that owns it. */
export interface ExchangeStopsHost {
  readonly stops: StopBook;
  /** Where a sync that failed is written (nobody waits on it). */
  readonly log?: Logger;
  readonly portfolio: Portfolio;
  /** How this exchange takes stop-loss orders for the symbol; undefined where it has none. */
  format(symbol: string): StopLossOrderFormat | undefined;
  /** The account's open order with this client order id. */
  openOrder(clientOrderId: string): { request: ExecutorRequest; last: OrderUpdate } | undefined;
  /** Whether another order (not a resting stop) on the symbol is still open. */
  otherOrderOpen(symbol: string): boolean;
  /** Places a stop-loss order through the account (a stop close: it reports to the position's owner). */
  place(request: ExecutorRequest): Promise<OrderUpdate>;
  /** Cancels an open order and resolves once the account has its final state; throws when it cannot. */
  cancelUntilFinal(clientOrderId: string): Promise<void>;
  /** The stop levels changed: save the account. */
  changed(): void;
  now(): number;
}

export class ExchangeStops {
  /** Per symbol, the tail of the work queued on it. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly host: ExchangeStopsHost) {}

  /** Runs `work` after everything queued on the symbol before it; the next waits for it. */
  exclusive<T>(symbol: string, work: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(symbol) ?? Promise.resolve()).then(work, work);
    // The queue goes on after a failed task; its caller gets the failure from `run`.
    const tail = run.catch(() => undefined);
    this.queues.set(symbol, tail);
    void tail.then(() => {
      if (this.queues.get(symbol) === tail) this.queues.delete(symbol);
    });
    return run;
  }

  /** Brings the symbol's resting stop in line with its position and stop-loss (queued). */
  sync(symbol: string): Promise<void> {
    return this.exclusive(symbol, () => this.syncNow(symbol)).catch((err) =>
      this.host.log?.warn(`the stop-loss resting at the exchange for ${symbol} could not be brought in line with the position: ${errorText(err)}`),
    );
  }

  /** After a restart: every position with stops gets its resting stop checked. */
  syncAll(): Promise<void> {
    return Promise.all(this.host.stops.symbols().map((symbol) => this.sync(symbol))).then(() => undefined);
  }

  /** The resting stop of a symbol, if one is open at the exchange. */
  resting(symbol: string): string | undefined {
    const id = this.host.stops.get(symbol)?.exchangeOrder;
    return id !== undefined && this.host.openOrder(id) ? id : undefined;
  }

  /**
   * Cancels a resting stop before the bot sells (call inside exclusive). Throws when the cancel
   * cannot be confirmed: the coins are still locked at the exchange, a sell would fail.
   */
  async takeDown(clientOrderId: string | undefined): Promise<void> {
    if (clientOrderId === undefined || !this.host.openOrder(clientOrderId)) return;
    await this.host.cancelUntilFinal(clientOrderId);
  }

  private async syncNow(symbol: string): Promise<void> {
    const levels = this.host.stops.get(symbol);
    const format = this.host.format(symbol);
    if (!levels || !format) return;
    const current = levels.exchangeOrder !== undefined ? this.host.openOrder(levels.exchangeOrder) : undefined;
    const position = this.host.portfolio.position(symbol);
    if (!position) {
      if (current) await this.host.cancelUntilFinal(current.request.clientOrderId);
      return;
    }
    if (levels.stopLoss === undefined || levels.exchangeRefused !== undefined) return;
    // The opening order still fills, or a sell is on its way: this runs again when it ends.
    if (this.host.otherOrderOpen(symbol)) return;
    const base = this.host.portfolio.balance(splitSymbol(symbol).base);
    let amount: number;
    let price: number;
    try {
      amount = format.amount(Math.min(position.amount, base.free + base.used));
      price = format.price(levels.stopLoss);
    } catch (err) {
      this.patch(symbol, { exchangeRefused: `not placed at the exchange: ${(err as Error).message}` });
      return;
    }
    if (current && current.request.amount === amount && current.request.stopLossPrice === price) return;
    if (current) {
      await this.host.cancelUntilFinal(current.request.clientOrderId);
      // It may have fired meanwhile: what is left is read again on the next run.
      if (this.host.portfolio.position(symbol)?.amount !== position.amount) {
        void this.sync(symbol);
        return;
      }
    }
    const seq = (levels.exchangeSeq ?? 0) + 1;
    const clientOrderId = exchangeStopOrderId(levels.parentClientOrderId, seq);
    this.patch(symbol, { exchangeSeq: seq, exchangeOrder: clientOrderId });
    const update = await this.host.place({
      kind: 'orderRequest',
      clientOrderId,
      symbol,
      side: 'sell',
      type: 'market',
      amount,
      stopLossPrice: price,
      reason: `stop-loss at ${price}, resting at the exchange`,
      ts: this.host.now(),
    });
    if (update.status === 'rejected') {
      this.patch(symbol, { exchangeOrder: undefined, exchangeRefused: update.reason ?? 'refused by the exchange' });
    }
  }

  /** Changes the symbol's current levels (they may have been replaced while this waited). */
  private patch(symbol: string, change: Partial<StopLevels>): void {
    const levels = this.host.stops.get(symbol);
    if (!levels) return;
    Object.assign(levels, change);
    for (const key of Object.keys(change) as Array<keyof StopLevels>) if (change[key] === undefined) delete levels[key];
    this.host.changed();
  }
}
