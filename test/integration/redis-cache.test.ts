/**
 * Market data shared through Redis (real redis-server) by several "instances": each instance is
 * its own ccxt (real ccxt, talking to the mock Binance on 127.0.0.1) wrapped in a CachedSource
 * on its own Redis connection, as two Node-RED processes would be.
 */
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import type { Candle, OhlcvRow } from '../../core/contract';
import { CachedSource, type CachedSourceOptions } from '../../core/market/cached-source';
import { CandleFeed } from '../../core/market/candle-feed';
import { CcxtSource } from '../../core/market/ccxt-source';
import { parseRedisSettings } from '../../core/redis/connection';
import { RedisHub } from '../../core/redis/redis-hub';
import { apiKeyFingerprint } from '../../core/redis/rate-budget';
import { MockBinance } from '../support/mock-binance';
import { RedisServer, requireRedis } from '../support/redis-server';
import { waitFor } from '../support/wait';

const MIN = 60_000;
const PREFIX = 'tb-cache-test:';

interface Instance {
  source: CachedSource;
  hub: RedisHub;
  statuses: string[];
}

describe('market-data cache and shared rate budget in Redis (real redis-server, ccxt against a mock Binance)', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let probe: Redis;
  let mock: MockBinance;
  let instances: Instance[] = [];

  before(async function () {
    requireRedis(this);
    redis = new RedisServer();
    await redis.start();
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    probe.on('error', () => undefined); // one test stops Redis on purpose
  });
  after(async function () {
    probe?.disconnect();
    await redis?.destroy();
  });
  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    await probe.flushall();
  });
  afterEach(async function () {
    for (const i of instances) {
      await i.source.close();
      await i.hub.close();
    }
    instances = [];
    await mock.stop();
  });

  /** One "Node-RED instance": its own ccxt and its own Redis connection. */
  async function instance(options: Partial<CachedSourceOptions> & { apiKey?: string; secret?: string } = {}): Promise<Instance> {
    const { apiKey, secret, ...rest } = options;
    const hub = new RedisHub(parseRedisSettings({ url: redis.url, keyPrefix: PREFIX }));
    const inner = await CcxtSource.create({
      exchangeId: 'binance',
      baseUrl: mock.url,
      timeoutMs: 2000,
      websocket: 'off',
      credentials: apiKey ? { apiKey, secret } : {},
    });
    const statuses: string[] = [];
    const source = new CachedSource(inner, { redis: hub.client(), onStatus: (text) => statuses.push(text), ...rest });
    const created = { source, hub, statuses };
    instances.push(created);
    return created;
  }

  const candleKey = (symbol: string, timeframe: string) => `${PREFIX}cache:ohlcv:binance:${symbol}:${timeframe}`;
  const row = (ts: number, close: number): OhlcvRow => [ts, close - 1, close + 2, close - 3, close, 10];

  /** 151 one-minute candles at the mock, the last one forming, and a clock pinned mid-candle. */
  function candleHistory(): { base: number; clock: { now: number } } {
    const base = Math.floor(Date.now() / MIN) * MIN; // the forming candle
    const history: OhlcvRow[] = [];
    for (let i = 150; i >= 0; i--) history.push(row(base - i * MIN, 1000 + (150 - i)));
    mock.setKlines('BTC/USDT', '1m', history);
    const clock = { now: base + 30_000 };
    mock.setNow(clock.now);
    return { base, clock };
  }

  describe('markets', function () {
    it('two instances starting together: ONE exchangeInfo request between them, ccxt itself included', async function () {
      const a = await instance();
      const b = await instance();
      const [ma, mb] = await Promise.all([a.source.loadMarkets(), b.source.loadMarkets()]);
      assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 1, 'one fetch for both instances');
      assert.deepEqual(mb.get('BTC/USDT'), ma.get('BTC/USDT'));
      assert.equal(mb.get('BTC/USDT')?.tickSize, 0.01);
      assert.equal(mb.size, 3);

      // ccxt got the copy too: its own internal loadMarkets (fetchTicker) sends nothing.
      mock.setTicker('BTC/USDT', { bid: 64000, ask: 64001, last: 64000.5 });
      assert.equal((await b.source.fetchTicker('BTC/USDT')).last, 64000.5);
      const c = await instance();
      assert.equal((await c.source.fetchTicker('BTC/USDT')).last, 64000.5, 'a later instance, markets loaded by ccxt internally');
      assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 1, 'still the one fetch');

      const ttl = await probe.pttl(`${PREFIX}cache:markets:binance:public`);
      assert.ok(ttl > 3_590_000 && ttl <= 3_600_000, `markets TTL ~1 h (got ${ttl} ms)`);
      assert.equal(await probe.exists(`${PREFIX}cache:markets:binance:public:lock`), 0, 'lock released');
    });

    it('a lock holder that takes too long does not hold the others up: they fetch themselves', async function () {
      mock.failNext(1, 'timeout', '/api/v3/exchangeInfo');
      const a = await instance({ markets: { waitMs: 500 } });
      const b = await instance({ markets: { waitMs: 500 } });
      const slow = a.source.loadMarkets();
      slow.catch(() => undefined);
      await waitFor(() => mock.requestCount('/api/v3/exchangeInfo') === 1, 2000, 'the lock holder to ask');
      const t0 = Date.now();
      const markets = await b.source.loadMarkets();
      const waited = Date.now() - t0;
      assert.ok(markets.has('BTC/USDT'));
      assert.ok(waited >= 400 && waited < 1800, `waited about waitMs, not the holder's 2 s timeout (${waited} ms)`);
      await assert.rejects(slow, /timed out|timeout/i, 'the holder itself times out');
      assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 2);
      // The waiter stored its copy: the holder's retry finds it.
      await a.source.loadMarkets();
      assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 2);
    });
  });

  describe('candles', function () {
    it('a warm-up of 100 closed 1m candles: from the exchange the first time, from Redis the next (identical)', async function () {
      const { base, clock } = candleHistory();
      const a = await instance({ clock: () => clock.now });
      const first = await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
      assert.equal(mock.requestCount('/api/v3/klines'), 1);
      assert.equal(first.length, 102);
      assert.equal(first[101]![0], base, 'the exchange answer has the forming candle');
      assert.equal(await probe.zcard(candleKey('BTC/USDT', '1m')), 101, 'the 101 closed ones are stored');
      assert.deepEqual(await probe.zrangebyscore(candleKey('BTC/USDT', '1m'), base, '+inf'), [], 'the forming candle is not');
      const ttl = await probe.pttl(candleKey('BTC/USDT', '1m'));
      assert.ok(ttl > 2 * 86_400_000 - 60_000 && ttl <= 2 * 86_400_000, `1m candles live 2 days (got ${ttl} ms)`);

      // Another instance's candle node warms up through the real CandleFeed: nothing reaches the exchange.
      const b = await instance({ clock: () => clock.now });
      const warm: Candle[] = [];
      const feed = new CandleFeed(b.source, { symbol: 'BTC/USDT', timeframe: '1m', warmup: 100, pollIntervalMs: 60_000, websocket: false }, {
        onData: (candle, meta) => {
          assert.equal(meta.warmup, true);
          warm.push(candle);
        },
        onStatus: () => undefined,
        onFatal: (err) => assert.fail(err),
      });
      await feed.start();
      await feed.stop();
      assert.equal(mock.requestCount('/api/v3/klines'), 1, 'zero new klines requests');
      assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 1, 'markets from Redis too');
      assert.equal(warm.length, 100);
      assert.deepEqual(
        warm.map((c) => [c.ts, c.open, c.high, c.low, c.close, c.volume]),
        first.slice(1, 101),
        'the same 100 closed candles the exchange sent',
      );
      const second = await b.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
      assert.deepEqual(second, first.slice(0, 101), 'served from Redis: the closed candles only');
      assert.equal(mock.requestCount('/api/v3/klines'), 1);
      assert.equal(b.source.stats.candleHits, 2);
    });

    it('the forming candle is never cached: a new value for it is seen fresh; once closed it is cached', async function () {
      const { base, clock } = candleHistory();
      const a = await instance({ clock: () => clock.now });
      await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
      mock.pushKline('BTC/USDT', '1m', row(base, 5555), false);
      const seen1 = await a.source.fetchOHLCV('BTC/USDT', '1m', base, 5);
      assert.deepEqual(seen1, [row(base, 5555)]);
      mock.pushKline('BTC/USDT', '1m', row(base, 6666), false);
      const seen2 = await a.source.fetchOHLCV('BTC/USDT', '1m', base, 5);
      assert.deepEqual(seen2, [row(base, 6666)], 'fresh, not the 5555 seen before');
      assert.equal(mock.requestCount('/api/v3/klines'), 3);
      assert.equal(await probe.zcount(candleKey('BTC/USDT', '1m'), base, base), 0);

      // A minute later the candle has closed (final value 7777) and a new one forms.
      clock.now += MIN;
      mock.setNow(clock.now);
      mock.pushKline('BTC/USDT', '1m', row(base, 7777), true);
      mock.pushKline('BTC/USDT', '1m', row(base + MIN, 8000), false);
      const afterClose = await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
      assert.equal(mock.requestCount('/api/v3/klines'), 4, 'the newly closed candle is not in Redis yet: exchange');
      assert.deepEqual(afterClose.slice(-2), [row(base, 7777), row(base + MIN, 8000)]);
      const b = await instance({ clock: () => clock.now });
      const cached = await b.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
      assert.equal(mock.requestCount('/api/v3/klines'), 4, 'now from Redis');
      assert.deepEqual(cached, afterClose.slice(0, 101));
      assert.deepEqual(cached[100], row(base, 7777));
    });

    it('a hole in the cached range, or a range reaching before it, goes to the exchange (and is then filled)', async function () {
      const { base, clock } = candleHistory();
      const a = await instance({ clock: () => clock.now });
      const full = await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
      assert.equal(mock.requestCount('/api/v3/klines'), 1);

      await probe.zremrangebyscore(candleKey('BTC/USDT', '1m'), base - 50 * MIN, base - 50 * MIN);
      const b = await instance({ clock: () => clock.now });
      assert.deepEqual(await b.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102), full, 'a hole: the exchange answers');
      assert.equal(mock.requestCount('/api/v3/klines'), 2);
      assert.deepEqual(await b.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102), full.slice(0, 101), 'the hole was filled');
      assert.equal(mock.requestCount('/api/v3/klines'), 2);

      // A catch-up inside the cached range is answered from Redis...
      const inside = await b.source.fetchOHLCV('BTC/USDT', '1m', base - 30 * MIN, 10);
      assert.deepEqual(inside, full.slice(71, 81));
      assert.equal(mock.requestCount('/api/v3/klines'), 2);
      // ...one starting before it is not, and what it fetched is then known.
      const older = await b.source.fetchOHLCV('BTC/USDT', '1m', base - 140 * MIN, 50);
      assert.equal(mock.requestCount('/api/v3/klines'), 3);
      assert.deepEqual(older[0], row(base - 140 * MIN, 1010));
      assert.deepEqual(await b.source.fetchOHLCV('BTC/USDT', '1m', base - 140 * MIN, 50), older);
      assert.equal(mock.requestCount('/api/v3/klines'), 3);
    });
  });

  it('Redis down: every call still works through the exchange and it is said once; Redis back: cached again', async function () {
    const { clock } = candleHistory();
    mock.setTicker('BTC/USDT', { bid: 64000, ask: 64001, last: 64000.5 });
    const a = await instance({ clock: () => clock.now });
    await a.source.loadMarkets();
    const full = await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
    assert.equal(mock.requestCount('/api/v3/klines'), 1);

    await redis.stop();
    assert.deepEqual(await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102), full, 'candles from the exchange');
    assert.deepEqual(await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102), full);
    assert.equal(mock.requestCount('/api/v3/klines'), 3);
    assert.equal((await a.source.fetchTicker('BTC/USDT')).last, 64000.5, 'the rate budget steps aside');
    assert.equal(a.statuses.length, 1, `said once: ${JSON.stringify(a.statuses)}`);
    assert.match(a.statuses[0]!, /Redis unavailable.*cache and shared rate budget off/);
    // An instance starting while Redis is down loads its markets itself.
    const c = await instance({ clock: () => clock.now });
    assert.ok((await c.source.loadMarkets()).has('ETH/USDT'));
    assert.equal((await c.source.fetchTicker('BTC/USDT')).last, 64000.5);
    assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 2);

    await redis.start();
    await waitFor(() => a.hub.client().status === 'ready' && probe.status === 'ready', 20_000, 'the connections to come back');
    await probe.flushall();
    await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102);
    assert.equal(mock.requestCount('/api/v3/klines'), 4, 'an empty cache after the flush: exchange, stored');
    assert.deepEqual(a.statuses.slice(1), ['Redis back: market-data cache and shared rate budget on'], 'and back, said once');
    assert.deepEqual(await a.source.fetchOHLCV('BTC/USDT', '1m', undefined, 102), full.slice(0, 101));
    assert.equal(mock.requestCount('/api/v3/klines'), 4, 'cached again');
  });

  it('rate budget: two instances of one account share it (40 tickers at 10/s: ~4 s); two accounts do not (~2 s)', async function () {
    mock.setTicker('BTC/USDT', { bid: 64000, ask: 64001, last: 64000.5 });
    mock.addAccount('keyA', 'secretA', { USDT: 1000 });
    mock.addAccount('keyB', 'secretB', { USDT: 1000 });
    // ccxt counts a Binance ticker as 0.4 units of `rateLimit` ms: 250 ms/unit = 100 ms per ticker = 10/s.
    const budget = { rateBudget: { rateLimitMs: 250 } };
    const run = async (i: Instance, n: number) => {
      for (let k = 0; k < n; k++) await i.source.fetchTicker('BTC/USDT');
    };
    const timed = async (x: Instance, y: Instance): Promise<number> => {
      await Promise.all([x.source.loadMarkets(), y.source.loadMarkets()]);
      // Start from full buckets (loading markets spent some budget).
      await probe.del(`${PREFIX}${x.source.rateBudgetKey}`, `${PREFIX}${y.source.rateBudgetKey}`);
      const t0 = Date.now();
      await Promise.all([run(x, 20), run(y, 20)]);
      return Date.now() - t0;
    };

    const a1 = await instance({ apiKey: 'keyA', secret: 'secretA', ...budget });
    const a2 = await instance({ apiKey: 'keyA', secret: 'secretA', ...budget });
    assert.equal(a1.source.rateBudgetKey, `ratebudget:binance:${apiKeyFingerprint('keyA')}`);
    assert.equal(a2.source.rateBudgetKey, a1.source.rateBudgetKey);
    const shared = await timed(a1, a2);
    assert.equal(mock.requestCount('/api/v3/ticker/24hr'), 40);

    const b1 = await instance({ apiKey: 'keyA', secret: 'secretA', ...budget });
    const b2 = await instance({ apiKey: 'keyB', secret: 'secretB', ...budget });
    assert.notEqual(b1.source.rateBudgetKey, b2.source.rateBudgetKey);
    const separate = await timed(b1, b2);
    assert.equal(mock.requestCount('/api/v3/ticker/24hr'), 80);

    assert.ok(shared >= 3000, `shared budget: 40 tickers at 10/s take ~4 s (took ${shared} ms)`);
    assert.ok(separate < 3000 && separate < shared - 1000, `separate budgets: ~2 s (took ${separate} ms, shared ${shared} ms)`);
    const keys = await probe.keys(`${PREFIX}ratebudget:*`);
    assert.equal(keys.length, 2);
    assert.ok(keys.every((k) => !k.includes('keyA') && !k.includes('keyB')), 'API keys never reach Redis');
    console.log(`      shared budget: ${shared} ms, separate budgets: ${separate} ms`);
  });
});
