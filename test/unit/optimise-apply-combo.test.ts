import assert from 'node:assert/strict';
import { applyCombo, comboSettings } from '../../core/optimise/apply-combo';
import { parseSweep } from '../../core/optimise/sweep-spec';
import { parseStrategySettings } from '../../core/strategies/settings';

describe('optimise: a combination put into the flow', () => {
  const flow = [
    { id: 'ind1', type: 'tradebot-indicator', indicators: [{ name: 'rsi14', type: 'rsi', period: 14, src: 'close' }] },
    { id: 'strat1', type: 'tradebot-strategy', strategy: 'rules', entryMode: 'all', entryRules: [{ left: 'rsi14', op: '<', right: '30' }], exitMode: 'all', exitRules: [{ left: 'rsi14', op: '>', right: '70' }] },
    { id: 'risk1', type: 'tradebot-risk-gate', stopMode: 'pct', stopPct: '' },
  ];
  const sweep = parseSweep({ params: [
    { node: 'ind1', param: 'indicators.0.period', range: { from: 7, to: 21, step: 7 } },
    { node: 'strat1', param: 'entryRules.0.right', range: { from: 20, to: 35, step: 5 } },
    { node: 'risk1', param: 'stopPct', values: [1.5, 3] },
  ] });

  it('sets each setting at its path, as text where the config holds text, leaving the flow as it was', () => {
    const before = JSON.stringify(flow);
    const nodes = applyCombo(flow, sweep, [21, 25, 1.5]);
    assert.equal(JSON.stringify(flow), before);
    assert.equal((nodes[0]!.indicators as Array<{ period: number }>)[0]!.period, 21);
    const strat = nodes[1]!;
    assert.deepEqual(strat.entryRules, [{ left: 'rsi14', op: '<', right: '25' }]);
    assert.equal(strat.exitRules, flow[1]!.exitRules, 'an untouched list is shared, not copied');
    assert.equal(nodes[2]!.stopPct, '1.5');
    // The strategy reads the new operand as it reads its own.
    const settings = parseStrategySettings(strat);
    assert.equal(settings.strategy === 'rules' && settings.entryRules[0]!.right, '25');
  });

  it('names the settings of a combination, and refuses a path that leads nowhere', () => {
    assert.deepEqual(comboSettings(sweep, [7, 20, 3]), [
      { node: 'ind1', param: 'indicators.0.period', value: 7 },
      { node: 'strat1', param: 'entryRules.0.right', value: 20 },
      { node: 'risk1', param: 'stopPct', value: 3 },
    ]);
    const bad = parseSweep({ params: [{ node: 'ind1', param: 'indicators.3.period', values: [9] }] });
    assert.throws(() => applyCombo(flow, bad, [9]), /^Error: msg\.optimise\.params\.0\.param: node ind1 has no setting "indicators\.3\.period"$/);
    const gone = parseSweep({ params: [{ node: 'nope', param: 'x', values: [9] }] });
    assert.throws(() => applyCombo(flow, gone, [9]), /^Error: msg\.optimise\.params\.0\.node: no node with id "nope"/);
  });
});
