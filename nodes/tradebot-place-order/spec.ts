/** The place order node's settings (see nodes/shared/spec.ts). */
import { currencySetting } from '../../core/setting-values';
import type { NodeSpec } from '../shared/spec';
import { accepts, exchangeField, nameField } from '../shared/spec-fields';

export interface PlaceOrderConfig {
  name: string;
  exchange: string;
  currency: string;
  lifecycle: boolean;
}

export const DEFAULT_EQUITY_CURRENCY = 'USDT';

export const placeOrderSpec: NodeSpec<PlaceOrderConfig> = {
  type: 'tradebot-place-order',
  category: 'tradebot',
  color: '#E76F51',
  paletteLabel: 'place order',
  icon: 'font-awesome/fa-shopping-cart',
  inputs: 1,
  outputs: 2,
  inputLabels: 'order requests; topic portfolio / cancel',
  outputLabels: ['order updates', 'portfolio'],
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    // The runtime's currencySetting: empty is USDT.
    currency: { value: DEFAULT_EQUITY_CURRENCY, label: 'Equity in', check: (v) => accepts(() => currencySetting(v, 'currency', DEFAULT_EQUITY_CURRENCY)) || 'must be a currency code such as USDT' },
    // On for nodes added from the palette; flows saved before it existed (absent) keep output 1 to order updates and drift.
    lifecycle: { value: true },
  },
  defaultName: () => 'place order',
};
