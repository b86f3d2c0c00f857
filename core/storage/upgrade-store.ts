/**
 * Upgrading from a version that kept the trading state in Node-RED context: the first time a key
 * is missing from the tradebot database, it is looked up once in the old store and, when found,
 * copied into the database, so positions, open orders and used order ids carry over. A marker per
 * key records that the old store was consulted, so a state deleted later (or never there) is
 * never brought back from it. The old store is only read, never changed (a downgrade still finds it).
 */
import type { StateStore } from '../state-store';

const MARKER = 'tradebot:imported:';

export class UpgradingStore implements StateStore {
  constructor(
    private readonly store: StateStore,
    private readonly old: StateStore,
    /** Hears of each document taken over (for the log). */
    private readonly onImport?: (key: string) => void,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.store.get<T>(key);
    if (value !== undefined || key.startsWith(MARKER)) return value;
    if (await this.store.get(MARKER + key)) return undefined;
    // An old store that cannot be read (a context store no longer configured) has nothing to give.
    const found = await this.old.get<T>(key).catch(() => undefined);
    if (found !== undefined) await this.store.set(key, found);
    await this.store.set(MARKER + key, { from: 'node-red-context', found: found !== undefined });
    if (found !== undefined) this.onImport?.(key);
    return found;
  }

  set<T>(key: string, value: T): Promise<void> {
    return this.store.set(key, value);
  }

  delete(key: string): Promise<void> {
    return this.store.delete(key);
  }
}
