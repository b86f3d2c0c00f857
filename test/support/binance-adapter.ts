/**
 * MockBinance (mock-binance.ts, Binance's REST and websocket formats) behind the MockExchange
 * interface the shared exchange suite is written against (mock-exchange.ts). Only translation
 * lives here: calls map to Binance paths, Binance's orders to MockExchangeOrder.
 */
import { MockBinance, type FaultTarget, type MockFault, type MockOrder } from './mock-binance';
import { timeframeToMs } from '../../core/timeframe';
import type { MockCall, MockExchange, MockExchangeFault, MockExchangeOrder, MockExchangeStats } from './mock-exchange';
import { testCredentials } from './test-credentials';

/** Binance's paths per kind of call (the prefixes MockBinance's failNext matches). */
const CREATE = (path: string, method: string) => path === '/api/v3/order' && method === 'POST';
const CANCEL = (path: string, method: string) => path === '/api/v3/order' && method === 'DELETE';
/** Reading orders: fetchOrder (GET order), fetchOpenOrders, fetchOrders/fetchClosedOrders (allOrders). */
const LOOKUP = (path: string, method: string) => method === 'GET' && (path === '/api/v3/order' || path === '/api/v3/openOrders' || path === '/api/v3/allOrders');
/** Signed calls: the trading engine's paths and the signed /sapi reads ccxt makes while loading markets. */
const PRIVATE = (path: string) => path.startsWith('/api/v3/account') || path.startsWith('/api/v3/order') || path === '/api/v3/openOrders' || path === '/api/v3/allOrders' || path === '/api/v3/myTrades' || path.startsWith('/sapi/');
/** Market data: everything else under /api/v3 (exchangeInfo, ticker, klines, depth, time). */
const PUBLIC = (path: string) => path.startsWith('/api/v3/') && !PRIVATE(path) && path !== '/api/v3/userDataStream';

const TARGETS: Record<MockCall, FaultTarget> = {
  createOrder: CREATE,
  lookup: LOOKUP,
  cancel: CANCEL,
  private: (path) => PRIVATE(path),
  public: (path) => PUBLIC(path),
};

const QUOTES = ['USDT', 'USDC', 'BUSD', 'BTC', 'ETH', 'BNB'];

/** BTCUSDT -> BTC/USDT */
function unified(id: string): string {
  const quote = QUOTES.find((q) => id.endsWith(q) && id.length > q.length);
  return quote ? `${id.slice(0, -quote.length)}/${quote}` : id;
}

const STATUS: Record<MockOrder['status'], MockExchangeOrder['status']> = {
  NEW: 'open',
  PARTIALLY_FILLED: 'open',
  FILLED: 'closed',
  CANCELED: 'canceled',
  EXPIRED: 'canceled',
};

const TYPE: Record<MockOrder['type'], MockExchangeOrder['type']> = {
  MARKET: 'market',
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  STOP_LOSS: 'stop',
};

export class BinanceAdapter implements MockExchange {
  readonly exchangeId = 'binance';
  readonly symbol = 'BTC/USDT';
  readonly base = 'BTC';
  readonly quote = 'USDT';
  readonly credentials = testCredentials('suitebinance');
  /** The Binance mock itself, for what only Binance has (setNow, user data streams). */
  readonly binance = new MockBinance();

  start(): Promise<string> {
    return this.binance.start();
  }

  stop(): Promise<void> {
    return this.binance.stop();
  }

  setTicker(symbol: string, t: { bid: number; ask: number; last: number }): void {
    this.binance.setTicker(symbol, t);
  }

  setCandles(symbol: string, timeframe: string, rows: number[][]): void {
    this.binance.setKlines(symbol, timeframe, rows);
  }

  /** Binance's kline event says whether the candle closed (`x`); a candle whose time is over has. */
  pushCandle(symbol: string, timeframe: string, row: number[]): void {
    const closed = row[0]! + timeframeToMs(timeframe) <= this.binance.now();
    this.binance.pushKline(symbol, timeframe, row, closed);
  }

  setOrderBook(symbol: string, bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    this.binance.setOrderBook(symbol, bids, asks);
  }

  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts: { feeRate?: number } = {}): void {
    this.binance.addAccount(apiKey, secret, balances, opts.feeRate === undefined ? {} : { feeRate: opts.feeRate });
  }

  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    return this.binance.balances(apiKey);
  }

  orders(apiKey?: string): MockExchangeOrder[] {
    return this.binance.orders(apiKey).map((o) => {
      const symbol = unified(o.symbol);
      const quote = symbol.split('/')[1];
      // Binance charges a buy's fee in the base asset received: valued at its fill's price.
      const fee = o.fills.reduce((sum, f) => sum + (f.commissionAsset === quote ? f.commission : f.commission * f.price), 0);
      return {
        id: String(o.orderId),
        clientOrderId: o.clientOrderId,
        symbol,
        side: o.side === 'BUY' ? 'buy' : 'sell',
        type: TYPE[o.type],
        status: STATUS[o.status],
        amount: o.origQty,
        filled: o.executedQty,
        price: o.type === 'MARKET' ? 0 : o.price,
        average: o.executedQty > 0 ? o.cummulativeQuoteQty / o.executedQty : 0,
        fee,
      };
    });
  }

  stats(apiKey?: string): MockExchangeStats {
    const t = this.binance.tradingStats(apiKey);
    const lookups = this.binance.requests.filter((r) => (apiKey === undefined || r.apiKey === apiKey) && LOOKUP(r.path, r.method)).length;
    return { createRequests: t.createRequests, ordersCreated: t.ordersCreated, cancelRequests: t.cancelRequests, lookups };
  }

  failNext(call: MockCall, n: number, fault: MockExchangeFault): void {
    this.binance.failNext(n, fault as MockFault, TARGETS[call]);
  }

  clearFaults(): void {
    this.binance.clearFaults();
  }

  rejectWebSockets(on: boolean): void {
    this.binance.rejectWebSockets(on, 404);
  }

  silenceWebSockets(): void {
    this.binance.silenceWebSockets();
  }

  wsConnectionCount(): number {
    return this.binance.wsConnectionCount();
  }

  requestCount(pathPrefix?: string): number {
    return this.binance.requestCount(pathPrefix);
  }
}

