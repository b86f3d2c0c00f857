/**
 * The one loop every market-data feed runs: wait for the next update (websocket watch* where
 * the source has it, else a poll on an interval that honours the rate limit), hand it on, and
 * on a failure back off exponentially and say so, until stopped. Errors that retrying cannot
 * fix (unknown symbol, bad credentials, unsupported call) stop the loop and are reported once.
 */
import { Backoff, Sleeper } from './backoff';
import { isRateLimitError, isRetryableError } from './ccxt-loader';
import type { FeedStatus } from './feed-status';
import { SourceClosedError } from './market-source';

export interface WatchLoopOptions<T> {
  /** Human name for status texts, e.g. "BTC/USDT". */
  label: string;
  /** Waits for the next update; used when `useWatch`. */
  watch: () => Promise<T>;
  /** One request; used when polling. */
  fetch: () => Promise<T>;
  useWatch: boolean;
  pollIntervalMs: number;
  onData: (data: T) => void | Promise<void>;
  onStatus: (status: FeedStatus) => void;
  onFatal: (error: Error) => void;
  /** Runs after a failure, before the next attempt (the candle feed catches up over REST here). */
  onRecovering?: () => Promise<void>;
  backoff?: { initialMs: number; maxMs: number };
  /**
   * Websocket only: when a watch delivers nothing for this long, the stream counts as silent (open
   * but dead): `reopen` closes its connection, the status says so, and the next watch dials anew.
   */
  silentAfterMs?: number;
  reopen?: () => Promise<void>;
}

const SILENT = Symbol('silent');

export class WatchLoop<T> {
  private stopped = false;
  private readonly sleeper = new Sleeper();
  private readonly backoff: Backoff;
  private running: Promise<void> | undefined;

  constructor(private readonly options: WatchLoopOptions<T>) {
    this.backoff = new Backoff(options.backoff?.initialMs ?? 1_000, options.backoff?.maxMs ?? 60_000);
  }

  start(): void {
    this.running ??= this.run();
  }

  /**
   * Stops the loop. It does not wait for a watch in flight: an idle stream may not answer until
   * its source closes, and closing must not hang on it. The loop checks `stopped` after every
   * await, so nothing is emitted after this returns.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.cancel();
    this.running?.catch(() => undefined);
  }

  /** The next update, or SILENT when none came within silentAfterMs (the pending watch is let go, handled). */
  private async watchOrSilence(): Promise<T | typeof SILENT> {
    const o = this.options;
    const pending = o.watch();
    if (!o.silentAfterMs || !o.reopen) return pending;
    pending.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<typeof SILENT>((resolve) => {
      timer = setTimeout(() => resolve(SILENT), o.silentAfterMs);
    });
    try {
      return await Promise.race([pending, silence]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(): Promise<void> {
    const o = this.options;
    let lastState: FeedStatus['state'] | undefined;
    let firstPoll = true;
    while (!this.stopped) {
      try {
        if (!o.useWatch && !firstPoll) await this.sleeper.sleep(o.pollIntervalMs);
        firstPoll = false;
        if (this.stopped) break;
        const data = o.useWatch ? await this.watchOrSilence() : await o.fetch();
        if (this.stopped) break;
        if (data === SILENT) {
          // Open but dead: nothing for silentAfterMs. Closed and dialled again, what was missed caught up.
          lastState = 'reconnecting';
          o.onStatus({ state: 'reconnecting', text: `no data for ${formatDelay(o.silentAfterMs!)}: reopening the stream` });
          await o.reopen!().catch(() => undefined);
          if (!this.stopped && o.onRecovering) await o.onRecovering().catch(() => undefined);
          continue;
        }
        this.backoff.reset();
        const state = o.useWatch ? 'live' : 'polling';
        if (state !== lastState) o.onStatus({ state, text: `${state === 'live' ? 'websocket' : 'polling'}: ${o.label}` });
        lastState = state;
        await o.onData(data);
      } catch (err) {
        if (this.stopped || err instanceof SourceClosedError) break;
        const error = err instanceof Error ? err : new Error(String(err));
        if (!isRetryableError(error)) {
          this.stopped = true;
          o.onStatus({ state: 'error', text: shorten(error.message) });
          o.onFatal(error);
          break;
        }
        const delay = this.backoff.next(isRateLimitError(error));
        lastState = 'reconnecting';
        o.onStatus({
          state: 'reconnecting',
          text: `retry ${this.backoff.failures} in ${formatDelay(delay)}: ${shorten(error.message, 40)}`,
        });
        await this.sleeper.sleep(delay);
        if (!this.stopped && o.onRecovering) await o.onRecovering().catch(() => undefined);
      }
    }
  }
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

/** Status texts must stay short; ccxt messages repeat the exchange id and a JSON body. */
export function shorten(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
