/** Each node type's editor definition, by type; editor/index.ts registers one when the node's .html asks. */
import { backtest } from './backtest';
import { candles } from './candles';
import { database } from './database';
import { exchange } from './exchange';
import { indicator } from './indicator';
import { journal } from './journal';
import { notifier } from './notifier';
import { orderBook } from './order-book';
import { pairlist } from './pairlist';
import { placeOrder } from './place-order';
import { riskGate } from './risk-gate';
import { redis } from './redis';
import { streamAck, streamIn, streamOut } from './redis-nodes';
import { strategy } from './strategy';
import { telegram } from './telegram';
import { telegramControl } from './telegram-control';
import { ticker } from './ticker';

export const definitions: Record<string, () => NodeDefinition> = {
  'tradebot-backtest': backtest,
  'tradebot-candles': candles,
  'tradebot-database': database,
  'tradebot-exchange': exchange,
  'tradebot-indicator': indicator,
  'tradebot-journal': journal,
  'tradebot-notifier': notifier,
  'tradebot-order-book': orderBook,
  'tradebot-pairlist': pairlist,
  'tradebot-place-order': placeOrder,
  'tradebot-redis': redis,
  'tradebot-risk-gate': riskGate,
  'tradebot-strategy': strategy,
  'tradebot-stream-ack': streamAck,
  'tradebot-stream-in': streamIn,
  'tradebot-stream-out': streamOut,
  'tradebot-telegram': telegram,
  'tradebot-telegram-control': telegramControl,
  'tradebot-ticker': ticker,
};
