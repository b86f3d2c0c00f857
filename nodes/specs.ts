/** Every node spec by node type (nodes/<node>/spec.ts). */
import type { NodeSpec } from './shared/spec';
import { backtestSpec } from './tradebot-backtest/spec';
import { candlesSpec } from './tradebot-candles/spec';
import { databaseSpec } from './tradebot-database/spec';
import { exchangeSpec } from './tradebot-exchange/spec';
import { indicatorSpec } from './tradebot-indicator/spec';
import { journalSpec } from './tradebot-journal/spec';
import { notifierSpec } from './tradebot-notifier/spec';
import { orderBookSpec } from './tradebot-order-book/spec';
import { pairlistSpec } from './tradebot-pairlist/spec';
import { placeOrderSpec } from './tradebot-place-order/spec';
import { redisSpec } from './tradebot-redis/spec';
import { riskGateSpec } from './tradebot-risk-gate/spec';
import { strategySpec } from './tradebot-strategy/spec';
import { streamAckSpec } from './tradebot-stream-ack/spec';
import { streamInSpec } from './tradebot-stream-in/spec';
import { streamOutSpec } from './tradebot-stream-out/spec';
import { telegramSpec } from './tradebot-telegram/spec';
import { telegramControlSpec } from './tradebot-telegram-control/spec';
import { tickerSpec } from './tradebot-ticker/spec';

export const NODE_SPECS: Record<string, NodeSpec<any>> = Object.fromEntries(
  [backtestSpec, candlesSpec, databaseSpec, exchangeSpec, indicatorSpec, journalSpec, notifierSpec, orderBookSpec, pairlistSpec, placeOrderSpec, redisSpec, riskGateSpec, strategySpec, streamAckSpec, streamInSpec, streamOutSpec, telegramSpec, telegramControlSpec, tickerSpec].map((s) => [s.type, s]),
);
