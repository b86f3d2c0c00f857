/**
 * Indicator specifications: type + parameters, validated with zod so a bad parameter is
 * reported with its name. Defaults and definitions: docs/indicators.md.
 */
import { z } from 'zod';
import { zodError } from '../contract';
import { fieldError } from '../errors';

import {
  INDICATOR_DEFAULTS as D,
  INDICATOR_PERIOD,
  INDICATOR_TYPES as TYPES,
  MAX_ACCELERATION,
  MAX_MULTIPLIER,
  MAX_STD_DEV,
  PIVOT_METHODS,
  PIVOT_SESSIONS,
  PRICE_SOURCES,
  VWAP_ANCHORS,
} from './kinds';

/** Numbers, or numeric strings from the editor; nothing else (no booleans, arrays). */
const numeric = (schema: z.ZodNumber) => z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), schema);
const period = (def: unknown) =>
  numeric(z.number().int('must be a whole number').min(INDICATOR_PERIOD.min, `must be at least ${INDICATOR_PERIOD.min}`).max(INDICATOR_PERIOD.max, `must be at most ${INDICATOR_PERIOD.max}`)).default(def as number);
/** A positive factor (multiplier, acceleration): above 0, at most `max`. */
const factor = (max: number, def: unknown) => numeric(z.number().positive('must be above 0').max(max, `must be at most ${max}`)).default(def as number);
export const SourceSchema = z.enum(PRICE_SOURCES).default('close');
export type PriceSource = z.infer<typeof SourceSchema>;

export const IndicatorSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sma'), period: period(D.sma.period), src: SourceSchema }),
  z.strictObject({ type: z.literal('ema'), period: period(D.ema.period), src: SourceSchema }),
  z.strictObject({ type: z.literal('wma'), period: period(D.wma.period), src: SourceSchema }),
  z.strictObject({ type: z.literal('rsi'), period: period(D.rsi.period), src: SourceSchema }),
  z
    .strictObject({ type: z.literal('macd'), fast: period(D.macd.fast), slow: period(D.macd.slow), signal: period(D.macd.signal), src: SourceSchema })
    .refine((s) => s.fast < s.slow, { path: ['fast'], message: 'must be smaller than slow' }),
  z.strictObject({
    type: z.literal('bollinger'),
    period: period(D.bollinger.period),
    stdDev: numeric(z.number().positive('must be above 0').max(MAX_STD_DEV, `must be at most ${MAX_STD_DEV}`)).default(D.bollinger.stdDev as number),
    src: SourceSchema,
  }),
  z.strictObject({ type: z.literal('stochastic'), period: period(D.stochastic.period), kSmoothing: period(D.stochastic.kSmoothing), dPeriod: period(D.stochastic.dPeriod) }),
  z.strictObject({
    type: z.literal('stochrsi'),
    rsiPeriod: period(D.stochrsi.rsiPeriod),
    stochPeriod: period(D.stochrsi.stochPeriod),
    kPeriod: period(D.stochrsi.kPeriod),
    dPeriod: period(D.stochrsi.dPeriod),
    src: SourceSchema,
  }),
  z.strictObject({ type: z.literal('atr'), period: period(D.atr.period) }),
  z.strictObject({ type: z.literal('adx'), period: period(D.adx.period) }),
  z.strictObject({ type: z.literal('cci'), period: period(D.cci.period) }),
  z.strictObject({ type: z.literal('obv') }),
  z.strictObject({ type: z.literal('vwap'), anchor: z.enum(VWAP_ANCHORS).default('day') }),
  z.strictObject({ type: z.literal('roc'), period: period(D.roc.period), src: SourceSchema }),
  z.strictObject({ type: z.literal('williamsr'), period: period(D.williamsr.period) }),
  z.strictObject({ type: z.literal('mfi'), period: period(D.mfi.period) }),
  z.strictObject({ type: z.literal('donchian'), period: period(D.donchian.period) }),
  z.strictObject({
    type: z.literal('keltner'),
    period: period(D.keltner.period),
    multiplier: factor(MAX_MULTIPLIER, D.keltner.multiplier),
    atrPeriod: period(D.keltner.atrPeriod),
  }),
  z.strictObject({ type: z.literal('supertrend'), period: period(D.supertrend.period), multiplier: factor(MAX_MULTIPLIER, D.supertrend.multiplier) }),
  z
    .strictObject({ type: z.literal('psar'), step: factor(MAX_ACCELERATION, D.psar.step), maxStep: factor(MAX_ACCELERATION, D.psar.maxStep) })
    .refine((s) => s.step <= s.maxStep, { path: ['step'], message: 'must not be larger than maxStep' }),
  z.strictObject({
    type: z.literal('ichimoku'),
    conversionPeriod: period(D.ichimoku.conversionPeriod),
    basePeriod: period(D.ichimoku.basePeriod),
    spanBPeriod: period(D.ichimoku.spanBPeriod),
    displacement: period(D.ichimoku.displacement),
  }),
  z.strictObject({ type: z.literal('heikinashi') }),
  z.strictObject({ type: z.literal('pivots'), method: z.enum(PIVOT_METHODS).default('classic'), session: z.enum(PIVOT_SESSIONS).default('day') }),
  z.strictObject({ type: z.literal('patterns') }),
]);

export type IndicatorSpec = z.infer<typeof IndicatorSpecSchema>;
export type IndicatorType = IndicatorSpec['type'];
export const INDICATOR_TYPES: readonly IndicatorType[] = TYPES;

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
