/**
 * The message contract: every payload that travels between tradebot nodes.
 *
 * One module, zod schemas, exported TypeScript types. Nodes validate their input
 * with these schemas so bad input ends in done(err) with a message that names the
 * field, and never reaches an exchange. Later issues add signal, order request and
 * order update here.
 */
import { z } from 'zod';
import { fieldError, ValidationError, type ConfigError } from './errors';
import { SYMBOL_RE } from './symbol-pattern';

export const SymbolSchema = z.string().regex(SYMBOL_RE, 'must look like BASE/QUOTE, for example BTC/USDT');

export const ModeSchema = z.enum(['sim', 'backtest', 'paper', 'live']);
export type Mode = z.infer<typeof ModeSchema>;

/** Timeframes in ccxt's notation. */
const TIMEFRAME_RE = /^[1-9][0-9]*(s|m|h|d|w|M)$/;
export const TimeframeSchema = z.string().regex(TIMEFRAME_RE, 'must be a timeframe such as 1m, 5m, 1h or 1d');

const finite = z.number().finite();
const price = finite.positive();
const amount = finite.nonnegative();
/** Milliseconds since the Unix epoch. */
const timestamp = z.number().int().nonnegative();

export const TickerSchema = z.object({
  kind: z.literal('ticker'),
  exchange: z.string().min(1),
  symbol: SymbolSchema,
  ts: timestamp,
  bid: price.nullable(),
  ask: price.nullable(),
  last: price,
  baseVolume: amount.optional(),
});
export type Ticker = z.infer<typeof TickerSchema>;

/** One book level: [price, amount]. */
export const LevelSchema = z.tuple([price, amount]);
export type Level = z.infer<typeof LevelSchema>;

export const OrderBookSchema = z.object({
  kind: z.literal('orderbook'),
  exchange: z.string().min(1),
  symbol: SymbolSchema,
  ts: timestamp,
  /** Best bid first (descending price). */
  bids: z.array(LevelSchema),
  /** Best ask first (ascending price). */
  asks: z.array(LevelSchema),
  /** (best bid + best ask) / 2; null when one side is empty. */
  mid: price.nullable(),
  /** best ask - best bid, in quote currency; null when one side is empty. */
  spread: finite.nullable(),
  /** (bid volume - ask volume) / (bid volume + ask volume) over the levels shown, in [-1, 1]. */
  imbalance: finite.min(-1).max(1).nullable(),
});
export type OrderBook = z.infer<typeof OrderBookSchema>;

export const CandleSchema = z
  .object({
    kind: z.literal('candle'),
    exchange: z.string().min(1),
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    /** Open time of the candle, ms. */
    ts: timestamp,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: amount,
  })
  .superRefine((c, ctx) => {
    if (c.high < Math.max(c.open, c.close, c.low)) {
      ctx.addIssue({ code: 'custom', path: ['high'], message: 'high must be >= open, close and low' });
    }
    if (c.low > Math.min(c.open, c.close, c.high)) {
      ctx.addIssue({ code: 'custom', path: ['low'], message: 'low must be <= open, close and high' });
    }
  });
export type Candle = z.infer<typeof CandleSchema>;

const isPrice = (v: unknown): v is number => typeof v === 'number' && v > 0 && v < Infinity;

/**
 * The last symbol and timeframe the hand-written check found well-formed: the candles of a series
 * carry the same strings, so the patterns run once per series instead of once per candle.
 */
let wellFormedSymbol: string | undefined;
let wellFormedTimeframe: string | undefined;

/** SYMBOL_RE.test(symbol), the last symbol it took remembered. */
function isWellFormedSymbol(symbol: string): boolean {
  if (symbol === wellFormedSymbol) return true;
  if (!SYMBOL_RE.test(symbol)) return false;
  wellFormedSymbol = symbol;
  return true;
}

/** TIMEFRAME_RE.test(timeframe), the last timeframe it took remembered. */
function isWellFormedTimeframe(timeframe: string): boolean {
  if (timeframe === wellFormedTimeframe) return true;
  if (!TIMEFRAME_RE.test(timeframe)) return false;
  wellFormedTimeframe = timeframe;
  return true;
}

/** The hand-written check of parseCandle(): true only for what CandleSchema accepts (false: ask the schema). */
function handChecked(value: unknown): value is Candle {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const { exchange, symbol, timeframe, ts, open, high, low, close, volume } = c;
  return (
    c.kind === 'candle' &&
    typeof exchange === 'string' &&
    exchange.length > 0 &&
    typeof symbol === 'string' &&
    typeof timeframe === 'string' &&
    typeof ts === 'number' &&
    Number.isSafeInteger(ts) &&
    ts >= 0 &&
    isPrice(open) &&
    isPrice(high) &&
    isPrice(low) &&
    isPrice(close) &&
    typeof volume === 'number' &&
    volume >= 0 &&
    volume < Infinity &&
    high >= open &&
    high >= close &&
    high >= low &&
    low <= open &&
    low <= close &&
    isWellFormedSymbol(symbol) &&
    isWellFormedTimeframe(timeframe)
  );
}

/**
 * CandleSchema's parse for the hot path (every candle, in the indicator and the strategy): a
 * hand-written check of exactly what the schema accepts, and the same result (a new object with
 * the schema's fields only, in its order). Anything the check does not accept goes to the schema
 * itself, so a bad candle fails with zod's message naming the field, word for word.
 */
export function parseCandle(value: unknown, where: string): Candle {
  if (handChecked(value)) {
    const { exchange, symbol, timeframe, ts, open, high, low, close, volume } = value;
    return { kind: 'candle', exchange, symbol, timeframe, ts, open, high, low, close, volume };
  }
  return parseOrThrow(CandleSchema, value, where);
}

/** Whether parseCandle() takes the value, with no copy made (the backtest's fast path checks each candle it delivers once). */
export function isCandle(value: unknown): boolean {
  return handChecked(value) || CandleSchema.safeParse(value).success;
}

export const SideSchema = z.enum(['buy', 'sell']);
export type Side = z.infer<typeof SideSchema>;

/** A strategy's decision on one candle. */
export const SignalSchema = z.object({
  kind: z.literal('signal'),
  /** Deterministic: the same strategy, symbol, candle and side always give the same id. */
  id: z.string().min(1),
  exchange: z.string().min(1),
  symbol: SymbolSchema,
  timeframe: TimeframeSchema.optional(),
  side: SideSchema,
  /** The price the decision was made at (the candle's close). */
  price: price,
  /** When the signal was made: the close time of the candle, ms. */
  ts: timestamp,
  /** Open time of the candle the decision was made on, ms. */
  candleTs: timestamp,
  /** Name of the strategy that made it. */
  strategy: z.string().min(1),
  /** Confidence from 0 (weak) to 1 (strong); each strategy documents its scale. */
  strength: finite.min(0).max(1),
  /** Why, in words a person reads. */
  reason: z.string(),
  /**
   * A sell of part of the position: the share of the amount held, 0 < fraction <= 1 (absent: all
   * of it). The risk gate sells fraction x held, rounded down to the market's amount step.
   */
  fraction: finite.gt(0, 'must be above 0 (a share of the position, 0 < fraction <= 1)').max(1, 'must be at most 1 (1 sells the whole position)').optional(),
}).superRefine((s, ctx) => {
  if (s.fraction !== undefined && s.side !== 'sell') ctx.addIssue({ code: 'custom', path: ['fraction'], message: 'only a sell can carry a fraction (a buy is sized by the risk gate)' });
});
export type Signal = z.infer<typeof SignalSchema>;

/** The most rungs a take-profit ladder may have (each rung's client order id is `<opening id>-tp<n>`). */
export const MAX_LADDER_RUNGS = 10;

export const OrderTypeSchema = z.enum(['market', 'limit']);
export type OrderType = z.infer<typeof OrderTypeSchema>;

/** Exchange client order ids: Binance allows 36 characters of [A-Za-z0-9-_]; most exchanges similar. */
export const ClientOrderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,36}$/, 'must be 1-36 letters, digits, - or _');

/** What the risk gate approves and the place-order node executes. */
export const OrderRequestSchema = z
  .object({
    kind: z.literal('orderRequest'),
    /** Deterministic (derived from the signal id): the same request can never become two orders. */
    clientOrderId: ClientOrderIdSchema,
    signalId: z.string().min(1).optional(),
    /** The strategy whose signal it came from (the risk gate copies signal.strategy): the journal's per-strategy results. */
    strategy: z.string().min(1).optional(),
    exchange: z.string().min(1).optional(),
    symbol: SymbolSchema,
    side: SideSchema,
    type: OrderTypeSchema,
    /** Base currency amount, rounded to the market's precision. */
    amount: finite.positive(),
    /** Limit price; required for limit orders. */
    price: price.optional(),
    stopLoss: price.optional(),
    takeProfit: price.optional(),
    /**
     * Take-profit ladder of a buy: rungs by rising price, each selling its share of the position
     * (fractions add up to 1) once, when the price reaches it. Not together with takeProfit.
     */
    takeProfitLadder: z.array(z.object({ fraction: finite.gt(0, 'must be above 0').max(1, 'must be at most 1'), price: price })).min(1).max(MAX_LADDER_RUNGS, `at most ${MAX_LADDER_RUNGS} rungs`).optional(),
    /** Trailing stop distance as a fraction of price (0.02 = 2 %). */
    trailingStop: finite.positive().max(0.5).optional(),
    /** Cancel a limit order still open after this many ms; at least 1000 (a cancel right after placing is never meant). */
    timeoutMs: z.number().int().min(1000, 'must be at least 1000 (ms)').optional(),
    /** Why: the signal reason and the sizing. */
    reason: z.string().optional(),
    ts: timestamp,
  })
  .superRefine((o, ctx) => {
    if (o.type === 'limit' && o.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
    }
    const ladder = o.takeProfitLadder;
    if (ladder) {
      if (o.side !== 'buy') ctx.addIssue({ code: 'custom', path: ['takeProfitLadder'], message: 'only a buy arms a take-profit ladder' });
      if (o.takeProfit !== undefined) ctx.addIssue({ code: 'custom', path: ['takeProfitLadder'], message: 'set either takeProfit or takeProfitLadder, not both' });
      const sum = ladder.reduce((total, rung) => total + rung.fraction, 0);
      if (Math.abs(sum - 1) > 1e-9) ctx.addIssue({ code: 'custom', path: ['takeProfitLadder'], message: `the rungs' fractions must add up to 1 (they add up to ${+sum.toPrecision(10)})` });
      ladder.forEach((rung, i) => {
        if (i > 0 && !(rung.price > ladder[i - 1]!.price)) ctx.addIssue({ code: 'custom', path: ['takeProfitLadder', i, 'price'], message: 'must be above the price of the rung before (rungs by rising price)' });
      });
    }
  });
export type OrderRequest = z.infer<typeof OrderRequestSchema>;

/**
 * The client order id pattern of OrderRequestSchema (/^[A-Za-z0-9_-]{1,36}$/) written out: 1 to 36 letters, digits, "_"
 * or "-" (each request has a new id: nothing to remember, and the loop is cheaper than the pattern).
 */
function isClientOrderId(id: string): boolean {
  const n = id.length;
  if (n < 1 || n > 36) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45)) return false;
  }
  return true;
}
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTimestamp = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** An optional field as the hand-written checks take it: absent, or not undefined (an explicit undefined goes to the schema). */
const absent = (o: object, key: string, v: unknown) => v === undefined && !(key in o);

/**
 * SignalSchema's result for a signal a hand-written check accepts (the backtest's fast path: every
 * signal a strategy makes), with no zod parse: exactly what the schema accepts, and the same
 * result (a new object with the schema's fields only, in its order). Undefined for anything the
 * check does not take: the caller then asks the schema, which accepts it or names the field.
 */
export function checkedSignal(value: unknown): Signal | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const { id, exchange, symbol, timeframe, side, price, ts, candleTs, strategy, strength, reason, fraction } = v;
  if (
    v.kind !== 'signal' ||
    !isText(id) ||
    !isText(exchange) ||
    typeof symbol !== 'string' ||
    !isWellFormedSymbol(symbol) ||
    !(typeof timeframe === 'string' ? isWellFormedTimeframe(timeframe) : absent(v, 'timeframe', timeframe)) ||
    (side !== 'buy' && side !== 'sell') ||
    !isPrice(price) ||
    !isTimestamp(ts) ||
    !isTimestamp(candleTs) ||
    !isText(strategy) ||
    typeof strength !== 'number' ||
    !(strength >= 0 && strength <= 1) ||
    typeof reason !== 'string' ||
    !(typeof fraction === 'number' ? fraction > 0 && fraction <= 1 && side === 'sell' : absent(v, 'fraction', fraction))
  ) {
    return undefined;
  }
  // The schema's order: timeframe after symbol, fraction last.
  const out: Signal =
    timeframe === undefined
      ? { kind: 'signal', id, exchange, symbol, side, price, ts, candleTs, strategy, strength, reason }
      : { kind: 'signal', id, exchange, symbol, timeframe: timeframe as string, side, price, ts, candleTs, strategy, strength, reason };
  if (fraction !== undefined) out.fraction = fraction as number;
  return out;
}

/**
 * OrderRequestSchema's result for a request a hand-written check accepts (the backtest's fast
 * path: every request a risk gate approves), as checkedSignal() for signals. A take-profit ladder
 * is left to the schema (undefined).
 */
export function checkedOrderRequest(value: unknown): OrderRequest | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const { clientOrderId, signalId, strategy, exchange, symbol, side, type, amount, price, stopLoss, takeProfit, takeProfitLadder, trailingStop, timeoutMs, reason, ts } = v;
  if (
    v.kind !== 'orderRequest' ||
    typeof clientOrderId !== 'string' ||
    !isClientOrderId(clientOrderId) ||
    !(isText(signalId) || absent(v, 'signalId', signalId)) ||
    !(isText(strategy) || absent(v, 'strategy', strategy)) ||
    !(isText(exchange) || absent(v, 'exchange', exchange)) ||
    typeof symbol !== 'string' ||
    !isWellFormedSymbol(symbol) ||
    (side !== 'buy' && side !== 'sell') ||
    (type !== 'market' && type !== 'limit') ||
    !(typeof amount === 'number' && amount > 0 && amount < Infinity) ||
    !(isPrice(price) || absent(v, 'price', price)) ||
    (type === 'limit' && price === undefined) ||
    !(isPrice(stopLoss) || absent(v, 'stopLoss', stopLoss)) ||
    !(isPrice(takeProfit) || absent(v, 'takeProfit', takeProfit)) ||
    !absent(v, 'takeProfitLadder', takeProfitLadder) ||
    !((typeof trailingStop === 'number' && trailingStop > 0 && trailingStop <= 0.5) || absent(v, 'trailingStop', trailingStop)) ||
    !((typeof timeoutMs === 'number' && Number.isSafeInteger(timeoutMs) && timeoutMs >= 1000) || absent(v, 'timeoutMs', timeoutMs)) ||
    !(typeof reason === 'string' || absent(v, 'reason', reason)) ||
    !isTimestamp(ts)
  ) {
    return undefined;
  }
  // The schema's fields in its order, the optional ones only where given.
  const out: Record<string, unknown> = { kind: 'orderRequest', clientOrderId };
  if (signalId !== undefined) out.signalId = signalId;
  if (strategy !== undefined) out.strategy = strategy;
  if (exchange !== undefined) out.exchange = exchange;
  out.symbol = symbol;
  out.side = side;
  out.type = type;
  out.amount = amount;
  if (price !== undefined) out.price = price;
  if (stopLoss !== undefined) out.stopLoss = stopLoss;
  if (takeProfit !== undefined) out.takeProfit = takeProfit;
  if (trailingStop !== undefined) out.trailingStop = trailingStop;
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  if (reason !== undefined) out.reason = reason;
  out.ts = ts;
  return out as OrderRequest;
}

/**
 * open: resting or being filled; closed: filled; canceled; rejected: never placed; expired: ended
 * by the exchange with the rest unfilled. unknown (live): a request failed ambiguously (timeout,
 * 5xx, reset): the order may exist or still appear; it is looked up over the exchange node's
 * unknown-order window and never sent again; the reason says so. Not final.
 */
export const OrderStatusSchema = z.enum(['open', 'closed', 'canceled', 'rejected', 'expired', 'unknown']);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** Every change of an order, from submission to its final state. */
export const OrderUpdateSchema = z.object({
  kind: z.literal('orderUpdate'),
  /** The exchange's order id (the simulator's in sim/paper); null when never accepted. */
  id: z.string().nullable(),
  clientOrderId: ClientOrderIdSchema,
  signalId: z.string().optional(),
  exchange: z.string().min(1),
  symbol: SymbolSchema,
  side: SideSchema,
  type: OrderTypeSchema,
  status: OrderStatusSchema,
  amount: amount,
  filled: amount,
  remaining: amount,
  /** Average fill price; null before any fill. */
  average: price.nullable(),
  price: price.nullable(),
  fee: z.object({ cost: amount, currency: z.string() }),
  ts: timestamp,
  mode: ModeSchema,
  /** Why it was rejected, canceled or expired, or why its outcome is unknown; or what closed a position (stop-loss, ...). */
  reason: z.string().optional(),
});
export type OrderUpdate = z.infer<typeof OrderUpdateSchema>;

/** A signal or order request the risk gate (or the order node) refused, and why. */
export const RejectionSchema = z.object({
  kind: z.literal('rejection'),
  /** Machine-readable: MAX_POSITIONS, COOLDOWN, KILL_SWITCH, ... */
  code: z.string(),
  /** A sentence a person understands. */
  reason: z.string(),
  symbol: z.string().optional(),
  side: SideSchema.optional(),
  signalId: z.string().optional(),
  clientOrderId: z.string().optional(),
  ts: timestamp,
  /** Set on the one message a breaker (drawdown, daily loss limit) sends when it trips. */
  trip: z.literal(true).optional(),
  /** What the tripped breaker does: 'refuse' (new entries) or 'flatten' (also closes every position). */
  action: z.enum(['refuse', 'flatten']).optional(),
});
export type Rejection = z.infer<typeof RejectionSchema>;

/** One currency's balance as the account had it and as the exchange has it (totals: free + used). */
export const BalanceDriftSchema = z.object({
  currency: z.string().min(1),
  was: finite,
  now: finite,
  /** now - was */
  delta: finite,
});

/** An order of the drift report: open at the exchange but unknown to the bot, or the other way round. */
export const DriftOrderSchema = z.object({
  clientOrderId: z.string().nullable(),
  id: z.string().nullable(),
  symbol: z.string(),
  side: SideSchema,
  type: z.string(),
  amount: amount,
  filled: amount,
  price: finite.nullable(),
});

/**
 * Live: the exchange's balances or open orders differ from the account's settled state (a trade
 * on the exchange's website, a fill missed while the bot was down, a deposit). The balances are
 * adopted as the exchange has them; orders unknown to the bot are reported, never touched.
 * Reconciliation never places an order. From a place-order node's output 1.
 */
export const DriftSchema = z.object({
  kind: z.literal('drift'),
  exchange: z.string().min(1),
  mode: ModeSchema,
  /** 'periodic', 'reconnect' or 'start': what started the comparison. */
  trigger: z.enum(['periodic', 'reconnect', 'start']),
  balances: z.array(BalanceDriftSchema),
  /** Open at the exchange, not an order of the bot (placed by hand, or by another program). */
  unknownToBot: z.array(DriftOrderSchema),
  /** Open at the account (acknowledged by the exchange), not open at the exchange any more. */
  missingAtExchange: z.array(DriftOrderSchema),
  /** The difference in one sentence. */
  reason: z.string(),
  ts: timestamp,
});
export type Drift = z.infer<typeof DriftSchema>;

/**
 * A lifecycle event of the bot, for the notifier: start / stop (the exchange's account ready, the
 * flows stopping), kill / resume (the kill switch), breaker (the drawdown breaker or the daily loss
 * limit tripped), forceExit (a position closed at market on request). From a place-order node's
 * output 1 (start, stop) or a risk gate's output 2 (kill, resume, breaker, forceExit).
 */
export const LIFECYCLE_EVENTS = ['start', 'stop', 'kill', 'resume', 'breaker', 'forceExit'] as const;
export const LifecycleSchema = z.object({
  kind: z.literal('lifecycle'),
  event: z.enum(LIFECYCLE_EVENTS),
  exchange: z.string().min(1),
  mode: ModeSchema.optional(),
  /** The symbol concerned (force exit of one symbol); absent when the event is about the whole bot. */
  symbol: z.string().optional(),
  /** Why, in words a person reads. */
  reason: z.string(),
  ts: timestamp,
});
export type Lifecycle = z.infer<typeof LifecycleSchema>;

/**
 * A symbol list for the market-data nodes to follow (the pairlist node's output; any flow may send
 * one): the candles and ticker nodes start feeds for the symbols new to them and stop those no
 * longer listed. `pairs` (the ranking's figures) and `added` / `removed` are for people and
 * dashboards; a follower reads only `symbols`.
 */
export const PairlistSchema = z.object({
  kind: z.literal('pairlist'),
  exchange: z.string().min(1).optional(),
  ts: timestamp.optional(),
  symbols: z.array(SymbolSchema).max(500),
  pairs: z
    .array(z.object({ symbol: SymbolSchema, quoteVolume: amount, last: price, spreadPct: finite.nonnegative().nullable() }))
    .optional(),
  added: z.array(SymbolSchema).optional(),
  removed: z.array(SymbolSchema).optional(),
});
export type Pairlist = z.infer<typeof PairlistSchema>;

export const PayloadSchema = z.union([TickerSchema, OrderBookSchema, CandleSchema, SignalSchema, OrderRequestSchema, OrderUpdateSchema, RejectionSchema, DriftSchema, LifecycleSchema]);
export type Payload = z.infer<typeof PayloadSchema>;

/** ccxt's OHLCV row layout: [timestamp, open, high, low, close, volume]. */
export type OhlcvRow = [number, number, number, number, number, number];

/**
 * Turns a zod error into one sentence that names the field, for done(err) and status.
 * `where` says what was validated, for example "msg.payload".
 */
export function describeZodError(error: z.ZodError, where: string): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length ? `${where}.${issue.path.map(String).join('.')}` : where;
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return parts.join('; ') + more;
}

/** The first field a zod error names (msg.payload.side), for the error's `field`. */
export function zodErrorField(error: z.ZodError, where: string): string {
  const path = error.issues[0]?.path ?? [];
  return path.length ? `${where}.${path.map(String).join('.')}` : where;
}

/**
 * A zod error as the error to throw: a ValidationError when `where` is a message's field
 * (msg.payload), a ConfigError when it is a setting's (risk, strategy); the message is
 * describeZodError's sentence.
 */
export function zodError(error: z.ZodError, where: string): ValidationError | ConfigError {
  return fieldError(zodErrorField(error, where), describeZodError(error, where));
}

/** Parses `value` with `schema`, or throws a ContractError whose message names the field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ContractError(describeZodError(result.error, where), zodErrorField(result.error, where));
  return result.data;
}

/** A payload that breaks the message contract (core/errors.ts: a validation failure). */
export class ContractError extends ValidationError {
  override name = 'ContractError';
}
