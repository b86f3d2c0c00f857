/** The portfolio as a message payload: what the place-order node sends on request and after fills. */
import type { Mode } from '../contract';
import type { TradingAccount } from './account';

export interface PortfolioReport {
  kind: 'portfolio';
  exchange: string;
  mode: Mode;
  currency: string;
  equity: number;
  /** Assets that could not be valued in `currency` (no price seen). */
  unpriced: string[];
  balances: Record<string, { free: number; used: number; total: number }>;
  positions: Array<{ symbol: string; amount: number; avgEntry: number; lastPrice: number | null; unrealizedPnl: number; realizedPnl: number; fees: number }>;
  realizedPnl: number;
  realizedToday: number;
  unrealizedPnl: number;
  fees: number;
  openOrders: number;
  ts: number;
}

export function portfolioReport(account: TradingAccount, currency: string, ts: number): PortfolioReport {
  const p = account.portfolio;
  const snapshot = p.snapshot();
  const positions = p.allPositions().map((pos) => ({
    symbol: pos.symbol,
    amount: pos.amount,
    avgEntry: pos.avgEntry,
    lastPrice: p.lastPrice(pos.symbol) ?? null,
    unrealizedPnl: p.unrealizedPnl(pos.symbol),
    realizedPnl: pos.realizedPnl,
    fees: pos.fees,
  }));
  const { equity, unpriced } = p.equity(currency);
  return {
    kind: 'portfolio',
    exchange: account.o.exchangeId,
    mode: account.o.mode,
    currency,
    equity,
    unpriced,
    balances: Object.fromEntries(Object.entries(snapshot.balances).map(([c, b]) => [c, { ...b, total: b.free + b.used }])),
    positions,
    realizedPnl: positions.reduce((s, x) => s + x.realizedPnl, 0),
    realizedToday: p.realizedOn(ts),
    unrealizedPnl: positions.reduce((s, x) => s + x.unrealizedPnl, 0),
    fees: positions.reduce((s, x) => s + x.fees, 0),
    openOrders: account.openOrders().length,
    ts,
  };
}
