import assert from 'node:assert/strict';
import { bestTrial, summariseWalkForward, walkForwardWindows } from '../../core/optimise/walk-forward';

const spans = (ws: ReturnType<typeof walkForwardWindows>) => ws.map((w) => [w.inSample.start, w.inSample.end, w.outOfSample.start, w.outOfSample.end]);

describe('optimise: walk-forward', () => {
  it('cuts rolling windows whose out-of-sample parts tile the end of the history', () => {
    // 1000 candles, 4 windows, 75 % in sample: one window is 4 parts in + 1 out, the history
    // 3 + 4 = 7 quarters of a window: OOS = 1000 / 7 = 142.86, IS = 428.57 (cuts floored).
    const ws = walkForwardWindows({ start: 0, end: 1000 }, { windows: 4, inSamplePct: 75, anchored: false });
    assert.deepEqual(spans(ws), [
      [0, 428, 428, 571],
      [143, 571, 571, 714],
      [286, 714, 714, 857],
      [429, 857, 857, 1000],
    ]);
  });

  it('anchored windows all start at the beginning', () => {
    const ws = walkForwardWindows({ start: 0, end: 1000 }, { windows: 4, inSamplePct: 75, anchored: true });
    assert.deepEqual(spans(ws), [
      [0, 428, 428, 571],
      [0, 571, 571, 714],
      [0, 714, 714, 857],
      [0, 857, 857, 1000],
    ]);
  });

  it('works on candle times, exact over years of milliseconds', () => {
    const start = Date.UTC(2020, 0, 1);
    const end = Date.UTC(2026, 0, 1);
    const hour = 3_600_000;
    // 50 % in sample, 2 windows: IS = OOS = a third of the span each.
    const ws = walkForwardWindows({ start, end }, { windows: 2, inSamplePct: 50, anchored: false }, hour);
    const third = (end - start) / 3;
    assert.ok(Number.isInteger(third));
    assert.deepEqual(spans(ws), [
      [start, start + third, start + third, start + 2 * third],
      [start + third, start + 2 * third, start + 2 * third, end],
    ]);
  });

  it('refuses a history too short for the windows, naming the field', () => {
    assert.throws(() => walkForwardWindows({ start: 0, end: 20 }, { windows: 50, inSamplePct: 95, anchored: false }), /^Error: msg\.optimise\.walkForward\.windows: 50 windows with 95 % in-sample leave a part shorter than one candle in a history of 20/);
    assert.throws(() => walkForwardWindows({ start: 5, end: 5 }, { windows: 2, inSamplePct: 75, anchored: false }), /history \[5, 5\) is empty/);
  });

  it('picks the best in-sample trial, the earliest on a tie, none when none counts', () => {
    assert.deepEqual(bestTrial([{ combo: [1], score: 0.5 }, { combo: [2], score: 0.9 }, { combo: [3], score: 0.9 }]), { combo: [2], score: 0.9 });
    assert.equal(bestTrial([{ combo: [1], score: -Infinity }]), undefined);
    assert.equal(bestTrial([]), undefined);
  });

  it('sums the windows up: means, efficiency, chained out-of-sample return', () => {
    const ws = walkForwardWindows({ start: 0, end: 1000 }, { windows: 3, inSamplePct: 75, anchored: false });
    const summary = summariseWalkForward([
      { window: ws[0]!, combo: [9, 21], inSampleScore: 2, outOfSampleScore: 1, outOfSampleReturn: 0.1 },
      { window: ws[1]!, combo: [12, 26], inSampleScore: 1.5, outOfSampleScore: 1.6, outOfSampleReturn: -0.05 },
      { window: ws[2]!, combo: [9, 30], inSampleScore: 2.5, outOfSampleScore: -Infinity, outOfSampleReturn: 0 },
    ]);
    assert.equal(summary.windows.length, 3);
    assert.equal(summary.totals.meanInSample, 2);
    assert.equal(summary.totals.meanOutOfSample, 1.3);
    assert.equal(summary.totals.efficiency, 0.65);
    assert.ok(Math.abs(summary.totals.outOfSampleReturn! - (1.1 * 0.95 - 1)) < 1e-12);
    assert.equal(summary.totals.scoredWindows, 2);
    assert.equal(summary.totals.worseOutOfSample, 2);
    const noReturn = summariseWalkForward([{ window: ws[0]!, inSampleScore: -Infinity, outOfSampleScore: -Infinity }]);
    assert.deepEqual(noReturn.totals, { meanInSample: undefined, meanOutOfSample: undefined, efficiency: undefined, outOfSampleReturn: undefined, scoredWindows: 0, worseOutOfSample: 0 });
  });
});
