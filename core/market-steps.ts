/**
 * The tick size and amount step of each market an exchange session has loaded, by the exchange
 * name payloads carry ("sim", "binance") and symbol: what a text needs to round a price or an
 * amount the way the market does (core/format-number.ts) where only a message is at hand (a
 * notifier, a status). Several exchange nodes of one exchange share its markets' steps.
 */
import type { MarketInfo } from './market/market-source';

export interface MarketSteps {
  tickSize?: number;
  amountStep?: number;
}

const steps = new Map<string, MarketSteps>();

const key = (exchange: string, symbol: string) => `${exchange}\u0000${symbol}`;

/** Called when a session's markets are loaded. */
export function rememberMarkets(exchange: string, markets: Map<string, MarketInfo>): void {
  for (const m of markets.values()) steps.set(key(exchange, m.symbol), { tickSize: m.tickSize, amountStep: m.amountStep });
}

/** The steps of a market, or nothing when no session has loaded it (texts then use the general rules). */
export function marketSteps(exchange: string | undefined, symbol: string | undefined): MarketSteps {
  if (!exchange || !symbol) return {};
  return steps.get(key(exchange, symbol)) ?? {};
}
