/**
 * Signals made by code outside the strategy node: a function node's own strategy, loaded there
 * through Setup > Modules as `node-red-contrib-tradebot/signal` (the file signal.js at the package
 * root re-exports this module and core/strategies/webhook-alert.ts). What it makes is exactly what
 * the strategy node makes for the same candle and side, id included, so the risk gate can refuse a
 * repeated one (DUPLICATE_SIGNAL) whatever path it took. docs/strategy-code.md documents the rules.
 */
import { z } from 'zod';
import { CandleSchema, SideSchema, SignalSchema, describeZodError, zodErrorField, type Candle, type Signal } from '../contract';
import { ValidationError } from '../errors';
import { timeframeToMs } from '../timeframe';
import { signalId } from './signal-id';

/** What a function node chooses besides the candle and the side. */
export interface SignalOptions {
  /** The strategy's name: part of the signal id, so two strategies on one candle make two signals. */
  strategy: string;
  /** 0 (weak) to 1 (strong); default 1. */
  strength?: number;
  /** Why, in words a person reads; default "<strategy>: <side>". */
  reason?: string;
  /** A sell of part of the position, 0 < fraction <= 1 (absent: all of it). */
  fraction?: number;
}

const OptionsSchema = z.object({
  strategy: z.string({ error: 'must be the strategy\'s name (text): it is part of the signal id' }).trim().min(1, 'must be the strategy\'s name (text): it is part of the signal id'),
  strength: z.number().finite().min(0).max(1).optional(),
  reason: z.string().optional(),
  fraction: z.number().optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(describeZodError(result.error, where), zodErrorField(result.error, where));
  return result.data;
}

/**
 * The signal `side` on `candle`, checked: the id is the strategy node's (strategy, exchange,
 * symbol, timeframe, candle open time, side), so the same candle redelivered gives the same id;
 * the price is the candle's close, the time its close time. Throws a ValidationError naming the
 * field (`side: ...`, `candle.close: ...`, `options.strategy: ...`), never returns half a signal.
 */
export function makeSignal(candle: unknown, side: unknown, options: SignalOptions): Signal {
  const c: Candle = parse(CandleSchema, candle, 'candle');
  const s = parse(SideSchema, side, 'side');
  const o = parse(OptionsSchema, options ?? {}, 'options');
  const signal = {
    kind: 'signal' as const,
    id: signalId({ strategy: o.strategy, exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe, candleTs: c.ts, side: s }),
    exchange: c.exchange,
    symbol: c.symbol,
    timeframe: c.timeframe,
    side: s,
    price: c.close,
    ts: c.ts + timeframeToMs(c.timeframe),
    candleTs: c.ts,
    strategy: o.strategy,
    strength: o.strength ?? 1,
    reason: o.reason ?? `${o.strategy}: ${s}`,
    ...(o.fraction !== undefined ? { fraction: o.fraction } : {}),
  };
  return parse(SignalSchema, signal, 'signal');
}

/**
 * A signal built by hand (or received from elsewhere), checked against the message contract:
 * the same signal back, or a ValidationError naming the field (`msg.payload.side: ...`).
 */
export function checkSignal(value: unknown, where = 'msg.payload'): Signal {
  return parse(SignalSchema, value, where);
}

export { signalId };
