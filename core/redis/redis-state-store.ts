/**
 * The state store on Redis: each key one JSON document, written with one SET, so a write is
 * atomic (the account writes its portfolio, open orders, used client order ids and stops as
 * one document). While Redis is down every call fails at once (the connection does not queue),
 * so the account refuses to send an order it cannot record first.
 */
import type { StateStore } from '../state-store';
import { ready, type RedisClient } from './connection';

export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: RedisClient,
    /** Within the connection's own key prefix: "state:". */
    private readonly prefix = 'state:',
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    await ready(this.redis);
    const text = await this.redis.get(this.prefix + key);
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  async set<T>(key: string, value: T): Promise<void> {
    await ready(this.redis);
    await this.redis.set(this.prefix + key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    await ready(this.redis);
    await this.redis.del(this.prefix + key);
  }
}
