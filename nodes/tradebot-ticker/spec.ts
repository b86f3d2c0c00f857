/** The ticker node's settings (see nodes/shared/spec.ts): the runtime and the editor read them from here. */
import type { NodeSpec } from '../shared/spec';
import { exchangeField, nameField, pollIntervalField, symbolsCheck } from '../shared/spec-fields';

export interface TickerConfig {
  name: string;
  exchange: string;
  symbols: string;
  interval: string | number;
  websocket: boolean;
}

export const tickerSpec: NodeSpec<TickerConfig> = {
  type: 'tradebot-ticker',
  category: 'tradebot',
  color: '#E9C46A',
  paletteLabel: 'exchange ticker',
  icon: 'font-awesome/fa-line-chart',
  inputs: 1,
  outputs: 1,
  inputLabels: 'request: msg.topic = symbol (optional)',
  outputLabels: 'ticker per symbol',
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    symbols: { value: 'BTC/USDT', label: 'Symbols', required: true, check: symbolsCheck },
    // Empty: 2000 ms; the runtime raises anything below 100 ms to 100 ms.
    interval: pollIntervalField('Poll every'),
    websocket: { value: true },
  },
  defaultName: (c) => 'ticker ' + (c.symbols || ''),
};
