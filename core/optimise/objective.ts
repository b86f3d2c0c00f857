/**
 * The objective of an optimisation: one number per backtest run, higher is better. Every
 * objective reads the run's BacktestReport (core/backtest/types.ts, computed by
 * core/backtest/report.ts):
 *
 * - totalReturn: endEquity / startEquity - 1 (0.12 = +12 %).
 * - sharpe: the annualised Sharpe ratio of the per-candle equity returns (0 when they never vary).
 * - sortino: the same with the downside deviation (0 when the equity never fell).
 * - calmar: annualizedReturn / maxDrawdown, the drawdown floored at MIN_CALMAR_DRAWDOWN (1 %):
 *   a run that never fell below a peak would otherwise score +Infinity (or 0/0) and beat every
 *   run that took any risk however little it gained. The floor applies to every run alike, so
 *   the ranking stays monotonic in return and in drawdown.
 * - profitFactor: gross profit / gross loss of the closed trades. The report gives Infinity when
 *   no trade lost; the score caps it at MAX_PROFIT_FACTOR (100), so walk-forward averages stay
 *   finite (minTrades keeps a single lucky trade from winning).
 *
 * A run with fewer round trips (closed sells) than minTrades scores -Infinity and is marked
 * `tooFewTrades`: it is never the best. A report value that is not a number (NaN) scores
 * -Infinity and is marked `invalid`.
 */
import type { BacktestReport } from '../backtest/types';
import type { ObjectiveName } from './sweep-spec';

export const MIN_CALMAR_DRAWDOWN = 0.01;
export const MAX_PROFIT_FACTOR = 100;

export interface Score {
  /** The objective's value; -Infinity when the run does not count. */
  value: number;
  /** Round trips of the run. */
  trades: number;
  tooFewTrades: boolean;
  invalid: boolean;
}

type ReportFigures = Pick<BacktestReport, 'totalReturn' | 'annualizedReturn' | 'maxDrawdown' | 'sharpe' | 'sortino' | 'profitFactor' | 'roundTrips'>;

/** The raw objective value of a report (before the minimum-trades rule). */
export function objectiveValue(report: ReportFigures, objective: ObjectiveName): number {
  switch (objective) {
    case 'totalReturn':
      return report.totalReturn;
    case 'sharpe':
      return report.sharpe;
    case 'sortino':
      return report.sortino;
    case 'calmar':
      return report.annualizedReturn / Math.max(MIN_CALMAR_DRAWDOWN, report.maxDrawdown);
    case 'profitFactor':
      return Math.min(MAX_PROFIT_FACTOR, report.profitFactor);
  }
}

/** Scores a run: its objective value, or -Infinity (marked) when it has too few trades or no value. */
export function scoreReport(report: ReportFigures, objective: ObjectiveName, minTrades: number): Score {
  const trades = report.roundTrips;
  if (trades < minTrades) return { value: -Infinity, trades, tooFewTrades: true, invalid: false };
  const value = objectiveValue(report, objective);
  if (Number.isNaN(value)) return { value: -Infinity, trades, tooFewTrades: false, invalid: true };
  return { value, trades, tooFewTrades: false, invalid: false };
}
