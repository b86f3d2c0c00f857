/**
 * Waiting between retries, for anything that retries (market feeds, order lookups, deliveries,
 * the Telegram poller, the Redis rate budget): an exponential backoff and a sleep that closing
 * cuts short.
 */

/**
 * The retry waits are not user settings (the callers start at 0.5-1 s); this guards against a
 * caller passing 0, a negative or NaN, which would retry in a tight loop: such a value becomes
 * the default, and no wait is ever below 1 ms.
 */
export const MIN_BACKOFF_MS = 1;

/** Exponential backoff: initial, initial*2, ... capped at max. Deterministic, so tests can reason about it. */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(initialMs = 1_000, maxMs = 60_000) {
    this.initialMs = Number.isFinite(initialMs) && initialMs >= MIN_BACKOFF_MS ? initialMs : 1_000;
    this.maxMs = Number.isFinite(maxMs) && maxMs >= this.initialMs ? maxMs : Math.max(this.initialMs, 60_000);
  }

  /** Delay before the next retry; rate-limit errors wait twice as long. */
  next(rateLimited = false): number {
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt) * (rateLimited ? 2 : 1);
    this.attempt++;
    return Math.min(delay, this.maxMs);
  }

  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that `cancel()` ends early (resolving), so closing a feed never waits for a timer. */
export class Sleeper {
  private timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, Math.max(0, ms)),
      };
      this.timers.add(entry);
    });
  }

  cancel(): void {
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
  }
}
