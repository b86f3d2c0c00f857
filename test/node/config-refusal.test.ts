/**
 * A bad setting, in the real Node-RED runtime: every node type stays in the flow, shows a red ring
 * naming the field, reports the problem to a Catch node once the flow is deployed (one error), and
 * then drops every message that reaches it quietly (no error per message), its status still naming
 * the field. Nothing trades.
 */
import assert from 'node:assert/strict';
import backtestNode from '../../nodes/tradebot-backtest/tradebot-backtest';
import { helper, statusesSoFar, tradebotNodes, waitFor, type FlowNode } from '../support/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require(require.resolve('@node-red/nodes/core/common/25-catch.js', { paths: [require('node:path').dirname(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'))] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const completeNode = require(require.resolve('@node-red/nodes/core/common/24-complete.js', { paths: [require('node:path').dirname(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'))] }));

const TAB = 'config-tab';
const CONFIG_TYPES = ['tradebot-exchange', 'tradebot-telegram', 'tradebot-redis'];
const simExchange = (extra: Record<string, unknown> = {}): FlowNode => ({ id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 7, simSpeed: 600, simBalances: 'USDT=10000', ...extra });

interface Caught {
  message: string;
  sourceId: string;
  msg: any;
}

/** Loads the flow with a Catch node on the tab and a helper "src" wired to the node under test (when it has an input). */
async function load(flow: FlowNode[], targetId: string, hasInput = true): Promise<{ caught: Caught[]; statuses: any[]; send: (msg: object) => void; outputs: any[]; completed: any[] }> {
  const nodes = [
    ...flow,
    ...(hasInput ? [{ id: 'src', type: 'helper', wires: [[targetId]] }] : []),
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    // Sees each message the node under test completes with done() (not those ending in an error).
    { id: 'completer', type: 'complete', scope: [targetId], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper' },
    { id: 'out', type: 'helper' },
  ].map((n) => (CONFIG_TYPES.includes(n.type) || (n as FlowNode).z ? n : { ...n, z: TAB }));
  await helper.load([...tradebotNodes, backtestNode, catchNode, completeNode] as any, [{ id: TAB, type: 'tab', label: 'config' }, ...nodes] as any);
  const caught: Caught[] = [];
  helper.getNode('caught').on('input', (msg: any) => caught.push({ message: String(msg.error?.message ?? ''), sourceId: String(msg.error?.source?.id ?? ''), msg }));
  const outputs: any[] = [];
  helper.getNode('out').on('input', (msg: any) => outputs.push(msg));
  const completed: any[] = [];
  helper.getNode('completed').on('input', (msg: any) => completed.push(msg));
  const target = helper.getNode(targetId);
  assert.ok(target, `the ${targetId} node must be part of the flow (a constructor that throws leaves it out)`);
  // Statuses set in the constructor (the helper spies on every node's status), then later ones.
  const statuses: any[] = statusesSoFar(target);
  target.on('call:status', (call: any) => statuses.push(call.args[0]));
  return { caught, statuses, outputs, completed, send: (msg) => helper.getNode('src').send(msg) };
}

/** Flows with one bad setting each, the node that must refuse, and the field its error must name. */
const CASES: Array<{ what: string; flow: FlowNode[]; target: string; field: RegExp; input?: boolean; msg?: object }> = [
  {
    what: 'exchange with balances "USDT=1.2.3, BTC=." (place order names it)',
    flow: [simExchange({ simBalances: 'USDT=1.2.3, BTC=.' }), { id: 'order', type: 'tradebot-place-order', exchange: 'ex', wires: [['out'], ['out']] }],
    target: 'order',
    field: /simBalances/,
    msg: { payload: { kind: 'orderRequest', clientOrderId: 'tb-cfg-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() } },
  },
  // A paper exchange: the ticker asks it for market data, so the bad setting must stop it first.
  { what: 'exchange with API URL "not a url" (the ticker names it)', flow: [{ id: 'ex', type: 'tradebot-exchange', mode: 'paper', exchangeId: 'binance', baseUrl: 'not a url' }, { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 1000, wires: [['out']] }], target: 't', field: /baseUrl/ },
  { what: 'exchange with websocket "sometimes" (the ticker names it)', flow: [{ id: 'ex', type: 'tradebot-exchange', mode: 'paper', exchangeId: 'binance', baseUrl: 'http://127.0.0.1:9', websocket: 'sometimes' }, { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 1000, wires: [['out']] }], target: 't', field: /websocket/ },
  { what: 'place order with currency 5', flow: [simExchange(), { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 5, wires: [['out'], ['out']] }], target: 'order', field: /currency/, msg: { topic: 'portfolio' } },
  { what: 'ticker with interval "abc"', flow: [simExchange(), { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 'abc', wires: [['out']] }], target: 't', field: /interval/ },
  { what: 'ticker with interval -5', flow: [simExchange(), { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: -5, wires: [['out']] }], target: 't', field: /interval/ },
  { what: 'order book with depth -1', flow: [simExchange(), { id: 'b', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: -1, wires: [['out']] }], target: 'b', field: /depth/ },
  { what: 'candles with warm-up "x"', flow: [simExchange(), { id: 'c', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 'x', wires: [['out']] }], target: 'c', field: /warmup/ },
  { what: 'candles from ticks with timeframe 5', flow: [{ id: 'c', type: 'tradebot-candles', source: 'ticks', timeframe: 5, wires: [['out']] }], target: 'c', field: /timeframe/ },
  { what: 'indicator with period "abc"', flow: [{ id: 'i', type: 'tradebot-indicator', indicators: [{ name: 'sma', type: 'sma', period: 'abc' }], wires: [['out']] }], target: 'i', field: /period/ },
  { what: 'strategy with fastPeriod "abc"', flow: [{ id: 's', type: 'tradebot-strategy', strategy: 'maCross', fastPeriod: 'abc', slowPeriod: 21, wires: [['out'], ['out']] }], target: 's', field: /fastPeriod/ },
  { what: 'strategy with slowPeriod true (never coerced to 1)', flow: [{ id: 's', type: 'tradebot-strategy', strategy: 'maCross', fastPeriod: 3, slowPeriod: true, wires: [['out'], ['out']] }], target: 's', field: /slowPeriod/ },
  { what: 'notifier with a batch window of true seconds', flow: [{ id: 'n', type: 'tradebot-notifier', channel: 'none', batchSeconds: true, wires: [['out']] }], target: 'n', field: /batchSeconds/ },
  { what: 'risk gate with quoteAmount NaN', flow: [simExchange(), { id: 'r', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 'NaN', wires: [['out'], ['out']] }], target: 'r', field: /quoteAmount/ },
  { what: 'risk gate with a limit timeout of 0.01 s', flow: [simExchange(), { id: 'r', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100, orderType: 'limit', limitTimeoutSec: 0.01, wires: [['out'], ['out']] }], target: 'r', field: /limitTimeoutSec/ },
  { what: 'notifier with maxQueue "many"', flow: [{ id: 'n', type: 'tradebot-notifier', channel: 'none', maxQueue: 'many', wires: [['out']] }], target: 'n', field: /maxQueue/ },
  { what: 'notifier on a Telegram bot node whose API address is 5', flow: [{ id: 'bot', type: 'tradebot-telegram', apiBase: 5, allowedChats: '1' }, { id: 'n', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: '1', wires: [['out']] }], target: 'n', field: /apiBase/ },
  { what: 'telegram control with currency 5', flow: [{ id: 'bot', type: 'tradebot-telegram', apiBase: 'http://127.0.0.1:9', allowedChats: '1' }, { id: 'tc', type: 'tradebot-telegram-control', telegram: 'bot', currency: 5, wires: [['out']] }], target: 'tc', field: /currency/, input: false },
  { what: 'telegram control with a poll time of -5 s', flow: [{ id: 'bot', type: 'tradebot-telegram', apiBase: 'http://127.0.0.1:9', allowedChats: '1' }, { id: 'tc', type: 'tradebot-telegram-control', telegram: 'bot', pollSeconds: -5, wires: [['out']] }], target: 'tc', field: /pollSeconds/, input: false },
  { what: 'backtest on an exchange that is not in backtest mode', flow: [simExchange(), { id: 'bt', type: 'tradebot-backtest', exchange: 'ex', wires: [['out']] }], target: 'bt', field: /backtest mode/ },
  { what: 'backtest on an exchange whose history list is not "SYMBOL = file"', flow: [simExchange({ mode: 'backtest', backtestData: 'BTCUSDT data.json' }), { id: 'bt', type: 'tradebot-backtest', exchange: 'ex', wires: [['out']] }], target: 'bt', field: /backtestData/ },
  { what: 'stream out without a Redis node', flow: [{ id: 'so', type: 'tradebot-stream-out', redis: '', key: 'k', wires: [] }], target: 'so', field: /stream\.redis/ },
  { what: 'pairlist with a minimum volume of NaN', flow: [simExchange(), { id: 'pl', type: 'tradebot-pairlist', exchange: 'ex', quote: 'USDT', minQuoteVolume: 'NaN', wires: [['out']] }], target: 'pl', field: /minQuoteVolume/ },
  { what: 'pairlist with the blacklist pattern "DOGE"', flow: [simExchange(), { id: 'pl', type: 'tradebot-pairlist', exchange: 'ex', quote: 'USDT', blacklist: 'DOGE', wires: [['out']] }], target: 'pl', field: /blacklist/ },
  { what: 'pairlist on an exchange in backtest mode', flow: [simExchange({ mode: 'backtest', backtestData: 'BTC/USDT = data.json' }), { id: 'pl', type: 'tradebot-pairlist', exchange: 'ex', quote: 'USDT', wires: [['out']] }], target: 'pl', field: /exchange: the pairlist ranks a running market/ },
  { what: 'journal with a limit of -5 trades', flow: [simExchange(), { id: 'j', type: 'tradebot-journal', exchange: 'ex', query: 'trades', limit: -5, wires: [['out']] }], target: 'j', field: /journal\.limit/ },
  { what: 'journal with the query "hourly"', flow: [simExchange(), { id: 'j', type: 'tradebot-journal', exchange: 'ex', query: 'hourly', wires: [['out']] }], target: 'j', field: /journal\.query/ },
  { what: 'journal on an exchange whose journal is off', flow: [simExchange({ journal: 'off' }), { id: 'j', type: 'tradebot-journal', exchange: 'ex', query: 'trades', wires: [['out']] }], target: 'j', field: /journal: off on the exchange node/ },
  { what: 'stream ack without a Redis node', flow: [{ id: 'sa', type: 'tradebot-stream-ack', redis: '', wires: [['out']] }], target: 'sa', field: /stream\.redis/ },
  { what: 'stream in on a Redis node with db "x"', flow: [{ id: 'rd', type: 'tradebot-redis', url: 'redis://127.0.0.1:1', db: 'x' }, { id: 'si', type: 'tradebot-stream-in', redis: 'rd', key: 'k', group: 'g', wires: [['out']] }], target: 'si', field: /redis\.db/, input: false },
];

describe('a bad setting refuses the node at deploy, naming the field (every node type)', function () {
  this.timeout(20_000);
  afterEach(() => helper.unload());

  for (const c of CASES) {
    it(c.what, async () => {
      const hasInput = c.input !== false;
      const { caught, statuses, send, outputs, completed } = await load(c.flow, c.target, hasInput);
      // Deploy: the status is a red ring naming the field, and a Catch node hears of it.
      await waitFor(() => statuses.some((s) => s?.fill === 'red' && c.field.test(String(s.text))), 5_000, `a red status naming ${c.field}`);
      await waitFor(() => caught.some((e) => e.sourceId === c.target && c.field.test(e.message)), 5_000, `a caught error naming ${c.field}`);
      const fromTarget = () => caught.filter((e) => e.sourceId === c.target);
      if (!hasInput) {
        // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(fromTarget().length, 1, `one error at deploy: ${fromTarget().map((e) => e.message).join(' | ')}`);
        return;
      }
      // Messages wired to the node are dropped quietly: each is completed with done() (a Complete
      // node sees it), none ends in an error, nothing comes out.
      const markers = [1, 2, 3].map((i) => `probe-${i}-${Math.random()}`);
      for (const marker of markers) send({ ...(c.msg ?? { topic: 'BTC/USDT', payload: {} }), probe: marker });
      await waitFor(() => markers.every((m) => completed.some((d) => d.probe === m)), 5_000, 'each message completed quietly');
      // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(caught.filter((e) => markers.includes(e.msg.probe)).map((e) => e.message), [], 'no error for the messages');
      assert.equal(fromTarget().length, 1, `one error in all, at deploy: ${fromTarget().map((e) => e.message).join(' | ')}`);
      assert.equal(outputs.length, 0, `nothing may come out of a refused node: ${JSON.stringify(outputs[0]?.payload)}`);
      const last = statuses.at(-1);
      assert.ok(last?.fill === 'red' && c.field.test(String(last.text)), `the status still says why: ${JSON.stringify(last)}`);
    });
  }
});

describe('an order request whose limit timeout is below the floor', function () {
  this.timeout(20_000);
  afterEach(() => helper.unload());

  it('timeoutMs 10 is refused naming msg.payload.timeoutMs; no order is placed', async () => {
    const { caught, send, outputs } = await load([simExchange(), { id: 'order', type: 'tradebot-place-order', exchange: 'ex', wires: [['out'], ['out']] }], 'order');
    send({ payload: { kind: 'orderRequest', clientOrderId: 'tb-fast-cancel', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 1000, ts: Date.now(), timeoutMs: 10 } });
    await waitFor(() => caught.some((e) => e.sourceId === 'order' && /msg\.payload\.timeoutMs: must be at least 1000/.test(e.message)), 5_000, 'done(err) naming msg.payload.timeoutMs');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(outputs.length, 0, `no order: ${JSON.stringify(outputs[0]?.payload)}`);
  });
});

describe('a mistake only a message reveals, in a node that otherwise works', function () {
  this.timeout(20_000);
  afterEach(() => helper.unload());

  it('ticks wired into a candles node that reads the exchange: the first ends in an error naming Source, later ones are dropped quietly', async () => {
    const flow = [simExchange(), { id: 'c', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 0, wires: [[]] }];
    const { caught, send, completed } = await load(flow, 'c');
    const markers = [1, 2, 3].map((i) => `tick-${i}-${Math.random()}`);
    for (const marker of markers) send({ topic: 'BTC/USDT', payload: {}, probe: marker });
    await waitFor(() => caught.some((e) => e.sourceId === 'c'), 5_000, 'the first message caught');
    await waitFor(() => markers.slice(1).every((m) => completed.some((d) => d.probe === m)), 5_000, 'the later messages completed quietly');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 200));
    const errors = caught.filter((e) => e.sourceId === 'c');
    assert.equal(errors.length, 1, `one error, not one per message: ${errors.map((e) => e.message).join(' | ')}`);
    assert.equal(errors[0]!.msg.probe, markers[0], 'the error is the first message');
    assert.match(errors[0]!.message, /source: this candles node reads from the exchange; set Source to "ticker messages"/);
  });
});
