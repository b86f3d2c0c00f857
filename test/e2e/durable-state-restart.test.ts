/**
 * The default state store survives `kill -9`: a real Node-RED process (the settings `npm start`
 * uses, which keep Node-RED context in the `localfilesystem` store flushed every second) with no
 * Redis, killed with SIGKILL three times in a row, each time started again in the same user dir.
 *
 * - Live, against the mock Binance through a real ccxt (exchange node "API URL" = the mock, API
 *   key and secret, live opt-in): three market orders are sent, the exchange accepts each and never
 *   answers (the requests are in flight), SIGKILL as soon as the exchange holds all three. After the
 *   restart the same three requests are delivered again (as a flow replaying its input would): each
 *   client order id exists exactly once at the exchange. (The mock, like Binance, accepts a client
 *   order id again once its first order is no longer open: only the bot can prevent the duplicate.)
 * - Sim: three market orders fill; the flow writes each order update it is told about to a file;
 *   SIGKILL as soon as the three fills are in that file. After the restart the account's portfolio
 *   (the place-order node's report) holds every fill the flow was told about, over all three kills.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MockBinance } from '../support/mock-binance';
import { NodeRedProcess, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { cutPartialLine, readJsonLines, waitFor as waitUntil } from '../support/kill-restart';

/** This test's poll interval (2 ms). */
const waitFor: typeof waitUntil = (probe, timeoutMs, what, context) => waitUntil(probe, timeoutMs, what, context, 2);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = 'durableTestKey0123456789abcdef';
const SECRET = 'durableTestSecret0123456789abcdef';
const TAB = 'tb-tab';
const KILLS = 3;




/** http-in -> place order -> (duplicates marked) -> orders.jsonl; an inject asks for the portfolio -> portfolio.jsonl. */
function flow(exchange: FlowNode, dir: string): FlowNode[] {
  const file = (id: string, name: string): FlowNode => ({ id, type: 'file', z: TAB, name, filename: path.join(dir, 'log', name), filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [] });
  return [
    { id: TAB, type: 'tab', label: 'durable state test' },
    exchange,
    { id: 'tb-order', type: 'tradebot-place-order', z: TAB, exchange: 'tb-ex', currency: 'USDT', wires: [['tb-mark'], ['tb-portfolio']] },
    { id: 'tb-mark', type: 'function', z: TAB, func: 'if (msg.duplicate) msg.payload = Object.assign({ duplicate: true }, msg.payload);\nreturn msg;', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['tb-orders']] },
    file('tb-orders', 'orders.jsonl'),
    file('tb-portfolio', 'portfolio.jsonl'),
    { id: 'tb-ask-portfolio', type: 'inject', z: TAB, props: [{ p: 'topic', vt: 'str' }], topic: 'portfolio', repeat: '', crontab: '', once: false, onceDelay: 0.1, wires: [['tb-order']] },
    { id: 'tb-http-order', type: 'http in', z: TAB, url: '/tb/order', method: 'post', upload: false, swaggerDoc: '', wires: [['tb-order', 'tb-http-ok']] },
    { id: 'tb-http-ok', type: 'http response', z: TAB, statusCode: '', headers: {}, wires: [] },
  ];
}

/**
 * Errors Node-RED logged. Without the one line the start-up probe itself can cause: it polls
 * GET /flows (test/support/node-red-process.ts), and Node-RED answers a request that comes before
 * it has loaded the flows by logging "TypeError: Cannot read properties of null (reading 'flows')".
 */
const errorsOf = (red: NodeRedProcess) => red.errors().filter((l) => !/Cannot read properties of null \(reading 'flows'\)/.test(l));

const market = (clientOrderId: string, amount: number) => ({ kind: 'orderRequest', clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount, ts: Date.now() });
/** The settings npm start uses; no Redis, no named instance. */
const ENV = { TRADEBOT_INSTANCE: undefined, TRADEBOT_STATE_FILE: undefined };

describe('kill -9 with the default state store (e2e)', function () {
  this.timeout(180_000);
  const userDirs: string[] = [];
  let mock: MockBinance | undefined;

  afterEach(async function () {
    await killAllNodeRed();
    await mock?.stop();
    mock = undefined;
  });
  after(() => userDirs.forEach(removeUserDir));

  it(`live: orders in flight at each of ${KILLS} SIGKILLs, sent again after the restart, exist exactly once at the exchange`, async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 100_000, BTC: 0 });
    mock.setOrderBook('BTC/USDT', [[59_990, 5]], [[60_010, 5]]);
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
    const userDir = makeUserDir('tradebot-durable-live-');
    userDirs.push(userDir);
    const orders = path.join(userDir, 'log', 'orders.jsonl');
    const exchange: FlowNode = { id: 'tb-ex', type: 'tradebot-exchange', name: 'mock binance', mode: 'live', exchangeId: 'binance', baseUrl: mock.url, liveOptIn: true, timeoutMs: 10_000, exchangeStops: false, stateStore: '' };
    // Credentials as the editor would have saved them (Node-RED encrypts them at the next deploy).
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'tb-ex': { apiKey: KEY, secret: SECRET } }));
    let red = await NodeRedProcess.start({ userDir, flow: flow(exchange, userDir), env: ENV });
    const atExchange = (id: string) => mock!.orders(KEY).filter((o) => o.clientOrderId === id);

    for (let kill = 1; kill <= KILLS; kill++) {
      const requests = [1, 2, 3].map((i) => market(`tb-live-k${kill}-${i}`, 0.001 * i));
      // The exchange takes each order and never answers: the requests are in flight at the kill.
      mock.failNext(requests.length, 'acceptedThenTimeout', '/api/v3/order', 'POST');
      for (const r of requests) assert.equal((await red.post('/tb/order', r)).status, 200);
      await waitFor(() => requests.every((r) => atExchange(r.clientOrderId).length === 1), 30_000, `the exchange to hold the ${requests.length} orders of kill ${kill}`, () => red.log);
      await red.kill('SIGKILL');
      cutPartialLine(orders);

      const mark = readJsonLines(orders).length;
      red = await NodeRedProcess.start({ userDir, env: ENV });
      // The same requests delivered again after the restart.
      for (const r of requests) assert.equal((await red.post('/tb/order', r)).status, 200);
      const answers = await waitFor(
        () => {
          const lines = readJsonLines(orders).slice(mark).filter((l) => requests.some((r) => r.clientOrderId === l.clientOrderId));
          // Each request answered as already placed, or sent to the exchange a second time.
          return requests.every((r) => lines.some((l) => l.clientOrderId === r.clientOrderId && l.duplicate) || atExchange(r.clientOrderId).length > 1) && lines;
        },
        30_000,
        `answers to the requests of kill ${kill} sent again`,
        () => `${JSON.stringify(readJsonLines(orders).slice(mark))}\n${red.log}`,
      );
      // A fixed wait on purpose: nothing must happen, so there is no event to wait for (a resend, if any, would reach the exchange by now).
      await sleep(300);
      assert.deepEqual(
        requests.map((r) => `${r.clientOrderId}: ${atExchange(r.clientOrderId).length}`),
        requests.map((r) => `${r.clientOrderId}: 1`),
        `kill ${kill}: how many times each client order id is at the exchange (answers after the restart: ${JSON.stringify(answers.map((l) => [l.clientOrderId, l.status, l.duplicate ?? false]))})`,
      );
      // The restarted account found each order at the exchange (filled) and knows it as placed.
      for (const r of requests) assert.ok(answers.some((l) => l.clientOrderId === r.clientOrderId && l.duplicate), `${r.clientOrderId} answered as already placed`);
      assert.deepEqual(errorsOf(red), [], `no errors logged after kill ${kill}`);
    }
    // Every order of every kill, once, and the account holds what the exchange holds.
    assert.equal(mock.orders(KEY).length, KILLS * 3);
    await red.post('/inject/tb-ask-portfolio');
    const report = await waitFor(() => readJsonLines(path.join(userDir, 'log', 'portfolio.jsonl')).at(-1), 10_000, 'the portfolio report');
    const theirs = mock.balances(KEY);
    for (const asset of ['USDT', 'BTC']) {
      assert.ok(Math.abs(report.balances[asset].total - (theirs[asset]!.free + theirs[asset]!.locked)) < 1e-8, `${asset}: the account has what the exchange has`);
    }
    assert.ok(fs.existsSync(path.join(userDir, 'tradebot.sqlite')), 'the state is in <userDir>/tradebot.sqlite');
    await red.stop();
  });

  it(`sim: every fill the flow was told about before each of ${KILLS} SIGKILLs is in the restarted account`, async function () {
    const userDir = makeUserDir('tradebot-durable-sim-');
    userDirs.push(userDir);
    const orders = path.join(userDir, 'log', 'orders.jsonl');
    const portfolio = path.join(userDir, 'log', 'portfolio.jsonl');
    const exchange: FlowNode = { id: 'tb-ex', type: 'tradebot-exchange', name: 'sim', mode: 'sim', simSeed: 3, simSpeed: 1, simTickMs: 1000, simBalances: 'USDT=100000', feeRatePct: 0.1, slippagePct: 0.05, stateStore: '' };
    let red = await NodeRedProcess.start({ userDir, flow: flow(exchange, userDir), env: ENV });
    const told = () => readJsonLines(orders).filter((l) => l.kind === 'orderUpdate' && !l.duplicate && l.status === 'closed');

    for (let kill = 1; kill <= KILLS; kill++) {
      const requests = [1, 2, 3].map((i) => market(`tb-sim-k${kill}-${i}`, 0.001 * (kill * 10 + i)));
      for (const r of requests) assert.equal((await red.post('/tb/order', r)).status, 200);
      // SIGKILL the moment the flow has been told of the three fills (and wrote them down).
      await waitFor(() => requests.every((r) => told().some((l) => l.clientOrderId === r.clientOrderId)), 30_000, `the fills of kill ${kill}`, () => red.log);
      await red.kill('SIGKILL');
      cutPartialLine(orders);
      cutPartialLine(portfolio);

      // What the flow was told, over all kills so far: the restarted account must hold all of it.
      const fills = told();
      const expected = { BTC: 0, USDT: 100_000 };
      for (const f of fills) {
        assert.equal(f.side, 'buy');
        expected.BTC += f.filled - (f.fee.currency === 'BTC' ? f.fee.cost : 0);
        expected.USDT -= f.filled * f.average + (f.fee.currency === 'USDT' ? f.fee.cost : 0);
      }
      red = await NodeRedProcess.start({ userDir, env: ENV });
      const mark = readJsonLines(portfolio).length;
      assert.equal((await red.post('/inject/tb-ask-portfolio')).status, 200);
      const report = await waitFor(() => readJsonLines(portfolio).slice(mark).find((l) => l.kind === 'portfolio'), 10_000, 'the portfolio report', () => red.log);
      const btc = report.positions.find((p: any) => p.symbol === 'BTC/USDT');
      assert.ok(btc, `kill ${kill}: the BTC position is in the restarted account (${fills.length} fills told before the kill)`);
      assert.ok(Math.abs(btc.amount - expected.BTC) < 1e-9, `kill ${kill}: position ${btc.amount} BTC, the flow was told of ${expected.BTC} BTC in ${fills.length} fills`);
      assert.ok(Math.abs(report.balances.USDT.total - expected.USDT) < 1e-6, `kill ${kill}: USDT ${report.balances.USDT.total}, expected ${expected.USDT} from the fills the flow was told about`);
      // And the told orders are known as used: sent again, none is placed a second time.
      const markOrders = readJsonLines(orders).length;
      for (const r of requests) await red.post('/tb/order', r);
      const answers = await waitFor(() => {
        const lines = readJsonLines(orders).slice(markOrders);
        return lines.length >= requests.length && lines;
      }, 10_000, 'answers to the orders sent again');
      assert.ok(answers.every((l) => l.duplicate && l.status === 'rejected' && /already used/.test(l.reason)), JSON.stringify(answers));
      assert.deepEqual(errorsOf(red), [], `no errors logged after kill ${kill}`);
    }
    await red.stop();
  });
});
