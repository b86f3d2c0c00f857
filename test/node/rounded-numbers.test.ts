/**
 * Numbers for reading, in the real Node-RED runtime on the simulated market (core/format-number.ts):
 * after a fill, the place-order node's status, the portfolio message's msg.display and a notifier's
 * order text show prices to the market's tick (BTC/USDT: 0.01), amounts to its step (0.00001) and
 * money in cents of USDT, while every number in msg.payload stays exact.
 */
import assert from 'node:assert/strict';
import { Inbox, getNode, loadFlow, statusesSoFar, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const flow: FlowNode[] = [
  // Slippage and a fee rate make the fill's average price, fee and equity long decimals.
  { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 42, simSpeed: 600, simTickMs: 1000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0.037 },
  { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 1000, wires: [['order'], []] },
  { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates', 'notifier'], ['portfolio']] },
  { id: 'notifier', type: 'tradebot-notifier', channel: 'none', kinds: ['order'], wires: [['texts']] },
  { id: 'updates', type: 'helper' },
  { id: 'portfolio', type: 'helper' },
  { id: 'texts', type: 'helper' },
];

const signal = {
  topic: 'BTC/USDT',
  payload: { kind: 'signal', id: 'sig-rounded-000000000000001', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side: 'buy', price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 'test', strength: 1, reason: 'test signal' },
};

/** More decimals than `n`: the raw number would show float noise where the text must not. */
const decimalsOf = (x: number) => (String(x).split('.')[1] ?? '').length;

describe('numbers in statuses, notifications and the portfolio message are rounded; payloads stay exact', function () {
  this.timeout(20_000);
  afterEach(unloadFlow);

  it('after a fill on the simulated market: status, msg.display and the order text rounded to the market and to cents', async function () {
    await loadFlow(flow);
    const updates = new Inbox('updates');
    const portfolio = new Inbox('portfolio');
    const texts = new Inbox('texts');
    getNode('risk').receive(signal);
    await waitFor(() => updates.messages.some((m) => m.payload.status === 'closed'), 10_000, 'the fill');
    const fill = updates.messages.find((m) => m.payload.status === 'closed')!.payload;
    // The payload keeps the exact numbers: the average is the slipped price, unrounded.
    assert.ok(decimalsOf(fill.average) > 2, `an average price with more decimals than the tick: ${fill.average}`);
    assert.ok(decimalsOf(fill.fee.cost) > 2, `a fee with more decimals than cents: ${fill.fee.cost}`);
    const average = (Math.round(fill.average * 100) / 100).toString();
    const amount = fill.filled.toString();

    // The place-order node's status: amounts to the step, the price to the tick.
    await waitFor(() => /closed @/.test(String(statusesSoFar(getNode('order')).at(-1)?.text)), 5_000, 'the status of the fill');
    assert.equal(statusesSoFar(getNode('order')).at(-1)?.text, `buy ${amount}/${amount} BTC/USDT closed @ ${average}`);

    // The portfolio message: exact payload, rounded display.
    const [report] = await portfolio.take(1);
    assert.ok(decimalsOf(report.payload.equity) > 2, `the payload's equity is exact: ${report.payload.equity}`);
    assert.equal(report.display.equity, report.payload.equity.toFixed(2));
    assert.equal(report.display.currency, 'USDT');
    assert.equal(report.display.fees, report.payload.fees.toFixed(2));
    assert.equal(report.display.balances.USDT.total, report.payload.balances.USDT.total.toFixed(2));
    assert.equal(report.display.balances.BTC.total, String(report.payload.balances.BTC.total));
    const position = report.display.positions.find((p: any) => p.symbol === 'BTC/USDT');
    assert.equal(position.avgEntry, (Math.round(report.payload.positions[0].avgEntry * 100) / 100).toString());
    assert.equal(position.amount, amount);
    assert.match(position.unrealizedPnl, /^-?\d+\.\d\d$|^-?0\.0*\d{1,2}$/);

    // The notifier's order text: the same rounding; its message keeps nothing but the text.
    await waitFor(() => texts.messages.some((m) => /order closed/.test(m.payload)), 5_000, 'the order text');
    const text = texts.messages.find((m) => /order closed/.test(m.payload))!.payload as string;
    assert.match(text, new RegExp(`buy ${amount.replace('.', '\\.')}/${amount.replace('.', '\\.')} BTC/USDT @ ${average.replace('.', '\\.')} \\(sim\\)`));
    assert.match(text, new RegExp(`fee ${fill.fee.cost.toFixed(2).replace('.', '\\.')} USDT`));
    assert.ok(!text.includes(String(fill.average)), `no raw average in the text: ${text}`);
  });
});
