/**
 * Resolves once the deploy that created a node has started every node of the flow.
 * An error reported while nodes are still being created would miss the Catch nodes that are
 * created after it, so start-up errors wait for this. The timer is a fallback for runtimes
 * that do not emit the event (it never delays an error by more than a few seconds).
 *
 * All the nodes a deploy creates share one listener and one timer: a listener per node went past
 * Node.js's limit of 10 per event ("MaxListenersExceededWarning ... memory leak") in any flow with
 * a dozen market-data nodes.
 */
import type { NodeAPI } from './types';

interface Waiting {
  promise: Promise<void>;
}

/** Per runtime: the wait of the deploy under way, until it ends. */
const waiting = new WeakMap<object, Waiting>();

export function flowsStarted(RED: NodeAPI, fallbackMs = 3_000): Promise<void> {
  const key = RED.events as object;
  const current = waiting.get(key);
  if (current) return current.promise;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const done = () => {
    clearTimeout(timer);
    RED.events.removeListener('flows:started', done);
    if (waiting.get(key)?.promise === promise) waiting.delete(key);
    resolve();
  };
  const timer = setTimeout(done, fallbackMs);
  RED.events.on('flows:started', done);
  waiting.set(key, { promise });
  return promise;
}
