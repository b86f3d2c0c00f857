/**
 * The backtest's equity statistics in bounded memory (core/backtest/equity-stats.ts): the same
 * figures as a two-pass computation over every close, and a curve that stays within its bound,
 * keeps the last close and depends only on the data.
 */
import assert from 'node:assert/strict';
import { EquityStats } from '../../core/backtest/equity-stats';

const TF = 60_000;

/** A wandering equity series (deterministic). */
function series(n: number): number[] {
  const out: number[] = [];
  let e = 10_000;
  for (let i = 0; i < n; i++) {
    e *= 1 + Math.sin(i * 0.37) * 0.002 + Math.cos(i * 0.011) * 0.001;
    out.push(e);
  }
  return out;
}

describe('backtest equity statistics (bounded memory)', function () {
  it('drawdown, Sharpe and Sortino match a two-pass computation over every close', function () {
    const values = series(50_000);
    const stats = new EquityStats(10_000, 0, 1000);
    values.forEach((e, i) => stats.add((i + 1) * TF, e));
    // Two passes, as the report computed them when it kept every point.
    let peak = 10_000;
    let peakTs = 0;
    let dd = 0;
    let ddMs = 0;
    const returns: number[] = [];
    let prev = 10_000;
    values.forEach((e, i) => {
      const ts = (i + 1) * TF;
      if (e >= peak) [peak, peakTs] = [e, ts];
      else [dd, ddMs] = [Math.max(dd, (peak - e) / peak), Math.max(ddMs, ts - peakTs)];
      returns.push(e / prev - 1);
      prev = e;
    });
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, x) => a + (x - mean) ** 2, 0) / returns.length);
    const down = Math.sqrt(returns.reduce((a, x) => a + Math.min(0, x) ** 2, 0) / returns.length);
    const perYear = (365 * 86_400_000) / TF;
    const { sharpe, sortino } = stats.ratios(perYear);
    assert.equal(stats.maxDrawdown, dd);
    assert.equal(stats.maxDrawdownDurationMs, ddMs);
    assert.equal(stats.end, values.at(-1));
    assert.ok(Math.abs(sharpe / ((mean / sd) * Math.sqrt(perYear)) - 1) < 1e-9, `sharpe ${sharpe}`);
    assert.ok(Math.abs(sortino / ((mean / down) * Math.sqrt(perYear)) - 1) < 1e-9, `sortino ${sortino}`);
  });

  it('keeps every close up to its bound, then every 2^k-th close plus the last; the same for the same data', function () {
    const small = new EquityStats(1, 0, 100);
    series(99).forEach((e, i) => small.add(i, e));
    assert.equal(small.curve().length, 99);
    assert.equal(small.curveStep, 1);

    const make = () => {
      const s = new EquityStats(1, 0, 100);
      series(12_345).forEach((e, i) => s.add(i + 1, e));
      return s;
    };
    const a = make();
    const curve = a.curve();
    assert.ok(curve.length <= 101 && curve.length >= 50, `points: ${curve.length}`);
    assert.deepEqual(curve.at(-1), [12_345, series(12_345).at(-1)], 'ends with the last close');
    for (const [ts] of curve.slice(0, -1)) assert.equal(ts % a.curveStep, 0, `close ${ts} is a multiple of the step ${a.curveStep}`);
    assert.equal(JSON.stringify(make().curve()), JSON.stringify(curve));
  });
});
