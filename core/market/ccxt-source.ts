/**
 * A real exchange through ccxt: the market source for `paper` and `live` modes.
 *
 * One instance per exchange config node, so every node on it shares one ccxt object:
 * markets are loaded once and one rate limiter paces every request.
 */
import type { OhlcvRow, OrderBook, Ticker } from '../contract';
import { loadExchangeClass, overrideApiUrls, type CcxtExchange } from './ccxt-loader';
import { handleWsFutures } from './ccxt-ws-futures';
import { useIncreasingNonce } from './ccxt-nonce';
import { SilentStreamError, SourceClosedError, summarizeBook, type MarketInfo, type MarketSource, type SourceCapabilities } from './market-source';
import type { PairTicker } from './pairlist';

export interface CcxtSourceOptions {
  exchangeId: string;
  sandbox?: boolean;
  /** Replaces the host of every API URL; for self-hosted proxies and tests. */
  baseUrl?: string;
  credentials?: { apiKey?: string; secret?: string; password?: string };
  /** Request timeout, ms (ccxt's default is 10 s). */
  timeoutMs?: number;
  /**
   * The exchange node's websocket setting. auto (default): websockets where ccxt has them, polling
   * while one fails or stays silent; on: websockets only for market data (a failing one is retried,
   * not replaced); off: REST polling only, no websocket is ever opened.
   */
  websocket?: WebsocketMode;
}

export type WebsocketMode = 'auto' | 'on' | 'off';

/**
 * The order book depths each exchange accepts, for both fetchOrderBook and watchOrderBook.
 *  - binance: /api/v3/depth limit 5, 10, 20, 50, 100, 500, 1000 (its websocket takes any).
 *  - kraken: websocket v2 book depth 10, 25, 100, 500, 1000 (ccxt pro kraken
 *    watchOrderBookForSymbols throws NotSupported for others; REST Depth takes 1-500).
 *  - bitfinex: /v2/book len 1, 25, 100; websocket len 25 or 100 (ccxt pro bitfinex
 *    watchOrderBook throws for others).
 * Exchanges not listed get Binance's list, as before.
 */
const BOOK_DEPTHS: Record<string, number[]> = {
  binance: [5, 10, 20, 50, 100, 500, 1000],
  kraken: [10, 25, 100, 500],
  bitfinex: [25, 100],
};

export class CcxtSource implements MarketSource {
  readonly exchangeId: string;
  capabilities: SourceCapabilities = { watchTicker: false, watchOrderBook: false, watchOHLCV: false };
  private exchange: CcxtExchange | undefined;
  private markets: Promise<Map<string, MarketInfo>> | undefined;

  private constructor(private readonly options: CcxtSourceOptions) {
    this.exchangeId = options.exchangeId;
  }

  /** Loads the exchange's ccxt class and configures it; no request is sent yet. */
  static async create(options: CcxtSourceOptions): Promise<CcxtSource> {
    const source = new CcxtSource(options);
    await source.init();
    return source;
  }

  private async init(): Promise<void> {
    const { exchangeId, credentials = {}, sandbox, baseUrl, timeoutMs } = this.options;
    const ExchangeClass = await loadExchangeClass(exchangeId);
    const config: Record<string, unknown> = {
      enableRateLimit: true,
      // Spot only for now: keeps ccxt from loading futures/options markets (and their hosts).
      options: {
        fetchMarkets: { types: ['spot'] },
        defaultType: 'spot',
        // Margin pair lists cost two signed requests per markets load and spot trading needs none.
        fetchMargins: false,
        // Binance's watchTicker defaults to the mini ticker, which has no bid/ask.
        ...(exchangeId.startsWith('binance') ? { watchTickers: { name: 'ticker' } } : {}),
        // No dial delay of ccxt's own: our loops pace reconnects (watch-loop.ts backoff and probe,
        // the order stream's backoff). ccxt 4.5 otherwise waits 1 s, 2 s, 4 s, ... per URL before
        // dialling again (reset only after 30 s of a stable connection), which outlasts a stream's
        // silent timeout: every probe found the websocket "silent" before it had even dialled, so
        // it never came back (Kraken, one URL for every stream), and a client closed while its dial
        // was pending dialled afterwards anyway, an orphan socket no close() reaches.
        ws: { backoff: { base: 0 } },
      },
    };
    if (timeoutMs) config.timeout = timeoutMs;
    for (const key of ['apiKey', 'secret', 'password'] as const) {
      if (credentials[key]) config[key] = credentials[key];
    }
    const exchange = new ExchangeClass(config);
    // Two signed requests in one millisecond must not share a nonce (see there).
    useIncreasingNonce(exchange);
    // Futures of the websocket clients nobody awaits must not end the process (see there).
    handleWsFutures(exchange);
    if (sandbox) {
      if (!exchange.urls?.test) {
        throw new Error(`exchange "${exchangeId}" has no testnet/sandbox in ccxt; turn the sandbox switch off`);
      }
      exchange.setSandboxMode(true);
    }
    if (baseUrl) {
      exchange.urls.api = overrideApiUrls(exchange.urls.api, baseUrl);
      // ccxt refuses plain ws:// URLs until its http agent is loaded.
      if (baseUrl.startsWith('http:')) await exchange.loadHttpProxyAgent();
    }
    const has = exchange.has ?? {};
    const ws = this.options.websocket !== 'off' && typeof exchange.watchTicker === 'function';
    this.capabilities = {
      watchTicker: ws && has.watchTicker === true,
      watchOrderBook: ws && has.watchOrderBook === true,
      watchOHLCV: ws && has.watchOHLCV === true,
    };
    this.exchange = exchange;
  }

  get websocketFallback(): boolean {
    return this.options.websocket !== 'on';
  }

  /** Whether any websocket may be opened (the order stream too): not when the setting is "off". */
  get websocketAllowed(): boolean {
    return this.options.websocket !== 'off';
  }

  /** The ccxt instance itself, for the live order executor: one instance, one rate limiter. */
  get ccxt(): CcxtExchange {
    return this.ex;
  }

  private get ex(): CcxtExchange {
    if (!this.exchange) throw new Error(`exchange "${this.exchangeId}" is closed`);
    return this.exchange;
  }

  loadMarkets(): Promise<Map<string, MarketInfo>> {
    if (!this.markets) {
      const loading: Promise<Map<string, MarketInfo>> = this.ex.loadMarkets().then(marketInfos);
      // A failed load must not poison every later call: the next call retries (ccxt keeps its
      // own rejected promise too, so that goes as well).
      loading.catch(() => {
        this.markets = undefined;
        if (this.exchange) this.exchange.marketsLoading = undefined;
      });
      this.markets = loading;
      return loading;
    }
    return this.markets;
  }

  async reloadMarkets(): Promise<Map<string, MarketInfo>> {
    // reload = true: ccxt asks the exchange again and replaces its own markets too (orders use them).
    const reloaded = marketInfos(await this.ex.loadMarkets(true));
    this.markets = Promise.resolve(reloaded);
    return reloaded;
  }

  now(): number {
    return Date.now();
  }

  minPollIntervalMs(requestsPerRound: number): number {
    const rateLimit = Number(this.ex.rateLimit) || 1000;
    return Math.ceil(rateLimit * Math.max(1, requestsPerRound));
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    return this.toTicker(await this.call(() => this.ex.fetchTicker(symbol)));
  }

  /** ccxt fetchTickers (Binance: one GET /api/v3/ticker/24hr); tickers of markets not loaded, or without a last price, are left out. */
  async fetchTickers(): Promise<PairTicker[]> {
    const markets = await this.loadMarkets();
    const raw = (await this.call(() => this.ex.fetchTickers())) as Record<string, any>;
    const rows: PairTicker[] = [];
    for (const t of Object.values(raw)) {
      if (!t || !markets.has(t.symbol)) continue;
      const last = t.last ?? t.close;
      if (!(last > 0)) continue;
      const row: PairTicker = { symbol: t.symbol, last, bid: t.bid > 0 ? t.bid : null, ask: t.ask > 0 ? t.ask : null };
      if (typeof t.baseVolume === 'number' && t.baseVolume >= 0) row.baseVolume = t.baseVolume;
      if (typeof t.quoteVolume === 'number' && t.quoteVolume >= 0) row.quoteVolume = t.quoteVolume;
      rows.push(row);
    }
    return rows;
  }

  async watchTicker(symbol: string): Promise<Ticker> {
    return this.toTicker(await this.call(() => this.ex.watchTicker(symbol)));
  }

  async fetchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    return this.toBook(symbol, depth, await this.call(() => this.ex.fetchOrderBook(symbol, this.requestDepth(depth))));
  }

  async watchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    return this.toBook(symbol, depth, await this.call(() => this.ex.watchOrderBook(symbol, this.requestDepth(depth))));
  }

  async fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<OhlcvRow[]> {
    return (await this.call(() => this.ex.fetchOHLCV(symbol, timeframe, since, limit))) as OhlcvRow[];
  }

  async watchOHLCV(symbol: string, timeframe: string): Promise<OhlcvRow[]> {
    return (await this.call(() => this.ex.watchOHLCV(symbol, timeframe))) as OhlcvRow[];
  }

  /**
   * Closes the market-data connections that carry `symbol` (ccxt keeps one client per connection
   * URL, its pending futures and subscriptions keyed by hashes that name the symbol or its market
   * id); the next watch* dials a new one. Other streams on the same connection see a network error
   * and come back by themselves. The order stream's connection (ws-api) is left alone.
   */
  async reopenStream(symbol: string): Promise<void> {
    const ex = this.exchange;
    if (!ex?.clients) return;
    const id = String(ex.markets?.[symbol]?.id ?? '').toLowerCase();
    for (const [url, client] of Object.entries(ex.clients as Record<string, any>)) {
      if (url.includes('ws-api') || !client) continue;
      const hashes = [...Object.keys(client.futures ?? {}), ...Object.keys(client.subscriptions ?? {})];
      if (!hashes.some((h) => h.includes(symbol) || (id !== '' && h.toLowerCase().includes(id)))) continue;
      delete ex.clients[url];
      const error = new SilentStreamError(`no data on ${symbol}: stream reopened`);
      client.error = error;
      try {
        client.reset?.(error);
        await client.close?.();
      } catch {
        /* a socket that will not close cleanly is dropped anyway: it is no longer the exchange's client */
      }
    }
  }

  async close(): Promise<void> {
    const exchange = this.exchange;
    this.exchange = undefined;
    if (exchange && typeof exchange.close === 'function') await exchange.close();
  }

  /** Runs a ccxt call; a call cut short by close() is reported as such, not as an exchange failure. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (!this.exchange) throw new SourceClosedError(this.exchangeId);
      throw err;
    }
  }

  /**
   * Exchanges accept only some depths: ask for the next one up (the book is cut to `depth`), at
   * most the largest. A depth the exchange refuses fails every request, REST and websocket alike.
   */
  private requestDepth(depth: number): number {
    const family = Object.keys(BOOK_DEPTHS).find((id) => this.exchangeId.startsWith(id));
    const allowed = BOOK_DEPTHS[family ?? 'binance']!;
    return allowed.find((d) => d >= depth) ?? allowed[allowed.length - 1]!;
  }

  private toTicker(t: any): Ticker {
    const last = t.last ?? t.close ?? (t.bid && t.ask ? (t.bid + t.ask) / 2 : undefined);
    if (!(last > 0)) throw new Error(`${this.exchangeId} sent a ticker for ${t.symbol} without a last price`);
    const ticker: Ticker = {
      kind: 'ticker',
      exchange: this.exchangeId,
      symbol: t.symbol,
      ts: t.timestamp ?? Date.now(),
      bid: t.bid > 0 ? t.bid : null,
      ask: t.ask > 0 ? t.ask : null,
      last,
    };
    if (typeof t.baseVolume === 'number' && t.baseVolume >= 0) ticker.baseVolume = t.baseVolume;
    return ticker;
  }

  private toBook(symbol: string, depth: number, book: any): OrderBook {
    // Plain arrays: ccxt's websocket books are Array subclasses that map() would keep.
    const take = (side: any[]): Array<[number, number]> =>
      Array.from(side.slice(0, depth), (level: any[]) => [Number(level[0]), Number(level[1])] as [number, number]);
    return summarizeBook(this.exchangeId, symbol, book.timestamp ?? Date.now(), take(book.bids), take(book.asks));
  }
}

/** ccxt's markets as the package's MarketInfo, by symbol. */
function marketInfos(raw: Record<string, any>): Map<string, MarketInfo> {
  const result = new Map<string, MarketInfo>();
  for (const [symbol, m] of Object.entries(raw)) {
    result.set(symbol, {
      symbol,
      base: m.base,
      quote: m.quote,
      tickSize: m.precision?.price,
      amountStep: m.precision?.amount,
      minAmount: m.limits?.amount?.min,
      minNotional: m.limits?.cost?.min,
      active: m.active !== false,
    });
  }
  return result;
}
