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

/**
 * Status updates travel to every open editor; at simulator speed a feed can produce hundreds
 * a second. This keeps the latest and sends at most one per interval.
 */
export class StatusThrottle {
  private pending: NodeStatus | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;

  constructor(
    private readonly send: (status: NodeStatus) => void,
    private readonly intervalMs = 500,
  ) {}

  /** Sends now if the interval has passed, else sends the latest when it has. */
  update(status: NodeStatus): void {
    const wait = this.lastSent + this.intervalMs - Date.now();
    if (wait <= 0 && !this.timer) {
      this.lastSent = Date.now();
      this.send(status);
      return;
    }
    this.pending = status;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.lastSent = Date.now();
      if (this.pending) this.send(this.pending);
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
