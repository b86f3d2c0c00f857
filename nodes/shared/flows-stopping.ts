/**
 * Hears Node-RED's `flows:stopping` (a deploy that stops nodes, a shutdown) through one listener
 * per runtime shared by every node that asks: a listener per node went past Node.js's limit of 10
 * per event ("MaxListenersExceededWarning ... memory leak") with eleven place-order nodes.
 */
import type { NodeAPI } from './types';

type Handler = (event: { type?: string; diff?: { changed?: string[]; removed?: string[] } }) => void;

const handlers = new WeakMap<object, Set<Handler>>();

/** Calls `handler` on every flows:stopping until the returned function is called. */
export function onFlowsStopping(RED: NodeAPI, handler: Handler): () => void {
  const key = RED.events as object;
  let set = handlers.get(key);
  if (!set) {
    const created = new Set<Handler>();
    set = created;
    handlers.set(key, created);
    RED.events.on('flows:stopping', (event: Parameters<Handler>[0]) => {
      for (const h of [...created]) {
        try {
          h(event);
        } catch {
          /* one node's failure is not the others' */
        }
      }
    });
  }
  set.add(handler);
  return () => void set.delete(handler);
}
