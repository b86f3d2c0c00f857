/**
 * Redis connections for one tradebot-redis config node, through ioredis: plain, TLS (rediss://),
 * Sentinel or Cluster. Two flavours: `command` connections fail fast while Redis is down (state
 * must never be written "later", after an order went out on state nobody saved), and blocking
 * connections for stream reads. Every key is prefixed.
 */
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { zodError } from '../contract';
import { DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_URL, REDIS_DB, REDIS_KEY_PREFIX_RE, REDIS_URL_RE } from './redis-url';

export const RedisSettingsSchema = z.object({
  url: z
    .string()
    .trim()
    .regex(REDIS_URL_RE, `must be a redis:// or rediss:// URL such as ${DEFAULT_REDIS_URL}`)
    .default(DEFAULT_REDIS_URL),
  username: z.string().optional(),
  password: z.string().optional(),
  db: z.preprocess((v) => (v === '' || v === null || v === undefined ? undefined : typeof v === 'string' ? Number(v.trim()) : v), z.number().int('must be a whole number').min(REDIS_DB.min).max(REDIS_DB.max).default(0)),
  keyPrefix: z.string().trim().regex(REDIS_KEY_PREFIX_RE, 'letters, digits and : _ . - only').default(DEFAULT_REDIS_KEY_PREFIX),
  /** rediss:// only: verify the server's certificate (default true). */
  tlsRejectUnauthorized: z.boolean().default(true),
  /** Extra ioredis options as JSON: sentinels, cluster nodes, timeouts ({"sentinels": [...], "name": "mymaster"}). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Connect to a Redis Cluster: `options.nodes` lists the seed nodes. */
  cluster: z.boolean().default(false),
});

export type RedisSettings = z.infer<typeof RedisSettingsSchema>;

export function parseRedisSettings(input: unknown): RedisSettings {
  const result = RedisSettingsSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'redis');
  return result.data;
}

/**
 * Passwords in the editor's plain fields, for the redaction (core/secrets.ts): the one in a
 * redis://user:password@host URL, and any password or secret in the options JSON (Sentinel's own
 * password, for example). Unreadable input gives none: parseRedisSettings reports it.
 */
export function redisSecrets(url: unknown, options: unknown): string[] {
  const found: string[] = [];
  try {
    const password = typeof url === 'string' && url ? new URL(url.trim()).password : '';
    if (password) found.push(password, safeDecode(password));
  } catch {
    // not a URL: refused by the settings check
  }
  const visit = (v: unknown, key: string, depth: number): void => {
    if (typeof v === 'string' && /pass|secret|token/i.test(key)) found.push(v);
    else if (v && typeof v === 'object' && depth < 8) for (const [k, x] of Object.entries(v)) visit(x, k, depth + 1);
  };
  try {
    if (typeof options === 'string' && options.trim()) visit(JSON.parse(options), '', 0);
    else if (options && typeof options === 'object') visit(options, '', 0);
  } catch {
    // not JSON: refused by the node
  }
  return found;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type RedisClient = Redis | Cluster;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'down';

/** Opens a connection. `failFast`: commands fail at once while disconnected instead of queueing. */
export function openRedis(s: RedisSettings, purpose: string, failFast: boolean): RedisClient {
  const url = new URL(s.url);
  const tls = url.protocol === 'rediss:' ? { rejectUnauthorized: s.tlsRejectUnauthorized } : undefined;
  const base: RedisOptions = {
    connectionName: `tradebot-${purpose}`,
    username: s.username || (url.username ? decodeURIComponent(url.username) : undefined),
    password: s.password || (url.password ? decodeURIComponent(url.password) : undefined),
    db: s.db,
    keyPrefix: s.keyPrefix,
    tls,
    lazyConnect: false,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 1 : null,
    // Reconnect forever, backing off to 5 s: Redis coming back must bring the nodes back by themselves.
    retryStrategy: (times) => Math.min(5000, 100 * 2 ** Math.min(times, 6)),
    ...(s.options as RedisOptions),
  };
  if (s.cluster) {
    const nodes = (s.options.nodes as Array<{ host: string; port: number }> | undefined) ?? [{ host: url.hostname, port: Number(url.port) || 6379 }];
    return new Cluster(nodes, { redisOptions: base, enableOfflineQueue: !failFast });
  }
  if (s.options.sentinels) return new Redis(base);
  return new Redis({ ...base, host: url.hostname, port: Number(url.port) || 6379 });
}

/** Follows a connection's state for statuses. */
export function watchState(client: RedisClient, onChange: (state: ConnectionState, detail?: string) => void): void {
  client.on('connect', () => onChange('connecting'));
  client.on('ready', () => onChange('connected'));
  client.on('reconnecting', () => onChange('reconnecting'));
  client.on('end', () => onChange('down'));
  client.on('error', (err: Error) => onChange('down', err.message));
}

/**
 * Waits (briefly) for the connection to be ready: commands on a fail-fast connection would fail
 * during the first connect after a deploy. After `timeoutMs` it gives up: Redis is down.
 */
export function ready(client: RedisClient, timeoutMs = 2000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis is not reachable (${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
