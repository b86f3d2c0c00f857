import assert from 'node:assert/strict';
import { flowForBacktest } from '../../core/optimise/flow-subset';

describe('optimise: the part of a flow one Node-RED-path run needs', () => {
  const flow = [
    { id: 't1', type: 'tab' },
    { id: 't2', type: 'tab' },
    { id: 'ex', type: 'tradebot-exchange', mode: 'backtest' },
    { id: 'live', type: 'tradebot-exchange', mode: 'paper' },
    { id: 'tg', type: 'tradebot-telegram' },
    { id: 'c', type: 'tradebot-candles', z: 't1', exchange: 'ex', wires: [['fn', 'dbg']] },
    { id: 'fn', type: 'function', z: 't1', wires: [['r']] },
    { id: 'btn', type: 'inject', z: 't1', wires: [['r']] },
    { id: 'tick', type: 'tradebot-ticker', z: 't1', exchange: 'live', wires: [['filter']] },
    { id: 'filter', type: 'switch', z: 't1', wires: [['fn']] },
    { id: 'r', type: 'tradebot-risk-gate', z: 't1', exchange: 'ex', wires: [['p'], ['notify']] },
    { id: 'p', type: 'tradebot-place-order', z: 't1', exchange: 'ex', wires: [['mqtt'], []] },
    { id: 'dbg', type: 'debug', z: 't1', wires: [] },
    { id: 'notify', type: 'tradebot-notifier', z: 't1', telegram: 'tg', wires: [] },
    { id: 'mqtt', type: 'mqtt out', z: 't1', wires: [] },
    { id: 'http', type: 'http in', z: 't2', wires: [['resp']] },
    { id: 'resp', type: 'http response', z: 't2', wires: [] },
  ];

  it('keeps the trading path, what sends into it and the config nodes they use; drops listeners and other flows', () => {
    const kept = flowForBacktest(flow, 'ex');
    assert.deepEqual(kept.map((n) => n.id).sort(), ['btn', 'c', 'ex', 'filter', 'fn', 'live', 'p', 'r', 't1', 'tick'].sort());
  });

  it('removes wires to what it left out', () => {
    const kept = new Map(flowForBacktest(flow, 'ex').map((n) => [n.id, n]));
    assert.deepEqual(kept.get('c')!.wires, [['fn']]);
    assert.deepEqual(kept.get('r')!.wires, [['p'], []]);
    assert.deepEqual(kept.get('p')!.wires, [[], []]);
  });
});
