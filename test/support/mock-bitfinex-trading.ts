/**
 * The spot ("exchange" wallet) trading accounts of MockBitfinex: the authenticated REST v2
 * endpoints after signature checking (./mock-bitfinex.ts does that), orders, fills, wallets,
 * and the account events the private websocket (channel 0) delivers.
 *
 * Wire formats are Bitfinex's arrays as ccxt 4.5's bitfinex.js / pro/bitfinex.js read them:
 *   order   (parseOrder, parseWsOrder)  32 fields: [ID, GID, CID, SYMBOL, MTS_CREATE, MTS_UPDATE,
 *           AMOUNT (remaining, signed), AMOUNT_ORIG (signed), TYPE, TYPE_PREV, MTS_TIF, _, FLAGS,
 *           STATUS, _, _, PRICE, PRICE_AVG, PRICE_TRAILING, PRICE_AUX_LIMIT, _, _, _, NOTIFY,
 *           HIDDEN, PLACED_ID, _, _, ROUTING, _, _, META]
 *   trade   (parseTrade private, parseWsTrade)  [ID, SYMBOL, MTS, ORDER_ID, EXEC_AMOUNT (signed),
 *           EXEC_PRICE, ORDER_TYPE, ORDER_PRICE, MAKER (1 / -1), FEE (negative), FEE_CURRENCY, CID]
 *   wallet  (fetchBalance, parseWsBalance)  [TYPE, CURRENCY, BALANCE, UNSETTLED_INTEREST, AVAILABLE, DESCRIPTION, META]
 *   notification (createOrder, cancelOrder)  [MTS, TYPE, MESSAGE_ID, _, DATA, CODE, STATUS, TEXT]
 *   errors  HTTP 500 with ["error", CODE, TEXT] (bitfinex.handleErrors maps CODE / TEXT).
 *
 * What is modelled: EXCHANGE MARKET (fills at once at the ask for a buy, the bid for a sell,
 * taker), EXCHANGE LIMIT (fills at once at the ask/bid when marketable, else rests and fills at
 * its own price, maker, when setTicker crosses it), EXCHANGE STOP (a stop-market order resting
 * until the last price reaches it, then a market order: TYPE becomes EXCHANGE MARKET, TYPE_PREV
 * EXCHANGE STOP, as Bitfinex reports it). Every fill is complete (no partial fills).
 * The submit answer shows the order as accepted, before matching (see submitAnswersAfterMatching).
 * Fees: feeRate x what the fill moves, reported only on trades as Bitfinex does (ccxt's
 * parseOrder has no fee). Charged in the QUOTE currency by default (the shared suite's
 * convention), or, with feeCurrency 'received', in the currency the fill brings in (the base on
 * a buy), which is how Bitfinex charges spot trades.
 * Locked funds: a resting buy holds price x amount (x (1 + feeRate) when the fee is in the quote)
 * of the quote, a resting sell its amount of the base; the wallet's BALANCE is free + locked and
 * AVAILABLE is free.
 */
import type { MockExchangeOrder, MockExchangeStats, MockCall } from './mock-exchange';

export interface BitfinexMarket {
  /** 'tBTCUSD' */
  id: string;
  /** 'BTC/USD' */
  symbol: string;
  base: string;
  quote: string;
  minSize: number;
  maxSize: number;
  ticker: { bid: number; ask: number; last: number };
}

export interface TradingHost {
  now(): number;
  market(id: string): BitfinexMarket | undefined;
  /** Delivers an account event ([0, 'on', ORDER], ...) to the private websockets authenticated with `apiKey`. */
  emit(apiKey: string, message: unknown[]): void;
}

export interface Answer {
  status: number;
  body: unknown;
}

/** Which currency a fill's fee is charged in: always the quote, or the one the fill brings in. */
export type FeeCurrency = 'quote' | 'received';

type OrderType = 'EXCHANGE MARKET' | 'EXCHANGE LIMIT' | 'EXCHANGE STOP';

interface OrderState {
  id: number;
  cid: number | null;
  /** UTC day of creation, 'YYYY-MM-DD': with cid it names an order (cancel, lookup). */
  cidDate: string;
  symbol: string;
  created: number;
  updated: number;
  /** Signed: positive buys, negative sells. */
  amountOrig: number;
  filled: number;
  type: OrderType;
  typePrev: OrderType | null;
  status: 'open' | 'closed' | 'canceled';
  /** Limit price, stop price, or for a market order the price it was matched against. */
  price: number;
  /** What MockExchangeOrder reports as the order's price: 0 for market orders. */
  limitPrice: number;
  average: number;
  /** Fees paid, valued in the quote currency (MockExchangeOrder.fee). */
  fee: number;
  /** Still locked in the wallet for this order (quote for buys, base for sells). */
  held: number;
}

interface TradeState {
  id: number;
  symbol: string;
  time: number;
  orderId: number;
  amount: number; // signed
  price: number;
  orderType: OrderType;
  orderPrice: number;
  maker: boolean;
  fee: number; // positive, in feeCurrency
  feeCurrency: string;
  cid: number | null;
}

interface Account {
  apiKey: string;
  secret: string;
  feeRate: number;
  feeCurrency: FeeCurrency;
  wallets: Map<string, { free: number; locked: number }>;
  orders: OrderState[];
  trades: TradeState[];
  /** The last bfx-nonce accepted. */
  lastNonce: number;
}

/** Bitfinex's cid is an int45. */
const MAX_CID = 2 ** 45;

const r8 = (n: number): number => Math.round(n * 1e8) / 1e8;
const isBuy = (o: OrderState): boolean => o.amountOrig > 0;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** HTTP 500 + ["error", code, text]: how Bitfinex's REST v2 answers every refused request. */
export function bfxError(code: number, text: string): Answer {
  return { status: 500, body: ['error', code, text] };
}

const ORDER_NOT_FOUND = bfxError(10001, 'Order not found.');

function emptyStats(): MockExchangeStats {
  return { createRequests: 0, ordersCreated: 0, cancelRequests: 0, lookups: 0 };
}

export class BitfinexTrading {
  /**
   * false (Bitfinex): the submit notification shows the order as ACCEPTED, before matching
   * ("ACTIVE", full AMOUNT, PRICE_AVG 0; the notification says "Submitting 1 orders."), so ccxt's
   * createOrder reports even a market order that filled at once as open with nothing filled.
   * true: it shows the order after matching (EXECUTED for an immediate fill).
   */
  submitAnswersAfterMatching = false;
  private readonly accounts = new Map<string, Account>();
  private readonly statsByKey = new Map<string, MockExchangeStats>();
  private nextOrderId = 120_000_000_000;
  private nextTradeId = 1_500_000_000;

  constructor(private readonly host: TradingHost) {}

  // ---------------------------------------------------------------- accounts

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, feeRate = 0.002, feeCurrency: FeeCurrency = 'quote'): void {
    const wallets = new Map<string, { free: number; locked: number }>();
    for (const [currency, free] of Object.entries(balances)) wallets.set(currency.toUpperCase(), { free, locked: 0 });
    this.accounts.set(apiKey, { apiKey, secret, feeRate, feeCurrency, wallets, orders: [], trades: [], lastNonce: 0 });
  }

  secretOf(apiKey: string): string | undefined {
    return this.accounts.get(apiKey)?.secret;
  }

  /**
   * Bitfinex refuses a nonce smaller than the last one of the key ("nonce: small", 10114).
   * `strict` also refuses an equal one, as Bitfinex does; off by default because ccxt's nonce is
   * Date.now() and two requests to a local mock can share a millisecond.
   */
  acceptNonce(apiKey: string, nonce: number, strict: boolean): boolean {
    const a = this.accounts.get(apiKey);
    if (!a) return false;
    if (nonce < a.lastNonce || (strict && nonce === a.lastNonce)) return false;
    a.lastNonce = nonce;
    return true;
  }

  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    const out: Record<string, { free: number; locked: number }> = {};
    for (const [c, w] of this.account(apiKey).wallets) out[c] = { free: w.free, locked: w.locked };
    return out;
  }

  orders(apiKey?: string): MockExchangeOrder[] {
    const list = apiKey === undefined ? [...this.accounts.values()] : [this.account(apiKey)];
    return list
      .flatMap((a) => a.orders)
      .sort((x, y) => x.id - y.id)
      .map((o) => ({
        id: String(o.id),
        clientOrderId: o.cid === null ? '' : String(o.cid),
        symbol: this.host.market(o.symbol)?.symbol ?? o.symbol,
        side: isBuy(o) ? 'buy' : 'sell',
        type: o.typePrev === 'EXCHANGE STOP' || o.type === 'EXCHANGE STOP' ? 'stop' : o.type === 'EXCHANGE LIMIT' ? 'limit' : 'market',
        status: o.status,
        amount: Math.abs(o.amountOrig),
        filled: o.filled,
        price: o.limitPrice,
        average: o.average,
        fee: o.fee,
      }));
  }

  /** Counts a request by what it is (before faults: a faulted request still counts). */
  noteRequest(apiKey: string | undefined, calls: MockCall[]): void {
    const s = this.statsFor(apiKey ?? '');
    if (calls.includes('createOrder')) s.createRequests++;
    if (calls.includes('cancel')) s.cancelRequests++;
    if (calls.includes('lookup')) s.lookups++;
  }

  stats(apiKey?: string): MockExchangeStats {
    if (apiKey !== undefined) return { ...this.statsFor(apiKey) };
    const total = emptyStats();
    for (const s of this.statsByKey.values()) {
      total.createRequests += s.createRequests;
      total.ordersCreated += s.ordersCreated;
      total.cancelRequests += s.cancelRequests;
      total.lookups += s.lookups;
    }
    return total;
  }

  /** What the private websocket sends after a successful auth: open orders and wallets. */
  snapshots(apiKey: string): unknown[][] {
    const a = this.account(apiKey);
    return [
      [0, 'os', a.orders.filter((o) => o.status === 'open').map((o) => this.orderArray(o))],
      [0, 'ps', []],
      [0, 'ws', [...a.wallets.keys()].map((c) => this.walletArray(a, c))],
    ];
  }

  // ---------------------------------------------------------------- REST: auth/...

  /** An authenticated request (signature already verified): `path` after `/v2/`, e.g. 'auth/r/wallets'. */
  handle(apiKey: string, path: string, body: Record<string, unknown>): Answer {
    const a = this.account(apiKey);
    let m: RegExpExecArray | null;
    if (path === 'auth/r/wallets') return { status: 200, body: [...a.wallets.keys()].map((c) => this.walletArray(a, c)) };
    if (path === 'auth/w/order/submit') return this.submit(a, body);
    if (path === 'auth/w/order/cancel') return this.cancelOne(a, body);
    if (path === 'auth/w/order/cancel/multi') return this.cancelMulti(a, body);
    if ((m = /^auth\/r\/orders(?:\/(t[A-Z0-9:]+))?$/.exec(path))) return this.openOrders(a, m[1], body);
    if ((m = /^auth\/r\/orders(?:\/(t[A-Z0-9:]+))?\/hist$/.exec(path))) return this.orderHistory(a, m[1], body);
    if ((m = /^auth\/r\/order\/(t[A-Z0-9]+):(\d+)\/trades$/.exec(path))) {
      const id = Number(m[2]);
      return { status: 200, body: a.trades.filter((t) => t.orderId === id && t.symbol === m![1]).map((t) => this.tradeArray(t, true)) };
    }
    if ((m = /^auth\/r\/trades(?:\/(t[A-Z0-9:]+))?\/hist$/.exec(path))) return this.tradeHistory(a, m[1], body);
    return bfxError(10020, `${path}: not supported by the mock`);
  }

  /** POST auth/w/order/submit: ccxt createOrder -> createOrderRequest {symbol, amount, type, price?, cid?, flags?}. */
  private submit(a: Account, body: Record<string, unknown>): Answer {
    const market = typeof body.symbol === 'string' ? this.host.market(body.symbol) : undefined;
    if (!market) return bfxError(10020, 'symbol: invalid');
    const type = body.type;
    if (type !== 'EXCHANGE MARKET' && type !== 'EXCHANGE LIMIT' && type !== 'EXCHANGE STOP') return bfxError(10020, 'type: invalid');
    const amount = Number(body.amount);
    if (!Number.isFinite(amount) || amount === 0 || typeof body.amount === 'boolean') return bfxError(10020, 'amount: invalid');
    // Bitfinex cids are integers (int45); a string, a fraction or a larger number is refused.
    const cid = body.cid;
    if (cid !== undefined && cid !== null && !(typeof cid === 'number' && Number.isInteger(cid) && cid >= 0 && cid < MAX_CID)) {
      return bfxError(10020, 'cid: invalid');
    }
    let price = 0;
    if (type !== 'EXCHANGE MARKET') {
      price = Number(body.price);
      if (!Number.isFinite(price) || price <= 0) return bfxError(10020, 'price: invalid');
      price = Number(price.toPrecision(5)); // "all pairs use up to 5 significant digits"; more are cut
    }
    const size = Math.abs(amount);
    if (size < market.minSize) return bfxError(10001, `Invalid order: minimum size for ${market.symbol} is ${market.minSize}`);
    if (size > market.maxSize) return bfxError(10001, `Invalid order: maximum size for ${market.symbol} is ${market.maxSize}`);
    const buy = amount > 0;
    const quotePrice = type === 'EXCHANGE MARKET' ? (buy ? market.ticker.ask : market.ticker.bid) : price;
    const feeInQuote = a.feeCurrency === 'quote';
    const need = buy ? r8(size * quotePrice * (feeInQuote ? 1 + a.feeRate : 1)) : size;
    const wallet = this.wallet(a, buy ? market.quote : market.base);
    if (need > wallet.free + 1e-12) {
      return bfxError(10001, `Invalid order: not enough exchange balance for ${amount} ${market.id.slice(1)} at ${quotePrice}`);
    }

    const now = this.host.now();
    const o: OrderState = {
      id: ++this.nextOrderId,
      cid: typeof cid === 'number' ? cid : null,
      cidDate: dayOf(now),
      symbol: market.id,
      created: now,
      updated: now,
      amountOrig: amount,
      filled: 0,
      type,
      typePrev: null,
      status: 'open',
      price: type === 'EXCHANGE MARKET' ? quotePrice : price,
      limitPrice: type === 'EXCHANGE LIMIT' ? price : type === 'EXCHANGE STOP' ? price : 0,
      average: 0,
      fee: 0,
      held: 0,
    };
    a.orders.push(o);
    this.statsFor(a.apiKey).ordersCreated++;
    const accepted = this.orderArray(o);

    const marketable =
      type === 'EXCHANGE MARKET' ||
      (type === 'EXCHANGE LIMIT' && (buy ? market.ticker.ask > 0 && market.ticker.ask <= price : market.ticker.bid >= price));
    if (marketable) {
      // Taker at the touch; Bitfinex sends no 'on' for an order that executes at once, only te/oc.
      this.fill(a, o, market, buy ? market.ticker.ask : market.ticker.bid, false);
    } else {
      o.held = need;
      wallet.free = r8(wallet.free - need);
      wallet.locked = r8(wallet.locked + need);
      this.host.emit(a.apiKey, [0, 'on', this.orderArray(o)]);
      this.emitWallet(a, buy ? market.quote : market.base);
    }
    const answer = this.submitAnswersAfterMatching ? this.orderArray(o) : accepted;
    return { status: 200, body: this.notification('on-req', [answer], 'SUCCESS', 'Submitting 1 orders.') };
  }

  /** POST auth/w/order/cancel {id} or {cid, cid_date}: answers the order as it was (still ACTIVE), then cancels. */
  private cancelOne(a: Account, body: Record<string, unknown>): Answer {
    const o = this.findOpen(a, body);
    if (!o) return ORDER_NOT_FOUND;
    const before = this.orderArray(o);
    this.cancel(a, o);
    return { status: 200, body: this.notification('oc-req', before, 'SUCCESS', `Submitted for cancellation; waiting for confirmation (ID: ${o.id}).`) };
  }

  /** POST auth/w/order/cancel/multi {id: [..]} or {all: 1} (ccxt cancelOrders / cancelAllOrders). */
  private cancelMulti(a: Account, body: Record<string, unknown>): Answer {
    const ids = Array.isArray(body.id) ? body.id.map(Number) : undefined;
    const list = a.orders.filter((o) => o.status === 'open' && (Number(body.all) === 1 || (ids !== undefined && ids.includes(o.id))));
    const before = list.map((o) => this.orderArray(o));
    for (const o of list) this.cancel(a, o);
    return { status: 200, body: this.notification('oc_multi-req', before, 'SUCCESS', `Submitting ${list.length} order cancellations.`) };
  }

  /** POST auth/r/orders[/SYMBOL]: OPEN orders only, optionally by id: [..] or cid + cid_date (ccxt fetchOpenOrders, fetchOrder). */
  private openOrders(a: Account, symbol: string | undefined, body: Record<string, unknown>): Answer {
    if (symbol !== undefined && !this.host.market(symbol)) return bfxError(10020, 'symbol: invalid');
    let list = a.orders.filter((o) => o.status === 'open' && (symbol === undefined || o.symbol === symbol));
    const ids = Array.isArray(body.id) ? body.id.filter((x) => x !== null && x !== undefined).map(Number) : [];
    if (ids.length > 0) list = list.filter((o) => ids.includes(o.id));
    if (body.cid !== undefined) list = list.filter((o) => o.cid === Number(body.cid) && (body.cid_date === undefined || o.cidDate === body.cid_date));
    return { status: 200, body: list.map((o) => this.orderArray(o)) };
  }

  /**
   * POST auth/r/orders[/SYMBOL]/hist {start?, end?, limit?, id?}: closed and canceled orders,
   * newest update first; start/end bound MTS_UPDATE; limit 25 by default, 2500 at most.
   * With start AND limit it is still the newest `limit` in the window, as Bitfinex pages.
   */
  private orderHistory(a: Account, symbol: string | undefined, body: Record<string, unknown>): Answer {
    if (symbol !== undefined && !this.host.market(symbol)) return bfxError(10020, 'symbol: invalid');
    const w = window(body, 25, 2500);
    if ('error' in w) return w.error;
    let list = a.orders.filter((o) => o.status !== 'open' && (symbol === undefined || o.symbol === symbol));
    const ids = Array.isArray(body.id) ? body.id.map(Number) : [];
    if (ids.length > 0) list = list.filter((o) => ids.includes(o.id));
    list = list
      .filter((o) => (w.start === undefined || o.updated >= w.start) && (w.end === undefined || o.updated <= w.end))
      .sort((x, y) => y.updated - x.updated || y.id - x.id)
      .slice(0, w.limit);
    return { status: 200, body: list.map((o) => this.orderArray(o)) };
  }

  /** POST auth/r/trades[/SYMBOL]/hist {start?, end?, limit?}: ccxt fetchMyTrades; newest first, limit 25 (max 2500). */
  private tradeHistory(a: Account, symbol: string | undefined, body: Record<string, unknown>): Answer {
    if (symbol !== undefined && !this.host.market(symbol)) return bfxError(10020, 'symbol: invalid');
    const w = window(body, 25, 2500);
    if ('error' in w) return w.error;
    const list = a.trades
      .filter((t) => (symbol === undefined || t.symbol === symbol) && (w.start === undefined || t.time >= w.start) && (w.end === undefined || t.time <= w.end))
      .sort((x, y) => y.time - x.time || y.id - x.id)
      .slice(0, w.limit);
    return { status: 200, body: list.map((t) => this.tradeArray(t, true)) };
  }

  // ---------------------------------------------------------------- matching

  /** After a ticker change: resting limit orders it crosses fill at their price (maker); stops it reaches execute as market orders. */
  onTicker(marketId: string): void {
    const market = this.host.market(marketId);
    if (!market) return;
    const { bid, ask, last } = market.ticker;
    for (const a of this.accounts.values()) {
      for (const o of a.orders) {
        if (o.status !== 'open' || o.symbol !== marketId) continue;
        const buy = isBuy(o);
        if (o.type === 'EXCHANGE LIMIT') {
          if (buy ? ask > 0 && ask <= o.price : bid > 0 && bid >= o.price) this.fill(a, o, market, o.price, true);
        } else if (o.type === 'EXCHANGE STOP') {
          if (buy ? last >= o.price : last <= o.price) {
            o.typePrev = o.type;
            o.type = 'EXCHANGE MARKET';
            this.fill(a, o, market, buy ? ask : bid, false);
          }
        }
      }
    }
  }

  /** Fills the whole order at `price`: wallets, trade, and the events te, oc, wu (base, quote), tu. */
  private fill(a: Account, o: OrderState, market: BitfinexMarket, price: number, maker: boolean): void {
    const buy = isBuy(o);
    const qty = r8(Math.abs(o.amountOrig) - o.filled);
    const cost = r8(qty * price);
    // fee in the quote, or in what the fill brings in (base on a buy, quote on a sell)
    const feeCurrency = a.feeCurrency === 'quote' || !buy ? market.quote : market.base;
    const fee = r8((feeCurrency === market.base ? qty : cost) * a.feeRate);
    const feeInQuote = feeCurrency === market.base ? r8(fee * price) : fee;
    const quote = this.wallet(a, market.quote);
    const base = this.wallet(a, market.base);
    this.release(a, o, market);
    if (buy) {
      quote.free = r8(quote.free - cost - (feeCurrency === market.quote ? fee : 0));
      base.free = r8(base.free + qty - (feeCurrency === market.base ? fee : 0));
    } else {
      base.free = r8(base.free - qty);
      quote.free = r8(quote.free + cost - fee);
    }
    const now = this.host.now();
    o.average = r8((o.average * o.filled + price * qty) / (o.filled + qty));
    o.filled = r8(o.filled + qty);
    o.fee = r8(o.fee + feeInQuote);
    o.updated = now;
    o.status = 'closed';
    const t: TradeState = {
      id: ++this.nextTradeId,
      symbol: o.symbol,
      time: now,
      orderId: o.id,
      amount: buy ? qty : -qty,
      price,
      orderType: o.type,
      orderPrice: o.price,
      maker,
      fee,
      feeCurrency,
      cid: o.cid,
    };
    a.trades.push(t);
    // te: the execution (no fee yet); tu: the same trade with its fee, as Bitfinex sends them.
    this.host.emit(a.apiKey, [0, 'te', this.tradeArray(t, false)]);
    this.host.emit(a.apiKey, [0, 'oc', this.orderArray(o)]);
    this.emitWallet(a, market.base);
    this.emitWallet(a, market.quote);
    this.host.emit(a.apiKey, [0, 'tu', this.tradeArray(t, true)]);
  }

  private cancel(a: Account, o: OrderState): void {
    const market = this.host.market(o.symbol)!;
    const currency = isBuy(o) ? market.quote : market.base;
    this.release(a, o, market);
    o.status = 'canceled';
    o.updated = this.host.now();
    this.host.emit(a.apiKey, [0, 'oc', this.orderArray(o)]);
    this.emitWallet(a, currency);
  }

  private release(a: Account, o: OrderState, market: BitfinexMarket): void {
    if (o.held <= 0) return;
    const w = this.wallet(a, isBuy(o) ? market.quote : market.base);
    w.locked = r8(Math.max(0, w.locked - o.held));
    w.free = r8(w.free + o.held);
    o.held = 0;
  }

  private findOpen(a: Account, body: Record<string, unknown>): OrderState | undefined {
    if (body.id !== undefined && body.id !== null) return a.orders.find((o) => o.status === 'open' && o.id === Number(body.id));
    if (body.cid === undefined) return undefined;
    return a.orders.find((o) => o.status === 'open' && o.cid === Number(body.cid) && o.cidDate === body.cid_date);
  }

  // ---------------------------------------------------------------- rendering

  private orderArray(o: OrderState): unknown[] {
    const status =
      o.status === 'open' ? 'ACTIVE' : o.status === 'canceled' ? 'CANCELED' : `EXECUTED @ ${o.average}(${isBuy(o) ? o.filled : -o.filled})`;
    const remaining = r8(Math.abs(o.amountOrig) - o.filled) * Math.sign(o.amountOrig);
    return [
      o.id, null, o.cid, o.symbol, o.created, o.updated, remaining, o.amountOrig, o.type, o.typePrev, null, null, 0, status,
      null, null, o.price, o.average, 0, 0, null, null, null, 0, 0, null, null, null, 'API>BFX', null, null, {},
    ];
  }

  /** `withFee` false: the ws 'te' form (FEE and FEE_CURRENCY null). */
  private tradeArray(t: TradeState, withFee: boolean): unknown[] {
    return [
      t.id, t.symbol, t.time, t.orderId, t.amount, t.price, t.orderType, t.orderPrice, t.maker ? 1 : -1,
      withFee ? -t.fee : null, withFee ? t.feeCurrency : null, t.cid,
    ];
  }

  private walletArray(a: Account, currency: string): unknown[] {
    const w = this.wallet(a, currency);
    return ['exchange', currency, r8(w.free + w.locked), 0, w.free, null, null];
  }

  private emitWallet(a: Account, currency: string): void {
    this.host.emit(a.apiKey, [0, 'wu', this.walletArray(a, currency)]);
  }

  private notification(type: string, data: unknown, status: string, text: string): unknown[] {
    return [this.host.now(), type, null, null, data, null, status, text];
  }

  // ---------------------------------------------------------------- state

  private account(apiKey: string): Account {
    const a = this.accounts.get(apiKey);
    if (!a) throw new Error(`mock-bitfinex: no account for that key (addAccount first)`);
    return a;
  }

  private wallet(a: Account, currency: string): { free: number; locked: number } {
    let w = a.wallets.get(currency);
    if (!w) a.wallets.set(currency, (w = { free: 0, locked: 0 }));
    return w;
  }

  private statsFor(apiKey: string): MockExchangeStats {
    let s = this.statsByKey.get(apiKey);
    if (!s) this.statsByKey.set(apiKey, (s = emptyStats()));
    return s;
  }
}

/** start / end / limit of a history request (body fields, numbers or numeric strings). */
function window(body: Record<string, unknown>, defaultLimit: number, maxLimit: number): { start?: number; end?: number; limit: number } | { error: Answer } {
  const int = (name: string): number | undefined | null => {
    const raw = body[name];
    if (raw === undefined || raw === null) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) ? n : null;
  };
  const start = int('start');
  const end = int('end');
  const limit = int('limit');
  if (start === null) return { error: bfxError(10020, 'start: invalid') };
  if (end === null) return { error: bfxError(10020, 'end: invalid') };
  if (limit === null) return { error: bfxError(10020, 'limit: invalid') };
  return { start, end, limit: limit === undefined ? defaultLimit : Math.max(1, Math.min(maxLimit, limit)) };
}
