/**
 * The strategy node's settings (see nodes/shared/spec.ts). Kinds, defaults and ranges come from
 * core/strategies/setting-ranges.ts, which the runtime's schema (core/strategies/settings.ts) is
 * built from; only the dialog's words are written here. Each field is checked only while its
 * strategy is the selected one.
 */
import {
  DECISION_POLICIES,
  LEVEL,
  MAX_BB_STD_DEV,
  MAX_FVG_GAP_PCT,
  MAX_THRESHOLD,
  MA_TYPES,
  PERIOD,
  RULE_MODES,
  RULE_OPS,
  STRATEGY_DEFAULTS as D,
  STRATEGY_KINDS,
  defaultStrategyName,
  operandError,
  type StrategyKindName,
} from '../../core/strategies/setting-ranges';
import type { StrategySettings } from '../../core/strategies/settings';
import { blank, isNum, type FieldCheck, type FieldSpec, type NodeSpec } from '../shared/spec';
import { nameField } from '../shared/spec-fields';

/** The strategies as the dialog's Strategy list names them. */
export const STRATEGY_TITLES: Record<StrategyKindName, string> = {
  maCross: 'Moving-average crossover',
  rsi: 'RSI overbought/oversold',
  bollingerStochRsi: 'Bollinger Bands + Stochastic RSI',
  macdCross: 'MACD signal cross',
  fvg: 'Fair value gap (3-candle imbalance)',
  rules: 'Rule builder',
  decision: 'Decision maker (combine strategies)',
};

/** The moving averages as the dialog's Average list names them. */
export const MA_TITLES: Record<(typeof MA_TYPES)[number], string> = { sma: 'SMA (simple)', ema: 'EMA (exponential)', wma: 'WMA (weighted)' };

/** The comparisons of the rule builder, as its rows show them. */
export const RULE_OP_TITLES: Record<(typeof RULE_OPS)[number], string> = { '>': '>', '<': '<', '>=': '≥', '<=': '≤', crossesAbove: 'crosses above', crossesBelow: 'crosses below' };

/** Each field as the dialog names it (the row's label and the word before the field), for the messages. */
export const STRATEGY_LABELS: Record<string, string> = {
  fastPeriod: 'Fast period', slowPeriod: 'Slow period', rsiPeriod: 'RSI period',
  oversold: 'Oversold level', overbought: 'Overbought level',
  bbPeriod: 'Bollinger period', bbStdDev: 'Bollinger std dev',
  stochRsiPeriod: 'StochRSI period', kPeriod: 'StochRSI %K', dPeriod: 'StochRSI %D',
  stochOversold: 'Oversold level', stochOverbought: 'Overbought level',
  macdFast: 'MACD fast', macdSlow: 'MACD slow', macdSignal: 'MACD signal',
  maType: 'Average', fvgMinGapPct: 'Min gap', entryMode: 'Entry (buy)', exitMode: 'Exit (sell)',
  exitFraction: 'Exit sells', policy: 'Policy', windowSeconds: 'Window', threshold: 'Threshold',
};

type Field = (prop: string) => any;
const selected = (field: Field, kind: StrategyKindName) => field('strategy') === kind;

function isPeriod(v: unknown): boolean {
  const n = Number(v);
  return !blank(v) && typeof v !== 'boolean' && Number.isInteger(n) && n >= PERIOD.min && n <= PERIOD.max;
}

/** A field of one strategy, with its label and default. */
function field(prop: string, kind: StrategyKindName, check: FieldCheck): FieldSpec {
  const defaults = D[kind] as Record<string, unknown>;
  return { value: defaults[prop], label: STRATEGY_LABELS[prop], check: (v, f) => !selected(f, kind) || check(v, f) };
}

/** A period of one strategy, optionally smaller/larger than a sibling period. */
function period(prop: string, kind: StrategyKindName, smallerThan?: string, largerThan?: string): FieldSpec {
  return field(prop, kind, (v, f) => {
    if (!isPeriod(v)) return `must be a whole number from ${PERIOD.min} to ${PERIOD.max}`;
    if (smallerThan && isPeriod(f(smallerThan)) && !(Number(v) < Number(f(smallerThan)))) return 'must be smaller than ' + STRATEGY_LABELS[smallerThan];
    if (largerThan && isPeriod(f(largerThan)) && !(Number(v) > Number(f(largerThan)))) return 'must be larger than ' + STRATEGY_LABELS[largerThan];
    return true;
  });
}

/** An oversold/overbought level: 0 < oversold < overbought < 100. */
function level(prop: string, kind: StrategyKindName, low: string, high: string): FieldSpec {
  return field(prop, kind, (v, f) => {
    if (!isNum(v) || !(Number(v) > LEVEL.above && Number(v) < LEVEL.below)) return `must be between ${LEVEL.above} and ${LEVEL.below}`;
    if (isNum(f(low)) && isNum(f(high)) && !(Number(f(low)) < Number(f(high)))) return prop === low ? 'must be below the ' + STRATEGY_LABELS[high] : 'must be above the ' + STRATEGY_LABELS[low];
    return true;
  });
}

function choice(prop: string, kind: StrategyKindName, values: readonly string[]): FieldSpec {
  return field(prop, kind, (v) => values.includes(v) || 'must be one of ' + values.join(', '));
}

/** What is wrong with a list of rules, in the dialog's words ('' when nothing). */
export function rulesError(list: unknown, what: string): string {
  if (!Array.isArray(list)) return what + ' rules must be a list';
  for (let i = 0; i < list.length; i++) {
    const r = list[i] || {};
    const where = what + ' rule ' + (i + 1) + ': ';
    let e = operandError(r.left);
    if (e) return where + 'left side ' + e;
    if (!(RULE_OPS as readonly string[]).includes(r.op)) return where + 'unknown comparison "' + r.op + '"';
    e = operandError(r.right);
    if (e) return where + 'right side ' + e;
  }
  return '';
}

export interface StrategyConfig {
  name: string;
  strategy: StrategyKindName;
  emitHolds: boolean;
  [setting: string]: unknown;
}

/** A node's settings as numbers where the runtime reads numbers (empty: the default), for the name its signals carry. */
function withDefaults(n: Partial<StrategyConfig>): StrategySettings {
  const kind = n.strategy as StrategyKindName;
  const out: Record<string, unknown> = { ...n };
  for (const [k, def] of Object.entries((D[kind] ?? {}) as Record<string, unknown>)) {
    const v = n[k];
    out[k] = blank(v) ? def : typeof def === 'number' ? Number(v) : v;
  }
  return out as unknown as StrategySettings;
}

/** The name an unnamed strategy node puts in its signals' `strategy` (core/strategies/setting-ranges.ts). */
export function signalName(n: Partial<StrategyConfig>): string {
  if (n.name && String(n.name).trim()) return String(n.name).trim();
  if (!(STRATEGY_KINDS as readonly string[]).includes(String(n.strategy))) return String(n.strategy ?? '');
  return defaultStrategyName(withDefaults(n));
}

/** The node's label on the canvas. */
function describe(n: Partial<StrategyConfig>): string {
  switch (n.strategy) {
    case 'maCross': return String(n.maType || D.maCross.maType).toUpperCase() + ' ' + n.fastPeriod + '/' + n.slowPeriod + ' cross';
    case 'rsi': return 'RSI ' + n.rsiPeriod + ' ' + n.oversold + '/' + n.overbought;
    case 'bollingerStochRsi': return 'BB ' + n.bbPeriod + ' + StochRSI';
    case 'macdCross': return 'MACD ' + n.macdFast + '/' + n.macdSlow + '/' + n.macdSignal;
    case 'fvg': return 'FVG ≥' + n.fvgMinGapPct + '%';
    case 'rules': return 'rules';
    case 'decision': return 'decision: ' + (n.policy || D.decision.policy);
    default: return 'strategy';
  }
}

export const strategySpec: NodeSpec<StrategyConfig> = {
  type: 'tradebot-strategy',
  category: 'tradebot',
  color: '#F4A261',
  paletteLabel: 'strategy',
  icon: 'font-awesome/fa-crosshairs',
  inputs: 1,
  outputs: 2,
  inputLabels: 'candles (+ msg.indicators) or signals (decision)',
  outputLabels: ['signals', 'holds / status'],
  defaults: {
    name: nameField,
    strategy: {
      value: 'maCross',
      required: true,
      label: 'Strategy',
      check: (v) => (STRATEGY_KINDS as readonly string[]).includes(v) || `"${v}" is not one of the choices`,
    },
    emitHolds: { value: false },
    maType: choice('maType', 'maCross', MA_TYPES),
    fastPeriod: period('fastPeriod', 'maCross', 'slowPeriod'),
    slowPeriod: period('slowPeriod', 'maCross', undefined, 'fastPeriod'),
    rsiPeriod: period('rsiPeriod', 'rsi'),
    oversold: level('oversold', 'rsi', 'oversold', 'overbought'),
    overbought: level('overbought', 'rsi', 'oversold', 'overbought'),
    bbPeriod: period('bbPeriod', 'bollingerStochRsi'),
    bbStdDev: field('bbStdDev', 'bollingerStochRsi', (v) => (isNum(v) && Number(v) > 0 && Number(v) <= MAX_BB_STD_DEV) || `must be above 0 and at most ${MAX_BB_STD_DEV}`),
    stochRsiPeriod: period('stochRsiPeriod', 'bollingerStochRsi'),
    kPeriod: period('kPeriod', 'bollingerStochRsi'),
    dPeriod: period('dPeriod', 'bollingerStochRsi'),
    stochOversold: level('stochOversold', 'bollingerStochRsi', 'stochOversold', 'stochOverbought'),
    stochOverbought: level('stochOverbought', 'bollingerStochRsi', 'stochOversold', 'stochOverbought'),
    macdFast: period('macdFast', 'macdCross', 'macdSlow'),
    macdSlow: period('macdSlow', 'macdCross', undefined, 'macdFast'),
    macdSignal: period('macdSignal', 'macdCross'),
    fvgMinGapPct: field('fvgMinGapPct', 'fvg', (v) => (isNum(v) && Number(v) >= 0 && Number(v) < MAX_FVG_GAP_PCT) || `must be a percentage from 0 to below ${MAX_FVG_GAP_PCT}`),
    entryMode: choice('entryMode', 'rules', RULE_MODES),
    entryRules: {
      value: [{ left: 'rsi14', op: '<', right: '30' }],
      check: (v, f) => {
        if (!selected(f, 'rules')) return true;
        const e = rulesError(v, 'Entry (buy)');
        if (e) return e;
        const exit = f('exitRules');
        return v.length + (Array.isArray(exit) ? exit.length : 0) > 0 || 'Add at least one Entry (buy) or Exit (sell) rule';
      },
    },
    exitMode: choice('exitMode', 'rules', RULE_MODES),
    exitRules: { value: [{ left: 'rsi14', op: '>', right: '70' }], check: (v, f) => !selected(f, 'rules') || rulesError(v, 'Exit (sell)') || true },
    // Empty: an exit sells the whole position; else the share of it the sell signal carries as fraction.
    exitFraction: {
      value: '',
      label: STRATEGY_LABELS.exitFraction,
      check: (v, f) =>
        !selected(f, 'rules') || blank(v) || (isNum(v) && Number(v) > 0 && Number(v) <= 1) || 'must be a share of the position above 0 and at most 1 (0.5 = half), or empty (all of it)',
    },
    // A built-in's buys go out only while every condition holds (e.g. rsi14@1h < 60); empty: no filter.
    entryFilter: {
      value: [],
      check: (v, f) => selected(f, 'rules') || selected(f, 'decision') || rulesError(v ?? [], 'Entry filter') || true,
    },
    policy: choice('policy', 'decision', DECISION_POLICIES),
    members: {
      value: [{ strategy: '', weight: 1 }],
      check: (v, f) => {
        if (!selected(f, 'decision')) return true;
        if (!Array.isArray(v)) return 'Members must be a list';
        const seen: Record<string, boolean> = {};
        let named = 0;
        for (const m of v) {
          const s = String(m?.strategy ?? '').trim();
          if (s === '') continue;
          named++;
          if (seen[s]) return 'Member "' + s + '" is listed twice';
          seen[s] = true;
          if (!(isNum(m.weight) && Number(m.weight) > 0)) return 'Member "' + s + '": its weight must be a number above 0';
        }
        return named > 0 || 'Add at least one member strategy';
      },
    },
    windowSeconds: field('windowSeconds', 'decision', (v) => (isNum(v) && Number(v) > 0) || 'must be a number of seconds above 0'),
    // Only the weighted policy uses (and shows) the threshold.
    threshold: field('threshold', 'decision', (v, f) => f('policy') !== 'weighted' || (isNum(v) && Number(v) > 0 && Number(v) <= MAX_THRESHOLD) || `must be above 0 and at most ${MAX_THRESHOLD}`),
  },
  defaultName: describe,
};
