/** The Redis config node's settings (see nodes/shared/spec.ts): URL, database and prefix rules from core/redis/redis-url.ts. */
import { DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_URL, REDIS_DB, REDIS_KEY_PREFIX_RE, REDIS_URL_RE } from '../../core/redis/redis-url';
import type { NodeSpec } from '../shared/spec';
import { nameField, rangeField } from '../shared/spec-fields';

export interface RedisConfig {
  name: string;
  url: string;
  db: string | number;
  keyPrefix: string;
  tlsRejectUnauthorized: boolean;
  cluster: boolean;
  options: string;
}

/** The options text as the runtime reads it: empty, or a JSON object. An error sentence (after the label), or undefined. */
export function redisOptionsError(v: unknown): string | undefined {
  const t = String(v ?? '').trim();
  if (t === '') return undefined;
  try {
    const parsed = JSON.parse(t);
    return parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) ? 'must be a JSON object, e.g. {"connectTimeout": 5000}' : undefined;
  } catch (err) {
    return 'is not valid JSON: ' + (err as Error).message;
  }
}

/** "redis://user:secret@host:6379/0" -> "host:6379" (never shows a password). */
export function redisHostOf(url: unknown): string {
  const m = /^rediss?:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(String(url ?? '').trim());
  return m ? m[1]! : String(url ?? '');
}

export const redisSpec: NodeSpec<RedisConfig> = {
  type: 'tradebot-redis',
  category: 'config',
  color: '',
  paletteLabel: 'Redis',
  icon: '',
  inputs: 0,
  outputs: 0,
  defaults: {
    name: nameField,
    url: {
      value: DEFAULT_REDIS_URL,
      label: 'URL',
      check: (v) => {
        const url = String(v ?? '').trim();
        return url === '' || REDIS_URL_RE.test(url) || 'must be a redis:// or rediss:// URL such as ' + DEFAULT_REDIS_URL;
      },
    },
    db: rangeField('Database', 0, REDIS_DB),
    keyPrefix: { value: DEFAULT_REDIS_KEY_PREFIX, label: 'Key prefix', check: (v) => REDIS_KEY_PREFIX_RE.test(String(v ?? '').trim()) || 'must hold letters, digits and : _ . - only' },
    tlsRejectUnauthorized: { value: true },
    cluster: { value: false },
    options: { value: '', label: 'Options', check: (v) => redisOptionsError(v) ?? true },
  },
  defaultName: (c) => (c.cluster ? 'Redis Cluster ' : 'Redis ') + redisHostOf(c.url || DEFAULT_REDIS_URL) + (Number(c.db) > 0 ? ' db ' + c.db : ''),
};
