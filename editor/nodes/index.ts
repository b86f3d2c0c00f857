/** Each node type's editor definition, by type; editor/index.ts registers one when the node's .html asks. */
import { candles } from './candles';
import { indicator } from './indicator';
import { orderBook } from './order-book';
import { strategy } from './strategy';
import { ticker } from './ticker';

export const definitions: Record<string, () => NodeDefinition> = {
  'tradebot-candles': candles,
  'tradebot-indicator': indicator,
  'tradebot-order-book': orderBook,
  'tradebot-strategy': strategy,
  'tradebot-ticker': ticker,
};
