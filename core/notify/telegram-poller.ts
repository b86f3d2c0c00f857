/**
 * Long-polls Telegram's getUpdates and hands each message to a handler, confirming updates by
 * offset so none is handled twice. Network errors, 5xx and 429 back off and retry; a 409
 * (another process polls the same bot) is reported and retried slowly. Errors never contain the
 * token.
 */
import { Backoff, Sleeper } from '../util/backoff';
import { DEFAULT_POLL_SECONDS, MAX_POLL_SECONDS, MIN_POLL_SECONDS, parsePollSeconds } from './poll-seconds';


export interface TelegramMessage {
  chatId: number;
  fromId?: number;
  username?: string;
  text: string;
}

/** A tap on an inline keyboard button of a message the bot sent. */
export interface TelegramCallback {
  /** The callback query id, to answer with answerCallback(). */
  id: string;
  /** The chat of the message whose button was tapped. */
  chatId: number;
  fromId?: number;
  /** The button's callback_data. */
  data: string;
}

export interface PollerOptions {
  token: string;
  apiBase?: string;
  /** Long-poll time per request, seconds (Telegram allows up to 50). */
  timeoutSec?: number;
  onMessage: (m: TelegramMessage) => void | Promise<void>;
  /** Button taps (inline keyboards); without it they are not asked for. */
  onCallback?: (c: TelegramCallback) => void | Promise<void>;
  onStatus?: (state: 'polling' | 'retrying' | 'error', text: string) => void;
  backoff?: { initialMs: number; maxMs: number };
}

export { DEFAULT_POLL_SECONDS, MAX_POLL_SECONDS, MIN_POLL_SECONDS, parsePollSeconds };

/** The least time between two getUpdates requests that returned nothing, ms (see loop()). */
export const MIN_EMPTY_POLL_GAP_MS = 1_000;

export class TelegramPoller {
  private offset = 0;
  private stopped = false;
  private readonly sleeper = new Sleeper();
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: PollerOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.cancel();
    this.controller?.abort();
    // Stopping only waits for the loop to end; the loop reports its own failures.
    await this.running?.catch(() => undefined);
  }

  /**
   * Confirms a button tap (Telegram shows a spinner on the button until then), with an optional
   * short notice. Never throws: a failed answer only leaves the spinner until it times out.
   */
  async answerCallback(id: string, text?: string): Promise<void> {
    const base = (this.o.apiBase || 'https://api.telegram.org').replace(/\/$/, '');
    try {
      await fetch(`${base}/bot${this.o.token}/answerCallbackQuery`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ callback_query_id: id, ...(text ? { text: text.slice(0, 200) } : {}) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      /* the spinner times out by itself */
    }
  }

  private redact(text: string): string {
    return text.split(this.o.token).join('***');
  }

  private async loop(): Promise<void> {
    const base = (this.o.apiBase || 'https://api.telegram.org').replace(/\/$/, '');
    // Floors that hold whatever the caller passed: a long poll of at least 1 s (at most Telegram's 50).
    const timeout = Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, Math.round(this.o.timeoutSec ?? DEFAULT_POLL_SECONDS) || DEFAULT_POLL_SECONDS));
    const backoff = new Backoff(this.o.backoff?.initialMs ?? 1000, this.o.backoff?.maxMs ?? 60_000);
    let announced = false;
    while (!this.stopped) {
      this.controller = new AbortController();
      const askedAt = Date.now();
      let empty = false;
      const guard = setTimeout(() => this.controller?.abort(), (timeout + 10) * 1000);
      try {
        const res = await fetch(`${base}/bot${this.o.token}/getUpdates`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ offset: this.offset, timeout, allowed_updates: this.o.onCallback ? ['message', 'callback_query'] : ['message'] }),
          signal: this.controller.signal,
        });
        // A body that is not JSON (a proxy's error page) is handled below as an answer without a result.
        const json: any = await res.json().catch(() => undefined);
        if (!res.ok || !json?.ok) {
          const description = this.redact(String(json?.description ?? `HTTP ${res.status}`));
          const retryAfter = Number(json?.parameters?.retry_after);
          throw Object.assign(new Error(description), { retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined, status: res.status });
        }
        backoff.reset();
        if (!announced) this.o.onStatus?.('polling', 'listening for commands');
        announced = true;
        empty = !Array.isArray(json.result) || json.result.length === 0;
        for (const update of json.result as any[]) {
          this.offset = Math.max(this.offset, Number(update.update_id) + 1);
          const m = update.message;
          if (m && typeof m.text === 'string' && m.chat) {
            await this.o.onMessage({ chatId: Number(m.chat.id), fromId: m.from?.id, username: m.from?.username, text: m.text });
          }
          const q = update.callback_query;
          if (q && this.o.onCallback && typeof q.id === 'string' && typeof q.data === 'string' && q.message?.chat) {
            await this.o.onCallback({ id: q.id, chatId: Number(q.message.chat.id), fromId: q.from?.id, data: q.data });
          }
        }
      } catch (err) {
        if (this.stopped) break;
        announced = false;
        const e = err as Error & { retryAfterMs?: number; status?: number };
        const message = this.redact(e.name === 'AbortError' ? 'long poll timed out' : e.message);
        const delay = e.retryAfterMs ?? (e.status === 409 ? Math.max(5000, backoff.next()) : backoff.next());
        this.o.onStatus?.(e.status === 401 ? 'error' : 'retrying', `${message}; retry in ${Math.round(delay / 1000)} s`);
        await this.sleeper.sleep(delay);
      } finally {
        clearTimeout(guard);
      }
      // A server that answers an empty long poll at once (a proxy, a misconfigured API address)
      // would otherwise be asked again without pause: at most one empty answer per second.
      const gap = MIN_EMPTY_POLL_GAP_MS - (Date.now() - askedAt);
      if (empty && gap > 0 && !this.stopped) await this.sleeper.sleep(gap);
    }
  }
}
