/**
 * The notifier node's rules without zod or Mustache: its choices, defaults and ranges, and a
 * template syntax check. core/notify/settings.ts builds its schema from them and the editor bundle
 * (nodes/tradebot-notifier/spec.ts) checks the dialog with them.
 */
import type { NotifyKind } from './kinds';

export const CHANNELS = ['telegram', 'webhook', 'none'] as const;
export const PARSE_MODES = ['HTML', 'MarkdownV2', 'plain'] as const;
export const WEBHOOK_PRESETS = ['generic', 'discord', 'slack'] as const;
/** The kinds a notifier sends when none are chosen: all but "anything else". */
export const DEFAULT_KINDS: NotifyKind[] = ['signal', 'order', 'rejection', 'breaker', 'error', 'summary', 'lifecycle', 'kill', 'forceExit', 'drift'];
/** Minimum intervals and the batch window: seconds, 0 to a day. */
export const MAX_SECONDS = 86_400;
/** Notifications waiting for delivery. */
export const QUEUE_RULE = { min: 1, max: 10_000, fallback: 100 };
/** A webhook URL (kept as a credential). */
export const WEBHOOK_URL_RE = /^https?:\/\/\S+$/;

/**
 * The syntax errors Mustache.parse throws at deploy (unclosed tags, sections closed out of order
 * or never), found without Mustache so the editor shows them first; '' when fine. Templates that
 * change the delimiters ({{=…=}}) are left to Mustache.
 */
export function templateSyntaxError(template: string): string {
  const s = template;
  if (s.includes('{{=')) return '';
  const open: string[] = [];
  let pos = 0;
  for (;;) {
    const start = s.indexOf('{{', pos);
    if (start < 0) break;
    const triple = s.charAt(start + 2) === '{';
    const closer = triple ? '}}}' : '}}';
    const end = s.indexOf(closer, start + closer.length);
    if (end < 0) return 'a tag is not closed: "' + s.slice(start, start + 24) + '…" needs ' + closer;
    const tag = s.slice(start + closer.length, end).trim();
    const type = triple ? '{' : tag.charAt(0);
    const name = tag.slice(1).trim();
    if (type === '#' || type === '^') open.push(name);
    else if (type === '/') {
      if (!open.length) return '{{/' + name + '}} closes a section that is not open';
      const last = open.pop();
      if (last !== name) return 'the section {{#' + last + '}} must be closed ({{/' + last + '}}) before {{/' + name + '}}';
    }
    pos = end + closer.length;
  }
  return open.length ? 'the section {{#' + open[open.length - 1] + '}} is not closed: add {{/' + open[open.length - 1] + '}}' : '';
}
