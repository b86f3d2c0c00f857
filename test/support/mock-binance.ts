/**
 * A mock Binance spot exchange for integration tests: REST (`/api/v3/...`) and the raw
 * websocket market streams (`/ws`, `/stream`) on ONE port of 127.0.0.1.
 *
 * It speaks Binance's wire format as ccxt 4.5's `binance` class (js/src/binance.js) and its
 * pro flavour (js/src/pro/binance.js) parse it; the ccxt function reading each field is named
 * next to it. Market data is driven explicitly by the test (setTicker, setOrderBook, setKlines,
 * pushKline); there are no timers emitting data on their own.
 *
 * What ccxt actually calls (spot, no API keys, options.fetchMarkets.types = ['spot']):
 *   loadMarkets      GET /api/v3/exchangeInfo                (fetchMarkets; fetchCurrencies needs keys)
 *   fetchTicker      GET /api/v3/ticker/24hr?symbol=BTCUSDT  (object)
 *   fetchTickers     GET /api/v3/ticker/24hr[?symbols=["BTCUSDT",...]]  (array)
 *   fetchBidsAsks    GET /api/v3/ticker/bookTicker
 *   fetchOrderBook   GET /api/v3/depth?symbol=&limit=
 *   fetchOHLCV       GET /api/v3/klines?interval=&limit=&symbol=[&startTime=][&endTime=]
 *   fetchTime        GET /api/v3/time
 *   watchTicker      ws SUBSCRIBE <sym>@miniTicker    -> 24hrMiniTicker: last/open/high/low/volume, NO bid/ask.
 *                    (ccxt 4.5.84 routes watchTicker through watchTickers, whose first option lookup
 *                    ('stock') consumes `callerMethodName`, so options.watchTicker.name='ticker' is never
 *                    read. For the full 24hrTicker with bid/ask pass params {name:'ticker'} or set
 *                    options.watchTickers.name='ticker' -> SUBSCRIBE <sym>@ticker.)
 *   watchTickers     ws SUBSCRIBE <sym>@miniTicker    -> 24hrMiniTicker      (or !miniTicker@arr without symbols)
 *   watchBidsAsks    ws SUBSCRIBE <sym>@bookTicker    -> bookTicker (no "e")
 *   watchOHLCV       ws SUBSCRIBE <sym>@kline_<i>     -> kline event
 *   watchOrderBook   ws SUBSCRIBE <sym>@depth@100ms   -> depthUpdate diffs, after the subscribe ack ccxt
 *                    fetches GET /api/v3/depth?limit=<limit|1000> as the snapshot and stitches by U/u.
 * ccxt opens one connection per subscription group, at `<urls.api.ws.spot>/<n>` (`/ws/0`, `/ws/1`, ...).
 * Note: pro binance isSpotUrl() looks for '/stream' in that URL, which the real host name
 * (stream.binance.com) has and 127.0.0.1 does not; harmless while only spot markets are loaded,
 * because every market id is then unique and safeMarket() does not need the type hint.
 *
 * The spot trading account (signed endpoints, orders, balances, user data stream) lives in
 * ./mock-binance-trading.ts; see there for what is modelled. With API keys, ccxt calls:
 *   loadMarkets      + GET /sapi/v1/capital/config/getall (fetchCurrencies; signed)
 *   fetchBalance     GET    /api/v3/account
 *   createOrder      POST   /api/v3/order   (newClientOrderId = params.clientOrderId, newOrderRespType FULL;
 *                                            market: quantity, or quoteOrderQty = amount * price when a price
 *                                            is passed, or params.cost / createMarketBuyOrderWithCost)
 *   fetchOrder       GET    /api/v3/order   (orderId = id, or origClientOrderId = params.clientOrderId)
 *   cancelOrder      DELETE /api/v3/order   (same identification)
 *   fetchOpenOrders  GET    /api/v3/openOrders
 *   fetchOrders / fetchClosedOrders  GET /api/v3/allOrders (closed = filtered client-side)
 *   fetchMyTrades    GET    /api/v3/myTrades
 *   watchOrders      ws /ws-api/v3, {"method":"userDataStream.subscribe.signature"} then
 *                    {"subscriptionId":N,"event":{"e":"executionReport",...}} (ccxt 4.5.84 no longer uses a
 *                    REST listenKey for spot; POST /api/v3/userDataStream + ws /ws/<listenKey> also work here).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import {
  MockTradingEngine,
  type MockAccountOptions,
  type MockOrder,
  type MockTrade,
  type MockTradingStats,
  type DuplicateClientOrderIds,
  type TradingResult,
} from './mock-binance-trading';

export type { MockAccountOptions, MockOrder, MockTrade, MockTradingStats, DuplicateClientOrderIds, MockFill, MockOrderStatus } from './mock-binance-trading';

export interface MockSymbolConfig {
  base: string;
  quote: string;
  /** Starting last price; the ticker, default book and default filters derive from it. */
  price: number;
  /** Overrides of the exchangeInfo filters (defaults: real Binance values for the default symbols). */
  tickSize?: number;
  stepSize?: number;
  minQty?: number;
  minNotional?: number;
}

/**
 * Injected by failNext. The plain kinds fail the request WITHOUT processing it. The `accepted`
 * ones process it fully first (an order is created and may fill) and then lose the answer:
 * 'acceptedThenReset' (alias 'acceptedThenLost') destroys the socket, 'acceptedThenTimeout' never
 * answers (the client times out), `{ status: 5xx, accepted: true }` answers a gateway error page,
 * which Binance documents as "execution status UNKNOWN". `{ status: 401, echoApiKey: true }`
 * answers an authentication error whose text repeats the request's X-MBX-APIKEY header, as typed
 * and URL-encoded (exchanges do echo keys in some auth errors): for the redaction tests. Its code
 * is -2015 (ccxt: AuthenticationError, or DDoSProtection once the key has worked) or -2014 (always
 * AuthenticationError: a final rejection of an order).
 */
export type MockFault =
  | { status: 500 | 502 | 503; accepted?: boolean }
  | { status: 401; echoApiKey: true; code?: -2014 | -2015 }
  | { status: 429 | 418; retryAfterSec: number }
  | ApiErrorFault
  | LateExecutionFault
  | 'timeout'
  | 'reset'
  | 'acceptedThenReset'
  | 'acceptedThenLost'
  | 'acceptedThenTimeout'
  | EmptyAnswerFault;

/**
 * A lookup answered "nothing found" without looking, as an exchange reading a lagging replica
 * does: GET /api/v3/order gets Binance's -2013 "Order does not exist.", the list endpoints
 * (openOrders, allOrders, myTrades) an empty array.
 */
export interface EmptyAnswerFault {
  emptyAnswer: true;
}

/** Which requests a fault applies to: a path prefix, or a test of path and method. */
export type FaultTarget = string | ((path: string, method: string) => boolean);

/**
 * A request answered with Binance's JSON error body without being processed, e.g.
 * `{ status: 400, code: -1022, msg: 'Signature for this request is not valid.' }` (a poll whose
 * signature the exchange refuses): ccxt maps it by code, not as a network error.
 */
export interface ApiErrorFault {
  status: 400 | 401 | 403;
  code: number;
  msg: string;
}

/**
 * Late execution (Binance: "execution status unknown"): the request is answered with `answer`
 * (never answered: the client times out; or a 503 gateway page) WITHOUT being processed, so a
 * lookup finds nothing; `afterMs` later the exchange processes it after all (the order is created
 * and executes), as a matching engine working through a backlog does. Binance still refuses it
 * then if its timestamp is older than the request's recvWindow (10 s as ccxt sends it).
 */
export interface LateExecutionFault {
  lateExecutionMs: number;
  answer: 'timeout' | 503;
}

/** Binance's error body for the signature check: what a poll meeting a clock or key problem gets. */
export const SIGNATURE_INVALID: ApiErrorFault = { status: 400, code: -1022, msg: 'Signature for this request is not valid.' };

export interface MockRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Wall-clock time (Date.now()) the request arrived; not the mock's settable clock. */
  at: number;
  /** The X-MBX-APIKEY header, when sent. */
  apiKey?: string;
  /** Parsed x-www-form-urlencoded body (POST/PUT), filled in once the body has arrived. */
  body?: Record<string, string>;
}

interface TickerState {
  bid: number;
  ask: number;
  last: number;
  volume: number;
  open: number;
  high: number;
  low: number;
  bidQty: number;
  askQty: number;
  lastQty: number;
  firstId: number;
  lastId: number;
}

interface SymbolState {
  id: string; // BTCUSDT
  lowerId: string; // btcusdt, the stream-name form
  base: string;
  quote: string;
  tickSize: number;
  stepSize: number;
  minQty: number;
  minNotional: number;
  ticker: TickerState;
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** The order book's update id: REST `lastUpdateId`, ws depthUpdate `U`/`u`. */
  lastUpdateId: number;
  /** setOrderBook was called: market orders walk the book (else they fill at the ticker's ask/bid). */
  bookSet: boolean;
  bookTickerUpdateId: number;
  /** interval -> rows [ts, o, h, l, c, v] ascending by ts */
  klines: Map<string, number[][]>;
}

interface ClientState {
  streams: Set<string>;
  /** listenKeys of user data streams this connection receives (/ws/<listenKey> or SUBSCRIBE). */
  listenKeys: Set<string>;
  /** `/stream` endpoint or SET_PROPERTY combined=true: events wrapped as {stream, data}. */
  combined: boolean;
  /** silenceWebSockets(): open, answering pings, but no market data any more. */
  silent?: boolean;
}

interface Waiter {
  stream: string;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** A WebSocket API (/ws-api/v3) connection: subscriptionId -> apiKey of its user data subscriptions. */
interface ApiClientState {
  subscriptions: Map<number, string>;
}

interface UserWaiter {
  apiKey: string | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_SYMBOLS: MockSymbolConfig[] = [
  // Filter values are Binance's real ones for these pairs.
  { base: 'BTC', quote: 'USDT', price: 60000, tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 5 },
  { base: 'ETH', quote: 'USDT', price: 3000, tickSize: 0.01, stepSize: 0.0001, minQty: 0.0001, minNotional: 5 },
  { base: 'ETH', quote: 'BTC', price: 0.05, tickSize: 0.00001, stepSize: 0.0001, minQty: 0.0001, minNotional: 0.0001 },
];

const MINUTE = 60_000;
/** Binance kline intervals (ccxt binance `timeframes` maps unified ones 1:1). 1M is a calendar month. */
const INTERVAL_MS: Record<string, number> = {
  '1s': 1000,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
  '3d': 3 * 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
  '1M': 30 * 1440 * MINUTE, // only used for validation; close time is computed per calendar month
};

/** Binance prints spot decimals as fixed 8-place strings ("60000.00000000"). */
function fmt(n: number): string {
  return n.toFixed(8);
}

function decimalsOf(step: number): number {
  const s = step.toFixed(12).replace(/0+$/, '');
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function roundTo(value: number, step: number): number {
  return Number((Math.round(value / step) * step).toFixed(decimalsOf(step)));
}

function klineCloseTime(openTime: number, interval: string): number {
  if (interval === '1M') {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
  }
  return openTime + INTERVAL_MS[interval]! - 1;
}

/** A stream name in the form the mock stores and emits ("btcusdt@kline_1m"), or undefined if invalid. */
function parseStream(raw: string, symbolsByLowerId: Map<string, SymbolState>): string | undefined {
  if (raw === '!ticker@arr' || raw === '!miniTicker@arr') return raw;
  const at = raw.indexOf('@');
  if (at <= 0) return undefined;
  const sym = raw.slice(0, at).toLowerCase();
  const rest = raw.slice(at + 1);
  if (!symbolsByLowerId.has(sym)) return undefined;
  const kline = /^kline_(.+)$/.exec(rest);
  if (kline) return INTERVAL_MS[kline[1]!] ? `${sym}@${rest}` : undefined;
  if (['ticker', 'miniTicker', 'bookTicker', 'depth', 'depth@100ms', 'depth@1000ms'].includes(rest)) return `${sym}@${rest}`;
  return undefined;
}

function badRequest(code: number, msg: string): { status: number; body: unknown } {
  return { status: 400, body: { code, msg } };
}

const INVALID_SYMBOL = badRequest(-1121, 'Invalid symbol.');
const CAPITAL_CONFIG = '/sapi/v1/capital/config/getall';
/**
 * Signed sapi reads ccxt's loadMarkets makes once keys are set: fetchCurrencies (capital/config) and,
 * with ccxt's default options.fetchMargins = true, the margin pair lists (empty here: no mock symbol
 * allows margin, see isMarginTradingAllowed in exchangeInfo). The product sets fetchMargins: false.
 */
const SIGNED_SAPI_READS = new Set([CAPITAL_CONFIG, '/sapi/v1/margin/allPairs', '/sapi/v1/margin/isolated/allPairs']);
const mandatory = (name: string) =>
  badRequest(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

export class MockBinance {
  /** Every HTTP request received, in arrival order (including faulted and unknown-path ones). */
  readonly requests: MockRequest[] = [];

  private readonly symbols = new Map<string, SymbolState>(); // by id, BTCUSDT
  private readonly symbolsByLowerId = new Map<string, SymbolState>();
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly clients = new Map<WebSocket, ClientState>();
  private readonly sockets = new Set<Duplex>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly faults: Array<{ remaining: number; kind: MockFault; target?: FaultTarget; method?: string }> = [];
  private readonly waiters = new Set<Waiter>();
  private rejectingWs: false | 404 | 503 = false;
  /** Websocket upgrades answered with an HTTP error while rejectWebSockets was on. */
  refusedUpgrades = 0;
  /** Set while the server is down (offline()): the port the server comes back on. */
  private downPort: number | undefined;
  private backOnline: NodeJS.Timeout | undefined;
  /** Requests whose late execution is still to come (LateExecutionFault). */
  private readonly lateTimers = new Set<NodeJS.Timeout>();
  private fixedNow: number | undefined;
  private baseUrl: string | undefined;
  private tradeId = 1_000_000;
  private readonly trading: MockTradingEngine;
  private readonly apiClients = new Map<WebSocket, ApiClientState>();
  private readonly userWaiters = new Set<UserWaiter>();
  private nextSubscriptionId = 0;

  constructor(opts: { symbols?: MockSymbolConfig[] } = {}) {
    for (const cfg of opts.symbols ?? DEFAULT_SYMBOLS) this.addSymbol(cfg);
    this.trading = new MockTradingEngine({
      now: () => this.now(),
      symbol: (id) => this.symbols.get(id),
      symbols: () => [...this.symbols.values()],
      userEvent: (apiKey, event) => this.emitUserEvent(apiKey, event),
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts listening on 127.0.0.1 on a free port; resolves the base URL `http://127.0.0.1:PORT`. */
  async start(): Promise<string> {
    if (this.server && this.baseUrl) return this.baseUrl;
    const server = http.createServer((req, res) => this.onHttp(req, res));
    // noServer + our own 'upgrade' handler: same port, and lets us refuse upgrades (rejectWebSockets).
    const wss = new WebSocketServer({ noServer: true });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    wss.on('connection', (ws, req) => this.onWsConnection(ws, req));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('mock-binance: no TCP address');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  /** Closes the http and ws servers, ends hanging requests, terminates every socket, clears timers. */
  async stop(): Promise<void> {
    if (this.backOnline) clearTimeout(this.backOnline);
    this.backOnline = undefined;
    this.downPort = undefined;
    for (const t of this.lateTimers) clearTimeout(t);
    this.lateTimers.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`mock-binance stopped while waiting for subscription ${w.stream}`));
    }
    this.waiters.clear();
    for (const w of this.userWaiters) {
      clearTimeout(w.timer);
      w.reject(new Error('mock-binance stopped while waiting for a user data stream'));
    }
    this.userWaiters.clear();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
    for (const ws of this.apiClients.keys()) ws.terminate();
    this.apiClients.clear();
    const server = this.server;
    const wss = this.wss;
    this.server = undefined;
    this.wss = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (server) {
      const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy(); // upgraded sockets are not tracked by closeAllConnections
      this.sockets.clear();
      await closed;
    }
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('mock-binance: call start() first');
    return this.baseUrl;
  }

  // ---------------------------------------------------------------- clock

  /** The server clock: /time, event times (E), ticker closeTime, and which klines exist yet. */
  now(): number {
    return this.fixedNow ?? Date.now();
  }

  /** Freezes the server clock at `ms` (until the next setNow). */
  setNow(ms: number): void {
    this.fixedNow = ms;
  }

  // ---------------------------------------------------------------- market data

  /** Sets the 24h ticker (bid/ask/last, optional base volume) and pushes @ticker, @miniTicker, @bookTicker events. */
  setTicker(symbol: string, t: { bid: number; ask: number; last: number; volume?: number }): void {
    const s = this.sym(symbol);
    const tk = s.ticker;
    tk.bid = t.bid;
    tk.ask = t.ask;
    tk.last = t.last;
    if (t.volume !== undefined) tk.volume = t.volume;
    tk.high = Math.max(tk.high, t.last);
    tk.low = Math.min(tk.low, t.last);
    tk.lastId = ++this.tradeId;
    s.bookTickerUpdateId++;
    const ticker = this.wsTicker(s);
    const mini = this.wsMiniTicker(s);
    this.emit(`${s.lowerId}@ticker`, ticker);
    this.emit(`${s.lowerId}@miniTicker`, mini);
    this.emit(`${s.lowerId}@bookTicker`, this.wsBookTicker(s));
    this.emit('!ticker@arr', [ticker]);
    this.emit('!miniTicker@arr', [mini]);
    // resting limit orders the new prices cross fill now (executionReports follow the ticker events)
    this.trading.onTicker(s.id);
  }

  /**
   * Changes the 24h ticker set at once, as a day of trading would (the pairlist tests): every
   * symbol named gets the figures setTicker gives it; `volume` is the base volume, the quote
   * volume GET /api/v3/ticker/24hr answers follows from it.
   */
  setTickers(rows: Record<string, { bid: number; ask: number; last: number; volume?: number }>): void {
    for (const [symbol, t] of Object.entries(rows)) this.setTicker(symbol, t);
  }

  /**
   * Lists a new market as Binance does: from now on it is in exchangeInfo, the all-symbols
   * /api/v3/ticker/24hr answer and its own ticker, depth and klines. A client's loaded markets lack
   * it until they are loaded again.
   */
  listSymbol(cfg: MockSymbolConfig): void {
    this.addSymbol(cfg);
  }

  /**
   * Delists a symbol as Binance does: it leaves exchangeInfo and the all-symbols
   * /api/v3/ticker/24hr answer; asked by name (ticker, depth, klines) it is -1121 "Invalid symbol.".
   * Its streams send nothing more. A client's loaded markets keep it until they are loaded again.
   */
  delistSymbol(symbol: string): void {
    const s = this.sym(symbol);
    this.symbols.delete(s.id);
    this.symbolsByLowerId.delete(s.lowerId);
  }

  /**
   * Replaces the order book. The change against the previous book is pushed as one depthUpdate
   * diff (removed levels with quantity 0) with U = previous lastUpdateId + 1 and u = U + changes - 1,
   * so REST snapshots and ws diffs stay consistent the way ccxt's watchOrderBook checks them.
   * No event (and no new update id) if nothing changed, as on Binance.
   */
  setOrderBook(symbol: string, bids: [number, number][], asks: [number, number][]): void {
    const s = this.sym(symbol);
    s.bookSet = true;
    const diff = (prev: Map<number, number>, next: [number, number][]): [string, string][] => {
      const nextMap = new Map<number, number>();
      for (const [p, q] of next) if (q > 0) nextMap.set(p, q);
      const changes: [string, string][] = [];
      for (const p of prev.keys()) if (!nextMap.has(p)) changes.push([fmt(p), fmt(0)]);
      for (const [p, q] of nextMap) if (prev.get(p) !== q) changes.push([fmt(p), fmt(q)]);
      prev.clear();
      for (const [p, q] of nextMap) prev.set(p, q);
      return changes;
    };
    const b = diff(s.bids, bids);
    const a = diff(s.asks, asks);
    const changes = b.length + a.length;
    if (changes === 0) return;
    const U = s.lastUpdateId + 1;
    s.lastUpdateId += changes;
    // Consumed by pro binance handleOrderBook / handleOrderBookMessage: s, U, u, b, a, E.
    const event = { e: 'depthUpdate', E: this.now(), s: s.id, U, u: s.lastUpdateId, b, a };
    for (const stream of ['depth', 'depth@100ms', 'depth@1000ms']) this.emit(`${s.lowerId}@${stream}`, event);
  }

  /** Replaces the kline history of `symbol`/`interval` served by /api/v3/klines (rows are ccxt OHLCV rows). */
  setKlines(symbol: string, interval: string, rows: number[][]): void {
    const s = this.sym(symbol);
    this.checkInterval(interval);
    const byTs = new Map<number, number[]>();
    for (const row of rows) byTs.set(row[0]!, row.slice(0, 6));
    s.klines.set(interval, [...byTs.values()].sort((x, y) => x[0]! - y[0]!));
  }

  /** Replaces the candle with the same open time (or inserts it) and pushes a kline event with `x` = closed. */
  pushKline(symbol: string, interval: string, row: number[], closed: boolean): void {
    const s = this.sym(symbol);
    this.checkInterval(interval);
    const series = s.klines.get(interval) ?? [];
    const candle = row.slice(0, 6);
    const i = series.findIndex((r) => r[0] === candle[0]);
    if (i >= 0) series[i] = candle;
    else {
      series.push(candle);
      series.sort((x, y) => x[0]! - y[0]!);
    }
    s.klines.set(interval, series);
    const [t, o, h, l, c, v] = candle as [number, number, number, number, number, number];
    const trade = ++this.tradeId;
    // Consumed by pro binance handleOHLCV: e, k.s, k.i, k.t, k.o, k.h, k.l, k.c, k.v (x is not read by ccxt).
    this.emit(`${s.lowerId}@kline_${interval}`, {
      e: 'kline',
      E: this.now(),
      s: s.id,
      k: {
        t,
        T: klineCloseTime(t, interval),
        s: s.id,
        i: interval,
        f: trade,
        L: trade,
        o: fmt(o),
        c: fmt(c),
        h: fmt(h),
        l: fmt(l),
        v: fmt(v),
        n: v > 0 ? 1 : 0,
        x: closed,
        q: fmt(v * c),
        V: fmt(v / 2),
        Q: fmt((v / 2) * c),
        B: '0',
      },
    });
  }

  // ---------------------------------------------------------------- faults

  /**
   * The next `n` HTTP requests whose path starts with `pathPrefix` (any path if omitted) and, if
   * given, whose method is `method` ('POST', ...) fail with `kind`. Note that '/api/v3/order' also
   * prefixes '/api/v3/order/test' and that GET (fetchOrder), POST (create) and DELETE (cancel)
   * share that path: pass `method` to hit only one of them. `pathPrefix` may instead be a test of
   * path and method, for a fault shared by several endpoints (n counts them together).
   */
  failNext(n: number, kind: MockFault, pathPrefix?: FaultTarget, method?: string): void {
    if (n > 0) this.faults.push({ remaining: n, kind, target: pathPrefix, method: method?.toUpperCase() });
  }

  /** Forgets every fault still waiting to be applied (failNext). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Terminates every open ws connection, WebSocket API ones included (TCP destroyed, no close frame: clients see code 1006). */
  dropWebSockets(): void {
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
    for (const ws of this.apiClients.keys()) ws.terminate();
    this.apiClients.clear();
  }

  /**
   * The market-data connections open now go silent: they stay open (no close frame, pings still
   * answered by the ws library, subscribe requests acknowledged) but receive no market data any
   * more, as a stream whose server-side feed died. Connections opened afterwards receive data as
   * usual. Returns how many went silent.
   */
  silenceWebSockets(): number {
    let n = 0;
    for (const state of this.clients.values()) {
      if (state.streams.size > 0 && !state.silent) {
        state.silent = true;
        n++;
      }
    }
    return n;
  }

  /** Market-data connections that are open and silent (silenceWebSockets). */
  silentWebSocketCount(): number {
    return [...this.clients.values()].filter((s) => s.silent).length;
  }

  /**
   * While on, new ws upgrades are answered with an HTTP error (503 by default; 404 as an exchange
   * that no longer serves the websocket API path) and closed. Open connections are untouched.
   */
  rejectWebSockets(on: boolean, status: 404 | 503 = 503): void {
    this.rejectingWs = on ? status : false;
  }

  /**
   * The exchange goes away: the port stops listening (new connections are refused: ECONNREFUSED)
   * and every open connection, REST and websocket, is destroyed. It listens again on the same
   * port after `ms` (or at online()); accounts, orders and market data are kept.
   */
  offline(ms?: number): void {
    const server = this.server;
    if (!server || this.downPort !== undefined) return;
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('mock-binance: no TCP address');
    this.downPort = address.port;
    server.close();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.dropWebSockets();
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (ms !== undefined) this.backOnline = setTimeout(() => this.online(), ms);
  }

  /** Listens again after offline(), on the same port. */
  online(): void {
    if (this.backOnline) clearTimeout(this.backOnline);
    this.backOnline = undefined;
    const port = this.downPort;
    if (port === undefined || !this.server) return;
    this.downPort = undefined;
    this.server.listen(port, '127.0.0.1');
  }

  /** false while offline(). */
  get isOnline(): boolean {
    return this.downPort === undefined && this.server !== undefined;
  }

  // ---------------------------------------------------------------- observation

  requestCount(pathPrefix?: string): number {
    if (pathPrefix === undefined) return this.requests.length;
    return this.requests.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  /** Streams currently subscribed, across every connection, deduplicated and sorted. */
  wsSubscriptions(): string[] {
    const all = new Set<string>();
    for (const c of this.clients.values()) for (const s of c.streams) all.add(s);
    return [...all].sort();
  }

  wsConnectionCount(): number {
    return this.clients.size;
  }

  /** Resolves once some connection is subscribed to `stream` (e.g. 'btcusdt@ticker'). */
  waitForSubscription(stream: string, timeoutMs = 2000): Promise<void> {
    const wanted = parseStream(stream, this.symbolsByLowerId) ?? stream;
    if (this.isSubscribed(wanted)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        stream: wanted,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`mock-binance: no subscription to ${wanted} within ${timeoutMs} ms (have: ${this.wsSubscriptions().join(', ') || 'none'})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  // ---------------------------------------------------------------- trading accounts

  /**
   * Opens a spot account: requests carrying `apiKey` in X-MBX-APIKEY must be signed with `secret`.
   * `balances` are free amounts by asset ({ USDT: 10000, BTC: 0.5 }). See mock-binance-trading.ts.
   */
  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts: MockAccountOptions = {}): void {
    this.trading.addAccount(apiKey, secret, balances, opts);
  }

  /** Sets the free amount of one asset. */
  setBalance(apiKey: string, asset: string, free: number): void {
    this.trading.setBalance(apiKey, asset, free);
  }

  /** Commission rate (default 0.001) of one account, or of every account when apiKey is omitted. */
  setFeeRate(rate: number, apiKey?: string): void {
    this.trading.setFeeRate(rate, apiKey);
  }

  /** 'open' (Binance's documented rule, the default) or 'all' earlier orders make a newClientOrderId a duplicate. */
  setDuplicateClientOrderIds(scope: DuplicateClientOrderIds, apiKey?: string): void {
    this.trading.setDuplicateClientOrderIds(scope, apiKey);
  }

  /** { asset: { free, locked } } of an account. */
  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    return this.trading.balances(apiKey);
  }

  /** Every order (of one account, or of all), ascending by orderId; copies. */
  orders(apiKey?: string): MockOrder[] {
    return this.trading.orders(apiKey);
  }

  /** One order by orderId, or the most recent carrying a clientOrderId. */
  findOrder(apiKey: string, ref: { orderId?: number; clientOrderId?: string }): MockOrder | undefined {
    return this.trading.findOrder(apiKey, ref);
  }

  /** Every fill (of one account, or of all), ascending by trade id. */
  trades(apiKey?: string): MockTrade[] {
    return this.trading.trades(apiKey);
  }

  /** Create calls received vs orders created (and rejected), cancel calls; of one account or all. */
  tradingStats(apiKey?: string): MockTradingStats {
    return this.trading.stats(apiKey);
  }

  /** Fills (part of) a resting limit order as maker, at its price unless given; emits the executionReport. */
  fillOrder(apiKey: string, ref: { orderId?: number; clientOrderId?: string }, qty?: number, price?: number): MockOrder {
    return this.trading.fillOrder(apiKey, ref, qty, price);
  }

  /**
   * A trade behind the bot's back: an order on the account as if placed on the exchange's website
   * (client order id web_…), e.g. { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }.
   * Matched and reported on the user data stream like any order; not counted in tradingStats().
   */
  placeOutsideBot(apiKey: string, params: Record<string, string>): any {
    return this.trading.placeOutsideBot(apiKey, params);
  }

  /** User data stream receivers (WebSocket API subscriptions and /ws/<listenKey> connections), of one account or all. */
  userStreamCount(apiKey?: string): number {
    let n = 0;
    for (const c of this.apiClients.values()) for (const key of c.subscriptions.values()) if (apiKey === undefined || key === apiKey) n++;
    for (const c of this.clients.values()) {
      for (const lk of c.listenKeys) {
        const owner = this.trading.listenKeyOwner(lk);
        if (owner !== undefined && (apiKey === undefined || owner === apiKey)) n++;
      }
    }
    return n;
  }

  /** Resolves once some connection receives `apiKey`'s (or any account's) user data stream. */
  waitForUserStream(apiKey?: string, timeoutMs = 2000): Promise<void> {
    if (this.userStreamCount(apiKey) > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: UserWaiter = {
        apiKey,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.userWaiters.delete(waiter);
          reject(new Error(`mock-binance: no user data stream subscription${apiKey ? ` for ${apiKey}` : ''} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.userWaiters.add(waiter);
    });
  }

  // ---------------------------------------------------------------- internals: state

  private addSymbol(cfg: MockSymbolConfig): void {
    const id = `${cfg.base}${cfg.quote}`.toUpperCase();
    const magnitude = Math.floor(Math.log10(cfg.price));
    // Generic defaults for symbols without explicit filters: a tick giving ~6 significant price
    // digits, and an amount step of 10^-(digits before the point), capped to [1e-8, 1]
    // (60000 -> 0.00001, 3000 -> 0.0001, 150 -> 0.001, 0.15 -> 1), as Binance does for USDT pairs.
    const tickSize = cfg.tickSize ?? Math.min(1, Math.max(1e-8, 10 ** (magnitude - 5)));
    const stepSize = cfg.stepSize ?? 10 ** -Math.min(8, Math.max(0, magnitude + 1));
    const stableQuote = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USD', 'EUR'].includes(cfg.quote.toUpperCase());
    const minNotional = cfg.minNotional ?? (stableQuote ? 5 : cfg.quote.toUpperCase() === 'BTC' ? 0.0001 : 0.001);
    const price = roundTo(cfg.price, tickSize);
    const state: SymbolState = {
      id,
      lowerId: id.toLowerCase(),
      base: cfg.base.toUpperCase(),
      quote: cfg.quote.toUpperCase(),
      tickSize,
      stepSize,
      minQty: cfg.minQty ?? stepSize,
      minNotional,
      ticker: {
        bid: roundTo(price - tickSize, tickSize),
        ask: roundTo(price + tickSize, tickSize),
        last: price,
        volume: 1000,
        open: price,
        high: price,
        low: price,
        bidQty: 1,
        askQty: 1,
        lastQty: roundTo(Math.max(stepSize, 0.1), stepSize),
        firstId: 1,
        lastId: ++this.tradeId,
      },
      bids: new Map(),
      asks: new Map(),
      lastUpdateId: 1000,
      bookSet: false,
      bookTickerUpdateId: 1000,
      klines: new Map(),
    };
    // A small default book around the price: 5 levels a side, one tick apart.
    for (let i = 1; i <= 5; i++) {
      state.bids.set(roundTo(price - i * tickSize, tickSize), i);
      state.asks.set(roundTo(price + i * tickSize, tickSize), i);
    }
    this.symbols.set(id, state);
    this.symbolsByLowerId.set(state.lowerId, state);
  }

  /** Accepts 'BTC/USDT' or 'BTCUSDT'. */
  private sym(symbol: string): SymbolState {
    const s = this.symbols.get(symbol.replace('/', '').toUpperCase());
    if (!s) throw new Error(`mock-binance: unknown symbol ${symbol} (have ${[...this.symbols.keys()].join(', ')})`);
    return s;
  }

  private checkInterval(interval: string): void {
    if (!INTERVAL_MS[interval]) throw new Error(`mock-binance: unknown kline interval ${interval}`);
  }

  // ---------------------------------------------------------------- internals: HTTP

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const header = req.headers['x-mbx-apikey'];
    const apiKey = typeof header === 'string' ? header : undefined;
    const record: MockRequest = { method, path, query, at: Date.now() };
    if (apiKey !== undefined) record.apiKey = apiKey;
    this.requests.push(record);
    this.trading.noteRequest(method, path, apiKey);

    const fault = this.takeFault(path, method);
    if (typeof fault === 'object' && 'lateExecutionMs' in fault) {
      this.lateExecution(fault, req, res, path, apiKey);
      return;
    }
    const accepted =
      fault === 'acceptedThenReset' ||
      fault === 'acceptedThenLost' ||
      fault === 'acceptedThenTimeout' ||
      (typeof fault === 'object' && 'accepted' in fault && fault.accepted === true);
    if (fault !== undefined && !accepted) {
      this.applyFault(fault, req, res);
      return;
    }

    const finish = (result: { status: number; body: unknown } | undefined): void => {
      if (fault !== undefined) {
        // processed in full, and now the answer is lost
        this.applyFault(fault === 'acceptedThenTimeout' ? 'timeout' : typeof fault === 'object' ? fault : 'reset', req, res);
        return;
      }
      if (!result) {
        // Binance's edge answers unknown paths with an empty 404; ccxt maps 404 to ExchangeNotAvailable.
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end();
        return;
      }
      const body = JSON.stringify(result.body);
      res.writeHead(result.status, {
        'Content-Type': 'application/json;charset=UTF-8',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    };

    const isPrivate = MockTradingEngine.PATHS.has(path) || SIGNED_SAPI_READS.has(path);
    if (method === 'GET' && !isPrivate) {
      finish(this.route(path, query));
      return;
    }
    // Private endpoints: POST/PUT carry their (signed) params in the body.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      if (rawBody !== '') record.body = Object.fromEntries(new URLSearchParams(rawBody));
      const rawUrl = req.url ?? '';
      const q = rawUrl.indexOf('?');
      const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1).split('#')[0]!;
      const privateReq = { method, path, rawQuery, rawBody, apiKey };
      let result: TradingResult | undefined;
      if (SIGNED_SAPI_READS.has(path)) {
        // Signed on Binance. Checked for registered API keys only, so market-data tests with
        // made-up keys keep working.
        const body = path === CAPITAL_CONFIG ? this.capitalConfig(apiKey) : [];
        result = method !== 'GET' ? undefined : (this.trading.verifyIfRegistered(privateReq) ?? { status: 200, body });
      } else {
        result = this.trading.handle(privateReq);
      }
      finish(result);
    });
  }

  private takeFault(path: string, method: string): MockFault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.target === undefined || (typeof f.target === 'string' ? path.startsWith(f.target) : f.target(path, method))) &&
        (f.method === undefined || f.method === method),
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (--f.remaining <= 0) this.faults.splice(i, 1);
    return f.kind;
  }

  /** LateExecutionFault: answered now without processing, processed afterMs later. */
  private lateExecution(fault: LateExecutionFault, req: http.IncomingMessage, res: http.ServerResponse, path: string, apiKey: string | undefined): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawUrl = req.url ?? '';
      const q = rawUrl.indexOf('?');
      const privateReq = { method: req.method ?? 'GET', path, rawQuery: q < 0 ? '' : rawUrl.slice(q + 1).split('#')[0]!, rawBody: Buffer.concat(chunks).toString('utf8'), apiKey };
      this.applyFault(fault.answer === 'timeout' ? 'timeout' : { status: 503 }, req, res);
      const timer = setTimeout(() => {
        this.lateTimers.delete(timer);
        this.trading.handle(privateReq);
      }, fault.lateExecutionMs);
      this.lateTimers.add(timer);
    });
  }

  private applyFault(fault: MockFault, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (typeof fault === 'object' && 'lateExecutionMs' in fault) throw new Error('mock-binance: a late execution is applied by lateExecution()');
    if (typeof fault === 'object' && 'emptyAnswer' in fault) {
      const single = new URL(req.url ?? '/', 'http://127.0.0.1').pathname === '/api/v3/order';
      // ccxt binance handleErrors maps -2013 to OrderNotFound; a list is parsed as no orders.
      const body = JSON.stringify(single ? { code: -2013, msg: 'Order does not exist.' } : []);
      res.writeHead(single ? 400 : 200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (typeof fault === 'object' && 'msg' in fault) {
      const body = JSON.stringify({ code: fault.code, msg: fault.msg });
      res.writeHead(fault.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (fault === 'reset' || fault === 'acceptedThenReset' || fault === 'acceptedThenLost') {
      req.socket.destroy();
      return;
    }
    if (fault === 'timeout' || fault === 'acceptedThenTimeout') {
      // Never answered; stop() destroys it. Forget it early if the client gives up.
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault.status === 429 || fault.status === 418) {
      // ccxt binance handleErrors throws DDoSProtection on 418/429 before reading the body.
      const msg =
        fault.status === 429
          ? 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.'
          : `Way too much request weight used; IP banned until ${this.now() + fault.retryAfterSec * 1000}. Please use WebSocket Streams for live updates to avoid bans.`;
      const body = JSON.stringify({ code: -1003, msg });
      res.writeHead(fault.status, {
        'Content-Type': 'application/json;charset=UTF-8',
        'Retry-After': String(fault.retryAfterSec),
      });
      res.end(body);
      return;
    }
    if (fault.status === 401) {
      const header = req.headers['x-mbx-apikey'];
      const key = typeof header === 'string' ? header : '';
      const what = fault.code === -2014 ? 'API-key format invalid' : 'Invalid API-key, IP, or permissions for action';
      const body = JSON.stringify({ code: fault.code ?? -2015, msg: `${what}, request ip: 127.0.0.1, api-key: ${key} (sent as apiKey=${encodeURIComponent(key)})` });
      res.writeHead(401, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(body);
      return;
    }
    // 5xx from Binance's gateway carry an HTML page, not a {code,msg} body, so ccxt's
    // handleHttpStatusCode maps them (httpExceptions: 500/502/503 -> ExchangeNotAvailable).
    // A JSON {"code":-1000} body would instead be mapped by code (OperationFailed).
    const reason = http.STATUS_CODES[fault.status] ?? 'Error';
    res.writeHead(fault.status, { 'Content-Type': 'text/html' });
    res.end(`<html><head><title>${fault.status} ${reason}</title></head><body><center><h1>${fault.status} ${reason}</h1></center></body></html>`);
  }

  /** undefined = unknown path (404). */
  private route(path: string, q: Record<string, string>): { status: number; body: unknown } | undefined {
    switch (path) {
      case '/api/v3/ping':
        return { status: 200, body: {} };
      case '/api/v3/time':
        return { status: 200, body: { serverTime: this.now() } }; // fetchTime: serverTime
      case '/api/v3/exchangeInfo':
        return this.exchangeInfo(q);
      case '/api/v3/ticker/24hr':
        return this.manySymbols(q, (s) => this.restTicker(s, q.type === 'MINI'));
      case '/api/v3/ticker/bookTicker':
        return this.manySymbols(q, (s) => this.restBookTicker(s));
      case '/api/v3/ticker/price':
        return this.manySymbols(q, (s) => ({ symbol: s.id, price: fmt(s.ticker.last) }));
      case '/api/v3/depth':
        return this.depth(q);
      case '/api/v3/klines':
        return this.klines(q);
      default:
        return undefined;
    }
  }

  /**
   * GET /sapi/v1/capital/config/getall: the assets of every listed symbol, in the shape ccxt's
   * binance.fetchCurrencies parses (one entry per asset); free/locked from the account if registered.
   */
  private capitalConfig(apiKey: string | undefined): unknown[] {
    const assets = new Set<string>();
    for (const state of this.symbols.values()) {
      assets.add(state.base);
      assets.add(state.quote);
    }
    const balances = this.trading.hasAccount(apiKey) ? this.trading.balances(apiKey!) : {};
    return [...assets].map((coin) => ({
      coin,
      name: coin,
      depositAllEnable: true,
      withdrawAllEnable: true,
      trading: true,
      free: balances[coin] ? fmt(balances[coin].free) : '0',
      locked: balances[coin] ? fmt(balances[coin].locked) : '0',
      networkList: [
        {
          network: coin,
          coin,
          name: coin,
          isDefault: true,
          depositEnable: true,
          withdrawEnable: true,
          withdrawFee: '0.0005',
          withdrawMin: '0.001',
          withdrawMax: '1000',
          withdrawIntegerMultiple: '0.00000001',
        },
      ],
    }));
  }

  /** Symbols named by `symbol` or `symbols` (a JSON array), or all of them; undefined entry = invalid. */
  private selectSymbols(q: Record<string, string>): { list?: SymbolState[]; single: boolean; error?: { status: number; body: unknown } } {
    if (q.symbol !== undefined && q.symbols !== undefined) {
      return { single: false, error: badRequest(-1128, 'Combination of optional parameters invalid.') };
    }
    if (q.symbol !== undefined) {
      const s = this.symbols.get(q.symbol);
      return s ? { list: [s], single: true } : { single: true, error: INVALID_SYMBOL };
    }
    if (q.symbols !== undefined) {
      let ids: unknown;
      try {
        ids = JSON.parse(q.symbols);
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) {
        return { single: false, error: badRequest(-1100, "Illegal characters found in parameter 'symbols'.") };
      }
      const list: SymbolState[] = [];
      for (const id of ids as string[]) {
        const s = this.symbols.get(id);
        if (!s) return { single: false, error: INVALID_SYMBOL };
        list.push(s);
      }
      return { list, single: false };
    }
    return { list: [...this.symbols.values()], single: false };
  }

  /** `symbol=` answers one object, `symbols=` or nothing answers an array (ccxt fetchTicker / fetchTickers). */
  private manySymbols(q: Record<string, string>, render: (s: SymbolState) => unknown): { status: number; body: unknown } {
    const sel = this.selectSymbols(q);
    if (sel.error) return sel.error;
    const rows = sel.list!.map(render);
    return { status: 200, body: sel.single ? rows[0] : rows };
  }

  private exchangeInfo(q: Record<string, string>): { status: number; body: unknown } {
    const sel = this.selectSymbols(q);
    if (sel.error) return sel.error;
    return {
      status: 200,
      body: {
        timezone: 'UTC',
        serverTime: this.now(),
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
          { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
          { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
        ],
        exchangeFilters: [],
        symbols: sel.list!.map((s) => this.symbolInfo(s)), // fetchMarkets reads response.symbols
      },
    };
  }

  /** One exchangeInfo.symbols entry; field consumers are ccxt binance parseMarket. */
  private symbolInfo(s: SymbolState): unknown {
    return {
      symbol: s.id, // id, lowercaseId
      status: 'TRADING', // active = status === 'TRADING'
      baseAsset: s.base, // base
      baseAssetPrecision: 8, // precision.base
      quoteAsset: s.quote, // quote
      quotePrecision: 8, // precision.quote
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      amendAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false, // margin = spot && isMarginTradingAllowed
      filters: [
        // PRICE_FILTER: precision.price = tickSize, limits.price = minPrice/maxPrice
        { filterType: 'PRICE_FILTER', minPrice: fmt(s.tickSize), maxPrice: fmt(1_000_000), tickSize: fmt(s.tickSize) },
        // LOT_SIZE: precision.amount = stepSize, limits.amount = minQty/maxQty
        { filterType: 'LOT_SIZE', minQty: fmt(s.minQty), maxQty: fmt(9000), stepSize: fmt(s.stepSize) },
        { filterType: 'ICEBERG_PARTS', limit: 10 },
        // MARKET_LOT_SIZE: limits.market
        { filterType: 'MARKET_LOT_SIZE', minQty: fmt(0), maxQty: fmt(100), stepSize: fmt(0) },
        { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
        { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
        // NOTIONAL (or legacy MIN_NOTIONAL): limits.cost.min = minNotional, limits.cost.max = maxNotional
        { filterType: 'NOTIONAL', minNotional: fmt(s.minNotional), applyMinToMarket: true, maxNotional: fmt(9_000_000), applyMaxToMarket: false, avgPriceMins: 5 },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
      ],
      // Binance now sends an empty `permissions` and the real sets in `permissionSets`.
      // parseMarket only scans `permissions` for TRD_GRP_003 (marks the market inactive).
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'],
    };
  }

  /** GET /api/v3/ticker/24hr entry; consumed by ccxt binance parseTicker. */
  private restTicker(s: SymbolState, mini: boolean): unknown {
    const t = s.ticker;
    const now = this.now();
    const vwap = (t.open + t.last) / 2;
    const common = {
      symbol: s.id,
      openPrice: fmt(t.open), // open
      highPrice: fmt(t.high), // high
      lowPrice: fmt(t.low), // low
      lastPrice: fmt(t.last), // last / close
      volume: fmt(t.volume), // baseVolume
      quoteVolume: fmt(t.volume * vwap), // quoteVolume
      openTime: now - 86_400_000,
      closeTime: now, // timestamp
      firstId: t.firstId,
      lastId: t.lastId,
      count: t.lastId - t.firstId + 1,
    };
    if (mini) return common;
    return {
      symbol: s.id,
      priceChange: fmt(t.last - t.open), // change
      priceChangePercent: ((100 * (t.last - t.open)) / t.open).toFixed(3), // percentage
      weightedAvgPrice: fmt(vwap), // vwap
      prevClosePrice: fmt(t.open), // previousClose
      lastPrice: common.lastPrice,
      lastQty: fmt(t.lastQty),
      bidPrice: fmt(t.bid), // bid
      bidQty: fmt(t.bidQty), // bidVolume; its presence also tells parseTicker "spot"
      askPrice: fmt(t.ask), // ask
      askQty: fmt(t.askQty), // askVolume
      openPrice: common.openPrice,
      highPrice: common.highPrice,
      lowPrice: common.lowPrice,
      volume: common.volume,
      quoteVolume: common.quoteVolume,
      openTime: common.openTime,
      closeTime: common.closeTime,
      firstId: common.firstId,
      lastId: common.lastId,
      count: common.count,
    };
  }

  private restBookTicker(s: SymbolState): unknown {
    const t = s.ticker;
    return { symbol: s.id, bidPrice: fmt(t.bid), bidQty: fmt(t.bidQty), askPrice: fmt(t.ask), askQty: fmt(t.askQty) };
  }

  /** GET /api/v3/depth; ccxt fetchOrderBook reads bids, asks and lastUpdateId (-> nonce). Spot sends no T/E. */
  private depth(q: Record<string, string>): { status: number; body: unknown } {
    if (!q.symbol) return mandatory('symbol');
    const s = this.symbols.get(q.symbol);
    if (!s) return INVALID_SYMBOL;
    let limit = 100;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1) return badRequest(-1100, "Illegal characters found in parameter 'limit'; legal range is '1 to 5000'.");
      limit = Math.min(limit, 5000);
    }
    const side = (m: Map<number, number>, desc: boolean): [string, string][] =>
      [...m.entries()]
        .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
        .slice(0, limit)
        .map(([p, qty]) => [fmt(p), fmt(qty)]);
    return { status: 200, body: { lastUpdateId: s.lastUpdateId, bids: side(s.bids, true), asks: side(s.asks, false) } };
  }

  /**
   * GET /api/v3/klines, Binance semantics: candles whose open time is in [startTime, endTime];
   * with startTime the first `limit` of them, otherwise the last `limit` (most recent, or the ones
   * ending at endTime); ascending; limit default 500, capped at 1000. Candles that open after
   * now() do not exist yet and are never served.
   * Row: [openTime, o, h, l, c, v, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, "0"];
   * ccxt binance parseOHLCV reads indices 0-5 (5 = base volume for spot).
   */
  private klines(q: Record<string, string>): { status: number; body: unknown } {
    if (!q.symbol) return mandatory('symbol');
    const s = this.symbols.get(q.symbol);
    if (!s) return INVALID_SYMBOL;
    if (!q.interval) return mandatory('interval');
    if (!INTERVAL_MS[q.interval]) return badRequest(-1120, 'Invalid interval.');
    const int = (name: string): number | undefined | null => {
      if (q[name] === undefined) return undefined;
      const n = Number(q[name]);
      return Number.isInteger(n) ? n : null;
    };
    const start = int('startTime');
    const end = int('endTime');
    let limit = int('limit');
    if (start === null || end === null || limit === null) return badRequest(-1100, 'Illegal characters found in a parameter.');
    if (start !== undefined && end !== undefined && start > end) return badRequest(-1104, 'startTime must be less than endTime.');
    limit = limit === undefined ? 500 : Math.max(1, Math.min(1000, limit));
    const now = this.now();
    const rows = (s.klines.get(q.interval) ?? []).filter(
      (r) => r[0]! <= now && (start === undefined || r[0]! >= start) && (end === undefined || r[0]! <= end),
    );
    const picked = start !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
    const interval = q.interval;
    const body = picked.map((r) => {
      const [t, o, h, l, c, v] = r as [number, number, number, number, number, number];
      return [t, fmt(o), fmt(h), fmt(l), fmt(c), fmt(v), klineCloseTime(t, interval), fmt(v * c), v > 0 ? 1 : 0, fmt(v / 2), fmt((v / 2) * c), '0'];
    });
    return { status: 200, body };
  }

  // ---------------------------------------------------------------- internals: websocket

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const known =
      path === '/ws' || path.startsWith('/ws/') || path === '/stream' || path.startsWith('/stream/') || path.startsWith('/ws-api/');
    if (this.rejectingWs || !known || !this.wss) {
      if (this.rejectingWs) this.refusedUpgrades++;
      const status = this.rejectingWs || 404;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss?.emit('connection', ws, req));
  }

  private onWsConnection(ws: WebSocket, req: http.IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/ws-api/')) {
      this.onWsApiConnection(ws);
      return;
    }
    const combined = url.pathname.startsWith('/stream');
    const state: ClientState = { streams: new Set(), listenKeys: new Set(), combined };
    this.clients.set(ws, state);
    // Binance accepts streams in the URL: /ws/<stream>[/<stream>] and /stream?streams=a/b.
    // ccxt's numeric connection suffix (/ws/0, /ws/1) is not a stream and is ignored, as on Binance.
    // A listenKey in their place subscribes to that account's user data stream.
    const fromUrl = combined ? (url.searchParams.get('streams') ?? '').split('/') : url.pathname.split('/').slice(2);
    for (const raw of fromUrl) {
      const stream = parseStream(raw, this.symbolsByLowerId);
      if (stream) state.streams.add(stream);
      else if (this.trading.listenKeyOwner(raw) !== undefined) state.listenKeys.add(raw);
    }
    if (state.streams.size > 0) this.notifyWaiters();
    if (state.listenKeys.size > 0) this.notifyUserWaiters();
    ws.on('message', (data) => this.onWsMessage(ws, state, data.toString()));
    ws.on('close', () => {
      this.clients.delete(ws);
    });
    ws.on('error', () => {
      /* a reset client socket; 'close' follows */
    });
  }

  /** Binance's live-subscribing protocol: {"method":"SUBSCRIBE","params":[...],"id":N} -> {"result":null,"id":N}. */
  private onWsMessage(ws: WebSocket, state: ClientState, text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      // Errors are {"error":{code,msg},"id"}: pro binance handleMessage -> handleWsError rejects the request id.
      this.send(ws, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }, id: null });
      return;
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? msg.params : [];
    switch (msg.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const streams: string[] = [];
        const listenKeys: string[] = [];
        for (const raw of params) {
          const stream = typeof raw === 'string' ? parseStream(raw, this.symbolsByLowerId) : undefined;
          if (!stream) {
            if (typeof raw === 'string' && this.trading.listenKeyOwner(raw) !== undefined) {
              listenKeys.push(raw);
              continue;
            }
            this.send(ws, { error: { code: 2, msg: `Invalid request: invalid stream ${String(raw)}` }, id });
            return;
          }
          streams.push(stream);
        }
        for (const s of streams) {
          if (msg.method === 'SUBSCRIBE') state.streams.add(s);
          else state.streams.delete(s);
        }
        for (const lk of listenKeys) {
          if (msg.method === 'SUBSCRIBE') state.listenKeys.add(lk);
          else state.listenKeys.delete(lk);
        }
        if (listenKeys.length > 0 && msg.method === 'SUBSCRIBE') this.notifyUserWaiters();
        // The ack reaches ccxt's handleSubscriptionStatus (no "e", has "id"), which for
        // watchOrderBook starts the REST snapshot (handleOrderBookSubscription).
        this.send(ws, { result: null, id });
        if (msg.method === 'SUBSCRIBE') this.notifyWaiters();
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.send(ws, { result: [...state.streams], id });
        return;
      case 'SET_PROPERTY':
        if (params[0] === 'combined' && typeof params[1] === 'boolean') {
          state.combined = params[1];
          this.send(ws, { result: null, id });
        } else {
          this.send(ws, { error: { code: 0, msg: 'Unknown property' }, id });
        }
        return;
      case 'GET_PROPERTY':
        if (params[0] === 'combined') this.send(ws, { result: state.combined, id });
        else this.send(ws, { error: { code: 0, msg: 'Unknown property' }, id });
        return;
      default:
        this.send(ws, {
          error: {
            code: 2,
            msg: `Invalid request: unknown variant \`${String(msg.method)}\`, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\``,
          },
          id,
        });
    }
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  /** Sends `data` to every connection subscribed to `stream` (wrapped as {stream, data} on combined ones). */
  private emit(stream: string, data: unknown): void {
    for (const [ws, state] of this.clients) {
      if (state.streams.has(stream) && !state.silent) this.send(ws, state.combined ? { stream, data } : data);
    }
  }

  // ---------------------------------------------------------------- internals: user data streams

  /**
   * Binance's WebSocket API (ws-api/v3), the part ccxt's watchOrders/watchBalance use for spot:
   * requests {id, method, params} are answered {id, status, result | error, rateLimits}; user data
   * events arrive as {subscriptionId, event}. Only the user data stream methods are modelled.
   */
  private onWsApiConnection(ws: WebSocket): void {
    const state: ApiClientState = { subscriptions: new Map() };
    this.apiClients.set(ws, state);
    ws.on('message', (data) => this.onWsApiMessage(ws, state, data.toString()));
    ws.on('close', () => {
      this.apiClients.delete(ws);
    });
    ws.on('error', () => {
      /* a reset client socket; 'close' follows */
    });
  }

  private onWsApiMessage(ws: WebSocket, state: ApiClientState, text: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      this.send(ws, { id: null, status: 400, error: { code: -1013, msg: 'Malformed request.' } });
      return;
    }
    const id = msg.id ?? null;
    const params = msg.params && typeof msg.params === 'object' ? (msg.params as Record<string, unknown>) : {};
    const ok = (result: unknown) => this.send(ws, { id, status: 200, result, rateLimits: [] });
    switch (msg.method) {
      case 'ping':
        ok({});
        return;
      case 'time':
        ok({ serverTime: this.now() });
        return;
      case 'userDataStream.subscribe.signature': {
        const auth = this.trading.verifyWsParams(params);
        if ('error' in auth) {
          this.send(ws, { id, status: auth.status, error: auth.error });
          return;
        }
        const subscriptionId = this.nextSubscriptionId++;
        state.subscriptions.set(subscriptionId, auth.apiKey);
        ok({ subscriptionId }); // ccxt handleUserDataStreamSubscribe reads result.subscriptionId
        this.notifyUserWaiters();
        return;
      }
      case 'userDataStream.unsubscribe': {
        const which = params.subscriptionId;
        if (which === undefined) state.subscriptions.clear();
        else state.subscriptions.delete(Number(which));
        ok({});
        return;
      }
      case 'session.status':
        ok({ apiKey: null, authorizedSince: null, connectedSince: this.now(), returnRateLimits: true, serverTime: this.now(), userDataStream: state.subscriptions.size > 0 });
        return;
      default:
        this.send(ws, { id, status: 400, error: { code: -1100, msg: `Illegal characters found in parameter 'method'; unknown method ${String(msg.method)}.` } });
    }
  }

  /** One user data event of an account, to its ws-api subscriptions and /ws/<listenKey> connections. */
  private emitUserEvent(apiKey: string, event: Record<string, unknown>): void {
    for (const [ws, state] of this.apiClients) {
      for (const [subscriptionId, key] of state.subscriptions) {
        if (key === apiKey) this.send(ws, { subscriptionId, event });
      }
    }
    for (const [ws, state] of this.clients) {
      for (const lk of state.listenKeys) {
        if (this.trading.listenKeyOwner(lk) === apiKey) this.send(ws, state.combined ? { stream: lk, data: event } : event);
      }
    }
  }

  private notifyUserWaiters(): void {
    for (const w of [...this.userWaiters]) {
      if (this.userStreamCount(w.apiKey) > 0) {
        clearTimeout(w.timer);
        this.userWaiters.delete(w);
        w.resolve();
      }
    }
  }

  private isSubscribed(stream: string): boolean {
    for (const c of this.clients.values()) if (c.streams.has(stream)) return true;
    return false;
  }

  private notifyWaiters(): void {
    for (const w of [...this.waiters]) {
      if (this.isSubscribed(w.stream)) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** <sym>@ticker payload; consumed by pro binance parseWsTicker (event 24hrTicker -> handleTickers). */
  private wsTicker(s: SymbolState): unknown {
    const t = s.ticker;
    const now = this.now();
    const vwap = (t.open + t.last) / 2;
    return {
      e: '24hrTicker',
      E: now,
      s: s.id, // symbol
      p: fmt(t.last - t.open), // change
      P: ((100 * (t.last - t.open)) / t.open).toFixed(3), // percentage
      w: fmt(vwap), // vwap
      x: fmt(t.open), // previousClose
      c: fmt(t.last), // last / close
      Q: fmt(t.lastQty),
      b: fmt(t.bid), // bid
      B: fmt(t.bidQty), // bidVolume
      a: fmt(t.ask), // ask
      A: fmt(t.askQty), // askVolume
      o: fmt(t.open), // open
      h: fmt(t.high), // high
      l: fmt(t.low), // low
      v: fmt(t.volume), // baseVolume
      q: fmt(t.volume * vwap), // quoteVolume
      O: now - 86_400_000,
      C: now, // timestamp (C is preferred over E)
      F: t.firstId,
      L: t.lastId,
      n: t.lastId - t.firstId + 1,
    };
  }

  private wsMiniTicker(s: SymbolState): unknown {
    const t = s.ticker;
    return {
      e: '24hrMiniTicker',
      E: this.now(),
      s: s.id,
      c: fmt(t.last),
      o: fmt(t.open),
      h: fmt(t.high),
      l: fmt(t.low),
      v: fmt(t.volume),
      q: fmt(t.volume * ((t.open + t.last) / 2)),
    };
  }

  /** Spot bookTicker has no "e"/"E": pro binance handleMessage recognises it by its a/b keys. */
  private wsBookTicker(s: SymbolState): unknown {
    const t = s.ticker;
    return { u: s.bookTickerUpdateId, s: s.id, b: fmt(t.bid), B: fmt(t.bidQty), a: fmt(t.ask), A: fmt(t.askQty) };
  }
}
