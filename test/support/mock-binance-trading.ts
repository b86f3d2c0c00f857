/**
 * The spot trading account side of MockBinance (test/support/mock-binance.ts): accounts keyed by
 * API key, Binance's request signing, order placement / matching / cancel, balances, trades and
 * the user data stream events. MockBinance owns the sockets and the market data; this engine
 * owns every private byte. Wire formats are Binance's as ccxt 4.5.84 binance.js parses them
 * (parseOrder, parseTrade, parseBalanceCustom, handleErrors) and pro/binance.js (parseWsOrder).
 *
 * Signed REST requests (ccxt binance.sign):
 *   header X-MBX-APIKEY; params + timestamp + recvWindow (ccxt default 10000) urlencoded;
 *   signature = hex HMAC-SHA256(secret, totalParams) appended as `&signature=`.
 *   GET/DELETE carry everything in the query string, POST/PUT in an x-www-form-urlencoded body.
 *   Binance signs `queryString + requestBody` concatenated without a separator; so does the mock.
 * Checks, in this order, with Binance's bodies and HTTP statuses:
 *   no / malformed key  401 {-2014 "API-key format invalid."}
 *   unknown key         401 {-2015 "Invalid API-key, IP, or permissions for action."}
 *   no timestamp        400 {-1102 Mandatory parameter 'timestamp' ...}
 *   no signature        400 {-1102 Mandatory parameter 'signature' ...}
 *   recvWindow > 60000  400 {-1131}
 *   bad signature       400 {-1022 "Signature for this request is not valid."}
 *   stale / future ts   400 {-1021}: accepted iff timestamp < now()+1000 and now()-timestamp <= recvWindow (default 5000)
 *
 * Modelling choices (deliberate, documented so tests can rely on them):
 *   - newClientOrderId is unique among the account's OPEN orders, exactly as Binance documents it
 *     ("Arbitrary unique ID among open orders"): a second order with the id of an order that is
 *     still NEW / PARTIALLY_FILLED is rejected with -2010 "Duplicate order sent.", but the id of a
 *     FILLED / CANCELED / EXPIRED order can be used again. A stricter exchange that rejects any
 *     reuse is available per account (option duplicateClientOrderIds: 'all').
 *   - Market orders walk the order book last given to setOrderBook (bids/asks), or, for a symbol
 *     whose book was never set, fill everything at the ticker's ask (buys) / bid (sells).
 *     Fills do not consume the book: it is a liquidity snapshot the test controls.
 *   - A LIMIT order that is marketable on arrival takes liquidity the same way, capped at its price;
 *     the rest rests. A resting order fills in full, at its limit price, as maker, when setTicker
 *     brings ask or last to/below a buy's price (bid or last to/above a sell's). fillOrder() makes
 *     partial fills by hand.
 *   - Commission (default 0.1%, per account) is charged in the asset received.
 *   - Supported types: MARKET (quantity or quoteOrderQty), LIMIT (GTC/IOC/FOK), LIMIT_MAKER, and
 *     SELL STOP_LOSS (a stop-market: quantity + stopPrice; the quantity is locked while it waits;
 *     a stopPrice at or above the last price is refused with -2010 "Stop price would trigger
 *     immediately."; when setTicker brings last to/below stopPrice it executes as a market sell
 *     walking the bids, as taker). STOP_LOSS_LIMIT, TAKE_PROFIT(_LIMIT) and buy stops answer
 *     -1014 "Unsupported order combination." (valid on Binance, not modelled).
 *     Filters enforced: PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE (max 100), NOTIONAL (min/max).
 *     Not enforced: PERCENT_PRICE_BY_SIDE, MAX_NUM_ORDERS, rate limits, listenKey expiry.
 */
import crypto from 'node:crypto';

/** What the engine needs from the market side; MockBinance's symbol state satisfies it structurally. */
export interface TradingSymbol {
  id: string;
  base: string;
  quote: string;
  tickSize: number;
  stepSize: number;
  minQty: number;
  minNotional: number;
  ticker: { bid: number; ask: number; last: number };
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** true once the test called setOrderBook for the symbol (then market orders walk the book). */
  bookSet: boolean;
}

export interface TradingHost {
  /** The mock's (settable) clock. */
  now(): number;
  symbol(id: string): TradingSymbol | undefined;
  symbols(): TradingSymbol[];
  /** Delivers a user data stream event (executionReport, outboundAccountPosition) of `apiKey`'s account. */
  userEvent(apiKey: string, event: Record<string, unknown>): void;
}

export type DuplicateClientOrderIds = 'open' | 'all';

export interface MockAccountOptions {
  /** Commission rate for maker and taker fills, default 0.001 (0.1%). */
  feeRate?: number;
  /** Which earlier orders make a newClientOrderId a duplicate: 'open' (Binance, default) or 'all'. */
  duplicateClientOrderIds?: DuplicateClientOrderIds;
}

export type MockOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
export type MockOrderType = 'MARKET' | 'LIMIT' | 'LIMIT_MAKER' | 'STOP_LOSS';

export interface MockFill {
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  tradeId: number;
  isMaker: boolean;
}

/** An order as the tests observe it (a copy). */
export interface MockOrder {
  apiKey: string;
  /** Binance id, e.g. BTCUSDT */
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  type: MockOrderType;
  timeInForce: string;
  /** 0 for market orders */
  price: number;
  /** 0 for a quoteOrderQty market order */
  origQty: number;
  /** STOP_LOSS: the trigger price; 0 for other types */
  stopPrice: number;
  /** false for a STOP_LOSS order until its stop price is reached (Binance's isWorking) */
  isWorking: boolean;
  origQuoteOrderQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: MockOrderStatus;
  time: number;
  updateTime: number;
  fills: MockFill[];
}

export interface MockTrade {
  apiKey: string;
  symbol: string;
  id: number;
  orderId: number;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface MockTradingStats {
  /** POST /api/v3/order requests received, whatever became of them (faulted, rejected, accepted). */
  createRequests: number;
  /** Orders that exist because of them. createRequests - ordersCreated = rejected + faulted ones. */
  ordersCreated: number;
  /** Create requests answered with an error body (filters, balance, duplicate, auth...). */
  createRejected: number;
  /** DELETE /api/v3/order requests received. */
  cancelRequests: number;
}

export interface PrivateRequest {
  method: string;
  path: string;
  /** raw query string without '?', as received */
  rawQuery: string;
  /** raw request body, as received */
  rawBody: string;
  /** X-MBX-APIKEY header */
  apiKey: string | undefined;
}

export interface TradingResult {
  status: number;
  body: unknown;
}

interface Balance {
  free: number;
  locked: number;
}

interface OrderState extends MockOrder {
  /** funds still held for this order: quote (buys) or base (sells) */
  held: number;
  /** newClientOrderId of the cancel request, reported as clientOrderId / `c` once canceled */
  cancelClientOrderId?: string;
}

interface Account {
  apiKey: string;
  secret: string;
  balances: Map<string, Balance>;
  feeRate: number;
  duplicateClientOrderIds: DuplicateClientOrderIds;
  orders: OrderState[];
  trades: MockTrade[];
  stats: MockTradingStats;
  listenKey?: string;
}

type Params = Map<string, string>;

/** Binance prints spot decimals as fixed 8-place strings. */
function fmt(n: number): string {
  return n.toFixed(8);
}

/** Balances and amounts are kept rounded to Binance's 8 decimals. */
function r8(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}

function decimalsOf(step: number): number {
  const s = step.toFixed(12).replace(/0+$/, '');
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function floorToStep(value: number, step: number): number {
  if (!Number.isFinite(value)) return value;
  return Number((Math.floor(value / step + 1e-9) * step).toFixed(decimalsOf(step)));
}

/** (value - min) is a whole number of steps, the way Binance's LOT_SIZE / PRICE_FILTER check it. */
function onStep(value: number, min: number, step: number): boolean {
  const k = (value - min) / step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}

function err(status: number, code: number, msg: string): TradingResult {
  return { status, body: { code, msg } };
}

const bad = (code: number, msg: string) => err(400, code, msg);
const mandatory = (name: string) => bad(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
const notRequired = (name: string) => bad(-1106, `Parameter '${name}' sent when not required.`);
const illegal = (name: string) =>
  bad(-1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
const filterFailure = (filter: string) => bad(-1013, `Filter failure: ${filter}`);
const INVALID_SYMBOL = bad(-1121, 'Invalid symbol.');
const INSUFFICIENT = bad(-2010, 'Account has insufficient balance for requested action.');
const DUPLICATE = bad(-2010, 'Duplicate order sent.');
const WOULD_TAKE = bad(-2010, 'Order would immediately match and take.');
const UNKNOWN_ORDER = bad(-2011, 'Unknown order sent.');
const NO_SUCH_ORDER = bad(-2013, 'Order does not exist.');
const KEY_FORMAT = err(401, -2014, 'API-key format invalid.');
const KEY_REJECTED = err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
const BAD_SIGNATURE = bad(-1022, 'Signature for this request is not valid.');
const NO_LISTEN_KEY = bad(-1125, 'This listenKey does not exist.');
const ORDER_ID_OR_CLIENT_ID = bad(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");

/** Binance's newClientOrderId rule. */
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const MAX_QTY = 9000; // LOT_SIZE.maxQty in the mock's exchangeInfo
const MARKET_MAX_QTY = 100; // MARKET_LOT_SIZE.maxQty
const MAX_PRICE = 1_000_000; // PRICE_FILTER.maxPrice
const MAX_NOTIONAL = 9_000_000; // NOTIONAL.maxNotional (not applied to market orders)
const DAY = 86_400_000;

function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

function isOpen(o: { status: MockOrderStatus }): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

function hmacHex(secret: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('hex');
}

/** Drops the `signature=` pair from a raw urlencoded string, keeping everything else byte for byte. */
function withoutSignature(raw: string): string {
  return raw
    .split('&')
    .filter((pair) => pair !== '' && !pair.startsWith('signature='))
    .join('&');
}

function copyOrder(o: OrderState): MockOrder {
  const { held: _held, cancelClientOrderId: _c, ...view } = o;
  return { ...view, fills: o.fills.map((f) => ({ ...f })) };
}

export class MockTradingEngine {
  private readonly accounts = new Map<string, Account>();
  private readonly listenKeys = new Map<string, string>(); // listenKey -> apiKey
  private nextOrderId = 5_000_000;
  private nextTradeId = 900_000;
  private defaultFeeRate = 0.001;

  constructor(private readonly host: TradingHost) {}

  // ---------------------------------------------------------------- accounts

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts: MockAccountOptions = {}): void {
    if (!/^[A-Za-z0-9]+$/.test(apiKey)) throw new Error(`mock-binance: API keys are alphanumeric (got ${JSON.stringify(apiKey)})`);
    if (this.accounts.has(apiKey)) throw new Error(`mock-binance: account ${apiKey} already exists`);
    const account: Account = {
      apiKey,
      secret,
      balances: new Map(),
      feeRate: opts.feeRate ?? this.defaultFeeRate,
      duplicateClientOrderIds: opts.duplicateClientOrderIds ?? 'open',
      orders: [],
      trades: [],
      stats: { createRequests: 0, ordersCreated: 0, createRejected: 0, cancelRequests: 0 },
    };
    for (const [asset, free] of Object.entries(balances)) account.balances.set(asset.toUpperCase(), { free: r8(free), locked: 0 });
    this.accounts.set(apiKey, account);
  }

  hasAccount(apiKey: string | undefined): boolean {
    return apiKey !== undefined && this.accounts.has(apiKey);
  }

  setBalance(apiKey: string, asset: string, free: number): void {
    const b = this.balance(this.account(apiKey), asset.toUpperCase());
    b.free = r8(free);
  }

  /** Fee rate of one account, or the default for accounts added later and every existing one. */
  setFeeRate(rate: number, apiKey?: string): void {
    if (apiKey !== undefined) {
      this.account(apiKey).feeRate = rate;
      return;
    }
    this.defaultFeeRate = rate;
    for (const a of this.accounts.values()) a.feeRate = rate;
  }

  setDuplicateClientOrderIds(scope: DuplicateClientOrderIds, apiKey?: string): void {
    for (const a of apiKey !== undefined ? [this.account(apiKey)] : this.accounts.values()) a.duplicateClientOrderIds = scope;
  }

  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    const out: Record<string, { free: number; locked: number }> = {};
    for (const [asset, b] of this.account(apiKey).balances) out[asset] = { free: b.free, locked: b.locked };
    return out;
  }

  orders(apiKey?: string): MockOrder[] {
    const list = apiKey !== undefined ? this.account(apiKey).orders : [...this.accounts.values()].flatMap((a) => a.orders);
    return list
      .slice()
      .sort((x, y) => x.orderId - y.orderId)
      .map(copyOrder);
  }

  /** The order with this orderId, or the latest with this clientOrderId. */
  findOrder(apiKey: string, ref: { orderId?: number; clientOrderId?: string }): MockOrder | undefined {
    const o = this.lookup(this.account(apiKey), undefined, ref.orderId, ref.clientOrderId);
    return o && copyOrder(o);
  }

  trades(apiKey?: string): MockTrade[] {
    const list = apiKey !== undefined ? this.account(apiKey).trades : [...this.accounts.values()].flatMap((a) => a.trades);
    return list
      .slice()
      .sort((x, y) => x.id - y.id)
      .map((t) => ({ ...t }));
  }

  stats(apiKey?: string): MockTradingStats {
    const list = apiKey !== undefined ? [this.account(apiKey)] : [...this.accounts.values()];
    const total: MockTradingStats = { createRequests: 0, ordersCreated: 0, createRejected: 0, cancelRequests: 0 };
    for (const a of list) {
      total.createRequests += a.stats.createRequests;
      total.ordersCreated += a.stats.ordersCreated;
      total.createRejected += a.stats.createRejected;
      total.cancelRequests += a.stats.cancelRequests;
    }
    return total;
  }

  /** Counted on arrival, before faults, so tests see attempts that never got an answer too. */
  noteRequest(method: string, path: string, apiKey: string | undefined): void {
    const a = apiKey !== undefined ? this.accounts.get(apiKey) : undefined;
    if (!a || path !== '/api/v3/order') return;
    if (method === 'POST') a.stats.createRequests++;
    if (method === 'DELETE') a.stats.cancelRequests++;
  }

  /** apiKey of the account a listenKey belongs to. */
  listenKeyOwner(listenKey: string): string | undefined {
    return this.listenKeys.get(listenKey);
  }

  // ---------------------------------------------------------------- market hooks

  /** Called after setTicker: resting limit orders the new prices cross fill in full at their price. */
  onTicker(symbolId: string): void {
    const s = this.host.symbol(symbolId);
    if (!s) return;
    const { bid, ask, last } = s.ticker;
    const resting = [...this.accounts.values()]
      .flatMap((a) => a.orders.filter((o) => o.symbol === symbolId && isOpen(o) && o.type !== 'MARKET').map((o) => ({ a, o })))
      .sort((x, y) => x.o.orderId - y.o.orderId);
    for (const { a, o } of resting) {
      if (o.type === 'STOP_LOSS') {
        if (last > 0 && last <= o.stopPrice) this.triggerStop(a, o, s);
        continue;
      }
      const crossed =
        o.side === 'BUY' ? (ask > 0 && ask <= o.price) || (last > 0 && last <= o.price) : (bid > 0 && bid >= o.price) || (last > 0 && last >= o.price);
      if (!crossed) continue;
      this.fillResting(a, o, s, r8(o.origQty - o.executedQty), o.price);
    }
  }

  /**
   * Fills (part of) a resting LIMIT order by hand, as maker, at its limit price unless `price` is
   * given. qty defaults to everything that is left. Throws if the order is not open.
   */
  fillOrder(apiKey: string, ref: { orderId?: number; clientOrderId?: string }, qty?: number, price?: number): MockOrder {
    const a = this.account(apiKey);
    const o = this.lookup(a, undefined, ref.orderId, ref.clientOrderId);
    if (!o || !isOpen(o) || o.type === 'MARKET' || o.type === 'STOP_LOSS') throw new Error(`mock-binance: no open limit order ${JSON.stringify(ref)}`);
    const s = this.host.symbol(o.symbol)!;
    const left = r8(o.origQty - o.executedQty);
    const amount = qty === undefined ? left : Math.min(left, floorToStep(qty, s.stepSize));
    if (amount <= 0) throw new Error('mock-binance: nothing to fill');
    this.fillResting(a, o, s, amount, price ?? o.price);
    return copyOrder(o);
  }

  /**
   * An order placed on the account by someone else (the exchange's website, another program): the
   * same matching engine and executionReports, but no HTTP request, so it is not counted in the
   * account's stats (createRequests counts what the bot sent). `params` as Binance's POST
   * /api/v3/order takes them; newClientOrderId defaults to a web_ id. Throws on a refusal.
   */
  placeOutsideBot(apiKey: string, params: Record<string, string>): any {
    const p: Params = new Map(Object.entries({ newClientOrderId: `web_${randomId(20)}`, ...params }));
    const result = this.newOrder(this.account(apiKey), p, false);
    if (result.status !== 200) throw new Error(`mock-binance: order outside the bot refused: ${JSON.stringify(result.body)}`);
    return result.body;
  }

  // ---------------------------------------------------------------- HTTP

  /** The private paths this engine answers (others are MockBinance's public ones or 404). */
  static readonly PATHS = new Set([
    '/api/v3/account',
    '/api/v3/order',
    '/api/v3/order/test',
    '/api/v3/openOrders',
    '/api/v3/allOrders',
    '/api/v3/myTrades',
    '/api/v3/userDataStream',
  ]);

  /** undefined = this path/method is not served (404). */
  handle(req: PrivateRequest): TradingResult | undefined {
    const route = `${req.method} ${req.path}`;
    if (req.path === '/api/v3/userDataStream') {
      if (!['POST', 'PUT', 'DELETE'].includes(req.method)) return undefined;
      return this.userDataStream(req);
    }
    const known = [
      'GET /api/v3/account',
      'POST /api/v3/order',
      'POST /api/v3/order/test',
      'GET /api/v3/order',
      'DELETE /api/v3/order',
      'GET /api/v3/openOrders',
      'DELETE /api/v3/openOrders',
      'GET /api/v3/allOrders',
      'GET /api/v3/myTrades',
    ];
    if (!known.includes(route)) return undefined;
    const auth = this.verifySigned(req);
    if ('error' in auth) {
      if (route === 'POST /api/v3/order') this.rejected(req.apiKey);
      return auth.error;
    }
    const { account: a, params: p } = auth;
    switch (route) {
      case 'GET /api/v3/account':
        return this.accountInfo(a, p);
      case 'POST /api/v3/order': {
        const result = this.newOrder(a, p, false);
        if (result.status !== 200) a.stats.createRejected++;
        return result;
      }
      case 'POST /api/v3/order/test':
        return this.newOrder(a, p, true);
      case 'GET /api/v3/order':
        return this.queryOrder(a, p);
      case 'DELETE /api/v3/order':
        return this.cancelOrder(a, p);
      case 'GET /api/v3/openOrders':
        return this.openOrders(a, p);
      case 'DELETE /api/v3/openOrders':
        return this.cancelAll(a, p);
      case 'GET /api/v3/allOrders':
        return this.allOrders(a, p);
      case 'GET /api/v3/myTrades':
        return this.myTrades(a, p);
      default:
        return undefined;
    }
  }

  /**
   * For signed endpoints the mock serves leniently for market-data tests (sapi capital/config):
   * a request naming a registered API key must be signed correctly; any other is let through.
   */
  verifyIfRegistered(req: PrivateRequest): TradingResult | undefined {
    if (!this.hasAccount(req.apiKey)) return undefined;
    const auth = this.verifySigned(req);
    return 'error' in auth ? auth.error : undefined;
  }

  /**
   * Binance's WebSocket API signature check (ccxt pro binance.signParams): params apiKey,
   * timestamp, [recvWindow], signature = HMAC of the other params sorted by key as `k=v&...`.
   */
  verifyWsParams(params: Record<string, unknown>): { apiKey: string } | { status: number; error: { code: number; msg: string } } {
    const fail = (r: TradingResult) => ({ status: r.status, error: r.body as { code: number; msg: string } });
    const apiKey = typeof params.apiKey === 'string' ? params.apiKey : undefined;
    if (!apiKey || !/^[A-Za-z0-9]+$/.test(apiKey)) return fail(KEY_FORMAT);
    const a = this.accounts.get(apiKey);
    if (!a) return fail(KEY_REJECTED);
    const flat = new Map<string, string>();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) flat.set(k, String(v));
    const payload = [...flat.keys()]
      .filter((k) => k !== 'signature')
      .sort()
      .map((k) => `${k}=${flat.get(k)}`)
      .join('&');
    const checked = this.checkSignatureAndTime(a, flat, payload);
    return checked ? fail(checked) : { apiKey };
  }

  // ---------------------------------------------------------------- internals: auth

  private verifySigned(req: PrivateRequest): { account: Account; params: Params } | { error: TradingResult } {
    const key = req.apiKey;
    if (!key || !/^[A-Za-z0-9]+$/.test(key)) return { error: KEY_FORMAT };
    const a = this.accounts.get(key);
    if (!a) return { error: KEY_REJECTED };
    const params = this.params(req);
    const payload = withoutSignature(req.rawQuery) + withoutSignature(req.rawBody);
    const failure = this.checkSignatureAndTime(a, params, payload);
    return failure ? { error: failure } : { account: a, params };
  }

  private checkSignatureAndTime(a: Account, params: Params, payload: string): TradingResult | undefined {
    const tsRaw = params.get('timestamp');
    if (!tsRaw) return mandatory('timestamp');
    const signature = params.get('signature');
    if (!signature) return mandatory('signature');
    let ts = Number(tsRaw);
    if (!Number.isFinite(ts)) return bad(-1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.");
    if (ts > 1e14) ts = ts / 1000; // microseconds
    const recvWindow = params.has('recvWindow') ? Number(params.get('recvWindow')) : 5000;
    if (!Number.isFinite(recvWindow) || recvWindow < 0) return bad(-1100, "Illegal characters found in parameter 'recvWindow'.");
    if (recvWindow > 60000) return bad(-1131, 'recvWindow must be less than 60000');
    const expected = hmacHex(a.secret, payload);
    const given = signature.toLowerCase();
    if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return BAD_SIGNATURE;
    const now = this.host.now();
    if (ts >= now + 1000) return bad(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now - ts > recvWindow) return bad(-1021, 'Timestamp for this request is outside of the recvWindow.');
    return undefined;
  }

  /** Query and body params; the query string wins a name both carry (Binance's rule). */
  private params(req: PrivateRequest): Params {
    const out: Params = new Map();
    for (const [k, v] of new URLSearchParams(req.rawBody)) out.set(k, v);
    for (const [k, v] of new URLSearchParams(req.rawQuery)) out.set(k, v);
    return out;
  }

  private rejected(apiKey: string | undefined): void {
    const a = apiKey !== undefined ? this.accounts.get(apiKey) : undefined;
    if (a) a.stats.createRejected++;
  }

  /** POST/PUT/DELETE /api/v3/userDataStream: API key only, no signature (ccxt sign() special case). */
  private userDataStream(req: PrivateRequest): TradingResult {
    const key = req.apiKey;
    if (!key || !/^[A-Za-z0-9]+$/.test(key)) return KEY_FORMAT;
    const a = this.accounts.get(key);
    if (!a) return KEY_REJECTED;
    const p = this.params(req);
    if (req.method === 'POST') {
      // One listenKey per account: an active one is returned again (and extended) on Binance.
      if (!a.listenKey) {
        a.listenKey = randomId(60);
        this.listenKeys.set(a.listenKey, a.apiKey);
      }
      return { status: 200, body: { listenKey: a.listenKey } };
    }
    const listenKey = p.get('listenKey');
    if (!listenKey) return mandatory('listenKey');
    if (this.listenKeys.get(listenKey) !== a.apiKey) return NO_LISTEN_KEY;
    if (req.method === 'DELETE') {
      this.listenKeys.delete(listenKey);
      a.listenKey = undefined;
    }
    return { status: 200, body: {} };
  }

  // ---------------------------------------------------------------- internals: endpoints

  /** GET /api/v3/account; ccxt fetchBalance -> parseBalanceCustom reads balances[].asset/free/locked, updateTime. */
  private accountInfo(a: Account, p: Params): TradingResult {
    const assets = new Set<string>();
    for (const s of this.host.symbols()) {
      assets.add(s.base);
      assets.add(s.quote);
    }
    for (const asset of a.balances.keys()) assets.add(asset);
    const omitZero = p.get('omitZeroBalances') === 'true';
    const balances = [...assets]
      .sort()
      .map((asset) => ({ asset, b: a.balances.get(asset) ?? { free: 0, locked: 0 } }))
      .filter(({ b }) => !omitZero || b.free > 0 || b.locked > 0)
      .map(({ asset, b }) => ({ asset, free: fmt(b.free), locked: fmt(b.locked) }));
    const bips = Math.round(a.feeRate * 10_000);
    return {
      status: 200,
      body: {
        makerCommission: bips,
        takerCommission: bips,
        buyerCommission: 0,
        sellerCommission: 0,
        commissionRates: { maker: fmt(a.feeRate), taker: fmt(a.feeRate), buyer: fmt(0), seller: fmt(0) },
        canTrade: true,
        canWithdraw: true,
        canDeposit: true,
        brokered: false,
        requireSelfTradePrevention: false,
        preventSor: false,
        updateTime: this.host.now(),
        accountType: 'SPOT',
        balances,
        permissions: ['SPOT'],
        uid: 100_000_000 + this.accountIndex(a),
      },
    };
  }

  private newOrder(a: Account, p: Params, test: boolean): TradingResult {
    const symbolId = p.get('symbol');
    if (!symbolId) return mandatory('symbol');
    const s = this.host.symbol(symbolId);
    if (!s) return INVALID_SYMBOL;
    const side = p.get('side');
    if (!side) return mandatory('side');
    if (side !== 'BUY' && side !== 'SELL') return bad(-1117, 'Invalid side.');
    const type = p.get('type');
    if (!type) return mandatory('type');
    if (type === 'STOP_LOSS' && side === 'BUY') return bad(-1014, 'Unsupported order combination.'); // valid on Binance, not modelled
    if (!['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS'].includes(type)) {
      const binanceTypes = ['STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
      // Valid on Binance, not modelled here.
      return binanceTypes.includes(type) ? bad(-1014, 'Unsupported order combination.') : bad(-1116, 'Invalid orderType.');
    }
    const num = (name: string): number | undefined | null => {
      const raw = p.get(name);
      if (raw === undefined || raw === '') return undefined;
      if (!/^([0-9]{1,20})(\.[0-9]{1,20})?$/.test(raw)) return null;
      return Number(raw);
    };
    const quantity = num('quantity');
    const quoteOrderQty = num('quoteOrderQty');
    const price = num('price');
    const stopPrice = num('stopPrice');
    if (stopPrice === null) return illegal('stopPrice');
    if (quantity === null) return illegal('quantity');
    if (quoteOrderQty === null) return illegal('quoteOrderQty');
    if (price === null) return illegal('price');
    const tif = p.get('timeInForce');
    const clientOrderId = p.get('newClientOrderId') ?? randomId(22);
    if (!CLIENT_ORDER_ID.test(clientOrderId)) {
      return bad(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    }
    const respType = p.get('newOrderRespType') ?? 'FULL';
    if (!['ACK', 'RESULT', 'FULL'].includes(respType)) return bad(-1100, "Illegal characters found in parameter 'newOrderRespType'.");

    // Parameter combinations per type (Binance's "Additional mandatory parameters based on type").
    if (type === 'MARKET') {
      if (quantity === undefined && quoteOrderQty === undefined) {
        return bad(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
      }
      if (quantity !== undefined && quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
      if (price !== undefined) return notRequired('price');
      if (tif !== undefined) return notRequired('timeInForce');
    } else if (type === 'STOP_LOSS') {
      if (quantity === undefined) return mandatory('quantity');
      if (stopPrice === undefined) return mandatory('stopPrice');
      if (price !== undefined) return notRequired('price');
      if (tif !== undefined) return notRequired('timeInForce');
      if (quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
    } else {
      if (type === 'LIMIT' && tif === undefined) return mandatory('timeInForce');
      if (type === 'LIMIT_MAKER' && tif !== undefined) return notRequired('timeInForce');
      if (quantity === undefined) return mandatory('quantity');
      if (price === undefined) return mandatory('price');
      if (quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
      if (tif !== undefined && !['GTC', 'IOC', 'FOK'].includes(tif)) return bad(-1115, 'Invalid timeInForce.');
    }

    // Filters (exchangeInfo of the mock: PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL).
    if (stopPrice !== undefined) {
      if (type !== 'STOP_LOSS') return notRequired('stopPrice');
      if (stopPrice < s.tickSize || stopPrice > MAX_PRICE || !onStep(stopPrice, s.tickSize, s.tickSize)) return filterFailure('PRICE_FILTER');
    }
    if (price !== undefined) {
      if (price < s.tickSize || price > MAX_PRICE || !onStep(price, s.tickSize, s.tickSize)) return filterFailure('PRICE_FILTER');
    }
    if (quantity !== undefined) {
      if (quantity < s.minQty || quantity > MAX_QTY || !onStep(quantity, s.minQty, s.stepSize)) return filterFailure('LOT_SIZE');
      if (type === 'MARKET' && quantity > MARKET_MAX_QTY) return filterFailure('MARKET_LOT_SIZE');
    }
    if (quoteOrderQty !== undefined && quoteOrderQty <= 0) return illegal('quoteOrderQty');
    const notional =
      type === 'MARKET'
        ? quoteOrderQty !== undefined
          ? quoteOrderQty
          : quantity! * s.ticker.last
        : quantity! * (type === 'STOP_LOSS' ? stopPrice! : price!);
    if (notional < s.minNotional || (type !== 'MARKET' && notional > MAX_NOTIONAL)) return filterFailure('NOTIONAL');

    if (type === 'STOP_LOSS' && s.ticker.last > 0 && stopPrice! >= s.ticker.last) return bad(-2010, 'Stop price would trigger immediately.');
    if (test) return { status: 200, body: {} };

    // The matching engine: duplicates, funds, execution.
    const dup = a.orders.some((o) => o.clientOrderId === clientOrderId && (a.duplicateClientOrderIds === 'all' || isOpen(o)));
    if (dup) return DUPLICATE;

    const buy = side === 'BUY';
    const quote = this.balance(a, s.quote);
    const base = this.balance(a, s.base);
    const now = this.host.now();
    const order: OrderState = {
      apiKey: a.apiKey,
      symbol: s.id,
      orderId: ++this.nextOrderId,
      clientOrderId,
      side,
      type: type as MockOrderType,
      timeInForce: type === 'MARKET' || type === 'LIMIT_MAKER' ? 'GTC' : tif!,
      price: type === 'MARKET' || type === 'STOP_LOSS' ? 0 : price!,
      origQty: quantity ?? 0,
      stopPrice: stopPrice ?? 0,
      isWorking: type !== 'STOP_LOSS',
      origQuoteOrderQty: quoteOrderQty ?? 0,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      time: now,
      updateTime: now,
      fills: [],
      held: 0,
    };

    let plan: Match;
    let finalStatus: MockOrderStatus;
    if (type === 'MARKET') {
      plan = this.match(s, buy, undefined, quantity, quoteOrderQty);
      const cost = plan.fills.reduce((sum, f) => sum + f.price * f.qty, 0);
      const sold = plan.fills.reduce((sum, f) => sum + f.qty, 0);
      if (buy && r8(cost) > quote.free + 1e-9) return INSUFFICIENT;
      if (buy && quoteOrderQty !== undefined && quoteOrderQty > quote.free + 1e-9) return INSUFFICIENT;
      if (!buy && quantity !== undefined && quantity > base.free + 1e-9) return INSUFFICIENT;
      if (!buy && r8(sold) > base.free + 1e-9) return INSUFFICIENT;
      finalStatus = plan.complete ? 'FILLED' : 'EXPIRED';
    } else if (type === 'STOP_LOSS') {
      // waits for its stop price with the quantity locked
      if (quantity! > base.free + 1e-9) return INSUFFICIENT;
      base.free = r8(base.free - quantity!);
      base.locked = r8(base.locked + quantity!);
      order.held = quantity!;
      plan = { fills: [], complete: false };
      finalStatus = 'NEW';
    } else {
      const hold = buy ? r8(price! * quantity!) : quantity!;
      if (hold > (buy ? quote.free : base.free) + 1e-9) return INSUFFICIENT;
      plan = this.match(s, buy, price!, quantity, undefined);
      if (type === 'LIMIT_MAKER' && plan.fills.length > 0) return WOULD_TAKE;
      if (tif === 'FOK' && !plan.complete) plan = { fills: [], complete: false };
      // hold the funds of a limit order for as long as it lives
      const wallet = buy ? quote : base;
      wallet.free = r8(wallet.free - hold);
      wallet.locked = r8(wallet.locked + hold);
      order.held = hold;
      const filled = r8(plan.fills.reduce((sum, f) => sum + f.qty, 0));
      finalStatus = filled >= quantity! - 1e-12 ? 'FILLED' : tif === 'IOC' || tif === 'FOK' ? 'EXPIRED' : filled > 0 ? 'PARTIALLY_FILLED' : 'NEW';
    }

    a.orders.push(order);
    a.stats.ordersCreated++;
    this.report(a, order, 'NEW');
    plan.fills.forEach((f, i) => {
      const last = i === plan.fills.length - 1;
      order.status = last && finalStatus !== 'EXPIRED' ? finalStatus : 'PARTIALLY_FILLED';
      this.applyFill(a, order, s, f.price, f.qty, false);
    });
    if (finalStatus === 'EXPIRED') {
      order.status = 'EXPIRED';
      this.release(a, order, s);
      this.report(a, order, 'EXPIRED');
    } else {
      order.status = finalStatus;
      if (finalStatus === 'FILLED') this.release(a, order, s);
    }
    this.accountPosition(a, s);

    const ack = { symbol: s.id, orderId: order.orderId, orderListId: -1, clientOrderId, transactTime: order.time };
    if (respType === 'ACK') return { status: 200, body: ack };
    const result = { ...ack, ...this.resultFields(order), workingTime: order.time, selfTradePreventionMode: 'NONE' };
    if (respType === 'RESULT') return { status: 200, body: result };
    return {
      status: 200,
      body: {
        ...result,
        // parseOrder -> trades -> parseTrade: price, qty, commission, commissionAsset, tradeId
        fills: order.fills.map((f) => ({
          price: fmt(f.price),
          qty: fmt(f.qty),
          commission: fmt(f.commission),
          commissionAsset: f.commissionAsset,
          tradeId: f.tradeId,
        })),
      },
    };
  }

  /** GET /api/v3/order by orderId or origClientOrderId. */
  private queryOrder(a: Account, p: Params): TradingResult {
    const symbolId = p.get('symbol');
    if (!symbolId) return mandatory('symbol');
    if (!this.host.symbol(symbolId)) return INVALID_SYMBOL;
    const orderId = p.get('orderId');
    const clientId = p.get('origClientOrderId');
    if (orderId === undefined && clientId === undefined) return ORDER_ID_OR_CLIENT_ID;
    const o = this.lookup(a, symbolId, orderId !== undefined ? Number(orderId) : undefined, clientId);
    return o ? { status: 200, body: this.queryView(o) } : NO_SUCH_ORDER;
  }

  /** DELETE /api/v3/order; -2011 when unknown or no longer open. */
  private cancelOrder(a: Account, p: Params): TradingResult {
    const symbolId = p.get('symbol');
    if (!symbolId) return mandatory('symbol');
    const s = this.host.symbol(symbolId);
    if (!s) return INVALID_SYMBOL;
    const orderId = p.get('orderId');
    const clientId = p.get('origClientOrderId');
    if (orderId === undefined && clientId === undefined) return ORDER_ID_OR_CLIENT_ID;
    const id = orderId !== undefined ? Number(orderId) : undefined;
    // by client id: the open order carrying it, if any (ids are unique among open orders)
    const o =
      (clientId !== undefined && id === undefined
        ? a.orders.find((x) => x.symbol === symbolId && x.clientOrderId === clientId && isOpen(x))
        : undefined) ?? this.lookup(a, symbolId, id, clientId);
    if (!o || !isOpen(o)) return UNKNOWN_ORDER;
    return { status: 200, body: this.cancel(a, o, s, p.get('newClientOrderId')) };
  }

  /** DELETE /api/v3/openOrders?symbol= (ccxt cancelAllOrders). */
  private cancelAll(a: Account, p: Params): TradingResult {
    const symbolId = p.get('symbol');
    if (!symbolId) return mandatory('symbol');
    const s = this.host.symbol(symbolId);
    if (!s) return INVALID_SYMBOL;
    const open = a.orders.filter((o) => o.symbol === symbolId && isOpen(o));
    if (open.length === 0) return bad(-2011, 'Unknown order sent.');
    return { status: 200, body: open.map((o) => this.cancel(a, o, s, undefined)) };
  }

  private openOrders(a: Account, p: Params): TradingResult {
    const symbolId = p.get('symbol');
    if (symbolId !== undefined && !this.host.symbol(symbolId)) return INVALID_SYMBOL;
    const list = a.orders
      .filter((o) => isOpen(o) && (symbolId === undefined || o.symbol === symbolId))
      .sort((x, y) => x.orderId - y.orderId);
    return { status: 200, body: list.map((o) => this.queryView(o)) };
  }

  /** GET /api/v3/allOrders: orderId >= / [startTime, endTime] / most recent, ascending, limit 500 (max 1000). */
  private allOrders(a: Account, p: Params): TradingResult {
    const symbolId = p.get('symbol');
    if (!symbolId) return mandatory('symbol');
    if (!this.host.symbol(symbolId)) return INVALID_SYMBOL;
    const window = this.window(p);
    if ('error' in window) return window.error;
    const list = a.orders.filter((o) => o.symbol === symbolId).sort((x, y) => x.orderId - y.orderId);
    const fromId = p.get('orderId');
    const picked = this.pick(list, (o) => o.orderId, (o) => o.time, fromId, window);
    return { status: 200, body: picked.map((o) => this.queryView(o)) };
  }

  /** GET /api/v3/myTrades: ccxt fetchMyTrades -> parseTrade (isBuyer, isMaker, commission...). */
  private myTrades(a: Account, p: Params): TradingResult {
    const symbolId = p.get('symbol');
    if (!symbolId) return mandatory('symbol');
    if (!this.host.symbol(symbolId)) return INVALID_SYMBOL;
    const window = this.window(p);
    if ('error' in window) return window.error;
    let list = a.trades.filter((t) => t.symbol === symbolId).sort((x, y) => x.id - y.id);
    const orderId = p.get('orderId');
    if (orderId !== undefined) list = list.filter((t) => t.orderId === Number(orderId));
    const picked = this.pick(list, (t) => t.id, (t) => t.time, p.get('fromId'), window);
    return {
      status: 200,
      body: picked.map((t) => ({
        symbol: t.symbol,
        id: t.id,
        orderId: t.orderId,
        orderListId: -1,
        price: fmt(t.price),
        qty: fmt(t.qty),
        quoteQty: fmt(t.quoteQty),
        commission: fmt(t.commission),
        commissionAsset: t.commissionAsset,
        time: t.time,
        isBuyer: t.isBuyer,
        isMaker: t.isMaker,
        isBestMatch: true,
      })),
    };
  }

  private window(p: Params): { start?: number; end?: number; limit: number } | { error: TradingResult } {
    const int = (name: string): number | undefined | null => {
      const raw = p.get(name);
      if (raw === undefined) return undefined;
      const n = Number(raw);
      return Number.isInteger(n) ? n : null;
    };
    const start = int('startTime');
    const end = int('endTime');
    const limit = int('limit');
    if (start === null || end === null || limit === null) return { error: bad(-1100, 'Illegal characters found in a parameter.') };
    if (start !== undefined && end !== undefined) {
      if (start > end) return { error: bad(-1104, 'startTime must be less than endTime.') };
      if (end - start > DAY) return { error: bad(-1127, 'More than 24 hours between startTime and endTime.') };
    }
    return { start, end, limit: limit === undefined ? 500 : Math.max(1, Math.min(1000, limit)) };
  }

  /** Binance paging: from an id (first `limit`), a time window (first `limit` from start, else last), or most recent. */
  private pick<T>(
    list: T[],
    idOf: (x: T) => number,
    timeOf: (x: T) => number,
    fromId: string | undefined,
    w: { start?: number; end?: number; limit: number },
  ): T[] {
    if (fromId !== undefined) return list.filter((x) => idOf(x) >= Number(fromId)).slice(0, w.limit);
    const inWindow = list.filter((x) => (w.start === undefined || timeOf(x) >= w.start) && (w.end === undefined || timeOf(x) <= w.end));
    return w.start !== undefined ? inWindow.slice(0, w.limit) : inWindow.slice(-w.limit);
  }

  // ---------------------------------------------------------------- internals: matching

  /**
   * Liquidity a taker order would get, without touching any state. Buys take asks ascending, sells
   * bids descending, capped at `limit`; a symbol whose book was never set offers unlimited size at
   * the ticker's ask / bid. `complete` = the order's size (or quote amount) was reached.
   */
  private match(s: TradingSymbol, buy: boolean, limit: number | undefined, qty: number | undefined, quote: number | undefined): Match {
    let levels: [number, number][];
    if (s.bookSet) {
      levels = [...(buy ? s.asks : s.bids).entries()].sort((x, y) => (buy ? x[0] - y[0] : y[0] - x[0]));
    } else {
      const top = buy ? s.ticker.ask : s.ticker.bid;
      levels = top > 0 ? [[top, Infinity]] : [];
    }
    const fills: { price: number; qty: number }[] = [];
    let leftQty = qty ?? 0;
    let leftQuote = quote ?? 0;
    for (const [price, available] of levels) {
      if (limit !== undefined && (buy ? price > limit : price < limit)) break;
      const want = qty !== undefined ? leftQty : floorToStep(leftQuote / price, s.stepSize);
      const take = floorToStep(Math.min(available, want), s.stepSize);
      if (take <= 0) {
        if (qty === undefined) return { fills, complete: true }; // the quote left buys less than one step
        continue;
      }
      fills.push({ price, qty: take });
      if (qty !== undefined) {
        leftQty = r8(leftQty - take);
        if (leftQty <= 0) return { fills, complete: true };
      } else {
        leftQuote = r8(leftQuote - take * price);
        if (floorToStep(leftQuote / price, s.stepSize) <= 0) return { fills, complete: true };
      }
    }
    return { fills, complete: false };
  }

  /** A sell STOP_LOSS reached its stop price: it executes now as a market sell of its locked quantity. */
  private triggerStop(a: Account, o: OrderState, s: TradingSymbol): void {
    o.isWorking = true;
    o.updateTime = this.host.now();
    const plan = this.match(s, false, undefined, r8(o.origQty - o.executedQty), undefined);
    plan.fills.forEach((f, i) => {
      const last = i === plan.fills.length - 1;
      o.status = last && plan.complete ? 'FILLED' : 'PARTIALLY_FILLED';
      this.applyFill(a, o, s, f.price, f.qty, false);
    });
    if (!plan.complete) {
      o.status = 'EXPIRED';
      this.report(a, o, 'EXPIRED');
    }
    this.release(a, o, s);
    this.accountPosition(a, s);
  }

  private fillResting(a: Account, o: OrderState, s: TradingSymbol, qty: number, price: number): void {
    const done = r8(o.executedQty + qty) >= o.origQty - 1e-12;
    o.status = done ? 'FILLED' : 'PARTIALLY_FILLED';
    this.applyFill(a, o, s, price, qty, true);
    if (done) this.release(a, o, s);
    this.accountPosition(a, s);
  }

  /** Moves the funds of one fill, records the trade and reports it. `order.status` is already the post-fill status. */
  private applyFill(a: Account, o: OrderState, s: TradingSymbol, price: number, qty: number, isMaker: boolean): void {
    const quote = this.balance(a, s.quote);
    const base = this.balance(a, s.base);
    const quoteQty = r8(price * qty);
    const buy = o.side === 'BUY';
    const commissionAsset = buy ? s.base : s.quote; // charged in the asset received
    const commission = r8((buy ? qty : quoteQty) * a.feeRate);
    if (buy) {
      if (o.type === 'MARKET') {
        quote.free = r8(quote.free - quoteQty);
      } else {
        const fromHold = Math.min(o.held, r8(o.price * qty));
        o.held = r8(o.held - fromHold);
        quote.locked = r8(quote.locked - fromHold);
        quote.free = r8(quote.free + fromHold - quoteQty); // a fill below the limit price returns the difference
      }
      base.free = r8(base.free + qty - commission);
    } else {
      if (o.type === 'MARKET') {
        base.free = r8(base.free - qty);
      } else {
        const fromHold = Math.min(o.held, qty);
        o.held = r8(o.held - fromHold);
        base.locked = r8(base.locked - fromHold);
      }
      quote.free = r8(quote.free + quoteQty - commission);
    }
    const now = this.host.now();
    o.executedQty = r8(o.executedQty + qty);
    o.cummulativeQuoteQty = r8(o.cummulativeQuoteQty + quoteQty);
    o.updateTime = now;
    const fill: MockFill = { price, qty, quoteQty, commission, commissionAsset, tradeId: ++this.nextTradeId, isMaker };
    o.fills.push(fill);
    a.trades.push({
      apiKey: a.apiKey,
      symbol: s.id,
      id: fill.tradeId,
      orderId: o.orderId,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset,
      time: now,
      isBuyer: buy,
      isMaker,
    });
    this.report(a, o, 'TRADE', fill);
  }

  /** Returns what an order still holds to `free` (on cancel, expiry, or the rounding rest after its last fill). */
  private release(a: Account, o: OrderState, s: TradingSymbol): void {
    if (o.held <= 0) return;
    const wallet = this.balance(a, o.side === 'BUY' ? s.quote : s.base);
    wallet.locked = r8(Math.max(0, wallet.locked - o.held));
    wallet.free = r8(wallet.free + o.held);
    o.held = 0;
  }

  private cancel(a: Account, o: OrderState, s: TradingSymbol, newClientOrderId: string | undefined): unknown {
    const now = this.host.now();
    o.status = 'CANCELED';
    o.updateTime = now;
    o.cancelClientOrderId = newClientOrderId ?? randomId(22);
    this.release(a, o, s);
    this.report(a, o, 'CANCELED');
    this.accountPosition(a, s);
    // Binance: clientOrderId is the CANCEL request's id, the order's own is origClientOrderId.
    return {
      symbol: o.symbol,
      origClientOrderId: o.clientOrderId,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.cancelClientOrderId,
      transactTime: now,
      ...this.resultFields(o),
      selfTradePreventionMode: 'NONE',
    };
  }

  // ---------------------------------------------------------------- internals: rendering

  private resultFields(o: OrderState): Record<string, unknown> {
    return {
      price: fmt(o.price),
      origQty: fmt(o.origQty),
      executedQty: fmt(o.executedQty),
      origQuoteOrderQty: fmt(o.origQuoteOrderQty),
      cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      // one of Binance's "conditional fields in order responses"
      ...(o.type === 'STOP_LOSS' ? { stopPrice: fmt(o.stopPrice) } : {}),
    };
  }

  /** GET /api/v3/order, openOrders and allOrders entries; ccxt parseOrder. */
  private queryView(o: OrderState): unknown {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fmt(o.price),
      origQty: fmt(o.origQty),
      executedQty: fmt(o.executedQty),
      cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: fmt(o.stopPrice),
      icebergQty: fmt(0),
      time: o.time, // parseOrder timestamp
      updateTime: o.updateTime, // lastTradeTimestamp / lastUpdateTimestamp
      isWorking: o.isWorking,
      workingTime: o.time,
      origQuoteOrderQty: fmt(o.origQuoteOrderQty),
      selfTradePreventionMode: 'NONE',
    };
  }

  /** executionReport, as ccxt pro binance parseWsOrder / parseWsTrade read it. */
  private report(a: Account, o: OrderState, x: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED', fill?: MockFill): void {
    const now = this.host.now();
    const canceled = x === 'CANCELED';
    this.host.userEvent(a.apiKey, {
      e: 'executionReport',
      E: now,
      s: o.symbol,
      c: canceled ? o.cancelClientOrderId : o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: fmt(o.origQty),
      p: fmt(o.price),
      P: fmt(o.stopPrice),
      F: fmt(0),
      g: -1,
      C: canceled ? o.clientOrderId : '', // ccxt prefers C (the original id) when not empty
      x,
      X: o.status,
      r: 'NONE',
      i: o.orderId,
      l: fmt(fill?.qty ?? 0),
      z: fmt(o.executedQty),
      L: fmt(fill?.price ?? 0),
      n: fill ? fmt(fill.commission) : '0',
      N: fill ? fill.commissionAsset : null,
      T: now,
      t: fill ? fill.tradeId : -1,
      I: o.orderId * 2 + o.fills.length,
      w: x === 'NEW' && o.type !== 'MARKET',
      m: fill?.isMaker ?? false,
      M: false,
      O: o.time,
      Z: fmt(o.cummulativeQuoteQty),
      Y: fmt(fill?.quoteQty ?? 0),
      Q: fmt(o.origQuoteOrderQty),
      W: o.time,
      V: 'NONE',
    });
  }

  private accountPosition(a: Account, s: TradingSymbol): void {
    const now = this.host.now();
    const B = [s.base, s.quote].map((asset) => {
      const b = this.balance(a, asset);
      return { a: asset, f: fmt(b.free), l: fmt(b.locked) };
    });
    this.host.userEvent(a.apiKey, { e: 'outboundAccountPosition', E: now, u: now, B });
  }

  // ---------------------------------------------------------------- internals: lookup

  private account(apiKey: string): Account {
    const a = this.accounts.get(apiKey);
    if (!a) throw new Error(`mock-binance: no account ${apiKey} (addAccount first)`);
    return a;
  }

  private accountIndex(a: Account): number {
    return [...this.accounts.keys()].indexOf(a.apiKey);
  }

  private balance(a: Account, asset: string): Balance {
    let b = a.balances.get(asset);
    if (!b) {
      b = { free: 0, locked: 0 };
      a.balances.set(asset, b);
    }
    return b;
  }

  /** By orderId; else the most recent order carrying the clientOrderId. Optionally restricted to a symbol. */
  private lookup(a: Account, symbolId: string | undefined, orderId: number | undefined, clientId: string | undefined): OrderState | undefined {
    const onSymbol = (o: OrderState) => symbolId === undefined || o.symbol === symbolId;
    if (orderId !== undefined) {
      const o = a.orders.find((x) => x.orderId === orderId && onSymbol(x));
      if (!o || (clientId !== undefined && o.clientOrderId !== clientId)) return undefined;
      return o;
    }
    if (clientId === undefined) return undefined;
    for (let i = a.orders.length - 1; i >= 0; i--) {
      const o = a.orders[i]!;
      if (o.clientOrderId === clientId && onSymbol(o)) return o;
    }
    return undefined;
  }
}

interface Match {
  fills: { price: number; qty: number }[];
  complete: boolean;
}
