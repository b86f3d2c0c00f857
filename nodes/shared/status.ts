/** Maps feed states onto Node-RED's status dot/ring colours, the way core nodes use them. */
import type { NodeStatus } from 'node-red';
import type { FeedState } from '../../core/market/feed-status';

const SHAPE: Record<FeedState, Pick<NodeStatus, 'fill' | 'shape'>> = {
  connecting: { fill: 'yellow', shape: 'ring' },
  live: { fill: 'green', shape: 'dot' },
  polling: { fill: 'green', shape: 'ring' },
  reconnecting: { fill: 'yellow', shape: 'ring' },
  error: { fill: 'red', shape: 'ring' },
  stopped: { fill: 'grey', shape: 'ring' },
};

export function statusFor(state: FeedState, text: string): NodeStatus {
  return { ...SHAPE[state], text };
}

/** A status, or how to make it: made only if it is sent (a backtest updates thousands a second). */
export type StatusSource = NodeStatus | (() => NodeStatus);

/**
 * Status updates travel to every open editor; at simulator speed a feed can produce hundreds
 * a second. This keeps the latest and sends at most one per interval.
 */
export class StatusThrottle {
  private pending: StatusSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;

  constructor(
    private readonly send: (status: NodeStatus) => void,
    private readonly intervalMs = 500,
  ) {}

  /** Sends now if the interval has passed, else sends the latest when it has. */
  update(status: StatusSource): void {
    // While a send is scheduled, the newer status just replaces the pending one (no clock read).
    if (this.timer) {
      this.pending = status;
      return;
    }
    const wait = this.lastSent + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.lastSent = Date.now();
      this.send(typeof status === 'function' ? status() : status);
      return;
    }
    this.pending = status;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.lastSent = Date.now();
      const pending = this.pending;
      if (pending) this.send(typeof pending === 'function' ? pending() : pending);
      this.pending = undefined;
    }, Math.max(0, wait));
  }

  /** Sends right away (errors, state changes), dropping anything pending. */
  now(status: NodeStatus): void {
    this.clear();
    this.lastSent = Date.now();
    this.send(status);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
