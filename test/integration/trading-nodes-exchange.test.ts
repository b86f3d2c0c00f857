/**
 * The place-order node in paper and live mode, in the real Node-RED runtime, against the mock
 * Binance through a real ccxt: paper fills are simulated against the exchange's real book; live
 * orders are real orders at the (mock) exchange, and the portfolio starts from its balances.
 */
import assert from 'node:assert/strict';
import { MockBinance } from '../support/mock-binance';
import { Inbox, getNode, loadFlow, sleep, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const KEY = 'nodeTestKey0123456789abcdef';
const SECRET = 'nodeTestSecret0123456789abcdef';

describe('place order in paper and live mode (mock Binance)', function () {
  this.timeout(30_000);
  let mock: MockBinance;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 5000, BTC: 0.5 });
    mock.setOrderBook('BTC/USDT', [[59_990, 0.005], [59_980, 1]], [[60_010, 0.005], [60_020, 1]]);
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
  });
  afterEach(async function () {
    await unloadFlow();
    await mock.stop();
  });

  const flow = (exchange: Record<string, unknown>): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', exchangeId: 'binance', baseUrl: mock.url, timeoutMs: 2000, simBalances: 'USDT=1000', feeRatePct: 0.1, slippagePct: 0, ...exchange },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], ['portfolio']] },
    { id: 'updates', type: 'helper' },
    { id: 'portfolio', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  const market = (id: string, side: 'buy' | 'sell', amount: number) => ({ payload: { kind: 'orderRequest', clientOrderId: id, symbol: 'BTC/USDT', side, type: 'market', amount, ts: Date.now() } });

  it('paper: a market buy walks the real book (two levels), and no order reaches the exchange', async function () {
    await loadFlow(flow({ mode: 'paper' }));
    const updates = new Inbox('updates');
    getNode('order').receive(market('tb-paper-1', 'buy', 0.01));
    const [u] = await updates.take(1);
    assert.equal(u.payload.mode, 'paper');
    assert.equal(u.payload.status, 'closed');
    assert.ok(Math.abs(u.payload.average - (0.005 * 60_010 + 0.005 * 60_020) / 0.01) < 1e-6, 'average over two ask levels');
    assert.equal(mock.tradingStats().createRequests, 0, 'paper never sends orders');
    getNode('order').receive({ topic: 'portfolio' });
    const [p] = await new Inbox('portfolio').take(1);
    assert.ok(Math.abs(p.payload.balances.USDT.total - (1000 - 600.15 - 0.60015)) < 1e-6, 'simulated balance paid price and fee');
  });

  it('paper: a limit order rests and fills at its price when the real market crosses it', async function () {
    await loadFlow(flow({ mode: 'paper' }));
    const updates = new Inbox('updates');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-paper-limit', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 59_000, ts: Date.now() } });
    const [open] = await updates.take(1);
    assert.equal(open.payload.status, 'open');
    await mock.waitForSubscription('btcusdt@ticker', 5000);
    mock.setTicker('BTC/USDT', { bid: 58_900, ask: 58_950, last: 58_950 });
    const [, filled] = await updates.take(2, 8000);
    assert.equal(filled.payload.status, 'closed');
    assert.equal(filled.payload.average, 59_000);
    assert.equal(mock.tradingStats().createRequests, 0, 'paper never sends orders');
  });

  it('live: market and limit orders are real orders; the portfolio starts from and matches the exchange balances', async function () {
    await loadFlow(flow({ mode: 'live', liveOptIn: true }), { ex: { apiKey: KEY, secret: SECRET } });
    const updates = new Inbox('updates');
    getNode('order').receive(market('tb-live-1', 'buy', 0.01));
    const [buy] = await updates.take(1);
    assert.equal(buy.payload.mode, 'live');
    assert.equal(buy.payload.status, 'closed');
    assert.equal(mock.findOrder(KEY, { clientOrderId: 'tb-live-1' })!.status, 'FILLED');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-live-2', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.1, price: 61_000, ts: Date.now() } });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-live-2' && m.payload.status === 'open'), 5000, 'the limit order open');
    mock.setTicker('BTC/USDT', { bid: 61_000, ask: 61_010, last: 61_005 });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-live-2' && m.payload.status === 'closed'), 8000, 'the limit order filled');
    getNode('order').receive({ topic: 'portfolio' });
    const [p] = await new Inbox('portfolio').take(1);
    const exchange = mock.balances(KEY);
    for (const asset of ['USDT', 'BTC']) {
      const theirs = exchange[asset]!.free + exchange[asset]!.locked;
      assert.ok(Math.abs(p.payload.balances[asset].total - theirs) < 1e-8, `${asset}: ${p.payload.balances[asset].total} vs exchange ${theirs}`);
    }
  });

  it('live, late execution: 5 orders whose create timed out or got a 503 and executed later go to the flow as unknown, then filled; exactly 5 exchange orders, each booked once', async function () {
    // Request timeout 1 s; each order executes at the exchange 1.5 s after it arrived, invisible to
    // lookups before that; the exchange node's unknown-order window is 4 s.
    await loadFlow(flow({ mode: 'live', liveOptIn: true, timeoutMs: 1000, unknownWindowSec: '4' }), { ex: { apiKey: KEY, secret: SECRET } });
    const updates = new Inbox('updates');
    const caught = new Inbox('caught');
    for (let i = 0; i < 5; i++) {
      mock.failNext(1, { lateExecutionMs: 1_500, answer: i % 2 ? 503 : 'timeout' }, '/api/v3/order', 'POST');
      getNode('order').receive(market(`tb-late-${i}`, 'buy', 0.001));
    }
    const ids = [0, 1, 2, 3, 4].map((i) => `tb-late-${i}`);
    const closed = (id: string) => updates.messages.some((m) => m.payload.clientOrderId === id && m.payload.status === 'closed');
    await waitFor(() => ids.every(closed), 15_000, 'the 5 late orders filled in the flow');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for (a resend, had there been one, would execute by now).
    await sleep(300);
    assert.deepEqual(mock.orders(KEY).map((o) => o.clientOrderId).sort(), ids, 'exactly 5 exchange orders');
    assert.equal(mock.tradingStats(KEY).createRequests, 5, 'each order sent once');
    for (const id of ids) {
      const mine = updates.messages.filter((m) => m.payload.clientOrderId === id).map((m) => m.payload);
      assert.deepEqual(mine.map((u) => u.status), ['unknown', 'closed'], `${id}: unknown, then adopted when it appeared`);
      assert.match(mine[0].reason, /outcome unknown .*looking it up for 4 s, never sent again/);
    }
    assert.equal(caught.messages.length, 0, 'no error');
    getNode('order').receive({ topic: 'portfolio' });
    const [p] = await new Inbox('portfolio').take(1);
    const exchange = mock.balances(KEY);
    for (const asset of ['USDT', 'BTC']) {
      const theirs = exchange[asset]!.free + exchange[asset]!.locked;
      assert.ok(Math.abs(p.payload.balances[asset].total - theirs) < 1e-8, `${asset}: booked once (${p.payload.balances[asset].total} vs exchange ${theirs})`);
    }
  });

  it('live: a request for an unknown symbol or with a bad amount never reaches the exchange', async function () {
    await loadFlow(flow({ mode: 'live', liveOptIn: true }), { ex: { apiKey: KEY, secret: SECRET } });
    const caught = new Inbox('caught');
    getNode('order').receive({ payload: { ...market('tb-x', 'buy', 0.01).payload, symbol: 'NOPE/USDT' } });
    getNode('order').receive({ payload: { ...market('tb-y', 'buy', 0.01).payload, amount: -3 } });
    const errors = (await caught.take(2)).map((m) => m.error.message).join(' | ');
    assert.match(errors, /NOPE\/USDT is not a market on binance/);
    assert.match(errors, /msg\.payload\.amount/);
    assert.equal(mock.tradingStats(KEY).createRequests, 0);
  });
});
