/**
 * Runs OPTIONAL Redis work (the market-data cache, the shared rate budget): work that must never
 * fail or hold up a market-data call. While Redis is unreachable every attempt is skipped at once
 * (the fail-fast connection does not queue) and the caller falls back to doing without Redis.
 * Going down and coming back are each reported once, not once per call.
 */
import { ready, type RedisClient } from '../connection';

export type RedisGuardEvent = { state: 'unavailable' | 'restored'; detail: string };

export interface RedisGuardOptions {
  /** Told once when Redis becomes unavailable and once when it is back. */
  onStatus?: (event: RedisGuardEvent) => void;
  /** A Redis command taking longer than this counts as Redis being unavailable (default 1500 ms). */
  opTimeoutMs?: number;
  /** How long the very first attempt waits for the connection to come up after a deploy (default 1000 ms). */
  connectWaitMs?: number;
  /** After a command failed, Redis is not tried again for this long (default 1000 ms). */
  retryAfterMs?: number;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: Error };

export class RedisGuard {
  private down = false;
  private firstConnect: Promise<void> | undefined;
  private readonly opTimeoutMs: number;
  private readonly connectWaitMs: number;
  private readonly retryAfterMs: number;
  private retryAt = 0;

  constructor(
    readonly redis: RedisClient,
    private readonly options: RedisGuardOptions = {},
  ) {
    this.opTimeoutMs = options.opTimeoutMs ?? 1500;
    this.connectWaitMs = options.connectWaitMs ?? 1000;
    this.retryAfterMs = options.retryAfterMs ?? 1000;
  }

  /**
   * Runs `op` against Redis. Never throws: a connection that is not ready, a failing command or
   * one that hangs gives `{ ok: false }` (and the one-time "unavailable" report).
   */
  async attempt<T>(op: (redis: RedisClient) => Promise<T>): Promise<Attempt<T>> {
    // Right after a failed command (a hung connection the client has not noticed yet), do not let
    // every call wait out the timeout again: skip Redis for a moment.
    if (this.down && Date.now() < this.retryAt) return this.failed(new Error('Redis unavailable'));
    if (!this.isReady()) {
      // Only the first attempt waits for a connection (the one a deploy just opened); later ones
      // must not slow every market-data call down while Redis is away.
      if (!this.firstConnect) this.firstConnect = ready(this.redis, this.connectWaitMs).catch(() => undefined);
      await this.firstConnect;
      if (!this.isReady()) return this.failed(new Error(`Redis is not reachable (${this.redis.status})`));
    }
    try {
      const value = await withTimeout(op(this.redis), this.opTimeoutMs);
      if (this.down) {
        this.down = false;
        this.options.onStatus?.({ state: 'restored', detail: 'Redis is back' });
      }
      return { ok: true, value };
    } catch (err) {
      this.retryAt = Date.now() + this.retryAfterMs;
      return this.failed(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private isReady(): boolean {
    return this.redis.status === 'ready';
  }

  private failed(error: Error): Attempt<never> {
    if (!this.down) {
      this.down = true;
      this.options.onStatus?.({ state: 'unavailable', detail: error.message });
    }
    return { ok: false, error };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  // The command may still settle after the timeout: its rejection must not go unhandled.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
