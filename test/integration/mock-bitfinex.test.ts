/**
 * Proves a REAL ccxt bitfinex (pro, never stubbed) talks to MockBitfinex over HTTP and both
 * websockets, and pins what ccxt 4.5.84's bitfinex does with Bitfinex's answers (client order
 * ids, lookups, paging, errors), which the product's order lookups depend on.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { MockBitfinex } from '../support/mock-bitfinex';
import { ccxtBitfinexForMock } from '../support/ccxt-bitfinex-for-mock';
import { apiUrlMap } from '../../core/market/api-url-override';
import { waitFor } from '../support/wait';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

/** Waits for a condition the mock reaches on its own, e.g. a late execution. */
const until = (cond: () => boolean, timeoutMs = 2000) => waitFor(cond, timeoutMs, 'the mock to reach the state');

/** ccxt's ws order book sides are Array subclasses with a count column; deepEqual wants [price, amount]. */
function plain(side: ArrayLike<number[]>): number[][] {
  return Array.from(side, (level) => [level[0]!, level[1]!]);
}

/** A raw websocket client reading Bitfinex messages in order. */
async function rawClient(url: string): Promise<{ send: (m: unknown) => void; next: () => Promise<any>; close: () => void }> {
  const ws = new WebSocket(url);
  const inbox: any[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    inbox.push(JSON.parse(d.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    send: (m) => ws.send(JSON.stringify(m)),
    next: async () => {
      while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
      return inbox.shift();
    },
    close: () => ws.terminate(),
  };
}

const MIN = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MIN);
const CID = 12345678901;

describe('MockBitfinex with a real ccxt bitfinex', function () {
  this.timeout(10_000);
  let mock: MockBitfinex;
  let ex: any;
  let key: string;

  beforeEach(async () => {
    mock = new MockBitfinex();
    const url = await mock.start();
    key = mock.credentials.apiKey;
    mock.addAccount(key, mock.credentials.secret, { USD: 10_000, BTC: 1 }, { feeRate: 0.002 });
    // rateLimit: ccxt would otherwise space calls 250 ms x cost 2.7 apart
    ex = await ccxtBitfinexForMock(url, { ...mock.credentials, timeout: 2000, rateLimit: 5 });
  });

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  describe('public REST', () => {
    it("rewrites ccxt's addresses: the public host bare, the private one under /api.bitfinex.com", () => {
      const ws = mock.url.replace('http:', 'ws:');
      assert.equal(ex.urls.api.public, mock.url);
      assert.equal(ex.urls.api.private, `${mock.url}/api.bitfinex.com`);
      assert.equal(ex.urls.api.ws.public, `${ws}/ws/2`);
      assert.equal(ex.urls.api.ws.private, `${ws}/api.bitfinex.com/ws/2`);
      assert.deepEqual(
        apiUrlMap({ public: 'https://api-pub.bitfinex.com', private: 'https://api.bitfinex.com' }, mock.url).map((e) => e.to),
        [mock.url, `${mock.url}/api.bitfinex.com`],
      );
    });

    it('loadMarkets reads the conf lists: markets with their order sizes, currencies', async () => {
      const markets = await ex.loadMarkets();
      assert.deepEqual(Object.keys(markets).sort(), ['BTC/USD', 'ETH/USD']);
      const m = markets['BTC/USD'];
      assert.equal(m.id, 'tBTCUSD');
      assert.equal(m.spot, true);
      assert.equal(m.limits.amount.min, 0.00004);
      assert.equal(m.limits.amount.max, 2000);
      assert.deepEqual(Object.keys(ex.currencies).sort(), ['BTC', 'ETH', 'USD']);
      assert.equal(ex.currencies.BTC.type, 'crypto');
      assert.equal(mock.requestCount('/v2/conf/'), 2, 'fetchMarkets and fetchCurrencies, one conf request each');
      assert.equal(mock.requestCount(), 2);
    });

    it('fetchTicker and fetchTickers', async () => {
      mock.setTicker('BTC/USD', { bid: 61000, ask: 61001, last: 61000.5, volume: 123.5 });
      const t = await ex.fetchTicker('BTC/USD');
      assert.equal(t.symbol, 'BTC/USD');
      assert.equal(t.bid, 61000);
      assert.equal(t.ask, 61001);
      assert.equal(t.last, 61000.5);
      assert.equal(t.baseVolume, 123.5);
      assert.equal(mock.requests.at(-1)!.path, '/v2/ticker/tBTCUSD');
      const all = await ex.fetchTickers(['BTC/USD', 'ETH/USD']);
      assert.deepEqual(Object.keys(all).sort(), ['BTC/USD', 'ETH/USD']);
      assert.equal(all['ETH/USD'].last, 3000);
    });

    it('fetchOHLCV: since gives the oldest from start (sort=1), none gives the newest; limit applies', async () => {
      const rows = Array.from({ length: 10 }, (_, i) => [T0 + i * MIN, 100 + i, 101 + i, 99 + i, 100.5 + i, 10 + i]);
      mock.setCandles('BTC/USD', '1m', rows);
      assert.deepEqual(await ex.fetchOHLCV('BTC/USD', '1m', T0 + 3 * MIN, 4), rows.slice(3, 7));
      assert.equal(mock.requests.at(-1)!.path, '/v2/candles/trade:1m:tBTCUSD/hist');
      assert.deepEqual(mock.requests.at(-1)!.query, { limit: '4', start: String(T0 + 3 * MIN), sort: '1' });
      assert.deepEqual(await ex.fetchOHLCV('BTC/USD', '1m', undefined, 3), rows.slice(7, 10));
      assert.deepEqual(mock.requests.at(-1)!.query, { limit: '3' }, 'no sort: Bitfinex answers newest first');
      assert.deepEqual(await ex.fetchOHLCV('BTC/USD', '1m', undefined, 3, { until: T0 + 5 * MIN }), rows.slice(3, 6));
      mock.setCandles('BTC/USD', '1d', [[T0, 1, 2, 0.5, 1.5, 3]]);
      assert.deepEqual(await ex.fetchOHLCV('BTC/USD', '1d'), [[T0, 1, 2, 0.5, 1.5, 3]]);
      assert.equal(mock.requests.at(-1)!.path, '/v2/candles/trade:1D:tBTCUSD/hist', "ccxt's 1d is Bitfinex's 1D");
    });

    it("fetchOrderBook: ccxt's default raw book (R0) and the P0 precision", async () => {
      mock.setOrderBook('BTC/USD', [[59990, 1], [59995, 0.5]], [[60010, 1.5], [60005, 0.25]]);
      const raw = await ex.fetchOrderBook('BTC/USD', 25);
      assert.deepEqual(raw.bids, [[59995, 0.5], [59990, 1]]);
      assert.deepEqual(raw.asks, [[60005, 0.25], [60010, 1.5]]);
      assert.equal(mock.requests.at(-1)!.path, '/v2/book/tBTCUSD/R0');
      assert.deepEqual(mock.requests.at(-1)!.query, { len: '25' });
      const p0 = await ex.fetchOrderBook('BTC/USD', undefined, { precision: 'P0' });
      assert.deepEqual(p0.bids, raw.bids);
      assert.equal(mock.requests.at(-1)!.path, '/v2/book/tBTCUSD/P0');
      const err = await rejection(ex.fetchOrderBook('BTC/USD', 7));
      assert.match(err.message, /len: invalid/, 'Bitfinex serves len 1, 25 or 100');
    });

    it('fetchStatus reads /v2/platform/status', async () => {
      assert.equal((await ex.fetchStatus()).status, 'ok');
    });

    it('an unknown symbol on the wire is BadSymbol', async () => {
      const err = await rejection(ex.publicGetTickerSymbol({ symbol: 'tNOPEUSD' }));
      assert.equal(err.constructor.name, 'BadSymbol');
    });
  });

  describe('authenticated REST', () => {
    it('fetchBalance reads the exchange wallet: total and available', async () => {
      await ex.createOrder('BTC/USD', 'limit', 'sell', 0.25, 70000);
      const b = await ex.fetchBalance();
      assert.equal(b.BTC.total, 1);
      assert.equal(b.BTC.free, 0.75);
      assert.equal(b.BTC.used, 0.25);
      assert.equal(b.USD.free, 10_000);
      assert.deepEqual(mock.balances(key).BTC, { free: 0.75, locked: 0.25 });
    });

    it('a market buy with clientOrderId fills at the ask; the answer is the order as accepted; cid sent as an integer and echoed; fee on the trade only', async () => {
      mock.setTicker('BTC/USD', { bid: 59990, ask: 60000, last: 59995 });
      const o = await ex.createOrder('BTC/USD', 'market', 'buy', 0.01, undefined, { clientOrderId: CID });
      const sent = JSON.parse(mock.requests.at(-1)!.body!);
      assert.deepEqual(sent, { symbol: 'tBTCUSD', amount: '0.01', type: 'EXCHANGE MARKET', cid: CID });
      assert.equal(o.clientOrderId, String(CID));
      // Bitfinex answers a submit with the order as accepted, before matching
      assert.deepEqual([o.status, o.filled, o.remaining, o.average], ['open', 0, 0.01, undefined]);
      const [done] = await ex.fetchClosedOrders('BTC/USD');
      assert.deepEqual([done.id, done.clientOrderId, done.status, done.filled, done.average], [o.id, String(CID), 'closed', 0.01, 60000]);
      assert.equal(done.fee, undefined, "Bitfinex's order has no fee: ccxt parseOrder reports none");
      mock.submitAnswersAfterMatching = true;
      const o2 = await ex.createOrder('BTC/USD', 'market', 'sell', 0.01);
      assert.deepEqual([o2.status, o2.filled, o2.average], ['closed', 0.01, 59990]);
      mock.submitAnswersAfterMatching = false;
      const trades = await ex.fetchOrderTrades(o.id, 'BTC/USD');
      assert.equal(trades.length, 1);
      assert.deepEqual(trades[0].fee, { cost: 1.2, currency: 'USD' });
      assert.equal(trades[0].takerOrMaker, 'taker');
      const mine = await ex.fetchMyTrades('BTC/USD');
      assert.deepEqual(mine.map((t: any) => [t.order, t.side, t.amount, t.price, t.fee.cost]), [
        [o.id, 'buy', 0.01, 60000, 1.2],
        [o2.id, 'sell', 0.01, 59990, 1.1998],
      ]);
      assert.deepEqual(mock.balances(key).USD, { free: 9997.5002, locked: 0 });
      assert.deepEqual(mock.balances(key).BTC, { free: 1, locked: 0 });
      const [recorded] = mock.orders(key);
      assert.deepEqual(
        { ...recorded, id: undefined },
        { id: undefined, clientOrderId: String(CID), symbol: 'BTC/USD', side: 'buy', type: 'market', status: 'closed', amount: 0.01, filled: 0.01, price: 0, average: 60000, fee: 1.2 },
      );
      assert.equal(recorded!.id, o.id);
    });

    it("feeCurrency 'received' charges the fee as Bitfinex does: a buy pays it in the base", async () => {
      const other = { apiKey: 'mock-bitfinex-key-0002', secret: 'mock-bitfinex-secret-0002' };
      mock.addAccount(other.apiKey, other.secret, { USD: 1000 }, { feeRate: 0.002, feeCurrency: 'received' });
      const ex2 = await ccxtBitfinexForMock(mock.url, { ...other, rateLimit: 5 });
      try {
        const o = await ex2.createOrder('BTC/USD', 'market', 'buy', 0.01); // at the ask, 60001
        const [t] = await ex2.fetchOrderTrades(o.id, 'BTC/USD');
        assert.deepEqual(t.fee, { cost: 0.00002, currency: 'BTC' });
        assert.deepEqual(mock.balances(other.apiKey), { USD: { free: 399.99, locked: 0 }, BTC: { free: 0.00998, locked: 0 } });
        assert.equal(mock.orders(other.apiKey)[0]!.fee, 1.20002, 'MockExchangeOrder.fee is valued in the quote');
        const s = await ex2.createOrder('BTC/USD', 'market', 'sell', 0.005); // at the bid, 59999
        const [ts] = await ex2.fetchOrderTrades(s.id, 'BTC/USD');
        assert.deepEqual(ts.fee, { cost: 0.599990, currency: 'USD' }, 'a sell brings in the quote');
      } finally {
        await ex2.close();
      }
      assert.deepEqual(mock.balances(key).USD, { free: 10_000, locked: 0 }, 'the other account is untouched');
    });

    it('a cid that is not an int45 is refused ("cid: invalid"), and no order exists', async () => {
      for (const cid of ['abc', '12345', 1.5, 2 ** 45]) {
        const err = await rejection(ex.createOrder('BTC/USD', 'market', 'buy', 0.01, undefined, { clientOrderId: cid }));
        assert.equal(err.constructor.name, 'BadRequest', String(cid));
        assert.match(err.message, /cid: invalid/);
      }
      assert.equal(mock.orders().length, 0);
      assert.deepEqual(mock.stats(key), { createRequests: 4, ordersCreated: 0, cancelRequests: 0, lookups: 0 });
    });

    it('a limit order rests (funds locked), is found open by id and cid, fills when the ticker crosses, then is only in the history', async () => {
      const o = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.1, 59000, { clientOrderId: CID });
      assert.equal(o.status, 'open');
      assert.deepEqual(mock.balances(key).USD, { free: 4088.2, locked: 5911.8 }, 'price x amount + the fee, held');
      const open = await ex.fetchOpenOrders('BTC/USD');
      assert.deepEqual(open.map((x: any) => [x.id, x.clientOrderId, x.status, x.price]), [[o.id, String(CID), 'open', 59000]]);
      assert.equal((await ex.fetchOrder(o.id, 'BTC/USD')).clientOrderId, String(CID));
      // auth/r/orders also takes cid + cid_date (ccxt still sends id: [..], empty here)
      const today = new Date().toISOString().slice(0, 10);
      const byCid = await ex.privatePostAuthROrders({ cid: CID, cid_date: today });
      assert.deepEqual(byCid.map((x: any[]) => x[0]), [Number(o.id)]);

      mock.setTicker('BTC/USD', { bid: 58900, ask: 58950, last: 58950 });
      assert.deepEqual(await ex.fetchOpenOrders(), []);
      const closed = await ex.fetchClosedOrders('BTC/USD');
      const found = closed.find((x: any) => x.clientOrderId === String(CID));
      assert.equal(found.id, o.id);
      assert.equal(found.status, 'closed');
      assert.equal(found.average, 59000, 'a resting order fills at its own price');
      assert.deepEqual(mock.balances(key).USD, { free: 4088.2, locked: 0 });
      assert.equal(mock.balances(key).BTC.free, 1.1);
      // ccxt 4.5.84 fetchOrder reads auth/r/orders, which holds OPEN orders only: a filled order
      // comes back as an order whose every field is undefined (no OrderNotFound).
      const gone = await ex.fetchOrder(o.id, 'BTC/USD');
      assert.equal(gone.id, undefined);
      assert.equal(gone.status, undefined);
    });

    it("lookups by cid: ccxt's fetchOrder cannot (it needs an id); auth/r/orders can for open orders; history holds 25 by default", async () => {
      const today = new Date().toISOString().slice(0, 10);
      await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000, { clientOrderId: 99 });
      const err = await rejection(ex.fetchOrder(undefined, 'BTC/USD', { cid: 99, cid_date: today }));
      assert.equal(err.constructor.name, 'TypeError', 'ccxt 4.5.84 parseToNumeric(undefined) throws before any request');
      const raw = await ex.privatePostAuthROrdersSymbol({ symbol: 'tBTCUSD', cid: 99, cid_date: today });
      const parsed = ex.parseOrder({ result: raw[0] });
      assert.deepEqual([parsed.clientOrderId, parsed.status, parsed.symbol], ['99', 'open', 'BTC/USD']);
      for (let i = 1; i <= 26; i++) {
        mock.setNow(T0 + i * 1000);
        await ex.createOrder('BTC/USD', 'market', 'buy', 0.0001, undefined, { clientOrderId: i });
      }
      mock.setNow(T0 + 100_000);
      mock.setTicker('BTC/USD', { bid: 48990, ask: 49000, last: 48995 }); // fills cid 99
      const closed = await ex.fetchClosedOrders('BTC/USD');
      assert.equal(closed.length, 25, 'the 27 closed orders do not fit a default lookup');
      assert.equal(closed.find((o: any) => o.clientOrderId === '1'), undefined);
      // ccxt's order timestamp is Bitfinex's MTS_UPDATE (index 5), not the creation time (4)
      const filled = closed.find((o: any) => o.clientOrderId === '99');
      assert.equal(filled.timestamp, T0 + 100_000);
      assert.ok(filled.info[4] > T0 + 100_000, 'created before setNow, on the wall clock');
    });

    it('cancelOrder by id answers the order as it was (ACTIVE -> ccxt "open"); by cid it needs cidDate', async () => {
      const a = await ex.createOrder('BTC/USD', 'limit', 'sell', 0.2, 70000, { clientOrderId: 1 });
      const b = await ex.createOrder('BTC/USD', 'limit', 'sell', 0.3, 71000, { clientOrderId: 2 });
      assert.equal(mock.balances(key).BTC.locked, 0.5);
      const answered = await ex.cancelOrder(a.id, 'BTC/USD');
      assert.equal(answered.id, a.id);
      assert.equal(answered.status, 'open', 'Bitfinex answers "Submitted for cancellation" with the ACTIVE order');
      assert.equal((await rejection(ex.cancelOrder(undefined, 'BTC/USD', { clientOrderId: 2 }))).constructor.name, 'InvalidOrder');
      const today = new Date().toISOString().slice(0, 10);
      const byCid = await ex.cancelOrder(undefined, 'BTC/USD', { clientOrderId: 2, cidDate: today });
      assert.equal(byCid.id, b.id);
      const hist = await ex.fetchClosedOrders('BTC/USD');
      assert.deepEqual(hist.map((x: any) => [x.clientOrderId, x.status]).sort(), [['1', 'canceled'], ['2', 'canceled']]);
      assert.deepEqual(mock.balances(key).BTC, { free: 1, locked: 0 });
      assert.equal((await rejection(ex.cancelOrder(a.id, 'BTC/USD'))).constructor.name, 'OrderNotFound');
      assert.equal(mock.stats(key).cancelRequests, 3, 'the one ccxt refused locally never reached the mock');
    });

    it('fetchClosedOrders pages newest first: limit takes the newest, until (end) pages back', async () => {
      for (let i = 1; i <= 5; i++) {
        mock.setNow(T0 + i * 1000);
        await ex.createOrder('BTC/USD', 'market', 'buy', 0.001, undefined, { clientOrderId: i });
      }
      const newest = await ex.fetchClosedOrders('BTC/USD', undefined, 2);
      // ccxt sorts what it got ascending; what it got is the newest two
      assert.deepEqual(newest.map((o: any) => o.clientOrderId), ['4', '5']);
      const oldestOfPage = Math.min(...newest.map((o: any) => o.info[5] as number));
      assert.equal(oldestOfPage, T0 + 4000, 'MTS_UPDATE (info[5]) is what start/end bound');
      const back = await ex.fetchClosedOrders('BTC/USD', undefined, 2, { until: oldestOfPage - 1 });
      assert.deepEqual(JSON.parse(mock.requests.at(-1)!.body!), { limit: 2, end: oldestOfPage - 1 });
      assert.deepEqual(back.map((o: any) => o.clientOrderId), ['2', '3']);
      // with since, Bitfinex still answers the NEWEST `limit` after it, not the oldest
      const since = await ex.fetchClosedOrders('BTC/USD', 0, 2);
      assert.deepEqual(since.map((o: any) => o.clientOrderId), ['4', '5']);
      assert.equal((await ex.fetchClosedOrders()).length, 5, 'default limit 25, all symbols');
    });

    it('refuses what Bitfinex refuses: insufficient balance, below minimum size', async () => {
      const poor = await rejection(ex.createOrder('BTC/USD', 'market', 'buy', 1, undefined));
      assert.equal(poor.constructor.name, 'InsufficientFunds');
      const tiny = await rejection(ex.createOrder('BTC/USD', 'limit', 'buy', 0.00001, 50000));
      assert.match(tiny.message, /minimum size/);
      assert.deepEqual(mock.stats(key), { createRequests: 2, ordersCreated: 0, cancelRequests: 0, lookups: 0 });
    });

    it('a wrong signature, an unknown key and a stale nonce are refused', async () => {
      const wrong = await ccxtBitfinexForMock(mock.url, { apiKey: key, secret: 'not-the-secret', rateLimit: 5 });
      const unknown = await ccxtBitfinexForMock(mock.url, { apiKey: 'nobody', secret: 'x', rateLimit: 5 });
      try {
        const e1 = await rejection(wrong.fetchBalance());
        assert.equal(e1.constructor.name, 'AuthenticationError');
        assert.match(e1.message, /apikey: digest invalid/);
        assert.doesNotMatch(e1.message, /not-the-secret/);
        assert.equal((await rejection(unknown.fetchBalance())).constructor.name, 'AuthenticationError');
      } finally {
        await wrong.close();
        await unknown.close();
      }
      await ex.fetchBalance();
      ex.nonce = () => 1000; // far below the last one used
      const stale = await rejection(ex.fetchBalance());
      assert.equal(stale.constructor.name, 'InvalidNonce');
    });

    it('ccxt 4.5.84 ignores stopLossPrice for bitfinex: the "stop" goes out as a market order', async () => {
      const o = await ex.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined, { stopLossPrice: 50000 });
      const sent = JSON.parse(mock.requests.at(-1)!.body!);
      assert.equal(sent.type, 'EXCHANGE MARKET');
      assert.equal(sent.stopLossPrice, 50000, 'passed through as an unknown field');
      assert.equal(mock.orders(key).find((x) => x.id === o.id)!.status, 'closed', 'sold at once');
      // triggerPrice is what ccxt maps to an EXCHANGE STOP
      const stop = await ex.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined, { triggerPrice: 50000 });
      assert.equal(JSON.parse(mock.requests.at(-1)!.body!).type, 'EXCHANGE STOP');
      assert.equal(stop.status, 'open');
      mock.setTicker('BTC/USD', { bid: 49990, ask: 50010, last: 49995 });
      const done = mock.orders(key).find((x) => x.id === stop.id)!;
      assert.deepEqual([done.type, done.status, done.average], ['stop', 'closed', 49990]);
    });
  });

  describe('websockets', () => {
    it('watchTicker: the snapshot, then updates', async () => {
      const first = await ex.watchTicker('BTC/USD');
      assert.equal(first.last, 60000);
      assert.equal(first.bid, 59999);
      const next = ex.watchTicker('BTC/USD');
      mock.setTicker('BTC/USD', { bid: 61000, ask: 61002, last: 61001 });
      const t = await next;
      assert.deepEqual([t.bid, t.ask, t.last], [61000, 61002, 61001]);
      assert.deepEqual(mock.wsSubscriptions(), ['ticker:tBTCUSD']);
      assert.equal(mock.wsConnectionCount(), 1);
    });

    it('watchOHLCV: the snapshot (newest first on the wire), then pushed candles', async () => {
      const rows = [
        [T0, 1, 2, 0.5, 1.5, 10],
        [T0 + MIN, 1.5, 3, 1, 2, 5],
      ];
      mock.setCandles('BTC/USD', '1m', rows);
      assert.deepEqual(await ex.watchOHLCV('BTC/USD', '1m'), rows);
      const next = ex.watchOHLCV('BTC/USD', '1m');
      mock.pushCandle('BTC/USD', '1m', [T0 + MIN, 1.5, 3.5, 1, 3, 6]);
      assert.deepEqual(await next, [[T0 + MIN, 1.5, 3.5, 1, 3, 6]]);
      assert.deepEqual(mock.wsSubscriptions(), ['candles:trade:1m:tBTCUSD']);
    });

    it('watchOrderBook: snapshot, updates and checksums ccxt verifies', async () => {
      const book = await ex.watchOrderBook('BTC/USD');
      assert.deepEqual(plain(book.bids).slice(0, 2), [[59999, 1], [59998, 2]]);
      await mock.waitForChecksums();
      // Each round's checksum follows its updates; a mismatch would make ccxt drop the book and
      // reject the NEXT watch with ChecksumError (so the last round is followed by one more).
      const rounds: Array<[Array<[number, number]>, Array<[number, number]>]> = [
        [[[59990, 1], [59980, 0.00000123]], [[60010, 2]]],
        [[[59990, 1.5]], [[60010, 2], [60020, 1]]],
        [[[59990, 1.5]], [[60020, 1]]],
        [[[59991, 1]], [[60020, 1]]],
      ];
      for (const [bids, asks] of rounds) {
        const next = ex.watchOrderBook('BTC/USD');
        mock.setOrderBook('BTC/USD', bids, asks);
        const b = await next;
        assert.deepEqual(plain(b.bids), bids);
        assert.deepEqual(plain(b.asks), asks);
      }
    });

    it('book checksums are CRC-32 of the interleaved top levels, as ccxt computes them', async () => {
      const c = await rawClient(`${mock.url.replace('http:', 'ws:')}/ws/2`);
      try {
        assert.equal((await c.next()).event, 'info');
        c.send({ event: 'conf', flags: 131072 });
        assert.deepEqual(await c.next(), { event: 'conf', status: 'OK', flags: 131072 });
        c.send({ event: 'subscribe', channel: 'book', symbol: 'tETHUSD', prec: 'P0', len: '25' });
        const ack = await c.next();
        assert.deepEqual([ack.event, ack.channel, ack.symbol, ack.prec, ack.len], ['subscribed', 'book', 'tETHUSD', 'P0', '25']);
        assert.equal((await c.next())[1].length, 10, 'snapshot: 5 bids and 5 asks');
        mock.setOrderBook('ETH/USD', [[2999.5, 0.0000001]], [[3000.5, 2]]);
        const updates: any[] = [];
        let msg = await c.next();
        while (msg[1] !== 'cs') {
          updates.push(msg[1]);
          msg = await c.next();
        }
        assert.ok(updates.some((u) => u[0] === 2999.9 && u[1] === 0 && u[2] === 1), 'a removed bid: count 0, amount 1');
        assert.ok(updates.some((u) => u[0] === 3000.5 && u[1] === 1 && u[2] === -2), 'an ask: negative amount');
        assert.equal(msg[2], ex.crc32('2999.5:0.0000001:3000.5:-2', true));
      } finally {
        c.close();
      }
    });

    it('heartbeats on demand, and silenceWebSockets stops data but not answers', async () => {
      const c = await rawClient(`${mock.url.replace('http:', 'ws:')}/ws/2`);
      try {
        await c.next(); // info
        c.send({ event: 'subscribe', channel: 'ticker', symbol: 'tBTCUSD' });
        const { chanId } = await c.next();
        assert.equal((await c.next())[0], chanId); // snapshot
        mock.heartbeat();
        assert.deepEqual(await c.next(), [chanId, 'hb']);
        mock.silenceWebSockets();
        mock.setTicker('BTC/USD', { bid: 1, ask: 2, last: 1.5 });
        mock.heartbeat();
        c.send({ event: 'ping', cid: 7 });
        const pong = await c.next(); // nothing was queued before it
        assert.deepEqual([pong.event, pong.cid], ['pong', 7]);
        assert.equal(mock.wsConnectionCount(), 1, 'still open');
      } finally {
        c.close();
      }
    });

    it('watchOrders sees a limit order open then fill (ccxt reads the cid from the wrong field)', async () => {
      const watching = ex.watchOrders('BTC/USD');
      await mock.waitForAuth(key);
      const placed = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 59500, { clientOrderId: CID });
      const opened = await watching;
      assert.deepEqual(opened.map((o: any) => [o.id, o.status]), [[placed.id, 'open']]);
      const filled = ex.watchOrders('BTC/USD');
      mock.setTicker('BTC/USD', { bid: 59400, ask: 59450, last: 59420 });
      const [o] = await filled;
      assert.deepEqual([o.id, o.status, o.filled, o.average], [placed.id, 'closed', 0.01, 59500]);
      // pro bitfinex parseWsOrder takes clientOrderId from index 1 (the group id, null); the cid is at 2
      assert.equal(o.clientOrderId, undefined);
      assert.equal(o.info[2], CID);
      // wallets: 'wu' updates (a resting sell locks BTC: BALANCE stays, AVAILABLE drops)
      const balance = ex.watchBalance();
      await ex.createOrder('BTC/USD', 'limit', 'sell', 0.01, 70000);
      const b = await balance;
      assert.deepEqual([b.BTC.total, b.BTC.free], [1.01, 1]);
    });

    it('the open orders at connect (the os snapshot) reach watchOrders, with the next order event at the latest', async () => {
      const a = await ex.createOrder('BTC/USD', 'limit', 'sell', 0.2, 70000, { clientOrderId: 7 });
      const b = await ex.createOrder('BTC/USD', 'limit', 'sell', 0.3, 71000, { clientOrderId: 8 });
      const watching = ex.watchOrders();
      await mock.waitForAuth(key);
      // 'os' follows the auth answer at once; when both arrive in one read, ccxt caches the
      // snapshot before its 'orders' future exists and nothing resolves until the next event
      await ex.cancelOrder(a.id);
      const seen = new Map<string, [string, number]>();
      for (let got = await watching; ; got = await ex.watchOrders()) {
        for (const o of got) seen.set(o.id, [o.status, o.info[2]]);
        if (seen.get(a.id)?.[0] === 'canceled') break;
      }
      assert.deepEqual(seen.get(b.id), ['open', 8], 'from the snapshot');
      assert.deepEqual(seen.get(a.id), ['canceled', 7]);
    });

    it('unWatchTicker and unWatchOHLCV unsubscribe by chanId', async () => {
      await ex.watchTicker('BTC/USD');
      mock.setCandles('ETH/USD', '1h', [[T0, 1, 1, 1, 1, 1]]);
      await ex.watchOHLCV('ETH/USD', '1h');
      assert.deepEqual(mock.wsSubscriptions(), ['candles:trade:1h:tETHUSD', 'ticker:tBTCUSD']);
      await ex.unWatchTicker('BTC/USD');
      assert.deepEqual(mock.wsSubscriptions(), ['candles:trade:1h:tETHUSD']);
      await ex.unWatchOHLCV('ETH/USD', '1h');
      assert.deepEqual(mock.wsSubscriptions(), []);
      assert.equal(mock.wsConnectionCount(), 1);
    });

    it('a websocket auth with a wrong secret is an AuthenticationError', async () => {
      const wrong = await ccxtBitfinexForMock(mock.url, { apiKey: key, secret: 'not-the-secret', rateLimit: 5 });
      try {
        const err = await rejection(wrong.watchOrders());
        assert.equal(err.constructor.name, 'AuthenticationError');
        assert.match(err.message, /10100/);
      } finally {
        await wrong.close();
      }
    });

    it('rejectWebSockets(true) answers upgrades with 404 until turned off', async () => {
      mock.rejectWebSockets(true);
      const err = await rejection(ex.watchTicker('BTC/USD'));
      assert.equal(err.constructor.name, 'NetworkError');
      assert.match(err.message, /Unexpected server response: 404/);
      assert.equal(mock.wsConnectionCount(), 0);
      mock.rejectWebSockets(false);
      assert.equal((await ex.watchTicker('BTC/USD')).last, 60000);
    });
  });

  describe('faults', () => {
    beforeEach(async () => {
      await ex.loadMarkets();
    });

    it('public: a 502 page is ExchangeNotAvailable, a 500 page ExchangeError (ccxt bitfinex reads 500 as an API error)', async () => {
      mock.failNext('public', 1, { status: 502 });
      assert.equal((await rejection(ex.fetchTicker('BTC/USD'))).constructor.name, 'ExchangeNotAvailable');
      mock.failNext('public', 1, { status: 500 });
      assert.equal((await rejection(ex.fetchTicker('BTC/USD'))).constructor.name, 'ExchangeError');
      assert.equal((await ex.fetchTicker('BTC/USD')).last, 60000);
    });

    it("'timeout' on a lookup is a RequestTimeout; 'reset' on any private call a NetworkError", async () => {
      ex.timeout = 300;
      mock.failNext('lookup', 1, 'timeout');
      assert.equal((await rejection(ex.fetchOpenOrders('BTC/USD'))).constructor.name, 'RequestTimeout');
      mock.failNext('private', 1, 'reset');
      assert.equal((await rejection(ex.fetchBalance())).constructor.name, 'NetworkError');
      assert.equal(mock.stats(key).lookups, 1);
    });

    it("createOrder 'acceptedThenLost' / 'acceptedThenTimeout': the client errs, the order exists and is found by cid", async () => {
      ex.timeout = 300;
      mock.failNext('createOrder', 1, 'acceptedThenLost');
      assert.equal((await rejection(ex.createOrder('BTC/USD', 'market', 'buy', 0.01, undefined, { clientOrderId: 11 }))).constructor.name, 'NetworkError');
      mock.failNext('createOrder', 1, 'acceptedThenTimeout');
      assert.equal((await rejection(ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000, { clientOrderId: 12 }))).constructor.name, 'RequestTimeout');
      assert.deepEqual(mock.orders(key).map((o) => [o.clientOrderId, o.status]), [['11', 'closed'], ['12', 'open']]);
      assert.equal((await ex.fetchClosedOrders('BTC/USD')).find((o: any) => o.clientOrderId === '11').status, 'closed');
      assert.equal((await ex.fetchOpenOrders('BTC/USD')).find((o: any) => o.clientOrderId === '12').status, 'open');
      assert.deepEqual(mock.stats(key), { createRequests: 2, ordersCreated: 2, cancelRequests: 0, lookups: 2 });
    });

    it('createOrder late execution: a 503 now, the order later; a 5xx first is never processed', async () => {
      mock.failNext('createOrder', 1, { status: 503 });
      assert.equal((await rejection(ex.createOrder('BTC/USD', 'market', 'buy', 0.01))).constructor.name, 'ExchangeNotAvailable');
      mock.failNext('createOrder', 1, { lateExecutionMs: 50, answer: 503 });
      assert.equal((await rejection(ex.createOrder('BTC/USD', 'market', 'buy', 0.01, undefined, { clientOrderId: 21 }))).constructor.name, 'ExchangeNotAvailable');
      assert.equal(mock.orders(key).length, 0);
      await until(() => mock.orders(key).length === 1);
      assert.equal(mock.orders(key)[0]!.clientOrderId, '21');
      assert.deepEqual(mock.stats(key), { createRequests: 2, ordersCreated: 1, cancelRequests: 0, lookups: 0 });
    });

    it('lookup emptyAnswer hides an open order; a failed cancel leaves it open; clearFaults', async () => {
      const o = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000, { clientOrderId: 31 });
      mock.failNext('lookup', 1, { emptyAnswer: true });
      assert.deepEqual(await ex.fetchOpenOrders('BTC/USD'), []);
      mock.failNext('cancel', 1, { status: 503 });
      assert.equal((await rejection(ex.cancelOrder(o.id, 'BTC/USD'))).constructor.name, 'ExchangeNotAvailable');
      assert.equal(mock.orders(key)[0]!.status, 'open');
      mock.failNext('private', 5, { status: 502 });
      mock.clearFaults();
      assert.equal((await ex.fetchOpenOrders('BTC/USD')).length, 1);
      await ex.cancelOrder(o.id, 'BTC/USD');
      assert.equal(mock.orders(key)[0]!.status, 'canceled');
      assert.deepEqual(mock.stats(key), { createRequests: 1, ordersCreated: 1, cancelRequests: 2, lookups: 2 });
      assert.equal(mock.requestCount('/api.bitfinex.com/v2/auth/w/order/cancel'), 2);
    });
  });
});
