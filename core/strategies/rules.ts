/**
 * The rule builder: conditions on candle fields and upstream indicator values, combined with
 * all/any, separately for entry (buy) and exit (sell). A signal is made on the candle where the
 * combined condition turns true (an edge), not on every candle it stays true. The exit may sell
 * a share of the position (exitFraction: the sell signal's `fraction`). An operand may name a
 * higher timeframe of the same symbol (`rsi14@1h`): its value is the one of the latest candle of
 * that timeframe that had closed when this candle opened (no look-ahead).
 */
import type { Candle } from '../contract';
import { timeframeToMs } from '../timeframe';
import { crossing, fmt, type Decision, type HoldReason, type SeriesStrategy, type StrategyInput } from './types';

import { RULE_OPS, isNumberOperand, operandError, splitOperand } from './setting-ranges';

export { RULE_OPS };
export type RuleOp = (typeof RULE_OPS)[number];

export interface Rule {
  left: string;
  op: RuleOp;
  right: string;
}

export interface RuleSet {
  mode: 'all' | 'any';
  rules: Rule[];
}

const CANDLE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Checks an operand's spelling at deploy time; `field` names it in the error. */
export function checkOperand(text: string, field: string): void {
  const error = operandError(text);
  if (error === 'empty') throw new Error(`${field}: empty; use a number, a candle field (close, high, …) or an indicator name`);
  if (error) throw new Error(error.includes('@') ? `${field}: ${error}` : `${field}: ${error} such as rsi14 or macd.histogram`);
}

/** The timeframes the rules name with `@` (their candles are context, never evaluated themselves). */
export function ruleTimeframes(...lists: ReadonlyArray<readonly Rule[]>): Set<string> {
  const out = new Set<string>();
  for (const list of lists) {
    for (const rule of list) {
      for (const side of [rule.left, rule.right]) {
        const { timeframe } = splitOperand(String(side).trim());
        if (timeframe !== undefined) out.add(timeframe);
      }
    }
  }
  return out;
}

/** The value of an operand on this candle; undefined while an indicator is still warming up. */
function resolve(text: string, input: StrategyInput, field: string): number | undefined {
  const t = text.trim();
  if (isNumberOperand(t)) return Number(t);
  const { path, timeframe } = splitOperand(t);
  if (timeframe === undefined) return read(path, input.candle, input.indicators, field, 'msg.indicators');
  const { candle } = input;
  if (timeframeToMs(timeframe) <= timeframeToMs(candle.timeframe)) {
    throw new Error(`${field}: "${t}" names ${timeframe}, which is not a higher timeframe than this candle's ${candle.timeframe}`);
  }
  const context = input.higher?.(timeframe);
  // No closed candle of that timeframe yet (warm-up, or its candles node is not wired in): wait.
  if (!context) return undefined;
  return read(path, context.candle, context.indicators, field, `the ${timeframe} candles' msg.indicators`);
}

function read(path: string, candle: Candle, indicators: StrategyInput['indicators'], field: string, where: string): number | undefined {
  if ((CANDLE_FIELDS as readonly string[]).includes(path)) return candle[path as (typeof CANDLE_FIELDS)[number]];
  const [name, part] = path.split('.') as [string, string | undefined];
  if (!(name in indicators)) {
    const have = Object.keys(indicators);
    throw new Error(`${field}: "${name}" is not in ${where} (${have.length ? `it has ${have.join(', ')}` : 'wire an indicator node before this one'})`);
  }
  const value = indicators[name];
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') {
    if (part) throw new Error(`${field}: "${name}" is a number, it has no field "${part}"`);
    return value;
  }
  if (!part) throw new Error(`${field}: "${name}" has fields (${Object.keys(value).join(', ')}); write for example ${name}.${Object.keys(value)[0]}`);
  if (!(part in value)) throw new Error(`${field}: "${name}" has no field "${part}" (it has ${Object.keys(value).join(', ')})`);
  return value[part];
}

export interface Evaluated {
  met: boolean | undefined; // undefined: not evaluable yet
  words: string[];
}

/** Evaluates rule sets on a series' candles, keeping the previous operand values crosses need. */
export class RuleEvaluator {
  /** Previous operand values per rule, for crosses. */
  private readonly previous = new Map<string, [number, number]>();

  evaluateSet(set: RuleSet, field: string, input: StrategyInput): Evaluated {
    if (set.rules.length === 0) return { met: false, words: [] };
    const results = set.rules.map((rule, i) => this.evaluateRule(rule, `${field}[${i}]`, input));
    const known = results.filter((r) => r.met !== undefined);
    const trueOnes = results.filter((r) => r.met === true);
    if (set.mode === 'all') {
      if (known.length < results.length) return { met: known.some((r) => r.met === false) ? false : undefined, words: [] };
      return { met: trueOnes.length === results.length, words: trueOnes.map((r) => r.words) };
    }
    if (trueOnes.length) return { met: true, words: trueOnes.map((r) => r.words) };
    return { met: known.length ? false : undefined, words: [] };
  }

  private evaluateRule(rule: Rule, field: string, input: StrategyInput): { met: boolean | undefined; words: string } {
    const a = resolve(rule.left, input, `${field}.left`);
    const b = resolve(rule.right, input, `${field}.right`);
    if (a === undefined || b === undefined) return { met: undefined, words: '' };
    const prev = this.previous.get(field);
    this.previous.set(field, [a, b]);
    const words = `${rule.left.trim()} (${fmt(a)}) ${rule.op.replace('crossesAbove', 'crossed above').replace('crossesBelow', 'crossed below')} ${rule.right.trim()}${isNumberOperand(rule.right.trim()) ? '' : ` (${fmt(b)})`}`;
    switch (rule.op) {
      case '>':
        return { met: a > b, words };
      case '<':
        return { met: a < b, words };
      case '>=':
        return { met: a >= b, words };
      case '<=':
        return { met: a <= b, words };
      case 'crossesAbove':
        return { met: prev ? crossing(prev[0], prev[1], a, b, input.candle.close) === 'above' : undefined, words };
      case 'crossesBelow':
        return { met: prev ? crossing(prev[0], prev[1], a, b, input.candle.close) === 'below' : undefined, words };
    }
  }
}

export class RuleStrategy implements SeriesStrategy {
  private readonly rules = new RuleEvaluator();
  private lastEntry = false;
  private lastExit = false;

  constructor(
    private readonly entry: RuleSet,
    private readonly exit: RuleSet,
    /** The exit sells this share of the position (a partial sell); undefined or 1: all of it. */
    private readonly exitFraction?: number,
  ) {}

  evaluate(input: StrategyInput): Decision | HoldReason {
    const entry = this.rules.evaluateSet(this.entry, 'entryRules', input);
    const exit = this.rules.evaluateSet(this.exit, 'exitRules', input);
    const entryEdge = entry.met === true && !this.lastEntry;
    const exitEdge = exit.met === true && !this.lastExit;
    this.lastEntry = entry.met === true;
    this.lastExit = exit.met === true;
    if (entryEdge && exitEdge) return 'entry and exit conditions both became true: no signal';
    if (entryEdge) return { side: 'buy', strength: 1, reason: `entry: ${entry.words.join(this.entry.mode === 'all' ? ' and ' : ' or ')}` };
    if (exitEdge) {
      const reason = `exit: ${exit.words.join(this.exit.mode === 'all' ? ' and ' : ' or ')}`;
      if (this.exitFraction === undefined || this.exitFraction >= 1) return { side: 'sell', strength: 1, reason };
      return { side: 'sell', strength: 1, reason: `${reason}; sell ${fmt(100 * this.exitFraction)} % of the position`, fraction: this.exitFraction };
    }
    if (entry.met === undefined && exit.met === undefined) return 'waiting for indicator values';
    return 'no condition became true';
  }
}

/**
 * A built-in strategy with an entry filter: its buys go out only while every filter condition
 * holds on that candle (for example `rsi14@1h < 60`); its sells always go out (a filter limits
 * new risk, never a way out). The conditions are evaluated on every candle, so crosses in them
 * compare with the candle before.
 */
export class FilteredStrategy implements SeriesStrategy {
  private readonly rules = new RuleEvaluator();

  constructor(
    private readonly inner: SeriesStrategy,
    private readonly filter: RuleSet,
  ) {}

  evaluate(input: StrategyInput): Decision | HoldReason {
    const decision = this.inner.evaluate(input);
    const passed = this.rules.evaluateSet(this.filter, 'entryFilter', input);
    if (typeof decision !== 'object' || decision.side !== 'buy') return decision;
    if (passed.met === true) return { ...decision, reason: `${decision.reason}; filter: ${passed.words.join(' and ')}` };
    return passed.met === undefined ? `buy held: the entry filter is waiting for its values (${decision.reason})` : `buy held: the entry filter is not met (${decision.reason})`;
  }
}
