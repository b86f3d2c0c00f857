/**
 * Proves a REAL ccxt binance (never stubbed) talks to MockBinance over HTTP and websocket.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket } from 'ws';
import { MockBinance } from '../support/mock-binance';
import { ccxtBinanceForMock } from '../support/ccxt-for-mock';
import { waitFor } from '../support/wait';

/** The ccxt error's class name and its ancestors', e.g. ['RequestTimeout', 'NetworkError', ...]. */
function classChain(err: unknown): string[] {
  const names: string[] = [];
  let proto = err && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (proto && proto !== Object.prototype) {
    names.push(proto.constructor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

async function rejection(p: Promise<unknown>): Promise<Error & { constructor: { name: string } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { constructor: { name: string } };
  }
  assert.fail('expected a rejection');
}

/** ccxt's ws order book sides are Array subclasses (Bids/Asks); deepEqual wants plain arrays. */
function plain(side: ArrayLike<number[]>): number[][] {
  return Array.from(side, (level) => [level[0]!, level[1]!]);
}

const MIN = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MIN); // a minute boundary

describe('MockBinance with a real ccxt binance', function () {
  this.timeout(10_000);
  let mock: MockBinance;
  let ex: any;

  beforeEach(async () => {
    mock = new MockBinance();
    const url = await mock.start();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    // Fast websocket reconnects (ccxt's default backoff is ~1 s for a second dial within 30 s).
    ex = await ccxtBinanceForMock(url, { ws: { backoff: { base: 20 } } }, { timeout: 2000 });
  });

  afterEach(async () => {
    await ex?.close();
    await mock?.stop();
  });

  describe('REST', () => {
    it('rewrites every ccxt URL onto the mock, websocket ones included', () => {
      assert.equal(ex.urls.api.public, `${mock.url}/api/v3`);
      assert.equal(ex.urls.api.ws.spot, mock.url.replace('http:', 'ws:') + '/ws');
    });

    it('loadMarkets parses exchangeInfo: precision and limits from the filters', async () => {
      const markets = await ex.loadMarkets();
      assert.deepEqual(Object.keys(markets).sort(), ['BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
      const m = markets['BTC/USDT'];
      assert.equal(m.id, 'BTCUSDT');
      assert.equal(m.spot, true);
      assert.equal(m.active, true);
      assert.equal(m.precision.price, 0.01); // PRICE_FILTER.tickSize
      assert.equal(m.precision.amount, 0.00001); // LOT_SIZE.stepSize
      assert.equal(m.limits.amount.min, 0.00001); // LOT_SIZE.minQty
      assert.equal(m.limits.cost.min, 5); // NOTIONAL.minNotional
      assert.equal(markets['ETH/BTC'].precision.price, 0.00001);
      assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 1);
      assert.equal(mock.requestCount(), 1, 'spot only: no fapi/dapi/sapi calls');
    });

    it('fetchTicker and fetchTickers', async () => {
      mock.setNow(T0);
      mock.setTicker('BTC/USDT', { bid: 61000, ask: 61000.5, last: 61000.25, volume: 123.5 });
      const t = await ex.fetchTicker('BTC/USDT');
      assert.equal(t.symbol, 'BTC/USDT');
      assert.equal(t.bid, 61000);
      assert.equal(t.ask, 61000.5);
      assert.equal(t.last, 61000.25);
      assert.equal(t.baseVolume, 123.5);
      assert.equal(t.timestamp, T0);
      assert.deepEqual(mock.requests.at(-1)?.query, { symbol: 'BTCUSDT' });
      assert.equal(await ex.fetchTime(), T0);
      // (ccxt throttles after this one: ticker/24hr without `symbol` weighs 40)
      const all = await ex.fetchTickers(['BTC/USDT', 'ETH/USDT']);
      assert.deepEqual(Object.keys(all).sort(), ['BTC/USDT', 'ETH/USDT']);
      assert.equal(mock.requestCount('/api/v3/ticker/24hr'), 2);
    });

    it('fetchOrderBook returns the book, its limit and lastUpdateId as nonce', async () => {
      mock.setOrderBook(
        'BTC/USDT',
        [[59990, 1], [59995, 0.5], [59980, 2]],
        [[60010, 1.5], [60005, 0.25]],
      );
      const book = await ex.fetchOrderBook('BTC/USDT', 2);
      assert.deepEqual(book.bids, [[59995, 0.5], [59990, 1]]);
      assert.deepEqual(book.asks, [[60005, 0.25], [60010, 1.5]]);
      assert.equal(typeof book.nonce, 'number');
      assert.ok(book.nonce > 1000, 'the book change advanced lastUpdateId');
      assert.deepEqual(mock.requests.at(-1)?.query, { symbol: 'BTCUSDT', limit: '2' });
    });

    it('fetchOHLCV honours since/limit like Binance and hides candles that have not opened yet', async () => {
      const rows = Array.from({ length: 10 }, (_, i) => [T0 + i * MIN, 100 + i, 101 + i, 99 + i, 100.5 + i, 10 + i]);
      mock.setKlines('BTC/USDT', '1m', rows);
      mock.setNow(T0 + 8 * MIN + 30_000); // candle 8 is in progress, candle 9 does not exist yet

      const page = await ex.fetchOHLCV('BTC/USDT', '1m', T0 + 3 * MIN, 4);
      assert.deepEqual(page, rows.slice(3, 7));
      const q = mock.requests.at(-1)!.query;
      assert.deepEqual(q, { interval: '1m', limit: '4', symbol: 'BTCUSDT', startTime: String(T0 + 3 * MIN) });

      const recent = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 3);
      assert.deepEqual(recent, rows.slice(6, 9), 'most recent 3, up to the in-progress candle');
      assert.equal((await ex.fetchOHLCV('BTC/USDT', '1m')).length, 9, 'default limit 500 returns all that exist');

      // the raw wire rows are Binance's 12-field arrays with string prices
      const raw = await ex.publicGetKlines({ symbol: 'BTCUSDT', interval: '1m', limit: 1 });
      assert.equal(raw.length, 1);
      assert.equal(raw[0].length, 12);
      assert.equal(raw[0][1], '108.00000000');
      assert.equal(Number(raw[0][6]), T0 + 9 * MIN - 1, 'close time = open + interval - 1');
    });

    it('an unknown symbol is BadSymbol, locally and on the wire (-1121)', async () => {
      await ex.loadMarkets();
      const local = await rejection(ex.fetchTicker('NOPE/USDT'));
      assert.equal(local.constructor.name, 'BadSymbol');
      const wire = await rejection(ex.publicGetDepth({ symbol: 'NOPEUSDT' }));
      assert.equal(wire.constructor.name, 'BadSymbol');
      assert.match(wire.message, /-1121/);
    });

    it('maps 5xx to ExchangeNotAvailable and 429/418 to DDoSProtection, then recovers', async () => {
      await ex.loadMarkets();
      for (const status of [500, 502, 503] as const) {
        mock.failNext(1, { status });
        const err = await rejection(ex.fetchTicker('BTC/USDT'));
        assert.equal(err.constructor.name, 'ExchangeNotAvailable', `HTTP ${status}`);
      }
      for (const status of [429, 418] as const) {
        mock.failNext(1, { status, retryAfterSec: 2 });
        const err = await rejection(ex.fetchTicker('BTC/USDT'));
        // binance.handleErrors throws DDoSProtection for 418/429 before the generic RateLimitExceeded mapping
        assert.equal(err.constructor.name, 'DDoSProtection', `HTTP ${status}`);
        assert.ok(classChain(err).includes('NetworkError'));
      }
      const ok = await ex.fetchTicker('BTC/USDT');
      assert.equal(ok.symbol, 'BTC/USDT');
    });

    it('a fault with a path prefix hits only matching requests, n times', async () => {
      await ex.loadMarkets();
      mock.failNext(2, { status: 503 }, '/api/v3/depth');
      await ex.fetchTicker('BTC/USDT');
      assert.equal((await rejection(ex.fetchOrderBook('BTC/USDT'))).constructor.name, 'ExchangeNotAvailable');
      assert.equal((await rejection(ex.fetchOrderBook('BTC/USDT'))).constructor.name, 'ExchangeNotAvailable');
      await ex.fetchOrderBook('BTC/USDT');
      assert.equal(mock.requestCount('/api/v3/depth'), 3);
    });

    it("'timeout' hangs until ccxt gives up (RequestTimeout), 'reset' is a NetworkError", async () => {
      await ex.loadMarkets();
      ex.timeout = 300;
      mock.failNext(1, 'timeout');
      const started = Date.now();
      const timedOut = await rejection(ex.fetchTicker('BTC/USDT'));
      assert.equal(timedOut.constructor.name, 'RequestTimeout');
      assert.ok(Date.now() - started >= 250);
      mock.failNext(1, 'reset');
      const reset = await rejection(ex.fetchTicker('BTC/USDT'));
      assert.equal(reset.constructor.name, 'NetworkError');
    });

    it('stop() ends a hanging request', async () => {
      mock.failNext(1, 'timeout');
      const outcome = new Promise<string>((resolve) => {
        http
          .get(`${mock.url}/api/v3/ping`, (res) => resolve(`status ${res.statusCode}`))
          .on('error', (e) => resolve(`error ${e.message}`));
      });
      await waitFor(() => mock.requestCount('/api/v3/ping') >= 1, 5_000, 'the request at the mock');
      const started = Date.now();
      await mock.stop();
      assert.match(await outcome, /^error/);
      assert.ok(Date.now() - started < 1000);
    });

    it('unknown paths are 404', async () => {
      const res = await fetch(`${mock.url}/api/v3/nope`);
      assert.equal(res.status, 404);
      const ping = await fetch(`${mock.url}/api/v3/ping`);
      assert.deepEqual(await ping.json(), {});
    });
  });

  describe('websocket', () => {
    it('watchTicker (ccxt subscribes <sym>@miniTicker: no bid/ask) and the full @ticker via name', async () => {
      const mini = ex.watchTicker('BTC/USDT');
      await mock.waitForSubscription('btcusdt@miniTicker');
      mock.setTicker('BTC/USDT', { bid: 60500, ask: 60501, last: 60500.5, volume: 42 });
      const m = await mini;
      assert.equal(m.symbol, 'BTC/USDT');
      assert.equal(m.last, 60500.5);
      assert.equal(m.baseVolume, 42);
      assert.equal(m.bid, undefined, 'the mini ticker has no bid');

      const full = ex.watchTicker('BTC/USDT', { name: 'ticker' });
      await mock.waitForSubscription('btcusdt@ticker');
      mock.setNow(T0);
      mock.setTicker('BTC/USDT', { bid: 61000, ask: 61001, last: 61000.5 });
      const t = await full;
      assert.equal(t.bid, 61000);
      assert.equal(t.ask, 61001);
      assert.equal(t.last, 61000.5);
      assert.equal(t.timestamp, T0);
      assert.deepEqual(mock.wsSubscriptions(), ['btcusdt@miniTicker', 'btcusdt@ticker']);
      assert.equal(mock.wsConnectionCount(), 2, 'ccxt opens one connection per subscription group');
    });

    it('watchOHLCV receives pushed klines: the open candle updates in place, then the next one appends', async () => {
      const first = ex.watchOHLCV('BTC/USDT', '1m');
      await mock.waitForSubscription('btcusdt@kline_1m');
      mock.pushKline('BTC/USDT', '1m', [T0, 1, 2, 0.5, 1.5, 10], false);
      assert.deepEqual(await first, [[T0, 1, 2, 0.5, 1.5, 10]]);

      const second = ex.watchOHLCV('BTC/USDT', '1m');
      mock.pushKline('BTC/USDT', '1m', [T0, 1, 2.5, 0.5, 2, 11], true);
      mock.pushKline('BTC/USDT', '1m', [T0 + MIN, 2, 2, 2, 2, 1], false);
      assert.deepEqual(await second, [
        [T0, 1, 2.5, 0.5, 2, 11],
        [T0 + MIN, 2, 2, 2, 2, 1],
      ]);
      // pushKline also feeds the REST history
      mock.setNow(T0 + MIN + 1);
      assert.deepEqual(await ex.fetchOHLCV('BTC/USDT', '1m', T0), [
        [T0, 1, 2.5, 0.5, 2, 11],
        [T0 + MIN, 2, 2, 2, 2, 1],
      ]);
    });

    it('watchOrderBook: REST snapshot then depthUpdate diffs stitched by U/u', async () => {
      const first = ex.watchOrderBook('BTC/USDT', 5);
      await mock.waitForSubscription('btcusdt@depth@100ms');
      const book1 = await first; // resolves once ccxt has the snapshot
      assert.equal(book1.bids[0][0], 59999.99);
      assert.equal(mock.requestCount('/api/v3/depth'), 1);
      assert.equal(mock.requests.at(-1)?.query.limit, '5');

      const second = ex.watchOrderBook('BTC/USDT', 5);
      mock.setOrderBook('BTC/USDT', [[59990, 1]], [[60010, 2]]);
      const book2 = await second;
      assert.deepEqual(plain(book2.bids), [[59990, 1]]);
      assert.deepEqual(plain(book2.asks), [[60010, 2]]);

      const third = ex.watchOrderBook('BTC/USDT', 5);
      mock.setOrderBook('BTC/USDT', [[59990, 1], [59980, 3]], [[60005, 2]]);
      const book3 = await third;
      assert.deepEqual(plain(book3.bids), [[59990, 1], [59980, 3]]);
      assert.deepEqual(plain(book3.asks), [[60005, 2]]);
      assert.equal(mock.requestCount('/api/v3/depth'), 1, 'no re-snapshot: the diffs were contiguous');
    });

    it('after dropWebSockets() the pending watch rejects and the next one reconnects and gets new data', async () => {
      const first = ex.watchTicker('BTC/USDT');
      await mock.waitForSubscription('btcusdt@miniTicker');
      mock.setTicker('BTC/USDT', { bid: 1, ask: 2, last: 1.5 });
      assert.equal((await first).last, 1.5);

      const pending = ex.watchTicker('BTC/USDT');
      mock.dropWebSockets();
      const err = await rejection(pending);
      assert.equal(err.constructor.name, 'NetworkError');
      assert.equal(mock.wsConnectionCount(), 0);

      const again = ex.watchTicker('BTC/USDT');
      await mock.waitForSubscription('btcusdt@miniTicker');
      mock.setTicker('BTC/USDT', { bid: 3, ask: 4, last: 3.5 });
      assert.equal((await again).last, 3.5);
      assert.equal(mock.wsConnectionCount(), 1);
    });

    it('rejectWebSockets(true) refuses new connections until turned off', async () => {
      mock.rejectWebSockets(true);
      const err = await rejection(ex.watchTicker('BTC/USDT'));
      assert.equal(err.constructor.name, 'NetworkError');
      assert.match(err.message, /503/);
      mock.rejectWebSockets(false);
      const next = ex.watchTicker('BTC/USDT');
      await mock.waitForSubscription('btcusdt@miniTicker');
      mock.setTicker('BTC/USDT', { bid: 5, ask: 6, last: 5.5 });
      assert.equal((await next).last, 5.5);
    });

    it('rejectWebSockets(true, 404) answers the upgrade with 404 (an exchange no longer serving the path)', async () => {
      mock.rejectWebSockets(true, 404);
      const err = await rejection(ex.watchTicker('BTC/USDT'));
      assert.equal(err.constructor.name, 'NetworkError');
      assert.match(err.message, /Unexpected server response: 404/);
      mock.rejectWebSockets(false);
    });

    it('a stream the mock does not serve is rejected, not left hanging', async () => {
      const err = await rejection(ex.watchTrades('BTC/USDT'));
      assert.ok(classChain(err).includes('ExchangeError'));
      assert.match(err.message, /invalid stream/);
    });

    it('speaks the raw protocol: SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE and errors', async () => {
      const ws = new WebSocket(mock.url.replace('http:', 'ws:') + '/ws');
      const inbox: any[] = [];
      const waiters: Array<() => void> = [];
      ws.on('message', (d) => {
        inbox.push(JSON.parse(d.toString()));
        waiters.splice(0).forEach((w) => w());
      });
      const next = async (): Promise<any> => {
        while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
        return inbox.shift();
      };
      try {
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['ethusdt@kline_5m', 'ethusdt@bookTicker'], id: 7 }));
        assert.deepEqual(await next(), { result: null, id: 7 });
        ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 8 }));
        assert.deepEqual((await next()).result.sort(), ['ethusdt@bookTicker', 'ethusdt@kline_5m']);

        mock.setTicker('ETH/USDT', { bid: 2999, ask: 3001, last: 3000 });
        const book = await next();
        assert.equal(book.s, 'ETHUSDT');
        assert.equal(book.b, '2999.00000000');
        assert.equal(book.e, undefined, 'spot bookTicker carries no event type');

        mock.setNow(T0);
        mock.pushKline('ETH/USDT', '5m', [T0, 1, 2, 0.5, 1.5, 3], true);
        const kline = await next();
        assert.equal(kline.e, 'kline');
        assert.equal(kline.E, T0);
        assert.equal(kline.k.i, '5m');
        assert.equal(kline.k.T, T0 + 5 * MIN - 1);
        assert.equal(kline.k.x, true);

        ws.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['ethusdt@bookTicker'], id: 9 }));
        assert.deepEqual(await next(), { result: null, id: 9 });
        assert.deepEqual(mock.wsSubscriptions(), ['ethusdt@kline_5m']);

        ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['nopeusdt@ticker'], id: 10 }));
        const bad = await next();
        assert.equal(bad.id, 10);
        assert.equal(bad.error.code, 2);
      } finally {
        ws.terminate();
      }
    });
  });
});
