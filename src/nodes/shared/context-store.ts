/**
 * The state store on Node-RED context: a config node's context in a chosen context store. With a
 * file-backed store (Node-RED's `localfilesystem` module) the state survives a restart.
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

  set<T>(key: string, value: T): Promise<void> {
    // A deep copy: the memory context store keeps references, and the caller keeps mutating its objects.
    const copy = structuredClone(value);
    return new Promise((resolve, reject) => this.context.set(safeKey(key), copy, this.storeName, (err) => (err ? reject(err) : resolve())));
  }

  delete(key: string): Promise<void> {
    return new Promise((resolve, reject) => this.context.set(safeKey(key), undefined, this.storeName, (err) => (err ? reject(err) : resolve())));
  }
}
