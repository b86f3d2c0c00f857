/**
 * The streams bus: tradebot messages between Node-RED instances over Redis Streams.
 *
 * One entry per message, with one field `msg` holding the JSON of the parts of a message that
 * travel: `{topic, payload, indicators?, indicatorsPending?, warmup?, gap?}`. The payload is
 * checked against the message contract before it is written (and again when it is read), so
 * nothing that a tradebot node would refuse ever goes onto the bus; an invalid message is an
 * error naming the field, and nothing is written.
 *
 * Writers XADD with `MAXLEN ~ N` (approximate trimming: Redis drops whole internal nodes of
 * the stream, so the length stays between N and about N + 100). Readers are consumer groups:
 * see stream-reader.ts. Keys are within the connection's key prefix (ioredis adds it).
 */
import { STREAM_DEFAULTS, STREAM_NAME_RE, STREAM_NAME_RULE, STREAM_RANGES } from './stream-ranges';
import os from 'node:os';
import { z } from 'zod';
import { describeZodError, PayloadSchema, ContractError, zodError, zodErrorField } from '../contract';
import { ready, type RedisClient } from './connection';

// ------------------------------------------------------------------ the message on the bus

/** The payload schema of each kind, taken from the contract's union (so a new kind travels too). */
const SCHEMA_BY_KIND = new Map<string, z.ZodType>(
  PayloadSchema.options.map((schema) => [(schema.shape.kind as z.ZodLiteral<string>).value, schema as z.ZodType]),
);
export const PAYLOAD_KINDS = [...SCHEMA_BY_KIND.keys()];

const finite = z.number().finite();
/** Indicator values: a number, an object of numbers (MACD, Bollinger, ...) or null while warming up. */
const IndicatorsSchema = z.record(z.string(), z.union([finite, z.null(), z.record(z.string(), finite.nullable())]));
const IndicatorsPendingSchema = z.record(z.string(), z.number().int().nonnegative());
const GapSchema = z.object({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative(), missing: z.number().int().nonnegative() });

/** What travels of a message. */
export interface StreamMessage {
  topic?: string;
  payload: z.infer<typeof PayloadSchema>;
  indicators?: z.infer<typeof IndicatorsSchema>;
  indicatorsPending?: z.infer<typeof IndicatorsPendingSchema>;
  warmup?: boolean;
  gap?: z.infer<typeof GapSchema>;
}

/** The optional parts beside the payload, each with its schema. */
const EXTRAS = [
  ['topic', z.string()],
  ['indicators', IndicatorsSchema],
  ['indicatorsPending', IndicatorsPendingSchema],
  ['warmup', z.boolean()],
  ['gap', GapSchema],
] as const;

function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ContractError(describeZodError(result.error, where), zodErrorField(result.error, where));
  return result.data;
}

/**
 * The travelling parts of `msg`, validated: the payload by its kind's contract schema, the rest
 * by shape. Throws a ContractError naming the field (`msg.payload.last: ...`). `where` is the
 * name the errors use for the message ("msg" for a flow message, "entry 1-0" for a read entry).
 */
export function toStreamMessage(msg: Record<string, unknown>, where = 'msg'): StreamMessage {
  const payload = msg.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ContractError(`${where}.payload: must be a tradebot payload object with a kind (${PAYLOAD_KINDS.join(', ')})`);
  }
  const kind = (payload as { kind?: unknown }).kind;
  const schema = typeof kind === 'string' ? SCHEMA_BY_KIND.get(kind) : undefined;
  if (!schema) {
    throw new ContractError(`${where}.payload.kind: ${kind === undefined ? 'missing' : JSON.stringify(kind) + ' is not a kind the contract knows'}; one of ${PAYLOAD_KINDS.join(', ')}`);
  }
  const parsed = check(schema, payload, `${where}.payload`) as StreamMessage['payload'];
  // topic first, then the payload: the order a person reading the entry (redis-cli) expects.
  const out = {} as StreamMessage;
  if (typeof msg.topic === 'string') out.topic = msg.topic;
  out.payload = parsed;
  for (const [field, fieldSchema] of EXTRAS) {
    const value = msg[field];
    if (value === undefined || value === null) continue;
    (out as unknown as Record<string, unknown>)[field] = check(fieldSchema as z.ZodType, value, `${where}.${field}`);
  }
  return out;
}

/** The JSON that goes into the entry's `msg` field; throws (naming the field) when invalid. */
export function encodeStreamMessage(msg: Record<string, unknown>): string {
  return JSON.stringify(toStreamMessage(msg));
}

/** Reads an entry's `msg` field back; throws a ContractError saying what is wrong with it. */
export function decodeStreamMessage(json: string | undefined, id: string): StreamMessage {
  const where = `entry ${id}`;
  if (json === undefined) throw new ContractError(`${where}: has no "msg" field (not written by a tradebot stream out node?)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ContractError(`${where}.msg: is not JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ContractError(`${where}.msg: must be a JSON object`);
  return toStreamMessage(parsed as Record<string, unknown>, where);
}

/** The field list of an entry as Redis returns it ([f1, v1, f2, v2, ...]) as a map. */
export function entryFields(list: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) fields.set(list[i]!, list[i + 1]!);
  return fields;
}

// ------------------------------------------------------------------ settings

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v) : v);
const NAME = STREAM_NAME_RE;
const StreamKeySchema = z.string().trim().min(1, 'is required, for example tradebot:candles').regex(NAME, STREAM_NAME_RULE);
const R = STREAM_RANGES;
const D = STREAM_DEFAULTS;

export const StreamOutSettingsSchema = z.object({
  key: StreamKeySchema,
  /** Approximate cap of the stream's length (XADD MAXLEN ~); 0 = no trimming. */
  maxLen: z.preprocess(blankToUndefined, z.number().int('must be a whole number').min(R.maxLen.min).max(R.maxLen.max).default(D.maxLen)),
});
export type StreamOutSettings = z.infer<typeof StreamOutSettingsSchema>;

export const StreamInSettingsSchema = z.object({
  key: StreamKeySchema,
  group: z.string().trim().min(1, 'is required, for example strategies').regex(NAME, STREAM_NAME_RULE),
  /** Empty: hostname + node id (unique per Node-RED instance, stable across restarts). */
  consumer: z.union([z.literal(''), z.string().trim().regex(NAME, STREAM_NAME_RULE)]).default(''),
  /** Where a new group starts: "$" only entries written from now on, "0" the whole stream. */
  start: z.enum(['$', '0']).default('$'),
  /** Entries per read (XREADGROUP COUNT). */
  batch: z.preprocess(blankToUndefined, z.number().int('must be a whole number').min(R.batch.min).max(R.batch.max).default(D.batch)),
  /** Entries pending longer than this (a consumer that died, or a flow that never acked) are claimed and delivered again. */
  claimAfterSec: z.preprocess(blankToUndefined, z.number().min(R.claimAfterSec.min, `must be at least ${R.claimAfterSec.min}`).max(R.claimAfterSec.max).default(D.claimAfterSec)),
  /** An entry delivered more often than this is acknowledged and reported as a dead letter. */
  maxDeliveries: z.preprocess(blankToUndefined, z.number().int('must be a whole number').min(R.maxDeliveries.min).max(R.maxDeliveries.max).default(D.maxDeliveries)),
  /** Also XADD dead letters to `<key>:dead`. */
  deadLetter: z.boolean().default(true),
});
export type StreamInSettings = z.infer<typeof StreamInSettingsSchema>;

export function parseStreamOutSettings(input: unknown): StreamOutSettings {
  const result = StreamOutSettingsSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'stream');
  return result.data;
}

export function parseStreamInSettings(input: unknown): StreamInSettings {
  const result = StreamInSettingsSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'stream');
  return result.data;
}

/** The default consumer name: this machine's hostname and the node's id. */
export function defaultConsumerName(nodeId: string): string {
  return `${os.hostname().replace(/[^A-Za-z0-9:_.-]/g, '_')}-${nodeId}`;
}

// ------------------------------------------------------------------ writing

/**
 * Waits for the first connect after a deploy; while Redis is away (reconnecting) it does not
 * wait: the fail-fast connection refuses at once, and the caller reports it.
 */
async function writable(client: RedisClient): Promise<void> {
  if (client.status !== 'connecting' && client.status !== 'connect' && client.status !== 'wait') return;
  // One wait per connection, however many messages arrive meanwhile.
  let waiting = connecting.get(client);
  if (!waiting) {
    waiting = ready(client, 2000).finally(() => connecting.delete(client));
    connecting.set(client, waiting);
  }
  await waiting;
}
const connecting = new WeakMap<RedisClient, Promise<void>>();

/** XADD of validated messages to one stream, approximately capped at maxLen entries. */
export class StreamWriter {
  constructor(
    private readonly client: RedisClient,
    readonly key: string,
    readonly maxLen = 10_000,
  ) {}

  /** Validates and writes; resolves the entry id. Invalid: ContractError naming the field, nothing written. */
  async write(msg: Record<string, unknown>): Promise<string> {
    const body = encodeStreamMessage(msg);
    return this.writeRaw(body);
  }

  /** Writes an already encoded message (the `msg` field's JSON). */
  async writeRaw(body: string): Promise<string> {
    const trim = this.maxLen > 0 ? ['MAXLEN', '~', String(this.maxLen)] : [];
    try {
      await writable(this.client);
      return (await this.client.call('XADD', this.key, ...trim, '*', 'msg', body)) as string;
    } catch (err) {
      throw new Error(`XADD to stream "${this.key}" failed, nothing written: ${redisMessage(err)}`);
    }
  }
}

/** ioredis' wording for a connection that is down is about internals; say it plainly. */
export function redisMessage(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  if (/enableOfflineQueue|Connection is closed|Stream isn't writeable/i.test(text)) return `Redis is not reachable (${text})`;
  return text;
}

// ------------------------------------------------------------------ groups and acks

/**
 * XGROUP CREATE ... MKSTREAM, through a tiny script: XGROUP names its key in a place ioredis
 * does not prefix (nor route in a Cluster); EVAL's KEYS are both. BUSYGROUP (the group exists
 * already) is fine. Resolves true when it created the group.
 */
const CREATE_GROUP = `
local r = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM')
if type(r) == 'table' and r.err then
  if string.find(r.err, 'BUSYGROUP', 1, true) then return 0 end
  return redis.error_reply(r.err)
end
return 1`;

export async function ensureGroup(client: RedisClient, key: string, group: string, start: '$' | '0'): Promise<boolean> {
  return Number(await client.eval(CREATE_GROUP, 1, key, group, start)) === 1;
}

/** Where an entry came from, as stream-in nodes put it on msg.stream. */
export interface StreamOrigin {
  key: string;
  group: string;
  consumer: string;
  id: string;
  deliveries: number;
}

export const StreamOriginSchema = z.object({
  key: StreamKeySchema,
  group: z.string().min(1),
  consumer: z.string().optional(),
  id: z.string().regex(/^\d+-\d+$/, 'must be a stream entry id such as 1700000000000-0'),
  deliveries: z.number().int().positive().optional(),
});

/**
 * Acknowledges the entry `msg.stream` names (XACK). Resolves 1 when it was pending, 0 when it
 * was not (acknowledged before, or a dead letter by now). Throws naming msg.stream when the
 * message has none, and saying so when Redis is not reachable.
 */
export async function ackEntry(client: RedisClient, stream: unknown): Promise<number> {
  if (stream === undefined || stream === null) {
    throw new ContractError('msg.stream: missing: the message did not come from a stream in node, or msg.stream was removed on the way');
  }
  const origin = check(StreamOriginSchema, stream, 'msg.stream');
  try {
    await writable(client);
    return Number(await client.call('XACK', origin.key, origin.group, origin.id));
  } catch (err) {
    throw new Error(`XACK of ${origin.id} on stream "${origin.key}" (group ${origin.group}) failed, it stays pending: ${redisMessage(err)}`);
  }
}
