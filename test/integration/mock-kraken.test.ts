/**
 * Proves a REAL ccxt kraken (pro, never stubbed) talks to MockKraken over HTTP and websocket,
 * through the product's loader and API URL override.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { WebSocket } from 'ws';
import { MockKraken, isValidClOrdId } from '../support/mock-kraken';
import { ccxtKrakenForMock } from '../support/ccxt-for-mock';
import { waitFor } from '../support/wait';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

/** ccxt's ws order book sides are Array subclasses; deepEqual wants plain arrays. */
function plain(side: ArrayLike<number[]>): number[][] {
  return Array.from(side, (level) => [level[0]!, level[1]!]);
}

/** A plain websocket client that reads the mock's messages one by one (to check the wire itself). */
async function rawSocket(url: string): Promise<{ send(m: unknown): void; next(pred: (m: any) => boolean): Promise<any>; close(): void }> {
  const sock = new WebSocket(url);
  const queue: any[] = [];
  let wake: (() => void) | undefined;
  sock.on('message', (data: Buffer) => {
    queue.push(JSON.parse(data.toString()));
    wake?.();
  });
  await new Promise((resolve, reject) => sock.once('open', resolve).once('error', reject));
  return {
    send: (m) => sock.send(JSON.stringify(m)),
    async next(pred) {
      for (;;) {
        const i = queue.findIndex(pred);
        if (i >= 0) return queue.splice(0, i + 1).at(-1);
        queue.length = 0;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: () => sock.close(),
  };
}

const MIN = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MIN);
const SYMBOL = 'BTC/USD';

describe('MockKraken with a real ccxt kraken', function () {
  this.timeout(10_000);
  let mock: MockKraken;
  let ex: any;

  /** ccxt kraken's rateLimit is 1 s per cost unit; 5 ms keeps its throttle but not the wait. */
  const CONFIG = { rateLimit: 5, timeout: 2000 };

  beforeEach(async () => {
    mock = new MockKraken();
    const url = await mock.start();
    ex = await ccxtKrakenForMock(url, CONFIG);
  });

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  describe('REST market data', () => {
    it('the API URL override puts every ccxt address on the mock', () => {
      const ws = mock.url.replace('http:', 'ws:');
      assert.equal(ex.urls.api.public, mock.url);
      assert.equal(ex.urls.api.private, mock.url);
      assert.equal(ex.urls.api.ws.publicV2, `${ws}/v2`);
      assert.equal(ex.urls.api.ws.privateV2, `${ws}/ws-auth.kraken.com/v2`);
    });

    it('loadMarkets maps XXBT/ZUSD to BTC/USD with Kraken precision, minimums and fees', async () => {
      const markets = await ex.loadMarkets();
      assert.deepEqual(Object.keys(markets).sort(), ['BTC/USD', 'ETH/USD']);
      const m = markets[SYMBOL];
      assert.equal(m.id, 'XXBTZUSD');
      assert.equal(m.altname, 'XBTUSD');
      assert.equal(m.wsId, 'XBT/USD');
      assert.equal(m.base, 'BTC');
      assert.equal(m.quote, 'USD');
      assert.equal(m.active, true);
      assert.equal(m.precision.price, 0.1); // pair_decimals 1
      assert.equal(m.precision.amount, 1e-8); // lot_decimals 8
      assert.equal(m.limits.amount.min, 0.00005); // ordermin
      assert.equal(m.limits.cost.min, 0.5); // costmin
      assert.equal(m.taker, 0.0026);
      assert.equal(m.maker, 0.0016);
      assert.equal(markets['ETH/USD'].id, 'XETHZUSD');
      assert.deepEqual(
        mock.requests.map((r) => r.path),
        ['/0/public/Assets', '/0/public/AssetPairs'],
      );
    });

    it('fetchTicker, fetchTime', async () => {
      mock.setTicker(SYMBOL, { bid: 61000.1, ask: 61000.2, last: 61000.1, volume: 12.5 });
      const t = await ex.fetchTicker(SYMBOL);
      assert.equal(t.symbol, SYMBOL);
      assert.equal(t.bid, 61000.1);
      assert.equal(t.ask, 61000.2);
      assert.equal(t.last, 61000.1);
      assert.equal(t.baseVolume, 12.5);
      assert.deepEqual(mock.requests.at(-1)!.params, { pair: 'XXBTZUSD' });
      mock.setNow(T0);
      assert.equal(await ex.fetchTime(), T0);
    });

    it('fetchOHLCV: interval in minutes, since exclusive (ccxt sends since - 1 interval), in-progress candle last', async () => {
      const rows = Array.from({ length: 10 }, (_, i) => [T0 + i * MIN, 100 + i, 101 + i, 99 + i, 100.5 + i, 10 + i]);
      mock.setCandles(SYMBOL, '1m', rows);
      mock.setNow(T0 + 8 * MIN + 30_000); // candle 8 in progress, 9 not there yet
      const all = await ex.fetchOHLCV(SYMBOL, '1m');
      assert.deepEqual(all, rows.slice(0, 9));
      assert.deepEqual(mock.requests.at(-1)!.params, { pair: 'XXBTZUSD', interval: '1' });
      const page = await ex.fetchOHLCV(SYMBOL, '1m', T0 + 3 * MIN, 2);
      assert.deepEqual(page, rows.slice(3, 5));
      assert.equal(mock.requests.at(-1)!.params.since, String((T0 + 2 * MIN) / 1000));
      const raw = await ex.publicGetOHLC({ pair: 'XBTUSD', interval: 1, since: (T0 + 6 * MIN) / 1000 });
      assert.deepEqual(
        raw.result.XXBTZUSD.map((r: unknown[]) => r[0]),
        [(T0 + 7 * MIN) / 1000, (T0 + 8 * MIN) / 1000],
      );
      assert.equal(raw.result.last, (T0 + 7 * MIN) / 1000, 'last = the last committed candle');
      assert.equal(raw.result.XXBTZUSD[0][1], '107.0', 'prices at pair_decimals');
    });

    it('fetchOrderBook: sorted sides, count', async () => {
      mock.setOrderBook(SYMBOL, [[59990, 1], [59995.5, 0.5], [59980, 2]], [[60010, 1.5], [60005, 0.25]]);
      const book = await ex.fetchOrderBook(SYMBOL, 2);
      assert.deepEqual(book.bids.map((l: number[]) => l.slice(0, 2)), [[59995.5, 0.5], [59990, 1]]);
      assert.deepEqual(book.asks.map((l: number[]) => l.slice(0, 2)), [[60005, 0.25], [60010, 1.5]]);
      assert.deepEqual(mock.requests.at(-1)!.params, { pair: 'XXBTZUSD', count: '2' });
    });

    it('an unknown pair on the wire is EQuery:Unknown asset pair', async () => {
      const err = await rejection(ex.publicGetTicker({ pair: 'NOPEUSD' }));
      assert.match(err.message, /EQuery:Unknown asset pair/);
    });
  });
});

describe('MockKraken websocket v2 with a real ccxt kraken', function () {
  this.timeout(10_000);
  let mock: MockKraken;
  let ex: any;

  beforeEach(async () => {
    mock = new MockKraken();
    ex = await ccxtKrakenForMock(await mock.start(), { rateLimit: 5, timeout: 2000 });
    await ex.loadMarkets();
  });

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  it('watchTicker: the snapshot on subscribe, then every setTicker', async () => {
    mock.setTicker(SYMBOL, { bid: 60000, ask: 60000.1, last: 60000 });
    const first = await ex.watchTicker(SYMBOL);
    assert.equal(first.symbol, SYMBOL);
    assert.equal(first.bid, 60000);
    assert.equal(first.ask, 60000.1);
    const next = ex.watchTicker(SYMBOL);
    mock.setTicker(SYMBOL, { bid: 60100, ask: 60100.1, last: 60100.1 });
    const t = await next;
    assert.equal(t.last, 60100.1);
    assert.equal(t.bid, 60100);
    assert.equal(mock.wsConnectionCount(), 1);
  });

  it('watchOHLCV: the snapshot of existing candles, then pushCandle updates in place and appends', async () => {
    mock.setNow(T0 + MIN + 1);
    mock.setCandles(SYMBOL, '1m', [[T0, 1, 2, 0.5, 1.5, 10], [T0 + MIN, 1.5, 1.5, 1.5, 1.5, 1]]);
    const first = await ex.watchOHLCV(SYMBOL, '1m');
    assert.deepEqual(first, [[T0, 1, 2, 0.5, 1.5, 10], [T0 + MIN, 1.5, 1.5, 1.5, 1.5, 1]]);
    const next = ex.watchOHLCV(SYMBOL, '1m');
    mock.pushCandle(SYMBOL, '1m', [T0 + MIN, 1.5, 3, 1.5, 2.5, 4]);
    assert.deepEqual(await next, [[T0 + MIN, 1.5, 3, 1.5, 2.5, 4]]);
    const after = ex.watchOHLCV(SYMBOL, '1m');
    mock.pushCandle(SYMBOL, '1m', [T0 + 2 * MIN, 2.5, 2.5, 2.5, 2.5, 0]);
    assert.deepEqual(await after, [[T0 + 2 * MIN, 2.5, 2.5, 2.5, 2.5, 0]]);
    mock.setNow(T0 + 2 * MIN + 1);
    assert.deepEqual((await ex.fetchOHLCV(SYMBOL, '1m')).at(-1), [T0 + 2 * MIN, 2.5, 2.5, 2.5, 2.5, 0], 'pushCandle feeds REST too');
  });

  it('watchOrderBook: snapshot then diffs, each carrying the v2 CRC32 of the top 10', async () => {
    mock.setOrderBook(SYMBOL, [[59999.9, 1], [59999.8, 2]], [[60000, 0.5], [60000.1, 3]]);
    const book = await ex.watchOrderBook(SYMBOL, 10);
    assert.deepEqual(plain(book.bids), [[59999.9, 1], [59999.8, 2]]);
    assert.deepEqual(plain(book.asks), [[60000, 0.5], [60000.1, 3]]);
    const next = ex.watchOrderBook(SYMBOL, 10);
    mock.setOrderBook(SYMBOL, [[59999.9, 1.5]], [[60000, 0.5], [60000.2, 1]]);
    const updated = await next;
    assert.deepEqual(plain(updated.bids), [[59999.9, 1.5]]);
    assert.deepEqual(plain(updated.asks), [[60000, 0.5], [60000.2, 1]]);

    // the wire: a raw v2 client sees the snapshot and a diff, each with the checksum Kraken would send
    const raw = await rawSocket(`${mock.url.replace('http:', 'ws:')}/v2`);
    raw.send({ method: 'subscribe', params: { channel: 'book', symbol: [SYMBOL], depth: 10 }, req_id: 7 });
    const ack = await raw.next((m) => m.method === 'subscribe');
    assert.deepEqual(ack.result, { channel: 'book', symbol: SYMBOL, depth: 10, snapshot: true });
    assert.equal(ack.req_id, 7);
    const snap = await raw.next((m) => m.channel === 'book');
    assert.equal(snap.type, 'snapshot');
    const text = '600000' + '50000000' + '600002' + '100000000' + '599999' + '150000000'; // asks, then bids
    assert.equal(snap.data[0].checksum, zlib.crc32(text));
    mock.setOrderBook(SYMBOL, [[59999.9, 1.5]], [[60000.2, 1]]);
    const diff = await raw.next((m) => m.channel === 'book');
    assert.equal(diff.type, 'update');
    assert.deepEqual(diff.data[0].asks, [{ price: 60000, qty: 0 }]);
    assert.deepEqual(diff.data[0].bids, []);
    assert.equal(diff.data[0].checksum, zlib.crc32('600002' + '100000000' + '599999' + '150000000'));
    raw.close();
  });

  it('greets with the status channel, answers ping with pong even when silenced; silenced sockets get no data', async () => {
    const raw = await rawSocket(`${mock.url.replace('http:', 'ws:')}/v2`);
    const status = await raw.next((m) => m.channel === 'status');
    assert.equal(status.data[0].system, 'online');
    raw.send({ method: 'subscribe', params: { channel: 'ticker', symbol: [SYMBOL] }, req_id: 1 });
    await raw.next((m) => m.channel === 'ticker' && m.type === 'snapshot');
    mock.heartbeat();
    assert.deepEqual(await raw.next(() => true), { channel: 'heartbeat' });
    mock.silenceWebSockets();
    mock.setTicker(SYMBOL, { bid: 1, ask: 2, last: 1.5 });
    mock.heartbeat();
    raw.send({ method: 'ping', req_id: 2 });
    const pong = await raw.next(() => true); // the socket is ordered: anything sent before the pong would come first
    assert.equal(pong.method, 'pong');
    assert.equal(pong.req_id, 2);
    raw.close();
  });

  it('rejectWebSockets: upgrades answer 404 (ccxt NetworkError), REST keeps working', async () => {
    mock.rejectWebSockets(true);
    const err = await rejection(ex.watchTicker(SYMBOL));
    assert.ok(['NetworkError', 'ExchangeNotAvailable'].includes(err.constructor.name), err.constructor.name);
    assert.match(err.message, /404/);
    assert.equal(mock.wsConnectionCount(), 0);
    assert.equal((await ex.fetchTicker(SYMBOL)).symbol, SYMBOL);
    mock.rejectWebSockets(false);
  });
});

describe('MockKraken trading with a real ccxt kraken', function () {
  this.timeout(10_000);
  let mock: MockKraken;
  let ex: any;
  let key: string;

  beforeEach(async () => {
    mock = new MockKraken();
    const url = await mock.start();
    key = mock.credentials.apiKey;
    mock.addAccount(key, mock.credentials.secret, { USD: 10_000, BTC: 0.5 }, { feeRate: 0.0026 });
    mock.setTicker(SYMBOL, { bid: 59999.9, ask: 60000, last: 60000 });
    ex = await ccxtKrakenForMock(url, { rateLimit: 5, timeout: 2000, apiKey: key, secret: mock.credentials.secret });
    await ex.loadMarkets();
  });

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  it('fetchBalance reads BalanceEx: totals and hold_trade per unified code', async () => {
    const b = await ex.fetchBalance();
    assert.equal(b.BTC.total, 0.5);
    assert.equal(b.USD.total, 10_000);
    assert.equal(b.USD.used, 0);
    assert.equal(b.USD.free, 10_000);
    assert.equal(mock.requests.at(-1)!.path, '/0/private/BalanceEx');
    assert.deepEqual(mock.balances(key), { USD: { free: 10_000, locked: 0 }, BTC: { free: 0.5, locked: 0 } });
  });

  it('a market buy with a UUID clientOrderId fills at the ask; fee = rate x cost in USD; balances move', async () => {
    const cid = crypto.randomUUID();
    const placed = await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: cid });
    assert.match(placed.id, /^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/);
    assert.equal(mock.requests.at(-1)!.params.cl_ord_id, cid, 'ccxt sends clientOrderId as cl_ord_id');
    assert.equal(placed.amount, 0.01);
    assert.equal(placed.side, 'buy');
    assert.equal(placed.type, 'market');

    const o = await ex.fetchOrder(placed.id);
    assert.equal(o.status, 'closed');
    assert.equal(o.clientOrderId, cid);
    assert.equal(o.filled, 0.01);
    assert.equal(o.average, 60000);
    assert.equal(o.cost, 600);
    // ccxt 4.5.84 kraken.parseOrder leaves fee.cost a STRING ('1.56000'); the product must Number() it
    assert.equal(o.fee.currency, 'USD');
    assert.equal(Number(o.fee.cost), 1.56);
    assert.equal(o.trades.length, 1);
    assert.deepEqual(mock.balances(key), { USD: { free: 10_000 - 600 - 1.56, locked: 0 }, BTC: { free: 0.51, locked: 0 } });
    assert.deepEqual(mock.orders(key), [
      { id: placed.id, clientOrderId: cid, symbol: SYMBOL, side: 'buy', type: 'market', status: 'closed', amount: 0.01, filled: 0.01, price: 0, average: 60000, fee: 1.56 },
    ]);
    const trades = await ex.fetchMyTrades(SYMBOL);
    assert.equal(trades.length, 1);
    assert.equal(trades[0].order, placed.id);
    assert.deepEqual(trades[0].fee, { cost: 1.56, currency: 'USD' });
    assert.equal(trades[0].takerOrMaker, 'taker');
  });

  it('a limit sell rests (holding BTC), is found by clientOrderId among open orders, fills when the bid crosses', async () => {
    const cid = crypto.randomUUID();
    const placed = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.1, 61000, { clientOrderId: cid });
    assert.equal(placed.price, 61000);
    assert.deepEqual(mock.balances(key).BTC, { free: 0.4, locked: 0.1 });
    const b = await ex.fetchBalance();
    assert.equal(b.BTC.used, 0.1);

    const open = await ex.fetchOpenOrders(undefined, undefined, undefined, { clientOrderId: cid });
    assert.deepEqual(open.map((o: any) => [o.id, o.clientOrderId, o.status, o.price]), [[placed.id, cid, 'open', 61000]]);
    assert.equal(mock.requests.at(-1)!.params.cl_ord_id, cid);
    assert.deepEqual(await ex.fetchOpenOrders(undefined, undefined, undefined, { clientOrderId: crypto.randomUUID() }), []);
    assert.deepEqual(await ex.fetchClosedOrders(undefined, undefined, undefined, { clientOrderId: cid }), []);

    mock.setTicker(SYMBOL, { bid: 61000, ask: 61000.1, last: 61000 });
    const closed = await ex.fetchClosedOrders(undefined, undefined, undefined, { clientOrderId: cid });
    assert.equal(closed.length, 1);
    assert.equal(closed[0].status, 'closed');
    assert.equal(closed[0].filled, 0.1);
    assert.equal(closed[0].average, 61000);
    assert.deepEqual(mock.balances(key), { USD: { free: 10_000 + 6100 - 15.86, locked: 0 }, BTC: { free: 0.4, locked: 0 } });
    assert.deepEqual(await ex.fetchOpenOrders(), []);
  });

  it('cancelOrder by id and by clientOrderId; a second cancel is OrderNotFound', async () => {
    const a = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 50000, { clientOrderId: 'first-order' });
    const cid = crypto.randomUUID();
    const b = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 50000.5, { clientOrderId: cid });
    assert.equal(mock.balances(key).USD.locked, 1002.605); // price x volume x (1 + fee) for each
    await ex.cancelOrder(a.id);
    await ex.cancelOrder(b.id, SYMBOL, { clientOrderId: cid });
    assert.deepEqual(mock.requests.at(-1)!.params.cl_ord_id, cid, 'ccxt cancels by cl_ord_id (and drops the txid)');
    assert.equal(mock.requests.at(-1)!.params.txid, undefined);
    assert.deepEqual(mock.orders(key).map((o) => o.status), ['canceled', 'canceled']);
    assert.deepEqual(mock.balances(key).USD, { free: 10_000, locked: 0 });
    const closed = await ex.fetchClosedOrders();
    assert.deepEqual(closed.map((o: any) => o.status).sort(), ['canceled', 'canceled']);
    const again = await rejection(ex.cancelOrder(a.id));
    assert.equal(again.constructor.name, 'OrderNotFound');
    assert.match(again.message, /EOrder:Unknown order/);
    assert.equal(mock.stats(key).cancelRequests, 3);
  });

  it("an invalid cl_ord_id is refused like Kraken (EGeneral:Invalid arguments:cl_ord_id); a duplicate open one too", async () => {
    const bad = await rejection(ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 50000, { clientOrderId: 'tb-' + crypto.randomUUID() }));
    assert.equal(bad.constructor.name, 'ExchangeError', 'ccxt has no mapping for the cl_ord_id variant');
    assert.match(bad.message, /EGeneral:Invalid arguments:cl_ord_id/);
    const cid = crypto.randomUUID();
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 50000, { clientOrderId: cid });
    const dup = await rejection(ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 50000, { clientOrderId: cid }));
    assert.match(dup.message, /EOrder:Duplicate order/);
    assert.equal(mock.orders(key).length, 1);
    assert.deepEqual(mock.stats(key), { createRequests: 3, ordersCreated: 1, cancelRequests: 0, lookups: 0 });
  });

  it('fetchOrder: an unknown id is EOrder:Invalid order (ccxt InvalidOrder); params.clientOrderId becomes userref and Kraken refuses it', async () => {
    const unknown = await rejection(ex.fetchOrder('OAAAAA-BBBBB-CCCCCC'));
    assert.equal(unknown.constructor.name, 'InvalidOrder');
    assert.match(unknown.message, /EOrder:Invalid order/);

    const cid = crypto.randomUUID();
    const placed = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 50000, { clientOrderId: cid });
    const byCid = await rejection(ex.fetchOrder(placed.id, SYMBOL, { clientOrderId: cid }));
    assert.deepEqual(
      { txid: mock.requests.at(-1)!.params.txid, userref: mock.requests.at(-1)!.params.userref },
      { txid: placed.id, userref: cid },
      'ccxt kraken.fetchOrder sends params.clientOrderId as userref',
    );
    assert.match(byCid.message, /EGeneral:Invalid arguments:userref/);
    assert.equal(byCid.constructor.name, 'ExchangeError');
    const noId = await rejection(ex.fetchOrder(undefined, SYMBOL, { clientOrderId: cid }));
    assert.equal(noId.constructor.name, 'BadRequest');
    assert.match(noId.message, /"EGeneral:Invalid arguments"/);
  });

  it('refusals ccxt maps: EOrder:Insufficient funds (InsufficientFunds), EOrder:Order minimum not met (InvalidOrder), price decimals', async () => {
    const poor = await rejection(ex.createOrder(SYMBOL, 'market', 'sell', 0.6));
    assert.equal(poor.constructor.name, 'InsufficientFunds');
    const small = await rejection(ex.createOrder(SYMBOL, 'market', 'buy', 0.00001));
    assert.equal(small.constructor.name, 'InvalidOrder');
    assert.match(small.message, /EOrder:Order minimum not met/);
    const decimals = await rejection(ex.privatePostAddOrder({ pair: 'XXBTZUSD', type: 'buy', ordertype: 'limit', volume: '0.01', price: '50000.05' }));
    assert.match(decimals.message, /EOrder:Invalid price:XBTUSD price can only be specified up to 1 decimals\./);
    assert.equal(mock.orders(key).length, 0);
    assert.deepEqual(mock.balances(key), { USD: { free: 10_000, locked: 0 }, BTC: { free: 0.5, locked: 0 } });
  });

  it('userref: set on AddOrder, filters OpenOrders / ClosedOrders; ClosedOrders start (ccxt since) and trades', async () => {
    const tagged = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, 50000, { userref: 42 });
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, 50000);
    const mine = await ex.fetchOpenOrders(undefined, undefined, undefined, { userref: 42 });
    assert.deepEqual(mine.map((o: any) => [o.id, o.clientOrderId]), [[tagged.id, '42']], 'parseOrder falls back to userref');
    const bad = await rejection(ex.privatePostOpenOrders({ userref: 'abc' }));
    assert.match(bad.message, /EGeneral:Invalid arguments:userref/);

    mock.setNow(T0);
    const earlier = await ex.createOrder(SYMBOL, 'market', 'buy', 0.001);
    mock.setNow(T0 + 10 * MIN);
    const later = await ex.createOrder(SYMBOL, 'market', 'buy', 0.002);
    mock.setNow(undefined);
    const since = await ex.fetchClosedOrders(undefined, T0 + MIN);
    assert.deepEqual(since.map((o: any) => o.id), [later.id]);
    assert.equal(mock.requests.at(-1)!.params.start, String((T0 + MIN) / 1000));
    const raw = await ex.privatePostClosedOrders({ trades: true });
    assert.equal(raw.result.count, 2);
    assert.equal(raw.result.closed[later.id].trades.length, 1);
    assert.deepEqual(Object.keys(raw.result.closed), [later.id, earlier.id], 'newest first');
  });

  it('watchOrders (executions channel, token from GetWebSocketsToken) sees a limit order open; its fill reaches watchMyTrades and, without a symbol, watchOrders', async () => {
    const watching = ex.watchOrders(SYMBOL);
    await mock.waitForSubscription('executions', key);
    assert.equal(mock.requestCount('/0/private/GetWebSocketsToken'), 1);
    const cid = crypto.randomUUID();
    const placed = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 59000, { clientOrderId: cid });
    const first = (await watching).at(-1);
    assert.equal(first.id, placed.id);
    assert.equal(first.symbol, SYMBOL);
    assert.equal(first.status, 'open');
    assert.equal(first.price, 59000);
    assert.equal(first.amount, 0.01);
    // ccxt pro kraken.parseWsOrder reads clientOrderId from order_userref, not cl_ord_id
    assert.equal(first.clientOrderId, '0');
    assert.equal(first.info.cl_ord_id, cid);

    // Kraken's status events (new, filled, canceled) carry no symbol: ccxt resolves them only for
    // watchOrders() without a symbol, as a separate cache entry whose symbol is undefined.
    const anySymbol = (async () => {
      for (;;) {
        const o = (await ex.watchOrders()).find((x: any) => x.id === placed.id && x.status === 'closed');
        if (o) return o;
      }
    })();
    const seenTrades = ex.watchMyTrades(SYMBOL);
    mock.setTicker(SYMBOL, { bid: 58999.9, ask: 59000, last: 59000 });
    const closed = await anySymbol;
    assert.equal(closed.symbol, undefined);
    assert.equal(closed.filled, 0.01);
    assert.equal(closed.average, 59000);
    assert.equal(closed.cost, 590);
    const trades = await seenTrades;
    assert.equal(trades.at(-1).order, placed.id);
    assert.equal(trades.at(-1).symbol, SYMBOL);
    assert.equal(trades.at(-1).price, 59000);
    assert.equal(trades.at(-1).amount, 0.01);
    assert.equal(trades.at(-1).takerOrMaker, 'maker');
    assert.deepEqual(trades.at(-1).fee, { cost: 1.534, currency: 'USD' });
  });

  it('watchOrders(symbol) never sees the close: the fill and status events go elsewhere (ccxt 4.5.84)', async () => {
    const open = ex.watchOrders(SYMBOL);
    await mock.waitForSubscription('executions', key);
    const placed = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 59000);
    assert.equal((await open).at(-1).status, 'open');
    let resolved = false;
    ex.watchOrders(SYMBOL).then(() => (resolved = true), () => undefined);
    const closedElsewhere = ex.watchOrders();
    mock.setTicker(SYMBOL, { bid: 58999.9, ask: 59000, last: 59000 });
    assert.equal((await closedElsewhere).at(-1).id, placed.id); // the same messages reached ccxt
    await ex.fetchBalance(); // a network round trip: every callback of those messages has run
    assert.equal(resolved, false);
  });

  it('an executions subscription with a bad token is refused (ESession:Invalid session)', async () => {
    const raw = await rawSocket(`${mock.url.replace('http:', 'ws:')}/ws-auth.kraken.com/v2`);
    raw.send({ method: 'subscribe', params: { channel: 'executions', token: 'made-up' }, req_id: 3 });
    const ack = await raw.next((m) => m.method === 'subscribe');
    assert.deepEqual([ack.success, ack.error, ack.req_id], [false, 'ESession:Invalid session', 3]);
    raw.close();
  });

  it('authentication: a wrong secret is EAPI:Invalid signature, an unknown key EAPI:Invalid key; nothing is processed', async () => {
    const wrongSecret = await ccxtKrakenForMock(mock.url, { rateLimit: 5, apiKey: key, secret: Buffer.from('not the secret').toString('base64') });
    wrongSecret.markets = ex.markets;
    wrongSecret.markets_by_id = ex.markets_by_id;
    wrongSecret.symbols = ex.symbols;
    const sig = await rejection(wrongSecret.createOrder(SYMBOL, 'market', 'buy', 0.01));
    assert.match(sig.message, /EAPI:Invalid signature/);
    const unknownKey = await ccxtKrakenForMock(mock.url, { rateLimit: 5, apiKey: 'nobody', secret: mock.credentials.secret });
    const keyErr = await rejection(unknownKey.privatePostBalanceEx());
    assert.equal(keyErr.constructor.name, 'AuthenticationError');
    assert.match(keyErr.message, /EAPI:Invalid key/);
    assert.equal(mock.orders(key).length, 0);
    assert.equal(mock.stats(key).createRequests, 1);
    await wrongSecret.close();
    await unknownKey.close();
  });

  it('a nonce that does not increase is EAPI:Invalid nonce (ccxt InvalidNonce)', async () => {
    const fixed = Date.now() + 10_000;
    ex.nonce = () => fixed;
    await ex.fetchBalance();
    const err = await rejection(ex.fetchBalance());
    assert.equal(err.constructor.name, 'InvalidNonce');
  });
});

describe('MockKraken faults with a real ccxt kraken', function () {
  this.timeout(10_000);
  let mock: MockKraken;
  let ex: any;
  let key: string;

  async function start(opts: { privateDelayMs?: number } = {}): Promise<void> {
    mock = new MockKraken(opts);
    const url = await mock.start();
    key = mock.credentials.apiKey;
    mock.addAccount(key, mock.credentials.secret, { USD: 10_000, BTC: 0.5 });
    ex = await ccxtKrakenForMock(url, { rateLimit: 5, timeout: 1000, apiKey: key, secret: mock.credentials.secret });
    await ex.loadMarkets();
  }

  /** Resolves when `check` holds (the mock's state changes on its own timers only for late executions). */
  const until = (check: () => boolean, timeoutMs = 2000) => waitFor(check, timeoutMs, 'the mock to reach the state');

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  it('public: 5xx gateway pages are ExchangeNotAvailable, reset a NetworkError, timeout a RequestTimeout; n counts down', async () => {
    await start();
    mock.failNext('public', 2, { status: 502 });
    for (let i = 0; i < 2; i++) assert.equal((await rejection(ex.fetchTicker(SYMBOL))).constructor.name, 'ExchangeNotAvailable');
    mock.failNext('public', 1, 'reset');
    assert.equal((await rejection(ex.fetchTicker(SYMBOL))).constructor.name, 'NetworkError');
    ex.timeout = 200;
    mock.failNext('public', 1, 'timeout');
    assert.equal((await rejection(ex.fetchOrderBook(SYMBOL))).constructor.name, 'RequestTimeout');
    assert.equal((await ex.fetchTicker(SYMBOL)).symbol, SYMBOL);
    assert.equal(mock.requestCount('/0/public/Ticker'), 4);
    assert.equal(await ex.fetchBalance().then((b: any) => b.USD.total), 10_000, 'public faults leave private calls alone');
  });

  it("createOrder 'acceptedThenLost' / 'acceptedThenTimeout': the client gets an error, the order exists and is found by clientOrderId", async () => {
    await start();
    const lost = crypto.randomUUID();
    mock.failNext('createOrder', 1, 'acceptedThenLost');
    assert.equal((await rejection(ex.createOrder(SYMBOL, 'market', 'buy', 0.001, undefined, { clientOrderId: lost }))).constructor.name, 'NetworkError');
    const found = await ex.fetchClosedOrders(undefined, undefined, undefined, { clientOrderId: lost });
    assert.deepEqual(found.map((o: any) => [o.clientOrderId, o.status, o.filled]), [[lost, 'closed', 0.001]]);

    const timedOut = crypto.randomUUID();
    ex.timeout = 200;
    mock.failNext('createOrder', 1, 'acceptedThenTimeout');
    assert.equal((await rejection(ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, 50000, { clientOrderId: timedOut }))).constructor.name, 'RequestTimeout');
    const open = await ex.fetchOpenOrders(undefined, undefined, undefined, { clientOrderId: timedOut });
    assert.equal(open.length, 1);
    assert.deepEqual(mock.stats(key), { createRequests: 2, ordersCreated: 2, cancelRequests: 0, lookups: 2 });
  });

  it('createOrder late execution: answered 503 unprocessed, nothing to find, then the order appears', async () => {
    await start();
    const cid = crypto.randomUUID();
    mock.failNext('createOrder', 1, { lateExecutionMs: 150, answer: 503 });
    assert.equal((await rejection(ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { clientOrderId: cid }))).constructor.name, 'ExchangeNotAvailable');
    assert.deepEqual(await ex.fetchClosedOrders(undefined, undefined, undefined, { clientOrderId: cid }), []);
    assert.equal(mock.stats(key).ordersCreated, 0);
    await until(() => mock.orders(key).length === 1);
    const [o] = await ex.fetchClosedOrders(undefined, undefined, undefined, { clientOrderId: cid });
    assert.equal(o.status, 'closed');
    assert.equal(o.side, 'sell');
    assert.deepEqual(mock.balances(key).BTC, { free: 0.49, locked: 0 });
  });

  it("lookup { emptyAnswer }: open orders look empty once, fetchOrder is OrderNotFound; 'cancel' and 'private' faults", async () => {
    await start();
    const placed = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, 50000);
    mock.failNext('lookup', 2, { emptyAnswer: true });
    assert.deepEqual(await ex.fetchOpenOrders(), []);
    assert.equal((await rejection(ex.fetchOrder(placed.id))).constructor.name, 'OrderNotFound');
    assert.equal((await ex.fetchOpenOrders()).length, 1);

    mock.failNext('cancel', 1, { status: 503 });
    assert.equal((await rejection(ex.cancelOrder(placed.id))).constructor.name, 'ExchangeNotAvailable');
    assert.equal(mock.orders(key)[0]!.status, 'open', 'a faulted cancel is not processed');

    mock.failNext('private', 1, 'reset');
    assert.equal((await rejection(ex.fetchBalance())).constructor.name, 'NetworkError');
    mock.failNext('private', 5, { status: 500 });
    mock.clearFaults();
    await ex.cancelOrder(placed.id);
    assert.equal(mock.orders(key)[0]!.status, 'canceled');
    assert.deepEqual(mock.stats(key), { createRequests: 1, ordersCreated: 1, cancelRequests: 2, lookups: 3 });
  });

  it('privateDelayMs holds every private call that long; public calls are not delayed', async () => {
    await start({ privateDelayMs: 300 });
    let started = Date.now();
    await ex.fetchTicker(SYMBOL);
    assert.ok(Date.now() - started < 250);
    started = Date.now();
    await ex.fetchBalance();
    assert.ok(Date.now() - started >= 290, `fetchBalance took ${Date.now() - started} ms`);
    ex.timeout = 150;
    assert.equal((await rejection(ex.fetchBalance())).constructor.name, 'RequestTimeout');
  });
});

describe('MockKraken helpers', () => {
  it("isValidClOrdId follows Kraken's rule: UUID, 32 hex, or up to 18 characters of free text", () => {
    assert.ok(isValidClOrdId(crypto.randomUUID()));
    assert.ok(isValidClOrdId('da8e4ad59b78481c93e589746b0cf91f'));
    assert.ok(isValidClOrdId('arb-20240509-00010'));
    assert.ok(!isValidClOrdId('arb-20240509-000100'), '19 characters of free text');
    assert.ok(!isValidClOrdId('tb-' + crypto.randomUUID()), 'a prefixed UUID');
    assert.ok(!isValidClOrdId(''));
  });

  it('the v2 book checksum is the CRC32 Kraken documents (asks then bids, digits without dot and leading zeros)', async () => {
    // checked against an independent spelling of the rule
    const expected = zlib.crc32('600001' + '50000000' + '600000' + '125000000');
    const { bookChecksum } = await import('../support/mock-kraken');
    assert.equal(bookChecksum([[60000.1, 0.5]], [[60000, 1.25]], 1, 8), expected);
  });
});
