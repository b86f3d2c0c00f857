/**
 * The newer indicators' outputs in the rule builder, as a user writes them (docs/indicators.md,
 * "Output fields"): supertrend.direction crossing 0, a candlestick pattern's 1/0, a close above
 * the Ichimoku cloud. Real candles from ../shared/data/ohlcv; the expected signals come from the
 * textbook (test/support/textbook-indicators.ts), not from the engine.
 */
import assert from 'node:assert/strict';
import type { Candle } from '../../core/contract';
import { IndicatorSet } from '../../core/indicators/indicator-set';
import { RuleStrategy } from '../../core/strategies/rules';
import { loadCandles, skipWithoutOhlcv } from '../support/ohlcv-data';
import * as tb from '../support/textbook-indicators';

function contractCandles(pair: string): Candle[] {
  return loadCandles(pair, '5m').map((c) => ({ kind: 'candle', exchange: 'binance', symbol: pair.replace('_', '/'), timeframe: '5m', ...c }) as Candle);
}

/** The candle indices (0-based) where the strategy emits buy and sell. */
function signals(set: IndicatorSet, strategy: RuleStrategy, candles: Candle[]): { buys: number[]; sells: number[] } {
  const buys: number[] = [];
  const sells: number[] = [];
  candles.forEach((candle, i) => {
    const { values } = set.update(candle);
    const d = strategy.evaluate({ candle, indicators: values });
    if (typeof d === 'object') (d.side === 'buy' ? buys : sells).push(i);
  });
  return { buys, sells };
}

describe('indicators in rules: supertrend, patterns, ichimoku', function () {
  before(function () {
    skipWithoutOhlcv(this);
  });

  it('buys when supertrend.direction crosses above 0 and sells when it crosses below, on the candles the textbook turns', function () {
    const candles = contractCandles('ETH_BTC');
    const set = new IndicatorSet([{ name: 'st', spec: { type: 'supertrend' } }]);
    const strategy = new RuleStrategy(
      { mode: 'all', rules: [{ left: 'st.direction', op: 'crossesAbove', right: '0' }] },
      { mode: 'all', rules: [{ left: 'st.direction', op: 'crossesBelow', right: '0' }] },
    );
    const got = signals(set, strategy, candles);
    const dir = tb.supertrend(candles, tb.DEFAULTS.supertrend).map((v) => v?.direction);
    const want = { buys: [] as number[], sells: [] as number[] };
    for (let i = 1; i < dir.length; i++) {
      if (dir[i - 1] === -1 && dir[i] === 1) want.buys.push(i);
      if (dir[i - 1] === 1 && dir[i] === -1) want.sells.push(i);
    }
    assert.ok(want.buys.length > 10, `the series has trend changes (${want.buys.length})`);
    assert.deepEqual(got, want);
  });

  it('buys on a bullish engulfing candle closing above the Ichimoku cloud (pattern fields are 1 or 0)', function () {
    const candles = contractCandles('XMR_BTC');
    const set = new IndicatorSet([
      { name: 'cdl', spec: { type: 'patterns' } },
      { name: 'ichi', spec: { type: 'ichimoku' } },
    ]);
    const strategy = new RuleStrategy(
      {
        mode: 'all',
        rules: [
          { left: 'cdl.bullishEngulfing', op: '>', right: '0' },
          { left: 'close', op: '>', right: 'ichi.cloudA' },
          { left: 'close', op: '>', right: 'ichi.cloudB' },
        ],
      },
      { mode: 'all', rules: [] },
    );
    const got = signals(set, strategy, candles);
    const pat = tb.patterns(candles);
    const ichi = tb.ichimoku(candles, tb.DEFAULTS.ichimoku);
    const met = candles.map((c, i) => {
      const p = pat[i];
      const k = ichi[i];
      return !!p && !!k && p.bullishEngulfing === 1 && c.close > k.cloudA && c.close > k.cloudB;
    });
    // a signal on the candle where the combined condition turns true
    const buys = met.flatMap((m, i) => (m && !(i > 0 && met[i - 1]) ? [i] : []));
    assert.ok(buys.length > 0, 'the series has such candles');
    assert.deepEqual(got, { buys, sells: [] });
  });

  it('names the fields a misspelt operand could have meant', function () {
    const candles = contractCandles('ETH_BTC');
    const set = new IndicatorSet([{ name: 'st', spec: { type: 'supertrend' } }]);
    const strategy = new RuleStrategy({ mode: 'all', rules: [{ left: 'st.trend', op: '>', right: '0' }] }, { mode: 'all', rules: [] });
    assert.throws(
      () => signals(set, strategy, candles),
      (e: unknown) => e instanceof Error && /entryRules\[0\]\.left: "st" has no field "trend" \(it has supertrend, direction, upper, lower\)/.test(e.message),
    );
  });
});
