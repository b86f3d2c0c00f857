/**
 * An alert from outside (a TradingView alert's webhook, any service that POSTs JSON) turned into
 * a signal, or refused with the HTTP status to answer: 401 when the shared secret is missing or
 * wrong (checked first, in constant time, before anything else of the body is read), 400 when
 * the body is not a JSON object or a field is bad (the answer names it), 503 while the flow has no
 * market price of the symbol yet, 500 when no secret is configured at all (nothing is accepted
 * then). Loaded in a function node as `node-red-contrib-tradebot/signal` (signal.js);
 * docs/strategy-code.md documents the alert and the security advice.
 *
 * The signal is priced and timed at the bot's own exchange (its last ticker price and clock),
 * not the alert's: the alert's venue and clock may differ from the exchange the bot trades on (and
 * the simulator's clock runs ahead of the wall clock). Its id comes from the strategy name, the
 * exchange, the symbol, the alert's bar time and the side, so a repeated alert (TradingView
 * retries, a double click) makes the same id and the risk gate refuses it (DUPLICATE_SIGNAL).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { SideSchema, SignalSchema, SymbolSchema, describeZodError, zodErrorField, type Signal } from '../contract';
import { signalId } from './signal-id';

/** The price and time of one symbol at the bot's exchange (its ticker: exchange, last, ts). */
export interface MarketQuote {
  exchange: string;
  price: number;
  ts: number;
}

export interface AlertSettings {
  /** The shared secret the alert must carry (from the environment or a credential, never the flow). Empty: every alert is refused (500). */
  secret: string | undefined;
  /** The bot's market price and clock for a symbol, or undefined when the flow has none yet. */
  market: (symbol: string) => MarketQuote | undefined;
  /** The strategy name when the alert names none (default "webhook"). */
  strategy?: string;
}

/** What to answer, and the signal when the alert was accepted. `body` is the JSON to send back. */
export type AlertAnswer =
  | { status: 200; signal: Signal; body: { ok: true; signal: string } }
  | { status: 400 | 401 | 500 | 503; error: string; field?: string; body: { ok: false; error: string } };

/** The header another sender may use instead of the body's `secret` (TradingView can only send a body). */
export const SECRET_HEADER = 'x-tradebot-secret';

const barTime = z.union([
  z.number().int().nonnegative(),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date, ISO 8601 ("2026-12-03T04:05:00Z")').transform((s) => Date.parse(s)),
], { error: 'must be the bar\'s time: ms since the epoch or ISO 8601 (TradingView: {{time}})' }).pipe(z.number().int().nonnegative('must not be before 1970'));

/** A number, or a number written as text ("{{close}}" in quotes). */
const numeric = z.union([z.number(), z.string().trim().min(1).transform(Number)]).pipe(z.number().finite());

const AlertSchema = z.object({
  symbol: SymbolSchema,
  side: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), SideSchema),
  time: barTime,
  strategy: z.string().trim().min(1).max(100).optional(),
  price: numeric.pipe(z.number().positive()).optional(),
  strength: numeric.pipe(z.number().min(0).max(1)).optional(),
  fraction: numeric.pipe(z.number().gt(0).max(1)).optional(),
});

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
/** Equal texts, compared in a time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function refuse(status: 400 | 401 | 500 | 503, error: string, field?: string): AlertAnswer {
  return { status, error, ...(field ? { field } : {}), body: { ok: false, error } };
}

/** The body as an object: http in gives an object for JSON, a string for text/plain (TradingView's type when the text is not JSON), a Buffer for other types. */
function bodyObject(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The answer to one alert request: `body` is http in's msg.payload, `headers` msg.req.headers.
 * Never throws: every refusal is an answer with its status and a sentence naming the field.
 */
export function alertToSignal(body: unknown, headers: Record<string, unknown> | undefined, settings: AlertSettings): AlertAnswer {
  const expected = settings.secret ?? '';
  if (typeof expected !== 'string' || expected.length === 0) return refuse(500, 'the webhook secret is not set on the server (environment variable TRADEBOT_WEBHOOK_SECRET): no alert is accepted');
  const alert = bodyObject(body);
  if (!alert) return refuse(400, 'body: must be a JSON object ({"secret": ..., "symbol": ..., "side": ..., "time": ...})', 'body');
  const header = headers?.[SECRET_HEADER];
  const given = typeof alert.secret === 'string' ? alert.secret : typeof header === 'string' ? header : '';
  if (!given || !sameSecret(given, expected)) return refuse(401, 'secret: missing or wrong', 'secret');

  const parsed = AlertSchema.safeParse(alert);
  if (!parsed.success) return refuse(400, describeZodError(parsed.error, 'body'), zodErrorField(parsed.error, 'body'));
  const a = parsed.data;
  const quote = settings.market(a.symbol);
  if (!quote) return refuse(503, `body.symbol: no market price of ${a.symbol} at the exchange yet (the flow's ticker node must watch it); try again`, 'body.symbol');
  if (a.fraction !== undefined && a.side !== 'sell') return refuse(400, 'body.fraction: only a sell can carry a fraction (a buy is sized by the risk gate)', 'body.fraction');

  const strategy = a.strategy ?? settings.strategy ?? 'webhook';
  const signal = SignalSchema.safeParse({
    kind: 'signal',
    id: signalId({ strategy, exchange: quote.exchange, symbol: a.symbol, candleTs: a.time, side: a.side }),
    exchange: quote.exchange,
    symbol: a.symbol,
    side: a.side,
    price: quote.price,
    ts: quote.ts,
    candleTs: a.time,
    strategy,
    strength: a.strength ?? 1,
    reason: `alert ${strategy}: ${a.side} ${a.symbol}${a.price !== undefined ? ` (alert price ${a.price})` : ''} at the bar of ${new Date(a.time).toISOString()}`,
    ...(a.fraction !== undefined ? { fraction: a.fraction } : {}),
  });
  // The market quote comes from the flow; a bad one is the server's trouble, not the caller's.
  if (!signal.success) return refuse(500, `the flow's market price of ${a.symbol} is not usable: ${describeZodError(signal.error, 'signal')}`);
  return { status: 200, signal: signal.data, body: { ok: true, signal: signal.data.id } };
}
