/** What a strategy sees and says, free of Node-RED. */
import type { Candle, Side } from '../contract';
import type { IndicatorValue } from '../indicators';
import { significantText } from '../significant';

export interface StrategyInput {
  candle: Candle;
  /** msg.indicators from upstream indicator nodes (the rule builder reads them). */
  indicators: Record<string, IndicatorValue | null | undefined>;
  /**
   * The same symbol's higher timeframes as this candle may see them (an operand `rsi14@1h`):
   * the latest candle of that timeframe that closed at or before this candle opened, with its
   * msg.indicators; undefined while none has. Absent where nothing is remembered.
   */
  higher?: (timeframe: string) => TimeframeContext | undefined;
}

/** A closed candle of a higher timeframe and the indicator values that came with it. */
export interface TimeframeContext {
  candle: Candle;
  indicators: Record<string, IndicatorValue | null | undefined>;
}

export interface Decision {
  side: Side;
  /** 0..1 */
  strength: number;
  reason: string;
  /** A sell of part of the position: its share, 0 < fraction <= 1 (the signal's `fraction`). */
  fraction?: number;
}

/**
 * Why a strategy holds: a text, or how to make it. Most candles are holds and their reason is
 * rarely read (a status shown twice a second, output 2 when enabled), so formatting numbers into
 * it for every candle is work a backtest would pay a million times.
 */
export type HoldReason = string | (() => string);

/**
 * One strategy instance per exchange + symbol + timeframe. `evaluate` is called for every candle,
 * warm-up included (so internal indicators fill); the runner discards decisions on warm-up.
 * Returns a decision, or why it holds.
 */
export interface SeriesStrategy {
  evaluate(input: StrategyInput): Decision | HoldReason;
}

/**
 * Compares two values that may be equal in exact arithmetic but differ by rounding noise
 * (%K and %D pinned at 0, two averages of a flat series). Differences up to 1e-9 of the
 * larger of |a|, |b| and `scale` (the series' natural size: the price for moving averages and
 * MACD, 100 for oscillators) count as equal, so noise can never fake a cross, also near zero.
 */
export function compare(a: number, b: number, scale: number): -1 | 0 | 1 {
  const diff = a - b;
  if (Math.abs(diff) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), Math.abs(scale))) return 0;
  return diff > 0 ? 1 : -1;
}

/** Which way a crosses b between the previous and the current values, if it does (see compare). */
export function crossing(prevA: number, prevB: number, a: number, b: number, scale: number): 'above' | 'below' | undefined {
  const before = compare(prevA, prevB, scale);
  const now = compare(a, b, scale);
  if (before <= 0 && now > 0) return 'above';
  if (before >= 0 && now < 0) return 'below';
  return undefined;
}

export const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** Numbers in reasons: enough digits for BTC-quoted prices, no noise (String(+x.toPrecision(6)), see significant.ts). */
export const fmt = (x: number) => significantText(x, 6);

/** What a strategy says when it does not signal (output 2 of the strategy node, when enabled). */
export interface Hold {
  kind: 'hold';
  symbol: string;
  ts: number;
  strategy: string;
  reason: string;
}
