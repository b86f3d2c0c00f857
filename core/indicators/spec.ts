/**
 * Indicator specifications: type + parameters, validated with zod so a bad parameter is
 * reported with its name. Defaults and definitions: docs/indicators.md.
 */
import { z } from 'zod';
import { zodError } from '../contract';
import { fieldError } from '../errors';

/** Numbers, or numeric strings from the editor; nothing else (no booleans, arrays). */
const numeric = (schema: z.ZodNumber) => z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), schema);
const period = (def: number) => numeric(z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000')).default(def);
export const SourceSchema = z.enum(['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4']).default('close');
export type PriceSource = z.infer<typeof SourceSchema>;

export const IndicatorSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sma'), period: period(20), src: SourceSchema }),
  z.strictObject({ type: z.literal('ema'), period: period(20), src: SourceSchema }),
  z.strictObject({ type: z.literal('wma'), period: period(20), src: SourceSchema }),
  z.strictObject({ type: z.literal('rsi'), period: period(14), src: SourceSchema }),
  z
    .strictObject({ type: z.literal('macd'), fast: period(12), slow: period(26), signal: period(9), src: SourceSchema })
    .refine((s) => s.fast < s.slow, { path: ['fast'], message: 'must be smaller than slow' }),
  z.strictObject({
    type: z.literal('bollinger'),
    period: period(20),
    stdDev: numeric(z.number().positive('must be above 0').max(10, 'must be at most 10')).default(2),
    src: SourceSchema,
  }),
  z.strictObject({ type: z.literal('stochastic'), period: period(14), kSmoothing: period(3), dPeriod: period(3) }),
  z.strictObject({
    type: z.literal('stochrsi'),
    rsiPeriod: period(14),
    stochPeriod: period(14),
    kPeriod: period(3),
    dPeriod: period(3),
    src: SourceSchema,
  }),
  z.strictObject({ type: z.literal('atr'), period: period(14) }),
  z.strictObject({ type: z.literal('adx'), period: period(14) }),
  z.strictObject({ type: z.literal('cci'), period: period(20) }),
  z.strictObject({ type: z.literal('obv') }),
  z.strictObject({ type: z.literal('vwap'), anchor: z.enum(['day', 'none']).default('day') }),
  z.strictObject({ type: z.literal('roc'), period: period(10), src: SourceSchema }),
  z.strictObject({ type: z.literal('williamsr'), period: period(14) }),
  z.strictObject({ type: z.literal('mfi'), period: period(14) }),
]);

export type IndicatorSpec = z.infer<typeof IndicatorSpecSchema>;
export type IndicatorType = IndicatorSpec['type'];
export const INDICATOR_TYPES: readonly IndicatorType[] = [
  'sma', 'ema', 'wma', 'rsi', 'macd', 'bollinger', 'stochastic', 'stochrsi',
  'atr', 'adx', 'cci', 'obv', 'vwap', 'roc', 'williamsr', 'mfi',
];

/** Validates a spec (from the editor or a message); the error names the field. */
export function parseIndicatorSpec(input: unknown, where = 'indicator'): IndicatorSpec {
  const type = (input as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !INDICATOR_TYPES.includes(type as IndicatorType)) {
    throw fieldError(`${where}.type`, `${where}.type: "${String(type)}" is not an indicator; use one of ${INDICATOR_TYPES.join(', ')}`);
  }
  const result = IndicatorSpecSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, where);
  return result.data;
}
