/**
 * Delivers texts to one channel in order, within its rate limits, retrying what can be retried
 * (429 after the time the server asks for, network errors and 5xx with backoff), from a bounded
 * queue: when it is full the oldest text is dropped and reported. Nothing here ever throws into
 * the caller: a failing channel cannot block or crash the trading flow.
 */
import { Backoff, Sleeper } from '../util/backoff';
import type { Channel } from './channels';
import { DeliveryError } from './channels';

export interface DeliveryEvents {
  delivered(channel: string, text: string): void;
  dropped(channel: string, text: string, reason: string): void;
  /** A retry is coming (status text for the node). */
  retrying?(channel: string, reason: string, inMs: number): void;
}

export interface DeliveryOptions {
  maxQueue: number;
  /** Attempts per text for network errors and 5xx (429s wait and do not count). */
  maxAttempts: number;
  backoff: { initialMs: number; maxMs: number };
}

export class DeliveryQueue {
  private readonly queue: string[] = [];
  private running = false;
  private closed = false;
  private accepting = true;
  private readonly sleeper = new Sleeper();

  constructor(
    readonly channel: Channel,
    private readonly events: DeliveryEvents,
    private readonly o: DeliveryOptions = { maxQueue: 100, maxAttempts: 5, backoff: { initialMs: 1000, maxMs: 60_000 } },
  ) {}

  push(text: string): void {
    if (this.closed || !this.accepting) return;
    if (this.queue.length >= this.o.maxQueue) {
      const oldest = this.queue.shift()!;
      this.events.dropped(this.channel.name, oldest, `queue full (${this.o.maxQueue})`);
    }
    this.queue.push(text);
    if (!this.running) void this.drain();
  }

  close(): void {
    this.closed = true;
    this.sleeper.cancel();
  }

  /**
   * Stops taking texts but keeps delivering what is queued for up to `graceMs` (a redeploy must
   * not swallow the last notifications), then closes.
   */
  closeWhenDrained(graceMs: number): Promise<void> {
    this.accepting = false;
    return new Promise((resolve) => {
      const started = Date.now();
      const check = () => {
        if (this.queue.length === 0 || Date.now() - started >= graceMs) {
          this.close();
          resolve();
        } else setTimeout(check, 50);
      };
      check();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.queue.length) {
        const text = this.queue[0]!;
        const outcome = await this.deliver(text);
        if (this.closed) return;
        // The text may already have been dropped by push() while we were sending.
        if (this.queue[0] === text) this.queue.shift();
        if (outcome === true) this.events.delivered(this.channel.name, text);
        else this.events.dropped(this.channel.name, text, outcome);
      }
    } finally {
      this.running = false;
    }
  }

  /** true when delivered, else why it was given up. */
  private async deliver(text: string): Promise<true | string> {
    const backoff = new Backoff(this.o.backoff.initialMs, this.o.backoff.maxMs);
    let attempts = 0;
    let rateLimited = 0;
    for (;;) {
      for (const gate of this.channel.gates) await gate.slot();
      if (this.closed) return 'closed';
      try {
        await this.channel.send(text);
        return true;
      } catch (err) {
        const e = err instanceof DeliveryError ? err : new DeliveryError(String((err as Error)?.message ?? err), false);
        if (e.permanent) return e.message;
        if (e.retryAfterMs !== undefined) {
          // A server that never stops saying "later" must not hold the queue forever.
          if (++rateLimited > 20) return `${e.message} (still rate limited after 20 waits)`;
          for (const gate of this.channel.gates) gate.pause(e.retryAfterMs);
          this.events.retrying?.(this.channel.name, e.message, e.retryAfterMs);
          continue;
        }
        if (++attempts >= this.o.maxAttempts) return `${e.message} (gave up after ${attempts} attempts)`;
        const delay = backoff.next();
        this.events.retrying?.(this.channel.name, e.message, delay);
        await this.sleeper.sleep(delay);
      }
    }
  }
}
