/**
 * The strategy node's settings, validated per strategy; every error names the editor field.
 * Numbers may arrive as strings from the editor: they are coerced.
 */
import { z } from 'zod';
import { zodError } from '../contract';
import { checkOperand } from './rules';
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
  STRATEGY_KINDS as KINDS,
  defaultStrategyName,
} from './setting-ranges';

export { defaultStrategyName };

/**
 * Numbers, or numeric text from the editor; empty (or absent) takes the default. Anything else
 * (a boolean, an object, text that is not a number) is refused naming the field, never coerced
 * into 0 or 1.
 */
const numeric = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v.trim()) : v), schema);
const int = (def: number, min: number = PERIOD.min, max: number = PERIOD.max) => numeric(z.number().int('must be a whole number').min(min).max(max).default(def));
const num = (def: number) => numeric(z.number().default(def));
const level = (def: number) => numeric(z.number().gt(LEVEL.above, `must be above ${LEVEL.above}`).lt(LEVEL.below, `must be below ${LEVEL.below}`).default(def));
const positive = (def: number, max?: number) => numeric((max === undefined ? z.number().gt(0, 'must be above 0') : z.number().gt(0, 'must be above 0').max(max, `must be at most ${max}`)).default(def));

const RuleSchema = z.object({ left: z.string(), op: z.enum(RULE_OPS), right: z.string() });
/** A built-in's entry filter: conditions (the rule builder's) that must all hold for a buy; empty: none. */
const entryFilter = z.array(RuleSchema).default([]);

export const StrategySettingsSchema = z.discriminatedUnion('strategy', [
  z
    .object({ strategy: z.literal('maCross'), entryFilter, maType: z.enum(MA_TYPES).default(D.maCross.maType), fastPeriod: int(D.maCross.fastPeriod), slowPeriod: int(D.maCross.slowPeriod) })
    .refine((s) => s.fastPeriod < s.slowPeriod, { path: ['fastPeriod'], message: 'must be smaller than slowPeriod' }),
  z
    .object({ strategy: z.literal('rsi'), entryFilter, rsiPeriod: int(D.rsi.rsiPeriod), oversold: level(D.rsi.oversold), overbought: level(D.rsi.overbought) })
    .refine((s) => s.oversold < s.overbought, { path: ['oversold'], message: 'must be below overbought' }),
  z
    .object({
      strategy: z.literal('bollingerStochRsi'),
      entryFilter,
      bbPeriod: int(D.bollingerStochRsi.bbPeriod),
      bbStdDev: positive(D.bollingerStochRsi.bbStdDev, MAX_BB_STD_DEV),
      stochRsiPeriod: int(D.bollingerStochRsi.stochRsiPeriod),
      kPeriod: int(D.bollingerStochRsi.kPeriod),
      dPeriod: int(D.bollingerStochRsi.dPeriod),
      stochOversold: level(D.bollingerStochRsi.stochOversold),
      stochOverbought: level(D.bollingerStochRsi.stochOverbought),
    })
    .refine((s) => s.stochOversold < s.stochOverbought, { path: ['stochOversold'], message: 'must be below stochOverbought' }),
  z
    .object({ strategy: z.literal('macdCross'), entryFilter, macdFast: int(D.macdCross.macdFast), macdSlow: int(D.macdCross.macdSlow), macdSignal: int(D.macdCross.macdSignal) })
    .refine((s) => s.macdFast < s.macdSlow, { path: ['macdFast'], message: 'must be smaller than macdSlow' }),
  z.object({ strategy: z.literal('fvg'), entryFilter, fvgMinGapPct: num(D.fvg.fvgMinGapPct).pipe(z.number().min(0, 'must be 0 or more').lt(MAX_FVG_GAP_PCT, `must be below ${MAX_FVG_GAP_PCT}`)) }),
  z
    .object({
      strategy: z.literal('rules'),
      entryMode: z.enum(RULE_MODES).default(D.rules.entryMode),
      entryRules: z.array(RuleSchema).default([]),
      exitMode: z.enum(RULE_MODES).default(D.rules.exitMode),
      exitRules: z.array(RuleSchema).default([]),
      /** Share of the position an exit sells, 0 < f <= 1; empty: all of it. */
      exitFraction: numeric(z.number().gt(0, 'must be above 0 (a share of the position, 0 < fraction <= 1)').max(1, 'must be at most 1 (1 sells the whole position)').optional()),
    })
    .refine((s) => s.entryRules.length + s.exitRules.length > 0, { path: ['entryRules'], message: 'add at least one entry or exit condition' }),
  z
    .object({
      strategy: z.literal('decision'),
      policy: z.enum(DECISION_POLICIES).default(D.decision.policy),
      members: z
        .array(z.object({ strategy: z.string().trim().min(1, 'needs the strategy name'), weight: positive(1) }))
        .min(1, 'add at least one strategy'),
      windowSeconds: positive(D.decision.windowSeconds),
      threshold: positive(D.decision.threshold, MAX_THRESHOLD),
    })
    .refine((s) => new Set(s.members.map((m) => m.strategy)).size === s.members.length, { path: ['members'], message: 'a strategy is listed twice' }),
]);

export type StrategySettings = z.infer<typeof StrategySettingsSchema>;
export type StrategyKind = StrategySettings['strategy'];
export const STRATEGY_KINDS: readonly StrategyKind[] = KINDS;

export function parseStrategySettings(input: Record<string, unknown>): StrategySettings {
  const kind = input.strategy;
  if (typeof kind !== 'string' || !STRATEGY_KINDS.includes(kind as StrategyKind)) {
    throw new Error(`strategy: "${String(kind)}" is not a strategy; use one of ${STRATEGY_KINDS.join(', ')}`);
  }
  const result = StrategySettingsSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'strategy');
  const settings = result.data;
  if (settings.strategy === 'rules') {
    settings.entryRules.forEach((r, i) => (checkOperand(r.left, `strategy.entryRules[${i}].left`), checkOperand(r.right, `strategy.entryRules[${i}].right`)));
    settings.exitRules.forEach((r, i) => (checkOperand(r.left, `strategy.exitRules[${i}].left`), checkOperand(r.right, `strategy.exitRules[${i}].right`)));
  } else if (settings.strategy !== 'decision') {
    settings.entryFilter.forEach((r, i) => (checkOperand(r.left, `strategy.entryFilter[${i}].left`), checkOperand(r.right, `strategy.entryFilter[${i}].right`)));
  }
  return settings;
}
