/** The pairlist node's settings (see nodes/shared/spec.ts): the runtime and the editor read them from here. */
import { COUNT_RULE, MAX_SPREAD_RULE, MIN_AGE_RULE, MIN_PRICE_RULE, MIN_QUOTE_VOLUME_RULE, parsePatterns, REFRESH_RULE } from '../../core/market/pairlist';
import type { NodeSpec } from '../shared/spec';
import { accepts, exchangeField, nameField, numberCheck, numberField, optional } from '../shared/spec-fields';

export interface PairlistConfig {
  name: string;
  exchange: string;
  quote: string;
  count: string | number;
  minPrice: string | number;
  minQuoteVolume: string | number;
  maxSpreadPct: string | number;
  whitelist: string;
  blacklist: string;
  minAgeDays: string | number;
  refresh: string | number;
}

const patterns = (v: unknown) => accepts(() => parsePatterns(v, 'patterns')) || 'must be symbols or patterns such as DOGE/*, */BTC, separated by commas';

export const pairlistSpec: NodeSpec<PairlistConfig> = {
  type: 'tradebot-pairlist',
  category: 'tradebot',
  color: '#E9C46A',
  paletteLabel: 'pairlist',
  icon: 'font-awesome/fa-list-ol',
  inputs: 1,
  outputs: 1,
  inputLabels: 'refresh now (msg.payload: filter changes, optional)',
  outputLabels: 'symbol list (to candles / ticker nodes)',
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    quote: { value: 'USDT', label: 'Quote', check: (v) => v === '' || v === undefined || /^[A-Za-z0-9]{1,20}$/.test(String(v)) || 'must be a currency code such as USDT, or empty for any' },
    count: numberField('Top', COUNT_RULE, 'must be a whole number of symbols from 1 to 200'),
    minPrice: numberField('Min price', MIN_PRICE_RULE, 'must be a number of 0 or more'),
    minQuoteVolume: numberField('Min volume', MIN_QUOTE_VOLUME_RULE, 'must be a number of 0 or more'),
    maxSpreadPct: { value: '', label: 'Max spread', check: optional(numberCheck(MAX_SPREAD_RULE, 'must be a percentage from 0 to 100, or empty for no limit')) },
    whitelist: { value: '', label: 'Only', check: patterns },
    blacklist: { value: '', label: 'Never', check: patterns },
    minAgeDays: numberField('Min age', MIN_AGE_RULE, 'must be a whole number of days from 0 to 3650'),
    refresh: numberField('Refresh every', REFRESH_RULE, 'must be a number of minutes from 1 to 10080'),
  },
  defaultName: (c) => `top ${c.count || COUNT_RULE.fallback} ${c.quote || ''} by volume`.replace(/\s+/g, ' ').trim(),
};
