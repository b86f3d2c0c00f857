/**
 * The trading side of MockLuno (./mock-luno.ts): accounts keyed by API key id, HTTP Basic auth,
 * orders, fills, balances and the user's trades, in Luno's wire formats as ccxt 4.5.84 luno.js
 * parses them (the reading ccxt function is named next to each field) and as Luno's published
 * API spec has them (github.com/luno/luno-go api.go / types.go, generated from that spec).
 *
 * Endpoints (all need `Authorization: Basic base64(key_id:key_secret)`; a missing or wrong key
 * is answered 401 {"error":"Unauthorised","error_code":"ErrUnauthorised"}, AuthenticationError):
 *   GET  /api/1/balance                 fetchBalance (balance = total incl. reserved, reserved, unconfirmed)
 *   POST /api/1/marketorder             createOrder market: pair, type BUY|SELL, counter_volume (BUY: ZAR to
 *                                       spend) | base_volume (SELL), client_order_id -> {order_id}
 *   POST /api/1/postorder               createOrder limit: pair, type BID|ASK, volume, price, post_only,
 *                                       time_in_force GTC|IOC|FOK, client_order_id -> {order_id}
 *   POST /api/1/stoporder               cancelOrder: order_id -> {success: true}
 *   GET  /api/1/orders/{id}             fetchOrder (v1 Order)
 *   GET  /api/1/listorders              fetchOrders / fetchOpenOrders (state=PENDING) / fetchClosedOrders
 *                                       (state=COMPLETE); pair, limit (default 100), created_before; newest first
 *   GET  /api/exchange/2/orders/{id}    OrderV2 (not in ccxt's API list)
 *   GET  /api/exchange/2/listorders     OrderV2 list, closed=true|false (not in ccxt's API list)
 *   GET  /api/exchange/3/order          OrderV2 by id= or client_order_id= (exactly one; not in ccxt's API list)
 *   GET  /api/1/listtrades              fetchMyTrades: pair (required), since, limit; oldest first; client_order_id
 *   GET  /api/1/fee_info                fetchTradingFee
 *   GET  /api/1/send/networks           loadMarkets -> fetchCurrencies once keys are set
 * ccxt's luno.sign puts every parameter, POST ones too, in the URL query and sends no body;
 * the mock reads the query and an x-www-form-urlencoded body alike, as Luno does.
 *
 * Modelling choices (deliberate, so tests can rely on them):
 *   - client_order_id: at most 255 characters of A-Z a-z 0-9 _ ; , . - (else 400 ErrInvalidClientOrderId,
 *     ccxt InvalidOrder); unique per account over ALL its orders, open or not (else 409
 *     ErrDuplicateClientOrderID, ccxt DuplicateOrderId). '' means none.
 *   - v1 orders (listorders, orders/{id}) carry `client_order_id`. Luno's published v1 `Order` schema
 *     does NOT list that field (only OrderV2, i.e. exchange/2 and exchange/3, and the listtrades
 *     TradeV2 have it); pass { v1ClientOrderId: false } to MockLuno to serve the schema strictly.
 *   - Market orders fill in full at once at the ticker's ask (BUY) / bid (SELL); a BUY spends at most
 *     counter_volume, buying floor(counter_volume / ask) at the pair's volume scale.
 *   - A limit order that crosses on arrival (BID price >= ask, ASK price <= bid) fills in full at
 *     ask / bid as taker (post_only: refused with ErrOrderCanceled instead); otherwise it rests
 *     (IOC / FOK: completes unfilled) and fills in full, at its own price, as maker, when setTicker
 *     brings ask or last to/below a BID's price (bid or last to/above an ASK's).
 *   - Fees (default 0.1%, per account) are charged in the asset received, as on Luno: a buy's in
 *     the base (fee_base), a sell's in the counter (fee_counter). Reserved: a BID reserves
 *     volume x price of the counter, an ASK its volume of the base.
 *   - Luno order states: PENDING (in the book) and COMPLETE (filled or cancelled; a cancelled
 *     order has expiration_timestamp set). ccxt 4.5.84 maps only PENDING ('open'); COMPLETE stays
 *     'COMPLETE' in its unified status.
 */
import type { MockExchangeOrder, MockExchangeStats } from './mock-exchange';

export interface LunoPair {
  /** Luno market id, 'XBTZAR' */
  id: string;
  /** unified, 'BTC/ZAR' */
  symbol: string;
  base: string;
  quote: string;
  /** Luno currency ids, 'XBT', 'ZAR' */
  baseId: string;
  quoteId: string;
  minVolume: number;
  maxVolume: number;
  volumeScale: number;
  minPrice: number;
  maxPrice: number;
  priceScale: number;
  ticker: { bid: number; ask: number; last: number };
}

export interface LunoHost {
  now(): number;
  /** by Luno id ('XBTZAR') */
  pair(id: string): LunoPair | undefined;
}

export interface LunoResult {
  status: number;
  body: unknown;
}

export interface LunoAccountOptions {
  /** Fee rate of maker and taker fills, default 0.001. */
  feeRate?: number;
}

interface Balance {
  accountId: string;
  balance: number;
  reserved: number;
}

interface Account {
  apiKey: string;
  secret: string;
  feeRate: number;
  /** by Luno asset id (XBT, ZAR) */
  balances: Map<string, Balance>;
}

interface Order {
  apiKey: string;
  id: string;
  clientOrderId: string;
  pair: string;
  kind: 'market' | 'limit';
  side: 'buy' | 'sell';
  limitPrice: number;
  limitVolume: number;
  timeInForce: string;
  state: 'PENDING' | 'COMPLETE';
  canceled: boolean;
  base: number;
  counter: number;
  feeBase: number;
  feeCounter: number;
  created: number;
  completed: number;
  expiration: number;
}

interface Trade {
  apiKey: string;
  pair: string;
  sequence: number;
  orderId: string;
  clientOrderId: string;
  side: 'buy' | 'sell';
  maker: boolean;
  price: number;
  volume: number;
  counter: number;
  feeBase: number;
  feeCounter: number;
  timestamp: number;
}

/** Paths whose requests read orders (MockCall 'lookup', stats().lookups). */
export function isLookupPath(path: string): boolean {
  return (
    path === '/api/1/listorders' ||
    path.startsWith('/api/1/orders/') ||
    path === '/api/1/listtrades' ||
    path.startsWith('/api/exchange/2/orders/') ||
    path === '/api/exchange/2/listorders' ||
    path === '/api/exchange/3/order'
  );
}

export const CREATE_PATHS = new Set(['/api/1/marketorder', '/api/1/postorder']);
export const CANCEL_PATH = '/api/1/stoporder';

/** Luno's rule for client_order_id: alphanumerics and _ ; , . - only, at most 255 characters. */
export function isValidLunoClientOrderId(id: string): boolean {
  return /^[A-Za-z0-9_;,.-]{1,255}$/.test(id);
}

const r8 = (n: number): number => Math.round(n * 1e8) / 1e8;
const fmt = (n: number): string => r8(n).toFixed(8);

function lunoError(status: number, code: string, message: string): LunoResult {
  // handleErrors: `error` present -> throwExactlyMatchedException(exceptions.exact, error_code)
  return { status, body: { error: message, error_code: code, error_action: {} } };
}

export const UNAUTHORISED = lunoError(401, 'ErrUnauthorised', 'Unauthorised');

/** Decimal places of a number as typed in a request ('0.010' -> 3). */
function decimals(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function floorTo(n: number, scale: number): number {
  const f = 10 ** scale;
  return Math.floor(n * f + 1e-9) / f;
}

export class LunoTradingEngine {
  private readonly accounts = new Map<string, Account>();
  private readonly orderList: Order[] = [];
  private readonly trades: Trade[] = [];
  private readonly counters = new Map<string, MockExchangeStats>();
  private nextOrder = 1;
  private nextAccount = 1_000_000;
  private nextTrade = 5_000_000;

  constructor(
    private readonly host: LunoHost,
    private readonly v1ClientOrderId: boolean,
  ) {}

  // ---------------------------------------------------------------- accounts and observation

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts: LunoAccountOptions = {}): void {
    const account: Account = { apiKey, secret, feeRate: opts.feeRate ?? 0.001, balances: new Map() };
    for (const [code, amount] of Object.entries(balances)) this.wallet(account, code === 'BTC' ? 'XBT' : code).balance = amount;
    this.accounts.set(apiKey, account);
  }

  hasAccount(apiKey: string): boolean {
    return this.accounts.has(apiKey);
  }

  /** Unified codes (BTC, not XBT): free = balance - reserved, locked = reserved. */
  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    const out: Record<string, { free: number; locked: number }> = {};
    for (const [asset, b] of this.account(apiKey).balances) out[asset === 'XBT' ? 'BTC' : asset] = { free: r8(b.balance - b.reserved), locked: r8(b.reserved) };
    return out;
  }

  orders(apiKey?: string): MockExchangeOrder[] {
    return this.orderList
      .filter((o) => apiKey === undefined || o.apiKey === apiKey)
      .map((o) => {
        const pair = this.host.pair(o.pair)!;
        const average = o.base > 0 ? r8(o.counter / o.base) : 0;
        return {
          id: o.id,
          clientOrderId: o.clientOrderId,
          symbol: pair.symbol,
          side: o.side,
          type: o.kind,
          status: o.state === 'PENDING' ? 'open' : o.canceled ? 'canceled' : 'closed',
          amount: o.limitVolume,
          filled: o.base,
          price: o.kind === 'limit' ? o.limitPrice : 0,
          average,
          // in the quote currency: a buy's fee_base valued at its average price
          fee: r8(o.feeCounter + o.feeBase * average),
        };
      });
  }

  stats(apiKey?: string): MockExchangeStats {
    const sum: MockExchangeStats = { createRequests: 0, ordersCreated: 0, cancelRequests: 0, lookups: 0 };
    for (const [key, c] of this.counters) {
      if (apiKey !== undefined && key !== apiKey) continue;
      sum.createRequests += c.createRequests;
      sum.cancelRequests += c.cancelRequests;
      sum.lookups += c.lookups;
    }
    sum.ordersCreated = this.orderList.filter((o) => apiKey === undefined || o.apiKey === apiKey).length;
    return sum;
  }

  /** Counts a private request on arrival, whatever becomes of it (faulted, refused, processed). */
  noteRequest(path: string, apiKey: string | undefined): void {
    const key = apiKey ?? '';
    const c = this.counters.get(key) ?? { createRequests: 0, ordersCreated: 0, cancelRequests: 0, lookups: 0 };
    this.counters.set(key, c);
    if (CREATE_PATHS.has(path)) c.createRequests++;
    else if (path === CANCEL_PATH) c.cancelRequests++;
    else if (isLookupPath(path)) c.lookups++;
  }

  /** The key id of a valid `Authorization: Basic` header, or Luno's 401. */
  authenticate(authorization: string | undefined): { apiKey: string } | LunoResult {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
    if (!m) return UNAUTHORISED;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return UNAUTHORISED;
    const account = this.accounts.get(text.slice(0, colon));
    if (!account || account.secret !== text.slice(colon + 1)) return UNAUTHORISED;
    return { apiKey: account.apiKey };
  }

  /** The key id a Basic header names, valid or not (for counting requests per account). */
  static keyOf(authorization: string | undefined): string | undefined {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
    if (!m) return undefined;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return colon < 0 ? undefined : text.slice(0, colon);
  }

  /** The stream's credentials message: true if they name an account. */
  checkSecret(apiKey: unknown, secret: unknown): boolean {
    return typeof apiKey === 'string' && this.accounts.get(apiKey)?.secret === secret;
  }

  /** What a lookup answers when it finds nothing (the `emptyAnswer` fault). */
  static emptyAnswer(path: string): LunoResult {
    if (path === '/api/1/listorders' || path === '/api/exchange/2/listorders') return { status: 200, body: { orders: [] } };
    if (path === '/api/1/listtrades') return { status: 200, body: { trades: [] } };
    return lunoError(404, 'ErrOrderNotFound', 'Cannot find that order');
  }

  // ---------------------------------------------------------------- requests

  /** A private request of an authenticated account; undefined = unknown path (404). */
  handle(method: string, path: string, apiKey: string, q: Record<string, string>): LunoResult | undefined {
    const a = this.account(apiKey);
    const get = method === 'GET';
    if (method === 'POST' && path === '/api/1/marketorder') return this.marketOrder(a, q);
    if (method === 'POST' && path === '/api/1/postorder') return this.limitOrder(a, q);
    if (method === 'POST' && path === CANCEL_PATH) return this.stopOrder(a, q);
    if (get && path === '/api/1/balance') return this.balance(a, q);
    if (get && path === '/api/1/listorders') return this.listOrders(a, q, (o) => this.v1Json(o), q.state);
    if (get && path === '/api/exchange/2/listorders') return this.listOrders(a, q, (o) => this.v2Json(o), q.closed === 'true' ? 'COMPLETE' : 'PENDING');
    if (get && path === '/api/1/listtrades') return this.listTrades(a, q);
    if (get && path === '/api/exchange/3/order') return this.orderV3(a, q);
    if (get && path === '/api/1/fee_info') return this.feeInfo(a, q);
    if (get && path === '/api/1/send/networks') {
      return { status: 200, body: { networks: [{ id: 0, name: 'Bitcoin', native_currency: 'XBT' }, { id: 1, name: 'Ethereum', native_currency: 'ETH' }] } };
    }
    const v1 = /^\/api\/1\/orders\/([^/]+)$/.exec(path);
    const v2 = /^\/api\/exchange\/2\/orders\/([^/]+)$/.exec(path);
    if (get && (v1 || v2)) {
      const o = this.orderList.find((x) => x.apiKey === a.apiKey && x.id === decodeURIComponent((v1 ?? v2)![1]!));
      if (!o) return lunoError(404, 'ErrOrderNotFound', 'Cannot find that order');
      return { status: 200, body: v1 ? this.v1Json(o) : this.v2Json(o) };
    }
    return undefined;
  }

  /** Fills resting limit orders of `pairId` that the ticker now crosses (setTicker), at their own price, as maker. */
  onTicker(pairId: string): void {
    const p = this.host.pair(pairId)!;
    const t = p.ticker;
    for (const o of this.orderList) {
      if (o.state !== 'PENDING' || o.pair !== pairId) continue;
      const crosses = o.side === 'buy' ? t.ask <= o.limitPrice || t.last <= o.limitPrice : t.bid >= o.limitPrice || t.last >= o.limitPrice;
      if (crosses) this.fill(o, o.limitPrice, true);
    }
  }

  // ---------------------------------------------------------------- internals: orders

  private validatePair(q: Record<string, string>): LunoPair | LunoResult {
    if (!q.pair) return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: pair is required');
    return this.host.pair(q.pair) ?? lunoError(400, 'ErrInvalidMarketPair', 'Market pair is invalid');
  }

  private validateClientOrderId(a: Account, q: Record<string, string>): string | LunoResult {
    const id = q.client_order_id ?? '';
    if (id === '') return '';
    if (!isValidLunoClientOrderId(id)) return lunoError(400, 'ErrInvalidClientOrderId', 'Invalid client order id');
    if (this.orderList.some((o) => o.apiKey === a.apiKey && o.clientOrderId === id)) return lunoError(409, 'ErrDuplicateClientOrderID', 'Duplicate client order id');
    return id;
  }

  private parseVolume(p: LunoPair, text: string | undefined, name: string): number | LunoResult {
    const v = Number(text);
    if (text === undefined || text === '' || !Number.isFinite(v) || v <= 0) return lunoError(400, 'ErrInvalidVolume', `Invalid order volume (${name})`);
    if (decimals(text) > p.volumeScale) return lunoError(400, 'ErrVolumeDenominationNotAllowed', 'Volume contains too many decimal places');
    if (v < p.minVolume) return lunoError(400, 'ErrVolumeTooLow', 'Volume is below the minimum');
    if (v > p.maxVolume) return lunoError(400, 'ErrVolumeTooHigh', 'Volume is above the maximum');
    return v;
  }

  private newOrder(a: Account, p: LunoPair, clientOrderId: string, fields: Pick<Order, 'kind' | 'side' | 'limitPrice' | 'limitVolume' | 'timeInForce'>): Order {
    const id = `BX${String(this.nextOrder++).padStart(13, '0')}`; // Luno order ids: 'BX' + 13 characters
    const o: Order = { apiKey: a.apiKey, id, clientOrderId, pair: p.id, ...fields, state: 'PENDING', canceled: false, base: 0, counter: 0, feeBase: 0, feeCounter: 0, created: this.host.now(), completed: 0, expiration: 0 };
    this.orderList.push(o);
    return o;
  }

  private marketOrder(a: Account, q: Record<string, string>): LunoResult {
    const p = this.validatePair(q);
    if ('status' in p) return p;
    if (q.type !== 'BUY' && q.type !== 'SELL') return lunoError(400, 'ErrInvalidOrderSide', 'Order side is invalid');
    const cid = this.validateClientOrderId(a, q);
    if (typeof cid !== 'string') return cid;
    const buy = q.type === 'BUY';
    let volume: number;
    if (buy) {
      const counter = Number(q.counter_volume);
      if (q.counter_volume === undefined || !Number.isFinite(counter) || counter <= 0) return lunoError(400, 'ErrInvalidCounterVolume', 'Invalid counter volume for buy order.');
      if (counter > this.free(a, p.quoteId)) return lunoError(400, 'ErrInsufficientBalance', 'Insufficient balance.');
      volume = floorTo(counter / p.ticker.ask, p.volumeScale);
      if (volume < p.minVolume) return lunoError(400, 'ErrVolumeTooLow', 'Volume is below the minimum');
    } else {
      const v = this.parseVolume(p, q.base_volume, 'base_volume');
      if (typeof v !== 'number') return v.status === 400 && q.base_volume === undefined ? lunoError(400, 'ErrInvalidBaseVolume', 'Invalid base volume for sell order.') : v;
      if (v > this.free(a, p.baseId)) return lunoError(400, 'ErrInsufficientBalance', 'Insufficient balance.');
      volume = v;
    }
    const o = this.newOrder(a, p, cid, { kind: 'market', side: buy ? 'buy' : 'sell', limitPrice: 0, limitVolume: volume, timeInForce: '' });
    this.fill(o, buy ? p.ticker.ask : p.ticker.bid, false);
    return { status: 200, body: { order_id: o.id } }; // createOrder: id = order_id
  }

  private limitOrder(a: Account, q: Record<string, string>): LunoResult {
    const p = this.validatePair(q);
    if ('status' in p) return p;
    if (q.type !== 'BID' && q.type !== 'ASK') return lunoError(400, 'ErrInvalidOrderSide', 'Order side is invalid');
    const volume = this.parseVolume(p, q.volume, 'volume');
    if (typeof volume !== 'number') return volume;
    const price = Number(q.price);
    if (q.price === undefined || !Number.isFinite(price) || price <= 0) return lunoError(400, 'ErrInvalidPrice', 'Invalid order price.');
    if (decimals(q.price) > p.priceScale) return lunoError(400, 'ErrPriceDenominationNotAllowed', 'Price contains too many decimal places');
    if (price < p.minPrice) return lunoError(400, 'ErrPriceTooLow', 'Price is below the minimum');
    if (price > p.maxPrice) return lunoError(400, 'ErrPriceTooHigh', 'Price is above the maximum');
    const tif = q.time_in_force ?? 'GTC';
    if (!['GTC', 'IOC', 'FOK'].includes(tif)) return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: time_in_force');
    const postOnly = q.post_only === 'true';
    if (postOnly && tif !== 'GTC') return lunoError(400, 'ErrPostOnlyNotAllowed', 'IOC and FOK time-in-force types are not supported as post-only orders');
    const cid = this.validateClientOrderId(a, q);
    if (typeof cid !== 'string') return cid;
    const buy = q.type === 'BID';
    const reserve = buy ? r8(volume * price) : volume;
    if (reserve > this.free(a, buy ? p.quoteId : p.baseId)) return lunoError(400, 'ErrInsufficientBalance', 'Insufficient balance.');
    const crosses = buy ? price >= p.ticker.ask : price <= p.ticker.bid;
    if (postOnly && crosses) return lunoError(400, 'ErrOrderCanceled', 'Your post-only order was cancelled before trading');
    const o = this.newOrder(a, p, cid, { kind: 'limit', side: buy ? 'buy' : 'sell', limitPrice: price, limitVolume: volume, timeInForce: tif });
    this.wallet(a, buy ? p.quoteId : p.baseId).reserved = r8(this.wallet(a, buy ? p.quoteId : p.baseId).reserved + reserve);
    if (crosses) this.fill(o, buy ? p.ticker.ask : p.ticker.bid, false);
    else if (tif !== 'GTC') this.complete(o, true);
    return { status: 200, body: { order_id: o.id } };
  }

  private stopOrder(a: Account, q: Record<string, string>): LunoResult {
    const o = this.orderList.find((x) => x.apiKey === a.apiKey && x.id === q.order_id);
    if (!o || o.state !== 'PENDING') return lunoError(400, 'ErrCannotStopUnknownOrNonPendingOrder', 'Cannot stop unknown or non-pending order.');
    this.complete(o, true);
    return { status: 200, body: { success: true } }; // cancelOrder: info only
  }

  /** Leaves the book: releases what the order still reserves; `cancel` marks it cancelled (expiration_timestamp). */
  private complete(o: Order, cancel: boolean): void {
    const a = this.account(o.apiKey);
    const p = this.host.pair(o.pair)!;
    if (o.kind === 'limit') {
      const left = r8(o.limitVolume - o.base);
      const w = this.wallet(a, o.side === 'buy' ? p.quoteId : p.baseId);
      w.reserved = r8(Math.max(0, w.reserved - (o.side === 'buy' ? left * o.limitPrice : left)));
    }
    o.state = 'COMPLETE';
    o.completed = this.host.now();
    if (cancel) {
      o.canceled = true;
      o.expiration = o.completed;
    }
  }

  /** Fills what is left of `o` at `price`; fee in the asset received. */
  private fill(o: Order, price: number, maker: boolean): void {
    const a = this.account(o.apiKey);
    const p = this.host.pair(o.pair)!;
    const qty = r8(o.limitVolume - o.base);
    const counter = r8(qty * price);
    const base = this.wallet(a, p.baseId);
    const quote = this.wallet(a, p.quoteId);
    let feeBase = 0;
    let feeCounter = 0;
    if (o.side === 'buy') {
      feeBase = r8(qty * a.feeRate);
      if (o.kind === 'limit') quote.reserved = r8(quote.reserved - qty * o.limitPrice);
      quote.balance = r8(quote.balance - counter);
      base.balance = r8(base.balance + qty - feeBase);
    } else {
      feeCounter = r8(counter * a.feeRate);
      if (o.kind === 'limit') base.reserved = r8(base.reserved - qty);
      base.balance = r8(base.balance - qty);
      quote.balance = r8(quote.balance + counter - feeCounter);
    }
    o.base = r8(o.base + qty);
    o.counter = r8(o.counter + counter);
    o.feeBase = r8(o.feeBase + feeBase);
    o.feeCounter = r8(o.feeCounter + feeCounter);
    this.trades.push({ apiKey: a.apiKey, pair: p.id, sequence: ++this.nextTrade, orderId: o.id, clientOrderId: o.clientOrderId, side: o.side, maker, price, volume: qty, counter, feeBase, feeCounter, timestamp: this.host.now() });
    this.complete(o, false);
  }

  // ---------------------------------------------------------------- internals: reads

  private balance(a: Account, q: Record<string, string>): LunoResult {
    // ?assets=XBT&assets=ZAR filters (URLSearchParams keeps the last one; one asset is enough here)
    const only = q.assets;
    const rows = [...a.balances.entries()]
      .filter(([asset]) => only === undefined || only === asset)
      // parseBalance: asset, balance (total), reserved, unconfirmed
      .map(([asset, b]) => ({ account_id: b.accountId, asset, balance: fmt(b.balance), reserved: fmt(b.reserved), unconfirmed: fmt(0), name: `${asset} Account` }));
    return { status: 200, body: { balance: rows } };
  }

  private listOrders(a: Account, q: Record<string, string>, json: (o: Order) => unknown, state: string | undefined): LunoResult {
    if (q.pair !== undefined && !this.host.pair(q.pair)) return lunoError(400, 'ErrInvalidMarketPair', 'Market pair is invalid');
    if (state !== undefined && state !== 'PENDING' && state !== 'COMPLETE') return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: state');
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return lunoError(400, 'ErrLimitOutOfRange', 'List limit is out of allowed range');
    const before = q.created_before === undefined ? Infinity : Number(q.created_before);
    const rows = this.orderList
      .filter((o) => o.apiKey === a.apiKey && (q.pair === undefined || o.pair === q.pair) && (state === undefined || o.state === state) && o.created < before)
      .slice()
      .reverse() // newest first
      .slice(0, limit)
      .map(json);
    return { status: 200, body: { orders: rows } }; // fetchOrdersByState: response.orders
  }

  private orderV3(a: Account, q: Record<string, string>): LunoResult {
    const byId = q.id !== undefined && q.id !== '';
    const byCid = q.client_order_id !== undefined && q.client_order_id !== '';
    if (byId === byCid) return lunoError(400, 'ErrInvalidArguments', 'Invalid arguments: exactly one of id and client_order_id must be provided');
    const o = this.orderList.find((x) => x.apiKey === a.apiKey && (byId ? x.id === q.id : x.clientOrderId === q.client_order_id));
    return o ? { status: 200, body: this.v2Json(o) } : lunoError(404, 'ErrOrderNotFound', 'Cannot find that order');
  }

  private listTrades(a: Account, q: Record<string, string>): LunoResult {
    const p = this.validatePair(q);
    if ('status' in p) return p;
    const since = q.since === undefined ? 0 : Number(q.since);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return lunoError(400, 'ErrLimitOutOfRange', 'List limit is out of allowed range');
    const rows = this.trades
      .filter((t) => t.apiKey === a.apiKey && t.pair === p.id && t.timestamp >= since)
      .slice(0, limit)
      // parseTrade (private): order_id, type, is_buy (taker was a buyer), price, volume, counter, fee_base/fee_counter, sequence, timestamp
      .map((t) => ({
        pair: t.pair,
        sequence: t.sequence,
        order_id: t.orderId,
        client_order_id: t.clientOrderId,
        type: t.side === 'buy' ? 'BID' : 'ASK',
        timestamp: t.timestamp,
        price: fmt(t.price),
        volume: fmt(t.volume),
        base: fmt(t.volume),
        counter: fmt(t.counter),
        fee_base: fmt(t.feeBase),
        fee_counter: fmt(t.feeCounter),
        is_buy: t.side === 'buy' ? !t.maker : t.maker,
      }));
    return { status: 200, body: { trades: rows } };
  }

  private feeInfo(a: Account, q: Record<string, string>): LunoResult {
    const p = this.validatePair(q);
    if ('status' in p) return p;
    const volume = this.trades.filter((t) => t.apiKey === a.apiKey && t.pair === p.id).reduce((s, t) => s + t.volume, 0);
    return { status: 200, body: { maker_fee: fmt(a.feeRate), taker_fee: fmt(a.feeRate), thirty_day_volume: fmt(volume) } };
  }

  /** Luno's v1 `Order` (listorders, orders/{id}); ccxt parseOrder reads every field named here. */
  private v1Json(o: Order): Record<string, unknown> {
    const limit = o.kind === 'limit';
    const json: Record<string, unknown> = {
      order_id: o.id, // id
      creation_timestamp: o.created, // timestamp
      expiration_timestamp: o.expiration,
      completed_timestamp: o.completed,
      type: o.side === 'buy' ? (limit ? 'BID' : 'BUY') : limit ? 'ASK' : 'SELL', // side
      state: o.state, // status (PENDING -> open; COMPLETE kept as is)
      limit_price: fmt(o.limitPrice), // price ('0' for market orders)
      limit_volume: fmt(o.limitVolume), // amount (market BUY: the base it bought)
      base: fmt(o.base), // filled
      counter: fmt(o.counter), // cost
      fee_base: fmt(o.feeBase), // fee (read only when fee_counter is absent)
      fee_counter: fmt(o.feeCounter), // fee {cost, currency: quote}: read first
      pair: o.pair, // symbol
    };
    if (limit) json.time_in_force = o.timeInForce;
    if (this.v1ClientOrderId) json.client_order_id = o.clientOrderId; // ccxt: only in info
    return json;
  }

  /** Luno's OrderV2 (exchange/2 and exchange/3): side, status, type LIMIT/MARKET, client_order_id. */
  private v2Json(o: Order): Record<string, unknown> {
    const a = this.account(o.apiKey);
    const p = this.host.pair(o.pair)!;
    return {
      order_id: o.id,
      client_order_id: o.clientOrderId,
      pair: o.pair,
      side: o.side === 'buy' ? 'BUY' : 'SELL',
      type: o.kind === 'limit' ? 'LIMIT' : 'MARKET',
      status: o.state,
      limit_price: fmt(o.limitPrice),
      limit_volume: fmt(o.limitVolume),
      base: fmt(o.base),
      counter: fmt(o.counter),
      fee_base: fmt(o.feeBase),
      fee_counter: fmt(o.feeCounter),
      creation_timestamp: o.created,
      completed_timestamp: o.completed,
      expiration_timestamp: o.expiration,
      base_account_id: Number(this.wallet(a, p.baseId).accountId),
      counter_account_id: Number(this.wallet(a, p.quoteId).accountId),
      time_in_force: o.kind === 'limit' ? o.timeInForce : '',
      stop_price: '0',
      stop_direction: '',
    };
  }

  private account(apiKey: string): Account {
    const a = this.accounts.get(apiKey);
    if (!a) throw new Error(`mock-luno: no account ${apiKey.slice(0, 4)}…`);
    return a;
  }

  private wallet(a: Account, asset: string): Balance {
    let b = a.balances.get(asset);
    if (!b) {
      b = { accountId: String(this.nextAccount++), balance: 0, reserved: 0 };
      a.balances.set(asset, b);
    }
    return b;
  }

  private free(a: Account, asset: string): number {
    const b = this.wallet(a, asset);
    return r8(b.balance - b.reserved);
  }
}
