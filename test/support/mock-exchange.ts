/**
 * What every wire-format mock exchange offers the shared integration suite
 * (test/integration/exchanges.test.ts): Binance (mock-binance.ts through binance-adapter.ts),
 * Kraken (mock-kraken.ts), Bitfinex (mock-bitfinex.ts). Each speaks its exchange's own REST and
 * websocket formats on 127.0.0.1, so a REAL ccxt instance, pointed at it through the exchange
 * node's API URL (core/market/api-url-override.ts), talks to it unmodified.
 *
 * Symbols here are ccxt's unified ones ('BTC/USD'); each mock maps them to its own ids
 * (Kraken XXBTZUSD / XBTUSD, Bitfinex tBTCUSD, Binance BTCUSDT).
 */

/**
 * A fault injected into the next matching request(s).
 *  - 'timeout': held and never answered (the client times out); NOT processed.
 *  - 'reset': the socket is destroyed; NOT processed.
 *  - { status: 5xx }: a gateway error page (HTML); NOT processed.
 *  - 'acceptedThenLost': processed fully (the order is created and may fill), then the socket is destroyed.
 *  - 'acceptedThenTimeout': processed fully, then never answered.
 *  - { lateExecutionMs, answer }: answered with `answer` WITHOUT being processed, and processed
 *    `lateExecutionMs` later after all (a matching engine working through a backlog).
 *  - { emptyAnswer: true }: a lookup answered "nothing found" (an empty result) without looking.
 */
export type MockExchangeFault =
  | 'timeout'
  | 'reset'
  | { status: 500 | 502 | 503 }
  | 'acceptedThenLost'
  | 'acceptedThenTimeout'
  | { lateExecutionMs: number; answer: 'timeout' | 503 }
  | { emptyAnswer: true };

/**
 * Which requests a fault applies to.
 *  - createOrder: the order-placing call (Binance POST /api/v3/order, Kraken AddOrder, Bitfinex w/order/submit)
 *  - lookup: any call that reads orders (fetch one, open orders, closed orders, history)
 *  - cancel: the cancel call
 *  - private: any authenticated REST call
 *  - public: any public REST call (markets, ticker, candles, book)
 */
export type MockCall = 'createOrder' | 'lookup' | 'cancel' | 'private' | 'public';

export interface MockExchangeOrder {
  /** The exchange's order id as its API returns it. */
  id: string;
  /** The client order id exactly as the request carried it (Kraken cl_ord_id, Bitfinex cid as a decimal string, Binance newClientOrderId); '' when none. */
  clientOrderId: string;
  /** Unified symbol, 'BTC/USD'. */
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop';
  status: 'open' | 'closed' | 'canceled';
  amount: number;
  filled: number;
  /** Limit price; 0 for market orders. */
  price: number;
  /** Average fill price; 0 when nothing filled. */
  average: number;
  /** Fee paid, in the quote currency. */
  fee: number;
}

export interface MockExchangeStats {
  /** Order-placing requests received, whatever became of them (faulted, rejected, accepted). */
  createRequests: number;
  /** Orders that exist because of them (accepted, including late executions). */
  ordersCreated: number;
  cancelRequests: number;
  /** Requests that read orders (lookups and polls). */
  lookups: number;
}

export interface MockExchange {
  /** ccxt's id for this exchange: 'binance', 'kraken', 'bitfinex'. */
  readonly exchangeId: string;
  /** The symbol the shared suite trades, unified ('BTC/USD', 'BTC/USDT'), and its currencies. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** A key and secret in the exchange's own format (Kraken's secret is base64) that addAccount accepts. */
  readonly credentials: { apiKey: string; secret: string };

  /** Listens on 127.0.0.1 (a free port); returns the base URL, `http://127.0.0.1:PORT`, for the exchange node's API URL. */
  start(): Promise<string>;
  /** Closes every socket and the server. */
  stop(): Promise<void>;

  /** Sets bid/ask/last (REST and websocket subscribers see it) and fills resting limit orders it crosses. */
  setTicker(symbol: string, t: { bid: number; ask: number; last: number }): void;
  /** Replaces the candles of a timeframe: rows of [ms, open, high, low, close, volume], oldest first. */
  setCandles(symbol: string, timeframe: string, rows: number[][]): void;
  /** Appends or updates the newest candle and pushes it to websocket subscribers. */
  pushCandle(symbol: string, timeframe: string, row: number[]): void;
  setOrderBook(symbol: string, bids: Array<[number, number]>, asks: Array<[number, number]>): void;

  /** Creates an account the credentials above (or others) sign for, with free balances. */
  addAccount(apiKey: string, secret: string, balances: Record<string, number>, opts?: { feeRate?: number }): void;
  /** Free and locked (in open orders) per currency, unified codes ('BTC', not 'XXBT'). */
  balances(apiKey: string): Record<string, { free: number; locked: number }>;
  orders(apiKey?: string): MockExchangeOrder[];
  stats(apiKey?: string): MockExchangeStats;

  /** The next `n` requests of that call get `fault`. */
  failNext(call: MockCall, n: number, fault: MockExchangeFault): void;
  clearFaults(): void;
  /** true: every websocket upgrade is refused (HTTP 404), as by a firewall or a REST-only proxy; false: accepted again. */
  rejectWebSockets(on: boolean): void;
  /** Open websockets stay open and answer pings but deliver no more data (until the client reconnects). */
  silenceWebSockets(): void;
  /** Websocket connections open now. */
  wsConnectionCount(): number;
  /** REST requests received so far, optionally only those whose path starts with `pathPrefix`. */
  requestCount(pathPrefix?: string): number;
}
