/**
 * The state store on Node-RED context: a config node's context in a chosen context store. Where
 * older versions kept the trading state; now only read once, to take that state over into the
 * tradebot database (core/storage/upgrade-store.ts). Not durable: Node-RED's file store writes
 * its cache to disk every few seconds, so it must not hold a write-ahead record.
 */
import type { StateStore } from '../../core/state-store';

interface ContextLike {
  get(key: string, store: string | undefined, callback: (err: Error | null, value: unknown) => void): void;
  set(key: string, value: unknown, store: string | undefined, callback: (err: Error | null) => void): void;
}

/** Context keys are property paths: a dot would nest. */
const safeKey = (key: string) => key.replace(/[.[\]]/g, '_');

export class NodeContextStore implements StateStore {
  constructor(
    private readonly context: ContextLike,
    private readonly storeName?: string,
  ) {}

  get<T>(key: string): Promise<T | undefined> {
    return new Promise((resolve, reject) =>
      this.context.get(safeKey(key), this.storeName, (err, value) => (err ? reject(err) : resolve(value === undefined ? undefined : (structuredClone(value) as T)))),
    );
  }

  /**
   * Stores the value as given: callers hand over a fresh snapshot they do not touch again (the
   * account and the risk gate build a new one for every write), so no copy is made here; a deep
   * copy of the whole state on every order was the pipeline's largest cost (bench/latency.ts).
   */
  set<T>(key: string, value: T): Promise<void> {
    return new Promise((resolve, reject) => this.context.set(safeKey(key), value, this.storeName, (err) => (err ? reject(err) : resolve())));
  }

  delete(key: string): Promise<void> {
    return new Promise((resolve, reject) => this.context.set(safeKey(key), undefined, this.storeName, (err) => (err ? reject(err) : resolve())));
  }
}
