/**
 * Per-series state as the backtest's fast path uses it: SeriesMap finds the last candle's series
 * without making its key again (core/series-map.ts), IndicatorSet.updateValues and
 * StrategyRunner.signalOf skip the objects the fast path never reads. Each must behave as the
 * plain way: the same state per series, the same order checks, the same values and signals.
 */
import assert from 'node:assert/strict';
import type { Candle } from '../../core/contract';
import { IndicatorSet } from '../../core/indicators/indicator-set';
import { CandleOrderError, SeriesMap } from '../../core/series-map';
import { defaultStrategyName, parseStrategySettings } from '../../core/strategies/settings';
import { StrategyRunner, strategyFactory } from '../../core/strategies/strategy-runner';

const T0 = Date.UTC(2024, 0, 1);
const clock = () => Number.MAX_SAFE_INTEGER;

function candle(symbol: string, i: number, close: number, timeframe = '1m'): Candle {
  return { kind: 'candle', exchange: 'backtest', symbol, timeframe, ts: T0 + i * 60_000, open: close, high: close * 1.001, low: close * 0.999, close, volume: 1 };
}

/** A wavy series: enough crosses of a 10 / 30 SMA pair to make signals both ways. */
const wave = (symbol: string, n: number) => Array.from({ length: n }, (_, i) => candle(symbol, i, 100 + 5 * Math.sin(i / 7) + 2 * Math.sin(i / 2.3)));

describe('SeriesMap: the last series remembered, the same state and checks', function () {
  it('keeps one state per series when candles of several series alternate', function () {
    const map = new SeriesMap(() => ({ seen: 0 }), 'state', clock);
    for (let i = 0; i < 5; i++) {
      map.advance(candle('A/USDT', i, 1)).seen++;
      map.advance(candle('A/USDT', i, 1, '5m')).seen++;
      map.advance(candle('B/USDT', 2 * i, 1)).seen++;
      map.advance(candle('B/USDT', 2 * i + 1, 1)).seen++;
    }
    assert.equal(map.size, 3);
    assert.equal(map.advance(candle('A/USDT', 50, 1)).seen, 5);
    assert.equal(map.advance(candle('A/USDT', 50, 1, '5m')).seen, 5);
    assert.equal(map.advance(candle('B/USDT', 500, 1)).seen, 10);
  });

  it('refuses a repeated or older candle of the remembered series, and of another one after a switch', function () {
    const map = new SeriesMap(() => ({}), 'state', clock);
    map.advance(candle('A/USDT', 10, 1));
    assert.throws(() => map.advance(candle('A/USDT', 10, 1)), (err: Error) => err instanceof CandleOrderError && /repeats the last one/.test(err.message));
    map.advance(candle('B/USDT', 3, 1));
    assert.throws(() => map.advance(candle('A/USDT', 9, 1)), (err: Error) => err instanceof CandleOrderError && /is older than the last one/.test(err.message));
    map.advance(candle('A/USDT', 11, 1));
  });

  it('forgets the remembered series on reset: the next candle starts a new state', function () {
    const map = new SeriesMap(() => ({ seen: 0 }), 'state', clock);
    map.advance(candle('A/USDT', 10, 1)).seen++;
    assert.equal(map.reset('A/USDT'), 1);
    const fresh = map.advance(candle('A/USDT', 5, 1));
    assert.equal(fresh.seen, 0, 'a new state after the reset, an older candle accepted');
    map.advance(candle('A/USDT', 6, 1)).seen++;
    assert.equal(map.reset(), 1);
    assert.equal(map.advance(candle('A/USDT', 1, 1)).seen, 0);
  });
});

describe('IndicatorSet.updateValues: the values and pending counts of update()', function () {
  it('gives what update() gives, candle by candle, warm-up included, over two series', function () {
    const specs = [
      { name: 'ema20', spec: { type: 'ema', period: 20 } },
      { name: 'rsi14', spec: { type: 'rsi', period: 14 } },
    ];
    const plain = new IndicatorSet(specs);
    const fast = new IndicatorSet(specs);
    const a = wave('A/USDT', 60);
    const b = wave('B/USDT', 60);
    let pendingSeen = 0;
    for (let i = 0; i < 60; i++) {
      for (const c of [a[i]!, b[i]!]) {
        const { values, pending } = plain.update(c);
        const fastValues = fast.updateValues(c);
        assert.deepStrictEqual(fastValues, values, `values at ${i}`);
        const waiting = Object.values(fastValues).some((v) => v === null);
        assert.equal(waiting, Object.keys(pending).length > 0);
        if (waiting) {
          pendingSeen++;
          assert.deepStrictEqual(fast.pendingOfLast(fastValues), pending, `pending at ${i}`);
        }
      }
    }
    assert.ok(pendingSeen >= 20, 'the warm-up had pending counts');
  });
});

describe('StrategyRunner.signalOf: the signals of onCandle, no hold made', function () {
  it('gives the same signals on the same candles (undefined for holds and warm-up decisions)', function () {
    const settings = parseStrategySettings({ strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30 });
    if (settings.strategy === 'decision') throw new Error('unreachable');
    const name = defaultStrategyName(settings);
    const plain = new StrategyRunner(name, strategyFactory(settings));
    const fast = new StrategyRunner(name, strategyFactory(settings));
    const candles = [...wave('A/USDT', 400)];
    let signals = 0;
    candles.forEach((c, i) => {
      const warmup = i < 50;
      const outcome = plain.onCandle(c, {}, warmup);
      const signal = fast.signalOf(c, {}, warmup);
      if ('signal' in outcome) {
        signals++;
        assert.deepStrictEqual(signal, outcome.signal);
        assert.deepStrictEqual(Object.keys(signal!), Object.keys(outcome.signal));
      } else assert.equal(signal, undefined, `candle ${i}: ${outcome.hold.reason}`);
    });
    assert.ok(signals >= 10, `${signals} signals`);
    assert.throws(() => fast.signalOf(candles[10]!, {}, false), CandleOrderError);
  });
});
