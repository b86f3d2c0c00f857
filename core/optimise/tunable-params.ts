/**
 * Which settings of the tradebot nodes an optimisation may vary. The names are the settings'
 * names in the node's config (core/strategies/settings.ts, core/risk/settings.ts,
 * core/indicators/spec.ts and the nodes' editor defaults); settings inside a list are addressed by
 * their index: `indicators.0.period`, `entryRules.1.right`.
 *
 * Only settings that change what a run does and take a number or a short choice are here: names,
 * exchanges, currencies, time zones and similar are not tuned.
 */
import type { StrategyKind } from '../strategies/settings';
import type { IndicatorType } from '../indicators/spec';

/** The strategy node's tunable settings, per strategy. */
const STRATEGY: Record<StrategyKind, readonly string[]> = {
  maCross: ['maType', 'fastPeriod', 'slowPeriod'],
  rsi: ['rsiPeriod', 'oversold', 'overbought'],
  bollingerStochRsi: ['bbPeriod', 'bbStdDev', 'stochRsiPeriod', 'kPeriod', 'dPeriod', 'stochOversold', 'stochOverbought'],
  macdCross: ['macdFast', 'macdSlow', 'macdSignal'],
  fvg: ['fvgMinGapPct'],
  // Plus the numeric operands of its rules (ruleOperands below).
  rules: ['entryMode', 'exitMode', 'exitFraction'],
  decision: ['policy', 'windowSeconds', 'threshold'],
};

/** One indicator's tunable parameters, per indicator type (the row's `name` and `type` are not). */
const INDICATOR: Record<IndicatorType, readonly string[]> = {
  sma: ['period', 'src'],
  ema: ['period', 'src'],
  wma: ['period', 'src'],
  rsi: ['period', 'src'],
  macd: ['fast', 'slow', 'signal', 'src'],
  bollinger: ['period', 'stdDev', 'src'],
  stochastic: ['period', 'kSmoothing', 'dPeriod'],
  stochrsi: ['rsiPeriod', 'stochPeriod', 'kPeriod', 'dPeriod', 'src'],
  atr: ['period'],
  adx: ['period'],
  cci: ['period'],
  obv: [],
  vwap: ['anchor'],
  roc: ['period', 'src'],
  williamsr: ['period'],
  mfi: ['period'],
  donchian: ['period'],
  keltner: ['period', 'multiplier', 'atrPeriod'],
  supertrend: ['period', 'multiplier'],
  psar: ['step', 'maxStep'],
  ichimoku: ['conversionPeriod', 'basePeriod', 'spanBPeriod', 'displacement'],
  heikinashi: [],
  pivots: ['method', 'session'],
  patterns: [],
};

/** The risk gate's tunable settings: sizing, stops and exits, limits. */
const RISK_GATE: readonly string[] = [
  'sizing', 'quoteAmount', 'equityPct', 'riskPct',
  'stopMode', 'stopPct', 'atrMultiple', 'takeProfitPct', 'trailingPct',
  'limitOffsetPct', 'maxOpenPositions', 'maxExposurePerSymbol', 'maxExposureTotal',
  'cooldownSec', 'cooldownAfterLossSec', 'dailyLossLimit', 'maxDrawdownPct',
];

/** Every tunable setting per node type (list settings with an index placeholder `<i>`). */
export const TUNABLE: Readonly<Record<string, readonly string[]>> = {
  'tradebot-strategy': [...new Set([...Object.values(STRATEGY).flat(), 'entryRules.<i>.left', 'entryRules.<i>.right', 'exitRules.<i>.left', 'exitRules.<i>.right'])],
  'tradebot-indicator': [...new Set(Object.values(INDICATOR).flat().map((p) => `indicators.<i>.${p}`))],
  'tradebot-risk-gate': RISK_GATE,
};

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Rule operands written as numbers (`rsi14 < 30`: entryRules.0.right); indicator names are not tuned. */
function ruleOperands(node: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const list of ['entryRules', 'exitRules'] as const) {
    const rules = Array.isArray(node[list]) ? (node[list] as Array<Record<string, unknown>>) : [];
    rules.forEach((rule, i) => {
      for (const side of ['left', 'right'] as const) {
        if (NUMBER.test(String(rule?.[side] ?? '').trim())) out.push(`${list}.${i}.${side}`);
      }
    });
  }
  return out;
}

/**
 * The settings an optimisation may vary on this node, as dotted paths into its config. With the
 * node's config, only what applies to it (its strategy, its indicator rows, its numeric rule
 * operands); without, the type's whole list from TUNABLE.
 */
export function tunableParams(type: string, node?: Record<string, unknown>): readonly string[] {
  if (!node) return TUNABLE[type] ?? [];
  switch (type) {
    case 'tradebot-strategy': {
      const kind = node.strategy as StrategyKind;
      const own = STRATEGY[kind] ?? [];
      return kind === 'rules' ? [...own, ...ruleOperands(node)] : own;
    }
    case 'tradebot-indicator': {
      const rows = Array.isArray(node.indicators) ? (node.indicators as Array<Record<string, unknown>>) : [];
      return rows.flatMap((row, i) => (INDICATOR[row?.type as IndicatorType] ?? []).map((p) => `indicators.${i}.${p}`));
    }
    default:
      return TUNABLE[type] ?? [];
  }
}
