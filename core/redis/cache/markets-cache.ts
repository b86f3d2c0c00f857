/**
 * ccxt's markets, loaded once per hour for every Node-RED instance on the same Redis.
 *
 * The cache holds what ccxt's own loadMarkets produced (markets, currencies and the few helper
 * tables some exchanges keep in `options.marketHelperProps`), gzipped JSON, with a TTL of one
 * hour. A cached copy is handed to ccxt with `setMarkets()`, so ccxt itself (fetchTicker, the
 * live executor's orders, ...) never loads them again either.
 *
 * Several instances starting together share ONE fetch: the first takes a short lock
 * (SET NX PX) and fetches; the others poll the cache briefly and take the copy, or fetch
 * themselves if the holder takes longer than `waitMs` (or fails and no one else takes over).
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { CcxtExchange } from '../../market/ccxt-loader';
import type { RedisGuard } from './redis-guard';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

export interface SharedMarketsOptions {
  /** Key namespace within the connection's key prefix, e.g. "cache:". */
  namespace: string;
  /** Which markets: exchange id plus what changes them (testnet, authenticated currencies). */
  scope: string;
  /** How long a loaded copy serves (default 1 hour). */
  ttlMs?: number;
  /** How long the fetching instance holds the lock at most (default 30 s). */
  lockMs?: number;
  /** How long the others wait for its copy before fetching themselves (default 10 s). */
  waitMs?: number;
  /** How often they look (default 100 ms). */
  pollMs?: number;
}

export const MARKETS_TTL_MS = 3_600_000;

interface MarketsSnapshot {
  v: 1;
  savedAt: number;
  markets: unknown[];
  currencies: Record<string, unknown>;
  helpers: Record<string, unknown>;
}

/** Deletes the lock only if it is still ours (it may have expired and been taken by another instance). */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function marketsKey(namespace: string, scope: string): string {
  return `${namespace}markets:${scope}`;
}

/**
 * Makes the ccxt instance load its markets through the shared cache. ccxt calls
 * `this.loadMarkets()` at the start of almost every method, so the fast path (markets present)
 * stays synchronous-cheap. An explicit reload goes to the exchange. Returns the undo.
 */
export function shareMarkets(exchange: CcxtExchange, guard: RedisGuard, options: SharedMarketsOptions): () => void {
  const hadOwn = Object.prototype.hasOwnProperty.call(exchange, 'loadMarkets');
  const own = exchange.loadMarkets as (reload?: boolean, params?: object) => Promise<unknown>;
  let loading: Promise<unknown> | undefined;
  exchange.loadMarkets = (reload = false, params: object = {}) => {
    if (reload) return own.call(exchange, true, params);
    if (exchange.markets && exchange.markets_by_id) return Promise.resolve(exchange.markets);
    if (!loading) {
      // reload=true: ccxt keeps a failed load's rejected promise and would hand it out again.
      const fetchOwn = () => own.call(exchange, true, params);
      const started = loadShared(guard, exchange, fetchOwn, options).then(() => exchange.markets);
      // A failed load is retried on the next call.
      started.catch(() => (loading = undefined));
      loading = started;
    }
    return loading;
  };
  return () => {
    if (hadOwn) exchange.loadMarkets = own;
    else delete exchange.loadMarkets;
  };
}

async function loadShared(guard: RedisGuard, exchange: CcxtExchange, fetchOwn: () => Promise<unknown>, options: SharedMarketsOptions): Promise<void> {
  const key = marketsKey(options.namespace, options.scope);
  const lockKey = `${key}:lock`;
  const ttlMs = options.ttlMs ?? MARKETS_TTL_MS;
  const lockMs = options.lockMs ?? 30_000;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  const fromCache = async (): Promise<boolean | undefined> => {
    const cached = await guard.attempt((redis) => redis.getBuffer(key));
    if (!cached.ok) return undefined;
    const copy = cached.value ? await decode(cached.value) : undefined;
    if (!copy) return false;
    apply(exchange, copy);
    return true;
  };
  const fetchAndStore = async (): Promise<void> => {
    await fetchOwn();
    const data = await encode(snapshot(exchange));
    await guard.attempt((redis) => redis.set(key, data, 'PX', ttlMs));
  };
  for (;;) {
    const hit = await fromCache();
    if (hit === undefined) return void (await fetchOwn()); // Redis unavailable: as without a cache
    if (hit) return;
    const token = randomUUID();
    const lock = await guard.attempt((redis) => redis.set(lockKey, token, 'PX', lockMs, 'NX'));
    if (!lock.ok) return void (await fetchOwn());
    if (lock.value === 'OK') {
      try {
        // Another instance may have stored a copy between our look and our lock.
        if (await fromCache()) return;
        return await fetchAndStore();
      } finally {
        await guard.attempt((redis) => redis.eval(RELEASE_SCRIPT, 1, lockKey, token));
      }
    }
    // Someone else is fetching: wait for the copy, but not forever.
    if (Date.now() >= deadline) return fetchAndStore();
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function snapshot(exchange: CcxtExchange): MarketsSnapshot {
  const helpers: Record<string, unknown> = {};
  const names: unknown = exchange.options?.marketHelperProps;
  if (Array.isArray(names)) {
    for (const name of names) if (typeof name === 'string' && exchange.options[name] !== undefined) helpers[name] = exchange.options[name];
  }
  return { v: 1, savedAt: Date.now(), markets: Object.values(exchange.markets ?? {}), currencies: { ...(exchange.currencies ?? {}) }, helpers };
}

function apply(exchange: CcxtExchange, s: MarketsSnapshot): void {
  if (exchange.options) Object.assign(exchange.options, s.helpers);
  exchange.setMarkets(s.markets, Object.keys(s.currencies).length ? s.currencies : undefined);
}

async function encode(s: MarketsSnapshot): Promise<Buffer> {
  return gzip(Buffer.from(JSON.stringify(s)));
}

/** A copy that cannot be read (corrupt, an older format) is a miss: it is fetched and overwritten. */
async function decode(data: Buffer): Promise<MarketsSnapshot | undefined> {
  try {
    const s = JSON.parse((await gunzip(data)).toString('utf8')) as MarketsSnapshot;
    return s && s.v === 1 && Array.isArray(s.markets) && s.markets.length > 0 ? s : undefined;
  } catch {
    return undefined;
  }
}
