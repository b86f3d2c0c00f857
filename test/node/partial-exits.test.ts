/**
 * Partial exits in the real Node-RED runtime on the simulated market (docs/nodes/tradebot-risk-gate.md,
 * "Message contract"): a sell signal's fraction sells that share of the position and the rest
 * stays with its average entry; each part books its own realized P&L; a take-profit ladder sells
 * its rungs on the simulator's prices, each once, with `<opening id>-tp<n>`; bad fractions and bad
 * ladders end in an error naming the field and place nothing.
 */
import assert from 'node:assert/strict';
import { isRejection, Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const STEP = 0.00001; // the simulator's BTC/USDT amount step

const pipeline = (risk: Record<string, unknown> = {}): FlowNode[] => [
  { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 42, simSpeed: 600, simTickMs: 1000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0 },
  { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 1000, ...risk, wires: [['order'], ['rejected']] },
  { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], ['portfolio']] },
  { id: 'rejected', type: 'helper' },
  { id: 'updates', type: 'helper' },
  { id: 'portfolio', type: 'helper' },
  { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

let seq = 0;
const signal = (side: 'buy' | 'sell', extra: Record<string, unknown> = {}) => ({
  topic: 'BTC/USDT',
  payload: { kind: 'signal', id: `sig-${(0xa000 + ++seq).toString(16).padStart(24, '0')}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side, price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 'test', strength: 1, reason: 'test signal', ...extra },
});

async function portfolioNow(): Promise<any> {
  const inbox = new Inbox('portfolio');
  const before = inbox.messages.length;
  getNode('order').receive({ topic: 'portfolio' });
  return (await inbox.take(before + 1))[before].payload;
}

const closed = (updates: Inbox, side: 'buy' | 'sell') => updates.messages.filter((m) => m.payload.side === side && m.payload.status === 'closed').map((m) => m.payload);
const near = (a: number, b: number, eps = 1e-6) => Math.abs(a - b) <= eps;

describe('partial exits on the simulated market (real runtime)', function () {
  this.timeout(30_000);
  afterEach(unloadFlow);

  it('a 0.5 fraction sell sells half, then a sell without fraction the rest; each part books its own P&L', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    getNode('risk').receive(signal('buy'));
    await waitFor(() => closed(updates, 'buy').length === 1, 5_000, 'the buy filled');
    const buy = closed(updates, 'buy')[0];
    const held = buy.filled;
    const entry = (buy.filled * buy.average + buy.fee.cost) / buy.filled; // average entry, buy fee included

    getNode('risk').receive(signal('sell', { fraction: 0.5 }));
    await waitFor(() => closed(updates, 'sell').length === 1, 5_000, 'the partial sell filled');
    const half = closed(updates, 'sell')[0];
    const expectedHalf = Number((Math.floor(held * 0.5 / STEP + 1e-9) * STEP).toFixed(5));
    assert.equal(half.filled, expectedHalf, 'half of the position, rounded down to the step');
    let p = await portfolioNow();
    const pos = p.positions.find((x: any) => x.symbol === 'BTC/USDT');
    assert.ok(near(pos.amount, held - half.filled, 1e-12), `the rest stays: ${pos.amount}`);
    assert.ok(near(pos.avgEntry, entry, 1e-6), 'the average entry is unchanged by a partial sell');
    const pnl1 = (half.average - entry) * half.filled - half.fee.cost;
    assert.ok(near(p.realizedPnl, pnl1), `first part's P&L ${p.realizedPnl} vs ${pnl1}`);

    getNode('risk').receive(signal('sell'));
    await waitFor(() => closed(updates, 'sell').length === 2, 5_000, 'the rest sold');
    const rest = closed(updates, 'sell')[1];
    assert.ok(near(rest.filled, held - half.filled, 1e-12), 'the second sell takes the rest');
    p = await portfolioNow();
    assert.ok(Math.abs(p.balances.BTC.total) < 1e-12, 'flat');
    const pnl2 = (rest.average - entry) * rest.filled - rest.fee.cost;
    assert.ok(near(p.realizedPnl, pnl1 + pnl2), `total ${p.realizedPnl} = part 1 ${pnl1} + part 2 ${pnl2}`);
    assert.ok(near(p.equity, 10_000 + pnl1 + pnl2), 'equity = start + both parts');
  });

  it('a take-profit ladder sells each rung once on the simulated prices, with <opening id>-tp<n>', async function () {
    // Levels close to the price so the simulated market reaches both within moments.
    await loadFlow(pipeline({ takeProfitLadder: '50@0.005, 50@0.01' }));
    const updates = new Inbox('updates');
    getNode('risk').receive(signal('buy', { price: 59_990 }));
    await waitFor(() => closed(updates, 'buy').length === 1, 5_000, 'the buy filled');
    const buy = closed(updates, 'buy')[0];
    await waitFor(() => closed(updates, 'sell').length === 2, 25_000, 'both rungs sold');
    const [first, second] = closed(updates, 'sell');
    assert.equal(first.clientOrderId, `${buy.clientOrderId}-tp1`);
    assert.equal(second.clientOrderId, `${buy.clientOrderId}-tp2`);
    assert.match(first.reason ?? '', /take-profit rung 1 at/);
    assert.equal(first.filled, Number((Math.floor(buy.filled * 0.5 / STEP + 1e-9) * STEP).toFixed(5)), 'rung 1: half, rounded down to the step');
    assert.ok(near(first.filled + second.filled, buy.filled, 1e-12), 'rung 2 sells the rest');
    // Each rung fired once: no third sell, whatever the price does next (a fixed wait on purpose:
    // nothing must happen, so there is no event to wait for).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(updates.messages.filter((m) => m.payload.side === 'sell').length, updates.messages.filter((m) => m.payload.side === 'sell' && /-tp[12]$/.test(m.payload.clientOrderId)).length);
    assert.equal(closed(updates, 'sell').length, 2);
    const p = await portfolioNow();
    assert.ok(Math.abs(p.balances.BTC.total) < 1e-12, 'flat after the last rung');
  });

  it('the rule builder emits a partial sell: its exit sells half of what is held, then half of the rest', async function () {
    // Strategy (rules on the candle's close) -> risk gate -> place order, all in the runtime.
    const flow = pipeline();
    await loadFlow([
      ...flow,
      {
        id: 'st', type: 'tradebot-strategy', strategy: 'rules', name: 'partial-rules',
        entryRules: [{ left: 'close', op: '<', right: '59000' }], exitRules: [{ left: 'close', op: '>', right: '61000' }], exitFraction: '0.5',
        wires: [['risk', 'signals'], []],
      },
      { id: 'signals', type: 'helper' },
    ]);
    const updates = new Inbox('updates');
    const signals = new Inbox('signals');
    // Candles around the simulated price (plausible), one minute apart, ending a minute ago.
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 6 * 60_000;
    const candle = (i: number, close: number) => ({ topic: 'BTC/USDT', payload: { kind: 'candle', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', ts: t0 + i * 60_000, open: close, high: close, low: close, close, volume: 1 } });
    const closes = [60_000, 58_900, 60_000, 61_100, 60_000, 61_100];
    for (let i = 0; i < closes.length; i++) {
      getNode('st').receive(candle(i, closes[i]!));
      await waitFor(() => updates.messages.filter((m) => m.payload.status === 'closed').length >= [0, 1, 1, 2, 2, 3][i]!, 5_000, `the order of candle ${i}`);
    }
    const sent = signals.messages.map((m) => [m.payload.side, m.payload.fraction]);
    assert.deepEqual(sent, [['buy', undefined], ['sell', 0.5], ['sell', 0.5]]);
    const [buy] = closed(updates, 'buy');
    const [first, second] = closed(updates, 'sell');
    const half = (x: number) => Number((Math.floor(x * 0.5 / STEP + 1e-9) * STEP).toFixed(5));
    assert.equal(first.filled, half(buy.filled));
    assert.equal(second.filled, half(buy.filled - first.filled));
    const p = await portfolioNow();
    assert.ok(near(p.balances.BTC.total, buy.filled - first.filled - second.filled, 1e-12), 'a quarter is still held');
  });

  it('bad fractions end in done(err) naming msg.payload.fraction and place nothing', async function () {
    await loadFlow(pipeline());
    const caught = new Inbox('caught');
    const updates = new Inbox('updates');
    const rejected = new Inbox('rejected', isRejection);
    getNode('risk').receive(signal('buy'));
    await waitFor(() => closed(updates, 'buy').length === 1, 5_000, 'the buy filled');
    const bad: unknown[] = [0, 2, Number.NaN, '0.5', -0.5];
    for (const fraction of bad) getNode('risk').receive(signal('sell', { fraction }));
    getNode('risk').receive(signal('buy', { fraction: 0.5 }));
    const errors = (await caught.take(bad.length + 1)).map((m) => String(m.error.message));
    for (const e of errors) assert.match(e, /msg\.payload\.fraction/);
    assert.ok(errors.some((e) => /must be above 0/.test(e)) && errors.some((e) => /must be at most 1/.test(e)) && errors.some((e) => /NaN/.test(e)) && errors.some((e) => /string/.test(e)));
    assert.ok(errors.some((e) => /only a sell can carry a fraction/.test(e)));
    await waitFor(() => rejected.messages.length >= bad.length + 1, 2_000, 'rejections on output 2');
    assert.ok(rejected.messages.every((m) => m.payload.code === 'INVALID_INPUT'));
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(updates.messages.length, 1, 'nothing placed after the buy');
    const p = await portfolioNow();
    assert.equal(p.openOrders, 0);
    assert.ok(near(p.balances.BTC.total, closed(updates, 'buy')[0].filled, 1e-12), 'the position is untouched');
  });

  it('place order: a ladder rung priced 1,000 times off the market, or a ladder that does not add up, is refused naming the rung; nothing placed', async function () {
    await loadFlow(pipeline());
    const caught = new Inbox('caught');
    const updates = new Inbox('updates');
    const base = { kind: 'orderRequest', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() };
    getNode('order').receive({ payload: { ...base, clientOrderId: 'tb-ladder-far', takeProfitLadder: [{ fraction: 0.5, price: 61_000 }, { fraction: 0.5, price: 60_000_000 }] } });
    getNode('order').receive({ payload: { ...base, clientOrderId: 'tb-ladder-sum', takeProfitLadder: [{ fraction: 0.5, price: 61_000 }, { fraction: 0.4, price: 62_000 }] } });
    const errors = (await caught.take(2)).map((m) => String(m.error.message));
    assert.ok(errors.some((e) => /msg\.payload\.takeProfitLadder\.1\.price/.test(e)), errors.join(' | '));
    assert.ok(errors.some((e) => /msg\.payload\.takeProfitLadder: .*add up to 1/.test(e)), errors.join(' | '));
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(updates.messages.length, 0, 'nothing placed');
    assert.equal((await portfolioNow()).balances.USDT.total, 10_000);
  });

  for (const [what, ladder, field] of [
    ['parts that add up to 90 %', '50@2, 40@4', /risk\.takeProfitLadder: .*add up to 100/],
    ['levels that do not rise', '50@4, 50@2', /risk\.takeProfitLadder\.1\.atPct: must be above/],
  ] as const) {
    it(`a ladder with ${what} is refused at deploy: one error naming the field, a signal dropped quietly, nothing placed`, async function () {
      await loadFlow(pipeline({ takeProfitLadder: ladder }));
      const updates = new Inbox('updates');
      const caught = new Inbox('caught');
      const rejected = new Inbox('rejected', isRejection);
      await waitFor(() => caught.messages.some((m) => field.test(String(m.error.message))), 5_000, `the error naming ${field} at deploy`);
      getNode('risk').receive(signal('buy'));
      getNode('risk').receive(signal('buy'));
      // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(caught.messages.length, 1, `one error, not one per signal: ${caught.messages.map((m) => m.error.message).join(' | ')}`);
      assert.equal(rejected.messages.length + updates.messages.length, 0, 'nothing approved, nothing placed');
    });
  }
});
