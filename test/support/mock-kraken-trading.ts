/**
 * The spot trading side of MockKraken (test/support/mock-kraken.ts): accounts keyed by API key,
 * Kraken's request signing, order placement / fills / cancel, balances, trades, websocket tokens
 * and the events of the private `executions` websocket channel. MockKraken owns the sockets and
 * market data; this engine owns every private byte. Wire formats are Kraken's REST API
 * (https://docs.kraken.com/api/) as ccxt 4.5's kraken.js parses them (parseOrder, parseTrade,
 * parseBalance, handleErrors) and pro/kraken.js (parseWsOrder, parseWsTrade).
 *
 * Authentication (Kraken, and ccxt kraken.sign): POST /0/private/<Method>, body form-encoded with
 * a `nonce`; headers API-Key and API-Sign = base64(HMAC-SHA512(urlpath + SHA256(nonce + postdata),
 * base64decode(secret))). Errors are HTTP 200 with {"error":[...]} as Kraken answers them:
 *   no / unknown key         EAPI:Invalid key        (ccxt AuthenticationError)
 *   no / wrong signature     EAPI:Invalid signature  (ccxt ExchangeError: not in ccxt's map)
 *   nonce not increasing     EAPI:Invalid nonce      (ccxt InvalidNonce)
 * Kraken's default nonce window is 0: every nonce must exceed the last one the key used, so two
 * requests signed in the same millisecond by ccxt (nonce = Date.now()) or arriving out of order
 * fail. An account option `nonceWindow` accepts nonces that far below the highest one, once each.
 *
 * Modelling choices (deliberate, so tests can rely on them):
 *   - Market orders fill in full at once at the ticker's ask (buys) / bid (sells), as taker.
 *   - Limit orders that cross on arrival fill at once at their limit price; otherwise they rest
 *     and fill in full, at their limit price, as maker, when setTicker brings ask (or last) to or
 *     below a buy's price (bid or last to or above a sell's).
 *   - Fee = account feeRate (default 0.0026, Kraken's starter taker rate as ccxt lists it) x cost,
 *     in the quote currency (Kraken's default `fciq`), for makers and takers alike.
 *   - Balances: a buy pays cost + fee in quote and receives the volume in base; a sell delivers
 *     the volume and receives cost - fee. Open orders hold funds (`hold_trade` in BalanceEx):
 *     a buy price x volume x (1 + feeRate) of quote, a sell its volume of base.
 *   - cl_ord_id (Kraken's rule): a UUID (8-4-4-4-12 hex), 32 hex characters, or free ASCII text
 *     of at most 18 characters; anything else is `EGeneral:Invalid arguments:cl_ord_id`. It must
 *     be unique among the account's OPEN orders; a duplicate is refused with
 *     `EOrder:Duplicate order` (the exact text Kraken uses here is not documented; the mock's).
 *   - Only `market` and `limit` order types; others answer `EGeneral:Invalid arguments:ordertype`;
 *     `viqc` (volume in quote) answers `EGeneral:Invalid arguments:viqc`. Not enforced: userref and
 *     cl_ord_id being mutually exclusive, rate limits, token expiry, time in force, post-only.
 *   - An OpenOrders / ClosedOrders `cl_ord_id` filter that breaks the cl_ord_id rule is refused like
 *     AddOrder's (the mock's assumption).
 *   - QueryOrders needs txid (else `EGeneral:Invalid arguments`); an unknown txid is
 *     `EOrder:Invalid order` (what Kraken answers; ccxt maps it to InvalidOrder, not OrderNotFound).
 *     It does NOT take cl_ord_id (a response field there); `userref` must be an integer.
 */
import crypto from 'node:crypto';
import type { MockExchangeOrder, MockExchangeStats } from './mock-exchange';

/** What the engine needs from the market side; MockKraken's pair state satisfies it. */
export interface TradingPair {
  /** Kraken pair id (XXBTZUSD), altname (XBTUSD), websocket v2 symbol = unified (BTC/USD). */
  id: string;
  altname: string;
  symbol: string;
  /** Unified currency codes, BTC / USD. */
  base: string;
  quote: string;
  pairDecimals: number;
  lotDecimals: number;
  costDecimals: number;
  ordermin: number;
  costmin: number;
  ticker: { bid: number; ask: number; last: number };
}

export interface TradingHost {
  now(): number;
  pair(idOrAltname: string): TradingPair | undefined;
  /** An event of the private executions channel for `apiKey`'s account. */
  execution(apiKey: string, event: Record<string, unknown>): void;
}

export interface KrakenAccountOptions {
  /** Fee rate for every fill, default 0.0026. */
  feeRate?: number;
  /** How far below the highest nonce a (new) nonce may be; Kraken's default 0. */
  nonceWindow?: number;
}

export interface KrakenResult {
  /** `result` on success, or Kraken error strings. */
  result?: unknown;
  error?: string[];
}

interface Balance {
  total: number;
  held: number;
}

interface OrderState {
  txid: string;
  clOrdId: string;
  userref: number | null;
  pair: TradingPair;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  status: 'open' | 'closed' | 'canceled';
  vol: number;
  volExec: number;
  cost: number;
  fee: number;
  price: number;
  opentm: number;
  closetm: number;
  held: number;
  trades: string[];
  reason: string | null;
}

interface TradeState {
  id: string;
  tradeId: number;
  order: OrderState;
  price: number;
  vol: number;
  cost: number;
  fee: number;
  time: number;
  maker: boolean;
}

interface Account {
  apiKey: string;
  secret: Buffer;
  feeRate: number;
  nonceWindow: number;
  highestNonce: bigint;
  recentNonces: Set<string>;
  balances: Map<string, Balance>;
  orders: OrderState[];
  trades: TradeState[];
}

type Params = Record<string, string>;

/** Kraken's asset ids for the unified codes the mock knows (others keep their code). */
const ASSET_ID: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', USD: 'ZUSD', EUR: 'ZEUR' };
/** Balance decimals Kraken prints per asset (Assets `decimals` for crypto, 4 for fiat). */
const ASSET_DECIMALS: Record<string, number> = { BTC: 10, ETH: 10, USD: 4, EUR: 4 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;
const FREE_TEXT = /^[\x20-\x7e]{1,18}$/;

/** Kraken's cl_ord_id rule: a UUID, 32 hex characters, or free ASCII text of up to 18 characters. */
export function isValidClOrdId(value: string): boolean {
  return UUID.test(value) || HEX32.test(value) || FREE_TEXT.test(value);
}

const INT32 = /^-?\d{1,10}$/;
function isInt32(v: string): boolean {
  if (!INT32.test(v)) return false;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647;
}

const fail = (...error: string[]): KrakenResult => ({ error });

/** Kraken's txid shape, e.g. OQCLML-BW3P3-BUCMWZ (orders start with O, trades with T). */
function krakenId(prefix: 'O' | 'T'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = crypto.randomBytes(17);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]!);
  return `${prefix}${chars.slice(0, 5).join('')}-${chars.slice(5, 10).join('')}-${chars.slice(10, 16).join('')}`;
}

/** Rounded to `decimals`; never -0. */
function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f + 0;
}

function decimalsIn(raw: string): number {
  const dot = raw.indexOf('.');
  return dot < 0 ? 0 : raw.length - dot - 1;
}

export class KrakenTradingEngine {
  private readonly accounts = new Map<string, Account>();
  /** websocket token -> apiKey */
  private readonly tokens = new Map<string, string>();
  /** Requests counted per API-Key header (known or not), on arrival. */
  private readonly counters = new Map<string, MockExchangeStats>();
  private nextTradeId = 40_000_000;

  constructor(private readonly host: TradingHost) {}

  // ---------------------------------------------------------------- accounts and views

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts: KrakenAccountOptions = {}): void {
    if (this.accounts.has(apiKey)) throw new Error(`mock-kraken: account ${apiKey} already exists`);
    const decoded = Buffer.from(secret, 'base64');
    if (decoded.length === 0 || decoded.toString('base64') !== secret) throw new Error('mock-kraken: a Kraken API secret is base64');
    const account: Account = {
      apiKey,
      secret: decoded,
      feeRate: opts.feeRate ?? 0.0026,
      nonceWindow: opts.nonceWindow ?? 0,
      highestNonce: -1n,
      recentNonces: new Set(),
      balances: new Map(),
      orders: [],
      trades: [],
    };
    for (const [code, amount] of Object.entries(balances)) account.balances.set(code.toUpperCase(), { total: amount, held: 0 });
    this.accounts.set(apiKey, account);
  }

  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    const out: Record<string, { free: number; locked: number }> = {};
    for (const [code, b] of this.account(apiKey).balances) {
      const d = ASSET_DECIMALS[code] ?? 8;
      out[code] = { free: round(b.total - b.held, d), locked: round(b.held, d) };
    }
    return out;
  }

  orders(apiKey?: string): MockExchangeOrder[] {
    const list = apiKey !== undefined ? this.account(apiKey).orders : [...this.accounts.values()].flatMap((a) => a.orders);
    return list
      .slice()
      .sort((x, y) => x.opentm - y.opentm)
      .map((o) => ({
        id: o.txid,
        clientOrderId: o.clOrdId,
        symbol: o.pair.symbol,
        side: o.side,
        type: o.type,
        status: o.status,
        amount: o.vol,
        filled: o.volExec,
        price: o.type === 'limit' ? o.price : 0,
        average: o.volExec > 0 ? round(o.cost / o.volExec, o.pair.pairDecimals) : 0,
        fee: o.fee,
      }));
  }

  stats(apiKey?: string): MockExchangeStats {
    const keys = apiKey !== undefined ? [apiKey] : [...this.counters.keys()];
    const total: MockExchangeStats = { createRequests: 0, ordersCreated: 0, cancelRequests: 0, lookups: 0 };
    for (const k of keys) {
      const c = this.counters.get(k);
      if (!c) continue;
      total.createRequests += c.createRequests;
      total.ordersCreated += c.ordersCreated;
      total.cancelRequests += c.cancelRequests;
      total.lookups += c.lookups;
    }
    return total;
  }

  /** Counted on arrival, before faults and authentication, so attempts that got no answer count too. */
  noteRequest(method: string, apiKey: string | undefined): void {
    const c = this.counter(apiKey ?? '');
    if (method === 'AddOrder') c.createRequests++;
    else if (method === 'CancelOrder') c.cancelRequests++;
    else if (LOOKUPS.has(method)) c.lookups++;
  }

  /** The account a websocket token was issued to. */
  tokenOwner(token: string): string | undefined {
    return this.tokens.get(token);
  }

  // ---------------------------------------------------------------- requests

  /**
   * Checks API-Key, API-Sign and the nonce. `path` is the URL path as signed (/0/private/AddOrder).
   * Returns the account's key, or Kraken's error.
   */
  authenticate(path: string, rawBody: string, params: Params, apiKey: string | undefined, sign: string | undefined): { apiKey: string } | KrakenResult {
    const a = apiKey !== undefined ? this.accounts.get(apiKey) : undefined;
    if (!a) return fail('EAPI:Invalid key');
    const nonce = params.nonce;
    if (sign === undefined || nonce === undefined) return fail('EAPI:Invalid signature');
    const hash = crypto.createHash('sha256').update(nonce + rawBody).digest();
    const expected = crypto.createHmac('sha512', a.secret).update(Buffer.concat([Buffer.from(path), hash])).digest();
    const given = Buffer.from(sign, 'base64');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return fail('EAPI:Invalid signature');
    if (!/^\d{1,20}$/.test(nonce)) return fail('EAPI:Invalid nonce');
    const n = BigInt(nonce);
    const fresh = n > a.highestNonce || (a.nonceWindow > 0 && n > a.highestNonce - BigInt(a.nonceWindow) && !a.recentNonces.has(nonce));
    if (!fresh) return fail('EAPI:Invalid nonce');
    if (n > a.highestNonce) a.highestNonce = n;
    a.recentNonces.add(nonce);
    if (a.recentNonces.size > 1000) a.recentNonces.delete(a.recentNonces.values().next().value as string);
    return { apiKey: a.apiKey };
  }

  /** One authenticated private call; undefined for a method the mock does not know. */
  handle(method: string, apiKey: string, p: Params): KrakenResult | undefined {
    const a = this.account(apiKey);
    switch (method) {
      case 'Balance':
        return { result: Object.fromEntries([...a.balances].map(([code, b]) => [ASSET_ID[code] ?? code, this.amount(code, b.total)])) };
      case 'BalanceEx':
        return {
          result: Object.fromEntries(
            [...a.balances].map(([code, b]) => [ASSET_ID[code] ?? code, { balance: this.amount(code, b.total), hold_trade: this.amount(code, b.held) }]),
          ),
        };
      case 'AddOrder':
        return this.addOrder(a, p);
      case 'CancelOrder':
        return this.cancelOrder(a, p);
      case 'QueryOrders':
        return this.queryOrders(a, p);
      case 'OpenOrders':
        return this.listOrders(a, p, 'open');
      case 'ClosedOrders':
        return this.listOrders(a, p, 'closed');
      case 'TradesHistory':
        return this.tradesHistory(a, p);
      case 'QueryTrades':
        return this.queryTrades(a, p);
      case 'GetWebSocketsToken': {
        const token = crypto.randomBytes(32).toString('base64');
        this.tokens.set(token, a.apiKey);
        return { result: { token, expires: 900 } };
      }
      default:
        return undefined;
    }
  }

  /** What a lookup answers when it finds nothing (the `emptyAnswer` fault). */
  static emptyAnswer(method: string): KrakenResult {
    switch (method) {
      case 'OpenOrders':
        return { result: { open: {} } };
      case 'ClosedOrders':
        return { result: { closed: {}, count: 0 } };
      case 'TradesHistory':
        return { result: { trades: {}, count: 0 } };
      default:
        return { result: {} };
    }
  }

  /** setTicker moved the market: resting limit orders it crosses fill, as maker, at their price. */
  onTicker(pairId: string): void {
    for (const a of this.accounts.values()) {
      for (const o of a.orders) {
        if (o.status !== 'open' || o.pair.id !== pairId || o.type !== 'limit') continue;
        const t = o.pair.ticker;
        const crosses = o.side === 'buy' ? t.ask <= o.price || t.last <= o.price : t.bid >= o.price || t.last >= o.price;
        if (crosses) this.fill(a, o, o.price, true);
      }
    }
  }

  /** The snapshot of the executions channel: open orders (snap_orders) and the last 50 fills (snap_trades). */
  snapshot(apiKey: string, orders: boolean, trades: boolean): Record<string, unknown>[] {
    const a = this.account(apiKey);
    const out: Record<string, unknown>[] = [];
    if (orders) for (const o of a.orders.filter((x) => x.status === 'open')) out.push({ ...this.orderDetails(o, 'new'), cum_qty: o.volExec, cum_cost: o.cost, avg_price: this.avg(o) });
    if (trades) for (const t of a.trades.slice(-50)) out.push(this.tradeEvent(t));
    return out;
  }

  // ---------------------------------------------------------------- AddOrder

  private addOrder(a: Account, p: Params): KrakenResult {
    const pair = p.pair !== undefined ? this.host.pair(p.pair) : undefined;
    if (p.pair === undefined) return fail('EGeneral:Invalid arguments:pair');
    if (!pair) return fail('EQuery:Unknown asset pair');
    if (p.type !== 'buy' && p.type !== 'sell') return fail('EGeneral:Invalid arguments:type');
    if (p.ordertype !== 'market' && p.ordertype !== 'limit') return fail('EGeneral:Invalid arguments:ordertype');
    const vol = Number(p.volume);
    if (p.volume === undefined || !/^\d+(\.\d+)?$/.test(p.volume) || !(vol > 0)) return fail('EGeneral:Invalid arguments:volume');
    if (decimalsIn(p.volume) > pair.lotDecimals) return fail('EGeneral:Invalid arguments:volume');
    if (p.oflags !== undefined && p.oflags.split(',').includes('viqc')) return fail('EGeneral:Invalid arguments:viqc'); // not modelled
    let price = 0;
    if (p.ordertype === 'limit') {
      if (p.price === undefined || !/^\d+(\.\d+)?$/.test(p.price)) return fail('EGeneral:Invalid arguments:price');
      if (decimalsIn(p.price) > pair.pairDecimals) {
        return fail(`EOrder:Invalid price:${pair.altname} price can only be specified up to ${pair.pairDecimals} decimals.`);
      }
      price = Number(p.price);
      if (!(price > 0)) return fail('EGeneral:Invalid arguments:price');
    }
    if (p.cl_ord_id !== undefined && !isValidClOrdId(p.cl_ord_id)) return fail('EGeneral:Invalid arguments:cl_ord_id');
    if (p.userref !== undefined && !isInt32(p.userref)) return fail('EGeneral:Invalid arguments:userref');
    if (vol < pair.ordermin) return fail('EOrder:Order minimum not met');
    const reference = p.ordertype === 'limit' ? price : p.type === 'buy' ? pair.ticker.ask : pair.ticker.bid;
    if (vol * reference < pair.costmin) return fail('EOrder:Cost minimum not met');
    if (p.cl_ord_id !== undefined && a.orders.some((o) => o.status === 'open' && o.clOrdId === p.cl_ord_id)) return fail('EOrder:Duplicate order');

    // funds: a buy needs cost + fee in quote, a sell the volume in base
    const needed = p.type === 'buy' ? vol * reference * (1 + a.feeRate) : vol;
    const wallet = this.balance(a, p.type === 'buy' ? pair.quote : pair.base);
    if (wallet.total - wallet.held + 1e-12 < needed) return fail('EOrder:Insufficient funds');

    const descr = `${p.type} ${vol.toFixed(pair.lotDecimals)} ${pair.altname} @ ${p.ordertype === 'limit' ? `limit ${price.toFixed(pair.pairDecimals)}` : 'market'}`;
    if (p.validate === 'true' || p.validate === '1') return { result: { descr: { order: descr } } };

    const o: OrderState = {
      txid: krakenId('O'),
      clOrdId: p.cl_ord_id ?? '',
      userref: p.userref !== undefined ? Number(p.userref) : null,
      pair,
      side: p.type,
      type: p.ordertype,
      status: 'open',
      vol,
      volExec: 0,
      cost: 0,
      fee: 0,
      price,
      opentm: this.host.now() / 1000,
      closetm: 0,
      held: 0,
      trades: [],
      reason: null,
    };
    a.orders.push(o);
    this.counter(a.apiKey).ordersCreated++;
    this.emit(a, this.orderDetails(o, 'pending_new'));
    this.emit(a, this.statusEvent(o, 'new'));
    const t = pair.ticker;
    if (o.type === 'market') {
      this.fill(a, o, o.side === 'buy' ? t.ask : t.bid, false);
    } else if (o.side === 'buy' ? t.ask <= price : t.bid >= price) {
      this.fill(a, o, price, false); // marketable on arrival: takes liquidity at its limit price
    } else {
      o.held = needed;
      wallet.held += needed;
    }
    const result: Record<string, unknown> = { descr: { order: descr }, txid: [o.txid] };
    return { result };
  }

  /** Fills what is left of `o` at `price` and moves the funds. */
  private fill(a: Account, o: OrderState, price: number, maker: boolean): void {
    const pair = o.pair;
    const vol = round(o.vol - o.volExec, pair.lotDecimals);
    const cost = round(vol * price, pair.costDecimals);
    const fee = round(cost * a.feeRate, pair.costDecimals);
    const quote = this.balance(a, pair.quote);
    const base = this.balance(a, pair.base);
    if (o.held > 0) {
      const wallet = o.side === 'buy' ? quote : base;
      wallet.held = round(wallet.held - o.held, ASSET_DECIMALS[o.side === 'buy' ? pair.quote : pair.base] ?? 8);
      o.held = 0;
    }
    if (o.side === 'buy') {
      quote.total -= cost + fee;
      base.total += vol;
    } else {
      base.total -= vol;
      quote.total += cost - fee;
    }
    quote.total = round(quote.total, ASSET_DECIMALS[pair.quote] ?? 8);
    base.total = round(base.total, ASSET_DECIMALS[pair.base] ?? 8);
    o.volExec = round(o.volExec + vol, pair.lotDecimals);
    o.cost = round(o.cost + cost, pair.costDecimals);
    o.fee = round(o.fee + fee, pair.costDecimals);
    o.status = 'closed';
    o.closetm = this.host.now() / 1000;
    const trade: TradeState = { id: krakenId('T'), tradeId: ++this.nextTradeId, order: o, price, vol, cost, fee, time: o.closetm, maker };
    o.trades.push(trade.id);
    a.trades.push(trade);
    this.emit(a, this.tradeEvent(trade));
    this.emit(a, { ...this.statusEvent(o, 'filled'), cum_qty: o.volExec, cum_cost: o.cost, avg_price: this.avg(o), fee_ccy_pref: 'fciq' });
  }

  // ---------------------------------------------------------------- CancelOrder

  /** txid = an order id or a userref (every open order with it); or cl_ord_id. Result {count}. */
  private cancelOrder(a: Account, p: Params): KrakenResult {
    let targets: OrderState[];
    if (p.cl_ord_id !== undefined) {
      targets = a.orders.filter((o) => o.status === 'open' && o.clOrdId === p.cl_ord_id);
    } else if (p.txid !== undefined) {
      const ref = p.txid;
      targets = isInt32(ref) ? a.orders.filter((o) => o.status === 'open' && o.userref === Number(ref)) : a.orders.filter((o) => o.txid === ref);
      if (targets.length > 0 && targets.every((o) => o.status !== 'open')) return fail('EOrder:Unknown order');
    } else {
      return fail('EGeneral:Invalid arguments');
    }
    if (targets.length === 0) return fail('EOrder:Unknown order');
    for (const o of targets) {
      const pair = o.pair;
      if (o.held > 0) {
        const code = o.side === 'buy' ? pair.quote : pair.base;
        const wallet = this.balance(a, code);
        wallet.held = round(wallet.held - o.held, ASSET_DECIMALS[code] ?? 8);
        o.held = 0;
      }
      o.status = 'canceled';
      o.reason = 'User requested';
      o.closetm = this.host.now() / 1000;
      this.emit(a, { ...this.statusEvent(o, 'canceled'), cum_qty: o.volExec, cum_cost: o.cost, avg_price: this.avg(o), cancel_reason: 'User requested', reason: 'User requested' });
    }
    return { result: { count: targets.length } };
  }

  // ---------------------------------------------------------------- lookups

  private queryOrders(a: Account, p: Params): KrakenResult {
    if (p.txid === undefined || p.txid === '') return fail('EGeneral:Invalid arguments');
    if (p.userref !== undefined && !isInt32(p.userref)) return fail('EGeneral:Invalid arguments:userref');
    const ids = p.txid.split(',');
    if (ids.length > 50) return fail('EGeneral:Invalid arguments:txid');
    const result: Record<string, unknown> = {};
    for (const id of ids) {
      const o = a.orders.find((x) => x.txid === id);
      if (!o) return fail('EOrder:Invalid order');
      if (p.userref !== undefined && o.userref !== Number(p.userref)) continue;
      result[id] = this.orderView(o, this.flag(p.trades));
    }
    return { result };
  }

  /**
   * OpenOrders / ClosedOrders, filtered by userref and cl_ord_id; closed ones also by start/end
   * (unix seconds, exclusive start, inclusive end, on open or close time), newest first, 50 a page (ofs).
   */
  private listOrders(a: Account, p: Params, which: 'open' | 'closed'): KrakenResult {
    if (p.userref !== undefined && !isInt32(p.userref)) return fail('EGeneral:Invalid arguments:userref');
    if (p.cl_ord_id !== undefined && !isValidClOrdId(p.cl_ord_id)) return fail('EGeneral:Invalid arguments:cl_ord_id');
    const num = (name: string): number | undefined | null => (p[name] === undefined ? undefined : /^\d+(\.\d+)?$/.test(p[name]!) ? Number(p[name]) : null);
    const start = num('start');
    const end = num('end');
    const ofs = num('ofs');
    if (start === null || end === null || ofs === null) return fail('EGeneral:Invalid arguments');
    const closetime = p.closetime ?? 'both';
    let list = a.orders.filter((o) => (which === 'open' ? o.status === 'open' : o.status !== 'open'));
    if (p.userref !== undefined) list = list.filter((o) => o.userref === Number(p.userref));
    if (p.cl_ord_id !== undefined) list = list.filter((o) => o.clOrdId === p.cl_ord_id);
    if (which === 'closed') {
      const inWindow = (t: number) => (start === undefined || t > start) && (end === undefined || t <= end);
      list = list.filter((o) => (closetime !== 'close' && inWindow(o.opentm)) || (closetime !== 'open' && inWindow(o.closetm)));
    }
    list = list.slice().reverse();
    const count = list.length;
    if (which === 'closed') list = list.slice(ofs ?? 0, (ofs ?? 0) + 50);
    const withTrades = this.flag(p.trades);
    const orders = Object.fromEntries(list.map((o) => [o.txid, this.orderView(o, withTrades)]));
    return { result: which === 'open' ? { open: orders } : { closed: orders, count } };
  }

  private tradesHistory(a: Account, p: Params): KrakenResult {
    const start = p.start !== undefined ? Number(p.start) : undefined;
    const end = p.end !== undefined ? Number(p.end) : undefined;
    const list = a.trades.filter((t) => (start === undefined || t.time > start) && (end === undefined || t.time <= end)).reverse();
    const ofs = p.ofs !== undefined ? Number(p.ofs) : 0;
    return { result: { trades: Object.fromEntries(list.slice(ofs, ofs + 50).map((t) => [t.id, this.tradeView(t)])), count: list.length } };
  }

  private queryTrades(a: Account, p: Params): KrakenResult {
    if (p.txid === undefined || p.txid === '') return fail('EGeneral:Invalid arguments');
    const result: Record<string, unknown> = {};
    for (const id of p.txid.split(',')) {
      const t = a.trades.find((x) => x.id === id);
      if (!t) return fail('EOrder:Invalid order');
      result[id] = this.tradeView(t);
    }
    return { result };
  }

  // ---------------------------------------------------------------- rendering

  /** An order as QueryOrders / OpenOrders / ClosedOrders return it; ccxt parseOrder. */
  private orderView(o: OrderState, withTrades: boolean): Record<string, unknown> {
    const pair = o.pair;
    const px = (n: number) => n.toFixed(pair.pairDecimals);
    const view: Record<string, unknown> = {
      refid: null,
      userref: o.userref, // parseOrder: clientOrderId falls back to it
      ...(o.clOrdId !== '' ? { cl_ord_id: o.clOrdId } : {}), // parseOrder: clientOrderId
      status: o.status, // parseOrderStatus
      ...(o.status !== 'open' ? { reason: o.reason, closetm: o.closetm } : {}), // closetm: lastUpdateTimestamp
      opentm: o.opentm, // timestamp (seconds, fractional)
      starttm: 0,
      expiretm: 0,
      descr: {
        pair: pair.altname, // findMarketByAltnameOrId
        type: o.side, // side
        ordertype: o.type, // type
        price: o.type === 'limit' ? px(o.price) : '0', // price ('0' ignored)
        price2: '0',
        leverage: 'none',
        order: `${o.side} ${o.vol.toFixed(pair.lotDecimals)} ${pair.altname} @ ${o.type === 'limit' ? `limit ${px(o.price)}` : 'market'}`,
        close: '',
      },
      vol: o.vol.toFixed(pair.lotDecimals), // amount
      vol_exec: o.volExec.toFixed(pair.lotDecimals), // filled
      cost: o.cost.toFixed(pair.costDecimals),
      fee: o.fee.toFixed(pair.costDecimals), // fee.cost (currency = quote because of oflags fciq)
      price: px(this.avg(o)), // average
      stopprice: px(0),
      limitprice: px(0),
      misc: '',
      oflags: 'fciq',
    };
    if (withTrades && o.trades.length > 0) view.trades = o.trades.slice();
    return view;
  }

  /** TradesHistory / QueryTrades entry; ccxt parseTrade (the `ordertxid` branch). */
  private tradeView(t: TradeState): Record<string, unknown> {
    const pair = t.order.pair;
    return {
      ordertxid: t.order.txid,
      postxid: krakenId('T'),
      pair: pair.id,
      time: t.time,
      type: t.order.side,
      ordertype: t.order.type,
      price: t.price.toFixed(pair.pairDecimals),
      cost: t.cost.toFixed(pair.costDecimals),
      fee: t.fee.toFixed(pair.costDecimals),
      vol: t.vol.toFixed(pair.lotDecimals),
      margin: '0.00000',
      leverage: '0',
      misc: '',
      trade_id: t.tradeId,
      maker: t.maker,
    };
  }

  /** RFC 3339 with microseconds, as Kraken's v2 timestamps. */
  private iso(seconds: number): string {
    return new Date(seconds * 1000).toISOString().replace(/Z$/, '000Z');
  }

  private ids(o: OrderState): Record<string, unknown> {
    return { order_id: o.txid, order_userref: o.userref ?? 0, ...(o.clOrdId !== '' ? { cl_ord_id: o.clOrdId } : {}) };
  }

  /** The full description Kraken sends first (pending_new) and in snapshots; pro parseWsOrder. */
  private orderDetails(o: OrderState, execType: 'pending_new' | 'new'): Record<string, unknown> {
    return {
      ...this.ids(o),
      symbol: o.pair.symbol,
      order_qty: o.vol, // amount
      cum_cost: o.cost,
      time_in_force: 'GTC',
      exec_type: execType,
      side: o.side,
      order_type: o.type,
      ...(o.type === 'limit' ? { limit_price_type: 'static', limit_price: o.price } : {}),
      order_status: execType,
      fee_usd_equiv: o.fee,
      fee_ccy_pref: 'fciq',
      timestamp: this.iso(o.opentm),
    };
  }

  /** The short status transitions (new, filled, canceled), as Kraken sends them. */
  private statusEvent(o: OrderState, status: 'new' | 'filled' | 'canceled'): Record<string, unknown> {
    return {
      timestamp: this.iso(status === 'new' ? o.opentm : o.closetm),
      order_status: status,
      exec_type: status,
      ...this.ids(o),
      ...(status !== 'new' ? { fee_usd_equiv: o.fee } : {}),
    };
  }

  /** exec_type trade; pro parseWsTrade (ccxt routes these to watchMyTrades only). */
  private tradeEvent(t: TradeState): Record<string, unknown> {
    const o = t.order;
    return {
      ...this.ids(o),
      exec_id: t.id,
      exec_type: 'trade',
      trade_id: t.tradeId,
      symbol: o.pair.symbol,
      side: o.side,
      last_qty: t.vol,
      last_price: t.price,
      liquidity_ind: t.maker ? 'm' : 't',
      cost: t.cost,
      order_status: o.volExec >= o.vol ? 'filled' : 'partially_filled',
      order_type: o.type,
      timestamp: this.iso(t.time),
      fee_usd_equiv: t.fee,
      fees: [{ asset: o.pair.quote, qty: t.fee }],
    };
  }

  private emit(a: Account, event: Record<string, unknown>): void {
    this.host.execution(a.apiKey, event);
  }

  // ---------------------------------------------------------------- helpers

  private avg(o: OrderState): number {
    return o.volExec > 0 ? round(o.cost / o.volExec, o.pair.pairDecimals) : 0;
  }

  private flag(v: string | undefined): boolean {
    return v === 'true' || v === '1' || v === 'True';
  }

  private amount(code: string, n: number): string {
    return n.toFixed(ASSET_DECIMALS[code] ?? 8);
  }

  private counter(key: string): MockExchangeStats {
    let c = this.counters.get(key);
    if (!c) {
      c = { createRequests: 0, ordersCreated: 0, cancelRequests: 0, lookups: 0 };
      this.counters.set(key, c);
    }
    return c;
  }

  private account(apiKey: string): Account {
    const a = this.accounts.get(apiKey);
    if (!a) throw new Error(`mock-kraken: no account ${apiKey} (addAccount first)`);
    return a;
  }

  private balance(a: Account, code: string): Balance {
    let b = a.balances.get(code);
    if (!b) {
      b = { total: 0, held: 0 };
      a.balances.set(code, b);
    }
    return b;
  }
}

/** Private methods that read orders or trades (MockCall 'lookup'). */
export const LOOKUPS = new Set(['QueryOrders', 'OpenOrders', 'ClosedOrders', 'TradesHistory', 'QueryTrades']);
