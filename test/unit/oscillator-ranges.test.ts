/**
 * Oscillators stay inside their documented ranges exactly (docs/indicators.md "Ranges"): a rule
 * such as `k >= 100` or `williamsr <= -100` must fire at the extreme, and `k < 0` must never. On
 * hand-made candles where double rounding used to step outside, and on every value of the real
 * candles of ../shared/data/ohlcv.
 */
import assert from 'node:assert/strict';
import { createIndicator, parseIndicatorSpec, type IndicatorValue } from '../../core/indicators';
import { OHLCV_TIMEFRAMES, listPairs, loadCandles, skipWithoutOhlcv } from '../support/ohlcv-data';

/** Candles from [high, low, close] (open = close), one minute apart. */
function candles(...hlc: Array<[number, number, number]>) {
  return hlc.map(([high, low, close], i) => ({ ts: i * 60_000, open: close, high, low, close, volume: 1 }));
}

/** Every value the indicator gives over the candles (nulls left out). */
function values(spec: Record<string, unknown>, cs: ReadonlyArray<ReturnType<typeof candles>[number]>): IndicatorValue[] {
  const ind = createIndicator(parseIndicatorSpec(spec));
  const out: IndicatorValue[] = [];
  for (const c of cs) {
    const v = ind.update(c);
    if (v !== null) out.push(v);
  }
  return out;
}

const last = <T>(xs: T[]): T => xs[xs.length - 1]!;

// 0.0001049 - 0.0001 is a range where 100 x range / range is 100.00000000000001 in doubles.
const HIGH = 0.0001049;
const LOW = 0.0001;

describe('oscillator ranges (docs/indicators.md)', function () {
  it('Williams %R is exactly -100 when the close is the lowest low, and 0 at the highest high', function () {
    assert.equal(last(values({ type: 'williamsr', period: 1 }, candles([HIGH, LOW, LOW]))), -100);
    assert.equal(last(values({ type: 'williamsr', period: 1 }, candles([HIGH, LOW, HIGH]))), 0);
  });

  it('the fast stochastic %K and %D are exactly 100 at the highest high and 0 at the lowest low', function () {
    const fast = { type: 'stochastic', period: 1, kSmoothing: 1, dPeriod: 1 };
    assert.deepEqual(last(values(fast, candles([HIGH, LOW, HIGH]))), { k: 100, d: 100 });
    assert.deepEqual(last(values(fast, candles([HIGH, LOW, LOW]))), { k: 0, d: 0 });
  });

  it('a smoothed %K whose window is all at the lowest low is exactly 0 (no residue of the values that left it)', function () {
    const spec = { type: 'stochastic', period: 1, kSmoothing: 3, dPeriod: 1 };
    const v = last(values(spec, candles([1.1, 0.1, 0.11], [1.1, 0.1, 0.12], [1.1, 0.1, 0.39], [1.1, 0.1, 0.1], [1.1, 0.1, 0.1], [1.1, 0.1, 0.1]))) as { k: number; d: number };
    assert.equal(v.k, 0);
    assert.equal(v.d, 0);
  });

  it('a smoothed %K and %D whose windows are all at the highest high are exactly 100', function () {
    // a climb, each candle from the last close up to its own close at its high (steps 0.083, 0.001, ...)
    const climb: Array<[number, number, number]> = [];
    let price = 1;
    for (let i = 0; i < 8; i++) {
      const low = price;
      price += (i % 2 ? 1 : 83) / 1000;
      climb.push([price, low, price]);
    }
    const v = last(values({ type: 'stochastic', period: 2, kSmoothing: 3, dPeriod: 3 }, candles(...climb))) as { k: number; d: number };
    assert.equal(v.k, 100);
    assert.equal(v.d, 100);
  });

  describe('every value on the real candles', function () {
    const RANGES: Array<{ spec: Record<string, unknown>; lo: number; hi: number }> = [
      { spec: { type: 'stochastic' }, lo: 0, hi: 100 },
      { spec: { type: 'stochastic', kSmoothing: 1, dPeriod: 1 }, lo: 0, hi: 100 },
      { spec: { type: 'stochrsi' }, lo: 0, hi: 100 },
      { spec: { type: 'williamsr' }, lo: -100, hi: 0 },
      { spec: { type: 'rsi' }, lo: 0, hi: 100 },
      { spec: { type: 'mfi' }, lo: 0, hi: 100 },
      { spec: { type: 'adx' }, lo: 0, hi: 100 },
    ];
    for (const { spec, lo, hi } of RANGES) {
      it(`${JSON.stringify(spec)} stays within [${lo}, ${hi}]`, function () {
        skipWithoutOhlcv(this);
        let n = 0;
        let min = Infinity;
        let max = -Infinity;
        for (const tf of OHLCV_TIMEFRAMES) {
          for (const pair of listPairs(tf)) {
            for (const v of values(spec, loadCandles(pair, tf))) {
              for (const x of typeof v === 'number' ? [v] : Object.values(v)) {
                n++;
                if (x < min) min = x;
                if (x > max) max = x;
              }
            }
          }
        }
        assert.ok(n > 100_000, `${n} values`);
        assert.ok(min >= lo && max <= hi, `values from ${min} to ${max}, outside [${lo}, ${hi}]`);
      });
    }
  });
});
