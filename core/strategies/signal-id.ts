import { hash } from 'node:crypto';
import type { Side } from '../contract';

/**
 * A deterministic signal id: the same strategy, market, candle and side always give the same
 * id, so a replayed candle (restart, backtest, redelivery) yields the same id and the order
 * layer can refuse to act twice. 24 hex digits of SHA-256 (96 bits): short enough to become an
 * exchange client order id later (Binance allows 36 characters of [A-Za-z0-9-_]).
 */
export function signalId(parts: {
  strategy: string;
  exchange: string;
  symbol: string;
  timeframe?: string;
  candleTs: number;
  side: Side;
}): string {
  const text = [parts.strategy, parts.exchange, parts.symbol, parts.timeframe ?? '', parts.candleTs, parts.side].join('|');
  // The one-shot hash: the same digest as createHash().update().digest(), a third of the cost (a backtest makes one per signal).
  return `sig-${hash('sha256', text, 'hex').slice(0, 24)}`;
}
