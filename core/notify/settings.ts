/** The notifier node's settings, validated; errors name the editor field. */
import { checkChatId, parseChatIds } from './chat-ids';
import { z } from 'zod';
import { zodError } from '../contract';
import { NOTIFY_KINDS } from './kinds';
import { CHANNELS, DEFAULT_KINDS, MAX_SECONDS, PARSE_MODES, QUEUE_RULE, WEBHOOK_PRESETS } from './notifier-rules';
import type { NotifierSettings } from './notifier';
import { checkTemplate } from './templates';

export { checkChatId, parseChatIds };

/** Numbers, or numeric text from the editor; empty = not set. Booleans, objects and other text are refused, not coerced. */
const toNumber = (v: unknown) => (v === '' || v === null || v === undefined ? undefined : typeof v === 'string' ? Number(v.trim()) : v);
const seconds = z.preprocess(toNumber, z.number().min(0, 'must be 0 or more').max(MAX_SECONDS, `must be at most ${MAX_SECONDS}`).optional());

export const NotifierConfigSchema = z.object({
  channel: z.enum(CHANNELS).default('none'),
  /** A number from an imported flow is taken as the chat id it is. */
  chatId: z.preprocess((v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v), z.string().trim().default('')),
  parseMode: z.enum(PARSE_MODES).default('HTML'),
  webhookPreset: z.enum(WEBHOOK_PRESETS).default('generic'),
  kinds: z.array(z.enum(NOTIFY_KINDS)).default(() => [...DEFAULT_KINDS]),
  /** Per kind, seconds: at most one notification of that kind per this long. */
  minIntervals: z.partialRecord(z.enum(NOTIFY_KINDS), seconds).default({}),
  batchSeconds: seconds,
  templates: z.partialRecord(z.enum(NOTIFY_KINDS), z.string()).default({}),
  maxQueue: z.preprocess(toNumber, z.number().int('must be a whole number').min(QUEUE_RULE.min).max(QUEUE_RULE.max).default(QUEUE_RULE.fallback)),
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

