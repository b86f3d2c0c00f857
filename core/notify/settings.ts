/** The notifier node's settings, validated; errors name the editor field. */
import { z } from 'zod';
import { zodError } from '../contract';
import { NOTIFY_KINDS } from './kinds';
import type { NotifierSettings } from './notifier';
import { checkTemplate } from './templates';

/** Numbers, or numeric text from the editor; empty = not set. Booleans, objects and other text are refused, not coerced. */
const toNumber = (v: unknown) => (v === '' || v === null || v === undefined ? undefined : typeof v === 'string' ? Number(v.trim()) : v);
const seconds = z.preprocess(toNumber, z.number().min(0, 'must be 0 or more').max(86_400, 'must be at most 86400').optional());

export const NotifierConfigSchema = z.object({
  channel: z.enum(['telegram', 'webhook', 'none']).default('none'),
  /** A number from an imported flow is taken as the chat id it is. */
  chatId: z.preprocess((v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v), z.string().trim().default('')),
  parseMode: z.enum(['HTML', 'MarkdownV2', 'plain']).default('HTML'),
  webhookPreset: z.enum(['generic', 'discord', 'slack']).default('generic'),
  kinds: z.array(z.enum(NOTIFY_KINDS)).default(['signal', 'order', 'rejection', 'breaker', 'error', 'summary', 'lifecycle', 'kill', 'forceExit', 'drift']),
  /** Per kind, seconds: at most one notification of that kind per this long. */
  minIntervals: z.partialRecord(z.enum(NOTIFY_KINDS), seconds).default({}),
  batchSeconds: seconds,
  templates: z.partialRecord(z.enum(NOTIFY_KINDS), z.string()).default({}),
  maxQueue: z.preprocess(toNumber, z.number().int('must be a whole number').min(1).max(10_000).default(100)),
});

export type NotifierConfig = z.infer<typeof NotifierConfigSchema>;

export function parseNotifierConfig(input: unknown): { config: NotifierConfig; settings: NotifierSettings } {
  const result = NotifierConfigSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'notifier');
  const config = result.data;
  for (const [kind, template] of Object.entries(config.templates)) if (template) checkTemplate(kind, template);
  const settings: NotifierSettings = {
    kinds: config.kinds,
    minIntervalMs: Object.fromEntries(Object.entries(config.minIntervals).map(([k, v]) => [k, (v ?? 0) * 1000])),
    batchWindowMs: (config.batchSeconds ?? 0) * 1000,
    templates: Object.fromEntries(Object.entries(config.templates).filter(([, t]) => t && t.trim())),
  };
  return { config, settings };
}

/** Checked when a Telegram channel is set up (an imported example may not have one yet). */
export function checkChatId(chatId: string): void {
  if (!/^-?\d+$|^@\w+$/.test(chatId)) {
    throw new Error('notifier.chatId: a Telegram chat id (a number such as 123456789, or -100... for groups) or @channelname');
  }
}

/** "123, -100456" -> [123, -100456]; the chats allowed to control the bot. */
export function parseChatIds(text: string | undefined, field = 'allowedChats'): number[] {
  const parts = String(text ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean);
  return parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new Error(`${field}: "${p}" is not a chat id (a whole number)`);
    return Number(p);
  });
}
