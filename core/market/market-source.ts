/**
 * Where market data comes from, behind one interface: the simulated market, or a real
 * exchange through ccxt. Feeds (ticker, order book, candles) only talk to this.
 *
 * Calls mirror ccxt's unified API: fetch* is one request, watch* resolves with the next
 * update (a websocket message, or the next simulated step).
 */
import type { OhlcvRow, OrderBook, Ticker } from '../contract';

/** One symbol's 24h figures as the ranking reads them (MarketSource.fetchTickers). */
export interface PairTicker {
  symbol: string;
  last: number;
  bid: number | null;
  ask: number | null;
  baseVolume?: number;
  /** Traded in the quote currency over 24 h; when the exchange does not say, baseVolume x last. */
  quoteVolume?: number;
}

export interface MarketInfo {
  symbol: string;
  base: string;
  quote: string;
  /** Smallest price increment, when the exchange says. */
  tickSize?: number;
  /** Smallest amount increment, when the exchange says. */
  amountStep?: number;
  minAmount?: number;
  minNotional?: number;
  active: boolean;
}

export interface SourceCapabilities {
  watchTicker: boolean;
  watchOrderBook: boolean;
  watchOHLCV: boolean;
}

export interface MarketSource {
  readonly exchangeId: string;
  readonly capabilities: SourceCapabilities;
  /**
   * Whether market-data feeds fall back to polling when a websocket fails or stays silent (the
   * exchange node's websocket setting: "auto" yes, "on" no). Absent: yes.
   */
  readonly websocketFallback?: boolean;
  /** Markets by symbol; loaded once and shared by every node on the same exchange config. */
  loadMarkets(): Promise<Map<string, MarketInfo>>;
  /**
   * Loads the markets from the exchange again (new listings, delistings, changed steps); what
   * loadMarkets() gives from then on. A failure leaves the markets loaded before. Absent: the
   * markets never change (the simulator, a backtest).
   */
  reloadMarkets?(): Promise<Map<string, MarketInfo>>;
  /** Milliseconds since the epoch on the source's clock (virtual time on the simulator). */
  now(): number;
  /** The shortest polling interval that keeps `requestsPerRound` requests within the exchange's rate limit. */
  minPollIntervalMs(requestsPerRound: number): number;
  fetchTicker(symbol: string): Promise<Ticker>;
  /**
   * Every market's 24h ticker with its volumes, in one request where the exchange has one (the
   * pairlist ranks them). Absent: the pairlist asks fetchTicker per market.
   */
  fetchTickers?(): Promise<PairTicker[]>;
  watchTicker(symbol: string): Promise<Ticker>;
  fetchOrderBook(symbol: string, depth: number): Promise<OrderBook>;
  watchOrderBook(symbol: string, depth: number): Promise<OrderBook>;
  /** Candles, ascending, the still-forming one included when the exchange returns it. */
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<OhlcvRow[]>;
  /** Resolves with the latest candle rows when a candle update arrives. */
  watchOHLCV(symbol: string, timeframe: string): Promise<OhlcvRow[]>;
  /** Releases sockets and timers. Pending watch* calls reject. */
  close(): Promise<void>;
  /**
   * Closes the websocket connection(s) carrying `symbol`'s streams, so the next watch* opens a new
   * one (a stream that stays open but went silent). Pending watch* calls on them reject with a
   * retryable network error. Only sources with websockets (ccxt) have it.
   */
  reopenStream?(symbol: string): Promise<void>;
}

// Named like ccxt's classes, so the retry rules (which read the class chain by name) treat the
// rejection of a reopened stream as the network error it is: retried, never fatal.
class OperationFailed extends Error {}
class NetworkError extends OperationFailed {}
/** Rejects the watch* calls of a connection closed because it went silent. */
export class SilentStreamError extends NetworkError {
  override readonly name = 'SilentStreamError';
}

/** Pending watch* calls reject with this when the source is closed (redeploy, shutdown): not a failure. */
export class SourceClosedError extends Error {
  override readonly name = 'SourceClosedError';
  constructor(exchangeId: string) {
    super(`${exchangeId} market source closed`);
  }
}

/** Checks `symbol` against the loaded markets and throws an error a person can act on. */
export async function assertSymbolListed(source: MarketSource, symbol: string): Promise<MarketInfo> {
  const markets = await source.loadMarkets();
  const market = markets.get(symbol);
  if (market) return market;
  const wanted = symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const close = [...markets.keys()].filter((s) => s.replace(/[^A-Z0-9]/gi, '').toUpperCase() === wanted).slice(0, 3);
  const hint = close.length ? ` Did you mean ${close.join(', ')}?` : '';
  throw new Error(`symbol "${symbol}" is not listed on ${source.exchangeId}.${hint}`);
}

/** Builds an order-book payload (mid, spread, imbalance) from sorted levels. */
export function summarizeBook(
  exchange: string,
  symbol: string,
  ts: number,
  bids: Array<[number, number]>,
  asks: Array<[number, number]>,
): OrderBook {
  const bestBid = bids[0]?.[0];
  const bestAsk = asks[0]?.[0];
  const bidVolume = bids.reduce((sum, [, amount]) => sum + amount, 0);
  const askVolume = asks.reduce((sum, [, amount]) => sum + amount, 0);
  const total = bidVolume + askVolume;
  return {
    kind: 'orderbook',
    exchange,
    symbol,
    ts,
    bids,
    asks,
    mid: bestBid !== undefined && bestAsk !== undefined ? (bestBid + bestAsk) / 2 : null,
    spread: bestBid !== undefined && bestAsk !== undefined ? bestAsk - bestBid : null,
    imbalance: total > 0 ? (bidVolume - askVolume) / total : null,
  };
}
