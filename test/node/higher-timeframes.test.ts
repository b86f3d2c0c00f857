/**
 * Higher timeframes in the real Node-RED runtime (docs/nodes/tradebot-strategy.md, "Higher
 * timeframes"): example 21 as shipped (speed 300) shows buy signals of the 1m EMA cross within a
 * minute, each reading the 15m RSI below 70, and none made from a 15m candle; a condition
 * naming a timeframe that is not one stops the strategy node at deploy with an error naming the
 * condition, and nothing is ordered however many candles come.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { getNode, Inbox, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', '21 Multi-timeframe rule.json');

describe('higher timeframes in the strategy node (real runtime)', function () {
  this.timeout(120_000);
  afterEach(unloadFlow);

  it('example 21 as shipped: 1m buys, each reading the last closed 15m candle\'s RSI below 70, within a minute; no error', async function () {
    const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
    const flow = example
      .filter((n) => !['tab', 'comment'].includes(n.type))
      .map(({ z: _z, ...n }) => (n.type === 'debug' ? { id: n.id, type: 'helper', name: n.name, wires: [] } : n) as FlowNode);
    await loadFlow(flow);
    const exchange = flow.find((n) => n.type === 'tradebot-exchange')!;
    assert.equal(exchange.simSpeed, 300, 'the example as shipped');
    const signals = new Inbox(flow.find((n) => n.type === 'helper' && n.name === 'signals')!.id);
    const errors = new Inbox(flow.find((n) => n.type === 'helper' && n.name === 'errors')!.id);
    // The 15m candles reach the strategy too (their indicator node's output).
    const longer = flow.find((n) => n.type === 'tradebot-candles' && n.timeframe === '15m')!;
    let longerCandles = 0;
    getNode(longer.id).on('call:send', () => longerCandles++);

    // Usually within 10 s of the deploy (the first cross of the simulated path).
    await waitFor(() => signals.messages.some((m) => m.payload.side === 'buy') || errors.messages.length > 0, 60_000, 'a buy signal within a minute');
    assert.deepEqual(errors.messages.map((m) => m.error?.message), [], 'nothing reached the catch node');
    assert.ok(longerCandles > 14, `the 15m candles node sent its warm-up and more (${longerCandles})`);
    for (const m of signals.messages) {
      assert.equal(m.payload.timeframe, '1m', 'signals come from the 1m candles only');
      if (m.payload.side !== 'buy') continue;
      const rsi = Number(/rsi14@15m \(([\d.]+)\) < 70/.exec(m.payload.reason)?.[1]);
      assert.ok(rsi >= 0 && rsi < 70, `the buy read the 15m RSI: ${m.payload.reason}`);
      assert.match(m.payload.reason, /ema9 \([\d.]+\) crossed above ema21/);
    }
  });

  it('a condition naming a timeframe that is not one: an error naming the condition at deploy, nothing ordered', async function () {
    const flow: FlowNode[] = [
      { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 7, simSpeed: 6000, simBalances: 'USDT=10000' },
      { id: 'c5', type: 'tradebot-candles', source: 'exchange', exchange: 'ex', symbols: 'BTC/USDT', timeframe: '5m', warmup: 50, interval: 1000, websocket: true, wires: [['ind', 'seen']] },
      { id: 'ind', type: 'tradebot-indicator', indicators: [{ name: 'ema9', type: 'ema', period: 9 }, { name: 'rsi14', type: 'rsi', period: 14 }], wires: [['strategy']] },
      { id: 'strategy', type: 'tradebot-strategy', strategy: 'rules', entryRules: [{ left: 'ema9', op: '>', right: '0' }, { left: 'rsi14@1x', op: '<', right: '60' }], wires: [['risk'], []] },
      { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: '100', accountCurrency: 'USDT', wires: [['order'], []] },
      { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['orders'], []] },
      { id: 'orders', type: 'helper' },
      { id: 'seen', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
    await loadFlow(flow);
    const caught = new Inbox('caught');
    const seen = new Inbox('seen');
    const orders = new Inbox('orders');
    const [error] = await caught.take(1, 20_000);
    assert.match(error.error.message, /strategy\.entryRules\[1\]\.left: "rsi14@1x": "1x" after @ is not a timeframe/);
    assert.equal(error.error.source.id, 'strategy');
    // Candles keep coming (the warm-up and live ones); the strategy drops them quietly, nothing is ordered.
    await seen.take(60, 30_000);
    assert.equal(caught.messages.length, 1, 'one error, not one per candle');
    assert.equal(orders.messages.length, 0, 'nothing ordered');
  });
});
