/**
 * Plausibility of prices and times that arrive in messages, checked against the market before
 * they touch any state (the portfolio's marks, a series' last candle, a risk gate's windows, an
 * order's timeout). A schema can say "a positive number"; only the market can say "1e-9 is not
 * a price of BTC" or "the year 275760 has not come yet". Each check returns a sentence naming
 * the field, or undefined when the value is plausible.
 *
 * Tolerances (fixed defaults, documented in docs/money-safety.md):
 *  - a signal's price: within SIGNAL_PRICE_TOLERANCE (20 %) of the last known market price, as it
 *    claims to be the market price (orders are sized and stops set from it);
 *  - an order request's limit, stop-loss and take-profit prices: within a factor of
 *    ORDER_PRICE_FACTOR (100) of the market price, either way (a limit far from the market is a
 *    choice; a hundred times off is a unit or decimal-point mistake); a market order's price is
 *    not used for anything (the max-order cap values it at the market) and not checked;
 *  - a candle: its open time at most one timeframe + CLOCK_GRACE_MS ahead of the exchange's clock;
 *  - a signal, an order request or a ticker: at most CLOCK_GRACE_MS ahead of the exchange's clock;
 *    a signal or an order request at most MAX_MESSAGE_AGE_MS behind it (the risk rules read the
 *    time of day, the day's losses and cooldowns at the message's time).
 * The exchange's clock is the market source's: virtual in the simulator and in a backtest.
 */
import { ValidationError } from './errors';
import { timeframeToMs } from './timeframe';

export const SIGNAL_PRICE_TOLERANCE = 0.2;
export const ORDER_PRICE_FACTOR = 100;
export const CLOCK_GRACE_MS = 60_000;
export const MAX_MESSAGE_AGE_MS = 86_400_000;

/** Refused as implausible: the message is not used and nothing changed. */
export class ImplausibleInputError extends ValidationError {
  override name = 'ImplausibleInputError';
}

const fmt = (x: number) => String(+x.toPrecision(8));
const when = (ts: number) => {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toISOString();
};

/** A price claimed to be the market's: within the tolerance of the market price. */
export function checkMarketPrice(field: string, price: number, market: number | undefined, symbol: string): string | undefined {
  if (market === undefined || !(market > 0)) return undefined;
  if (Math.abs(price - market) <= SIGNAL_PRICE_TOLERANCE * market) return undefined;
  return `${field}: ${fmt(price)} is more than ${100 * SIGNAL_PRICE_TOLERANCE} % away from the market price of ${symbol} (${fmt(market)}): refused as implausible`;
}

/** A price an order sets (limit, stop, target): within a factor of the market price. */
export function checkOrderPrice(field: string, price: number | undefined, market: number | undefined, symbol: string): string | undefined {
  if (price === undefined || market === undefined || !(market > 0)) return undefined;
  if (price <= market * ORDER_PRICE_FACTOR && price >= market / ORDER_PRICE_FACTOR) return undefined;
  return `${field}: ${fmt(price)} is more than ${ORDER_PRICE_FACTOR} times ${price > market ? 'above' : 'below'} the market price of ${symbol} (${fmt(market)}): refused as implausible`;
}

/** A time stamp of something happening now (signal, order request, ticker): not ahead of the clock, not long past. */
/** `maxAgeMs` null: only the future is refused (ticks, members' signals: their age is the flow's business). */
export function checkMessageTime(field: string, ts: number, now: number, maxAgeMs: number | null = MAX_MESSAGE_AGE_MS): string | undefined {
  if (ts > now + CLOCK_GRACE_MS) return `${field}: ${when(ts)} is ahead of the exchange's clock (${when(now)}): refused as implausible`;
  if (maxAgeMs !== null && ts < now - maxAgeMs) {
    return `${field}: ${when(ts)} is more than ${Math.round(maxAgeMs / 3_600_000)} h behind the exchange's clock (${when(now)}): refused as stale`;
  }
  return undefined;
}

/** A candle's open time: a closed candle opened at least one timeframe ago; one timeframe + grace ahead is refused. */
export function checkCandleTime(field: string, candle: { ts: number; timeframe: string }, now: number): string | undefined {
  let tf = 0;
  try {
    tf = timeframeToMs(candle.timeframe);
  } catch {
    // the contract refuses a bad timeframe
  }
  if (candle.ts > now + tf + CLOCK_GRACE_MS) return `${field}: ${when(candle.ts)} is ahead of the exchange's clock (${when(now)}): refused as implausible`;
  return undefined;
}

/** An order request's time and the prices it sets, against the market price and the exchange's clock. */
export function checkOrderRequest(
  request: { symbol: string; type: string; ts: number; price?: number; stopLoss?: number; takeProfit?: number; takeProfitLadder?: Array<{ price: number }> },
  market: number | undefined,
  now: number,
): string | undefined {
  return (
    checkMessageTime('msg.payload.ts', request.ts, now) ??
    (request.type === 'limit' ? checkOrderPrice('msg.payload.price', request.price, market, request.symbol) : undefined) ??
    checkOrderPrice('msg.payload.stopLoss', request.stopLoss, market, request.symbol) ??
    checkOrderPrice('msg.payload.takeProfit', request.takeProfit, market, request.symbol) ??
    // Each rung's price sets off a sell like a take-profit: checked the same way.
    request.takeProfitLadder?.reduce<string | undefined>((found, rung, i) => found ?? checkOrderPrice(`msg.payload.takeProfitLadder.${i}.price`, rung.price, market, request.symbol), undefined)
  );
}
