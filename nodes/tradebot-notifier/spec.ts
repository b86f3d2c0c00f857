/**
 * The notifier node's settings (see nodes/shared/spec.ts). Choices, defaults, ranges and the
 * template syntax check come from core/notify/notifier-rules.ts, which the runtime's schema
 * (core/notify/settings.ts) is built from; only the dialog's words are written here.
 */
import { CHAT_ID_RE } from '../../core/notify/chat-ids';
import { NOTIFY_KINDS, type NotifyKind } from '../../core/notify/kinds';
import { CHANNELS, DEFAULT_KINDS, MAX_SECONDS, PARSE_MODES, QUEUE_RULE, WEBHOOK_PRESETS, templateSyntaxError } from '../../core/notify/notifier-rules';
import { blank, isNum, oneOf, text, wholeNumber, type NodeSpec } from '../shared/spec';
import { nameField } from '../shared/spec-fields';

export interface NotifierConfig {
  name: string;
  channel: (typeof CHANNELS)[number];
  telegram: string;
  chatId: string;
  parseMode: (typeof PARSE_MODES)[number];
  webhookPreset: (typeof WEBHOOK_PRESETS)[number];
  kinds: NotifyKind[];
  minIntervals: Partial<Record<NotifyKind, number | string>>;
  batchSeconds: number | string;
  templates: Partial<Record<NotifyKind, string>>;
  maxQueue: number | string;
}

/** Each kind as the dialog's Messages and Templates tabs list it: its title and what it covers. */
export const KIND_ROWS: Array<[NotifyKind, string, string]> = [
  ['signal', 'Signals', 'buy and sell signals from a strategy'],
  ['order', 'Order updates', 'each change of an order, from a place-order node (output 1)'],
  ['rejection', 'Rejections', 'signals a risk gate refused (output 2), except the breaker'],
  ['breaker', 'Breaker trips', 'a risk gate rejection with code DRAWDOWN_BREAKER, or a lifecycle event "breaker"'],
  ['error', 'Errors', 'messages with msg.error, from a Catch node'],
  ['summary', 'Portfolio summaries', 'portfolio reports, from a place-order node (output 2)'],
  ['lifecycle', 'Start and stop', 'trading started (account ready) or stopped (deploy, shutdown), from a place-order node (output 1)'],
  ['kill', 'Kill switch', 'the kill switch turned on (no new entries) or off (resume)'],
  ['forceExit', 'Force exits', 'a position (or every position) closed at market on request'],
  ['drift', 'Drift', "live: the exchange's balances or open orders differed from the bot's and were adopted, from a place-order node (output 1)"],
  ['other', 'Anything else', 'any other message, as text'],
];

const KINDS: readonly string[] = NOTIFY_KINDS;

/** Seconds as the runtime takes them: empty (off) or 0 to a day; '' when fine. */
export function secondsError(v: unknown): string {
  if (blank(v)) return '';
  return isNum(v) && Number(v) >= 0 && Number(v) <= MAX_SECONDS ? '' : 'must be a number of seconds from 0 to ' + MAX_SECONDS + ', or empty (off)';
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const telegramChannel = (field: (prop: string) => any) => field('channel') === 'telegram';

export const notifierSpec: NodeSpec<NotifierConfig> = {
  type: 'tradebot-notifier',
  category: 'tradebot',
  color: '#2A9D8F',
  paletteLabel: 'notifier',
  icon: 'font-awesome/fa-bell',
  inputs: 1,
  outputs: 1,
  inputLabels: 'signals, order updates, rejections, errors (from a catch node), portfolio',
  outputLabels: 'notification text (for any other node to deliver)',
  defaults: {
    name: nameField,
    channel: { value: 'telegram', label: 'Send to', check: oneOf(CHANNELS) },
    // Needed only for Telegram.
    telegram: { value: '', label: 'Bot', config: { type: 'tradebot-telegram', what: 'a Telegram bot', needed: telegramChannel } },
    chatId: {
      value: '',
      label: 'Chat id',
      // Empty is valid: the notifier then puts its texts on its output only (blue status).
      check: (v, field) => !telegramChannel(field) || text(v).trim() === '' || CHAT_ID_RE.test(text(v).trim()) || 'must be a Telegram chat id: a number such as 123456789, -100… for groups and channels, or @channelname (or empty: texts go to the output only)',
    },
    parseMode: { value: 'HTML', label: 'Format', check: oneOf(PARSE_MODES) },
    webhookPreset: { value: 'generic', label: 'Payload', check: oneOf(WEBHOOK_PRESETS) },
    kinds: {
      value: DEFAULT_KINDS.slice(),
      label: 'Message kinds',
      check: (v) => {
        if (!Array.isArray(v)) return 'must be a list';
        const bad = v.find((k) => !KINDS.includes(k));
        return bad === undefined || ': "' + bad + '" is not a kind of message (' + KINDS.join(', ') + ')';
      },
    },
    minIntervals: {
      value: {},
      label: 'Minimum interval',
      check: (v) => {
        if (!isObject(v)) return 'must be an object of kind: seconds';
        for (const [k, s] of Object.entries(v)) {
          if (!KINDS.includes(k)) return ' for "' + k + '": not a kind of message';
          const e = secondsError(s);
          if (e) return ' for ' + k + ' ' + e;
        }
        return true;
      },
    },
    batchSeconds: { value: '', label: 'Batch', check: (v) => secondsError(v) || true },
    templates: {
      value: {},
      label: 'Templates',
      check: (v) => {
        if (!isObject(v)) return 'must be an object of kind: template';
        for (const [k, t] of Object.entries(v)) {
          if (!KINDS.includes(k)) return ': "' + k + '" is not a kind of message';
          if (typeof t !== 'string') return ': the ' + k + ' template must be text';
          const e = templateSyntaxError(t);
          if (e) return ': ' + k + ': ' + e;
        }
        return true;
      },
    },
    maxQueue: { value: QUEUE_RULE.fallback, label: 'Queue', check: wholeNumber(QUEUE_RULE, true) },
  },
  defaultName: (c) => {
    if (c.channel === 'telegram') return c.chatId ? 'notify: telegram ' + c.chatId : 'notify: telegram';
    if (c.channel === 'webhook') return 'notify: ' + (c.webhookPreset === 'discord' || c.webhookPreset === 'slack' ? c.webhookPreset : 'webhook');
    return 'notify';
  },
};
