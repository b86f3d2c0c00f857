/**
 * Keeps credentials out of everything a node shows: one call per node (instrument() makes it for
 * every flow node; the config nodes make it themselves) wraps the node's status, send, error
 * (which done(err) goes through, and with it Catch nodes) and log calls, so every text passes
 * core/secrets' redaction whichever code path produced it. Nothing is scanned while no
 * credential is registered.
 */
import { secrets } from '../../core/secrets';
import type { Node } from './types';

const GUARDED = Symbol.for('node-red-contrib-tradebot.redacted');

/** Redacts what one node emits from now on. Safe to call twice. */
export function guardOutputs(node: Node): void {
  const n = node as Node & { [GUARDED]?: true };
  if (n[GUARDED]) return;
  n[GUARDED] = true;

  const send = node.send.bind(node);
  node.send = (msg: any) => send(secrets.active ? secrets.redactDeep(msg) : msg);

  const status = node.status.bind(node);
  node.status = (s: any) => status(secrets.active ? secrets.redactDeep(s) : s);

  const error = node.error.bind(node);
  node.error = (err: any, msg?: any) => (secrets.active ? error(secrets.redactDeep(err), msg === undefined ? msg : secrets.redactDeep(msg)) : error(err, msg));

  for (const level of ['warn', 'log', 'debug', 'trace'] as const) {
    const original = (node[level] as (m: unknown) => void).bind(node);
    (node as any)[level] = (m: unknown) => original(secrets.active ? secrets.redactDeep(m) : m);
  }
}

/** Registers a config node's credential values until it closes (and a minute after: see RELEASE_DELAY_MS). */
export function holdSecrets(node: Node, values: Iterable<string | undefined | null>, releaseDelayMs?: number): void {
  const release = secrets.register(values);
  node.on('close', () => release(releaseDelayMs));
}
