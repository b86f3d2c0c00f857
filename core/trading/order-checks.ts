/**
 * What an order request must pass before an account records it, in the place order node and the
 * backtest's fast path alike: the contract, this exchange (a request for another one is
 * refused), a market listed here, and, for a new request, a time and prices plausible against
 * the market and the exchange's clock. A request for an order still open is answered from the
 * record whatever it says (a redelivery after a restart, whose time may be ahead of the
 * simulator's restored clock), so it is not checked for plausibility. Every refusal is a
 * ValidationError (core/errors.ts) naming the field; nothing is recorded or sent.
 */
import { checkedOrderRequest, OrderRequestSchema, zodError, type OrderRequest } from '../contract';
import { ValidationError } from '../errors';
import type { MarketInfo } from '../market/market-source';
import { checkOrderRequest, ImplausibleInputError } from '../plausibility';

/** msg.payload as an order request, or a ValidationError naming the field. */
export function parseOrderRequest(payload: unknown): OrderRequest {
  // A request the hand-written check takes (every one a risk gate approves without a ladder) needs no zod parse: same result.
  const checked = checkedOrderRequest(payload);
  if (checked) return checked;
  const parsed = OrderRequestSchema.safeParse(payload);
  if (!parsed.success) throw zodError(parsed.error, 'msg.payload');
  return parsed.data;
}

export interface OrderVenue {
  /** The exchange the account trades on. */
  exchange: string;
  /** The markets listed there (loaded only once the request is for this exchange). */
  markets(): Promise<Map<string, MarketInfo>>;
  /** Whether an order with this client order id is open (its request is answered from the record). */
  isOpen(clientOrderId: string): boolean;
  /** The market's price now, for the plausibility of the request's prices. */
  marketPrice(symbol: string): Promise<number | undefined>;
  /** The exchange's clock. */
  now(): number | Promise<number>;
}

/** Throws when the request may not be placed here (see the top of this file). */
export async function checkPlaceable(request: OrderRequest, venue: OrderVenue): Promise<void> {
  checkExchange(request, venue.exchange);
  checkMarket(request, await venue.markets(), venue.exchange);
  if (venue.isOpen(request.clientOrderId)) return;
  checkPlausible(request, await venue.marketPrice(request.symbol), await venue.now());
}

/**
 * checkPlaceable at once, for a caller that has the markets, the price and the clock at hand
 * without waiting (the backtest's fast path): the same checks in the same order.
 */
export function checkPlaceableNow(request: OrderRequest, venue: { exchange: string; markets: Map<string, MarketInfo>; isOpen(clientOrderId: string): boolean; marketPrice(symbol: string): number | undefined; now(): number }): void {
  checkExchange(request, venue.exchange);
  checkMarket(request, venue.markets, venue.exchange);
  if (venue.isOpen(request.clientOrderId)) return;
  checkPlausible(request, venue.marketPrice(request.symbol), venue.now());
}

function checkExchange(request: OrderRequest, exchange: string): void {
  if (request.exchange && request.exchange !== exchange) {
    throw new ValidationError(`msg.payload.exchange: the request is for ${request.exchange}, this node trades on ${exchange}`, 'msg.payload.exchange');
  }
}

function checkMarket(request: OrderRequest, markets: Map<string, MarketInfo>, exchange: string): void {
  if (!markets.has(request.symbol)) throw new ValidationError(`msg.payload.symbol: ${request.symbol} is not a market on ${exchange}`, 'msg.payload.symbol');
}

function checkPlausible(request: OrderRequest, marketPrice: number | undefined, now: number): void {
  const implausible = checkOrderRequest(request, marketPrice, now);
  if (implausible) throw new ImplausibleInputError(implausible);
}

/** The client order id a "cancel" message names (msg.payload.clientOrderId). */
export function cancelTarget(payload: unknown): string {
  const id = (payload as { clientOrderId?: unknown } | undefined)?.clientOrderId;
  if (typeof id !== 'string') throw new ValidationError('msg.payload.clientOrderId: the order to cancel', 'msg.payload.clientOrderId');
  return id;
}
