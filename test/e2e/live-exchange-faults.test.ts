/**
 * Live trading under exchange faults, in a REAL Node-RED process (an unhandled rejection ends
 * it, as it ends a user's): the exchange node in live mode (API key, secret, opt-in) points at
 * the mock Binance, a place-order node has a limit order resting there, and the exchange then
 * misbehaves. Each case checks what a user would: Node-RED is still running, the place-order
 * node's status says what is going on, and once the exchange behaves again the order's final
 * state (its fill, or its cancel) reaches the flow by itself.
 *
 *   1. the websocket API upgrade is answered 404 (the order stream cannot open);
 *   2. the exchange is unreachable for a few seconds (connection refused), then back;
 *   3. the status poll of the open order gets 400 {-1022 signature invalid} (not a network error);
 *   4. the limit timeout's cancel meets a 503.
 * And an order whose outcome is unknown (its request timed out; the exchange executes it late)
 * survives a kill -9: the restarted process resolves it by lookup, never by a resend.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MockBinance, SIGNATURE_INVALID } from '../support/mock-binance';
import { NodeRedProcess, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';

const KEY = 'e2eFaultKey0123456789abcdef';
const SECRET = 'e2eFaultSecret0123456789abcdef';
const TAB = 'faults-tab';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readJsonLines(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number, what: string, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${context()}`);
    await sleep(50);
  }
}

/** Place order behind an http endpoint; its updates, its statuses and every caught error into JSON-lines files. */
function liveFlow(mockUrl: string, dir: string): FlowNode[] {
  const file = (id: string, name: string): FlowNode => ({ id, type: 'file', z: TAB, name, filename: path.join(dir, name), filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [] });
  const json = (id: string, to: string): FlowNode => ({ id, type: 'json', z: TAB, property: 'payload', action: 'str', pretty: false, wires: [[to]] });
  return [
    { id: TAB, type: 'tab', label: 'live faults' },
    {
      id: 'ex',
      type: 'tradebot-exchange',
      name: 'mock binance',
      exchangeId: 'binance',
      mode: 'live',
      liveOptIn: true,
      baseUrl: mockUrl,
      timeoutMs: 2000,
      exchangeStops: false,
      unknownWindowSec: '8',
      credentials: { apiKey: KEY, secret: SECRET },
    },
    { id: 'order', type: 'tradebot-place-order', z: TAB, exchange: 'ex', currency: 'USDT', wires: [['updates'], []] },
    { id: 'http-order', type: 'http in', z: TAB, url: '/tb/order', method: 'post', upload: false, swaggerDoc: '', wires: [['order', 'http-ok']] },
    { id: 'http-ok', type: 'http response', z: TAB, statusCode: '', headers: {}, wires: [] },
    // payloads as JSON text: one line each
    json('updates', 'updates-file'),
    file('updates-file', 'updates.jsonl'),
    { id: 'statuses', type: 'status', z: TAB, scope: ['order'], wires: [['status-text']] },
    { id: 'status-text', type: 'change', z: TAB, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'status', tot: 'msg' }], wires: [['status-json']] },
    json('status-json', 'statuses-file'),
    file('statuses-file', 'statuses.jsonl'),
    { id: 'errors', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['error-text']] },
    { id: 'error-text', type: 'change', z: TAB, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'error', tot: 'msg' }], wires: [['error-json']] },
    json('error-json', 'errors-file'),
    file('errors-file', 'errors.jsonl'),
  ];
}

describe('live trading under exchange faults: Node-RED keeps running and recovers (real Node-RED process, mock Binance)', function () {
  this.timeout(90_000);
  let mock: MockBinance;
  let red: NodeRedProcess | undefined;
  let userDir: string | undefined;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 10_000, BTC: 1 });
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
    userDir = makeUserDir('tradebot-live-faults-');
  });

  afterEach(async function () {
    await killAllNodeRed();
    red = undefined;
    await mock.stop();
    removeUserDir(userDir);
  });

  const files = () => ({ updates: path.join(userDir!, 'updates.jsonl'), statuses: path.join(userDir!, 'statuses.jsonl'), errors: path.join(userDir!, 'errors.jsonl') });
  const context = () => `statuses: ${readJsonLines(files().statuses).map((s) => s.text).join(' | ')}\nupdates: ${readJsonLines(files().updates).map((u) => `${u.clientOrderId} ${u.status}`).join(' | ')}\nNode-RED log:\n${red?.log ?? ''}`;

  /** Node-RED with the live flow deployed (credentials go in through the admin API, as the editor sends them). */
  async function startLive(): Promise<NodeRedProcess> {
    red = await NodeRedProcess.start({ userDir: userDir!, flow: [], env: { TRADEBOT_INSTANCE: undefined } });
    const res = await fetch(`${red.base}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(liveFlow(mock.url, userDir!)),
    });
    assert.equal(res.status, 204, `deploy: ${await res.text()}`);
    // The deploy answers before the new flow runs: wait for its second "Started flows".
    await waitFor(() => (red!.log.match(/Started flows/g) ?? []).length >= 2, 15_000, 'the deployed flow started', context);
    return red;
  }

  /** A limit buy below the market: it rests at the exchange. */
  async function placeResting(clientOrderId: string, extra: Record<string, unknown> = {}): Promise<void> {
    const res = await red!.post('/tb/order', { kind: 'orderRequest', clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 59_000, ts: Date.now(), ...extra });
    assert.equal(res.status, 200);
    await waitFor(() => readJsonLines(files().updates).some((u) => u.clientOrderId === clientOrderId && u.status === 'open' && u.id !== null), 15_000, `${clientOrderId} resting at the exchange`, context);
    assert.equal(mock.findOrder(KEY, { clientOrderId })?.status, 'NEW');
  }

  const statusSeen = (pattern: RegExp) => () => readJsonLines(files().statuses).find((s) => pattern.test(s.text ?? ''));
  const finalUpdate = (clientOrderId: string, status: string) => () => readJsonLines(files().updates).find((u) => u.clientOrderId === clientOrderId && u.status === status);

  /** The market crosses the resting buy: the exchange fills it; the fill must reach the flow. */
  async function fillAndExpect(clientOrderId: string): Promise<void> {
    mock.setTicker('BTC/USDT', { bid: 58_900, ask: 58_950, last: 58_950 });
    assert.equal(mock.findOrder(KEY, { clientOrderId })?.status, 'FILLED', 'the exchange filled it');
    const filled = await waitFor(finalUpdate(clientOrderId, 'closed'), 20_000, `the fill of ${clientOrderId} in the flow`, context);
    assert.equal(filled.filled, 0.01);
    assert.equal(filled.average, 59_000);
    assert.ok(red!.running, `Node-RED still running\n${context()}`);
    const updates = readJsonLines(files().updates).filter((u) => u.clientOrderId === clientOrderId && u.status === 'closed');
    assert.equal(updates.length, 1, 'the fill is booked once');
  }

  it('1. the websocket API upgrade answered 404: Node-RED keeps running, the status says the order stream is down, the fill arrives when the socket is back', async function () {
    mock.rejectWebSockets(true, 404);
    await startLive();
    await placeResting('tb-ws404');
    await waitFor(statusSeen(/order stream down/), 15_000, 'a status saying the order stream is down', context);
    // Several reconnect attempts, each answered 404: Node-RED must survive them.
    const refused = mock.refusedUpgrades;
    await waitFor(() => mock.refusedUpgrades >= refused + 2, 20_000, 'two more websocket upgrades answered 404', context);
    assert.ok(red!.running, `Node-RED still running\n${context()}`);
    mock.rejectWebSockets(false);
    await mock.waitForUserStream(KEY, 30_000);
    await fillAndExpect('tb-ws404');
  });

  it('2. the exchange unreachable for a few seconds (connection refused): Node-RED keeps running, the status says so, the fill arrives once it is back', async function () {
    await startLive();
    await placeResting('tb-down');
    await mock.waitForUserStream(KEY, 10_000);
    mock.offline(4_000);
    await waitFor(statusSeen(/order stream down/), 10_000, 'a status saying the order stream is down', context);
    await waitFor(() => mock.isOnline, 10_000, 'the mock back online', context);
    // A fixed wait on purpose: Node-RED must keep running a while after the outage.
    await sleep(1_000);
    assert.ok(red!.running, `Node-RED still running\n${context()}`);
    await mock.waitForUserStream(KEY, 30_000);
    await fillAndExpect('tb-down');
  });

  it('3. the order status poll answered 400 {-1022 signature invalid}: Node-RED keeps running, the status says the poll fails, the fill arrives after', async function () {
    await startLive();
    await placeResting('tb-poll400');
    const polls = () => mock.requests.filter((r) => r.method === 'GET' && r.path === '/api/v3/order').length;
    const before = polls();
    mock.failNext(2, SIGNATURE_INVALID, '/api/v3/order', 'GET');
    await waitFor(() => polls() >= before + 2, 20_000, 'two polls answered 400', context);
    await waitFor(statusSeen(/order status poll failing.*Signature for this request is not valid/), 10_000, 'a status saying the poll fails', context);
    // A fixed wait on purpose: Node-RED must keep running a while with the poll failing.
    await sleep(1_500);
    assert.ok(red!.running, `Node-RED still running\n${context()}`);
    await fillAndExpect('tb-poll400');
  });

  it('4. the limit timeout cancel meets a 503: Node-RED keeps running, the status says the cancel is retried, the cancel reaches the flow', async function () {
    await startLive();
    mock.failNext(2, { status: 503 }, '/api/v3/order', 'DELETE');
    await placeResting('tb-cancel503', { timeoutMs: 1_000 });
    // Prices keep coming (the account checks the timeout on each): the first cancels meet the 503.
    const ticks = setInterval(() => mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 + Math.round(Math.random() * 10) }), 200);
    try {
      await waitFor(statusSeen(/cancel .*failed.*retrying/), 15_000, 'a status saying the cancel is retried', context);
      const canceled = await waitFor(finalUpdate('tb-cancel503', 'canceled'), 20_000, 'the cancel in the flow', context);
      assert.equal(canceled.filled, 0);
    } finally {
      clearInterval(ticks);
    }
    assert.ok(red!.running, `Node-RED still running\n${context()}`);
    assert.equal(mock.findOrder(KEY, { clientOrderId: 'tb-cancel503' })?.status, 'CANCELED');
    assert.ok(mock.tradingStats(KEY).cancelRequests >= 3, 'the 503s were met and the cancel sent again');
  });

  it('an unknown order survives kill -9: the restarted Node-RED looks it up and adopts it when the late execution appears; one exchange order', async function () {
    await startLive();
    // The create request gets no answer (ccxt gives up after 2 s); the exchange executes it 6 s after it arrived.
    mock.failNext(1, { lateExecutionMs: 6_000, answer: 'timeout' }, '/api/v3/order', 'POST');
    const res = await red!.post('/tb/order', { kind: 'orderRequest', clientOrderId: 'tb-restart-late', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() });
    assert.equal(res.status, 200);
    const unknown = await waitFor(finalUpdate('tb-restart-late', 'unknown'), 10_000, 'the unknown update in the flow', context);
    assert.match(unknown.reason, /outcome unknown .*looking it up for 8 s, never sent again/);
    await waitFor(statusSeen(/unknown: looking it up/), 5_000, 'the status saying the order is being looked up', context);
    // A fixed wait on purpose: the file context store flushes every second.
    await sleep(1_500);
    assert.equal(mock.orders(KEY).length, 0, 'not at the exchange yet');
    await red!.kill('SIGKILL');

    red = await NodeRedProcess.start({ userDir: userDir!, env: { TRADEBOT_INSTANCE: undefined } });
    const filled = await waitFor(finalUpdate('tb-restart-late', 'closed'), 20_000, 'the late order adopted by the restarted process', context);
    assert.equal(filled.filled, 0.01);
    assert.equal(mock.tradingStats(KEY).createRequests, 1, 'never sent again');
    assert.equal(mock.orders(KEY).length, 1, 'one exchange order');
    assert.ok(red.running, `Node-RED still running\n${context()}`);
  });
});
