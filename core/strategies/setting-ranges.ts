/**
 * The strategy settings' kinds, defaults and ranges, and the names strategies sign their signals
 * with. No zod here: settings.ts builds the runtime's schema from these, and the editor bundle
 * (nodes/tradebot-strategy/spec.ts) its defaults and validators, so the two cannot drift.
 */
export const STRATEGY_KINDS = ['maCross', 'rsi', 'bollingerStochRsi', 'macdCross', 'fvg', 'rules', 'decision'] as const;
export type StrategyKindName = (typeof STRATEGY_KINDS)[number];

/** The moving averages the MA cross compares. */
export const MA_TYPES = ['sma', 'ema', 'wma'] as const;
export const RULE_MODES = ['all', 'any'] as const;
export const DECISION_POLICIES = ['unanimous', 'majority', 'weighted'] as const;
export const RULE_OPS = ['>', '<', '>=', '<=', 'crossesAbove', 'crossesBelow'] as const;

/** Every period (candles) of every strategy. */
export const PERIOD = { min: 1, max: 10_000 } as const;
/** Oversold/overbought levels lie strictly between these. */
export const LEVEL = { above: 0, below: 100 } as const;
export const MAX_BB_STD_DEV = 10;
/** A fair value gap is a share of the price, in percent: from 0 to below 100. */
export const MAX_FVG_GAP_PCT = 100;
/** The decision maker's threshold (weighted policy): above 0, at most 1. */
export const MAX_THRESHOLD = 1;

/** What a new strategy node starts with, per strategy. */
export const STRATEGY_DEFAULTS = {
  maCross: { maType: 'ema', fastPeriod: 9, slowPeriod: 21 },
  rsi: { rsiPeriod: 14, oversold: 30, overbought: 70 },
  bollingerStochRsi: { bbPeriod: 20, bbStdDev: 2, stochRsiPeriod: 14, kPeriod: 3, dPeriod: 3, stochOversold: 20, stochOverbought: 80 },
  macdCross: { macdFast: 12, macdSlow: 26, macdSignal: 9 },
  fvg: { fvgMinGapPct: 0.1 },
  rules: { entryMode: 'all', exitMode: 'all' },
  decision: { policy: 'majority', windowSeconds: 60, threshold: 0.6 },
} as const;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
/** A timeframe in ccxt's notation (the contract's TimeframeSchema, without zod for the editor). */
const TIMEFRAME = /^[1-9][0-9]*[smhdwM]$/;

/**
 * An operand split at its `@`: `rsi14@1h` reads rsi14 of the latest closed 1h candle of the same
 * symbol (docs/nodes/tradebot-strategy.md, "Higher timeframes"); without `@` the candle's own.
 */
export function splitOperand(text: string): { path: string; timeframe?: string } {
  const at = text.indexOf('@');
  if (at < 0) return { path: text };
  return { path: text.slice(0, at).trim(), timeframe: text.slice(at + 1).trim() };
}

/** What is wrong with a rule operand's spelling ('' when it is a number, a candle field or an indicator name, with or without @timeframe). */
export function operandError(text: unknown): string {
  const t = String(text ?? '').trim();
  if (!t) return 'empty';
  if (NUMBER.test(t)) return '';
  const { path, timeframe } = splitOperand(t);
  if (timeframe !== undefined) {
    if (!PATH.test(path)) return `"${t}": before @ comes a candle field or an indicator name`;
    if (!TIMEFRAME.test(timeframe)) return `"${t}": "${timeframe}" after @ is not a timeframe; use one such as 15m, 1h, 4h or 1d`;
    return '';
  }
  return PATH.test(t) ? '' : `"${t}" is not a number, a candle field or an indicator name`;
}

/** An operand that is a number (not a candle field or an indicator). */
export function isNumberOperand(text: string): boolean {
  return NUMBER.test(text);
}

/** What a default name is made of: each kind's part of its settings (settings.ts's StrategySettings has these and more). */
export type NamedStrategySettings =
  | { strategy: 'maCross'; maType: string; fastPeriod: number; slowPeriod: number }
  | { strategy: 'rsi'; rsiPeriod: number; oversold: number; overbought: number }
  | { strategy: 'bollingerStochRsi'; bbPeriod: number; stochRsiPeriod: number }
  | { strategy: 'macdCross'; macdFast: number; macdSlow: number; macdSignal: number }
  | { strategy: 'fvg'; fvgMinGapPct: number }
  | { strategy: 'rules' }
  | { strategy: 'decision'; policy: string };

/** The name signals carry when the node has none: short, stable, readable. */
export function defaultStrategyName(s: NamedStrategySettings): string {
  switch (s.strategy) {
    case 'maCross':
      return `${s.maType}-cross-${s.fastPeriod}-${s.slowPeriod}`;
    case 'rsi':
      return `rsi-${s.rsiPeriod}-${s.oversold}-${s.overbought}`;
    case 'bollingerStochRsi':
      return `bb-${s.bbPeriod}-stochrsi-${s.stochRsiPeriod}`;
    case 'macdCross':
      return `macd-${s.macdFast}-${s.macdSlow}-${s.macdSignal}`;
    case 'fvg':
      return `fvg-${s.fvgMinGapPct}`;
    case 'rules':
      return 'rules';
    case 'decision':
      return `decision-${s.policy}`;
  }
}
