/**
 * Prices and times from messages are checked against the market and the exchange's clock before
 * they touch state, in the real Node-RED runtime on the simulated market: an absurd signal price
 * cannot re-mark the portfolio (and trip the drawdown breaker), a candle from the far future
 * cannot lock its series, an order request cannot set absurd prices or times. Each refusal is an
 * error naming the field, seen by a Catch node, and the state stays as it was.
 */
import assert from 'node:assert/strict';
import { isRejection, Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

/** The largest time a JavaScript Date holds: 13 September 275760. Schema-valid (a non-negative integer). */
const YEAR_275760 = 8.64e15;

const exchange = (extra: Record<string, unknown> = {}): FlowNode => ({
  id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 42, simSpeed: 60, simTickMs: 1000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0, ...extra,
});
const catcher = (): FlowNode[] => [
  { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

let seq = 0;
const signal = (extra: Record<string, unknown> = {}) => ({
  topic: 'BTC/USDT',
  payload: { kind: 'signal', id: `sig-pl${(++seq).toString(16).padStart(22, '0')}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side: 'buy', price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 'test', strength: 1, reason: 'test signal', ...extra },
});

describe('plausibility of prices and times in messages (simulated market)', function () {
  this.timeout(20_000);
  afterEach(unloadFlow);

  it('risk gate: a signal priced at 1e-9 is refused (msg.payload.price) and does not trip the drawdown breaker', async function () {
    await loadFlow([
      exchange(),
      { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 2000, maxDrawdownPct: 5, wires: [['order'], ['rejected']] },
      { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], ['portfolio']] },
      { id: 'rejected', type: 'helper' },
      { id: 'updates', type: 'helper' },
      { id: 'portfolio', type: 'helper' },
      ...catcher(),
    ]);
    const updates = new Inbox('updates');
    const rejected = new Inbox('rejected', isRejection);
    const caught = new Inbox('caught');
    // A position worth about 20 % of equity: marking it at ~0 would be a 20 % drawdown.
    getNode('risk').receive(signal());
    await waitFor(() => updates.messages.some((m) => m.payload.status === 'closed'), 8000, 'the first buy filled');

    getNode('risk').receive(signal({ price: 1e-9 }));
    const [err] = await caught.take(1);
    assert.match(err.error.message, /msg\.payload\.price: 1e-9 is more than 20 % away from the market price of BTC\/USDT/);
    const [r] = await rejected.take(1);
    assert.equal(r.payload.code, 'IMPLAUSIBLE_INPUT');

    // The breaker did not trip: the next (real) signal is approved and trades.
    getNode('risk').receive(signal());
    await waitFor(() => updates.messages.filter((m) => m.payload.status === 'closed').length >= 2, 8000, 'the second buy filled');
    assert.ok(!rejected.messages.some((m) => m.payload.code === 'DRAWDOWN_BREAKER'), 'no breaker trip');

    // A signal from the far future is refused too (msg.payload.ts), and nothing trades on it.
    getNode('risk').receive(signal({ ts: YEAR_275760 }));
    const [, late] = await caught.take(2);
    assert.match(late.error.message, /msg\.payload\.ts: .* is ahead of the exchange's clock/);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(updates.messages.filter((m) => m.payload.status === 'closed').length, 2);
  });

  it('indicator and strategy: a candle from year 275760 is refused (msg.payload.ts) and real candles carry on', async function () {
    await loadFlow([
      { id: 'ind', type: 'tradebot-indicator', indicators: [{ name: 'sma3', type: 'sma', period: 3, src: 'close' }], wires: [['indOut']] },
      { id: 'indOut', type: 'helper' },
      { id: 'st', type: 'tradebot-strategy', strategy: 'maCross', maType: 'sma', fastPeriod: 2, slowPeriod: 3, emitHolds: true, wires: [['signals'], ['holds']] },
      { id: 'signals', type: 'helper' },
      { id: 'holds', type: 'helper' },
      ...catcher(),
    ]);
    const indOut = new Inbox('indOut');
    const holds = new Inbox('holds');
    const caught = new Inbox('caught');
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const candle = (ts: number, close: number) => ({ payload: { kind: 'candle', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', ts, open: close, high: close + 1, low: close - 1, close, volume: 1 } });
    getNode('ind').receive(candle(start, 60_000));
    getNode('st').receive(candle(start, 60_000));
    await indOut.take(1);
    await holds.take(1);
    getNode('ind').receive(candle(YEAR_275760, 60_010));
    getNode('st').receive(candle(YEAR_275760, 60_010));
    const errors = await caught.take(2);
    for (const e of errors) assert.match(e.error.message, /msg\.payload\.ts: \+275760-09-13T00:00:00\.000Z is ahead of the exchange's clock/);
    // The real next candle is taken, not refused as "older" than the one from the future.
    getNode('ind').receive(candle(start + 60_000, 60_020));
    getNode('st').receive(candle(start + 60_000, 60_020));
    const [, second] = await indOut.take(2);
    assert.equal(second.payload.ts, start + 60_000);
    await holds.take(2);
    // A fixed wait on purpose: no "older" refusal must come, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(caught.messages.length, 2, `no "older" refusal: ${caught.messages.map((m) => m.error.message).join(' | ')}`);
  });

  it('place order: a limit price, stop-loss or time that is not plausible is refused, nothing is recorded', async function () {
    await loadFlow([
      exchange(),
      { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], ['portfolio']] },
      { id: 'updates', type: 'helper' },
      { id: 'portfolio', type: 'helper' },
      ...catcher(),
    ]);
    const caught = new Inbox('caught');
    const request = (id: string, extra: Record<string, unknown>) => ({ payload: { kind: 'orderRequest', clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 59_000, ts: Date.now(), ...extra } });
    getNode('order').receive(request('tb-pl-price', { price: 1e-9 }));
    assert.match((await caught.take(1))[0].error.message, /msg\.payload\.price: 1e-9 is more than 100 times below the market price of BTC\/USDT/);
    getNode('order').receive(request('tb-pl-stop', { type: 'market', price: undefined, stopLoss: 1e-9 }));
    assert.match((await caught.take(2))[1].error.message, /msg\.payload\.stopLoss: 1e-9 is more than 100 times below/);
    getNode('order').receive(request('tb-pl-ts', { ts: YEAR_275760 }));
    assert.match((await caught.take(3))[2].error.message, /msg\.payload\.ts: .* is ahead of the exchange's clock/);
    getNode('order').receive({ topic: 'portfolio' });
    const [p] = await new Inbox('portfolio').take(1);
    assert.equal(p.payload.openOrders, 0, 'nothing recorded');
    assert.equal(p.payload.balances.USDT.total, 10_000);
    assert.equal(new Inbox('updates').messages.length, 0);
    // A plausible limit far from the market is a choice, and goes out.
    getNode('order').receive(request('tb-pl-ok', { price: 30_000 }));
    const [open] = await new Inbox('updates').take(1);
    assert.equal(open.payload.status, 'open');
  });
});
