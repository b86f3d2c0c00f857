/**
 * What every tradebot flow node repeats, written once: one call registers the node type, and the
 * constructor it makes
 *  - creates the node and instruments it (metrics; every status, send, error and log line passes
 *    the credential redaction: instrument.ts, redaction.ts),
 *  - runs the node's set-up, where any throw is a configuration error: the node stays in the
 *    flow, red and inert (config-error.ts, the one way a node reports a bad setting),
 *  - gives the set-up a kit: the exchange's session, a throttled status, the input handler.
 * The input handler ends every message in done() or done(err): an error keeps its class (core/
 * errors.ts: the metrics count a ValidationError as a validation failure), a thrown non-Error
 * becomes one, and its text is redacted with the session's credentials as well as the process's.
 * A handler that returns nothing (the hot path: indicator, strategy) ends synchronously, with no
 * promise per message.
 */
import type { ExchangeSession } from '../../core/session/exchange-session';
import { secrets } from '../../core/secrets';
import { reportConfigError, setUpNode } from './config-error';
import { sessionOf } from './exchange-node';
import { instrument } from './instrument';
import { StatusThrottle } from './status';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from './types';

/** A message as a handler receives it (any field may be there). */
export type InputMessage = NodeMessageInFlow & Record<string, any>;

export type InputHandler = (msg: InputMessage, send: SendFn) => void | Promise<void>;

export interface InputOptions {
  /** Errors dropped quietly (done() without an error): ones the node reported already, once. */
  quiet?: (err: unknown) => boolean;
}

export class NodeKit {
  private session: ExchangeSession | undefined;
  private throttle: StatusThrottle | undefined;
  private refused = false;

  constructor(
    readonly RED: NodeAPI,
    readonly node: Node,
  ) {}

  /** The session of the exchange config node `exchangeId`; throws (a configuration error) naming what is missing. */
  exchange(exchangeId: string | undefined): ExchangeSession {
    const { session, error } = sessionOf(this.RED, exchangeId);
    if (error) throw error;
    this.session = session;
    return session!;
  }

  /** A config node by id (null when none is picked or it is gone). */
  configNode<T extends Node>(id: string | undefined): T | null {
    return id ? (this.RED.nodes.getNode(id) as T | null) : null;
  }

  /** The node's status, at most one update per half second to the editors; cleared when the node closes. */
  get status(): StatusThrottle {
    if (!this.throttle) {
      const throttle = (this.throttle = new StatusThrottle((s) => this.node.status(s)));
      this.node.on('close', () => throttle.clear());
    }
    return this.throttle;
  }

  /** Handles each message; see the top of this file. After refuse(), messages are dropped quietly. */
  onInput(handler: InputHandler, options: InputOptions = {}): void {
    this.node.on('input', (msg: InputMessage, send: SendFn, done: DoneFn) => {
      if (this.refused) return done();
      const fail = (err: unknown) => (options.quiet?.(err) ? done() : done(this.nodeError(err)));
      let pending: void | Promise<void>;
      try {
        pending = handler(msg, send);
      } catch (err) {
        return fail(err);
      }
      if (pending && typeof pending.then === 'function') pending.then(() => done(), fail);
      else done();
    });
  }

  /**
   * A configuration error found after set-up (an account refused when it starts): red ring and
   * one error once the flow has started (config-error.ts); later messages are dropped quietly.
   */
  refuse(err: unknown): void {
    this.refused = true;
    this.throttle?.clear();
    reportConfigError(this.RED, this.node, this.nodeError(err));
  }

  /** What done(err) gets: an Error (of the class thrown), with every credential redacted. */
  nodeError(err: unknown): Error {
    const error = secrets.redactError(err instanceof Error ? err : new Error(String(err)));
    const session = this.session;
    if (!session) return error;
    // The session's own values too (a session made without a config node registers none).
    const message = session.redact(error.message);
    if (message === error.message) return error;
    const copy = Object.create(Object.getPrototypeOf(error)) as Error;
    Object.assign(copy, error);
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(copy, 'stack', { value: typeof error.stack === 'string' ? session.redact(error.stack) : error.stack, writable: true, configurable: true, enumerable: false });
    return copy;
  }
}

/**
 * Registers a flow node type whose constructor does the above and then runs `setUp` (the node's
 * own part). `setUp` throws for a bad setting.
 */
export function registerTradebotNode<C extends NodeDef>(RED: NodeAPI, type: string, setUp: (kit: NodeKit, config: C) => void, options?: Record<string, unknown>): void {
  function TradebotNode(this: Node, config: C) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const kit = new NodeKit(RED, this);
    setUpNode(RED, this, () => setUp(kit, config));
  }
  RED.nodes.registerType(type, TradebotNode as any, options as any);
}
