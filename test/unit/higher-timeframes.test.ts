/**
 * Higher timeframes in the strategy node's conditions (docs/nodes/tradebot-strategy.md, "Higher
 * timeframes"): `rsi14@1h` reads the latest 1h candle that closed at or before the 5m candle
 * opened, never one still forming; built-in strategies hold their buys while their entry filter
 * fails and never hold a sell; a bad timeframe is refused naming the field. And the backtest's
 * longer timeframes (docs/backtest.md, "Several timeframes"): made from the data, visible only once
 * closed, equal to the exchange's own candles of that timeframe on real data.
 */
import assert from 'node:assert/strict';
import type { Candle, OhlcvRow } from '../../core/contract';
import { ReplaySource } from '../../core/backtest/replay-source';
import { resample } from '../../core/backtest/resample';
import { parseStrategySettings } from '../../core/strategies/settings';
import { contextTimeframes, StrategyRunner, strategyFactory, type CandleOutcome } from '../../core/strategies/strategy-runner';
import { loadCandles, skipWithoutOhlcv } from '../support/ohlcv-data';
import { specErrors, type FieldSpec } from '../../nodes/shared/spec';
import { strategySpec } from '../../nodes/tradebot-strategy/spec';

const H = 3_600_000;
const M5 = 300_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

function candle(timeframe: string, ts: number, close: number): Candle {
  return { kind: 'candle', exchange: 'sim', symbol: 'BTC/USDT', timeframe, ts, open: close, high: close, low: close, close, volume: 1 };
}

function runnerOf(config: Record<string, unknown>) {
  const settings = parseStrategySettings(config);
  if (settings.strategy === 'decision') throw new Error('not a candle strategy');
  return new StrategyRunner('t', strategyFactory(settings), contextTimeframes(settings));
}

describe('higher timeframes in conditions', function () {
  it('a 5m rule reads the 1h value of the latest 1h candle closed when the 5m candle opened, whichever arrives first', function () {
    const runner = runnerOf({ strategy: 'rules', entryRules: [{ left: 'rsi@1h', op: '<', right: '60' }, { left: 'close', op: '>', right: '0' }] });
    const at = (ts: number) => runner.onCandle(candle('5m', ts, 100), {}, false);
    const held = (o: CandleOutcome, what: string) => assert.ok('hold' in o, `${what}: ${JSON.stringify(o)}`);
    const bought = (o: CandleOutcome, rsi: number, what: string) => {
      assert.ok('signal' in o && o.signal.side === 'buy' && o.signal.timeframe === '5m', `${what}: ${JSON.stringify(o)}`);
      assert.match(o.signal.reason, new RegExp(`rsi@1h \\(${rsi}\\) < 60`), what);
    };
    // No 1h candle yet: nothing to compare with, nothing is signalled.
    held(at(T0), 'before any 1h candle');
    // The 1h candle [T0, T0+1h) with RSI 50 closes at T0+1h; it is context (kept, not evaluated).
    const ctx = runner.onCandle(candle('1h', T0, 100), { rsi: 50 }, false);
    assert.ok('hold' in ctx && /kept for the conditions that name @1h/.test(ctx.hold.reason), JSON.stringify(ctx));
    // The 5m candle [T0+55m, T0+1h) closes with it but opened while it was forming: RSI 50 would buy, it must not see it.
    held(at(T0 + H - M5), 'the 5m candle that closes with the 1h candle');
    bought(at(T0 + H), 50, 'the 5m candle opening when the 1h candle closed');
    // RSI 70 from the next hour turns the entry false from the 5m candle opening at T0+2h on.
    runner.onCandle(candle('1h', T0 + H, 100), { rsi: 70 }, false);
    held(at(T0 + 2 * H - M5), 'still true (RSI 50), no new edge');
    held(at(T0 + 2 * H), 'RSI 70: false');
    // The 1h candle with RSI 40 arrives before the 5m candle that closes with it: that one still sees 70...
    runner.onCandle(candle('1h', T0 + 2 * H, 100), { rsi: 40 }, false);
    held(at(T0 + 3 * H - M5), 'sees RSI 70, not the 40 of the hour that closes with it');
    // ...and the one opening at T0+3h sees 40: the entry turns true there.
    bought(at(T0 + 3 * H), 40, 'the 5m candle opening at T0+3h');
  });

  it('reads candle fields and indicator fields of the higher timeframe, per symbol', function () {
    const runner = runnerOf({ strategy: 'rules', entryRules: [{ left: 'close', op: '>', right: 'close@1h' }, { left: 'macd.histogram@4h', op: '>', right: '0' }] });
    runner.onCandle(candle('1h', T0, 100), {}, false);
    runner.onCandle({ ...candle('4h', T0 - 4 * H, 1), symbol: 'BTC/USDT' }, { macd: { macd: 1, signal: 0, histogram: 1 } }, false);
    // Another symbol's 1h candle is not this symbol's.
    runner.onCandle({ ...candle('1h', T0 + H, 1000), symbol: 'ETH/USDT' }, {}, false);
    const out = runner.onCandle(candle('5m', T0 + H, 101), {}, false);
    assert.ok('signal' in out, JSON.stringify(out));
    assert.match(out.signal.reason, /close \(101\) > close@1h \(100\) and macd\.histogram@4h \(1\) > 0/);
  });

  it('a built-in strategy holds its buys while the entry filter fails and never holds a sell', function () {
    const config = { strategy: 'fvg', fvgMinGapPct: 0, entryFilter: [{ left: 'rsi14@1h', op: '<', right: '60' }] };
    const bull = (ts: number, low: number, high: number) => ({ ...candle('5m', ts, (low + high) / 2), low, high });
    const feed = (rsi: number) => {
      const runner = runnerOf(config);
      runner.onCandle(candle('1h', T0 - H, 100), { rsi14: rsi }, false);
      runner.onCandle(bull(T0, 90, 100), {}, false);
      runner.onCandle(bull(T0 + M5, 100, 110), {}, false);
      const buy = runner.onCandle(bull(T0 + 2 * M5, 105, 115), {}, false);
      runner.onCandle(bull(T0 + 3 * M5, 70, 80), {}, false);
      const sell = runner.onCandle(bull(T0 + 4 * M5, 50, 60), {}, false);
      return { buy, sell };
    };
    const low = feed(40);
    assert.ok('signal' in low.buy && low.buy.signal.side === 'buy', JSON.stringify(low.buy));
    assert.match((low.buy as { signal: { reason: string } }).signal.reason, /filter: rsi14@1h \(40\) < 60/);
    const high = feed(70);
    assert.ok('hold' in high.buy && /buy held: the entry filter is not met/.test(high.buy.hold.reason), JSON.stringify(high.buy));
    assert.ok('signal' in high.sell && high.sell.signal.side === 'sell', 'the sell goes out whatever the filter says');
  });

  it('refuses a timeframe that is not one, naming the field; a lower timeframe, naming the field; a missing indicator, naming the timeframe', function () {
    assert.throws(() => parseStrategySettings({ strategy: 'rules', entryRules: [{ left: 'rsi14@1x', op: '<', right: '60' }] }), /strategy\.entryRules\[0\]\.left: "rsi14@1x": "1x" after @ is not a timeframe/);
    assert.throws(() => parseStrategySettings({ strategy: 'rules', exitRules: [{ left: 'close', op: '<', right: 'ema@' }] }), /strategy\.exitRules\[0\]\.right: "ema@": "" after @ is not a timeframe/);
    assert.throws(() => parseStrategySettings({ strategy: 'maCross', entryFilter: [{ left: '@1h', op: '<', right: '60' }] }), /strategy\.entryFilter\[0\]\.left: "@1h": before @ comes a candle field or an indicator name/);
    const lower = runnerOf({ strategy: 'rules', entryRules: [{ left: 'rsi@1m', op: '<', right: '60' }] });
    assert.throws(() => lower.onCandle(candle('5m', T0, 100), {}, false), /entryRules\[0\]\.left: "rsi@1m" names 1m, which is not a higher timeframe than this candle's 5m/);
    const missing = runnerOf({ strategy: 'rules', entryRules: [{ left: 'rsi@1h', op: '<', right: '60' }] });
    missing.onCandle(candle('1h', T0 - H, 100), { ema: 1 }, false);
    assert.throws(() => missing.onCandle(candle('5m', T0, 100), {}, false), /entryRules\[0\]\.left: "rsi" is not in the 1h candles' msg\.indicators \(it has ema\)/);
  });

  it('the dialog and the runtime agree: @ operands and the entry filter are accepted and refused alike', function () {
    const defaults = Object.fromEntries(Object.entries(strategySpec.defaults as Record<string, FieldSpec>).map(([k, f]) => [k, structuredClone(f.value)]));
    const cases: Array<{ config: Record<string, unknown>; ok: boolean }> = [
      { config: { strategy: 'maCross', entryFilter: [{ left: 'rsi14@1h', op: '<', right: '60' }] }, ok: true },
      { config: { strategy: 'maCross', entryFilter: [{ left: 'rsi14@1x', op: '<', right: '60' }] }, ok: false },
      { config: { strategy: 'rules', entryRules: [{ left: 'macd.histogram@4h', op: '>', right: 'close@1d' }], exitRules: [] }, ok: true },
      { config: { strategy: 'rules', entryRules: [{ left: 'rsi14@', op: '<', right: '60' }], exitRules: [] }, ok: false },
      // The entry filter of a strategy that has none (the rule builder) is not looked at.
      { config: { strategy: 'rules', entryRules: [{ left: 'close', op: '>', right: '0' }], exitRules: [], entryFilter: [{ left: '@', op: '<', right: '' }] }, ok: true },
    ];
    for (const { config, ok } of cases) {
      const dialog = specErrors(strategySpec, { ...defaults, ...config });
      let runtime = '';
      try {
        parseStrategySettings({ ...defaults, ...config });
      } catch (err) {
        runtime = (err as Error).message;
      }
      assert.equal(dialog.length === 0, ok, `dialog, ${JSON.stringify(config)}: ${dialog.join('; ')}`);
      assert.equal(runtime === '', ok, `runtime, ${JSON.stringify(config)}: ${runtime}`);
    }
  });

  it('an older or repeated higher-timeframe candle is refused without changing what the rules see', function () {
    const runner = runnerOf({ strategy: 'rules', entryRules: [{ left: 'close@1h', op: '>', right: '0' }] });
    runner.onCandle(candle('1h', T0, 100), {}, false);
    assert.throws(() => runner.onCandle(candle('1h', T0, 200), {}, false), /repeats the last one/);
    const out = runner.onCandle(candle('5m', T0 + H, 1), {}, false);
    assert.ok('signal' in out);
    assert.match(out.signal.reason, /close@1h \(100\)/);
  });
});

describe('the backtest\'s longer timeframes', function () {
  const rows: OhlcvRow[] = Array.from({ length: 36 }, (_, i) => [T0 + i * M5, 100 + i, 101 + i, 99 + i, 100.5 + i, 1]);

  it('a 1h candle exists once its last 5m candle is released, never before', async function () {
    const source = new ReplaySource('backtest', '5m', { 'BTC/USDT': rows }, 11);
    assert.deepEqual(await source.fetchOHLCV('BTC/USDT', '1h'), [], 'eleven of twelve 5m candles: the hour is still forming');
    source.releaseNext('BTC/USDT');
    assert.deepEqual(await source.fetchOHLCV('BTC/USDT', '1h'), [[T0, 100, 112, 99, 111.5, 12]]);
    for (let i = 0; i < 11; i++) source.releaseNext('BTC/USDT');
    assert.equal((await source.fetchOHLCV('BTC/USDT', '1h')).length, 1);
    source.releaseNext('BTC/USDT');
    assert.deepEqual((await source.fetchOHLCV('BTC/USDT', '1h', T0 + H)).map((r) => r[0]), [T0 + H]);
    await assert.rejects(source.fetchOHLCV('BTC/USDT', '7m'), /a candles node asks for 7m is not a whole number of the backtest data's 5m candles/);
    await assert.rejects(source.fetchOHLCV('BTC/USDT', '1m'), /1m is shorter than the backtest data's 5m/);
  });

  it('5m candles made from real 1m candles equal the exchange\'s own 5m candles', function () {
    skipWithoutOhlcv(this);
    for (const pair of ['ETH_BTC', 'LTC_BTC']) {
      const m1 = loadCandles(pair, '1m').map((c): OhlcvRow => [c.ts, c.open, c.high, c.low, c.close, c.volume]);
      const m5 = loadCandles(pair, '5m');
      const made = resample(m1, '5m');
      const byTs = new Map(made.map((r) => [r[0], r]));
      // Only the 5m candles whose five 1m candles are all in the 1m file (the files have gaps).
      const count = new Map<number, number>();
      for (const r of m1) count.set(r[0] - (r[0] % M5), (count.get(r[0] - (r[0] % M5)) ?? 0) + 1);
      let compared = 0;
      for (const c of m5) {
        const r = byTs.get(c.ts);
        if (!r || count.get(c.ts) !== 5) continue;
        compared++;
        assert.deepEqual(r.slice(0, 5), [c.ts, c.open, c.high, c.low, c.close], `${pair} ${new Date(c.ts).toISOString()}`);
        assert.ok(Math.abs(r[5] - c.volume) <= 1e-6 * Math.max(1, c.volume), `${pair} volume at ${new Date(c.ts).toISOString()}: ${r[5]} vs ${c.volume}`);
      }
      const inRange = m5.filter((c) => c.ts >= m1[0]![0] && c.ts <= m1[m1.length - 1]![0]).length;
      assert.ok(compared > 0.9 * inRange && compared > 1000, `${pair}: ${compared} of the ${inRange} 5m candles the 1m file covers compared`);
    }
  });
});
