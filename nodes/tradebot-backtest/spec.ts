/** The backtest node's settings (see nodes/shared/spec.ts). The Optimise tab's sweep is checked by core/optimise/sweep-spec.ts at run time. */
import type { NodeSpec } from '../shared/spec';
import { exchangeField, nameField } from '../shared/spec-fields';

export interface BacktestConfig {
  name: string;
  exchange: string;
  engine: string;
  optimise: unknown;
}

export const backtestSpec: NodeSpec<BacktestConfig> = {
  type: 'tradebot-backtest',
  category: 'tradebot',
  color: '#B5838D',
  paletteLabel: 'backtest',
  icon: 'font-awesome/fa-history',
  inputs: 1,
  outputs: 1,
  inputLabels: 'any message starts the run (msg.optimise: an optimisation)',
  outputLabels: 'backtest report',
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    engine: { value: 'auto' },
    // The Optimise tab's sweep (docs/optimise.md), or null: kept with the flow, run with its button.
    optimise: { value: null },
  },
  defaultName: () => 'backtest',
};
