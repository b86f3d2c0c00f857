/**
 * The streams bus on a real redis-server: stream out -> Redis -> stream in with a consumer group,
 * acknowledgements only when the flow finished an entry, pending entries of a dead consumer
 * claimed by another, dead letters, MAXLEN trimming, a Redis restart in the middle of a run, an
 * order request delivered twice placing one order, and the two streams example flows.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { RedisServer, requireRedis } from '../support/redis-server';
import { helper, tradebotNodes, Inbox, getNode, recordStatuses, sleep, unloadFlow, waitFor, waitForAsync, type FlowNode } from '../support/node-red';

const nodeRedDir = path.dirname(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'));
const coreNode = (file: string) => require(require.resolve(`@node-red/nodes/core/common/${file}`, { paths: [nodeRedDir] }));
const catchNode = coreNode('25-catch.js');
const completeNode = coreNode('24-complete.js');

const TAB = 'streams-test-tab';
const CONFIG_TYPES = ['tradebot-exchange', 'tradebot-redis'];
const PREFIX = 'tbs:';

/** Like loadFlow, with the core complete node too (the documented way to feed a stream ack). */
async function load(flow: FlowNode[]): Promise<void> {
  const onTab = flow.map((n) => (CONFIG_TYPES.includes(n.type) || n.z ? n : { ...n, z: TAB }));
  // The helper registers its own catch / complete module once per such node in the flow, which fails
  // for two of a kind (the examples run has two complete nodes): here they are registered once, with the rest.
  const h = helper as unknown as { _nodeModules: Record<string, unknown> };
  const preloaded = h._nodeModules;
  h._nodeModules = {};
  try {
    await helper.load([...tradebotNodes, catchNode, completeNode] as any, [{ id: TAB, type: 'tab', label: 'streams' }, ...onTab]);
  } finally {
    h._nodeModules = preloaded;
  }
}

/** The package root: the nearest folder up from here with our package.json (works from src and dist). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'node-red-contrib-tradebot') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package root above ${__dirname}`);
  }
}

let seq = 0;
const ticker = (ts: number, extra: Record<string, unknown> = {}) => ({
  topic: 'BTC/USDT',
  payload: { kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts, bid: 60000, ask: 60001, last: 60000.5 },
  ...extra,
});
const orderRequest = (clientOrderId: string) => ({
  topic: 'BTC/USDT',
  payload: { kind: 'orderRequest', clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() },
});

describe('streams bus (real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let probe: Redis;

  before(async function () {
    requireRedis(this);
    redis = new RedisServer();
    await redis.start();
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    probe.on('error', () => undefined); // the restart test stops Redis on purpose
  });
  after(async function () {
    probe?.disconnect();
    await redis?.destroy();
  });
  afterEach(unloadFlow);

  const rd = (): FlowNode => ({ id: 'rd', type: 'tradebot-redis', url: redis.url, keyPrefix: PREFIX });
  const key = (name: string) => `${name}-${++seq}`;
  const pendingCount = async (k: string, group: string) => Number(((await probe.call('XPENDING', PREFIX + k, group)) as unknown[])[0]);

  it('stream out -> Redis -> stream in: each group gets every entry with msg.stream; invalid messages are refused naming the field, nothing written', async function () {
    const k = key('deliver');
    await load([
      rd(),
      { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k, maxLen: 1000 },
      { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g1', consumer: 'c1', start: '0', wires: [['got']] },
      { id: 'in2', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g2', wires: [['got2']] },
      { id: 'got', type: 'helper' },
      { id: 'got2', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]);
    const got = new Inbox('got');
    const got2 = new Inbox('got2');
    const errors = new Inbox('errors');
    // g2 starts at $ (only what comes next): wait until both groups exist.
    await waitForAsync(async () => ((await probe.call('XINFO', 'GROUPS', PREFIX + k).catch(() => [])) as unknown[]).length === 2, 5_000, 'both groups');
    const extras = { indicators: { ema9: 60010.5, macd: { macd: 1, signal: 0.5, histogram: 0.5 }, rsi14: null }, warmup: true, gap: { from: 0, to: 60_000, missing: 1 }, local: 'stays here' };
    getNode('out').receive(ticker(1, extras));
    getNode('out').receive(ticker(2));
    getNode('out').receive(ticker(3));
    const msgs = await got.take(3);
    assert.deepEqual(msgs.map((m) => m.payload.ts), [1, 2, 3], 'in order');
    assert.deepEqual(msgs[0].payload, ticker(1).payload);
    assert.equal(msgs[0].topic, 'BTC/USDT');
    assert.deepEqual(msgs[0].indicators, extras.indicators);
    assert.equal(msgs[0].warmup, true);
    assert.deepEqual(msgs[0].gap, extras.gap);
    assert.equal(msgs[0].local, undefined, 'only the contract parts travel');
    assert.equal(msgs[1].warmup, undefined);
    for (const m of msgs) {
      assert.equal(m.stream.key, k);
      assert.equal(m.stream.group, 'g1');
      assert.equal(m.stream.consumer, 'c1');
      assert.match(m.stream.id, /^\d+-\d+$/);
      assert.equal(m.stream.deliveries, 1);
    }
    const other = await got2.take(3);
    assert.deepEqual(other.map((m) => m.stream.id), msgs.map((m) => m.stream.id), 'another group gets the same entries');
    assert.equal(other[0].stream.consumer, `${os.hostname()}-in2`, 'default consumer: hostname + node id');
    assert.equal(Number(await probe.xlen(PREFIX + k)), 3);

    getNode('out').receive(ticker(4, { payload: { ...ticker(4).payload, last: -5 } }));
    getNode('out').receive({ payload: { kind: 'tick', symbol: 'BTC/USDT' } });
    getNode('out').receive(ticker(5, { indicators: { ema9: 'high' } }));
    getNode('out').receive({ payload: 'not an object' });
    const refused = (await errors.take(4)).map((m) => String(m.error?.message));
    assert.match(refused[0]!, /msg\.payload\.last: /);
    assert.match(refused[1]!, /msg\.payload\.kind: "tick" is not a kind/);
    assert.match(refused[2]!, /msg\.indicators\.ema9: /);
    assert.match(refused[3]!, /msg\.payload: must be a tradebot payload/);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await sleep(100);
    assert.equal(Number(await probe.xlen(PREFIX + k)), 3, 'nothing written for the invalid messages');
    assert.equal(got.messages.length, 3);
  });

  it('an entry stays pending until the stream ack node gets its message; then it is acknowledged', async function () {
    const k = key('ack');
    await load([
      rd(),
      { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
      { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g', consumer: 'c', start: '0', wires: [['work']] },
      { id: 'work', type: 'helper' },
      { id: 'ack', type: 'tradebot-stream-ack', redis: 'rd', wires: [['acked']] },
      { id: 'acked', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]);
    const work = new Inbox('work');
    const acked = new Inbox('acked');
    const errors = new Inbox('errors');
    getNode('out').receive(ticker(1));
    getNode('out').receive(ticker(2));
    const [first, second] = await work.take(2);
    // A fixed wait on purpose: the messages stay pending while no one finishes them, which is what is tested.
    await sleep(500);
    assert.equal(await pendingCount(k, 'g'), 2, 'delivered, not finished: pending');
    const owner = (await probe.call('XPENDING', PREFIX + k, 'g', '-', '+', 10)) as Array<[string, string, number, number]>;
    assert.deepEqual(owner.map((r) => [r[0], r[1], r[3]]), [[first.stream.id, 'c', 1], [second.stream.id, 'c', 1]]);

    getNode('ack').receive(first);
    const [passed] = await acked.take(1);
    assert.equal(passed.stream.id, first.stream.id, 'passed on after the ack');
    assert.equal(await pendingCount(k, 'g'), 1, 'only the finished entry is acknowledged');
    getNode('ack').receive(second);
    await acked.take(2);
    assert.equal(await pendingCount(k, 'g'), 0);
    getNode('ack').receive(first); // twice: no longer pending, not an error
    await acked.take(3);

    getNode('ack').receive({ payload: ticker(3).payload });
    const [err] = await errors.take(1);
    assert.match(err.error.message, /msg\.stream: missing/);
    getNode('ack').receive({ payload: ticker(3).payload, stream: { key: k, group: 'g', id: 'nope' } });
    await errors.take(2);
    assert.match(errors.messages[1].error.message, /msg\.stream\.id: /);
    assert.equal(acked.messages.length, 3);
  });

  it('pending entries of a dead consumer are claimed by another after "claim after" and delivered again (deliveries > 1)', async function () {
    const k = key('claim');
    // Consumer A reads 5 entries and "dies" (its flow is removed) without acknowledging them.
    await load([
      rd(),
      { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
      { id: 'inA', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g', consumer: 'A', start: '0', claimAfterSec: 60, wires: [['gotA']] },
      { id: 'gotA', type: 'helper' },
    ]);
    const gotA = new Inbox('gotA');
    for (let i = 1; i <= 5; i++) getNode('out').receive(ticker(i));
    const fromA = await gotA.take(5);
    const deliveredToA = Date.now();
    await unloadFlow();
    const heldByA = (await probe.call('XPENDING', PREFIX + k, 'g', '-', '+', 10)) as Array<[string, string]>;
    assert.deepEqual(heldByA.map((r) => r[1]), ['A', 'A', 'A', 'A', 'A']);

    // Consumer B, same group, acknowledges what it gets.
    await load([
      rd(),
      { id: 'inB', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g', consumer: 'B', claimAfterSec: 1, wires: [['gotB', 'ackB']] },
      { id: 'gotB', type: 'helper' },
      { id: 'ackB', type: 'tradebot-stream-ack', redis: 'rd', wires: [[]] },
    ]);
    const gotB = new Inbox('gotB');
    const fromB = await gotB.take(5, 8_000);
    assert.ok(Date.now() - deliveredToA >= 900, 'claimed only once idle for "claim after" (1 s)');
    assert.deepEqual(fromB.map((m) => m.stream.id), fromA.map((m) => m.stream.id), 'the same entries, in order');
    assert.deepEqual(fromB.map((m) => m.payload.ts), [1, 2, 3, 4, 5]);
    for (const m of fromB) {
      assert.equal(m.stream.consumer, 'B');
      assert.equal(m.stream.deliveries, 2, 'delivered a second time');
    }
    await waitForAsync(async () => (await pendingCount(k, 'g')) === 0, 3_000, 'B to acknowledge them');
    assert.equal(gotB.messages.length, 5);
  });

  it('entries delivered more than max deliveries, or not valid messages, become dead letters (acked, warned, kept in <stream>:dead)', async function () {
    const k = key('dead');
    await load([
      rd(),
      { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
      { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g', consumer: 'c', start: '0', claimAfterSec: 0.4, maxDeliveries: 2, wires: [['got']] },
      { id: 'got', type: 'helper' },
    ]);
    const warnings: string[] = [];
    getNode('in').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
    const got = new Inbox('got');
    await probe.xadd(PREFIX + k, '*', 'msg', '{not json');
    getNode('out').receive(ticker(7)); // never acknowledged
    const [one, two] = await got.take(2, 8_000);
    assert.deepEqual([one.stream.deliveries, two.stream.deliveries], [1, 2]);
    await waitFor(() => warnings.length === 2, 8_000, 'two dead letters');
    assert.match(warnings[0]!, /not a valid tradebot message: entry \S+\.msg: is not JSON/);
    assert.match(warnings[1]!, /delivered 3 times \(more than max deliveries 2\)/);
    assert.equal(await pendingCount(k, 'g'), 0, 'dead letters are acknowledged');
    const dead = (await probe.xrange(PREFIX + k + ':dead', '-', '+')).map(([, f]) => Object.fromEntries(f.reduce<string[][]>((a, v, i) => (i % 2 ? (a[a.length - 1]!.push(v), a) : [...a, [v]]), [])));
    assert.equal(dead.length, 2);
    assert.equal(dead[0]!.msg, '{not json');
    assert.equal(dead[1]!.id, one.stream.id);
    assert.equal(dead[1]!.deliveries, '3');
    assert.equal(JSON.parse(dead[1]!.msg!).payload.ts, 7);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await sleep(600);
    assert.equal(got.messages.length, 2, 'a dead letter is not delivered again');
  });

  it('MAXLEN ~ keeps the stream near maxLen: 1000 writes with maxLen 100 leave 100-200 entries', async function () {
    const k = key('maxlen');
    await load([rd(), { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k, maxLen: 100 }]);
    const statuses = recordStatuses('out');
    for (let i = 1; i <= 1000; i++) getNode('out').receive(ticker(i));
    const added = async () => {
      const info = (await probe.call('XINFO', 'STREAM', PREFIX + k).catch(() => [])) as unknown[];
      return Number(info[info.indexOf('entries-added') + 1] ?? 0);
    };
    await waitForAsync(async () => (await added()) === 1000, 10_000, '1000 entries added');
    const len = Number(await probe.xlen(PREFIX + k));
    // Approximate trimming removes only whole internal nodes of the stream (radix-tree nodes of at most
    // stream-node-max-entries = 100 entries, or 4 kB, whichever fills first), and never goes below maxLen:
    // so the length is maxLen plus at most one node's worth.
    assert.ok(len >= 100 && len <= 200, `XLEN ${len} is within [100, 200]`);
    const [[firstId, fields]] = (await probe.xrange(PREFIX + k, '-', '+', 'COUNT', 1)) as Array<[string, string[]]>;
    assert.ok(firstId, 'entries left');
    assert.ok(JSON.parse(fields[1]!).payload.ts > 1000 - len, 'the oldest entries went');
    await waitFor(() => /1000 written/.test(statuses.at(-1)?.text ?? ''), 2_000, 'status: 1000 written');
  });

  it('Redis restart mid-stream: writes during the outage fail with an error (never lost silently), the reader reconnects by itself and delivery continues', async function () {
    this.timeout(40_000);
    const k = key('restart');
    await load([
      rd(),
      { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
      { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g', consumer: 'c', start: '0', wires: [['got', 'ack']] },
      { id: 'got', type: 'helper' },
      { id: 'ack', type: 'tradebot-stream-ack', redis: 'rd', wires: [[]] },
      { id: 'catcher', type: 'catch', scope: ['out'], wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]);
    const got = new Inbox('got');
    const errors = new Inbox('errors');
    const inStatuses = recordStatuses('in');
    const received = () => new Set(got.messages.map((m) => m.payload.ts as number));
    const failed = () => new Set(errors.messages.map((m) => m.payload.ts as number));
    let ts = 0;
    /** Writes one message and waits until it either arrived at the reader or failed. */
    const write = async (): Promise<'delivered' | 'failed'> => {
      const t = ++ts;
      getNode('out').receive(ticker(t));
      await waitFor(() => received().has(t) || failed().has(t), 15_000, `write ${t} to be delivered or to fail`);
      return received().has(t) ? 'delivered' : 'failed';
    };

    for (let i = 0; i < 5; i++) assert.equal(await write(), 'delivered');
    await redis.stop();
    const during: string[] = [];
    for (let i = 0; i < 3; i++) {
      during.push(await write());
      // A fixed wait on purpose: Redis stays away ~1.5 s: the clients go through several reconnect attempts.
      await sleep(500);
    }
    assert.deepEqual(during, ['failed', 'failed', 'failed'], 'writes while Redis is down fail');
    assert.match(errors.messages[0].error.message, /XADD to stream .* failed, nothing written: Redis is not reachable/);
    await waitFor(() => inStatuses.some((s) => /reconnecting|down/.test(s.text ?? '')), 5_000, 'stream in shows it is reconnecting');
    await redis.start();
    // The writer's connection comes back on its own backoff (at most 5 s); until then writes still fail, loudly.
    let delivered = 0;
    for (let attempts = 0; delivered < 3; attempts++) {
      assert.ok(attempts < 40, 'writes succeed again after the restart');
      if ((await write()) === 'delivered') delivered++;
      else await sleep(250);
    }
    const all = Array.from({ length: ts }, (_, i) => i + 1);
    for (const t of all) assert.ok(received().has(t) !== failed().has(t), `write ${t}: delivered or failed, exactly one`);
    assert.ok(failed().size >= 3);
    assert.equal(got.messages.length, received().size, 'nothing delivered twice');
    await waitFor(() => /^connected/.test(inStatuses.at(-1)?.text ?? ''), 5_000, 'stream in connected again');
    await waitForAsync(async () => (await pendingCount(k, 'g')) === 0, 3_000, 'every delivered entry acknowledged');
  });

  it('Redis lost the group (data gone): the reader creates it again and carries on', async function () {
    const k = key('lost');
    await load([
      rd(),
      { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
      { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'g', consumer: 'c', start: '0', wires: [['got']] },
      { id: 'got', type: 'helper' },
    ]);
    const got = new Inbox('got');
    getNode('out').receive(ticker(1));
    await got.take(1);
    await probe.del(PREFIX + k); // stream and group gone, as after a restart without persistence
    getNode('out').receive(ticker(2)); // XADD creates the stream again, without the group
    const [, again] = await got.take(2, 10_000);
    assert.equal(again.payload.ts, 2);
    assert.equal(((await probe.call('XINFO', 'GROUPS', PREFIX + k)) as unknown[]).length, 1, 'the group exists again');
  });

  describe('a redelivered order request places nothing twice (place order dedups by client order id)', function () {
    const exchange = (): FlowNode => ({ id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 3, simSpeed: 60, simBalances: 'USDT=10000' });

    it('no ack: the entry is claimed and delivered again; the second delivery comes back as msg.duplicate, one order', async function () {
      const k = key('orders');
      await load([
        rd(),
        exchange(),
        { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
        { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'executors', consumer: 'x', start: '0', claimAfterSec: 1, wires: [['order']] },
        { id: 'order', type: 'tradebot-place-order', exchange: 'ex', wires: [['updates'], ['portfolio']] },
        { id: 'updates', type: 'helper' },
        { id: 'portfolio', type: 'helper' },
      ]);
      const updates = new Inbox('updates');
      const portfolio = new Inbox('portfolio');
      getNode('out').receive(orderRequest('tb-stream-redelivered'));
      await waitFor(() => updates.messages.some((m) => m.duplicate === true), 10_000, 'the redelivered request');
      const dup = updates.messages.find((m) => m.duplicate === true)!;
      assert.ok(dup.stream.deliveries >= 2, 'it was a redelivery');
      const placed = updates.messages.filter((m) => !m.duplicate);
      assert.ok(placed.length >= 1);
      assert.ok(placed.every((m) => m.payload.clientOrderId === 'tb-stream-redelivered'));
      assert.equal(placed.filter((m) => m.payload.status === 'closed').length, 1, 'exactly one order filled');
      getNode('order').receive({ topic: 'portfolio' });
      const [report] = await portfolio.take(1);
      const btc = report.payload.balances.BTC.total;
      assert.ok(Math.abs(btc - placed.find((m) => m.payload.status === 'closed')!.payload.filled) < 1e-12, `one fill in the account (BTC ${btc})`);
    });

    it('the same request written twice, acked through a complete node: one order, one duplicate, nothing left pending', async function () {
      const k = key('orders2');
      await load([
        rd(),
        exchange(),
        { id: 'out', type: 'tradebot-stream-out', redis: 'rd', key: k },
        { id: 'in', type: 'tradebot-stream-in', redis: 'rd', key: k, group: 'executors', consumer: 'x', start: '0', wires: [['order']] },
        { id: 'order', type: 'tradebot-place-order', exchange: 'ex', wires: [['updates'], []] },
        { id: 'finished', type: 'complete', scope: ['order'], uncaught: false, wires: [['ack']] },
        { id: 'ack', type: 'tradebot-stream-ack', redis: 'rd', wires: [['acked']] },
        { id: 'updates', type: 'helper' },
        { id: 'acked', type: 'helper' },
      ]);
      const updates = new Inbox('updates');
      const acked = new Inbox('acked');
      getNode('out').receive(orderRequest('tb-stream-twice'));
      getNode('out').receive(orderRequest('tb-stream-twice'));
      await acked.take(2);
      assert.equal(await pendingCount(k, 'executors'), 0);
      await waitFor(() => updates.messages.some((m) => m.payload.status === 'closed') && updates.messages.some((m) => m.duplicate), 5_000, 'the fill and the duplicate');
      assert.equal(updates.messages.filter((m) => m.duplicate === true).length, 1);
      assert.equal(updates.messages.filter((m) => !m.duplicate && m.payload.status === 'closed').length, 1, 'exactly one order');
    });
  });

  describe('example flows 10 and 11 (streams)', function () {
    const root = packageRoot();
    const files = ['10 Streams - market data producer.json', '11 Streams - strategy and executor.json'];
    const read = (f: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8'));
    const KNOWN = [
      ...['exchange', 'ticker', 'order-book', 'candles', 'indicator', 'strategy', 'risk-gate', 'place-order', 'telegram', 'notifier', 'telegram-control', 'redis', 'stream-out', 'stream-in', 'stream-ack'].map((t) => `tradebot-${t}`),
      ...['tab', 'debug', 'comment', 'catch', 'complete', 'inject', 'change', 'delay', 'function', 'switch', 'link in', 'link out'],
    ];

    for (const file of files) {
      it(`${file}: parses, one tab, a comment that explains, known node types, Redis on 127.0.0.1:6379`, function () {
        const flow = read(file);
        assert.ok(Array.isArray(flow));
        const tabs = flow.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1, 'one tab');
        assert.equal(tabs[0]!.label, file.replace(/\.json$/, ''));
        assert.ok(flow.some((n) => n.type === 'comment' && typeof n.info === 'string' && n.info.length > 100), 'a comment node with info');
        for (const n of flow) {
          assert.ok(KNOWN.includes(n.type), `${n.id}: unknown type ${n.type}`);
          // Config nodes (exchange, Redis) are shared by the examples: one id each, reused on import.
          if (n.type === 'tradebot-exchange' || n.type === 'tradebot-redis') assert.match(n.id, /^e0[0-9a-f]{14}$/);
          else assert.match(n.id, new RegExp(`^${file.startsWith('10') ? 'ea' : 'eb'}[0-9a-f]{14}$`));
          for (const targets of (n.wires as string[][] | undefined) ?? []) for (const t of targets) assert.ok(flow.some((m) => m.id === t), `${n.id} wired to missing ${t}`);
        }
        assert.equal(new Set(flow.map((n) => n.id)).size, flow.length, 'unique ids');
        const redisNodes = flow.filter((n) => n.type === 'tradebot-redis');
        assert.equal(redisNodes.length, 1);
        assert.equal(redisNodes[0]!.url, 'redis://127.0.0.1:6379');
        for (const n of flow.filter((m) => /^tradebot-stream-/.test(m.type))) assert.equal(n.redis, redisNodes[0]!.id);
      });
    }

    it('run together on the test Redis: candles go through the streams, strategy orders are placed, everything acknowledged', async function () {
      const [producer, consumer] = files.map(read) as [FlowNode[], FlowNode[]];
      // Imported together, the two share their exchange and Redis config nodes (same id, same settings).
      const copy = [...producer, ...consumer.filter((n) => !producer.some((p) => p.id === n.id))]
        .filter((n) => !['tab', 'comment', 'inject'].includes(n.type))
        .map((n) => {
          const { z: _z, ...node } = n;
          if (node.type === 'debug') return { id: node.id, type: 'helper', name: node.name, wires: [] } as FlowNode;
          if (node.type === 'tradebot-exchange') return { ...node, simSpeed: 6000 } as FlowNode;
          if (node.type === 'tradebot-redis') return { ...node, url: redis.url, keyPrefix: 'tbx:' } as FlowNode;
          return node as FlowNode;
        });
      await load(copy);
      const id = (flow: FlowNode[], type: string, name?: string) => flow.find((n) => n.type === type && (name === undefined || n.name === name))!.id;
      const errors = [new Inbox(id(producer, 'debug', 'errors')), new Inbox(id(consumer, 'debug', 'errors'))];
      const orders = new Inbox(id(consumer, 'debug', 'orders'));
      await waitFor(() => orders.messages.some((m) => m.payload.status === 'closed') || errors.some((e) => e.messages.length > 0), 20_000, 'a filled order');
      assert.deepEqual(errors.flatMap((e) => e.messages.map((m) => m.error?.message)), []);
      const filled = orders.messages.find((m) => m.payload.status === 'closed')!;
      assert.equal(filled.payload.symbol.endsWith('/USDT'), true);
      assert.ok(Number(await probe.xlen('tbx:tradebot:orders')) >= 1, 'the order request went through tradebot:orders');
      await waitForAsync(async () => Number(await probe.xlen('tbx:tradebot:candles')) > 100, 5_000, 'over 100 candles through tradebot:candles');
      const pendingOrders = async () => Number(((await probe.call('XPENDING', 'tbx:tradebot:orders', 'executors')) as unknown[])[0]);
      await waitForAsync(async () => (await pendingOrders()) === 0, 5_000, 'the order requests acknowledged (complete -> stream ack)');
    });
  });
});
