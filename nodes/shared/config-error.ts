/**
 * The one way a node with a bad setting behaves. A constructor that throws makes Node-RED leave
 * the node out of the flow, and messages wired to it vanish without a word; so no constructor
 * throws. Instead the node stays in the flow, inert:
 *  - its status is a red ring naming the field ("place.currency: must be ..."),
 *  - node.error reports it once the whole flow exists: one log line, one error a Catch node on the
 *    tab sees,
 *  - every message that arrives afterwards is dropped quietly (done() without an error): the
 *    status keeps saying why. An error per message would repeat the same line many times a minute
 *    (a ticker feeding a misconfigured node) and bury everything else in the log.
 * Flow nodes get this from the node harness (node-harness.ts: a set-up that throws, or
 * kit.refuse() for a problem found later). Config nodes have no status and no input: theirs is
 * configNodeError below.
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
  const error = reportConfigError(RED, node, err);
  node.on('input', (_msg: NodeMessageInFlow, _send: SendFn, done: DoneFn) => done());
  return error;
}

/**
 * The report part alone, for a node that finds its configuration error later than its set-up (an
 * account refused when it starts): red ring naming the problem, and node.error once the flow has
 * started (one log line, one Catch-able error). The caller drops later messages quietly.
 */
export function reportConfigError(RED: NodeAPI, node: Node, err: unknown): Error {
  // No redaction here: the node's status and error pass core/secrets' (nodes/shared/redaction.ts).
  const error = new Error(err instanceof Error ? err.message : String(err));
  node.status({ fill: 'red', shape: 'ring', text: shorten(error.message, 80) });
  let closed = false;
  node.on('close', () => (closed = true));
  // An error reported while nodes are still being created would miss Catch nodes created after it.
  void flowsStarted(RED).then(() => {
    if (!closed) node.error(error.message, { topic: 'error', payload: { kind: 'error', message: error.message } } as NodeMessage);
  });
  return error;
}

/**
 * For a mistake only a message reveals, in a node that otherwise works (a ticker wired into a
 * candles node that reads the exchange): the first message ends in done(err) (one log line, one
 * Catch-able error); later ones, which would repeat it, are dropped quietly. The node's status
 * stays its own (the candles it reads).
 */
export function onceThenQuiet(): (done: DoneFn, error: Error) => void {
  let reported = false;
  return (done, error) => {
    if (reported) return done();
    reported = true;
    done(error);
  };
}

/**
 * A config node (exchange, Redis, database, Telegram bot) with a bad setting. It does not throw
 * either: a config node that throws is left out, and every node using it would only see
 * "missing". The problem is kept in node.configError, which the nodes using it show, red, as their
 * own configuration error; `log` reports it once at deploy too (one log line).
 */
export function configNodeError(node: Node & { configError?: string }, err: unknown, options: { log: boolean }): void {
  node.configError = err instanceof Error ? err.message : String(err);
  if (options.log) node.error(node.configError);
}
