/**
 * Knows when the flows have finished with everything sent so far, through Node-RED's messaging
 * hooks: +1 for every message delivered to a node, −1 when that node completes it (done). The
 * backtest hands the flow its next candle only once the count is back to 0 and stays 0 for a turn
 * of the event loop after the account's pending work ran: no sleeps, no races.
 *
 * Cheap on purpose (it runs for every candle of a backtest): the hooks are registered only while a
 * run is going (start/stop), so other flows pay nothing the rest of the time; and the wait is
 * woken by the completion hook itself instead of polling with setImmediate, so a candle costs one
 * event-loop turn per hop plus two (one for the candle's first send to happen, one to see nothing
 * follows the last completion).
 */
import type { NodeAPI } from './types';

type Hooks = { add(name: string, fn: (e: unknown) => void): void; remove(name: string): void };

/** One turn of the event loop: every promise chain started before it (without I/O) has run. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export class FlowIdle {
  /**
   * Deliveries not completed yet, by message object: a message that was already in flight when the
   * run started is not counted, so its completion must not count either.
   */
  private readonly inFlight = new Map<object, number>();
  private wake: (() => void) | undefined;
  private running = false;
  private readonly label: string;
  private readonly hooks: Hooks | undefined;

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
      if (msg) this.inFlight.set(msg, (this.inFlight.get(msg) ?? 0) + 1);
    });
    this.hooks.add(`onComplete.${this.label}`, (event: unknown) => {
      const msg = (event as { msg?: object }).msg;
      const n = msg ? this.inFlight.get(msg) : undefined;
      if (n === undefined) return;
      if (n > 1) this.inFlight.set(msg!, n - 1);
      else this.inFlight.delete(msg!);
      if (this.inFlight.size === 0 && this.wake) {
        const wake = this.wake;
        this.wake = undefined;
        wake();
      }
    });
  }

  /** Stops counting (the run ended): the hooks are removed, nothing is held. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.hooks?.remove(`*.${this.label}`);
    this.inFlight.clear();
    this.wake?.();
    this.wake = undefined;
  }

  /**
   * Resolves once every message delivered since start() is completed and nothing new follows for a
   * turn of the event loop; `settle` runs pending work that may send (the account's listeners).
   */
  async idle(settle: () => Promise<void>): Promise<void> {
    // What the caller just set off (the candles node waking up and sending) runs in promise chains:
    // after one turn every message it sent has been counted.
    await nextTurn();
    for (let rounds = 0; ; rounds++) {
      if (this.inFlight.size > 0 && this.running) await new Promise<void>((resolve) => (this.wake = resolve));
      await settle();
      await nextTurn();
      if (this.inFlight.size === 0 || !this.running) return;
      if (rounds > 1_000_000) throw new Error('the flow never became idle');
    }
  }

  close(): void {
    this.stop();
  }
}
