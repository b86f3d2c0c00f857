/** The backtest report: returns, risk and trade statistics from the fills and the equity statistics. */
import type { EquityStats } from './equity-stats';
import type { BacktestReport, BacktestTrade } from './types';

const YEAR_MS = 365 * 86_400_000;

export function buildReport(r: {
  trades: BacktestTrade[];
  equity: EquityStats;
  exposedCandles: number;
  candles: number;
  start: number;
  end: number;
  tfMs: number;
  buyAndHold: number[];
}): BacktestReport {
  const { startEquity, end: endEquity } = r.equity;
  const totalReturn = startEquity > 0 ? endEquity / startEquity - 1 : 0;
  const years = Math.max(r.end - r.start, r.tfMs) / YEAR_MS;
  const annualizedReturn = totalReturn > -1 ? (1 + totalReturn) ** (1 / years) - 1 : -1;
  // Drawdown, Sharpe and Sortino were kept as the equity came (equity-stats.ts).
  const { maxDrawdown, maxDrawdownDurationMs } = r.equity;
  const { sharpe, sortino } = r.equity.ratios(YEAR_MS / r.tfMs);

  // Closed trades: per symbol, buys open (and add to) a position; each sell closes the part it
  // sells (a partial exit, a ladder rung), with its own P&L at the average cost of what was held.
  const pnls: number[] = [];
  const open = new Map<string, { cost: number; amount: number }>();
  for (const t of r.trades) {
    const p = open.get(t.symbol) ?? { cost: 0, amount: 0 };
    if (t.side === 'buy') {
      p.cost += t.amount * t.price + t.fee;
      p.amount += t.amount;
      open.set(t.symbol, p);
    } else if (p.amount > 0) {
      const share = Math.min(1, t.amount / p.amount);
      const basis = p.cost * share;
      const pnl = t.amount * t.price - t.fee - basis;
      pnls.push(pnl);
      t.pnl = pnl;
      if (basis > 0) t.pnlPct = (100 * pnl) / basis;
      p.cost *= 1 - share;
      p.amount = Math.max(0, p.amount - t.amount);
      if (p.amount <= 1e-12) open.delete(t.symbol);
    }
  }
  const wins = pnls.filter((x) => x > 0);
  const grossProfit = wins.reduce((s, x) => s + x, 0);
  const grossLoss = -pnls.filter((x) => x < 0).reduce((s, x) => s + x, 0);

  return {
    start: r.start,
    end: r.end,
    candles: r.candles,
    startEquity,
    endEquity,
    totalReturn,
    annualizedReturn,
    buyAndHold: r.buyAndHold.length ? r.buyAndHold.reduce((s, x) => s + x, 0) / r.buyAndHold.length : 0,
    maxDrawdown,
    maxDrawdownDurationMs,
    sharpe,
    sortino,
    trades: r.trades,
    roundTrips: pnls.length,
    winRate: pnls.length ? wins.length / pnls.length : 0,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0,
    averageTrade: pnls.length ? pnls.reduce((s, x) => s + x, 0) / pnls.length : 0,
    exposure: r.candles ? r.exposedCandles / r.candles : 0,
    fees: r.trades.reduce((s, t) => s + t.fee, 0),
    equity: r.equity.curve(),
    equityStep: r.equity.curveStep,
  };
}
