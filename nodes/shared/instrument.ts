/**
 * Counts what a node receives, sends and reports as errors, for GET /tradebot/metrics, and keeps
 * credentials out of what it shows. One call in each node's constructor; it wraps the node's own
 * send, status, error and log calls, so nothing in the node's logic changes.
 */
import { isValidationError } from '../../core/errors';
import * as metrics from '../../core/metrics';
import { guardOutputs } from './redaction';
import type { Node } from './types';

export function instrument(node: Node): void {
  // Every text the node shows passes the credential redaction (nodes/shared/redaction.ts).
  guardOutputs(node);
  const labels = { node: node.id, type: node.type };
  const counts = metrics.countMessages(labels);
  node.on('input', () => counts.in++);
  node.on('close', () => counts.close());
  const send = node.send.bind(node);
  node.send = (msg: any) => {
    counts.out += Array.isArray(msg) ? countMessages(msg) : msg ? 1 : 0;
    send(msg);
  };
  const error = node.error.bind(node);
  node.error = (err: any, msg?: any) => {
    metrics.nodeErrors.inc(labels);
    // Bad input in a message (core/errors.ts: the error's class, not its wording) is a validation failure.
    if (isValidationError(err)) metrics.validationFailures.inc(labels);
    error(err, msg);
  };
}

/**
 * node.error(text, msg) for an error the node's logic raised outside its own input handler (the
 * backtest's fast path runs it in the core): the text as given (what a Catch node reads stays a
 * plain sentence), counted as a validation failure by the error's class like done(err).
 */
export function reportNodeError(node: Node, err: Error, text: string, msg?: unknown): void {
  if (isValidationError(err)) metrics.validationFailures.inc({ node: node.id, type: node.type });
  node.error(text, msg as never);
}

/** Messages in a send([...]) argument (outputs of one message or of arrays of them), without copying it. */
function countMessages(outputs: unknown[]): number {
  let n = 0;
  for (const out of outputs) {
    if (Array.isArray(out)) {
      for (const m of out) if (m !== null && m !== undefined) n++;
    } else if (out !== null && out !== undefined) n++;
  }
  return n;
}
