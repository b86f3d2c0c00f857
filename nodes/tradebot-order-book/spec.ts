/** The order book node's settings (see nodes/shared/spec.ts): the runtime and the editor read them from here. */
import type { NumberRule } from '../../core/setting-values';
import type { NodeSpec } from '../shared/spec';
import { exchangeField, nameField, numberField, pollIntervalField, symbolsCheck } from '../shared/spec-fields';

export interface OrderBookConfig {
  name: string;
  exchange: string;
  symbols: string;
  depth: string | number;
  interval: string | number;
  websocket: boolean;
}

/** How many price levels per side. */
export const DEPTH_RULE: NumberRule = { fallback: 10, min: 1, max: 1000, integer: true, unit: 'levels' };

export const orderBookSpec: NodeSpec<OrderBookConfig> = {
  type: 'tradebot-order-book',
  category: 'tradebot',
  color: '#E9C46A',
  paletteLabel: 'order book',
  icon: 'font-awesome/fa-list-ol',
  inputs: 1,
  outputs: 1,
  inputLabels: 'request: msg.topic = symbol (optional)',
  outputLabels: 'order book per symbol',
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    symbols: { value: 'BTC/USDT', label: 'Symbols', required: true, check: symbolsCheck },
    depth: numberField('Depth', DEPTH_RULE),
    interval: pollIntervalField('Poll every'),
    websocket: { value: true },
  },
  defaultName: (c) => 'book ' + (c.symbols || ''),
};
