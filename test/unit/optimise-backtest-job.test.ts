import assert from 'node:assert/strict';
import type { OhlcvRow } from '../../core/contract';
import { replayedSpan, windowOf } from '../../core/optimise/backtest-job';
import { bestOf } from '../../core/optimise/optimiser';
import type { OptimiseRun } from '../../core/optimise/optimise-report';
import { finishedText, progressText, sweepOf } from '../../nodes/tradebot-backtest/optimise-glue';

const MIN = 60_000;
/** n one-minute rows from t0, the close = the row's number. */
const rows = (t0: number, n: number): OhlcvRow[] => Array.from({ length: n }, (_, i) => [t0 + i * MIN, i, i, i, i, 1]);

describe('optimise: one run of a combination (backtest-job)', () => {
  it('a window keeps the rows before its end, from the warm-up rows before its start', () => {
    const series = { 'A/B': rows(0, 100) };
    const w = windowOf(series, { start: 40 * MIN, end: 60 * MIN }, 10);
    assert.equal(w.warmup, 10);
    assert.deepEqual(w.series['A/B']!.map((r) => r[4]), Array.from({ length: 30 }, (_, i) => 30 + i), 'rows 30..59: 10 warm-up, then 40..59');
  });

  it('near the start of the history, every series gets the warm-up all of them have', () => {
    // B starts 5 minutes later: before 8 min, A has 8 rows and B 3.
    const series = { 'A/B': rows(0, 50), 'C/D': rows(5 * MIN, 45) };
    const w = windowOf(series, { start: 8 * MIN, end: 20 * MIN }, 10);
    assert.equal(w.warmup, 3);
    assert.equal(w.series['A/B']![0]![0], 5 * MIN);
    assert.equal(w.series['C/D']![0]![0], 5 * MIN);
    assert.equal(w.series['A/B']!.at(-1)![0], 19 * MIN);
  });

  it('the replayed span starts at the first candle after the warm-up and ends at the last close', () => {
    assert.deepEqual(replayedSpan({ 'A/B': rows(0, 100) }, 10, '1m'), { start: 10 * MIN, end: 100 * MIN });
    assert.throws(() => replayedSpan({ 'A/B': rows(0, 10) }, 10, '1m'), /no candle after its warm-up/);
  });

  it('the best run is the highest score, the earliest on a tie; runs that do not count never are', () => {
    const run = (index: number, score: number | null): OptimiseRun => ({ index, values: [index], settings: [], score });
    assert.equal(bestOf([run(0, null), run(1, 2), run(2, 3), run(3, 3)])!.index, 2);
    assert.equal(bestOf([run(0, null)]), null);
  });
});

describe('optimise: the backtest node glue', () => {
  const flow = [
    { id: 's', type: 'tradebot-strategy', name: 'cross', strategy: 'maCross', fastPeriod: 10, slowPeriod: 30 },
    { id: 'r', type: 'tradebot-risk-gate', exchange: 'x' },
  ];
  it('msg.optimise is checked against the deployed flow, naming the field', () => {
    assert.equal(sweepOf({ params: [{ node: 's', param: 'fastPeriod', values: [5, 10] }] }, undefined, flow).params.length, 1);
    assert.throws(() => sweepOf({ params: [{ node: 'q', param: 'fastPeriod', values: [5] }] }, undefined, flow), /msg\.optimise\.params\.0\.node: no node with id "q"/);
    assert.throws(() => sweepOf({ params: [{ node: 's', param: 'rsiPeriod', values: [5] }] }, undefined, flow), /msg\.optimise\.params\.0\.param: "rsiPeriod" is not a tunable setting of tradebot-strategy "cross"/);
    assert.throws(() => sweepOf({ params: [] }, undefined, flow), /msg\.optimise\.params: is empty/);
  });

  it('msg.optimise = true runs the sweep saved on the Optimise tab, and says so when there is none', () => {
    const saved = { params: [{ node: 'r', param: 'stopPct', values: [1, 2] }] };
    assert.deepEqual(sweepOf(true, saved, flow).params[0], { node: 'r', param: 'stopPct', values: [1, 2] });
    assert.throws(() => sweepOf(true, undefined, flow), /msg\.optimise: true runs the sweep of the node's Optimise tab, and it has none/);
    assert.throws(() => sweepOf(true, { params: [{ node: 'gone', param: 'stopPct', values: [1] }] }, flow), /optimise \(the Optimise tab\)\.params\.0\.node/);
  });

  it('the status: percent, runs per second, time left and the best so far; then the result', () => {
    const report = { engine: { path: 'fast' }, progress: { done: 25, total: 100, runsPerSecond: 3.25, etaSeconds: 23, best: 1.234567 } } as any;
    assert.equal(progressText(report), 'optimising 25 % (25/100) · 3.3 runs/s · ETA 23 s · best 1.235');
    assert.equal(progressText({ ...report, engine: { path: 'flow', reason: 'x' } }), 'optimising on the Node-RED path (slower) 25 % (25/100) · 3.25 runs/s · ETA 23 s · best 1.235');
    assert.equal(finishedText({ state: 'done', runs: new Array(100), seconds: 75, objective: 'sharpe', best: { index: 4, score: 2.5 } } as any), 'optimised: 100 runs in 1 min 15 s; best sharpe 2.5 (run 5)');
    assert.equal(finishedText({ state: 'canceled', runs: new Array(7), best: null } as any), 'optimisation canceled after 7 runs; no run counted');
  });
});
