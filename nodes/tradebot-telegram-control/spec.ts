/** The Telegram control node's settings (see nodes/shared/spec.ts); the poll range from core/notify/telegram-poller.ts. */
import { DEFAULT_POLL_SECONDS, MAX_POLL_SECONDS, MIN_POLL_SECONDS, parsePollSeconds } from '../../core/notify/poll-seconds';
import { currencySetting } from '../../core/setting-values';
import type { NodeSpec } from '../shared/spec';
import { accepts, nameField } from '../shared/spec-fields';
import { DEFAULT_EQUITY_CURRENCY } from '../tradebot-place-order/spec';

export interface TelegramControlConfig {
  name: string;
  telegram: string;
  exchange: string;
  currency: string;
  pollSeconds: string | number;
}

export const telegramControlSpec: NodeSpec<TelegramControlConfig> = {
  type: 'tradebot-telegram-control',
  category: 'tradebot',
  color: '#2A9D8F',
  paletteLabel: 'telegram control',
  icon: 'font-awesome/fa-mobile',
  inputs: 0,
  outputs: 1,
  outputLabels: 'kill / resume (wire to risk gates on other exchanges, or anything)',
  defaults: {
    name: nameField,
    telegram: { value: '', label: 'Bot', config: { type: 'tradebot-telegram', what: 'a Telegram bot' } },
    // Optional: without an exchange the bot answers /status and /help only.
    exchange: { value: '', config: { type: 'tradebot-exchange', what: 'an exchange', optional: true } },
    currency: { value: DEFAULT_EQUITY_CURRENCY, label: 'Equity in', check: (v) => accepts(() => currencySetting(v, 'currency', DEFAULT_EQUITY_CURRENCY)) || 'must be a currency code such as USDT' },
    pollSeconds: {
      value: DEFAULT_POLL_SECONDS,
      label: 'Long poll',
      check: (v) => (v !== '' && accepts(() => parsePollSeconds(v))) || `must be a whole number of seconds from ${MIN_POLL_SECONDS} to ${MAX_POLL_SECONDS}`,
    },
  },
  defaultName: () => 'telegram control',
};
