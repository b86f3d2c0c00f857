/**
 * The built-in strategies. Each computes its own indicators from the candles with the same
 * engine as the indicator node, so it works wired straight to a candles node. When exactly each
 * one signals is documented in the node's help, docs/nodes/tradebot-strategy.md.
 */
import { createIndicator } from '../indicators';
import { Ring } from '../indicators/ring';
import { clamp01, crossing, fmt, type Decision, type HoldReason, type SeriesStrategy, type StrategyInput } from './types';

export class MaCross implements SeriesStrategy {
  private readonly fast;
  private readonly slow;
  /** The previous candle's averages (two numbers, not an object per candle); hasPrev once there are. */
  private hasPrev = false;
  private prevFast = 0;
  private prevSlow = 0;
  constructor(private readonly p: { maType: 'sma' | 'ema' | 'wma'; fastPeriod: number; slowPeriod: number }) {
    this.fast = createIndicator({ type: p.maType, period: p.fastPeriod });
    this.slow = createIndicator({ type: p.maType, period: p.slowPeriod });
  }
  evaluate({ candle }: StrategyInput): Decision | HoldReason {
    const fast = this.fast.update(candle) as number | null;
    const slow = this.slow.update(candle) as number | null;
    if (fast === null || slow === null) return `warming up: ${this.slow.remaining} candles to go`;
    const hadPrev = this.hasPrev;
    const prevFast = this.prevFast;
    const prevSlow = this.prevSlow;
    this.hasPrev = true;
    this.prevFast = fast;
    this.prevSlow = slow;
    if (!hadPrev) return 'first values';
    const cross = crossing(prevFast, prevSlow, fast, slow, candle.close);
    if (!cross) return () => `no cross (fast ${fmt(fast)}, slow ${fmt(slow)})`;
    const ma = this.p.maType.toUpperCase();
    const label = `${ma} ${this.p.fastPeriod} (${fmt(fast)}) ${cross === 'above' ? 'crossed above' : 'crossed below'} ${ma} ${this.p.slowPeriod} (${fmt(slow)})`;
    // 0.5 % separation between the averages counts as a full-strength cross.
    const strength = clamp01(Math.abs(fast - slow) / slow / 0.005);
    return { side: cross === 'above' ? 'buy' : 'sell', strength, reason: label };
  }
}

export class RsiLevels implements SeriesStrategy {
  private readonly rsi;
  private prev: number | undefined;
  constructor(private readonly p: { rsiPeriod: number; oversold: number; overbought: number }) {
    this.rsi = createIndicator({ type: 'rsi', period: p.rsiPeriod });
  }
  evaluate({ candle }: StrategyInput): Decision | HoldReason {
    const rsi = this.rsi.update(candle) as number | null;
    if (rsi === null) return `warming up: ${this.rsi.remaining} candles to go`;
    const prev = this.prev;
    this.prev = rsi;
    if (prev === undefined) return 'first value';
    const { oversold, overbought } = this.p;
    // Deeper beyond the level before turning back = stronger; the full margin to 0 / 100 is 1.
    if (prev < oversold && rsi >= oversold) {
      return {
        side: 'buy',
        strength: clamp01((oversold - prev) / oversold),
        reason: `RSI ${this.p.rsiPeriod} rose back above ${oversold} (${fmt(prev)} -> ${fmt(rsi)})`,
      };
    }
    if (prev > overbought && rsi <= overbought) {
      return {
        side: 'sell',
        strength: clamp01((prev - overbought) / (100 - overbought)),
        reason: `RSI ${this.p.rsiPeriod} fell back below ${overbought} (${fmt(prev)} -> ${fmt(rsi)})`,
      };
    }
    return () => `RSI ${fmt(rsi)}`;
  }
}

export class BollingerStochRsi implements SeriesStrategy {
  private readonly bb;
  private readonly stochRsi;
  private prev: { k: number; d: number } | undefined;
  constructor(
    private readonly p: {
      bbPeriod: number;
      bbStdDev: number;
      stochRsiPeriod: number;
      kPeriod: number;
      dPeriod: number;
      stochOversold: number;
      stochOverbought: number;
    },
  ) {
    this.bb = createIndicator({ type: 'bollinger', period: p.bbPeriod, stdDev: p.bbStdDev });
    this.stochRsi = createIndicator({
      type: 'stochrsi',
      rsiPeriod: p.stochRsiPeriod,
      stochPeriod: p.stochRsiPeriod,
      kPeriod: p.kPeriod,
      dPeriod: p.dPeriod,
    });
  }
  evaluate({ candle }: StrategyInput): Decision | HoldReason {
    const bb = this.bb.update(candle) as { upper: number; lower: number; percentB: number } | null;
    const st = this.stochRsi.update(candle) as { k: number; d: number } | null;
    if (bb === null || st === null) return `warming up: ${Math.max(this.bb.remaining, this.stochRsi.remaining)} candles to go`;
    const prev = this.prev;
    this.prev = st;
    if (!prev) return 'first values';
    const cross = crossing(prev.k, prev.d, st.k, st.d, 100);
    const close = candle.close;
    if (close <= bb.lower && cross === 'above' && st.k < this.p.stochOversold) {
      return {
        side: 'buy',
        // Deeper in oversold when %K turns = stronger.
        strength: clamp01(1 - st.k / this.p.stochOversold),
        reason: `close ${fmt(close)} at/below the lower band ${fmt(bb.lower)} and StochRSI %K ${fmt(st.k)} crossed above %D ${fmt(st.d)}`,
      };
    }
    if (close >= bb.upper && cross === 'below' && st.k > this.p.stochOverbought) {
      return {
        side: 'sell',
        strength: clamp01((st.k - this.p.stochOverbought) / (100 - this.p.stochOverbought)),
        reason: `close ${fmt(close)} at/above the upper band ${fmt(bb.upper)} and StochRSI %K ${fmt(st.k)} crossed below %D ${fmt(st.d)}`,
      };
    }
    return () => `%B ${fmt(bb.percentB)}, StochRSI %K ${fmt(st.k)}`;
  }
}

export class MacdCross implements SeriesStrategy {
  private readonly macd;
  private prev: { macd: number; signal: number } | undefined;
  constructor(p: { macdFast: number; macdSlow: number; macdSignal: number }) {
    this.macd = createIndicator({ type: 'macd', fast: p.macdFast, slow: p.macdSlow, signal: p.macdSignal });
  }
  evaluate({ candle }: StrategyInput): Decision | HoldReason {
    const v = this.macd.update(candle) as { macd: number; signal: number; histogram: number } | null;
    if (v === null) return `warming up: ${this.macd.remaining} candles to go`;
    const prev = this.prev;
    this.prev = v;
    if (!prev) return 'first values';
    const cross = crossing(prev.macd, prev.signal, v.macd, v.signal, candle.close);
    // A histogram of 0.1 % of the price is a full-strength cross.
    const strength = clamp01(Math.abs(v.histogram) / candle.close / 0.001);
    if (!cross) return () => `MACD ${fmt(v.macd)}, signal ${fmt(v.signal)}`;
    return { side: cross === 'above' ? 'buy' : 'sell', strength, reason: `MACD ${fmt(v.macd)} crossed ${cross} signal ${fmt(v.signal)}` };
  }
}

/** Fair value gap: a three-candle imbalance where candle 1 and candle 3 do not overlap. */
export class FairValueGap implements SeriesStrategy {
  private readonly highs = new Ring(3);
  private readonly lows = new Ring(3);
  constructor(private readonly p: { fvgMinGapPct: number }) {}
  evaluate({ candle }: StrategyInput): Decision | HoldReason {
    this.highs.push(candle.high);
    this.lows.push(candle.low);
    if (!this.highs.full) return 'needs three candles';
    const high1 = this.highs.at(0);
    const low1 = this.lows.at(0);
    const minGap = (this.p.fvgMinGapPct / 100) * candle.close;
    const bullGap = candle.low - high1;
    const bearGap = low1 - candle.high;
    // A gap of 1 % of the price is full strength.
    if (bullGap > 0 && bullGap >= minGap) {
      return {
        side: 'buy',
        strength: clamp01(bullGap / candle.close / 0.01),
        reason: `bullish fair value gap: low ${fmt(candle.low)} is above the high ${fmt(high1)} two candles ago (${fmt((100 * bullGap) / candle.close)} %)`,
      };
    }
    if (bearGap > 0 && bearGap >= minGap) {
      return {
        side: 'sell',
        strength: clamp01(bearGap / candle.close / 0.01),
        reason: `bearish fair value gap: high ${fmt(candle.high)} is below the low ${fmt(low1)} two candles ago (${fmt((100 * bearGap) / candle.close)} %)`,
      };
    }
    return 'no gap';
  }
}
