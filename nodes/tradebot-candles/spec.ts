/** The candles node's settings (see nodes/shared/spec.ts): the runtime and the editor read them from here. */
import type { NumberRule } from '../../core/setting-values';
import { timeframeToMs } from '../../core/timeframe';
import type { NodeSpec } from '../shared/spec';
import { accepts, exchangeField, nameField, numberField, pollIntervalField, symbolsCheck } from '../shared/spec-fields';

export interface CandlesConfig {
  name: string;
  source: 'exchange' | 'ticks';
  exchange: string;
  symbols: string;
  timeframe: string;
  warmup: string | number;
  interval: string | number;
  websocket: boolean;
}

/** History candles fetched before the first live one. */
export const WARMUP_RULE: NumberRule = { fallback: 100, min: 0, max: 5000, integer: true, unit: 'candles' };
export const DEFAULT_TIMEFRAME = '1m';

/** Candles built from ticker messages need no exchange and no symbols. */
const fromExchange = (field: (prop: string) => any) => field('source') !== 'ticks';

export const candlesSpec: NodeSpec<CandlesConfig> = {
  type: 'tradebot-candles',
  category: 'tradebot',
  color: '#E9C46A',
  paletteLabel: 'candles',
  icon: 'font-awesome/fa-bar-chart',
  inputs: 1,
  outputs: 1,
  inputLabels: 'ticker messages (source: ticks)',
  outputLabels: 'closed candle',
  defaults: {
    name: nameField,
    source: { value: 'exchange' },
    exchange: exchangeField(fromExchange),
    symbols: { value: 'BTC/USDT', label: 'Symbols', check: (v, field) => !fromExchange(field) || symbolsCheck(v, field) },
    timeframe: {
      value: DEFAULT_TIMEFRAME,
      label: 'Timeframe',
      check: (v) => accepts(() => timeframeToMs(String(v ?? ''))) || 'must be a number and a unit, such as 1m, 15m, 4h or 1d',
    },
    warmup: numberField('Warm-up', WARMUP_RULE, 'must be a whole number of history candles from 0 to 5000'),
    interval: pollIntervalField('Poll at least'),
    websocket: { value: true },
  },
  defaultName: (c) => (c.source === 'ticks' ? 'candles from ticks ' : 'candles ' + (c.symbols || '') + ' ') + (c.timeframe || ''),
};
