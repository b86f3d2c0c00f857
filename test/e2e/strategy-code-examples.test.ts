/**
 * Strategy code and outside signals in a real Node-RED process (the package linked into a fresh
 * user dir and listed in its package.json, as an install lists it): examples 19 (a strategy in a
 * function node, node-red-contrib-tradebot/signal loaded through Setup > Modules) and 20 (a
 * TradingView-style webhook behind a shared secret from the environment) deployed as they are,
 * beside a test tab whose function node strategy is fed candles over HTTP. The debug sidebar is
 * read as the editor reads it (/comms). Checked: both examples deploy without a warning or error
 * and show signals and orders; a repeated candle and a repeated alert trade once (the risk gate
 * refuses the same signal id: DUPLICATE_SIGNAL); a signal without its side and a bad alert (wrong
 * or missing secret, a body that is not JSON, a bad field) are refused naming the field, and
 * place nothing. Not the test helper: it cannot load a function node's modules.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeRedProcess, ROOT, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { DebugSidebar } from '../support/debug-sidebar';
import { sleep, waitFor } from '../support/wait';

const SECRET = 'e2e-webhook-secret-4f1c9a';
const readExample = (name: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', `${name}.json`), 'utf8'));
const EX19 = readExample('19 Strategy in a function node');
const EX20 = readExample('20 TradingView webhook');
const byName = (flow: FlowNode[], type: string, name: string): FlowNode => {
  const found = flow.find((n) => n.type === type && n.name === name);
  assert.ok(found, `${type} "${name}" in the example`);
  return found;
};

/** A test tab: http in -> a function node strategy (the helper, a candle and a side from the body) -> risk gate -> place order. */
const T = (n: number) => `7e57${n.toString(16).padStart(12, '0')}`;
const EXCHANGE = EX19.find((n) => n.type === 'tradebot-exchange')!.id;
const TEST_TAB: FlowNode[] = [
  { id: T(0), type: 'tab', label: 'test: function strategy fed over HTTP' },
  { id: T(1), type: 'http in', z: T(0), url: '/test/strategy', method: 'post', upload: false, swaggerDoc: '', wires: [[T(2)]] },
  {
    id: T(2),
    type: 'function',
    z: T(0),
    name: 'test strategy',
    // Answers first (the caller is not kept waiting by an error), then makes the signal; a bad side throws.
    func: "node.send([null, { res: msg.res, statusCode: 202, payload: 'taken' }]);\nmsg.payload = tradebot.makeSignal(msg.payload.candle, msg.payload.side, { strategy: 'test strategy' });\nreturn [msg, null];",
    outputs: 2,
    libs: [{ var: 'tradebot', module: 'node-red-contrib-tradebot/signal' }],
    wires: [[T(4), T(8)], [T(3)]],
  },
  { id: T(3), type: 'http response', z: T(0), statusCode: '', headers: {}, wires: [] },
  { id: T(4), type: 'tradebot-risk-gate', z: T(0), exchange: EXCHANGE, sizing: 'quote', quoteAmount: '50', accountCurrency: 'USDT', stopMode: 'none', orderType: 'market', noSellWithoutPosition: true, timezone: 'UTC', wires: [[T(5)], [T(6)]] },
  { id: T(5), type: 'tradebot-place-order', z: T(0), exchange: EXCHANGE, currency: 'USDT', wires: [[T(7)], []] },
  { id: T(6), type: 'debug', z: T(0), name: 'test rejections', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
  { id: T(7), type: 'debug', z: T(0), name: 'test orders', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
  { id: T(8), type: 'debug', z: T(0), name: 'test signals', active: true, tosidebar: true, complete: 'payload', targetType: 'msg', wires: [] },
  { id: T(9), type: 'catch', z: T(0), scope: null, uncaught: false, wires: [[T(10)]] },
  { id: T(10), type: 'debug', z: T(0), name: 'test errors', active: true, tosidebar: true, complete: 'error', targetType: 'msg', wires: [] },
];

describe('strategy code and outside signals: examples 19 and 20 in a real Node-RED', function () {
  this.timeout(180_000);
  let userDir: string | undefined;
  let red: NodeRedProcess;
  let sidebar: DebugSidebar;

  before(async function () {
    this.timeout(90_000);
    userDir = makeUserDir('tradebot-strategy-code-');
    const flow = [...EX19, ...EX20.filter((n) => n.type !== 'tradebot-exchange'), ...TEST_TAB];
    red = await NodeRedProcess.start({ userDir, flow, startTimeoutMs: 60_000, env: { TRADEBOT_WEBHOOK_SECRET: SECRET } });
    sidebar = await DebugSidebar.open(red.port);
  });

  after(async function () {
    sidebar?.close();
    await red?.stop();
    await killAllNodeRed();
    removeUserDir(userDir);
  });

  it('example 19 deploys: the function node loads node-red-contrib-tradebot/signal, signals and orders within a minute, no error', async function () {
    const signals = byName(EX19, 'debug', 'signals');
    const orders = byName(EX19, 'debug', 'orders');
    await waitFor(() => sidebar.of(orders).length > 0, 60_000, `an order of example 19 (signals so far: ${sidebar.of(signals).length})\n${red.log}`);
    const signal = sidebar.of(signals)[0];
    assert.equal(signal.kind, 'signal');
    assert.equal(signal.strategy, 'close vs SMA 20');
    assert.match(signal.id, /^sig-[0-9a-f]{24}$/);
    assert.ok(['buy', 'sell'].includes(signal.side));
    const order = sidebar.of(orders)[0];
    assert.equal(order.kind, 'orderUpdate');
    assert.ok(sidebar.of(signals).some((s) => s.id === order.signalId), 'the order came from one of the function node\'s signals');
    assert.deepEqual(sidebar.of(byName(EX19, 'debug', 'errors')), []);
  });

  it('a function-node strategy trades; the same candle again makes the same signal id, which the risk gate refuses: one order', async function () {
    // A candle at the market's price and clock: those of the latest signal of example 19 (the same simulated market).
    await waitFor(() => sidebar.of(byName(EX19, 'debug', 'signals')).length > 0, 60_000, 'a signal of example 19');
    const latest = sidebar.of(byName(EX19, 'debug', 'signals')).at(-1);
    const p = latest.price;
    const candle = { kind: 'candle', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', ts: latest.candleTs, open: p, high: p, low: p, close: p, volume: 1 };
    const post = async (body: unknown) => {
      const res = await red.post('/test/strategy', body);
      assert.equal(res.status, 202, await res.text());
    };
    await post({ candle, side: 'buy' });
    await waitFor(() => sidebar.of(T(7)).length > 0, 20_000, `the test strategy's order (rejections: ${JSON.stringify(sidebar.of(T(6)))}; errors: ${JSON.stringify(sidebar.of(T(10)))})`);
    const [signal] = sidebar.of(T(8));
    assert.equal(sidebar.of(T(7))[0].signalId, signal.id);
    await post({ candle, side: 'buy' });
    await waitFor(() => sidebar.of(T(6)).some((r) => r.code === 'DUPLICATE_SIGNAL'), 20_000, 'the repeated signal refused');
    const signals = sidebar.of(T(8));
    assert.equal(signals.length, 2);
    assert.equal(signals[1].id, signal.id, 'the same candle and side: the same id');
    assert.equal(sidebar.of(T(6)).find((r) => r.code === 'DUPLICATE_SIGNAL').signalId, signal.id);
    assert.equal(new Set(sidebar.of(T(7)).map((o) => o.clientOrderId)).size, 1, 'one order');
  });

  it('a function-node signal without its side: an error naming the field reaches the catch node, nothing is placed', async function () {
    const latest = sidebar.of(byName(EX19, 'debug', 'signals')).at(-1);
    const p = latest.price;
    const candle = { kind: 'candle', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', ts: latest.candleTs + 60_000, open: p, high: p, low: p, close: p, volume: 1 };
    const ordersBefore = sidebar.of(T(7)).length;
    const signalsBefore = sidebar.of(T(8)).length;
    const res = await red.post('/test/strategy', { candle });
    assert.equal(res.status, 202);
    await waitFor(() => sidebar.of(T(10)).length > 0, 10_000, 'the error at the catch node');
    const error = sidebar.of(T(10))[0];
    assert.match(JSON.stringify(error), /side: Invalid option: expected one of \\"buy\\"\|\\"sell\\"/);
    await sleep(1_000); // nothing to wait for: nothing must happen
    assert.equal(sidebar.of(T(8)).length, signalsBefore, 'no signal');
    assert.equal(sidebar.of(T(7)).length, ordersBefore, 'no order');
  });

  describe('example 20: the webhook', function () {
    const signals = () => sidebar.of(byName(EX20, 'debug', 'signals'));
    const orders = () => sidebar.of(byName(EX20, 'debug', 'orders'));
    const rejections = () => sidebar.of(byName(EX20, 'debug', 'rejections'));
    const alert = (o: Record<string, unknown> = {}) => ({ secret: SECRET, symbol: 'BTC/USDT', side: 'buy', time: '2026-12-03T10:00:00Z', price: 60123.5, strategy: 'tv test', ...o });
    const postRaw = (body: string, contentType: string, headers: Record<string, string> = {}) =>
      fetch(`${red.base}/tradebot/alert`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

    it('deploys and the sample alert (secret from the environment) trades within a minute', async function () {
      await waitFor(() => sidebar.of(byName(EX20, 'debug', 'sample answer')).length > 0, 60_000, `the sample alert's answer\n${red.log}`);
      const answer = sidebar.of(byName(EX20, 'debug', 'sample answer'))[0];
      assert.equal(answer.ok, true, JSON.stringify(answer));
      await waitFor(() => orders().some((o) => o.signalId === answer.signal), 30_000, 'the sample alert\'s order');
      assert.equal(signals()[0].strategy, 'sample alert');
      assert.ok(!JSON.stringify(sidebar.messages).includes(SECRET), 'the secret is in no debug message');
    });

    it('a good alert: 200 and an order; the same alert again: 200, the same id, refused as DUPLICATE_SIGNAL, one order', async function () {
      const first = await red.post('/tradebot/alert', alert());
      const body = await first.json();
      assert.equal(first.status, 200, JSON.stringify(body));
      assert.match(body.signal, /^sig-[0-9a-f]{24}$/);
      await waitFor(() => orders().some((o) => o.signalId === body.signal), 20_000, `the alert's order (rejections: ${JSON.stringify(rejections())})`);
      const again = await red.post('/tradebot/alert', alert());
      assert.equal(again.status, 200);
      assert.equal((await again.json()).signal, body.signal, 'the same alert: the same signal id');
      await waitFor(() => rejections().some((r) => r.code === 'DUPLICATE_SIGNAL' && r.signalId === body.signal), 20_000, 'the repeated alert refused');
      assert.equal(new Set(orders().filter((o) => o.signalId === body.signal).map((o) => o.clientOrderId)).size, 1, 'one order');
    });

    it('refused with the right status naming the field, and nothing placed: wrong or missing secret 401, not JSON / malformed / bad field 400', async function () {
      const signalsBefore = signals().length;
      const ordersBefore = orders().length;
      const cases: Array<[string, Promise<Response>, number, RegExp]> = [
        ['wrong secret', red.post('/tradebot/alert', alert({ secret: 'guess', time: '2026-12-03T11:00:00Z' })), 401, /^secret: missing or wrong$/],
        ['no secret', red.post('/tradebot/alert', alert({ secret: undefined, time: '2026-12-03T11:01:00Z' })), 401, /^secret: /],
        ['a wrong secret in the header', postRaw(JSON.stringify(alert({ secret: undefined })), 'application/json', { 'x-tradebot-secret': 'guess' }), 401, /^secret: /],
        ['a body that is not JSON (text/plain, as TradingView sends it)', postRaw(`buy BTC/USDT secret=${SECRET}`, 'text/plain'), 400, /^body: must be a JSON object/],
        ['a JSON array', red.post('/tradebot/alert', [alert()]), 400, /^body: must be a JSON object/],
        ['no side', red.post('/tradebot/alert', alert({ side: undefined, time: '2026-12-03T11:02:00Z' })), 400, /^body\.side: /],
        ['a symbol not in BASE/QUOTE form', red.post('/tradebot/alert', alert({ symbol: 'BTCUSDT', time: '2026-12-03T11:03:00Z' })), 400, /^body\.symbol: /],
        ['no bar time', red.post('/tradebot/alert', alert({ time: undefined })), 400, /^body\.time: /],
      ];
      for (const [what, response, status, error] of cases) {
        const res = await response;
        const body = await res.json();
        assert.equal(res.status, status, `${what}: ${JSON.stringify(body)}`);
        assert.equal(body.ok, false, what);
        assert.match(body.error, error, what);
      }
      // Malformed JSON sent as JSON: Node-RED's body parser refuses it before the flow, with 400.
      const malformed = await postRaw('{"secret": "x", "side": ', 'application/json');
      assert.equal(malformed.status, 400);
      await sleep(1_000); // nothing to wait for: nothing must happen
      assert.equal(signals().length, signalsBefore, 'no signal from a refused alert');
      assert.equal(orders().length, ordersBefore, 'no order from a refused alert');
      assert.ok(!JSON.stringify(sidebar.messages).includes(SECRET), 'the secret is in no debug message');
    });
  });

  // Last (mocha runs a suite's own tests before its nested suites): after every request above.
  describe('afterwards', function () {
    it('neither example logged a warning or an error', function () {
      // From the flows' start on (before it, Node-RED's own notes on the settings: projects off, no credentials file yet).
      const lines = red.log.slice(red.log.indexOf('Starting flows')).split('\n').filter((l) => /\[(warn|error)\]/.test(l));
      assert.deepEqual(lines, []);
      assert.deepEqual(sidebar.of(byName(EX20, 'debug', 'errors')), []);
      assert.deepEqual(sidebar.of(byName(EX19, 'debug', 'errors')), []);
    });
  });
});
