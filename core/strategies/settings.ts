/**
 * The strategy node's settings, validated per strategy; every error names the editor field.
 * Numbers may arrive as strings from the editor: they are coerced.
 */
import { z } from 'zod';
import { zodError } from '../contract';
import { RULE_OPS, checkOperand } from './rules';

/**
 * Numbers, or numeric text from the editor; empty (or absent) takes the default. Anything else
 * (a boolean, an object, text that is not a number) is refused naming the field, never coerced
 * into 0 or 1.
 */
const numeric = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v.trim()) : v), schema);
const int = (def: number, min = 1, max = 10_000) => numeric(z.number().int('must be a whole number').min(min).max(max).default(def));
const num = (def: number) => numeric(z.number().default(def));
const level = (def: number) => numeric(z.number().gt(0, 'must be above 0').lt(100, 'must be below 100').default(def));
const positive = (def: number, max?: number) => numeric((max === undefined ? z.number().gt(0, 'must be above 0') : z.number().gt(0, 'must be above 0').max(max, `must be at most ${max}`)).default(def));

const RuleSchema = z.object({ left: z.string(), op: z.enum(RULE_OPS), right: z.string() });

export const StrategySettingsSchema = z.discriminatedUnion('strategy', [
  z
    .object({ strategy: z.literal('maCross'), maType: z.enum(['sma', 'ema', 'wma']).default('ema'), fastPeriod: int(9), slowPeriod: int(21) })
    .refine((s) => s.fastPeriod < s.slowPeriod, { path: ['fastPeriod'], message: 'must be smaller than slowPeriod' }),
  z
    .object({ strategy: z.literal('rsi'), rsiPeriod: int(14), oversold: level(30), overbought: level(70) })
    .refine((s) => s.oversold < s.overbought, { path: ['oversold'], message: 'must be below overbought' }),
  z
    .object({
      strategy: z.literal('bollingerStochRsi'),
      bbPeriod: int(20),
      bbStdDev: positive(2, 10),
      stochRsiPeriod: int(14),
      kPeriod: int(3),
      dPeriod: int(3),
      stochOversold: level(20),
      stochOverbought: level(80),
    })
    .refine((s) => s.stochOversold < s.stochOverbought, { path: ['stochOversold'], message: 'must be below stochOverbought' }),
  z
    .object({ strategy: z.literal('macdCross'), macdFast: int(12), macdSlow: int(26), macdSignal: int(9) })
    .refine((s) => s.macdFast < s.macdSlow, { path: ['macdFast'], message: 'must be smaller than macdSlow' }),
  z.object({ strategy: z.literal('fvg'), fvgMinGapPct: num(0.1).pipe(z.number().min(0, 'must be 0 or more')) }),
  z
    .object({
      strategy: z.literal('rules'),
      entryMode: z.enum(['all', 'any']).default('all'),
      entryRules: z.array(RuleSchema).default([]),
      exitMode: z.enum(['all', 'any']).default('all'),
      exitRules: z.array(RuleSchema).default([]),
      /** Share of the position an exit sells, 0 < f <= 1; empty: all of it. */
      exitFraction: numeric(z.number().gt(0, 'must be above 0 (a share of the position, 0 < fraction <= 1)').max(1, 'must be at most 1 (1 sells the whole position)').optional()),
    })
    .refine((s) => s.entryRules.length + s.exitRules.length > 0, { path: ['entryRules'], message: 'add at least one entry or exit condition' }),
  z
    .object({
      strategy: z.literal('decision'),
      policy: z.enum(['unanimous', 'majority', 'weighted']).default('majority'),
      members: z
        .array(z.object({ strategy: z.string().trim().min(1, 'needs the strategy name'), weight: positive(1) }))
        .min(1, 'add at least one strategy'),
      windowSeconds: positive(60),
      threshold: positive(0.6, 1),
    })
    .refine((s) => new Set(s.members.map((m) => m.strategy)).size === s.members.length, { path: ['members'], message: 'a strategy is listed twice' }),
]);

export type StrategySettings = z.infer<typeof StrategySettingsSchema>;
export type StrategyKind = StrategySettings['strategy'];
export const STRATEGY_KINDS: readonly StrategyKind[] = ['maCross', 'rsi', 'bollingerStochRsi', 'macdCross', 'fvg', 'rules', 'decision'];

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
  }
  return settings;
}

/** The name signals carry when the node has none: short, stable, readable. */
export function defaultStrategyName(s: StrategySettings): string {
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
