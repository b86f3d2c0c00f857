/**
 * A mock Luno exchange for integration tests: REST (`/api/1/...`, `/api/exchange/N/...`) and the
 * streaming API (`/api/1/stream/<pair>`) on ONE port of 127.0.0.1, implementing MockExchange
 * (./mock-exchange.ts). Where the product's API URL override (core/market/api-url-override.ts)
 * sends a ccxt luno given `http://127.0.0.1:PORT`:
 *   https://api.luno.com/api            -> http://127.0.0.1:PORT/api             (public, private: + /1/<path>)
 *   https://api.luno.com/api/exchange   -> http://127.0.0.1:PORT/api/exchange    (exchange, exchangePrivate: + /1/<path>)
 *   wss://ws.luno.com/api/1             -> ws://127.0.0.1:PORT/api/1             (pro: + /stream/<pair>)
 *
 * Wire formats are Luno's (https://www.luno.com/en/developers/api, and the spec-generated
 * github.com/luno/luno-go) as ccxt 4.5.84 luno.js / pro/luno.js parse them; the ccxt function
 * reading a field is named next to it. Market data is set by the test (setTicker, setCandles,
 * pushCandle, setOrderBook, pushTrade); no timer emits anything on its own (keepalive() sends
 * Luno's empty keepalive message when a test wants one).
 *
 * What ccxt calls:
 *   loadMarkets     GET /api/exchange/1/markets  (+ GET /api/1/send/networks, authenticated, once keys are set)
 *   fetchTicker     GET /api/1/ticker?pair=XBTZAR          fetchTickers  GET /api/1/tickers
 *   fetchOrderBook  GET /api/1/orderbook_top?pair= (limit <= 100, aggregated) or /api/1/orderbook (every order)
 *   fetchTrades     GET /api/1/trades?pair=[&since=]
 *   fetchOHLCV      GET /api/exchange/1/candles?duration=<s>&pair=&since=<ms>: AUTHENTICATED on Luno
 *                   (ccxt api 'exchangePrivate'): without keys ccxt refuses before sending anything.
 *   watchOrderBook / watchTrades   ws /api/1/stream/XBTZAR: the client first sends
 *                   {"api_key_id","api_key_secret"} (ccxt requires keys for both), then gets the
 *                   order book snapshot {sequence, asks, bids: [{id, price, volume}], status, timestamp},
 *                   then one update per message {sequence, trade_updates, create_update, delete_update,
 *                   status_update, timestamp}; sequence (a string) grows by one per message.
 * Private endpoints: see ./mock-luno-trading.ts.
 *
 * Books are Luno's level-3 books: every entry is one order with an id. setOrderBook makes one
 * order per level; a changed level is deleted and re-created (new id) on the stream. pushTrade
 * reduces the best opposite order (the maker) by the traded volume and removes it at zero, with
 * NO delete_update, as Luno does (luno-go streaming.decTrade). ccxt pro luno ignores
 * trade_updates in its book (handleDelta reads create/delete only), so its book keeps the maker's
 * old volume: a ccxt limitation, visible in the tests.
 *
 * The account's own resting orders are not put into the book (fills follow the ticker, see
 * ./mock-luno-trading.ts), and its fills send no trade_updates.
 *
 * MockCall classes: createOrder = POST marketorder/postorder, cancel = POST stoporder, lookup =
 * order and trade reads (./mock-luno-trading.ts isLookupPath), private = every authenticated call
 * except candles, public = markets, tickers, books, trades AND candles (market data, though Luno
 * authenticates candles).
 *
 * ccxt's rateLimit for luno is 200 ms: tests give the ccxt instance a small rateLimit.
 */
import http from 'node:http';
import { WebSocket } from 'ws';
import type { MockCall, MockExchange } from './mock-exchange';
import { MockExchangeServer, upsertCandle } from './mock-exchange-server';
import { CANCEL_PATH, CREATE_PATHS, LunoTradingEngine, isLookupPath, type LunoAccountOptions, type LunoPair, type LunoResult } from './mock-luno-trading';
import { testCredentials } from './test-credentials';

export { isValidLunoClientOrderId } from './mock-luno-trading';
export type { LunoAccountOptions } from './mock-luno-trading';

interface BookOrder {
  id: string;
  price: number;
  volume: number;
}

interface PairState extends LunoPair {
  volume24h: number;
  /** level-3 book: order id -> order */
  bids: Map<string, BookOrder>;
  asks: Map<string, BookOrder>;
  /** the stream's sequence: the snapshot's, then +1 per update message */
  sequence: number;
  /** duration in seconds -> rows [ms, o, h, l, c, v], ascending */
  candles: Map<number, number[][]>;
  /** public trades, oldest first */
  trades: Array<{ sequence: number; timestamp: number; price: number; volume: number; isBuy: boolean }>;
}

interface StreamClient {
  pair: PairState;
  /** true once the credentials message was accepted and the snapshot sent */
  authed: boolean;
  silent: boolean;
}

interface MockRequest {
  method: string;
  path: string;
  /** query and form body merged, as received */
  params: Record<string, string>;
  /** the key id the Basic header names (valid or not) */
  apiKey?: string;
}

/** Luno's /api/exchange/1/markets values for these pairs (XBTZAR, ETHZAR). */
const PAIRS: Array<Omit<LunoPair, 'ticker'> & { price: number }> = [
  { id: 'XBTZAR', symbol: 'BTC/ZAR', base: 'BTC', quote: 'ZAR', baseId: 'XBT', quoteId: 'ZAR', minVolume: 0.0005, maxVolume: 100, volumeScale: 6, minPrice: 100, maxPrice: 100_000_000, priceScale: 0, price: 1_200_000 },
  { id: 'ETHZAR', symbol: 'ETH/ZAR', base: 'ETH', quote: 'ZAR', baseId: 'ETH', quoteId: 'ZAR', minVolume: 0.005, maxVolume: 1000, volumeScale: 6, minPrice: 10, maxPrice: 10_000_000, priceScale: 0, price: 60_000 },
];

/** ccxt luno `timeframes` (unified -> Luno candle duration in seconds). */
const DURATIONS: Record<string, number> = { '1m': 60, '5m': 300, '15m': 900, '30m': 1800, '1h': 3600, '3h': 10800, '4h': 14400, '8h': 28800, '1d': 86400, '3d': 259200, '1w': 604800 };
const VALID_DURATIONS = new Set(Object.values(DURATIONS));

const fmt = (n: number): string => (Math.round(n * 1e8) / 1e8).toFixed(8);

function lunoError(status: number, code: string, message: string): LunoResult {
  return { status, body: { error: message, error_code: code, error_action: {} } };
}

export class MockLuno extends MockExchangeServer<StreamClient, MockRequest> implements MockExchange {
  readonly exchangeId = 'luno';
  readonly symbol = 'BTC/ZAR';
  readonly base = 'BTC';
  readonly quote = 'ZAR';
  /** A key id and secret in Luno's format (13-character id, 43-character url-safe secret). */
  readonly credentials = testCredentials('mockluno');

  private readonly pairs = new Map<string, PairState>(); // by id (XBTZAR) and unified symbol (BTC/ZAR)
  private nextBookOrder = 1;
  private nextPublicTrade = 9_000_000;
  protected readonly trading: LunoTradingEngine;

  /** @param opts.v1ClientOrderId  v1 orders (listorders, orders/{id}) carry client_order_id (default true); false = Luno's published v1 schema */
  constructor(opts: { v1ClientOrderId?: boolean } = {}) {
    super('mock-luno');
    for (const { price, ...cfg } of PAIRS) {
      const p: PairState = { ...cfg, ticker: { bid: price - 1, ask: price, last: price }, volume24h: 10, bids: new Map(), asks: new Map(), sequence: 1000, candles: new Map(), trades: [] };
      this.fillBook(p, [[price - 1, 1], [price - 2, 2]], [[price, 1], [price + 1, 2]]);
      this.pairs.set(p.id, p);
      this.pairs.set(p.symbol, p);
    }
    this.trading = new LunoTradingEngine({ now: () => this.now(), pair: (id) => this.pairs.get(id) }, opts.v1ClientOrderId ?? true);
  }

  // ---------------------------------------------------------------- market data

  /** Luno has no ticker stream: REST only. Resting limit orders the new prices cross fill. */
  setTicker(symbol: string, t: { bid: number; ask: number; last: number; volume?: number }): void {
    const p = this.pair(symbol);
    Object.assign(p.ticker, { bid: t.bid, ask: t.ask, last: t.last });
    if (t.volume !== undefined) p.volume24h = t.volume;
    this.trading.onTicker(p.id);
  }

  setCandles(symbol: string, timeframe: string, rows: number[][]): void {
    this.pair(symbol).candles.set(this.duration(timeframe), rows.map((r) => r.slice(0, 6)).sort((x, y) => x[0]! - y[0]!));
  }

  /** Luno streams no candles: the row only changes what /api/exchange/1/candles answers. */
  pushCandle(symbol: string, timeframe: string, row: number[]): void {
    const p = this.pair(symbol);
    const d = this.duration(timeframe);
    const rows = p.candles.get(d) ?? [];
    upsertCandle(rows, row.slice(0, 6));
    p.candles.set(d, rows);
  }

  /**
   * Replaces the book (price levels; one order each). Stream clients get, one message each, a
   * delete_update for every level that went or changed, then a create_update for every level
   * that is new or changed.
   */
  setOrderBook(symbol: string, bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    const p = this.pair(symbol);
    const sides: Array<[Map<string, BookOrder>, Array<[number, number]>, 'BID' | 'ASK']> = [
      [p.bids, bids, 'BID'],
      [p.asks, asks, 'ASK'],
    ];
    const deletes: string[] = [];
    const creates: Array<{ order: BookOrder; type: 'BID' | 'ASK' }> = [];
    for (const [book, levels, type] of sides) {
      const wanted = new Map(levels.filter(([, v]) => v > 0));
      for (const [id, o] of book) {
        if (wanted.get(o.price) === o.volume) wanted.delete(o.price);
        else {
          book.delete(id);
          deletes.push(id);
        }
      }
      for (const [price, volume] of wanted) {
        const order = { id: this.bookOrderId(), price, volume };
        book.set(order.id, order);
        creates.push({ order, type });
      }
    }
    for (const id of deletes) this.update(p, { delete_update: { order_id: id } });
    // pro luno handleDelta: create_update.order_id, type (BID/ASK), price, volume
    for (const { order, type } of creates) this.update(p, { create_update: { order_id: order.id, type, price: fmt(order.price), volume: fmt(order.volume) } });
  }

  /**
   * A public trade: the best order on the side the taker hits (the maker) shrinks by `volume`
   * (removed at zero, without a delete_update), and stream clients get one trade_updates message.
   * isBuy: the taker bought (hits the asks).
   */
  pushTrade(symbol: string, t: { volume: number; isBuy: boolean }): void {
    const p = this.pair(symbol);
    const book = t.isBuy ? p.asks : p.bids;
    const best = [...book.values()].sort((x, y) => (t.isBuy ? x.price - y.price : y.price - x.price))[0];
    if (!best) throw new Error(`mock-luno: no ${t.isBuy ? 'ask' : 'bid'} to trade against in ${p.id}`);
    const volume = Math.min(t.volume, best.volume);
    best.volume = Math.round((best.volume - volume) * 1e8) / 1e8;
    if (best.volume <= 0) book.delete(best.id);
    const sequence = ++this.nextPublicTrade;
    p.trades.push({ sequence, timestamp: this.now(), price: best.price, volume, isBuy: t.isBuy });
    p.ticker.last = best.price;
    // pro luno parseTrade: base (amount), counter (cost); luno-go TradeUpdate: sequence, maker/taker ids, order_id (deprecated maker)
    this.update(p, { trade_updates: [{ sequence, base: fmt(volume), counter: fmt(volume * best.price), maker_order_id: best.id, taker_order_id: this.bookOrderId(), order_id: best.id }] });
  }

  /** Luno's keepalive: an empty message (the JSON string ""), to every authenticated stream client. */
  keepalive(): void {
    for (const [ws, c] of this.clients) if (c.authed && !c.silent) this.send(ws, '');
  }

  // ---------------------------------------------------------------- trading

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts?: LunoAccountOptions): void {
    this.trading.addAccount(apiKey, secret, balances, opts);
  }

  // ---------------------------------------------------------------- observation

  /** Resolves once a stream of `symbol` (unified or Luno id) has been authenticated and sent its snapshot. */
  waitForStream(symbol: string, timeoutMs = 5000): Promise<void> {
    const p = this.pair(symbol);
    return this.waitFor(() => [...this.clients.values()].some((c) => c.authed && c.pair === p), `stream of ${p.id}`, timeoutMs);
  }

  // ---------------------------------------------------------------- internals: REST

  protected onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const authorization = req.headers.authorization;
    const record: MockRequest = { method, path, params: Object.fromEntries(url.searchParams) };
    const keyId = LunoTradingEngine.keyOf(authorization);
    if (keyId !== undefined) record.apiKey = keyId;
    this.requests.push(record);
    this.readBody(req, (body) => {
      if (body !== '') Object.assign(record.params, Object.fromEntries(new URLSearchParams(body)));
      this.route(req, res, method, path, record.params, authorization, keyId);
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, method: string, path: string, params: Record<string, string>, authorization: string | undefined, keyId: string | undefined): void {
    const publicRead = method === 'GET' ? this.publicCall(path, params) : undefined;
    const candles = method === 'GET' && path === '/api/exchange/1/candles';
    const isPublic = publicRead !== undefined || candles;
    const calls: MockCall[] = [];
    if (isPublic) calls.push('public');
    else {
      this.trading.noteRequest(path, keyId);
      calls.push('private');
      if (CREATE_PATHS.has(path)) calls.push('createOrder');
      if (path === CANCEL_PATH) calls.push('cancel');
      if (isLookupPath(path)) calls.push('lookup');
    }
    const fault = this.takeFault(calls);
    const process = (): LunoResult => {
      if (publicRead !== undefined) return publicRead;
      const auth = this.trading.authenticate(authorization);
      if ('status' in auth) return auth;
      if (candles) return this.candles(params);
      if (fault !== undefined && typeof fault === 'object' && 'emptyAnswer' in fault && isLookupPath(path)) return LunoTradingEngine.emptyAnswer(path);
      return this.trading.handle(method, path, auth.apiKey, params) ?? lunoError(404, 'ErrNotFound', 'Not found');
    };
    this.respond(fault, req, res, process, (r) => this.answer(res, r.body, r.status));
  }

  /** Luno's gateway error page carries no Cloudflare footer. */
  protected override gatewayPage(status: number): string {
    const reason = http.STATUS_CODES[status] ?? 'Error';
    return `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center></body></html>`;
  }

  private answer(res: http.ServerResponse, body: unknown, status: number): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** undefined = not a public path. */
  private publicCall(path: string, q: Record<string, string>): LunoResult | undefined {
    switch (path) {
      case '/api/exchange/1/markets':
        return this.markets(q);
      case '/api/1/ticker': {
        const p = this.pairOf(q);
        return 'status' in p ? p : { status: 200, body: this.tickerJson(p) };
      }
      case '/api/1/tickers':
        return { status: 200, body: { tickers: this.uniquePairs().filter((p) => q.pair === undefined || q.pair === p.id).map((p) => this.tickerJson(p)) } };
      case '/api/1/orderbook_top':
      case '/api/1/orderbook': {
        const p = this.pairOf(q);
        return 'status' in p ? p : { status: 200, body: this.bookJson(p, path === '/api/1/orderbook_top') };
      }
      case '/api/1/trades': {
        const p = this.pairOf(q);
        if ('status' in p) return p;
        const since = q.since === undefined ? this.now() - 86_400_000 : Number(q.since);
        // fetchTrades -> parseTrade (public): sequence, timestamp, price, volume, is_buy; newest first, at most 100
        const rows = p.trades.filter((t) => t.timestamp >= since).reverse().slice(0, 100);
        return { status: 200, body: { trades: rows.map((t) => ({ sequence: t.sequence, timestamp: t.timestamp, price: fmt(t.price), volume: fmt(t.volume), is_buy: t.isBuy })) } };
      }
      default:
        return undefined;
    }
  }

  private uniquePairs(): PairState[] {
    return [...new Set(this.pairs.values())];
  }

  /** A Luno id in `pair` ('XBTZAR'; the unified 'BTC/ZAR' is not a Luno pair name). */
  private pairOf(q: Record<string, string>): PairState | LunoResult {
    if (!q.pair) return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: pair is required');
    const p = this.pairs.get(q.pair);
    return p && p.id === q.pair ? p : lunoError(400, 'ErrInvalidMarketPair', 'Market pair is invalid');
  }

  /** fetchMarkets: market_id, base_currency/counter_currency (XBT -> BTC), trading_status, volume/price scales and limits. */
  private markets(q: Record<string, string>): LunoResult {
    const list = this.uniquePairs().filter((p) => q.pair === undefined || q.pair === p.id);
    return {
      status: 200,
      body: {
        markets: list.map((p) => ({
          market_id: p.id, // id
          trading_status: 'ACTIVE', // active
          base_currency: p.baseId, // base (safeCurrencyCode: XBT -> BTC)
          counter_currency: p.quoteId, // quote
          min_volume: String(p.minVolume), // limits.amount.min
          max_volume: String(p.maxVolume), // limits.amount.max
          volume_scale: p.volumeScale, // precision.amount = 10^-scale
          min_price: String(p.minPrice), // limits.price.min
          max_price: String(p.maxPrice), // limits.price.max
          price_scale: p.priceScale, // precision.price
          fee_scale: 8,
        })),
      },
    };
  }

  /** parseTicker: pair, timestamp, bid, ask, last_trade, rolling_24_hour_volume. */
  private tickerJson(p: PairState): unknown {
    const t = p.ticker;
    return { pair: p.id, timestamp: this.now(), bid: fmt(t.bid), ask: fmt(t.ask), last_trade: fmt(t.last), rolling_24_hour_volume: fmt(p.volume24h), status: 'ACTIVE' };
  }

  /** fetchOrderBook -> parseOrderBook(bids, asks, 'price', 'volume'), timestamp. top: levels aggregated, at most 100 a side. */
  private bookJson(p: PairState, top: boolean): unknown {
    const side = (book: Map<string, BookOrder>, desc: boolean) => {
      const orders = [...book.values()].sort((x, y) => (desc ? y.price - x.price : x.price - y.price));
      if (!top) return orders.map((o) => ({ price: fmt(o.price), volume: fmt(o.volume) }));
      const levels = new Map<number, number>();
      for (const o of orders) levels.set(o.price, (levels.get(o.price) ?? 0) + o.volume);
      return [...levels].slice(0, 100).map(([price, volume]) => ({ price: fmt(price), volume: fmt(volume) }));
    };
    return { timestamp: this.now(), bids: side(p.bids, true), asks: side(p.asks, false) };
  }

  /**
   * GET /api/exchange/1/candles (authenticated): candles of `duration` seconds starting at or after
   * `since` (ms, required), oldest first, at most 1000; candles that open after now() do not exist yet.
   * parseOHLCV: timestamp, open, high, low, close, volume.
   */
  private candles(q: Record<string, string>): LunoResult {
    const p = this.pairOf(q);
    if ('status' in p) return p;
    const duration = Number(q.duration);
    if (!VALID_DURATIONS.has(duration)) return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: duration');
    const since = Number(q.since);
    if (q.since === undefined || !Number.isFinite(since)) return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: since is required');
    const now = this.now();
    const rows = (p.candles.get(duration) ?? []).filter((r) => r[0]! >= since && r[0]! <= now).slice(0, 1000);
    return {
      status: 200,
      body: {
        candles: rows.map(([t, o, h, l, c, v]) => ({ timestamp: t, open: fmt(o!), close: fmt(c!), high: fmt(h!), low: fmt(l!), volume: fmt(v!) })),
        duration,
        pair: p.id,
      },
    };
  }

  // ---------------------------------------------------------------- internals: streaming

  protected acceptsWebSocket(path: string): boolean {
    return this.streamPair(path) !== undefined;
  }

  /** The pair of a stream path, /api/1/stream/XBTZAR (the Luno id only). */
  private streamPair(path: string): PairState | undefined {
    const m = /^\/api\/1\/stream\/([A-Z0-9]+)$/.exec(path);
    const p = m ? this.pairs.get(m[1]!) : undefined;
    return p && p.id === m![1] ? p : undefined;
  }

  /** Luno's streaming protocol: credentials first (else the connection is closed), then the snapshot. */
  protected onWsConnection(ws: WebSocket, path: string): StreamClient {
    const p = this.streamPair(path)!;
    const client: StreamClient = { pair: p, authed: false, silent: false };
    ws.once('message', (data) => {
      let creds: { api_key_id?: unknown; api_key_secret?: unknown } = {};
      try {
        creds = JSON.parse(data.toString());
      } catch {
        /* not JSON: refused below */
      }
      if (!this.trading.checkSecret(creds.api_key_id, creds.api_key_secret)) {
        ws.close(1008, 'Unauthorised'); // no snapshot for a wrong key
        return;
      }
      client.authed = true;
      // handleOrderBook (snapshot: `asks` present): customParseOrderBook(bids/asks, price, volume, id); nonce = sequence
      this.send(ws, {
        sequence: String(p.sequence),
        asks: [...p.asks.values()].sort((x, y) => x.price - y.price).map((o) => ({ id: o.id, price: fmt(o.price), volume: fmt(o.volume) })),
        bids: [...p.bids.values()].sort((x, y) => y.price - x.price).map((o) => ({ id: o.id, price: fmt(o.price), volume: fmt(o.volume) })),
        status: 'ACTIVE',
        timestamp: this.now(),
      });
      this.notifyWaiters();
    });
    return client;
  }

  /** One update message of `p` (sequence + 1), to its authenticated, non-silent streams. */
  private update(p: PairState, fields: Record<string, unknown>): void {
    p.sequence++;
    const message = { sequence: String(p.sequence), trade_updates: null, create_update: null, delete_update: null, status_update: null, timestamp: this.now(), ...fields };
    for (const [ws, c] of this.clients) if (c.pair === p && c.authed && !c.silent) this.send(ws, message);
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  // ---------------------------------------------------------------- internals: state

  private fillBook(p: PairState, bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    for (const [price, volume] of bids) {
      const id = this.bookOrderId();
      p.bids.set(id, { id, price, volume });
    }
    for (const [price, volume] of asks) {
      const id = this.bookOrderId();
      p.asks.set(id, { id, price, volume });
    }
  }

  private bookOrderId(): string {
    return `BXBOOK${String(this.nextBookOrder++).padStart(9, '0')}`;
  }

  /** Accepts 'BTC/ZAR' or 'XBTZAR'. */
  private pair(symbol: string): PairState {
    const p = this.pairs.get(symbol);
    if (!p) throw new Error(`mock-luno: unknown symbol ${symbol} (have BTC/ZAR, ETH/ZAR)`);
    return p;
  }

  private duration(timeframe: string): number {
    const d = DURATIONS[timeframe];
    if (d === undefined) throw new Error(`mock-luno: Luno has no ${timeframe} candles (have ${Object.keys(DURATIONS).join(', ')})`);
    return d;
  }
}
