/**
 * Knows when the flows have finished with everything sent so far, through Node-RED's messaging
 * hooks: +1 for every message delivered to a node, −1 when that node completes it (done). Idle is
 * a count of 0 that stays 0 for a turn of the event loop after the account's pending work ran.
 * The backtest hands the flow its next candle only then: no sleeps, no races.
 */
import type { NodeAPI } from './types';

export class FlowIdle {
  private inFlight = 0;
  private readonly label: string;
  readonly available: boolean;

  constructor(
    private readonly RED: NodeAPI,
    id: string,
  ) {
    this.label = `tradebot-backtest-${id.replace(/[^A-Za-z0-9]/g, '')}`;
    const hooks = (RED as unknown as { hooks?: { add(name: string, fn: (e: unknown) => void): void } }).hooks;
    this.available = !!hooks;
    // A hook must take exactly one parameter: Node-RED treats any other arity as an async hook
    // that calls back, and would wait for it forever.
    hooks?.add(`preDeliver.${this.label}`, (_event: unknown) => {
      this.inFlight++;
    });
    hooks?.add(`onComplete.${this.label}`, (_event: unknown) => {
      this.inFlight = Math.max(0, this.inFlight - 1);
    });
  }

  /** Messages in flight now (the message that started the run is one until the run ends). */
  get count(): number {
    return this.inFlight;
  }

  /**
   * Resolves once no more than `baseline` messages are in flight (the run's own message stays in
   * flight until the run ends); `settle` runs pending work that may send (the account's listeners).
   */
  async idle(settle: () => Promise<void>, baseline = 0): Promise<void> {
    for (let rounds = 0; ; rounds++) {
      await new Promise((r) => setImmediate(r));
      if (this.inFlight > baseline) continue;
      await settle();
      await new Promise((r) => setImmediate(r));
      if (this.inFlight <= baseline) return;
      if (rounds > 1_000_000) throw new Error('the flow never became idle');
    }
  }

  close(): void {
    (this.RED as unknown as { hooks?: { remove(name: string): void } }).hooks?.remove(`*.${this.label}`);
  }
}
