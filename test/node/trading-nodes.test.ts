/**
 * Risk gate and place order in the real Node-RED runtime on the simulated market: signals become
 * sized orders, fills move the portfolio, duplicates and bad input place nothing, stops close.
 */
import assert from 'node:assert/strict';
import { OrderUpdateSchema } from '../../core/contract';
import { isRejection, Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const exchange = (extra: Record<string, unknown> = {}): FlowNode => ({
  id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 42, simSpeed: 600, simTickMs: 1000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0, ...extra,
});
const pipeline = (risk: Record<string, unknown> = {}): FlowNode[] => [
  exchange(),
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
  payload: { kind: 'signal', id: `sig-${(++seq).toString(16).padStart(24, '0')}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side, price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 'test', strength: 1, reason: 'test signal', ...extra },
});

async function portfolioNow(): Promise<any> {
  const inbox = new Inbox('portfolio');
  const before = inbox.messages.length;
  getNode('order').receive({ topic: 'portfolio' });
  return (await inbox.take(before + 1))[before].payload;
}

describe('risk gate -> place order on the simulated market', function () {
  this.timeout(20_000);
  afterEach(unloadFlow);

  it('a buy then a sell: market orders fill against the book, fees are paid, the portfolio follows', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    getNode('risk').receive(signal('buy'));
    const [buy] = await updates.take(1);
    OrderUpdateSchema.parse(buy.payload);
    assert.equal(buy.payload.status, 'closed');
    assert.equal(buy.payload.mode, 'sim');
    assert.ok(Math.abs(buy.payload.filled - 1000 / 60_000) < 1e-5, 'about 1000 USDT of BTC');
    assert.match(buy.payload.clientOrderId, /^tb-[0-9a-f]{24}$/);
    const cost = buy.payload.filled * buy.payload.average;
    assert.ok(Math.abs(buy.payload.fee.cost - cost * 0.001) < 1e-9, '0.1 % fee');
    let p = await portfolioNow();
    assert.ok(Math.abs(p.balances.USDT.total - (10_000 - cost - buy.payload.fee.cost)) < 1e-6);
    assert.ok(Math.abs(p.balances.BTC.total - buy.payload.filled) < 1e-12);
    assert.equal(p.positions[0].symbol, 'BTC/USDT');

    getNode('risk').receive(signal('sell'));
    const [, sell] = await updates.take(2);
    assert.equal(sell.payload.status, 'closed');
    assert.equal(sell.payload.side, 'sell');
    assert.equal(sell.payload.filled, buy.payload.filled, 'sells the whole position');
    p = await portfolioNow();
    assert.ok(Math.abs(p.balances.BTC.total) < 1e-12);
    const expectedPnl = (sell.payload.average - buy.payload.average) * buy.payload.filled - buy.payload.fee.cost - sell.payload.fee.cost;
    assert.ok(Math.abs(p.realizedPnl - expectedPnl) < 1e-6, `realized ${p.realizedPnl} vs ${expectedPnl}`);
    assert.ok(Math.abs(p.equity - (10_000 + expectedPnl)) < 1e-6, 'equity = start + realized P&L');
  });

  it('the same signal twice places one order; the same order request twice sends nothing the second time', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    const rejected = new Inbox('rejected', isRejection);
    const s = signal('buy');
    getNode('risk').receive(s);
    getNode('risk').receive(s);
    const [first] = await updates.take(1);
    const [dup] = await rejected.take(1);
    assert.equal(dup.payload.code, 'DUPLICATE_SIGNAL');
    // The same request again, straight into the order node (a redelivery).
    const request = { kind: 'orderRequest', clientOrderId: first.payload.clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: first.payload.amount, ts: Date.now() };
    getNode('order').receive({ payload: request });
    const [, again] = await updates.take(2);
    assert.equal(again.duplicate, true);
    assert.equal(again.payload.status, 'rejected');
    const p = await portfolioNow();
    assert.ok(Math.abs(p.balances.BTC.total - first.payload.filled) < 1e-12, 'bought once');
  });

  it('bad order requests end in done(err) naming the field and place nothing', async function () {
    await loadFlow(pipeline());
    const caught = new Inbox('caught');
    const base = { kind: 'orderRequest', clientOrderId: 'tb-bad-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() };
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, amount: -1 }, /msg\.payload\.amount/],
      [{ ...base, amount: Number.NaN }, /msg\.payload\.amount/],
      [{ ...base, amount: '0.01' }, /msg\.payload\.amount/],
      [{ ...base, side: 'hold' }, /msg\.payload\.side/],
      [{ ...base, symbol: 'DOGE/EUR' }, /msg\.payload\.symbol: DOGE\/EUR is not a market on sim/],
      [{ ...base, type: 'limit' }, /msg\.payload\.price: a limit order needs a price/],
      [{ ...base, clientOrderId: undefined }, /msg\.payload\.clientOrderId/],
      [{ ...base, clientOrderId: 'has spaces' }, /msg\.payload\.clientOrderId/],
    ];
    for (const [payload] of bad) getNode('order').receive({ payload });
    const errors = (await caught.take(bad.length)).map((m) => m.error.message as string);
    // Some checks wait for the market list, so errors may arrive in another order.
    for (const [, pattern] of bad) assert.ok(errors.some((e) => pattern.test(e)), `an error matching ${pattern} among ${errors.join(' | ')}`);
    assert.equal(new Inbox('updates').messages.length, 0);
    const p = await portfolioNow();
    assert.equal(p.balances.USDT.total, 10_000, 'nothing traded');
    assert.equal(p.openOrders, 0);
  });

  it("the exchange node's max order value: a request above it is refused by the order node, nothing traded", async function () {
    await loadFlow([{ ...pipeline()[0]!, maxNotional: '100' }, ...pipeline().slice(1)]);
    const updates = new Inbox('updates');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-too-big', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() } });
    const [u] = await updates.take(1);
    assert.equal(u.payload.status, 'rejected');
    assert.match(u.payload.reason, /above the exchange node's max order 100: not sent/);
    assert.equal((await portfolioNow()).balances.USDT.total, 10_000);
  });

  it("the max order value is checked at the price the order fills at, not a price the message carries", async function () {
    await loadFlow([{ ...pipeline()[0]!, maxNotional: '1000' }, ...pipeline().slice(1)]);
    const updates = new Inbox('updates');
    // 0.1 BTC at about 60,000 is about 6,000 USDT: "price: 1" on a market order must not make it look like 0.1 USDT.
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-cheap-market', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.1, price: 1, ts: Date.now() } });
    const [u] = await updates.take(1);
    assert.equal(u.payload.status, 'rejected', `a 6,000 USDT market buy went out (${u.payload.reason ?? ''})`);
    assert.match(u.payload.reason, /order value [\d.]+ .*is above the exchange node's max order 1000: not sent/);
    const value = Number(/order value ([\d.]+)/.exec(u.payload.reason)![1]);
    assert.ok(value > 3_000 && value < 20_000, `valued at the market (${value}), not at the message's price`);
    // A limit sell is valued at the market when that is above its limit (it fills at the better price).
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-cheap-limit-sell', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.1, price: 1000, ts: Date.now() } });
    const [, sell] = await updates.take(2);
    assert.equal(sell.payload.status, 'rejected');
    assert.match(sell.payload.reason, /above the exchange node's max order 1000/);
    // Under the cap at the market price: it goes out and fills.
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-small-market', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, price: 1, ts: Date.now() } });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-small-market' && m.payload.status === 'closed'), 5000, 'the small market buy filled');
    const p = await portfolioNow();
    assert.ok(p.balances.BTC.total > 0.0099 && p.balances.BTC.total < 0.0101, 'only the small buy traded');
  });

  it('a bad signal is rejected on output 2 and reported to Catch; the kill switch refuses until resume', async function () {
    await loadFlow(pipeline());
    const rejected = new Inbox('rejected', isRejection);
    const caught = new Inbox('caught');
    getNode('risk').receive({ payload: { ...signal('buy').payload, price: 'cheap' } });
    const [r1] = await rejected.take(1);
    assert.equal(r1.payload.code, 'INVALID_INPUT');
    assert.match((await caught.take(1))[0].error.message, /msg\.payload\.price/);
    getNode('risk').receive({ topic: 'kill' });
    getNode('risk').receive(signal('buy'));
    const [, r2] = await rejected.take(2);
    assert.equal(r2.payload.code, 'KILL_SWITCH');
    getNode('risk').receive({ topic: 'resume' });
    getNode('risk').receive(signal('buy'));
    await new Inbox('updates').take(1);
  });

  it('limit orders: one that crosses fills at its price; one that does not is canceled after its timeout', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    const now = Date.now();
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-limit-fill', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 200_000, ts: now } });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-limit-fill' && m.payload.status === 'closed'), 5000, 'the crossing limit to fill');
    const filled = updates.messages.find((m) => m.payload.status === 'closed').payload;
    assert.equal(filled.average, 200_000, 'a limit fills at its price in the simulator');
    assert.equal(updates.messages[0].payload.status, 'open', 'reported open first');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-limit-wait', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 1000, ts: now, timeoutMs: 30_000 } });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-limit-wait' && m.payload.status === 'canceled'), 8000, 'the limit order to time out');
    const p = await portfolioNow();
    assert.equal(p.balances.USDT.used, 0, 'the canceled order released its funds');
    assert.ok(Math.abs(p.balances.USDT.total - (10_000 - 2000 - 2)) < 1e-6, 'only the filled limit cost money');
  });

  it('stop-loss / take-profit close the position with a market sell derived from the opening order', async function () {
    // Tight levels so the simulated market hits one within moments.
    await loadFlow(pipeline({ stopMode: 'pct', stopPct: 0.02, takeProfitPct: 0.02 }));
    const updates = new Inbox('updates');
    getNode('risk').receive(signal('buy'));
    const [buy] = await updates.take(1);
    await waitFor(() => updates.messages.some((m) => m.payload.side === 'sell' && m.payload.status === 'closed'), 15_000, 'a stop to close the position');
    const close = updates.messages.find((m) => m.payload.side === 'sell').payload;
    assert.match(close.clientOrderId, new RegExp(`^${buy.payload.clientOrderId}-(sl|tp)$`));
    assert.match(close.reason ?? '', /stop-loss|take-profit/);
    assert.equal(close.filled, buy.payload.filled);
    const p = await portfolioNow();
    assert.ok(Math.abs(p.balances.BTC.total) < 1e-12, 'position closed');
  });
});
