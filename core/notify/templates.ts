/**
 * Notification texts from mustache templates over the message. A template is plain text: the
 * `b`, `i` and `code` sections give bold, italic and code in whichever format the channel uses
 * (Telegram HTML or MarkdownV2, or plain text for webhooks), so one template serves all channels:
 * `{{#b}}{{payload.symbol}}{{/b}}`. The whole text, the template's own characters and the values,
 * is escaped for the format afterwards, so a "." or "<" anywhere can never break a message.
 */
import Mustache from 'mustache';
import { ConfigError } from '../errors';
import { formatAmount, formatMoney, formatPrice } from '../format-number';
import { marketSteps } from '../market-steps';
import { DEFAULT_TEMPLATES } from './default-templates';

export type TextFormat = 'HTML' | 'MarkdownV2' | 'plain';

export { DEFAULT_TEMPLATES };

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escapes a value for the format (Telegram's rules: https://core.telegram.org/bots/api#formatting-options). */
export function escapeFor(format: TextFormat, text: string): string {
  if (format === 'HTML') return text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!);
  if (format === 'MarkdownV2') return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');
  return text;
}

/** Private-use characters mark formatting while the text is rendered plain, before escaping. */
const MARKERS = { b: ['\uE000', '\uE001'], i: ['\uE002', '\uE003'], code: ['\uE004', '\uE005'] } as const;

const MARKUP: Record<TextFormat, Record<'b' | 'i' | 'code', [string, string]>> = {
  HTML: { b: ['<b>', '</b>'], i: ['<i>', '</i>'], code: ['<code>', '</code>'] },
  MarkdownV2: { b: ['*', '*'], i: ['_', '_'], code: ['`', '`'] },
  plain: { b: ['', ''], i: ['', ''], code: ['', ''] },
};

/** Numbers as a person reads them: 8 significant digits, no float noise (fields without a rule below). */
function readable(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? String(+value.toPrecision(8)) : value;
}

/** Payload fields that are prices, amounts of the base currency, and money in the payload's currency. */
const PRICE_FIELDS = new Set(['price', 'average', 'stopLoss', 'takeProfit', 'lastPrice', 'avgEntry']);
const AMOUNT_FIELDS = new Set(['amount', 'filled', 'remaining']);
const MONEY_FIELDS = new Set(['equity', 'realizedPnl', 'realizedToday', 'unrealizedPnl', 'fees']);

/**
 * `n.<field>`: the payload's numbers for reading (core/format-number.ts): prices to the market's
 * tick, amounts to its step, the portfolio's money to cents of its currency; the rest readable.
 */
function numbersOf(p: Record<string, any>): Record<string, unknown> {
  const steps = marketSteps(p.exchange, p.symbol);
  const quote = typeof p.symbol === 'string' ? p.symbol.split('/')[1] : undefined;
  const n: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) n[k] = readable(v);
    else if (PRICE_FIELDS.has(k)) n[k] = formatPrice(v, steps.tickSize);
    else if (AMOUNT_FIELDS.has(k)) n[k] = formatAmount(v, steps.amountStep);
    else if (MONEY_FIELDS.has(k)) n[k] = formatMoney(v, p.currency ?? quote);
    else n[k] = readable(v);
  }
  n.feeCost = typeof p.fee?.cost === 'number' ? formatMoney(p.fee.cost, p.fee.currency ?? quote) : readable(p.fee?.cost);
  return n;
}

function viewOf(msg: Record<string, any>): Record<string, unknown> {
  const p = msg.payload && typeof msg.payload === 'object' ? msg.payload : {};
  const n = numbersOf(p);
  const wrap = (tag: 'b' | 'i' | 'code') => () => (text: string, render: (t: string) => string) => {
    const [open, close] = MARKERS[tag];
    return `${open}${render(text)}${close}`;
  };
  // Lifecycle events as flags for sections ({{#event.start}}…{{/event.start}}); drift amounts readable, deltas signed.
  const event: Record<string, boolean> = typeof p.event === 'string' ? { [p.event]: true } : {};
  const payload =
    p.kind === 'drift' && Array.isArray(p.balances)
      ? {
          ...p,
          balances: p.balances.map((b: { currency: string; was: number; now: number; delta: number }) => ({
            ...b,
            was: formatMoney(b.was, b.currency),
            now: formatMoney(b.now, b.currency),
            signedDelta: `${b.delta >= 0 ? '+' : ''}${formatMoney(b.delta, b.currency)}`,
          })),
        }
      : msg.payload;
  return {
    ...msg,
    payload,
    event,
    n,
    icon: p.side === 'buy' ? '🟢' : p.side === 'sell' ? '🔴' : 'ℹ️',
    positionCount: Array.isArray(p.positions) ? p.positions.filter((x: { amount: number }) => x.amount > 0).length : 0,
    text: typeof msg.payload === 'string' ? msg.payload : JSON.stringify(msg.payload),
    b: wrap('b'),
    i: wrap('i'),
    code: wrap('code'),
  };
}

export function renderTemplate(template: string, msg: Record<string, any>, format: TextFormat): string {
  const plain = Mustache.render(template, viewOf(msg), {}, { escape: (value: unknown) => String(value) }).trim();
  let text = escapeFor(format, plain);
  for (const tag of ['b', 'i', 'code'] as const) {
    text = text.split(MARKERS[tag][0]).join(MARKUP[format][tag][0]).split(MARKERS[tag][1]).join(MARKUP[format][tag][1]);
  }
  return text;
}

/** Checks a template's syntax at deploy time; the error names the kind. */
export function checkTemplate(kind: string, template: string): void {
  try {
    Mustache.parse(template);
  } catch (err) {
    throw new ConfigError(`templates.${kind}: ${(err as Error).message}`, `notifier.templates.${kind}`);
  }
}
