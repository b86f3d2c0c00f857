/**
 * Where state that must survive a restart lives: portfolio, open orders, the client-order-id
 * registry, risk counters. In-memory in the core by default; the exchange node persists it in the
 * tradebot database (storage/sqlite-state-store.ts, fsync'd) or in Redis (redis/redis-state-store.ts).
 * set() resolves once the value is durable where the store keeps it: the account sends an order
 * only after the set() of its record resolved.
 * Values are plain JSON snapshots: a caller passes a fresh object to set() and never mutates it
 * afterwards, and does not mutate what get() returns.
 */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** True when set() keeps nothing: writers may skip building the value. */
  readonly discardsWrites?: boolean;
}

/**
 * Keeps nothing. A backtest's account lives for one run and is never restored, so saving it
 * (a JSON copy of the whole account on every order) is work nobody reads.
 */
export class DiscardingStore implements StateStore {
  readonly discardsWrites = true;

  async get<T>(_key: string): Promise<T | undefined> {
    return undefined;
  }

  async set<T>(_key: string, _value: T): Promise<void> {}

  async delete(_key: string): Promise<void> {}
}

export class MemoryStore implements StateStore {
  private readonly data = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.data.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async set<T>(key: string, value: T): Promise<void> {
    // Stored as text, so a caller mutating its object later cannot change what was saved.
    this.data.set(key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}

/**
 * Keeps the snapshots it is given, as given: set() costs the same whatever the value holds. For a
 * backtest's session, whose risk gates save their state on every approved signal: serialising it
 * (up to 5,000 approved signal ids) made each signal cost more the longer the run had gone, until
 * that text was most of a candle's time on the Node-RED path. Writers keep the interface's rule
 * (a fresh object per set(), never mutated afterwards); get() hands out a copy, as MemoryStore
 * does, because a loader may change what it loaded (a risk gate appends to its approved ids).
 */
export class SnapshotStore implements StateStore {
  private readonly data = new Map<string, unknown>();

  async get<T>(key: string): Promise<T | undefined> {
    const value = this.data.get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async set<T>(key: string, value: T): Promise<void> {
    this.data.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}
