/**
 * The one way a node with a bad setting behaves. A constructor that throws makes Node-RED leave
 * the node out of the flow, and messages wired to it vanish without a word; so no constructor
 * throws. Instead the node stays in the flow, inert:
 *  - its status is a red ring naming the field ("place.currency: must be ..."),
 *  - node.error reports it once the whole flow exists (so a Catch node on the tab and the log see it),
 *  - every message that arrives ends in done(err) with the same text (a Catch node sees each one).
 */
import { shorten } from '../../core/market/watch-loop';
import { flowsStarted } from './flows-started';
import type { DoneFn, Node, NodeAPI, NodeMessage, NodeMessageInFlow, SendFn } from './types';

/** Runs a node's set-up; anything it throws becomes the node's configuration error (see above). */
export function setUpNode(RED: NodeAPI, node: Node, setUp: () => void): void {
  const before = new Set(node.listeners('input'));
  try {
    setUp();
  } catch (err) {
    // Input handlers the set-up registered before it failed would act on a half-made node.
    for (const listener of node.listeners('input')) if (!before.has(listener)) node.removeListener('input', listener as (...args: any[]) => void);
    refuseConfig(RED, node, err);
  }
}

/** Puts the node in the refused state described above: it does nothing but say what is wrong. */
export function refuseConfig(RED: NodeAPI, node: Node, err: unknown): Error {
  // No redaction here: the node's status, error and done(err) pass core/secrets' (nodes/shared/redaction.ts).
  const error = new Error(err instanceof Error ? err.message : String(err));
  node.status({ fill: 'red', shape: 'ring', text: shorten(error.message, 80) });
  let closed = false;
  node.on('close', () => (closed = true));
  // An error reported while nodes are still being created would miss Catch nodes created after it.
  void flowsStarted(RED).then(() => {
    if (!closed) node.error(error.message, { topic: 'error', payload: { kind: 'error', message: error.message } } as NodeMessage);
  });
  node.on('input', (_msg: NodeMessageInFlow, _send: SendFn, done: DoneFn) => done(error));
  return error;
}
