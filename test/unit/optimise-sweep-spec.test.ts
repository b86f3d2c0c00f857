import assert from 'node:assert/strict';
import { checkSweepAgainstFlow, paramValues, parseSweep, rangeCount } from '../../core/optimise/sweep-spec';
import { TUNABLE, tunableParams } from '../../core/optimise/tunable-params';

const fast = { node: 'strat1', param: 'fastPeriod', range: { from: 5, to: 20, step: 5 } };

function refusal(input: unknown): string {
  try {
    parseSweep(input);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

describe('optimise: sweep definition', () => {
  it('fills the defaults: grid, seed 1, sharpe, at least one trade', () => {
    const sweep = parseSweep({ params: [fast] });
    assert.equal(sweep.search, 'grid');
    assert.equal(sweep.seed, 1);
    assert.equal(sweep.objective, 'sharpe');
    assert.equal(sweep.minTrades, 1);
    assert.equal(sweep.walkForward, undefined);
    const wf = parseSweep({ params: [fast], walkForward: { windows: 4 } }).walkForward;
    assert.deepEqual(wf, { windows: 4, inSamplePct: 75, anchored: false });
  });

  it('refuses each bad field naming it', () => {
    assert.match(refusal({ params: [] }), /^msg\.optimise\.params: is empty/);
    assert.match(refusal({}), /^msg\.optimise\.params: /);
    assert.match(refusal({ params: [{ ...fast, range: { from: 5, to: 20, step: 0 } }] }), /^msg\.optimise\.params\.0\.range\.step: must be above 0/);
    assert.match(refusal({ params: [{ ...fast, range: { from: 5, to: 20, step: -1 } }] }), /^msg\.optimise\.params\.0\.range\.step: must be above 0/);
    assert.match(refusal({ params: [{ ...fast, range: { from: 30, to: 20, step: 1 } }] }), /^msg\.optimise\.params\.0\.range\.from: must not be above "to" \(30 > 20\)/);
    assert.match(refusal({ params: [{ ...fast, range: { from: 5, to: Infinity, step: 1 } }] }), /^msg\.optimise\.params\.0\.range\.to: /);
    assert.match(refusal({ params: [{ ...fast, range: { from: 5, to: '9', step: 1 } }] }), /^msg\.optimise\.params\.0\.range\.to: must be a number/);
    assert.match(refusal({ params: [{ node: 'strat1', param: 'fastPeriod', values: [] }] }), /^msg\.optimise\.params\.0\.values: is empty/);
    assert.match(refusal({ params: [{ node: 'strat1', param: 'fastPeriod', values: [5, 9, 5] }] }), /^msg\.optimise\.params\.0\.values\.2: 5 is already listed \(values\.0\)/);
    assert.match(refusal({ params: [{ node: 'strat1', param: 'fastPeriod' }] }), /^msg\.optimise\.params\.0: give either a range/);
    assert.match(refusal({ params: [{ ...fast, values: [1, 2] }] }), /^msg\.optimise\.params\.0: give either a range/);
    assert.match(refusal({ params: [{ ...fast, node: '' }] }), /^msg\.optimise\.params\.0\.node: /);
    assert.match(refusal({ params: [fast, { ...fast, values: [1], range: undefined }] }), /^msg\.optimise\.params\.1\.param: "fastPeriod" of node strat1 is already varied by params\.0/);
    assert.match(refusal({ params: [fast], search: 'anneal' }), /^msg\.optimise\.search: must be one of grid, random, tpe/);
    assert.match(refusal({ params: [fast], objective: 'profit' }), /^msg\.optimise\.objective: must be one of totalReturn, sharpe/);
    assert.match(refusal({ params: [fast], minTrades: 1.5 }), /^msg\.optimise\.minTrades: must be a whole number/);
    assert.match(refusal({ params: [fast], walkForward: { windows: 1 } }), /^msg\.optimise\.walkForward\.windows: must be at least 2/);
    assert.match(refusal({ params: [fast], walkForward: { windows: 51 } }), /^msg\.optimise\.walkForward\.windows: must be at most 50/);
    assert.match(refusal({ params: [fast], walkForward: { windows: 3, inSamplePct: 40 } }), /^msg\.optimise\.walkForward\.inSamplePct: must be at least 50/);
    assert.match(refusal({ params: [fast], walkForward: { windows: 3, inSamplePct: 96 } }), /^msg\.optimise\.walkForward\.inSamplePct: must be at most 95/);
    assert.match(refusal({ params: [fast], sample: 10 }), /^msg\.optimise: .*sample/);
  });

  it('names the field with the caller\'s prefix', () => {
    assert.throws(() => parseSweep({ params: [] }, 'optimise'), /^Error: optimise\.params: is empty/);
  });

  it('needs samples for random and tpe, at most 100,000', () => {
    assert.match(refusal({ params: [fast], search: 'random' }), /^msg\.optimise\.samples: is needed for a random search/);
    assert.match(refusal({ params: [fast], search: 'tpe' }), /^msg\.optimise\.samples: is needed for a tpe search/);
    assert.match(refusal({ params: [fast], search: 'tpe', samples: 100_001 }), /^msg\.optimise\.samples: must be at most 100000/);
    assert.equal(parseSweep({ params: [fast], search: 'tpe', samples: 100_000 }).samples, 100_000);
  });

  it('refuses a grid of a million combinations before anything runs, saying how many and what to use', () => {
    const million = { params: [
      { node: 'a', param: 'fastPeriod', range: { from: 1, to: 1000, step: 1 } },
      { node: 'a', param: 'slowPeriod', range: { from: 1, to: 1000, step: 1 } },
    ] };
    const message = refusal(million);
    assert.match(message, /^msg\.optimise\.search: a grid of 1,000,000 combinations \(fastPeriod 1,000 × slowPeriod 1,000\) is over the limit of 100,000; use search "random" or "tpe"/);
    // The same space is fine for a sampled search.
    assert.equal(parseSweep({ ...million, search: 'random', samples: 500 }).search, 'random');
    // Exactly 100,000 is allowed.
    parseSweep({ params: [{ node: 'a', param: 'x', range: { from: 1, to: 100_000, step: 1 } }] });
  });

  it('refuses a range of more than 100,000 values, even for random', () => {
    const message = refusal({ params: [{ node: 'a', param: 'stopPct', range: { from: 0, to: 100, step: 0.0001 } }], search: 'random', samples: 10 });
    assert.match(message, /^msg\.optimise\.params\.0\.range\.step: gives 1,000,001 values from 0 to 100; at most 100,000/);
  });

  it('steps ranges exactly at the decimals they are written with', () => {
    const values = paramValues({ node: 'a', param: 'stopPct', range: { from: 0.1, to: 0.5, step: 0.1 } });
    assert.deepEqual(values, [0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.deepEqual(paramValues({ node: 'a', param: 'p', range: { from: 5, to: 21, step: 4 } }), [5, 9, 13, 17, 21]);
    // "to" off the step: the last value is the last step below it.
    assert.deepEqual(paramValues({ node: 'a', param: 'p', range: { from: 1, to: 2, step: 0.3 } }), [1, 1.3, 1.6, 1.9]);
    assert.deepEqual(paramValues({ node: 'a', param: 'p', range: { from: 2, to: 2, step: 1 } }), [2]);
    const tiny = paramValues({ node: 'a', param: 'p', range: { from: 1e-7, to: 5e-7, step: 1e-7 } });
    assert.deepEqual(tiny, [1e-7, 2e-7, 3e-7, 4e-7, 5e-7]);
    assert.equal(rangeCount({ from: 0, to: 0.3, step: 0.1 }), 4);
    // Large numbers step exactly too.
    assert.deepEqual(paramValues({ node: 'a', param: 'p', range: { from: 1_000_000.25, to: 1_000_001, step: 0.25 } }), [1_000_000.25, 1_000_000.5, 1_000_000.75, 1_000_001]);
    const many = paramValues({ node: 'a', param: 'p', range: { from: 0, to: 10, step: 0.01 } });
    assert.equal(many.length, 1001);
    for (const v of many) assert.equal(v, Number((v as number).toFixed(2)), `${v} is not a value of 2 decimals`);
  });

  it('checks nodes and parameters against the flow', () => {
    const flow = [
      { id: 'ind1', type: 'tradebot-indicator', name: 'rsi', indicators: [{ name: 'rsi14', type: 'rsi', period: 14, src: 'close' }, { name: 'atr14', type: 'atr', period: 14 }] },
      { id: 'strat1', type: 'tradebot-strategy', strategy: 'rules', entryRules: [{ left: 'rsi14', op: '<', right: '30' }], exitRules: [{ left: 'rsi14', op: '>', right: 'rsi_hi' }] },
      { id: 'risk1', type: 'tradebot-risk-gate', name: 'risk' },
      { id: 'dbg', type: 'debug' },
    ];
    const ok = parseSweep({ params: [
      { node: 'ind1', param: 'indicators.1.period', range: { from: 7, to: 21, step: 7 } },
      { node: 'strat1', param: 'entryRules.0.right', range: { from: 20, to: 40, step: 5 } },
      { node: 'risk1', param: 'stopPct', values: [1, 2, 3] },
    ] });
    assert.equal(checkSweepAgainstFlow(ok, flow, tunableParams), undefined);
    const check = (params: unknown[]) => checkSweepAgainstFlow(parseSweep({ params }), flow, tunableParams);
    assert.match(check([{ node: 'nope', param: 'stopPct', values: [1] }])!, /^msg\.optimise\.params\.0\.node: no node with id "nope" in the flow$/);
    assert.match(check([{ node: 'risk1', param: 'stopPct', values: [1] }, { node: 'risk1', param: 'timezone', values: ['UTC'] }])!, /^msg\.optimise\.params\.1\.param: "timezone" is not a tunable setting of tradebot-risk-gate "risk" \(risk1\); it has sizing, quoteAmount/);
    // A rule operand that names an indicator is not a number to tune.
    assert.match(check([{ node: 'strat1', param: 'exitRules.0.right', values: [70] }])!, /^msg\.optimise\.params\.0\.param: "exitRules\.0\.right" is not a tunable setting of tradebot-strategy \(strat1\); it has entryMode, exitMode, exitFraction, entryRules\.0\.right$/);
    // fastPeriod belongs to the maCross strategy, not to this rules node.
    assert.match(check([{ node: 'strat1', param: 'fastPeriod', values: [9] }])!, /^msg\.optimise\.params\.0\.param: "fastPeriod" is not a tunable/);
    assert.match(check([{ node: 'ind1', param: 'indicators.1.src', values: ['close'] }])!, /"indicators\.1\.src" is not a tunable setting of tradebot-indicator "rsi" \(ind1\); it has indicators\.0\.period, indicators\.0\.src, indicators\.1\.period$/);
    assert.match(check([{ node: 'dbg', param: 'active', values: [true] }])!, /"active" is not a tunable setting of debug \(dbg\); it has none$/);
  });

  it('lists the tunable settings of each node type from its settings', () => {
    assert.deepEqual(tunableParams('tradebot-strategy', { strategy: 'maCross' }), ['maType', 'fastPeriod', 'slowPeriod']);
    assert.deepEqual(tunableParams('tradebot-strategy', { strategy: 'rsi' }), ['rsiPeriod', 'oversold', 'overbought']);
    for (const p of ['stopPct', 'takeProfitPct', 'trailingPct', 'quoteAmount', 'riskPct', 'atrMultiple']) assert.ok(TUNABLE['tradebot-risk-gate']!.includes(p), p);
    assert.ok(TUNABLE['tradebot-strategy']!.includes('entryRules.<i>.right'));
    assert.ok(TUNABLE['tradebot-indicator']!.includes('indicators.<i>.stdDev'));
  });
});
