/** The portfolio as a message payload: what the place-order node sends on request and after fills. */
import type { Mode } from '../contract';
import { formatAmount, formatMoney, formatPrice } from '../format-number';
import type { MarketSteps } from '../market-steps';
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

/**
 * The report's numbers as a person reads them (core/format-number.ts), for a dashboard or a
 * template: money in cents of the report's currency, each position's prices to its market's tick
 * and its amount to the market's step, balances in their own currency. Sent beside the payload
 * (msg.display), whose numbers stay exact for flows that compute with them.
 */
export interface PortfolioDisplay {
  currency: string;
  equity: string;
  realizedPnl: string;
  realizedToday: string;
  unrealizedPnl: string;
  fees: string;
  balances: Record<string, { free: string; used: string; total: string }>;
  positions: Array<{ symbol: string; amount: string; avgEntry: string; lastPrice: string | null; unrealizedPnl: string; realizedPnl: string; fees: string }>;
}

export function portfolioDisplay(report: PortfolioReport, stepsOf: (symbol: string) => MarketSteps): PortfolioDisplay {
  const money = (v: number) => formatMoney(v, report.currency);
  return {
    currency: report.currency,
    equity: money(report.equity),
    realizedPnl: money(report.realizedPnl),
    realizedToday: money(report.realizedToday),
    unrealizedPnl: money(report.unrealizedPnl),
    fees: money(report.fees),
    balances: Object.fromEntries(
      Object.entries(report.balances).map(([c, b]) => [c, { free: formatMoney(b.free, c), used: formatMoney(b.used, c), total: formatMoney(b.total, c) }]),
    ),
    positions: report.positions.map((pos) => {
      const steps = stepsOf(pos.symbol);
      // P&L and fees of a position are in its market's quote currency.
      const quote = pos.symbol.split('/')[1] ?? report.currency;
      return {
        symbol: pos.symbol,
        amount: formatAmount(pos.amount, steps.amountStep),
        avgEntry: formatPrice(pos.avgEntry, steps.tickSize),
        lastPrice: pos.lastPrice === null ? null : formatPrice(pos.lastPrice, steps.tickSize),
        unrealizedPnl: formatMoney(pos.unrealizedPnl, quote),
        realizedPnl: formatMoney(pos.realizedPnl, quote),
        fees: formatMoney(pos.fees, quote),
      };
    }),
  };
}
