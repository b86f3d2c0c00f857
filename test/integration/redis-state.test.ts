/**
 * State on a real redis-server: the account's portfolio and orders and the risk gate's state live
 * in Redis; with Redis down no order is placed (the order node says why) and trading resumes by
 * itself when Redis is back.
 */
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { parseRedisSettings } from '../../core/redis/connection';
import { RedisHub } from '../../core/redis/redis-hub';
import { RedisOrderClaims } from '../../core/redis/redis-order-claims';
import { RedisStateStore } from '../../core/redis/redis-state-store';
import { MockBinance } from '../support/mock-binance';
import { RedisServer, requireRedis } from '../support/redis-server';
import { isRejection, Inbox, getNode, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

describe('state in Redis (real redis-server)', function () {
  this.timeout(40_000);
  let redis: RedisServer;
  let probe: Redis;

  before(async function () {
    requireRedis(this);
    redis = new RedisServer();
    await redis.start();
    probe = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    probe.on('error', () => undefined); // the test stops Redis on purpose
  });
  after(async function () {
    probe?.disconnect();
    await redis?.destroy();
  });
  afterEach(unloadFlow);

  const flow = (): FlowNode[] => [
    { id: 'rd', type: 'tradebot-redis', url: redis.url, keyPrefix: 'tb-test:' },
    { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 9, simSpeed: 60, simBalances: 'USDT=10000', redis: 'rd' },
    { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100, wires: [['order'], ['rejected']] },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', wires: [['updates'], []] },
    { id: 'rejected', type: 'helper' },
    { id: 'updates', type: 'helper' },
  ];
  let n = 0;
  const signal = (side: 'buy' | 'sell') => ({ payload: { kind: 'signal', id: `sig-r${++n}`, exchange: 'sim', symbol: 'BTC/USDT', side, price: 60000, ts: Date.now(), candleTs: 0, strategy: 's', strength: 1, reason: 'r' } });

  it('keeps the account and the risk state in Redis, one JSON document each, and reloads them after a redeploy', async function () {
    await loadFlow(flow());
    const updates = new Inbox('updates');
    getNode('risk').receive(signal('buy'));
    const [buy] = await updates.take(1);
    assert.equal(buy.payload.status, 'closed');
    await waitFor(() => false, 200).catch(() => undefined);
    const doc = JSON.parse((await probe.get('tb-test:state:tradebot:account:ex:sim'))!);
    assert.ok(Math.abs(doc.portfolio.balances.BTC.free - buy.payload.filled) < 1e-12, 'the fill is in Redis');
    assert.ok(doc.done.includes(buy.payload.clientOrderId));
    const risk = JSON.parse((await probe.get('tb-test:state:tradebot:risk:risk'))!);
    assert.deepEqual(risk.approved, [`sig-r${n}`]);

    await unloadFlow();
    await loadFlow(flow());
    const again = new Inbox('updates');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: buy.payload.clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() } });
    const [dup] = await again.take(1);
    assert.equal(dup.duplicate, true, 'the used client order id survived the redeploy in Redis');
  });

  it('Redis down: orders are refused and the nodes say so; Redis back: trading resumes by itself', async function () {
    await loadFlow(flow());
    const updates = new Inbox('updates');
    const statuses = recordStatuses('order');
    getNode('risk').receive(signal('buy'));
    await updates.take(1);
    await redis.stop();
    await waitFor(() => statuses.some((s) => /state store \(Redis\) (reconnecting|down)/.test(s.text ?? '')), 10_000, 'the order node to say Redis is down');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-while-down', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() } });
    const [, refused] = await updates.take(2, 10_000);
    assert.equal(refused.payload.status, 'rejected');
    assert.match(refused.payload.reason, /state store unavailable/);
    await redis.start();
    await waitFor(() => statuses.some((s) => /back/.test(s.text ?? '')), 15_000, 'the order node to see Redis back');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-after-up', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() } });
    const [, , after] = await updates.take(3, 10_000);
    assert.equal(after.payload.status, 'closed');
    const doc = JSON.parse((await probe.get('tb-test:state:tradebot:account:ex:sim'))!);
    assert.ok(doc.done.includes('tb-after-up'));
    assert.ok(!doc.done.includes('tb-while-down'), 'the refused order was never recorded as placed');
  });

  it('Redis down at deploy: nothing crashes, the risk gate says so and refuses signals; Redis up: it loads its state and trades', async function () {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('unhandledRejection', onCrash);
    try {
      await redis.stop();
      await loadFlow(flow());
      const statuses = recordStatuses('risk');
      const rejected = new Inbox('rejected', isRejection);
      await waitFor(() => statuses.some((s) => /state store/.test(s.text ?? '')), 10_000, 'the risk gate to say its state store is down');
      // A fixed wait on purpose: time is what is tested (past the connect timeout: what used to crash Node-RED).
      await new Promise((r) => setTimeout(r, 3_000));
      assert.deepEqual(crashes.map(String), [], 'no unhandled rejection (it would stop Node-RED)');
      getNode('risk').receive(signal('buy'));
      const [r] = await rejected.take(1, 10_000);
      assert.match(r.payload.reason, /state store/i);
      await redis.start();
      const updates = new Inbox('updates');
      // Signals keep coming, as they would from a strategy: once Redis is back one goes through.
      for (const end = Date.now() + 20_000; !updates.messages.some((m) => m.payload.status === 'closed'); ) {
        assert.ok(Date.now() < end, 'a signal approved and filled within 20 s of Redis coming back');
        getNode('risk').receive(signal('buy'));
        await new Promise((res) => setTimeout(res, 300));
      }
      assert.deepEqual(crashes.map(String), []);
    } finally {
      process.off('unhandledRejection', onCrash);
      if (!(await probe.ping().then(() => true, () => false))) await redis.start();
    }
  });

  it('two instances sharing one exchange account and one Redis: the same order request becomes one order', async function () {
    const mock = new MockBinance();
    await mock.start();
    mock.addAccount('sharedKey0123456789', 'sharedSecret0123456789', { USDT: 100_000, BTC: 1 });
    mock.setOrderBook('BTC/USDT', [[59_990, 5]], [[60_010, 5]]);
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
    const hubs: RedisHub[] = [];
    const sessions = ['instance-a', 'instance-b'].map((name) => {
      const hub = new RedisHub(parseRedisSettings({ url: redis.url, keyPrefix: 'tb-shared:' }));
      hubs.push(hub);
      const session = new ExchangeSession(
        parseExchangeSettings({ mode: 'live', liveOptIn: true, exchangeId: 'binance', baseUrl: mock.url, credentials: { apiKey: 'sharedKey0123456789', secret: 'sharedSecret0123456789' } }),
        'ex',
      );
      session.setStateStore(new RedisStateStore(hub.client()), new RedisOrderClaims(hub.client(), name), name);
      return session;
    });
    try {
      const request = { kind: 'orderRequest' as const, clientOrderId: 'tb-shared-1', symbol: 'BTC/USDT', side: 'buy' as const, type: 'market' as const, amount: 0.01, ts: Date.now() };
      const results = await Promise.all(sessions.map((sess) => sess.placeOrder(request)));
      const sent = results.filter((r) => !r.duplicate);
      const refused = results.filter((r) => r.duplicate);
      assert.equal(sent.length, 1, 'exactly one instance sent it');
      assert.equal(sent[0]!.update.status, 'closed');
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.update.reason!, /placed by another instance/);
      assert.equal(mock.tradingStats('sharedKey0123456789').createRequests, 1, 'one create call at the exchange');
      assert.equal(mock.orders('sharedKey0123456789').length, 1);
      // Each instance keeps its own state document: the order is in the sender's only.
      const sender = results[0]!.duplicate ? 'instance-b' : 'instance-a';
      const other = sender === 'instance-a' ? 'instance-b' : 'instance-a';
      const doc = JSON.parse((await probe.get(`tb-shared:state:tradebot:account:${sender}:ex:live`))!);
      assert.ok(doc.done.includes('tb-shared-1'));
      const otherDoc = await probe.get(`tb-shared:state:tradebot:account:${other}:ex:live`);
      assert.ok(otherDoc === null || !JSON.parse(otherDoc).done.includes('tb-shared-1'));
    } finally {
      await Promise.all(sessions.map((sess) => sess.close()));
      await Promise.all(hubs.map((h) => h.close()));
      await mock.stop();
    }
  });
});
