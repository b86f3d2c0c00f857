/**
 * Where notifications go: Telegram's Bot API (sendMessage) or a webhook (generic JSON, Discord,
 * Slack). A channel sends one text or throws a DeliveryError that says whether to retry and when.
 * Error texts never contain the bot token (it is part of Telegram's URL).
 */
import { secrets } from '../secrets';
import { RateGate } from './rate-gate';
import { fitText } from './telegram-text';
import type { TextFormat } from './templates';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    /** Retrying cannot help (400, 401, 403, 404): the message is dropped. */
    readonly permanent: boolean,
    /** The server said when to retry (Telegram's parameters.retry_after, HTTP Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Channel {
  /** e.g. "telegram chat 12345" or "webhook discord": for statuses and metrics, never secret. */
  readonly name: string;
  readonly format: TextFormat;
  /** Gates every send waits for (rate limits), in order. */
  readonly gates: RateGate[];
  /** `buttons` (Telegram only: an inline keyboard, rows of {text, data}) are ignored by other channels. */
  send(text: string, options?: SendOptions): Promise<Sent | void>;
}

/** What Telegram says of a message it took: its id in the chat (to edit it later). */
export interface Sent {
  messageId: number;
}

export interface SendOptions {
  /** Rows of inline buttons; `data` comes back as the tap's callback data (1-64 bytes). */
  buttons?: Array<Array<{ text: string; data: string }>>;
}

const TIMEOUT_MS = 10_000;

async function post(url: string, body: unknown, redact: (s: string) => string): Promise<{ status: number; json: any; retryAfter: string | null }> {
  let res: Response;
  try {
    // Every text sent out (notifications, control replies) passes the credential redaction here.
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(secrets.redactDeep(body)), signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new DeliveryError(secrets.redact(redact(`network error: ${cause ?? (err as Error).message}`)), false);
  }
  const text = await res.text().catch(() => '');
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, retryAfter: res.headers.get('retry-after') };
}

/** One bot's shared limit: about 30 messages a second across all chats. */
const botGates = new Map<string, RateGate>();

export type TelegramChannel = Channel & {
  /** Replaces a sent message's text (and removes its buttons): Telegram's editMessageText. */
  edit(messageId: number, text: string): Promise<void>;
};

export function telegramChannel(o: { token: string; chatId: string; apiBase?: string; format: TextFormat }): TelegramChannel {
  const base = (o.apiBase || 'https://api.telegram.org').replace(/\/$/, '');
  const redact = (s: string) => s.split(o.token).join('***');
  let botGate = botGates.get(o.token);
  if (!botGate) botGates.set(o.token, (botGate = new RateGate(1000 / 30)));
  return {
    name: `telegram chat ${o.chatId}`,
    format: o.format,
    gates: [new RateGate(1000), botGate],
    async send(text: string, options?: SendOptions) {
      // Every text to Telegram passes here (notifications and control replies): cut to Telegram's limit, validly.
      const body: Record<string, unknown> = { chat_id: o.chatId, text: fitText(o.format, text), link_preview_options: { is_disabled: true } };
      if (options?.buttons?.length) body.reply_markup = { inline_keyboard: options.buttons.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))) };
      if (o.format !== 'plain') body.parse_mode = o.format;
      const { status, json } = await post(`${base}/bot${o.token}/sendMessage`, body, redact);
      if (status === 200 && json?.ok) return { messageId: Number(json.result?.message_id) };
      throw telegramError(status, json, redact);
    },
    async edit(messageId: number, text: string) {
      const body: Record<string, unknown> = { chat_id: o.chatId, message_id: messageId, text: fitText(o.format, text), link_preview_options: { is_disabled: true } };
      if (o.format !== 'plain') body.parse_mode = o.format;
      const { status, json } = await post(`${base}/bot${o.token}/editMessageText`, body, redact);
      if (status === 200 && json?.ok) return;
      throw telegramError(status, json, redact);
    },
  };
}

function telegramError(status: number, json: any, redact: (s: string) => string): DeliveryError {
  const description = redact(String(json?.description ?? `HTTP ${status}`));
  if (status === 429) return new DeliveryError(`rate limited: ${description}`, false, (Number(json?.parameters?.retry_after) || 1) * 1000);
  return new DeliveryError(`telegram: ${description}`, status >= 400 && status < 500);
}

export type WebhookPreset = 'generic' | 'discord' | 'slack';

export function webhookChannel(o: { url: string; preset: WebhookPreset }): Channel {
  let host = 'webhook';
  try {
    host = new URL(o.url).host;
  } catch {
    /* validated by the node */
  }
  // Webhook URLs carry their secret in the path (Discord, Slack): never show more than the host.
  const redact = (s: string) => s.split(o.url).join(`https://${host}/***`);
  return {
    name: `webhook ${o.preset} ${host}`,
    format: 'plain',
    gates: [new RateGate(o.preset === 'discord' ? 500 : 200)],
    async send(text: string) {
      const body = o.preset === 'discord' ? { content: text.slice(0, 2000) } : o.preset === 'slack' ? { text } : { text };
      const { status, retryAfter } = await post(o.url, body, redact);
      if (status >= 200 && status < 300) return;
      if (status === 429) throw new DeliveryError('rate limited', false, (Number(retryAfter) || 1) * 1000);
      throw new DeliveryError(`webhook answered HTTP ${status}`, status >= 400 && status < 500 && status !== 408);
    },
  };
}
