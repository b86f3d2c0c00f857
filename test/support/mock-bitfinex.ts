/**
 * A mock Bitfinex (API v2) spot exchange for integration tests: public and authenticated REST
 * and both websockets on ONE port of 127.0.0.1, implementing MockExchange (./mock-exchange.ts).
 *
 * It speaks Bitfinex's wire formats as ccxt 4.5's `bitfinex` (js/src/bitfinex.js) and its pro
 * flavour (js/src/pro/bitfinex.js) read them; the ccxt function reading each is named next to
 * it. Market data is driven by the test (setTicker, setCandles, pushCandle, setOrderBook,
 * heartbeat); no timer emits anything on its own.
 *
 * Addresses, as overrideApiUrls (core/market/api-url-override.ts) rewrites ccxt's urls.api:
 *   public  https://api-pub.bitfinex.com   -> http://127.0.0.1:PORT                    (/v2/...)
 *   private https://api.bitfinex.com       -> http://127.0.0.1:PORT/api.bitfinex.com   (/v2/auth/...)
 *   ws      wss://api-pub.bitfinex.com/ws/2 -> ws://127.0.0.1:PORT/ws/2
 *           wss://api.bitfinex.com/ws/2     -> ws://127.0.0.1:PORT/api.bitfinex.com/ws/2
 * Either websocket path serves public channels and `auth`, like api.bitfinex.com/ws/2 does.
 *
 * What ccxt calls (all GET on the public host):
 *   loadMarkets     /v2/conf/pub:info:pair,pub:info:pair:futures,pub:list:pair:securities,pub:list:pair:margin  (fetchMarkets)
 *                   /v2/conf/pub:list:currency,pub:map:currency:sym,... (11 labels)                             (fetchCurrencies)
 *   fetchTicker     /v2/ticker/tBTCUSD                   [BID, BID_SIZE, ASK, ASK_SIZE, CHANGE, CHANGE_REL, LAST, VOLUME, HIGH, LOW]
 *   fetchTickers    /v2/tickers?symbols=tBTCUSD,...|ALL  the same with SYMBOL first
 *   fetchOHLCV      /v2/candles/trade:1m:tBTCUSD/hist?limit=100[&start=&sort=1][&end=]  rows [MTS, OPEN, CLOSE, HIGH, LOW, VOLUME]
 *   fetchOrderBook  /v2/book/tBTCUSD/R0[?len=]  (ccxt's default precision is R0, raw; P0..P4 also served)
 *   fetchStatus     /v2/platform/status  [1]
 * Authenticated: POST /api.bitfinex.com/v2/auth/..., JSON body, headers bfx-apikey, bfx-nonce,
 * bfx-signature = hex HMAC-SHA384(secret, `/api/v2/auth/...` + nonce + body); see
 * ./mock-bitfinex-trading.ts for the endpoints and what is modelled.
 * Websocket: {event:'info'} on connect; subscribe ticker {symbol}, candles {key:'trade:1m:tBTCUSD'},
 * book {symbol, prec, freq, len}, trades {symbol} -> {event:'subscribed', chanId, ...}, the
 * snapshot [chanId, [...]], then updates [chanId, [...]]; heartbeats [chanId, 'hb'];
 * {event:'conf', flags:131072} turns on book checksums [chanId, 'cs', n] after each book update
 * (ccxt sends it after its first book); {event:'auth', apiKey, authSig, authNonce, authPayload}
 * (authSig = hex HMAC-SHA384(secret, authPayload)) -> {event:'auth', status:'OK'}, then the
 * snapshots os / ps / ws and the account events on / ou / oc / te / tu / wu on channel 0.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import { WebSocket } from 'ws';
import type { MockCall, MockExchange } from './mock-exchange';
import { MockExchangeServer, moveTicker, upsertCandle } from './mock-exchange-server';
import { BitfinexTrading, bfxError, type Answer, type BitfinexMarket, type FeeCurrency } from './mock-bitfinex-trading';
import { bookChecksum, bookUpdates, bookView, PRECISIONS, type BookView } from './mock-bitfinex-book';
import { testCredentials } from './test-credentials';

export interface MockBitfinexMarketConfig {
  base: string;
  quote: string;
  /** Starting last price; bid/ask one tick either side, a small book around it. */
  price: number;
  tick: number;
  minSize: number;
  maxSize: number;
}

interface TickerState {
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  volume: number;
  open: number;
  high: number;
  low: number;
}

interface MarketState extends BitfinexMarket {
  ticker: TickerState;
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** Bitfinex timeframe ('1m', '1D') -> rows [ms, o, h, l, c, v] (ccxt's order), oldest first. */
  candles: Map<string, number[][]>;
}

interface Channel {
  chanId: number;
  channel: 'ticker' | 'candles' | 'book' | 'trades';
  market: MarketState;
  /** candles: 'trade:1m:tBTCUSD' and its timeframe */
  key?: string;
  timeframe?: string;
  prec?: string;
  len?: number;
  /** book: what this subscriber was last sent. */
  view?: BookView;
}

interface WsClient {
  channels: Map<number, Channel>;
  /** Set once `auth` succeeded: this connection receives that account's events. */
  apiKey?: string;
  checksums: boolean;
  /** silenceWebSockets(): open, answering pings and requests, but no channel data any more. */
  silent: boolean;
}

export interface MockBitfinexRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Wall-clock arrival time. */
  at: number;
  calls: MockCall[];
  /** The JSON body of an authenticated request, as sent (no secrets: those travel in headers). */
  body?: string;
}

const DEFAULT_MARKETS: MockBitfinexMarketConfig[] = [
  // min/max order sizes of the kind pub:info:pair lists for these pairs
  { base: 'BTC', quote: 'USD', price: 60000, tick: 1, minSize: 0.00004, maxSize: 2000 },
  { base: 'ETH', quote: 'USD', price: 3000, tick: 0.1, minSize: 0.001, maxSize: 5000 },
];

/** ccxt bitfinex `timeframes`: unified -> Bitfinex. Bitfinex names are accepted as they are. */
const TIMEFRAMES: Record<string, string> = { '1d': '1D', '1w': '7D', '2w': '14D' };
const BFX_TIMEFRAMES = new Set(['1m', '5m', '15m', '30m', '1h', '3h', '4h', '6h', '12h', '1D', '7D', '14D', '1M']);
const CHECKSUM_FLAG = 131072;
const PRIVATE_PREFIX = '/api.bitfinex.com';
const WS_PATHS = new Set(['/ws/2', `${PRIVATE_PREFIX}/ws/2`]);

const r8 = (n: number): number => Math.round(n * 1e8) / 1e8;

/** What a REST path is, for faults and stats: `apiPath` is the part after /v2/ of an authenticated request. */
function callsOf(apiPath: string | undefined): MockCall[] {
  if (apiPath === undefined) return ['public'];
  if (apiPath === 'auth/w/order/submit') return ['private', 'createOrder'];
  if (apiPath.startsWith('auth/w/order/cancel')) return ['private', 'cancel'];
  if (/^auth\/r\/(orders|order\/|trades)/.test(apiPath)) return ['private', 'lookup'];
  return ['private'];
}

export class MockBitfinex extends MockExchangeServer<WsClient, MockBitfinexRequest> implements MockExchange {
  readonly exchangeId = 'bitfinex';
  readonly symbol = 'BTC/USD';
  readonly base = 'BTC';
  readonly quote = 'USD';
  readonly credentials = testCredentials('mockbitfinex');
  /** Refuse a bfx-nonce equal to the last one too (Bitfinex does; see BitfinexTrading.acceptNonce). */
  strictNonce = false;

  /** See BitfinexTrading.submitAnswersAfterMatching: false (Bitfinex) answers a submit with the accepted, unmatched order. */
  get submitAnswersAfterMatching(): boolean {
    return this.trading.submitAnswersAfterMatching;
  }
  set submitAnswersAfterMatching(on: boolean) {
    this.trading.submitAnswersAfterMatching = on;
  }

  private readonly markets = new Map<string, MarketState>(); // by id, tBTCUSD
  protected readonly trading: BitfinexTrading;
  private nextChanId = 17_000;
  private readonly levelIds = new Map<string, number>();

  constructor(opts: { markets?: MockBitfinexMarketConfig[] } = {}) {
    super('mock-bitfinex');
    for (const cfg of opts.markets ?? DEFAULT_MARKETS) this.addMarket(cfg);
    this.trading = new BitfinexTrading({
      now: () => this.now(),
      market: (id) => this.markets.get(id),
      emit: (apiKey, message) => {
        for (const [ws, c] of this.clients) if (c.apiKey === apiKey) this.send(ws, c, message, true);
      },
    });
  }

  // ---------------------------------------------------------------- market data

  setTicker(symbol: string, t: { bid: number; ask: number; last: number; volume?: number }): void {
    const m = this.market(symbol);
    moveTicker(m.ticker, t);
    this.broadcast(m, 'ticker', (c) => [c.chanId, this.tickerFields(m)]);
    // resting orders the new prices cross fill now (their events follow the ticker's)
    this.trading.onTicker(m.id);
  }

  setCandles(symbol: string, timeframe: string, rows: number[][]): void {
    const m = this.market(symbol);
    const byTs = new Map<number, number[]>();
    for (const row of rows) byTs.set(row[0]!, row.slice(0, 6));
    m.candles.set(this.timeframe(timeframe), [...byTs.values()].sort((x, y) => x[0]! - y[0]!));
  }

  pushCandle(symbol: string, timeframe: string, row: number[]): void {
    const m = this.market(symbol);
    const tf = this.timeframe(timeframe);
    const series = m.candles.get(tf) ?? [];
    const candle = row.slice(0, 6);
    upsertCandle(series, candle);
    m.candles.set(tf, series);
    this.broadcast(m, 'candles', (c) => (c.timeframe === tf ? [c.chanId, this.candleFields(candle)] : undefined));
  }

  setOrderBook(symbol: string, bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    const m = this.market(symbol);
    m.bids = new Map(bids.filter(([, q]) => q > 0));
    m.asks = new Map(asks.filter(([, q]) => q > 0));
    for (const [ws, client] of this.clients) {
      for (const c of client.channels.values()) {
        if (c.channel !== 'book' || c.market !== m) continue;
        const next = this.view(c);
        const updates = bookUpdates(c.view!, next);
        c.view = next;
        if (updates.length === 0) continue;
        for (const u of updates) this.send(ws, client, [c.chanId, u], true);
        if (client.checksums) this.send(ws, client, [c.chanId, 'cs', bookChecksum(next)], true);
      }
    }
  }

  /** Sends Bitfinex's heartbeat [chanId, 'hb'] on every channel (and [0, 'hb'] to authenticated connections). */
  heartbeat(): void {
    for (const [ws, client] of this.clients) {
      for (const c of client.channels.values()) this.send(ws, client, [c.chanId, 'hb'], true);
      if (client.apiKey !== undefined) this.send(ws, client, [0, 'hb'], true);
    }
  }

  // ---------------------------------------------------------------- accounts

  /** `feeCurrency` 'received' charges fees as Bitfinex does (see mock-bitfinex-trading.ts); default 'quote'. */
  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts: { feeRate?: number; feeCurrency?: FeeCurrency } = {}): void {
    this.trading.addAccount(apiKey, secret, balances, opts.feeRate, opts.feeCurrency);
  }

  // ---------------------------------------------------------------- observation

  /** Channels subscribed now, as 'ticker:tBTCUSD', 'book:tBTCUSD', 'candles:trade:1m:tBTCUSD'; sorted. */
  wsSubscriptions(): string[] {
    const all = new Set<string>();
    for (const c of this.clients.values()) for (const ch of c.channels.values()) all.add(channelName(ch));
    return [...all].sort();
  }

  /** What a waitFor timeout reports. */
  private subscribed(): string {
    return `(subscribed: ${this.wsSubscriptions().join(', ') || 'none'})`;
  }

  /** Resolves once some connection has subscribed `name` (as wsSubscriptions() lists it). */
  waitForSubscription(name: string, timeoutMs = 2000): Promise<void> {
    return this.waitFor(() => this.wsSubscriptions().includes(name), `subscription ${name}`, timeoutMs, () => this.subscribed());
  }

  /**
   * Resolves once some connection asked for book checksums ({event:'conf', flags:131072}).
   * ccxt asks only after its first book has resolved, so updates before that carry none.
   */
  waitForChecksums(timeoutMs = 2000): Promise<void> {
    return this.waitFor(() => [...this.clients.values()].some((c) => c.checksums), 'checksum conf', timeoutMs, () => this.subscribed());
  }

  /** Resolves once some websocket is authenticated for `apiKey`. */
  waitForAuth(apiKey: string, timeoutMs = 2000): Promise<void> {
    return this.waitFor(() => [...this.clients.values()].some((c) => c.apiKey === apiKey), 'an authenticated websocket', timeoutMs, () => this.subscribed());
  }

  // ---------------------------------------------------------------- internals: state

  private addMarket(cfg: MockBitfinexMarketConfig): void {
    const id = `t${cfg.base}${cfg.quote}`;
    const p = cfg.price;
    const m: MarketState = {
      id,
      symbol: `${cfg.base}/${cfg.quote}`,
      base: cfg.base,
      quote: cfg.quote,
      minSize: cfg.minSize,
      maxSize: cfg.maxSize,
      ticker: { bid: r8(p - cfg.tick), ask: r8(p + cfg.tick), last: p, bidSize: 1, askSize: 1, volume: 1000, open: p, high: p, low: p },
      bids: new Map(),
      asks: new Map(),
      candles: new Map(),
    };
    for (let i = 1; i <= 5; i++) {
      m.bids.set(r8(p - i * cfg.tick), i);
      m.asks.set(r8(p + i * cfg.tick), i);
    }
    this.markets.set(id, m);
  }

  /** 'BTC/USD', 'BTCUSD' or 'tBTCUSD'. */
  private market(symbol: string): MarketState {
    const id = symbol.startsWith('t') ? symbol : `t${symbol.replace('/', '')}`;
    const m = this.markets.get(id.toUpperCase().replace(/^T/, 't'));
    if (!m) throw new Error(`mock-bitfinex: unknown symbol ${symbol}`);
    return m;
  }

  private timeframe(tf: string): string {
    const bfx = TIMEFRAMES[tf] ?? tf;
    if (!BFX_TIMEFRAMES.has(bfx)) throw new Error(`mock-bitfinex: unknown timeframe ${tf}`);
    return bfx;
  }

  /** ccxt parseTicker (singular) / parseWsTicker: BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, VOLUME, HIGH, LOW. */
  private tickerFields(m: MarketState): number[] {
    const t = m.ticker;
    const change = r8(t.last - t.open);
    return [t.bid, t.bidSize, t.ask, t.askSize, change, t.open ? r8(change / t.open) : 0, t.last, t.volume, t.high, t.low];
  }

  /** Bitfinex candle order (ccxt parseOHLCV reads it back): MTS, OPEN, CLOSE, HIGH, LOW, VOLUME. */
  private candleFields(row: number[]): number[] {
    const [t, o, h, l, c, v] = row as [number, number, number, number, number, number];
    return [t, o, c, h, l, v];
  }

  private levelId(m: MarketState, side: 'bid' | 'ask', price: number): number {
    const key = `${m.id}:${side}:${price}`;
    let id = this.levelIds.get(key);
    if (id === undefined) this.levelIds.set(key, (id = 130_000_000_000 + this.levelIds.size));
    return id;
  }

  private view(c: Channel): BookView {
    return bookView(c.market.bids, c.market.asks, c.prec!, c.len!, (side, price) => this.levelId(c.market, side, price));
  }

  // ---------------------------------------------------------------- internals: HTTP

  protected onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const apiPath = path.startsWith(`${PRIVATE_PREFIX}/v2/auth/`) ? path.slice(`${PRIVATE_PREFIX}/v2/`.length) : undefined;
    const calls = callsOf(apiPath);
    const entry: MockBitfinexRequest = { method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), at: Date.now(), calls };
    this.requests.push(entry);
    this.readBody(req, (body) => {
      if (apiPath !== undefined) entry.body = body;
      const apiKey = header(req, 'bfx-apikey');
      if (apiPath !== undefined) this.trading.noteRequest(apiKey, calls);
      const process = (late = false): Answer =>
        apiPath !== undefined ? this.authenticated(req, apiPath, body, late) : this.publicRoute(req.method ?? 'GET', path, url.searchParams);
      const fault = this.takeFault(calls);
      this.respond(fault, req, res, process, (a) => this.answer(res, a), () => this.answer(res, { status: 200, body: [] }));
    });
  }

  private answer(res: http.ServerResponse, a: Answer): void {
    if (res.destroyed) return;
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8' });
    res.end(text);
  }

  /**
   * Checks Bitfinex's request signature and nonce, then hands the request to the trading engine.
   * Every refusal is HTTP 500 ["error", 10100, ...] (ccxt: AuthenticationError) or 10114 (InvalidNonce).
   * A late execution skips the nonce check: requests sent after it have advanced the nonce meanwhile.
   */
  private authenticated(req: http.IncomingMessage, apiPath: string, rawBody: string, late: boolean): Answer {
    const apiKey = header(req, 'bfx-apikey');
    const nonce = header(req, 'bfx-nonce');
    const signature = header(req, 'bfx-signature');
    const secret = apiKey === undefined ? undefined : this.trading.secretOf(apiKey);
    if (apiKey === undefined || secret === undefined || nonce === undefined || signature === undefined) return bfxError(10100, 'apikey: invalid');
    const expected = crypto.createHmac('sha384', secret).update(`/api/v2/${apiPath}${nonce}${rawBody}`).digest('hex');
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected))) return bfxError(10100, 'apikey: digest invalid');
    if (!/^\d+$/.test(nonce) || (!late && !this.trading.acceptNonce(apiKey, Number(nonce), this.strictNonce))) return bfxError(10114, 'nonce: small');
    if (req.method !== 'POST') return bfxError(10020, 'method: invalid');
    let body: unknown;
    try {
      body = rawBody.trim() === '' ? {} : JSON.parse(rawBody);
    } catch {
      return bfxError(10020, 'body: invalid');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return bfxError(10020, 'body: invalid');
    return this.trading.handle(apiKey, apiPath, body as Record<string, unknown>);
  }

  private publicRoute(method: string, path: string, q: URLSearchParams): Answer {
    if (method !== 'GET') return { status: 404, body: 'Not Found' };
    let m: RegExpExecArray | null;
    if (path === '/v2/platform/status') return { status: 200, body: [1] };
    if ((m = /^\/v2\/conf\/(.+)$/.exec(path))) return { status: 200, body: m[1]!.split(',').map((label) => this.conf(label)) };
    if ((m = /^\/v2\/ticker\/([^/]+)$/.exec(path))) {
      const market = this.markets.get(m[1]!);
      return market ? { status: 200, body: this.tickerFields(market) } : bfxError(10020, 'symbol: invalid');
    }
    if (path === '/v2/tickers') {
      const wanted = (q.get('symbols') ?? 'ALL').split(',');
      const list = [...this.markets.values()].filter((mk) => wanted.includes('ALL') || wanted.includes(mk.id));
      return { status: 200, body: list.map((mk) => [mk.id, ...this.tickerFields(mk)]) };
    }
    if ((m = /^\/v2\/book\/([^/]+)\/([^/]+)$/.exec(path))) return this.restBook(m[1]!, m[2]!, q);
    if ((m = /^\/v2\/candles\/trade:([^:]+):([^/:]+)\/(hist|last)$/.exec(path))) return this.restCandles(m[1]!, m[2]!, m[3] as 'hist' | 'last', q);
    if ((m = /^\/v2\/trades\/([^/]+)\/hist$/.exec(path))) return this.markets.has(m[1]!) ? { status: 200, body: [] } : bfxError(10020, 'symbol: invalid');
    return { status: 404, body: 'Not Found' };
  }

  /** One label of /v2/conf (fetchMarkets, fetchCurrencies read them by position). */
  private conf(label: string): unknown {
    const markets = [...this.markets.values()];
    const currencies = [...new Set(markets.flatMap((m) => [m.base, m.quote]))].sort();
    const crypto = currencies.filter((c) => c !== 'USD' && c !== 'EUR');
    const pair = (m: MarketState) => m.id.slice(1);
    switch (label) {
      case 'pub:info:pair': // fetchMarkets: [PAIR, [_, _, _, MIN_ORDER_SIZE, MAX_ORDER_SIZE, _, _, _, INITIAL_MARGIN, MIN_MARGIN]]
        return markets.map((m) => [pair(m), [null, null, null, String(m.minSize), String(m.maxSize), null, null, null, 0.2, 0.1]]);
      case 'pub:list:pair:exchange':
        return markets.map(pair);
      case 'pub:list:currency':
        return currencies;
      case 'pub:map:currency:label':
        return currencies.map((c) => [c, { BTC: 'Bitcoin', ETH: 'Ethereum', USD: 'US Dollar' }[c] ?? c]);
      case 'pub:map:currency:explorer': // fetchCurrencies: a currency with an explorer is 'crypto'
        return crypto.map((c) => [c, [`https://explorer.example/${c}`, `https://explorer.example/${c}/address/VAL`, `https://explorer.example/${c}/tx/VAL`]]);
      case 'pub:map:currency:tx:fee':
        return currencies.map((c) => [c, [0, c === 'BTC' ? 0.0004 : c === 'ETH' ? 0.00135 : 0]]);
      case 'pub:map:tx:method':
        return crypto.map((c) => [c === 'BTC' ? 'BITCOIN' : c === 'ETH' ? 'ETHEREUM' : c, [c]]);
      case 'pub:info:tx:status':
        return crypto.map((c) => [c === 'BTC' ? 'BITCOIN' : c === 'ETH' ? 'ETHEREUM' : c, 1, 1, null, null, null, null, 0, 0, null, null, 3]);
      // no futures, securities, margin, derivatives or renamed currencies on this mock
      case 'pub:info:pair:futures':
      case 'pub:list:pair:futures':
      case 'pub:list:pair:securities':
      case 'pub:list:pair:margin':
      case 'pub:list:currency:margin':
      case 'pub:map:currency:sym':
      case 'pub:map:currency:unit':
      case 'pub:map:currency:undl':
      case 'pub:map:currency:pool':
        return [];
      default:
        return null;
    }
  }

  /** GET /v2/book/SYMBOL/PREC?len=1|25|100 (fetchOrderBook: R0 entries read price at 1, P* at 0). */
  private restBook(symbol: string, prec: string, q: URLSearchParams): Answer {
    const market = this.markets.get(symbol);
    if (!market) return bfxError(10020, 'symbol: invalid');
    if (!PRECISIONS.includes(prec)) return bfxError(10020, 'prec: invalid');
    const len = Number(q.get('len') ?? '25');
    if (![1, 25, 100].includes(len)) return bfxError(10020, 'len: invalid');
    const v = bookView(market.bids, market.asks, prec, len, (side, price) => this.levelId(market, side, price));
    return { status: 200, body: [...v.bids, ...v.asks] };
  }

  /**
   * GET /v2/candles/trade:TF:SYMBOL/hist?limit=&start=&end=&sort= : start/end bound MTS; sort -1
   * (the default) gives the newest `limit` newest first, sort 1 the oldest `limit` from start;
   * limit 100 by default, 10000 at most. /last: the newest candle alone.
   */
  private restCandles(tf: string, symbol: string, section: 'hist' | 'last', q: URLSearchParams): Answer {
    const market = this.markets.get(symbol);
    if (!market || !BFX_TIMEFRAMES.has(tf)) return bfxError(10020, 'key: invalid');
    const rows = market.candles.get(tf) ?? [];
    if (section === 'last') return { status: 200, body: rows.length ? this.candleFields(rows[rows.length - 1]!) : [] };
    const num = (name: string): number | undefined => (q.has(name) ? Number(q.get(name)) : undefined);
    const start = num('start');
    const end = num('end');
    const limit = Math.max(1, Math.min(10_000, num('limit') ?? 100));
    const ascending = q.get('sort') === '1';
    const inWindow = rows.filter((r) => (start === undefined || r[0]! >= start) && (end === undefined || r[0]! <= end));
    const picked = ascending ? inWindow.slice(0, limit) : inWindow.slice(-limit).reverse();
    return { status: 200, body: picked.map((r) => this.candleFields(r)) };
  }

  // ---------------------------------------------------------------- internals: websocket

  protected acceptsWebSocket(path: string): boolean {
    return WS_PATHS.has(path);
  }

  protected onWsConnection(ws: WebSocket): WsClient {
    const client: WsClient = { channels: new Map(), checksums: false, silent: false };
    ws.on('message', (data) => this.onWsMessage(ws, client, data.toString()));
    // pro bitfinex handleSystemStatus
    this.send(ws, client, { event: 'info', version: 2, serverId: 'mock-bitfinex', platform: { status: 1 } }, false);
    return client;
  }

  private onWsMessage(ws: WebSocket, client: WsClient, text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.send(ws, client, { event: 'error', msg: 'invalid', code: 10000 }, false);
    }
    const reply = (payload: unknown) => this.send(ws, client, payload, false);
    switch (msg.event) {
      case 'ping':
        return reply({ event: 'pong', ts: Date.now(), cid: msg.cid });
      case 'conf': {
        const flags = Number(msg.flags) || 0;
        client.checksums = (flags & CHECKSUM_FLAG) !== 0;
        reply({ event: 'conf', status: 'OK', flags });
        return this.notifyWaiters();
      }
      case 'subscribe':
        return this.subscribe(ws, client, msg);
      case 'unsubscribe': {
        const chanId = Number(msg.chanId);
        if (!client.channels.delete(chanId)) return reply({ event: 'error', msg: 'unsubscribe: invalid', code: 10400 });
        return reply({ event: 'unsubscribed', status: 'OK', chanId });
      }
      case 'auth':
        return this.auth(ws, client, msg);
      default:
        return reply({ event: 'error', msg: 'event: invalid', code: 10001 });
    }
  }

  private subscribe(ws: WebSocket, client: WsClient, msg: Record<string, unknown>): void {
    const fail = (text: string, code = 10300) => this.send(ws, client, { ...msg, event: 'error', msg: text, code }, false);
    const channel = msg.channel;
    let c: Channel;
    if (channel === 'candles') {
      const m = /^trade:([^:]+):(t[A-Z0-9]+)$/.exec(String(msg.key ?? ''));
      const market = m ? this.markets.get(m[2]!) : undefined;
      if (!m || !market || !BFX_TIMEFRAMES.has(m[1]!)) return fail('key: invalid');
      c = { chanId: 0, channel, market, key: m[0], timeframe: m[1]! };
    } else if (channel === 'ticker' || channel === 'trades' || channel === 'book') {
      const market = this.markets.get(String(msg.symbol ?? ''));
      if (!market) return fail('symbol: invalid');
      c = { chanId: 0, channel, market };
      if (channel === 'book') {
        c.prec = String(msg.prec ?? 'P0');
        c.len = Number(msg.len ?? 25);
        if (!PRECISIONS.includes(c.prec)) return fail('prec: invalid');
        if (![1, 25, 100, 250].includes(c.len)) return fail('len: invalid');
      }
    } else {
      return fail('channel: unknown', 10302);
    }
    if ([...client.channels.values()].some((x) => channelName(x) === channelName(c))) return fail('subscribe: dup', 10301);
    c.chanId = ++this.nextChanId;
    client.channels.set(c.chanId, c);
    // pro bitfinex handleSubscriptionStatus stores this message as the channel's subscription
    const ack: Record<string, unknown> = { event: 'subscribed', channel, chanId: c.chanId };
    if (channel === 'candles') ack.key = c.key;
    else Object.assign(ack, { symbol: c.market.id, pair: c.market.id.slice(1) });
    if (channel === 'book') Object.assign(ack, { prec: c.prec, freq: String(msg.freq ?? 'F0'), len: String(c.len) });
    this.send(ws, client, ack, false);
    // the snapshot
    if (channel === 'ticker') this.send(ws, client, [c.chanId, this.tickerFields(c.market)], true);
    else if (channel === 'trades') this.send(ws, client, [c.chanId, []], true);
    else if (channel === 'book') {
      c.view = this.view(c);
      this.send(ws, client, [c.chanId, [...c.view.bids, ...c.view.asks]], true);
    } else {
      // newest first, like Bitfinex. An empty series sends no snapshot: ccxt's handleOHLCV would
      // read `[chanId, []]` as one update and append a candle of undefined values.
      const rows = c.market.candles.get(c.timeframe!) ?? [];
      if (rows.length > 0) this.send(ws, client, [c.chanId, rows.slice(-240).reverse().map((r) => this.candleFields(r))], true);
    }
    this.notifyWaiters();
  }

  /** pro bitfinex authenticate(): {apiKey, authSig = hex HMAC-SHA384(secret, authPayload), authNonce, authPayload: 'AUTH' + nonce}. */
  private auth(ws: WebSocket, client: WsClient, msg: Record<string, unknown>): void {
    const apiKey = typeof msg.apiKey === 'string' ? msg.apiKey : '';
    const payload = typeof msg.authPayload === 'string' ? msg.authPayload : '';
    const secret = this.trading.secretOf(apiKey);
    const expected = secret === undefined ? '' : crypto.createHmac('sha384', secret).update(payload).digest('hex');
    const ok = secret !== undefined && msg.authSig === expected && payload === `AUTH${msg.authNonce}`;
    if (!ok) {
      return this.send(ws, client, { event: 'auth', status: 'FAILED', chanId: 0, code: 10100, msg: secret === undefined ? 'apikey: invalid' : 'apikey: digest invalid' }, false);
    }
    client.apiKey = apiKey;
    const caps = { orders: { read: 1, write: 1 }, account: { read: 1, write: 0 }, wallets: { read: 1, write: 0 }, history: { read: 1, write: 0 } };
    this.send(ws, client, { event: 'auth', status: 'OK', chanId: 0, userId: 1, auth_id: 'mock-bitfinex-auth', caps }, false);
    for (const snapshot of this.trading.snapshots(apiKey)) this.send(ws, client, snapshot, true);
    this.notifyWaiters();
  }

  /** `data`: channel data (held back from a silenced connection); otherwise a reply to a request. */
  private send(ws: WebSocket, client: WsClient, payload: unknown, data: boolean): void {
    if (data && client.silent) return;
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  private broadcast(m: MarketState, channel: Channel['channel'], message: (c: Channel) => unknown[] | undefined): void {
    for (const [ws, client] of this.clients) {
      for (const c of client.channels.values()) {
        if (c.channel !== channel || c.market !== m) continue;
        const payload = message(c);
        if (payload) this.send(ws, client, payload, true);
      }
    }
  }

}

function channelName(c: Channel): string {
  return c.channel === 'candles' ? `candles:${c.key}` : `${c.channel}:${c.market.id}`;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
