/**
 * The one loop every market-data feed runs: wait for the next update (websocket watch* where
 * the source has it, else a poll on an interval that honours the rate limit), hand it on, and
 * on a failure back off exponentially and say so, until stopped. Errors that retrying cannot
 * fix (unknown symbol, bad credentials, unsupported call) stop the loop and are reported once.
 *
 * With `fallback` (the default wherever the exchange node's websocket setting is "auto", and
 * always for the account's own prices), a websocket that fails or stays silent is not waited
 * for: the loop polls at once and then every poll interval, while a probe tries the websocket
 * again in the background (2 s, 4 s, ... at most every 60 s); the first update the websocket
 * delivers switches the loop back to it. So data never depends on one transport: after a
 * websocket error the next update comes by REST within one poll interval, after a silent
 * websocket within silentAfterMs plus one poll interval (docs/exchanges.md).
 */
import { Backoff, Sleeper } from '../util/backoff';
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
  /** `via` says which transport brought the update. */
  onData: (data: T, via: 'watch' | 'poll') => void | Promise<void>;
  onStatus: (status: FeedStatus) => void;
  /** A failure that retrying cannot cure (a symbol the exchange refuses, bad credentials): the loop stops. Its message starts with the label. */
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
  /** A failing or silent websocket falls back to polling until it delivers again (default false). */
  fallback?: boolean;
  /** Waits between two tries of the websocket while polling instead (default 2 s doubling to 60 s). */
  probeBackoff?: { initialMs: number; maxMs: number };
}

const SILENT = Symbol('silent');

export class WatchLoop<T> {
  private stopped = false;
  private readonly sleeper = new Sleeper();
  private readonly backoff: Backoff;
  private running: Promise<void> | undefined;
  /** 'poll' while a fallback polls instead of a failed websocket. */
  private mode: 'watch' | 'poll';
  /** Wakes the poll wait when the probe finds the websocket back. */
  private readonly pollSleeper = new Sleeper();
  private probing: Promise<void> | undefined;
  /** The state last reported, so each change is said once (the probe's "back" included). */
  private lastState: FeedStatus['state'] | undefined;

  constructor(private readonly options: WatchLoopOptions<T>) {
    this.backoff = new Backoff(options.backoff?.initialMs ?? 1_000, options.backoff?.maxMs ?? 60_000);
    this.mode = options.useWatch ? 'watch' : 'poll';
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
    this.pollSleeper.cancel();
    // Stopping does not wait for the loops; they end on `stopped` and report their own failures.
    this.running?.catch(() => undefined);
    this.probing?.catch(() => undefined);
  }

  /** The next update, or SILENT when none came within silentAfterMs (the pending watch is let go, handled). */
  private async watchOrSilence(): Promise<T | typeof SILENT> {
    const o = this.options;
    const pending = o.watch();
    if (!o.silentAfterMs || !o.reopen) return pending;
    // Raced against the silence below: a rejection after the race was lost is the old stream's, not news.
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
    let firstPoll = true;
    while (!this.stopped) {
      const via = this.mode;
      try {
        if (via === 'poll' && !firstPoll) await this.pollSleeper.sleep(o.pollIntervalMs);
        firstPoll = false;
        if (this.stopped) break;
        // The probe found the websocket back while this loop waited: use it again.
        if (via === 'poll' && this.mode === 'watch') continue;
        let data: T | typeof SILENT;
        try {
          data = via === 'watch' ? await this.watchOrSilence() : await o.fetch();
        } catch (err) {
          // Only the websocket itself falling over switches to polling (a failed catch-up is not the stream's).
          if (via !== 'watch' || !o.fallback || this.stopped || err instanceof SourceClosedError) throw err;
          // REST carries on at once; the websocket is tried again in the background.
          this.lastState = 'polling';
          firstPoll = true;
          this.fallBack(shorten(err instanceof Error ? err.message : String(err), 40));
          // A catch-up that fails leaves a gap, which the next update reports (candle-feed.ts: meta.gap).
          if (!this.stopped && o.onRecovering) await o.onRecovering().catch(() => undefined);
          continue;
        }
        if (this.stopped) break;
        if (data === SILENT) {
          // Open but dead: nothing for silentAfterMs. Closed and dialled again, what was missed caught up.
          // A stream that cannot be reopened fails on the next watch, which is retried and reported.
          await o.reopen!().catch(() => undefined);
          if (o.fallback) {
            this.lastState = 'polling';
            firstPoll = true;
            this.fallBack(`no data for ${formatDelay(o.silentAfterMs!)}`);
          } else {
            this.lastState = 'reconnecting';
            o.onStatus({ state: 'reconnecting', text: `no data for ${formatDelay(o.silentAfterMs!)}: reopening the stream` });
          }
          // As above: a failed catch-up leaves a gap the next update reports.
          if (!this.stopped && o.onRecovering) await o.onRecovering().catch(() => undefined);
          continue;
        }
        this.backoff.reset();
        const state = via === 'watch' ? 'live' : 'polling';
        // A poll that returns after the probe switched back to the websocket says nothing about the transport.
        if (state !== this.lastState && via === this.mode) {
          o.onStatus({ state, text: this.stateText(state), ...(o.useWatch && o.fallback ? { fallback: state === 'polling' } : {}) });
          this.lastState = state;
        }
        await o.onData(data, via);
      } catch (err) {
        if (this.stopped || err instanceof SourceClosedError) break;
        const error = err instanceof Error ? err : new Error(String(err));
        if (!isRetryableError(error)) {
          this.stopped = true;
          // Named after what failed: an exchange's refusal ("Invalid symbol.") seldom says which
          // symbol. The error object stays (its class tells a refused symbol from bad credentials).
          if (!error.message.startsWith(`${o.label}: `)) error.message = `${o.label}: ${error.message}`;
          o.onStatus({ state: 'error', text: shorten(error.message) });
          o.onFatal(error);
          break;
        }
        const delay = this.backoff.next(isRateLimitError(error));
        this.lastState = 'reconnecting';
        o.onStatus({
          state: 'reconnecting',
          text: `retry ${this.backoff.failures} in ${formatDelay(delay)}: ${shorten(error.message, 40)}`,
        });
        await this.sleeper.sleep(delay);
        // As above: a failed catch-up leaves a gap the next update reports.
        if (!this.stopped && o.onRecovering) await o.onRecovering().catch(() => undefined);
      }
    }
  }

  private stateText(state: 'live' | 'polling'): string {
    if (state === 'live') return `websocket: ${this.options.label}`;
    return this.options.useWatch ? `websocket down, polling: ${this.options.label}` : `polling: ${this.options.label}`;
  }

  /** The websocket failed: poll from now on, and try the websocket again in the background. */
  private fallBack(why: string): void {
    this.mode = 'poll';
    this.options.onStatus({ state: 'polling', text: `websocket down (${why}), polling: ${this.options.label}`, fallback: true });
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
  }

  /**
   * Tries the websocket again with growing pauses while the loop polls; its first update is
   * handed on and switches the loop back. Handles every failure itself.
   */
  private async probe(): Promise<void> {
    const o = this.options;
    const backoff = new Backoff(o.probeBackoff?.initialMs ?? 2_000, o.probeBackoff?.maxMs ?? 60_000);
    while (!this.stopped && this.mode === 'poll') {
      await this.sleeper.sleep(backoff.next());
      if (this.stopped) return;
      try {
        const data = await this.watchOrSilence();
        if (this.stopped) return;
        if (data === SILENT) {
          // Still down: the probe tries again later; a reopen that fails changes nothing for it.
          await o.reopen?.().catch(() => undefined);
          continue;
        }
        this.mode = 'watch';
        this.backoff.reset();
        this.lastState = 'live';
        o.onStatus({ state: 'live', text: `websocket back: ${o.label}`, fallback: false });
        this.pollSleeper.cancel();
        await o.onData(data, 'watch');
        return;
      } catch {
        /* still down: the loop keeps polling, the next try waits longer */
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
