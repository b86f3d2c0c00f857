/**
 * Resolves once the deploy that created a node has started every node of the flow.
 * An error reported while nodes are still being created would miss the Catch nodes that are
 * created after it, so start-up errors wait for this. The timer is a fallback for runtimes
 * that do not emit the event (it never delays an error by more than a few seconds).
 */
import type { NodeAPI } from './types';

export function flowsStarted(RED: NodeAPI, fallbackMs = 3_000): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      RED.events.removeListener('flows:started', done);
      resolve();
    };
    const timer = setTimeout(done, fallbackMs);
    RED.events.on('flows:started', done);
  });
}
