/**
 * What the product can rely on for one exchange: how market data and order updates travel, the
 * client order id it sends, how it finds an order after an ambiguous failure, where stops rest,
 * and its request pace. Derived from ccxt's `has` table and documented parameters, plus what our
 * integration suite proved against a wire-format mock of the exchange (TESTED below).
 *
 * The exchange node shows it in its dialog and logs it once; live mode is refused on an exchange
 * whose profile cannot keep the no-duplicate promise (liveRefusal). docs/exchanges.md has the table.
 */
import { clientOrderIdFormat, FORMAT_DESCRIPTIONS, type ClientOrderIdFormat } from './client-order-id';
import { ConfigError } from '../errors';

/**
 * How an order is found by its client order id after an answer was lost:
 *  - fetch-by-client-id: one request that asks the exchange for exactly that id (Binance
 *    origClientOrderId). "Not found" is the exchange's answer.
 *  - filter-by-client-id: open and closed orders, filtered by the exchange on the id (Kraken
 *    `cl_ord_id`; its single-order query takes only `userref`, an integer, so it cannot find ours).
 *  - scan: open orders, then closed orders since shortly before the order, matched on the id the
 *    exchange echoes (Bitfinex `cid`, exchanges not tested).
 *  - none: the exchange cannot list orders through ccxt: an ambiguous order cannot be resolved.
 */
export type OrderLookup = 'fetch-by-client-id' | 'filter-by-client-id' | 'scan' | 'none';

/** The field each tested exchange carries the client order id in (ccxt maps params.clientOrderId to it). */
const CLIENT_ID_FIELD: Record<string, string> = {
  binance: 'newClientOrderId',
  kraken: 'cl_ord_id',
  bitfinex: 'cid',
  coinbase: 'client_order_id',
  okx: 'clOrdId',
  bybit: 'orderLinkId',
  kucoin: 'clientOid',
  gate: 'text',
  luno: 'client_order_id',
};

/** Exchanges our integration suite runs against a wire-format mock (test/integration/exchanges.test.ts). */
export const TESTED_EXCHANGES = ['binance', 'kraken', 'bitfinex', 'luno'] as const;

/**
 * Exchanges where live trading is refused for what a wire-format mock showed of ccxt's class,
 * whatever its `has` table says. Luno (test/integration/mock-luno.test.ts, ccxt 4.5): its class
 * neither sends nor reads client order ids (only `info` may carry one, and Luno's v1 order lists
 * do not), so an order whose answer was lost cannot be found; and it sends a market buy's amount
 * as the quote currency to spend, so 0.01 BTC would become 0.01 ZAR.
 */
const LIVE_REFUSED: Record<string, string> = {
  luno: "ccxt's luno class cannot find an order by its client order id after a lost answer, and sends a market buy's amount as the quote currency to spend (0.01 BTC would buy 0.01 ZAR worth); paper mode works",
};

/** Exchanges whose resting stop-loss orders the suite proved (see `stops`). */
const STOP_TESTED = ['binance'];

export interface ExchangeProfile {
  exchangeId: string;
  /** Proven by the integration suite against a mock of this exchange's wire format. */
  tested: boolean;
  /** Per stream: websocket (with polling as the fallback when the setting is auto) or polling only. */
  transports: { ticker: Transport; candles: Transport; orderBook: Transport; orders: Transport };
  clientOrderId: { format: ClientOrderIdFormat; field: string; describe: string };
  lookup: OrderLookup;
  /** exchange: a stop-loss rests at the exchange; bot-watched: the account sells when the price crosses it. */
  stops: 'exchange' | 'bot-watched';
  /** ccxt's minimum time between two requests, ms. */
  rateLimitMs: number;
  /** What the product does itself because the exchange (through ccxt) cannot. */
  emulated: string[];
  /** What is missing; live trading needs none of it unless liveRefusal says so. */
  missing: string[];
  /** Why live trading is refused here; undefined when it is allowed. */
  liveRefusal?: string;
}

export type Transport = 'websocket' | 'polling';

/** The parts of a ccxt exchange instance the profile reads. */
export interface CcxtLike {
  id?: string;
  has?: Record<string, unknown>;
  rateLimit?: number;
}

/** The exchange family: binanceus, binanceusdm -> binance; kraken; okxus -> okx. */
function family(id: string): string {
  for (const name of ['binance', 'kraken', 'bitfinex', 'coinbase', 'okx', 'bybit', 'kucoin', 'gate']) if (id.startsWith(name)) return name;
  return id;
}

export function orderLookupOf(ex: CcxtLike): OrderLookup {
  const id = family(String(ex.id ?? ''));
  const has = ex.has ?? {};
  if (id === 'binance' && has.fetchOrder) return 'fetch-by-client-id';
  if (id === 'kraken' && has.fetchOpenOrders && has.fetchClosedOrders) return 'filter-by-client-id';
  if (id === 'luno') return 'none';
  if (has.fetchOpenOrders && (has.fetchClosedOrders || has.fetchOrders)) return 'scan';
  return 'none';
}

/**
 * The profile of a ccxt exchange instance under the exchange node's websocket setting.
 * `websocketAllowed` false: the setting is "off", everything polls.
 */
export function exchangeProfile(ex: CcxtLike, websocketAllowed = true): ExchangeProfile {
  const exchangeId = String(ex.id ?? '');
  const has = ex.has ?? {};
  const ws = (capability: string): Transport => (websocketAllowed && has[capability] === true ? 'websocket' : 'polling');
  const format = clientOrderIdFormat(exchangeId);
  const lookup = orderLookupOf(ex);
  // A stop-loss rests at the exchange only where the suite proved ccxt sends it as a stop (Binance's
  // stopLossPrice -> STOP_LOSS). Elsewhere ccxt's unified parameter is not honoured alike (its
  // Bitfinex class ignores stopLossPrice and would send a market sell at once): the bot watches.
  const stops = STOP_TESTED.includes(family(exchangeId)) && (has.createStopLossOrder === true || has.createStopOrder === true) ? 'exchange' : 'bot-watched';
  const tested = (TESTED_EXCHANGES as readonly string[]).includes(exchangeId);
  const transports = { ticker: ws('watchTicker'), candles: ws('watchOHLCV'), orderBook: ws('watchOrderBook'), orders: ws('watchOrders') };
  const emulated: string[] = [];
  const missing: string[] = [];
  if (stops === 'bot-watched') emulated.push('stop-losses: watched by the bot (sold at market when the price crosses), not resting at the exchange');
  emulated.push('take-profit and trailing stops: watched by the bot');
  if (transports.orders === 'polling') emulated.push('order updates: polled (every second per open order)');
  if (lookup === 'scan') emulated.push('finding an order after a lost answer: open and recent closed orders are searched for its client order id');
  if (!has.fetchOHLCV) missing.push('candles (fetchOHLCV)');
  if (!has.fetchOrderBook) missing.push('order book (fetchOrderBook)');
  if (!tested) missing.push('not tested by this project: check the client order id and the lookup on the exchange\'s testnet first (docs/exchanges.md)');
  let liveRefusal: string | undefined = LIVE_REFUSED[exchangeId];
  if (liveRefusal) missing.push('live trading (see the refusal)');
  else if (has.createOrder !== true) liveRefusal = `ccxt cannot place orders on ${exchangeId}`;
  else if (lookup === 'none') {
    liveRefusal = `ccxt cannot list orders on ${exchangeId} (no fetchOpenOrders with fetchClosedOrders or fetchOrders), so an order whose answer was lost could not be found, and a retry could place it twice`;
  }
  return {
    exchangeId,
    tested,
    transports,
    clientOrderId: { format, field: CLIENT_ID_FIELD[family(exchangeId)] ?? 'clientOrderId', describe: FORMAT_DESCRIPTIONS[format] },
    lookup,
    stops,
    rateLimitMs: Number(ex.rateLimit) || 1000,
    emulated,
    missing,
    liveRefusal,
  };
}

/** Live trading refused on this exchange (its profile's liveRefusal): a setting, not a passing fault. */
export class LiveRefusedError extends ConfigError {
  override name = 'LiveRefusedError';
}

/** The profile in one log line. */
export function describeProfile(p: ExchangeProfile): string {
  const t = p.transports;
  const streams = `ticker ${t.ticker}, candles ${t.candles}, order book ${t.orderBook}, orders ${t.orders}`;
  const lookup = { 'fetch-by-client-id': 'fetched by client order id', 'filter-by-client-id': 'open/closed orders filtered by client order id', scan: 'open/recent closed orders searched', none: 'cannot be looked up' }[p.lookup];
  return `${p.exchangeId}${p.tested ? '' : ' (not tested by tradebot)'}: ${streams}; client order id in ${p.clientOrderId.field} as ${p.clientOrderId.describe}; lost orders ${lookup}; stops ${p.stops}; one request per ${p.rateLimitMs} ms`;
}
