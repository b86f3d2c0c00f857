/**
 * A mock Kraken spot exchange for integration tests: REST (`/0/public/...`, `/0/private/...`) and
 * the websocket API v2 (public `/v2`, private `/ws-auth.kraken.com/v2`) on ONE port of 127.0.0.1,
 * implementing MockExchange (./mock-exchange.ts). The addresses are where the product's API URL
 * override (core/market/api-url-override.ts) sends a ccxt kraken given `http://127.0.0.1:PORT`:
 *   https://api.kraken.com        -> http://127.0.0.1:PORT        (ccxt appends /0/public/..., /0/private/...)
 *   wss://ws.kraken.com/v2        -> ws://127.0.0.1:PORT/v2
 *   wss://ws-auth.kraken.com/v2   -> ws://127.0.0.1:PORT/ws-auth.kraken.com/v2
 *   wss://ws.kraken.com, wss://ws-auth.kraken.com (v1): not modelled, upgrades answer 404
 *   (ccxt 4.5.84's pro kraken subscribes over v2 only; the v1 private URL is only a cache key).
 *
 * Wire formats are Kraken's as ccxt 4.5's kraken.js / pro/kraken.js parse them; the ccxt function
 * reading a field is named next to it. Market data is set by the test (setTicker, setCandles,
 * pushCandle, setOrderBook); no timer emits data on its own (heartbeat() sends Kraken's
 * `{"channel":"heartbeat"}` when a test wants one).
 *
 * What ccxt calls (public):
 *   loadMarkets     GET /0/public/Assets (fetchCurrencies: XXBT altname XBT -> BTC), then
 *                   GET /0/public/AssetPairs (fetchMarkets: pair_decimals, lot_decimals, ordermin, costmin, fees)
 *   fetchTicker     GET /0/public/Ticker?pair=XXBTZUSD
 *   fetchOHLCV      GET /0/public/OHLC?pair=&interval=<minutes>[&since=<seconds - one interval>]
 *   fetchOrderBook  GET /0/public/Depth?pair=[&count=]
 *   fetchTime       GET /0/public/Time
 *   watchTicker / watchOHLCV / watchOrderBook   ws /v2 {"method":"subscribe","params":{"channel":"ticker"|"ohlc"|"book",
 *                   "symbol":["BTC/USD"],...},"req_id":N}: one ack per symbol, then a snapshot, then updates.
 * Private (see ./mock-kraken-trading.ts): Balance, BalanceEx (fetchBalance), AddOrder, QueryOrders
 * (fetchOrder), OpenOrders, ClosedOrders, CancelOrder, TradesHistory (fetchMyTrades), QueryTrades,
 * GetWebSocketsToken (then watchOrders / watchMyTrades subscribe `executions` on the private v2 socket).
 *
 * ccxt's rateLimit for kraken is 1000 ms per cost unit (public calls 1-1.2, private reads 3-6,
 * AddOrder / CancelOrder 0): with ccxt's defaults, consecutive private reads go out 3 s apart
 * (ccxt's own throttle, measured against this mock). Tests give ccxt a small rateLimit.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { WebSocket } from 'ws';
import type { MockCall, MockExchange } from './mock-exchange';
import { MockExchangeServer, moveTicker, upsertCandle } from './mock-exchange-server';
import { KrakenTradingEngine, LOOKUPS, type KrakenAccountOptions, type KrakenResult, type TradingPair } from './mock-kraken-trading';
import { testCredentials } from './test-credentials';

export { isValidClOrdId } from './mock-kraken-trading';
export type { KrakenAccountOptions } from './mock-kraken-trading';

interface PairState extends TradingPair {
  baseId: string; // XXBT
  quoteId: string; // ZUSD
  wsname: string; // XBT/USD (REST AssetPairs; websocket v2 uses the unified BTC/USD)
  tickSize: number;
  ticker: { bid: number; ask: number; last: number; bidQty: number; askQty: number; volume: number; open: number; high: number; low: number };
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** interval in minutes -> rows [ms, o, h, l, c, v], ascending */
  candles: Map<number, number[][]>;
}

interface ClientState {
  private: boolean;
  /** public: 'ticker|BTC/USD', 'ohlc|BTC/USD|1', 'book|BTC/USD' -> depth; private: 'executions' -> apiKey */
  subs: Map<string, number | string>;
  silent: boolean;
  sequence: number;
}

interface MockRequest {
  method: string;
  path: string;
  /** query (public) or form body (private), as received */
  params: Record<string, string>;
  apiKey?: string;
}

const PAIRS: Array<Omit<PairState, 'ticker' | 'bids' | 'asks' | 'candles'> & { price: number }> = [
  // Values are Kraken's AssetPairs for these pairs (fees: ccxt's listed tier 0).
  { id: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', symbol: 'BTC/USD', base: 'BTC', quote: 'USD', baseId: 'XXBT', quoteId: 'ZUSD', pairDecimals: 1, lotDecimals: 8, costDecimals: 5, ordermin: 0.00005, costmin: 0.5, tickSize: 0.1, price: 60000 },
  { id: 'XETHZUSD', altname: 'ETHUSD', wsname: 'ETH/USD', symbol: 'ETH/USD', base: 'ETH', quote: 'USD', baseId: 'XETH', quoteId: 'ZUSD', pairDecimals: 2, lotDecimals: 8, costDecimals: 5, ordermin: 0.002, costmin: 0.5, tickSize: 0.01, price: 3000 },
];

/** Kraken's OHLC intervals in minutes; ccxt kraken `timeframes` maps 1m..2w onto them. */
const INTERVALS = new Set([1, 5, 15, 30, 60, 240, 1440, 10080, 21600]);
const TIMEFRAME_MINUTES: Record<string, number> = { '1m': 1, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '4h': 240, '1d': 1440, '1w': 10080, '2w': 21600 };
const BOOK_DEPTHS = new Set([10, 25, 100, 500, 1000]);

const ASSETS = {
  XXBT: { aclass: 'currency', altname: 'XBT', decimals: 10, display_decimals: 5, collateral_value: 1, status: 'enabled' },
  XETH: { aclass: 'currency', altname: 'ETH', decimals: 10, display_decimals: 5, collateral_value: 1, status: 'enabled' },
  ZUSD: { aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, collateral_value: 1, status: 'enabled' },
};

/** Kraken v2 book checksum text of one level: the number as printed at the pair's precision, without '.' and leading zeros. */
function checksumPart(n: number, decimals: number): string {
  return n.toFixed(decimals).replace('.', '').replace(/^0+/, '');
}

/**
 * The CRC32 Kraken puts in every v2 book message: over the top 10 asks (ascending) then the top 10
 * bids (descending), each level price then quantity as checksumPart prints them.
 */
export function bookChecksum(asks: Array<[number, number]>, bids: Array<[number, number]>, pairDecimals: number, lotDecimals: number): number {
  let text = '';
  for (const [p, q] of [...asks.slice(0, 10), ...bids.slice(0, 10)]) text += checksumPart(p, pairDecimals) + checksumPart(q, lotDecimals);
  return zlib.crc32(text);
}

/** Kraken's RFC 3339 timestamps with 9 fractional digits (interval_begin) or 6 (events). */
function iso(ms: number, digits: 6 | 9 = 6): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, frac: string) => `.${frac.padEnd(digits, '0')}Z`);
}

export class MockKraken extends MockExchangeServer<ClientState, MockRequest> implements MockExchange {
  readonly exchangeId = 'kraken';
  readonly symbol = 'BTC/USD';
  readonly base = 'BTC';
  readonly quote = 'USD';
  /** A key and (base64) secret addAccount accepts; the shared suite's account. */
  readonly credentials = testCredentials('mockkraken', { secretBase64: true });

  private readonly pairs = new Map<string, PairState>(); // by id, altname and unified symbol
  private connectionId = 10_000_000_000;
  private privateDelayMs: number;
  protected readonly trading: KrakenTradingEngine;

  /** @param opts.privateDelayMs  every private call waits this long before it is processed and answered (Kraken pacing a key's calls) */
  constructor(opts: { privateDelayMs?: number } = {}) {
    super('mock-kraken');
    this.privateDelayMs = opts.privateDelayMs ?? 0;
    for (const { price, ...cfg } of PAIRS) {
      const half = cfg.tickSize;
      const p: PairState = {
        ...cfg,
        ticker: { bid: price - half, ask: price, last: price, bidQty: 1, askQty: 1, volume: 1000, open: price, high: price, low: price },
        bids: new Map([[price - half, 1], [price - 2 * half, 2]]),
        asks: new Map([[price, 1], [price + half, 2]]),
        candles: new Map(),
      };
      for (const key of [p.id, p.altname, p.symbol]) this.pairs.set(key, p);
    }
    this.trading = new KrakenTradingEngine({
      now: () => this.now(),
      pair: (ref) => this.pairs.get(ref),
      execution: (apiKey, event) => this.emitExecution(apiKey, event),
    });
  }

  // ---------------------------------------------------------------- pacing

  /** See the constructor's privateDelayMs. */
  setPrivateDelay(ms: number): void {
    this.privateDelayMs = ms;
  }

  // ---------------------------------------------------------------- market data

  setTicker(symbol: string, t: { bid: number; ask: number; last: number; volume?: number }): void {
    const p = this.pair(symbol);
    moveTicker(p.ticker, t);
    this.broadcast(`ticker|${p.symbol}`, () => ({ channel: 'ticker', type: 'update', data: [this.wsTicker(p)] }));
    this.trading.onTicker(p.id);
  }

  setCandles(symbol: string, timeframe: string, rows: number[][]): void {
    this.pair(symbol).candles.set(this.minutes(timeframe), rows.map((r) => r.slice()).sort((x, y) => x[0]! - y[0]!));
  }

  pushCandle(symbol: string, timeframe: string, row: number[]): void {
    const p = this.pair(symbol);
    const interval = this.minutes(timeframe);
    const rows = p.candles.get(interval) ?? [];
    upsertCandle(rows, row.slice());
    p.candles.set(interval, rows);
    this.broadcast(`ohlc|${p.symbol}|${interval}`, () => ({ channel: 'ohlc', type: 'update', timestamp: iso(this.now()), data: [this.wsCandle(p, interval, row)] }));
  }

  /** Replaces the book; book subscribers get the changed levels (quantity 0 = removed) and the new checksum. */
  setOrderBook(symbol: string, bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    const p = this.pair(symbol);
    const before = new Map<WebSocket, { bids: Array<[number, number]>; asks: Array<[number, number]> }>();
    for (const [ws, c] of this.clients) {
      const depth = c.subs.get(`book|${p.symbol}`);
      if (typeof depth === 'number') before.set(ws, this.topOfBook(p, depth));
    }
    p.bids = new Map(bids);
    p.asks = new Map(asks);
    for (const [ws, old] of before) {
      const c = this.clients.get(ws)!;
      const depth = c.subs.get(`book|${p.symbol}`) as number;
      const now = this.topOfBook(p, depth);
      const diff = (a: Array<[number, number]>, b: Array<[number, number]>) => {
        const next = new Map(b);
        const changed = b.filter(([price, qty]) => !a.some(([p0, q0]) => p0 === price && q0 === qty));
        const removed = a.filter(([price]) => !next.has(price)).map(([price]): [number, number] => [price, 0]);
        return [...removed, ...changed].map(([price, qty]) => ({ price, qty }));
      };
      if (!c.silent) {
        this.send(ws, {
          channel: 'book',
          type: 'update',
          data: [{ symbol: p.symbol, bids: diff(old.bids, now.bids), asks: diff(old.asks, now.asks), checksum: this.checksum(p), timestamp: iso(this.now()) }],
        });
      }
    }
  }

  /** Kraken's heartbeat, to every public v2 connection with a subscription (Kraken: about once a second when idle). */
  heartbeat(): void {
    for (const [ws, c] of this.clients) if (!c.private && c.subs.size > 0 && !c.silent) this.send(ws, { channel: 'heartbeat' });
  }

  // ---------------------------------------------------------------- trading

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts?: KrakenAccountOptions): void {
    this.trading.addAccount(apiKey, secret, balances, opts);
  }

  /**
   * Resolves once a websocket is subscribed to `channel` (ticker, ohlc, book) for `symbol`
   * (unified), or to `executions` of `apiKey` (symbol omitted).
   */
  waitForSubscription(channel: string, symbolOrApiKey?: string, timeoutMs = 5000): Promise<void> {
    const key = `${channel}|${symbolOrApiKey ?? ''}`;
    return this.waitFor(() => this.isSubscribed(key), `subscription ${key}`, timeoutMs);
  }

  // ---------------------------------------------------------------- internals: REST

  protected onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const header = req.headers['api-key'];
    const apiKey = typeof header === 'string' ? header : undefined;
    const record: MockRequest = { method: req.method ?? 'GET', path, params: Object.fromEntries(url.searchParams) };
    if (apiKey !== undefined) record.apiKey = apiKey;
    this.requests.push(record);
    const pub = /^\/0\/public\/([A-Za-z]+)$/.exec(path);
    const priv = /^\/0\/private\/([A-Za-z]+)$/.exec(path);
    if (!pub && !priv) {
      this.answer(res, { error: ['EGeneral:Unknown method'] }, 404);
      return;
    }
    const send = (result: KrakenResult | undefined) => this.answer(res, result ?? { error: ['EGeneral:Unknown method'] }, result ? 200 : 404);
    if (pub) {
      const fault = this.takeFault(['public']);
      // emptyAnswer: a public call answered with nothing in it
      this.respond(fault, req, res, () => this.publicCall(pub[1]!, record.params), send, () => this.answer(res, { result: {} }));
      return;
    }
    const method = priv![1]!;
    this.trading.noteRequest(method, apiKey);
    const calls: MockCall[] = ['private'];
    if (method === 'AddOrder') calls.push('createOrder');
    if (method === 'CancelOrder') calls.push('cancel');
    if (LOOKUPS.has(method)) calls.push('lookup');
    const fault = this.takeFault(calls);
    this.readBody(req, (rawBody) => {
      const params = this.parseBody(rawBody, req.headers['content-type']);
      record.params = params;
      const signature = typeof req.headers['api-sign'] === 'string' ? req.headers['api-sign'] : undefined;
      const authenticate = () => this.trading.authenticate(path, rawBody, params, apiKey, signature);
      // A late execution is authenticated on arrival (its nonce), and processed later only if that passed.
      const lateAuth = typeof fault === 'object' && 'lateExecutionMs' in fault ? authenticate() : undefined;
      const empty = typeof fault === 'object' && 'emptyAnswer' in fault;
      const process = (late: boolean): KrakenResult | undefined => {
        const auth = late ? lateAuth! : authenticate();
        if (!('apiKey' in auth)) return auth;
        if (empty && LOOKUPS.has(method)) return KrakenTradingEngine.emptyAnswer(method); // other calls are processed
        return this.trading.handle(method, auth.apiKey, params);
      };
      const run = () => this.respond(fault, req, res, process, send);
      // privateDelayMs (Kraken pacing a key's calls) delays what is processed now; refused and late ones go at once.
      const processedNow = fault === undefined || empty || fault === 'acceptedThenLost' || fault === 'acceptedThenTimeout';
      if (this.privateDelayMs > 0 && processedNow) this.later(this.privateDelayMs, run);
      else run();
    });
  }

  private parseBody(raw: string, contentType: string | undefined): Record<string, string> {
    if (contentType?.includes('json')) {
      try {
        const parsed = JSON.parse(raw) as Record<string, unknown>;
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      } catch {
        return {};
      }
    }
    return Object.fromEntries(new URLSearchParams(raw));
  }

  private publicCall(method: string, q: Record<string, string>): KrakenResult | undefined {
    switch (method) {
      case 'Time': {
        const now = this.now();
        return { result: { unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString() } }; // fetchTime: unixtime
      }
      case 'SystemStatus':
        return { result: { status: 'online', timestamp: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
      case 'Assets':
        return { result: ASSETS };
      case 'AssetPairs':
        return this.assetPairs(q);
      case 'Ticker':
        return this.ticker(q);
      case 'OHLC':
        return this.ohlc(q);
      case 'Depth':
        return this.depth(q);
      default:
        return undefined;
    }
  }

  /** `pair` as Kraken reads it: comma-separated ids or altnames; undefined = all pairs. */
  private pairsOf(q: Record<string, string>): PairState[] | undefined | null {
    if (q.pair === undefined) return undefined;
    const out: PairState[] = [];
    for (const ref of q.pair.split(',')) {
      const p = this.pairs.get(ref);
      if (!p || ref === p.symbol) return null; // the unified 'BTC/USD' is not a REST pair name
      out.push(p);
    }
    return out;
  }

  private uniquePairs(): PairState[] {
    return [...new Set(this.pairs.values())];
  }

  /** fetchMarkets: id (key), altname, wsname, base/quote ids (XXBT -> BTC), pair_decimals, lot_decimals, ordermin, costmin, fees. */
  private assetPairs(q: Record<string, string>): KrakenResult {
    const list = this.pairsOf(q);
    if (list === null) return { error: ['EQuery:Unknown asset pair'] };
    const result: Record<string, unknown> = {};
    for (const p of list ?? this.uniquePairs()) {
      result[p.id] = {
        altname: p.altname,
        wsname: p.wsname,
        aclass_base: 'currency',
        base: p.baseId,
        aclass_quote: 'currency',
        quote: p.quoteId,
        lot: 'unit',
        cost_decimals: p.costDecimals,
        pair_decimals: p.pairDecimals, // precision.price
        lot_decimals: p.lotDecimals, // precision.amount
        lot_multiplier: 1,
        leverage_buy: [2, 3, 4, 5], // margin: true
        leverage_sell: [2, 3, 4, 5],
        fees: [[0, 0.26], [50000, 0.24], [100000, 0.22]], // taker (percent)
        fees_maker: [[0, 0.16], [50000, 0.14], [100000, 0.12]], // maker
        fee_volume_currency: 'ZUSD',
        margin_call: 80,
        margin_stop: 40,
        ordermin: String(p.ordermin), // limits.amount.min
        costmin: String(p.costmin), // limits.cost.min
        tick_size: String(p.tickSize),
        status: 'online', // active
      };
    }
    return { result };
  }

  /** fetchTicker / parseTicker: a[0] ask, b[0] bid, c[0] last, v[1] base volume, p[1] vwap, h[1]/l[1], o. */
  private ticker(q: Record<string, string>): KrakenResult {
    const list = this.pairsOf(q);
    if (list === null) return { error: ['EQuery:Unknown asset pair'] };
    const result: Record<string, unknown> = {};
    for (const p of list ?? this.uniquePairs()) {
      const t = p.ticker;
      const px = (n: number) => n.toFixed(p.pairDecimals);
      const vol = t.volume.toFixed(8);
      const vwap = px((t.open + t.last) / 2);
      result[p.id] = {
        a: [px(t.ask), String(Math.round(t.askQty)), t.askQty.toFixed(3)],
        b: [px(t.bid), String(Math.round(t.bidQty)), t.bidQty.toFixed(3)],
        c: [px(t.last), '0.00100000'],
        v: [vol, vol],
        p: [vwap, vwap],
        t: [100, 100],
        l: [px(t.low), px(t.low)],
        h: [px(t.high), px(t.high)],
        o: px(t.open),
      };
    }
    return { result };
  }

  /**
   * OHLC, Kraken's semantics: candles whose time is AFTER `since` (seconds; ccxt sends since minus
   * one interval so the candle at `since` is included), at most the 720 most recent, up to the one
   * in progress; `last` = the time of the last committed candle (the next poll's since).
   * Row: [time (s), open, high, low, close, vwap, volume, count]; parseOHLCV reads 0-4 and 6.
   */
  private ohlc(q: Record<string, string>): KrakenResult {
    const list = this.pairsOf(q);
    if (!list || list.length !== 1) return { error: [list === undefined ? 'EGeneral:Invalid arguments' : 'EQuery:Unknown asset pair'] };
    const p = list[0]!;
    const interval = q.interval === undefined ? 1 : Number(q.interval);
    if (!INTERVALS.has(interval)) return { error: ['EGeneral:Invalid arguments'] };
    const since = q.since === undefined ? undefined : Number(q.since);
    if (since !== undefined && !Number.isFinite(since)) return { error: ['EGeneral:Invalid arguments'] };
    const now = this.now();
    const px = (n: number) => n.toFixed(p.pairDecimals);
    const rows = (p.candles.get(interval) ?? [])
      .filter((r) => r[0]! <= now && (since === undefined || r[0]! / 1000 > since))
      .slice(-720);
    const body = rows.map((r) => {
      const [t, o, h, l, c, v] = r as [number, number, number, number, number, number];
      return [t / 1000, px(o), px(h), px(l), px(c), px((o + c) / 2), v.toFixed(8), v > 0 ? 1 : 0];
    });
    const last = rows.length >= 2 ? rows[rows.length - 2]![0]! / 1000 : rows.length === 1 ? rows[0]![0]! / 1000 : (since ?? 0);
    return { result: { [p.id]: body, last } };
  }

  /** Depth: asks ascending, bids descending, [price, volume, timestamp (s)]; count default 100, max 500. */
  private depth(q: Record<string, string>): KrakenResult {
    const list = this.pairsOf(q);
    if (!list || list.length !== 1) return { error: [list === undefined ? 'EGeneral:Invalid arguments' : 'EQuery:Unknown asset pair'] };
    const p = list[0]!;
    const count = q.count === undefined ? 100 : Number(q.count);
    if (!Number.isInteger(count) || count < 1) return { error: ['EGeneral:Invalid arguments'] };
    const top = this.topOfBook(p, Math.min(count, 500));
    const ts = Math.floor(this.now() / 1000);
    const level = ([price, qty]: [number, number]) => [price.toFixed(p.pairDecimals), qty.toFixed(p.lotDecimals), ts];
    return { result: { [p.id]: { asks: top.asks.map(level), bids: top.bids.map(level) } } };
  }

  private answer(res: http.ServerResponse, body: KrakenResult, status = 200): void {
    const text = JSON.stringify({ error: body.error ?? [], ...(body.result !== undefined ? { result: body.result } : {}) });
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  // ---------------------------------------------------------------- internals: websocket

  protected acceptsWebSocket(path: string): boolean {
    return path === '/v2' || path === '/ws-auth.kraken.com/v2';
  }

  protected onWsConnection(ws: WebSocket, path: string): ClientState {
    const state: ClientState = { private: path !== '/v2', subs: new Map(), silent: false, sequence: 0 };
    ws.on('message', (data) => this.onWsMessage(ws, state, data.toString()));
    // Kraken greets every v2 connection with the system status (pro kraken handleSystemStatus).
    this.send(ws, { channel: 'status', type: 'update', data: [{ api_version: 'v2', connection_id: this.connectionId++, system: 'online', version: '2.0.10' }] });
    return state;
  }

  private onWsMessage(ws: WebSocket, state: ClientState, text: string): void {
    const timeIn = iso(this.now());
    let msg: { method?: unknown; params?: Record<string, unknown>; req_id?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      this.send(ws, { error: 'Malformed request', method: 'unknown', success: false, time_in: timeIn, time_out: iso(this.now()) });
      return;
    }
    const reqId = typeof msg.req_id === 'number' ? { req_id: msg.req_id } : {};
    const reply = (body: Record<string, unknown>) => this.send(ws, { ...body, ...reqId, time_in: timeIn, time_out: iso(this.now()) });
    const params = msg.params && typeof msg.params === 'object' ? msg.params : {};
    switch (msg.method) {
      case 'ping': // ccxt's keepalive (pro kraken ping) -> handlePong; answered even when silenced
        reply({ method: 'pong' });
        return;
      case 'subscribe':
      case 'unsubscribe':
        if (state.private) this.privateSubscribe(ws, state, msg.method, params, reply);
        else this.publicSubscribe(ws, state, msg.method, params, reply);
        return;
      default:
        reply({ error: `Method not found`, method: String(msg.method), success: false });
    }
  }

  private publicSubscribe(ws: WebSocket, state: ClientState, method: 'subscribe' | 'unsubscribe', params: Record<string, unknown>, reply: (b: Record<string, unknown>) => void): void {
    const channel = params.channel;
    const symbols = params.symbol;
    if (channel !== 'ticker' && channel !== 'ohlc' && channel !== 'book') {
      reply({ error: `Subscription name invalid`, method, success: false });
      return;
    }
    if (!Array.isArray(symbols) || symbols.length === 0) {
      reply({ error: 'Pair field must be an array', method, success: false });
      return;
    }
    const interval = params.interval === undefined ? undefined : Number(params.interval);
    if (channel === 'ohlc' && (interval === undefined || !INTERVALS.has(interval))) {
      reply({ error: interval === undefined ? 'Subscription ohlc requires interval' : 'Subscription ohlc interval not supported', method, success: false });
      return;
    }
    const depth = params.depth === undefined ? 10 : Number(params.depth);
    if (channel === 'book' && !BOOK_DEPTHS.has(depth)) {
      reply({ error: 'Subscription depth not supported', method, success: false });
      return;
    }
    for (const raw of symbols) {
      const p = typeof raw === 'string' ? this.pairs.get(raw) : undefined;
      if (!p || raw !== p.symbol) {
        reply({ error: `Currency pair not supported ${String(raw)}`, method, success: false, symbol: raw });
        continue;
      }
      const key = channel === 'ohlc' ? `ohlc|${p.symbol}|${interval}` : `${channel}|${p.symbol}`;
      const result: Record<string, unknown> = { channel, symbol: p.symbol };
      if (method === 'unsubscribe') {
        state.subs.delete(key);
        if (channel === 'ohlc') result.interval = interval;
        if (channel === 'book') result.depth = depth;
        reply({ method, result, success: true });
        continue;
      }
      if (channel === 'ticker') Object.assign(result, { event_trigger: 'trades', snapshot: true });
      if (channel === 'ohlc') Object.assign(result, { interval, snapshot: true, warnings: [] });
      if (channel === 'book') Object.assign(result, { depth, snapshot: true });
      state.subs.set(key, channel === 'book' ? depth : 1);
      reply({ method, result, success: true });
      if (channel === 'ticker') this.send(ws, { channel: 'ticker', type: 'snapshot', data: [this.wsTicker(p)] });
      if (channel === 'ohlc') {
        const now = this.now();
        const rows = (p.candles.get(interval!) ?? []).filter((r) => r[0]! <= now).slice(-720);
        if (rows.length > 0) this.send(ws, { channel: 'ohlc', type: 'snapshot', timestamp: iso(now), data: rows.map((r) => this.wsCandle(p, interval!, r)) });
      }
      if (channel === 'book') {
        const top = this.topOfBook(p, depth);
        const levels = (side: Array<[number, number]>) => side.map(([price, qty]) => ({ price, qty }));
        this.send(ws, { channel: 'book', type: 'snapshot', data: [{ symbol: p.symbol, bids: levels(top.bids), asks: levels(top.asks), checksum: this.checksum(p) }] });
      }
      this.notifyWaiters();
    }
  }

  /** executions with a token from GetWebSocketsToken: ack, then the snapshot (open orders; fills with snap_trades). */
  private privateSubscribe(ws: WebSocket, state: ClientState, method: 'subscribe' | 'unsubscribe', params: Record<string, unknown>, reply: (b: Record<string, unknown>) => void): void {
    if (params.channel !== 'executions') {
      reply({ error: 'Subscription name invalid', method, success: false });
      return;
    }
    const owner = typeof params.token === 'string' ? this.trading.tokenOwner(params.token) : undefined;
    if (owner === undefined) {
      reply({ error: 'ESession:Invalid session', method, success: false });
      return;
    }
    if (method === 'unsubscribe') {
      state.subs.delete('executions');
      reply({ method, result: { channel: 'executions' }, success: true });
      return;
    }
    state.subs.set('executions', owner);
    reply({ method, result: { channel: 'executions', maxratecount: 180, snapshot: true, warnings: [] }, success: true });
    const snapOrders = params.snap_orders !== false && params.snapshot !== false;
    const snapTrades = params.snap_trades === true;
    this.send(ws, { channel: 'executions', type: 'snapshot', data: this.trading.snapshot(owner, snapOrders, snapTrades), sequence: ++state.sequence });
    this.notifyWaiters();
  }

  private emitExecution(apiKey: string, event: Record<string, unknown>): void {
    for (const [ws, c] of this.clients) {
      if (c.private && c.subs.get('executions') === apiKey && !c.silent) {
        this.send(ws, { channel: 'executions', type: 'update', data: [event], sequence: ++c.sequence });
      }
    }
  }

  private broadcast(key: string, message: () => unknown): void {
    let payload: unknown;
    for (const [ws, c] of this.clients) {
      if (!c.subs.has(key) || c.silent) continue;
      payload ??= message();
      this.send(ws, payload);
    }
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  private isSubscribed(key: string): boolean {
    const [channel, ref] = key.split('|');
    for (const c of this.clients.values()) {
      for (const [k, v] of c.subs) {
        if (channel === 'executions' ? k === 'executions' && (ref === '' || v === ref) : k === key || (channel === 'ohlc' && k.startsWith(`${key}|`))) return true;
      }
    }
    return false;
  }

  /** ticker data; pro kraken handleTicker. */
  private wsTicker(p: PairState): Record<string, unknown> {
    const t = p.ticker;
    const change = round(t.last - t.open, p.pairDecimals);
    return {
      symbol: p.symbol, // the unified symbol (v2 names XBT as BTC)
      bid: t.bid,
      bid_qty: t.bidQty,
      ask: t.ask,
      ask_qty: t.askQty,
      last: t.last,
      volume: t.volume, // baseVolume
      vwap: round((t.open + t.last) / 2, p.pairDecimals),
      low: t.low,
      high: t.high,
      change,
      change_pct: round((100 * change) / t.open, 2),
    };
  }

  /** ohlc data; pro kraken handleOHLCV reads interval_begin (the candle's open time), open..close, volume, interval. */
  private wsCandle(p: PairState, interval: number, r: number[]): Record<string, unknown> {
    const [t, o, h, l, c, v] = r as [number, number, number, number, number, number];
    return { symbol: p.symbol, open: o, high: h, low: l, close: c, trades: v > 0 ? 1 : 0, volume: v, vwap: round((o + c) / 2, p.pairDecimals), interval_begin: iso(t, 9), interval, timestamp: iso(t + interval * 60_000) };
  }

  private topOfBook(p: PairState, depth: number): { bids: Array<[number, number]>; asks: Array<[number, number]> } {
    const side = (m: Map<number, number>, desc: boolean) =>
      [...m.entries()]
        .filter(([, q]) => q > 0)
        .sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]))
        .slice(0, depth);
    return { bids: side(p.bids, true), asks: side(p.asks, false) };
  }

  private checksum(p: PairState): number {
    const top = this.topOfBook(p, 10);
    return bookChecksum(top.asks, top.bids, p.pairDecimals, p.lotDecimals);
  }

  private pair(symbol: string): PairState {
    const p = this.pairs.get(symbol);
    if (!p) throw new Error(`mock-kraken: unknown symbol ${symbol}`);
    return p;
  }

  private minutes(timeframe: string): number {
    const m = TIMEFRAME_MINUTES[timeframe];
    if (m === undefined) throw new Error(`mock-kraken: Kraken has no ${timeframe} candles (${Object.keys(TIMEFRAME_MINUTES).join(', ')})`);
    return m;
  }
}

function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}
