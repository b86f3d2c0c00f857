/**
 * One rate-limit budget per exchange account, shared by every Node-RED instance on the same Redis.
 *
 * ccxt paces requests per ccxt instance; two instances trading the same account each use the
 * whole allowance and together get the account banned. This budget is a token bucket in Redis,
 * in ccxt's own units: `rateLimitMs` milliseconds per unit of request cost (ccxt's `rateLimit`),
 * a request taking its ccxt cost (Binance: a ticker 0.4, exchangeInfo 4). A Lua script refills
 * the bucket by the time elapsed (Redis's own clock, so instances' clocks do not matter) and
 * takes the cost when the bucket is not in debt, or returns how long to wait. As ccxt's bucket, it
 * may go into debt by one request, so a request costing more than the capacity still passes.
 *
 * Keyed by exchange + a fingerprint of the API key (a short SHA-256 prefix; the key itself never
 * reaches Redis). Without a key the budget is the public one ("public"). With Redis unavailable a
 * request does not wait here: ccxt's own limiter still paces the instance.
 */
import { createHash } from 'node:crypto';
import { Sleeper } from '../util/backoff';
import type { CcxtExchange } from '../market/ccxt-loader';
import type { RedisClient } from './connection';
import { RedisGuard } from './cache/redis-guard';

export interface RateBudgetOptions {
  exchangeId: string;
  /** The account's API key; only its fingerprint is used. */
  apiKey?: string;
  /** Testnet accounts have budgets of their own. */
  sandbox?: boolean;
  /** Milliseconds per unit of request cost: the exchange's ccxt `rateLimit`. */
  rateLimitMs: number;
  /** Burst allowance in cost units (default 1, as ccxt's own bucket). */
  capacity?: number;
  /** Key namespace within the connection's key prefix (default "ratebudget:"). */
  namespace?: string;
}

/** A short, one-way fingerprint of an API key for key names and logs; "public" without a key. */
export function apiKeyFingerprint(apiKey: string | undefined): string {
  if (!apiKey) return 'public';
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 12);
}

/**
 * KEYS[1] the bucket (a hash: tokens, ts); ARGV: refill rate (units per ms), capacity, cost, key TTL (ms).
 * Returns 0 when the cost was taken, else the milliseconds to wait before asking again.
 */
const TAKE_SCRIPT = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
if tokens >= 0 then
  tokens = tokens - cost
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 0
end
return math.max(1, math.ceil(-tokens / rate))
`;
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

/** Longest single sleep between two asks (a later ask recomputes the wait). */
const MAX_SLEEP_MS = 5_000;

export class RateBudget {
  /** The Redis key, within the connection's prefix: `ratebudget:<exchange>:<fingerprint>`. */
  readonly key: string;
  private readonly ratePerMs: number;
  private readonly capacity: number;
  private readonly ttlMs: number;
  private readonly guard: RedisGuard;
  private readonly sleeper = new Sleeper();
  /** Requests of this instance queue here, so one of them at a time asks Redis. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(redis: RedisClient | RedisGuard, options: RateBudgetOptions) {
    if (!(options.rateLimitMs > 0)) throw new Error('rate budget: rateLimitMs must be a positive number of milliseconds');
    this.guard = redis instanceof RedisGuard ? redis : new RedisGuard(redis);
    this.ratePerMs = 1 / options.rateLimitMs;
    this.capacity = options.capacity ?? 1;
    // A bucket left alone this long is full again: no need to keep it.
    this.ttlMs = Math.ceil(this.capacity * options.rateLimitMs) + 60_000;
    const scope = options.exchangeId + (options.sandbox ? ':sandbox' : '');
    this.key = `${options.namespace ?? 'ratebudget:'}${scope}:${apiKeyFingerprint(options.apiKey)}`;
  }

  /**
   * Resolves when the shared budget has room for a request costing `cost`. Resolves `false` at once
   * (without waiting) when Redis is unavailable or the budget is closed: the caller goes ahead
   * with only its local limiter.
   */
  acquire(cost = 1): Promise<boolean> {
    const turn = this.tail.then(() => this.take(cost));
    // The queue of turns goes on after a failed one; its caller gets the failure from `turn`.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Ends every wait (they resolve `false`); later acquires return at once. */
  close(): void {
    this.closed = true;
    this.sleeper.cancel();
  }

  private async take(cost: number): Promise<boolean> {
    const args = [String(this.ratePerMs), String(this.capacity), String(Math.max(0, cost)), String(this.ttlMs)];
    for (;;) {
      if (this.closed) return false;
      const result = await this.guard.attempt((redis) => evalTake(redis, this.key, args));
      if (!result.ok) return false;
      if (result.value <= 0) return true;
      await this.sleeper.sleep(Math.min(result.value, MAX_SLEEP_MS));
    }
  }
}

async function evalTake(redis: RedisClient, key: string, args: string[]): Promise<number> {
  try {
    return Number(await redis.evalsha(TAKE_SHA, 1, key, ...args));
  } catch (err) {
    if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
    return Number(await redis.eval(TAKE_SCRIPT, 1, key, ...args));
  }
}

/**
 * Makes every REST request of a ccxt instance wait for the shared budget first, then for ccxt's
 * own limiter. ccxt sends each REST request through `throttle(cost)` (Exchange.fetch2, with
 * enableRateLimit), so this covers market data, markets loading and the live executor's orders
 * alike; websocket messages have their own throttle and are not counted. Returns the undo.
 */
export function shareRateBudget(exchange: CcxtExchange, budget: RateBudget): () => void {
  const hadOwn = Object.prototype.hasOwnProperty.call(exchange, 'throttle');
  const own = exchange.throttle as (cost?: number) => Promise<unknown>;
  exchange.throttle = async (cost?: number) => {
    await budget.acquire(typeof cost === 'number' && Number.isFinite(cost) ? cost : 1);
    return own.call(exchange, cost);
  };
  return () => {
    if (hadOwn) exchange.throttle = own;
    else delete exchange.throttle;
  };
}
