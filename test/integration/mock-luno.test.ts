/**
 * Proves a REAL ccxt luno (pro flavour, never stubbed) talks to MockLuno over HTTP and the
 * streaming websocket, and records how ccxt 4.5.84's luno handles what the product relies on
 * (client order ids, order status, fees), so a ccxt upgrade that changes it fails here.
 */
import { errorClassChain } from '../../core/market/ccxt-loader';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { MockLuno } from '../support/mock-luno';
import { ccxtLunoForMock } from '../support/ccxt-luno-for-mock';
import { waitFor } from '../support/wait';

const CID = 'tb-0123456789abcdef01234567';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

/** The ccxt error's class name and its ancestors', e.g. ['RequestTimeout', 'NetworkError', ...]. */
const classChain = errorClassChain;

/** ccxt's ws order book sides are Array subclasses; deepEqual wants plain [price, amount] arrays. */
function plain(side: ArrayLike<unknown[]>): number[][] {
  return Array.from(side, (level) => [level[0] as number, level[1] as number]);
}

const until = (check: () => boolean, timeoutMs = 3000) => waitFor(check, timeoutMs, 'the mock to reach the state');

/** A raw stream client (not ccxt): resolves once open; messages collected in `messages`. */
async function rawStream(url: string, pair: string): Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace('http:', 'ws:')}/api/1/stream/${pair}`);
  const messages: unknown[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

describe('MockLuno with a real ccxt luno', function () {
  this.timeout(10_000);
  let mock: MockLuno;
  let ex: any;
  let key: string;

  beforeEach(async () => {
    mock = new MockLuno();
    await mock.start();
    key = mock.credentials.apiKey;
    mock.addAccount(key, mock.credentials.secret, { BTC: 1, ZAR: 100_000 }, { feeRate: 0.001 });
    ex = await ccxtLunoForMock(mock.url, { ...mock.credentials, timeout: 1500 });
  });

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  describe('market data', () => {
    it('ccxt URLs all point at the mock, the stream under /api/1', () => {
      assert.equal(ex.urls.api.public, `${mock.url}/api`);
      assert.equal(ex.urls.api.exchangePrivate, `${mock.url}/api/exchange`);
      assert.equal(ex.urls.api.ws, `${mock.url.replace('http:', 'ws:')}/api/1`);
    });

    it('loadMarkets: XBT is BTC, scales become precision, volume limits', async () => {
      const anon = await ccxtLunoForMock(mock.url);
      try {
        const markets = await anon.loadMarkets();
        assert.deepEqual(Object.keys(markets).sort(), ['BTC/ZAR', 'ETH/ZAR']);
        const m = markets['BTC/ZAR'];
        assert.equal(m.id, 'XBTZAR');
        assert.equal(m.baseId, 'XBT');
        assert.equal(m.active, true);
        assert.equal(m.precision.amount, 0.000001); // volume_scale 6
        assert.equal(m.precision.price, 1); // price_scale 0
        assert.deepEqual(m.limits.amount, { min: 0.0005, max: 100 });
        assert.equal(mock.requestCount(), 1, 'no keys: markets only');
      } finally {
        await anon.close();
      }
      await ex.loadMarkets();
      // with keys ccxt also reads /api/1/send/networks (fetchCurrencies)
      assert.equal(mock.requestCount('/api/1/send/networks'), 1);
    });

    it('fetchTicker and fetchTickers', async () => {
      mock.setTicker('BTC/ZAR', { bid: 1_190_000, ask: 1_191_000, last: 1_190_500, volume: 42 });
      const t = await ex.fetchTicker('BTC/ZAR');
      assert.deepEqual([t.symbol, t.bid, t.ask, t.last, t.baseVolume], ['BTC/ZAR', 1_190_000, 1_191_000, 1_190_500, 42]);
      assert.equal(mock.requests.at(-1)!.params.pair, 'XBTZAR');
      const all = await ex.fetchTickers();
      assert.deepEqual(Object.keys(all).sort(), ['BTC/ZAR', 'ETH/ZAR']);
      assert.equal(all['ETH/ZAR'].last, 60_000);
    });

    it('fetchOHLCV needs keys on Luno (candles are authenticated) and reads since/duration', async () => {
      const t0 = Date.now() - 10 * 60_000;
      const start = t0 - (t0 % 60_000);
      const rows = [0, 1, 2].map((i) => [start + i * 60_000, 100 + i, 110 + i, 90 + i, 105 + i, 1 + i]);
      mock.setCandles('BTC/ZAR', '1m', rows);
      assert.deepEqual(await ex.fetchOHLCV('BTC/ZAR', '1m'), rows);
      const req = mock.requests.at(-1)!;
      assert.equal(req.path, '/api/exchange/1/candles');
      assert.equal(req.params.duration, '60');
      assert.deepEqual(await ex.fetchOHLCV('BTC/ZAR', '1m', start + 60_000), rows.slice(1));
      mock.pushCandle('BTC/ZAR', '1m', [start + 3 * 60_000, 1, 2, 0.5, 1.5, 9]);
      assert.equal((await ex.fetchOHLCV('BTC/ZAR', '1m')).length, 4);

      const anon = await ccxtLunoForMock(mock.url);
      try {
        const before = mock.requestCount('/api/exchange/1/candles');
        const err = await rejection(anon.fetchOHLCV('BTC/ZAR', '1m'));
        assert.ok(classChain(err).includes('AuthenticationError'), err.message);
        assert.equal(mock.requestCount('/api/exchange/1/candles'), before, 'ccxt refuses before sending');
      } finally {
        await anon.close();
      }
    });

    it('fetchOrderBook: orderbook_top (levels aggregated) for limit <= 100, the full book otherwise', async () => {
      mock.setOrderBook('BTC/ZAR', [[1_199_000, 0.5], [1_198_000, 1]], [[1_200_000, 0.25], [1_201_000, 2]]);
      const top = await ex.fetchOrderBook('BTC/ZAR', 10);
      assert.equal(mock.requests.at(-1)!.path, '/api/1/orderbook_top');
      assert.deepEqual(plain(top.bids), [[1_199_000, 0.5], [1_198_000, 1]]);
      assert.deepEqual(plain(top.asks), [[1_200_000, 0.25], [1_201_000, 2]]);
      // pro luno's parseOrderBookBidsAsks (meant for the stream's order ids) adds a third, undefined element
      assert.deepEqual(top.bids[0], [1_199_000, 0.5, undefined]);
      await ex.fetchOrderBook('BTC/ZAR');
      assert.equal(mock.requests.at(-1)!.path, '/api/1/orderbook');
    });

    it('watchOrderBook: snapshot, then create/delete updates; sequence is the nonce', async () => {
      mock.setOrderBook('BTC/ZAR', [[1_199_000, 0.5]], [[1_200_000, 0.25]]);
      const first = await ex.watchOrderBook('BTC/ZAR');
      assert.deepEqual(plain(first.bids), [[1_199_000, 0.5]]);
      assert.deepEqual(plain(first.asks), [[1_200_000, 0.25]]);
      assert.equal(mock.wsConnectionCount(), 1);
      const nonce = first.nonce;
      const next = ex.watchOrderBook('BTC/ZAR'); // resolves at the next update message
      mock.setOrderBook('BTC/ZAR', [[1_199_500, 1]], [[1_200_000, 0.25]]); // one delete, then one create
      await next;
      await until(() => ex.orderbooks['BTC/ZAR'].nonce === nonce + 2);
      const book = ex.orderbooks['BTC/ZAR'];
      assert.deepEqual(plain(book.bids), [[1_199_500, 1]]);
      assert.deepEqual(plain(book.asks), [[1_200_000, 0.25]]);
    });

    it('watchTrades gets trade_updates; ccxt does not shrink the maker order in its book (Luno does); fetchTrades parses nothing', async () => {
      mock.setOrderBook('BTC/ZAR', [[1_199_000, 0.5]], [[1_200_000, 0.25]]);
      await ex.watchOrderBook('BTC/ZAR');
      const trades = ex.watchTrades('BTC/ZAR');
      await mock.waitForStream('BTC/ZAR');
      mock.pushTrade('BTC/ZAR', { volume: 0.1, isBuy: true });
      const [trade] = await trades;
      assert.equal(trade.amount, 0.1);
      assert.equal(trade.cost, 120_000);
      // Luno's book now has 0.15 left at the ask (REST shows it); ccxt's streamed book still says 0.25.
      assert.deepEqual(plain((await ex.fetchOrderBook('BTC/ZAR', 10)).asks), [[1_200_000, 0.15]]);
      assert.deepEqual(plain(ex.orderbooks['BTC/ZAR'].asks), [[1_200_000, 0.25]]);
      // REST /api/1/trades has the trade, but the pro class's parseTrade (base/counter) finds none of its fields
      const rest = await ex.fetchTrades('BTC/ZAR');
      assert.equal(mock.requests.at(-1)!.path, '/api/1/trades');
      assert.deepEqual(rest[0].info, { sequence: rest[0].info.sequence, timestamp: rest[0].info.timestamp, price: '1200000.00000000', volume: '0.10000000', is_buy: true });
      assert.deepEqual([rest[0].price, rest[0].amount, rest[0].side], [undefined, undefined, undefined]);
    });

    it('the stream wants credentials first: a wrong key is closed without a snapshot', async () => {
      const { ws, messages, closed } = await rawStream(mock.url, 'XBTZAR');
      ws.send(JSON.stringify({ api_key_id: key, api_key_secret: 'wrong' }));
      assert.equal(await closed, 1008);
      assert.deepEqual(messages, []);
    });

    it('rejectWebSockets: upgrades answered 404, ccxt watchOrderBook fails; accepted again when off', async () => {
      mock.rejectWebSockets(true);
      const err = await rejection(ex.watchOrderBook('BTC/ZAR'));
      assert.ok(classChain(err).includes('NetworkError'), `${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /404/);
      assert.equal(mock.wsConnectionCount(), 0);
      mock.rejectWebSockets(false);
      const ex2 = await ccxtLunoForMock(mock.url, { ...mock.credentials });
      try {
        const book = await ex2.watchOrderBook('BTC/ZAR');
        assert.ok(book.bids.length > 0);
      } finally {
        await ex2.close();
      }
    });

    it('silenceWebSockets: the stream stays open and sends nothing more; keepalive is ""', async () => {
      const { ws, messages } = await rawStream(mock.url, 'XBTZAR');
      ws.send(JSON.stringify({ api_key_id: key, api_key_secret: mock.credentials.secret }));
      await until(() => messages.length === 1);
      assert.equal((messages[0] as { sequence: string }).sequence, '1000');
      mock.keepalive();
      await until(() => messages.length === 2);
      assert.equal(messages[1], '');
      mock.setOrderBook('BTC/ZAR', [[1, 1]], [[2, 1]]);
      await until(() => messages.length > 2);
      const seen = messages.length;
      mock.silenceWebSockets();
      mock.setOrderBook('BTC/ZAR', [[3, 1]], [[4, 1]]);
      mock.keepalive();
      // A fixed wait on purpose: silence is the point, so there is no event to wait for.
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(messages.length, seen);
      assert.equal(mock.wsConnectionCount(), 1);
      ws.close();
    });
  });

  describe('trading', () => {
    it('fetchBalance: unified codes; total includes reserved', async () => {
      await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000);
      const b = await ex.fetchBalance();
      assert.deepEqual(b.ZAR, { free: 90_000, used: 10_000, total: 100_000 });
      assert.deepEqual(b.BTC, { free: 1, used: 0, total: 1 });
      assert.deepEqual(mock.balances(key), { BTC: { free: 1, locked: 0 }, ZAR: { free: 90_000, locked: 10_000 } });
    });

    it('bad credentials: 401 ErrUnauthorised, AuthenticationError', async () => {
      const bad = await ccxtLunoForMock(mock.url, { apiKey: key, secret: 'not-the-secret' });
      try {
        const err = await rejection(bad.fetchBalance());
        assert.ok(classChain(err).includes('AuthenticationError'), err.message);
        assert.match(err.message, /ErrUnauthorised/);
        assert.ok(!err.message.includes('not-the-secret'));
      } finally {
        await bad.close();
      }
    });

    it('market buy: ccxt sends the AMOUNT as counter_volume (quote to spend); client_order_id passes through', async () => {
      mock.setTicker('BTC/ZAR', { bid: 1_199_000, ask: 1_200_000, last: 1_200_000 });
      const created = await ex.createOrder('BTC/ZAR', 'market', 'buy', 12_000, undefined, { client_order_id: CID });
      const sent = mock.requests.at(-1)!;
      assert.equal(sent.path, '/api/1/marketorder');
      assert.deepEqual(sent.params, { pair: 'XBTZAR', type: 'BUY', counter_volume: '12000', client_order_id: CID });
      // createOrder answers {order_id} only: nothing but the id in ccxt's order
      assert.match(created.id, /^BX/);
      assert.equal(created.status, undefined);
      assert.equal(created.clientOrderId, undefined);

      const o = await ex.fetchOrder(created.id);
      assert.equal(o.status, 'COMPLETE', 'ccxt maps only PENDING; COMPLETE stays as Luno wrote it');
      assert.equal(o.side, 'buy');
      assert.equal(o.filled, 0.01);
      assert.equal(o.cost, 12_000);
      assert.equal(o.clientOrderId, undefined, 'parseOrder never sets clientOrderId');
      assert.equal(o.info.client_order_id, CID);
      // Luno charges a buy's fee in BTC (fee_base); ccxt reads fee_counter first ('0.00000000') and reports 0 ZAR
      assert.equal(o.info.fee_base, '0.00001000');
      assert.deepEqual(o.fee, { cost: 0, currency: 'ZAR' });

      assert.deepEqual(mock.balances(key), { BTC: { free: 1.00999, locked: 0 }, ZAR: { free: 88_000, locked: 0 } });
      const [mo] = mock.orders(key);
      assert.deepEqual(
        { clientOrderId: mo!.clientOrderId, status: mo!.status, type: mo!.type, filled: mo!.filled, average: mo!.average, fee: mo!.fee },
        { clientOrderId: CID, status: 'closed', type: 'market', filled: 0.01, average: 1_200_000, fee: 12 },
      );
    });

    it('market sell: base_volume, filled at the bid, fee in ZAR', async () => {
      mock.setTicker('BTC/ZAR', { bid: 1_000_000, ask: 1_001_000, last: 1_000_000 });
      const created = await ex.createOrder('BTC/ZAR', 'market', 'sell', 0.1);
      assert.equal(mock.requests.at(-1)!.params.base_volume, '0.1');
      const o = await ex.fetchOrder(created.id);
      assert.deepEqual([o.side, o.filled, o.cost], ['sell', 0.1, 100_000]);
      assert.deepEqual(o.fee, { cost: 100, currency: 'ZAR' });
      assert.deepEqual(mock.balances(key), { BTC: { free: 0.9, locked: 0 }, ZAR: { free: 199_900, locked: 0 } });
    });

    it('params.clientOrderId is NOT mapped by ccxt: sent as an unknown `clientOrderId` field, the order has none', async () => {
      await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { clientOrderId: CID });
      const sent = mock.requests.at(-1)!.params;
      assert.equal(sent.clientOrderId, CID);
      assert.equal(sent.client_order_id, undefined);
      assert.equal(mock.orders(key)[0]!.clientOrderId, '');
    });

    it('limit buy rests (reserved), shows in fetchOpenOrders with info.client_order_id, fills when the ticker crosses', async () => {
      const created = await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_100_000, { client_order_id: CID });
      assert.deepEqual(mock.requests.at(-1)!.params, { pair: 'XBTZAR', volume: '0.01', price: '1100000', type: 'BID', client_order_id: CID });
      const open = await ex.fetchOpenOrders('BTC/ZAR');
      assert.equal(mock.requests.at(-1)!.params.state, 'PENDING');
      assert.equal(open.length, 1);
      assert.deepEqual([open[0].id, open[0].status, open[0].price, open[0].amount, open[0].remaining], [created.id, 'open', 1_100_000, 0.01, 0.01]);
      assert.equal(open[0].clientOrderId, undefined);
      assert.equal(open[0].info.client_order_id, CID);
      assert.equal(mock.balances(key).ZAR!.locked, 11_000);

      mock.setTicker('BTC/ZAR', { bid: 1_099_000, ask: 1_100_000, last: 1_100_000 });
      assert.deepEqual(await ex.fetchOpenOrders('BTC/ZAR'), []);
      const closed = await ex.fetchClosedOrders('BTC/ZAR');
      assert.equal(mock.requests.at(-1)!.params.state, 'COMPLETE');
      assert.deepEqual([closed[0].id, closed[0].status, closed[0].filled, closed[0].info.client_order_id], [created.id, 'COMPLETE', 0.01, CID]);
      assert.deepEqual(mock.balances(key), { BTC: { free: 1.00999, locked: 0 }, ZAR: { free: 89_000, locked: 0 } });
      const all = await ex.fetchOrders('BTC/ZAR');
      assert.equal(all.length, 1);
    });

    it('a limit order that crosses on arrival fills at once at the ask', async () => {
      mock.setTicker('BTC/ZAR', { bid: 1_199_000, ask: 1_200_000, last: 1_200_000 });
      const created = await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_250_000);
      const o = await ex.fetchOrder(created.id);
      assert.deepEqual([o.status, o.filled, o.cost], ['COMPLETE', 0.01, 12_000]);
      assert.equal(mock.balances(key).ZAR!.locked, 0);
    });

    it('client_order_id is checked like Luno: characters, length <= 255, no duplicates', async () => {
      for (const bad of ['tb 1', 'tb/1', 'tb#1', 'é', 'x'.repeat(256)]) {
        const err = await rejection(ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { client_order_id: bad }));
        assert.equal(err.constructor.name, 'InvalidOrder', bad);
        assert.match(err.message, /ErrInvalidClientOrderId/);
      }
      assert.equal(mock.orders().length, 0);
      await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.001, 1_000_000, { client_order_id: 'a_b;c,d.e-F9' });
      await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.001, 1_000_000, { client_order_id: 'x'.repeat(255) });
      const dup = await rejection(ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.001, 1_000_000, { client_order_id: 'a_b;c,d.e-F9' }));
      assert.equal(dup.constructor.name, 'DuplicateOrderId');
      assert.match(dup.message, /ErrDuplicateClientOrderID/);
      // unique over ALL the account's orders: a cancelled order's id stays taken
      await ex.cancelOrder(mock.orders(key)[0]!.id);
      assert.equal((await rejection(ex.createOrder('BTC/ZAR', 'market', 'sell', 0.001, undefined, { client_order_id: 'a_b;c,d.e-F9' }))).constructor.name, 'DuplicateOrderId');
      assert.deepEqual(mock.stats(key), { createRequests: 9, ordersCreated: 2, cancelRequests: 1, lookups: 0 });
    });

    it('refusals map to ccxt errors: insufficient balance, volume too low, too many decimals, unknown pair', async () => {
      assert.equal((await rejection(ex.createOrder('BTC/ZAR', 'limit', 'buy', 1, 1_000_000))).constructor.name, 'InsufficientFunds');
      assert.equal((await rejection(ex.createOrder('BTC/ZAR', 'market', 'sell', 2))).constructor.name, 'InsufficientFunds');
      const low = await rejection(ex.createOrder('BTC/ZAR', 'limit', 'sell', 0.0001, 1_300_000));
      assert.equal(low.constructor.name, 'InvalidOrder');
      assert.match(low.message, /ErrVolumeTooLow/);
      // a market buy's amount is ZAR: 100 ZAR buys 0.000083 BTC, under Luno's 0.0005 minimum
      assert.match((await rejection(ex.createOrder('BTC/ZAR', 'market', 'buy', 100))).message, /ErrVolumeTooLow/);
      // createOrder rounds to the market's precision first, so the raw call shows Luno's own checks
      await ex.loadMarkets();
      const raw = (params: Record<string, string>) => rejection(ex.privatePostPostorder({ pair: 'XBTZAR', type: 'BID', volume: '0.01', price: '1000000', ...params }));
      assert.match((await raw({ volume: '0.0100001' })).message, /ErrVolumeDenominationNotAllowed/);
      assert.match((await raw({ price: '1000000.5' })).message, /ErrPriceDenominationNotAllowed/);
      assert.equal((await raw({ pair: 'XBTUSD' })).constructor.name, 'BadSymbol');
      assert.equal(mock.orders().length, 0);
    });

    it('cancelOrder: stoporder, the order COMPLETE with expiration_timestamp, reservation released', async () => {
      const created = await ex.createOrder('BTC/ZAR', 'limit', 'sell', 0.2, 1_300_000, { client_order_id: CID });
      assert.equal(mock.balances(key).BTC!.locked, 0.2);
      const res = await ex.cancelOrder(created.id, 'BTC/ZAR');
      assert.deepEqual(res.info, { success: true });
      assert.deepEqual(mock.requests.at(-1)!.params, { order_id: created.id });
      const o = await ex.fetchOrder(created.id);
      assert.equal(o.status, 'COMPLETE');
      assert.equal(o.filled, 0);
      assert.ok(o.info.expiration_timestamp > 0, 'a cancelled order has expiration_timestamp');
      assert.equal(mock.orders(key)[0]!.status, 'canceled');
      assert.deepEqual(mock.balances(key).BTC, { free: 1, locked: 0 });
      const again = await rejection(ex.cancelOrder(created.id));
      assert.equal(again.constructor.name, 'InvalidOrder');
      assert.match(again.message, /ErrCannotStopUnknownOrNonPendingOrder/);
    });

    it('fetchOrder of an unknown id: OrderNotFound', async () => {
      const err = await rejection(ex.fetchOrder('BXNOSUCHORDER00'));
      assert.equal(err.constructor.name, 'OrderNotFound');
    });

    it('lookup by client order id: Luno v3 /api/exchange/3/order, reachable through ccxt request()', async () => {
      const created = await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { client_order_id: CID });
      // ccxt has no method for it, and sign() builds <exchangePrivate>/1/<path>: '../3/order' lands on /api/exchange/3/order
      const v3 = await ex.request('../3/order', 'exchangePrivate', 'GET', { client_order_id: CID });
      assert.equal(mock.requests.at(-1)!.path, '/api/exchange/3/order');
      assert.deepEqual([v3.order_id, v3.client_order_id, v3.status, v3.side, v3.type], [created.id, CID, 'PENDING', 'BUY', 'LIMIT']);
      assert.equal(ex.parseOrder(v3).side, undefined, 'OrderV2 has side, not BID/ASK `type`: parseOrder cannot read it');
      const missing = await rejection(ex.request('../3/order', 'exchangePrivate', 'GET', { client_order_id: 'tb-none' }));
      assert.equal(missing.constructor.name, 'OrderNotFound');
      assert.equal(mock.stats(key).lookups, 2);
    });

    it('fetchMyTrades: the pro class parseTrade (stream trades) shadows the REST one; client_order_id only in info', async () => {
      await ex.createOrder('BTC/ZAR', 'market', 'buy', 12_000, undefined, { client_order_id: CID });
      const [t] = await ex.fetchMyTrades('BTC/ZAR');
      assert.equal(t.info.client_order_id, CID);
      assert.equal(t.info.order_id, mock.orders(key)[0]!.id);
      assert.equal(t.amount, 0.01);
      // what pro luno's parseTrade drops: order, side, price, timestamp, fee
      assert.deepEqual([t.order, t.side, t.price, t.timestamp], [undefined, undefined, undefined, undefined]);
    });

    it('v1ClientOrderId: false serves Luno\'s published v1 Order schema (no client_order_id)', async () => {
      const strict = new MockLuno({ v1ClientOrderId: false });
      await strict.start();
      strict.addAccount(key, mock.credentials.secret, { ZAR: 100_000 });
      const ex2 = await ccxtLunoForMock(strict.url, { ...mock.credentials });
      try {
        await ex2.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { client_order_id: CID });
        const [o] = await ex2.fetchOpenOrders();
        assert.equal('client_order_id' in o.info, false);
        assert.equal(strict.orders()[0]!.clientOrderId, CID);
      } finally {
        await ex2.close();
        await strict.stop();
      }
    });
  });

  describe('faults', () => {
    it('public { status: 503 }: an HTML gateway page, ExchangeNotAvailable; the next call works', async () => {
      await ex.loadMarkets(); // a failed first loadMarkets stays cached in ccxt (marketsLoading); the product clears it
      mock.failNext('public', 1, { status: 503 });
      const err = await rejection(ex.fetchTicker('BTC/ZAR'));
      assert.ok(classChain(err).includes('ExchangeNotAvailable'), err.constructor.name);
      assert.equal((await ex.fetchTicker('BTC/ZAR')).symbol, 'BTC/ZAR');
    });

    it('public reset: NetworkError', async () => {
      await ex.loadMarkets();
      mock.failNext('public', 1, 'reset');
      assert.ok(classChain(await rejection(ex.fetchOrderBook('BTC/ZAR', 5))).includes('NetworkError'));
    });

    it('createOrder timeout: RequestTimeout and no order', async () => {
      await ex.loadMarkets();
      ex.timeout = 300;
      mock.failNext('createOrder', 1, 'timeout');
      const err = await rejection(ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { client_order_id: CID }));
      assert.equal(err.constructor.name, 'RequestTimeout');
      assert.deepEqual(mock.orders(), []);
      assert.deepEqual(mock.stats(key), { createRequests: 1, ordersCreated: 0, cancelRequests: 0, lookups: 0 });
    });

    it('createOrder acceptedThenLost: NetworkError, yet the order exists and a lookup finds it', async () => {
      await ex.loadMarkets();
      mock.failNext('createOrder', 1, 'acceptedThenLost');
      const err = await rejection(ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { client_order_id: CID }));
      assert.ok(classChain(err).includes('NetworkError'), err.constructor.name);
      const open = await ex.fetchOpenOrders('BTC/ZAR');
      assert.deepEqual(open.map((o: any) => o.info.client_order_id), [CID]);
      assert.equal(mock.stats(key).ordersCreated, 1);
    });

    it('createOrder acceptedThenTimeout: RequestTimeout, yet the order was created', async () => {
      await ex.loadMarkets();
      ex.timeout = 300;
      mock.failNext('createOrder', 1, 'acceptedThenTimeout');
      assert.equal((await rejection(ex.createOrder('BTC/ZAR', 'market', 'sell', 0.01))).constructor.name, 'RequestTimeout');
      assert.equal(mock.orders(key)[0]!.status, 'closed');
    });

    it('createOrder late execution: 503 now, no order; the order appears later', async () => {
      await ex.loadMarkets();
      mock.failNext('createOrder', 1, { lateExecutionMs: 150, answer: 503 });
      const err = await rejection(ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000, { client_order_id: CID }));
      assert.ok(classChain(err).includes('ExchangeNotAvailable'), err.constructor.name);
      assert.deepEqual(await ex.fetchOpenOrders('BTC/ZAR'), []);
      await until(() => mock.orders().length === 1);
      assert.equal(mock.orders()[0]!.clientOrderId, CID);
    });

    it('lookup emptyAnswer: listorders answers no orders, orders/{id} ErrOrderNotFound, without looking', async () => {
      const created = await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000);
      mock.failNext('lookup', 2, { emptyAnswer: true });
      assert.deepEqual(await ex.fetchOpenOrders('BTC/ZAR'), []);
      assert.equal((await rejection(ex.fetchOrder(created.id))).constructor.name, 'OrderNotFound');
      assert.equal((await ex.fetchOpenOrders('BTC/ZAR')).length, 1);
    });

    it('cancel reset: NetworkError and the order still open', async () => {
      const created = await ex.createOrder('BTC/ZAR', 'limit', 'buy', 0.01, 1_000_000);
      mock.failNext('cancel', 1, 'reset');
      assert.ok(classChain(await rejection(ex.cancelOrder(created.id))).includes('NetworkError'));
      assert.equal(mock.orders(key)[0]!.status, 'open');
      assert.equal(mock.stats(key).cancelRequests, 1);
    });

    it('private { status: 502 }: fetchBalance fails with ExchangeNotAvailable, market data unaffected', async () => {
      await ex.loadMarkets();
      mock.failNext('private', 1, { status: 502 });
      await ex.fetchTicker('BTC/ZAR');
      assert.ok(classChain(await rejection(ex.fetchBalance())).includes('ExchangeNotAvailable'));
      assert.equal((await ex.fetchBalance()).ZAR.total, 100_000);
    });
  });
});
