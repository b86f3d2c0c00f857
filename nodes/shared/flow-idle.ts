/**
 * Knows when the flows have finished with everything sent so far, through Node-RED's messaging
 * hooks: +1 for every message delivered to a node, −1 when that node completes it (done). The
 * flow is idle when the count is 0 at a point where every promise chain started before has run
 * (a setImmediate callback: Node runs all pending microtasks before each one) and the caller's
 * pending work (the account's listeners) is done. The backtest hands the flow its next candle only
 * then: no sleeps, no races.
 *
 * Cheap on purpose, it runs for every candle of a backtest:
 * - the hooks are registered only while a run is going (start/stop): other flows pay nothing;
 * - no polling: Node-RED delivers each message in a setImmediate callback, and the postDeliver
 *   hook queues a check right behind it, in the same turn of the event loop; a completion that
 *   happens later (a node that answers after I/O) queues its own. A candle through two nodes thus
 *   costs two turns, as two pass-through hops do.
 */
import type { NodeAPI } from './types';

type Hooks = { add(name: string, fn: (e: unknown) => void): void; remove(name: string): void };

/** Work that may still send messages: a promise to wait for, or undefined when there is none. */
export type PendingWork = () => Promise<void> | undefined;

/** Waiting with no delivery and no completion for this long means the flow is stuck (a node that never calls done). */
const STUCK_MS = 60_000;

export class FlowIdle {
  /**
   * Deliveries not completed yet, by message object: a message that was already in flight when the
   * run started is not counted, so its completion must not count either.
   */
  private readonly inFlight = new Map<object, number>();
  private running = false;
  private waiter: { resolve: () => void; reject: (e: Error) => void; pending: PendingWork } | undefined;
  /** Check callbacks queued and not run yet. */
  private checksQueued = 0;
  /** Deliveries and completions seen (the watchdog's sign of life). */
  private events = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly label: string;
  private readonly hooks: Hooks | undefined;
  private readonly check = () => {
    this.checksQueued--;
    this.tryResolve();
  };

  constructor(RED: NodeAPI, id: string) {
    this.label = `tradebot-backtest-${id.replace(/[^A-Za-z0-9]/g, '')}`;
    this.hooks = (RED as unknown as { hooks?: Hooks }).hooks;
  }

  get available(): boolean {
    return !!this.hooks;
  }

  /** Messages in flight now that were delivered since start(). */
  get count(): number {
    let n = 0;
    for (const c of this.inFlight.values()) n += c;
    return n;
  }

  /** Starts counting (a run begins). */
  start(): void {
    if (this.running || !this.hooks) return;
    this.running = true;
    // A hook must take exactly one parameter: Node-RED treats any other arity as an async hook
    // that calls back, and would wait for it forever.
    this.hooks.add(`preDeliver.${this.label}`, (event: unknown) => {
      const msg = (event as { msg?: object }).msg;
      if (!msg) return;
      this.events++;
      this.inFlight.set(msg, (this.inFlight.get(msg) ?? 0) + 1);
    });
    // Node-RED has just queued the delivery (setImmediate): a check queued now runs right after it.
    this.hooks.add(`postDeliver.${this.label}`, (_event: unknown) => {
      if (this.waiter) this.queueCheck();
    });
    this.hooks.add(`onComplete.${this.label}`, (event: unknown) => {
      const msg = (event as { msg?: object }).msg;
      const n = msg ? this.inFlight.get(msg) : undefined;
      if (n === undefined) return;
      this.events++;
      if (n > 1) this.inFlight.set(msg!, n - 1);
      else this.inFlight.delete(msg!);
      // A completion outside a delivery's turn (after I/O) has no check behind it yet.
      if (this.inFlight.size === 0 && this.waiter && this.checksQueued === 0) this.queueCheck();
    });
    let seen = -1;
    this.watchdog = setInterval(() => {
      if (this.waiter && this.events === seen) this.finish(new Error(`the flow never became idle: ${this.count} message(s) not completed for ${STUCK_MS / 1000} s (a node that never calls done?)`));
      seen = this.events;
    }, STUCK_MS);
    this.watchdog.unref();
  }

  /** Stops counting (the run ended): the hooks are removed, nothing is held. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.hooks?.remove(`*.${this.label}`);
    clearInterval(this.watchdog);
    this.inFlight.clear();
    this.finish();
  }

  /**
   * Resolves once every message delivered since start() is completed, every promise chain started
   * before has run and `pending` has nothing left (it returns undefined; else its promise is waited
   * for and everything is checked again).
   */
  idle(pending: PendingWork): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.waiter) return Promise.reject(new Error('FlowIdle.idle() is already waiting'));
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject, pending };
      // What the caller just set off (the candles node waking up and sending) runs in promise
      // chains: this first check sees every message it sent counted.
      this.queueCheck();
    });
  }

  close(): void {
    this.stop();
  }

  private queueCheck(): void {
    this.checksQueued++;
    setImmediate(this.check);
  }

  private tryResolve(): void {
    const w = this.waiter;
    if (!w || this.inFlight.size > 0) return;
    const work = w.pending();
    if (!work) return this.finish();
    // The account's listeners may send: look again once they ran.
    work.then(
      () => this.queueCheck(),
      (err: Error) => this.finish(err),
    );
  }

  private finish(error?: Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (error) w?.reject(error);
    else w?.resolve();
  }
}
