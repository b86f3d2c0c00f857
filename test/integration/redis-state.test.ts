/**
 * State on a real redis-server: the account's portfolio and orders and the risk gate's state live
 * in Redis; with Redis down no order is placed (the order node says why) and trading resumes by
 * itself when Redis is back.
 */
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { RedisServer, requireRedis } from '../support/redis-server';
import { Inbox, getNode, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

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
});
