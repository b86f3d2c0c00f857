/**
 * A real Node-RED process running the trading pipeline on the simulated market, its state in a
 * real redis-server, killed with SIGKILL mid-run and started again: positions, open orders, risk
 * state and P&L are exactly those at the kill, no order is placed twice, and trading continues.
 * And: Redis itself restarted under a running Node-RED: orders are refused while it is down,
 * trading resumes by itself when it is back.
 *
 * Design
 * - One flow: candles (BTC/USDT 1m, sim at 600x: a candle every 100 ms) -> strategy (SMA 1/2,
 *   which crosses on nearly every change of direction) -> risk gate (100 USDT limit orders 0.05 %
 *   off the close, canceled after 1200 simulated seconds = 2 s of wall time, so some rest open at
 *   any moment) -> place order. Every order update is appended as one JSON line to orders.jsonl
 *   (a core function node marks duplicate answers, a core file node writes), portfolio reports
 *   to portfolio.jsonl, risk rejections to rejections.jsonl.
 *   Test handles in the same flow: an inject node asking the place-order node for the portfolio
 *   (triggered through the admin API, POST /inject/:id), and http-in endpoints that hand a JSON
 *   body to the place-order node (POST /tb/order) or to the risk gate (POST /tb/signal).
 * - Run 1 trades until at least 30 orders are in the log and Redis holds open limit orders, then
 *   gets SIGKILL. The account and risk documents are read from Redis once the process is dead:
 *   that is the state at the kill.
 * - Run 2 starts with the same user dir and the same flow except that nothing can move: the
 *   candles node is disabled (d: true) and the simulated market is frozen (speed 0.001: its first
 *   step would come after 1000 s), so no signal, no price, no fill, no timeout. What the restarted
 *   process loaded is then compared with the state at the kill: its portfolio report, its answer
 *   to each kill-time open order sent again (the restored order, not a new one), to used client
 *   order ids sent again, to approved signals sent again, and the Redis documents.
 * - Run 3 is the original flow again: the restored limit orders fill or time out, new orders are
 *   placed, and over all three runs no client order id was ever placed twice.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import Redis from 'ioredis';
import { RedisServer, requireRedis } from '../support/redis-server';
import { NodeRedProcess, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { cutPartialLine, readJsonLines, waitFor as waitUntil } from '../support/kill-restart';

/** This test's poll interval (50 ms). */
const waitFor: typeof waitUntil = (probe, timeoutMs, what, context) => waitUntil(probe, timeoutMs, what, context, 50);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL = new Set(['closed', 'canceled', 'rejected', 'expired']);




interface FlowOptions {
  redisUrl: string;
  keyPrefix: string;
  dir: string;
  /** Run 2: candles disabled and the simulated market frozen: nothing can change the restored state. */
  frozen?: boolean;
}

const TAB = 'tb-tab';
/** The account document's key below assumes an unnamed instance. */
const ENV = { TRADEBOT_INSTANCE: undefined };
const files = (dir: string) => ({ orders: path.join(dir, 'log', 'orders.jsonl'), portfolio: path.join(dir, 'log', 'portfolio.jsonl'), rejections: path.join(dir, 'log', 'rejections.jsonl') });

function pipelineFlow(o: FlowOptions): FlowNode[] {
  const f = files(o.dir);
  const file = (id: string, filename: string): FlowNode => ({ id, type: 'file', z: TAB, name: path.basename(filename), filename, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [] });
  return [
    { id: TAB, type: 'tab', label: 'redis restart test' },
    { id: 'tb-redis', type: 'tradebot-redis', name: 'test redis', url: o.redisUrl, db: 0, keyPrefix: o.keyPrefix, tlsRejectUnauthorized: true, options: '', cluster: false },
    {
      id: 'tb-ex',
      type: 'tradebot-exchange',
      name: 'sim',
      mode: 'sim',
      simSeed: 7,
      // 600x: a 1m candle every 100 ms. Frozen: a step every 1000 s, i.e. never during the test.
      simSpeed: o.frozen ? 0.001 : 600,
      simTickMs: 1000,
      simBalances: 'USDT=100000',
      feeRatePct: 0.1,
      slippagePct: 0.05,
      stateStore: '',
      redis: 'tb-redis',
    },
    { id: 'tb-candles', type: 'tradebot-candles', z: TAB, ...(o.frozen ? { d: true } : {}), source: 'exchange', exchange: 'tb-ex', symbols: 'BTC/USDT', timeframe: '1m', warmup: 5, interval: 2000, websocket: true, wires: [['tb-strategy']] },
    { id: 'tb-strategy', type: 'tradebot-strategy', z: TAB, strategy: 'maCross', maType: 'sma', fastPeriod: 1, slowPeriod: 2, emitHolds: false, wires: [['tb-risk'], []] },
    {
      id: 'tb-risk',
      type: 'tradebot-risk-gate',
      z: TAB,
      exchange: 'tb-ex',
      sizing: 'quote',
      quoteAmount: '100',
      orderType: 'limit',
      limitOffsetPct: 0.05,
      // Simulated seconds: 1200 s is 2 s of wall time at 600x.
      limitTimeoutSec: '1200',
      cooldownSec: '',
      maxDrawdownPct: '50',
      noSellWithoutPosition: true,
      tradingDays: '',
      timezone: 'UTC',
      wires: [['tb-order'], ['tb-rejections']],
    },
    { id: 'tb-order', type: 'tradebot-place-order', z: TAB, exchange: 'tb-ex', currency: 'USDT', wires: [['tb-mark'], ['tb-portfolio']] },
    {
      id: 'tb-mark',
      type: 'function',
      z: TAB,
      name: 'mark duplicates',
      func: 'if (msg.duplicate) msg.payload = Object.assign({ duplicate: true }, msg.payload);\nreturn msg;',
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      wires: [['tb-orders']],
    },
    file('tb-orders', f.orders),
    file('tb-portfolio', f.portfolio),
    file('tb-rejections', f.rejections),
    { id: 'tb-ask-portfolio', type: 'inject', z: TAB, name: 'portfolio?', props: [{ p: 'topic', vt: 'str' }], topic: 'portfolio', repeat: '', crontab: '', once: false, onceDelay: 0.1, wires: [['tb-order']] },
    { id: 'tb-http-order', type: 'http in', z: TAB, url: '/tb/order', method: 'post', upload: false, swaggerDoc: '', wires: [['tb-order', 'tb-http-ok']] },
    { id: 'tb-http-signal', type: 'http in', z: TAB, url: '/tb/signal', method: 'post', upload: false, swaggerDoc: '', wires: [['tb-risk', 'tb-http-ok']] },
    { id: 'tb-http-ok', type: 'http response', z: TAB, statusCode: '', headers: {}, wires: [] },
  ];
}

/** Order-update lines that are real updates (not answers to a repeated request). */
const realUpdates = (lines: any[]) => lines.filter((l) => l.kind === 'orderUpdate' && !l.duplicate);

describe('a real Node-RED process with its state in Redis (e2e)', function () {
  this.timeout(90_000);
  let redis: RedisServer | undefined;
  let probe: Redis | undefined;
  const userDirs: string[] = [];

  before(async function () {
    requireRedis(this);
    redis = new RedisServer();
    await redis.start();
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    probe.on('error', () => undefined); // the second test stops Redis on purpose
  });

  afterEach(async function () {
    await killAllNodeRed();
  });

  after(async function () {
    await killAllNodeRed();
    probe?.disconnect();
    await redis?.destroy();
    for (const dir of userDirs) removeUserDir(dir);
  });

  const readDoc = async (key: string) => {
    const text = await probe!.get(key);
    return text === null ? undefined : JSON.parse(text);
  };

  it('SIGKILL mid-run, then restart: the same portfolio, open orders, used ids and risk state; nothing placed twice; trading goes on', async function () {
    const userDir = makeUserDir('tradebot-redis-restart-');
    userDirs.push(userDir);
    const f = files(userDir);
    const o: FlowOptions = { redisUrl: redis!.url, keyPrefix: 'tb-restart:', dir: userDir };
    const ACCOUNT = 'tb-restart:state:tradebot:account:tb-ex:sim';
    const RISK = 'tb-restart:state:tradebot:risk:tb-risk';
    const clientIds = (lines: any[]) => new Set(realUpdates(lines).map((l) => l.clientOrderId));

    // ---------------------------------------------------------------- run 1: trade, then SIGKILL
    const t0 = Date.now();
    const run1 = await NodeRedProcess.start({ userDir, flow: pipelineFlow(o), env: ENV });
    const started1 = Date.now();
    await waitFor(
      async () => {
        if (clientIds(readJsonLines(f.orders)).size < 30) return false;
        const doc = await readDoc(ACCOUNT);
        return doc && doc.open.filter((r: any) => r.last.id !== null && r.last.status === 'open').length >= 2;
      },
      30_000,
      'at least 30 orders in the log and open limit orders in Redis',
      () => `orders so far: ${clientIds(readJsonLines(f.orders)).size}\n${run1.log}`,
    );
    // A fixed wait on purpose: the kill comes at an arbitrary moment.
    await sleep(Math.floor(Math.random() * 40));
    const run1Ms = Date.now() - started1;
    await run1.kill('SIGKILL');
    assert.equal(run1.child.signalCode, 'SIGKILL');
    // A fixed wait on purpose: Redis finishes the commands the killed process had already sent.
    await sleep(100);
    const atKill = await readDoc(ACCOUNT);
    const riskAtKill = await readDoc(RISK);
    const cut = cutPartialLine(f.orders) + cutPartialLine(f.portfolio) + cutPartialLine(f.rejections);
    const run1Lines = readJsonLines(f.orders);
    assert.deepEqual(run1.errors(), [], 'run 1 logged no errors');

    assert.ok(atKill && riskAtKill, 'the account and the risk gate have their documents in Redis');
    const restorable = atKill.open.filter((r: any) => r.last.id !== null);
    const unacknowledged = atKill.open.filter((r: any) => r.last.id === null);
    assert.ok(restorable.length >= 1, `open limit orders at the kill (open: ${JSON.stringify(atKill.open.map((r: any) => r.last.status))})`);
    assert.ok(restorable.every((r: any) => r.request.type === 'limit' && r.last.status === 'open' && r.reserved), 'open orders are resting limit orders holding funds');
    assert.ok(atKill.done.length >= 25, `used client order ids at the kill: ${atKill.done.length}`);
    assert.ok(riskAtKill.approved.length >= 30, `approved signals at the kill: ${riskAtKill.approved.length}`);
    assert.ok((Object.values(atKill.portfolio.positions) as any[]).some((x) => x.fees > 0), 'a traded position at the kill');
    assert.ok((Object.values(atKill.portfolio.balances) as any[]).some((b) => b.used > 0), 'funds held by the open orders at the kill');

    // ---------------------------------------------------------------- run 2: restart, nothing moves
    const mark2 = { orders: readJsonLines(f.orders).length, portfolio: readJsonLines(f.portfolio).length, rejections: readJsonLines(f.rejections).length };
    const run2 = await NodeRedProcess.start({ userDir, flow: pipelineFlow({ ...o, frozen: true }), env: ENV });

    // The portfolio the restarted process holds (the place-order node's report, from memory).
    const ask = await run2.post('/inject/tb-ask-portfolio');
    assert.equal(ask.status, 200, 'the inject node takes the admin request');
    const report = await waitFor(() => readJsonLines(f.portfolio).slice(mark2.portfolio).find((l) => l.kind === 'portfolio'), 10_000, 'the portfolio report', () => run2.log);
    const p = atKill.portfolio;
    assert.deepEqual(
      report.balances,
      Object.fromEntries(Object.entries(p.balances).map(([c, b]: [string, any]) => [c, { free: b.free, used: b.used, total: b.free + b.used }])),
      'balances (free and held by open orders) are those at the kill',
    );
    const positionsAtKill = Object.values(p.positions) as any[];
    assert.deepEqual(
      report.positions.map((x: any) => ({ symbol: x.symbol, amount: x.amount, avgEntry: x.avgEntry, realizedPnl: x.realizedPnl, fees: x.fees, lastPrice: x.lastPrice })),
      positionsAtKill.map((x) => ({ symbol: x.symbol, amount: x.amount, avgEntry: x.avgEntry, realizedPnl: x.realizedPnl, fees: x.fees, lastPrice: p.lastPrices[x.symbol] ?? null })),
      'positions with their average entry, realized P&L, fees and last price are those at the kill',
    );
    assert.equal(report.realizedPnl, positionsAtKill.reduce((s, x) => s + x.realizedPnl, 0), 'realized P&L');
    assert.equal(report.fees, positionsAtKill.reduce((s, x) => s + x.fees, 0), 'fees');
    assert.equal(report.openOrders, restorable.length, 'open orders');

    // Each order open at the kill, sent again: the restarted process answers with the restored
    // order (same exchange id, amount, price, still open), it does not place a new one.
    for (const r of atKill.open) assert.equal((await run2.post('/tb/order', r.request)).status, 200);
    // Used client order ids, sent again (as any other order): refused.
    const usedSample = [...atKill.done.slice(0, 5), ...atKill.done.slice(-10)];
    for (const id of usedSample) {
      await run2.post('/tb/order', { kind: 'orderRequest', clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() });
    }
    const expectedAnswers = atKill.open.length + usedSample.length;
    const answers = await waitFor(
      () => {
        const lines = readJsonLines(f.orders).slice(mark2.orders).filter((l) => l.duplicate);
        return lines.length >= expectedAnswers && lines;
      },
      10_000,
      `${expectedAnswers} answers to repeated orders`,
      () => run2.log,
    );
    for (const r of restorable) {
      const answer = answers.find((l) => l.clientOrderId === r.request.clientOrderId);
      assert.deepEqual(answer, { duplicate: true, ...r.last }, `order ${r.request.clientOrderId} is open again exactly as at the kill`);
    }
    for (const r of unacknowledged) {
      // Recorded (write-ahead) but never acknowledged by the simulator before the kill: closed as rejected at the restart.
      const answer = answers.find((l) => l.clientOrderId === r.request.clientOrderId);
      assert.equal(answer.status, 'rejected');
    }
    for (const id of usedSample) {
      const answer = answers.find((l) => l.clientOrderId === id);
      assert.equal(answer?.status, 'rejected', `used id ${id} refused`);
      assert.match(answer.reason, /already used: not sent again/);
    }

    // Approved signals, sent again: the restored risk state refuses them.
    const replayed = riskAtKill.approved.slice(-5);
    for (const id of replayed) {
      const now = Date.now();
      await run2.post('/tb/signal', { kind: 'signal', id, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side: 'buy', price: 60000, ts: now, candleTs: now - 60_000, strategy: 'replay', strength: 1, reason: 'sent again after the restart' });
    }
    const refusals = await waitFor(
      () => {
        const lines = readJsonLines(f.rejections).slice(mark2.rejections);
        return lines.length >= replayed.length && lines;
      },
      10_000,
      'the replayed signals to be refused',
      () => run2.log,
    );
    assert.deepEqual(
      refusals.map((l) => [l.signalId, l.code]),
      replayed.map((id: string) => [id, 'DUPLICATE_SIGNAL']),
    );

    // Nothing else happened in run 2: no order update that is not an answer to a repeated request
    // (a restored order that fills or times out would be one; so would a new order).
    const run2Lines = readJsonLines(f.orders).slice(mark2.orders);
    assert.deepEqual(realUpdates(run2Lines), [], 'no order changed while the restored state was checked');
    const health = await run2.getJson('/tradebot/health');
    assert.equal(health.exchanges[0].openOrders, restorable.length);
    assert.equal(health.exchanges[0].killSwitch, false);

    // And Redis holds what it held at the kill (an unacknowledged order, if any, moved to the used ids).
    const afterRestart = await readDoc(ACCOUNT);
    assert.deepEqual(afterRestart, {
      ...atKill,
      open: restorable,
      done: [...atKill.done, ...unacknowledged.map((r: any) => r.request.clientOrderId)],
    });
    assert.deepEqual(await readDoc(RISK), riskAtKill);
    assert.deepEqual(run2.errors(), [], 'run 2 logged no errors');
    await run2.stop();

    // ---------------------------------------------------------------- run 3: trading goes on
    const mark3 = readJsonLines(f.orders).length;
    const idsBefore = clientIds(readJsonLines(f.orders));
    const run3 = await NodeRedProcess.start({ userDir, flow: pipelineFlow(o), env: ENV });
    const restoredIds = restorable.map((r: any) => r.request.clientOrderId as string);
    await waitFor(
      () => {
        const lines = realUpdates(readJsonLines(f.orders).slice(mark3));
        const fresh = new Set(lines.filter((l) => !idsBefore.has(l.clientOrderId)).map((l) => l.clientOrderId));
        const restoredDone = restoredIds.every((id: string) => lines.some((l) => l.clientOrderId === id && FINAL.has(l.status)));
        return fresh.size >= 10 && restoredDone;
      },
      // The restored orders time out on the simulated clock, which restarts at "now": about as long as run 1 traded.
      run1Ms + 20_000,
      'new orders, and the restored limit orders filled or timed out',
      () => run3.log,
    );
    await run3.kill('SIGKILL');
    // A fixed wait on purpose: Redis finishes the commands the killed process had already sent.
    await sleep(100);
    cutPartialLine(f.orders);
    assert.deepEqual(run3.errors(), [], 'run 3 logged no errors');

    const run3Lines = realUpdates(readJsonLines(f.orders).slice(mark3));
    for (const id of restoredIds) {
      const final = run3Lines.find((l) => l.clientOrderId === id && FINAL.has(l.status));
      assert.ok(['closed', 'canceled'].includes(final.status), `restored order ${id} filled or timed out (${final.status})`);
      const before = restorable.find((r: any) => r.request.clientOrderId === id).last;
      assert.equal(final.id, before.id, 'the same exchange order, not a new one');
    }
    const fresh = run3Lines.filter((l) => !idsBefore.has(l.clientOrderId));
    assert.ok(fresh.some((l) => l.status === 'closed'), 'new orders fill after the restart');

    // ---------------------------------------------------------------- no order placed twice
    const all = realUpdates(readJsonLines(f.orders));
    const byId = new Map<string, any[]>();
    for (const l of all) byId.set(l.clientOrderId, [...(byId.get(l.clientOrderId) ?? []), l]);
    for (const [id, lines] of byId) {
      const opens = lines.filter((l) => l.status === 'open');
      const finals = lines.filter((l) => FINAL.has(l.status));
      assert.ok(opens.length <= 1, `${id}: placed once (${lines.map((l) => l.status)})`);
      assert.ok(finals.length <= 1 && (finals.length === 0 || lines.at(-1) === finals[0]), `${id}: one lifecycle, open -> final (${lines.map((l) => l.status)})`);
      assert.ok(new Set(lines.map((l) => l.id).filter((x) => x !== null)).size <= 1, `${id}: one exchange order (${lines.map((l) => l.id)})`);
      assert.equal(new Set(lines.map((l) => `${l.side} ${l.amount} ${l.price}`)).size, 1, `${id}: the same order throughout`);
    }
    // A client order id seen before the kill shows up after it only as an order restored at the restart.
    const run1Ids = clientIds(run1Lines);
    for (const id of clientIds(run3Lines)) if (run1Ids.has(id)) assert.ok(restoredIds.includes(id), `${id} from before the kill was not sent again`);
    const finalDoc = await readDoc(ACCOUNT);
    assert.equal(new Set(finalDoc.done).size, finalDoc.done.length, 'no duplicates in the used client order ids');
    assert.ok(finalDoc.open.every((r: any) => !finalDoc.done.includes(r.request.clientOrderId)), 'no open order is also a used one');
    assert.ok(atKill.done.every((id: string) => finalDoc.done.includes(id)), 'every id used before the kill is still known as used');
    const finalRisk = await readDoc(RISK);
    assert.equal(new Set(finalRisk.approved).size, finalRisk.approved.length, 'no signal approved twice');
    assert.ok(riskAtKill.approved.every((id: string) => finalRisk.approved.includes(id)));

    const duplicateSignals = readJsonLines(f.rejections).filter((l) => l.code === 'DUPLICATE_SIGNAL').length - replayed.length;
    console.log(
      `      run 1 traded ${(run1Ms / 1000).toFixed(1)} s: ${run1Ids.size} orders, ${restorable.length} open + ${unacknowledged.length} unacknowledged at the kill` +
        `${cut ? `, ${cut} bytes of a half-written log line cut` : ''}; run 3: ${new Set(fresh.map((l) => l.clientOrderId)).size} new orders,` +
        ` ${duplicateSignals} repeated signals refused (the simulated clock restarts at "now"); ${((Date.now() - t0) / 1000).toFixed(1)} s in all`,
    );
  });

  it('Redis restarted under a running Node-RED: orders are refused while it is down, trading resumes by itself', async function () {
    const userDir = makeUserDir('tradebot-redis-outage-');
    userDirs.push(userDir);
    const f = files(userDir);
    const ACCOUNT = 'tb-outage:state:tradebot:account:tb-ex:sim';
    const red = await NodeRedProcess.start({ userDir, flow: pipelineFlow({ redisUrl: redis!.url, keyPrefix: 'tb-outage:', dir: userDir }), env: ENV });
    const closedIds = () => new Set(realUpdates(readJsonLines(f.orders)).filter((l) => l.status === 'closed').map((l) => l.clientOrderId));
    await waitFor(() => closedIds().size >= 3, 20_000, 'orders filling', () => red.log);

    // Redis goes away for at least 3 s (longer than the 2 s a write waits for the connection).
    await redis!.stop();
    const downAt = Date.now();
    // Updates of orders placed just before the stop reach the log: each is told once its save is
    // done, and a save started as Redis went away fails only after the 2 s wait for the connection
    // (the update still goes out). Orders placed before the stop are not outage orders.
    // A fixed wait on purpose: updates of orders placed just before the stop reach the log (a save fails only after the 2 s wait for the connection).
    await sleep(2_500);
    const mark = readJsonLines(f.orders).length;
    const res = await red.post('/tb/order', { kind: 'orderRequest', clientOrderId: 'tb-while-redis-down', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() });
    assert.equal(res.status, 200);
    const refused = await waitFor(() => readJsonLines(f.orders).slice(mark).find((l) => l.clientOrderId === 'tb-while-redis-down'), 10_000, 'the order to be refused', () => red.log);
    assert.equal(refused.status, 'rejected');
    assert.match(refused.reason, /state store unavailable/);
    assert.equal(refused.id, null, 'never sent to the exchange');
    // A fixed wait on purpose: Redis stays down 3 s in all.
    await sleep(Math.max(0, 3_000 - (Date.now() - downAt)));
    const upAt = readJsonLines(f.orders).length;
    await redis!.start();
    // Nothing new was placed while Redis was down: every order first seen then was refused, unsent.
    const seenBefore = new Set(readJsonLines(f.orders).slice(0, mark).map((l) => l.clientOrderId));
    const duringOutage = realUpdates(readJsonLines(f.orders).slice(mark, upAt)).filter((l) => !seenBefore.has(l.clientOrderId));
    assert.ok(duringOutage.every((l) => l.status === 'rejected' && /state store unavailable/.test(l.reason) && l.id === null), JSON.stringify(duringOutage));

    // Back: the pipeline trades again by itself, and the new orders are recorded in Redis.
    const before = closedIds();
    const resumed = await waitFor(
      () => {
        const fresh = realUpdates(readJsonLines(f.orders).slice(upAt)).filter((l) => l.status === 'closed' && !before.has(l.clientOrderId));
        return fresh.length >= 2 && fresh;
      },
      20_000,
      'orders filling again after Redis came back',
      () => red.log,
    );
    assert.ok(red.running, 'Node-RED kept running through the outage');
    const doc = await waitFor(async () => {
      const d = await readDoc(ACCOUNT).catch(() => undefined);
      return d?.done.includes(resumed[0].clientOrderId) && d;
    }, 5_000, 'the new orders in Redis');
    assert.ok(!doc.done.includes('tb-while-redis-down'), 'the refused order was never recorded as placed');
    assert.equal(new Set(doc.done).size, doc.done.length);
    // While Redis was down the risk gate could not record its approvals, so it approved nothing: it
    // refuses those signals on its output 2 (STATE_STORE_DOWN), with no error logged.
    assert.deepEqual(red.errors(), [], `no errors logged:\n${red.errors().join('\n')}`);
    await red.stop();
  });
});
