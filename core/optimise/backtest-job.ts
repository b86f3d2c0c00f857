/**
 * One run of an optimisation: the flow with one combination of settings, backtested on the fast
 * path over the whole history or one walk-forward window of it. Runs in a worker thread
 * (backtest-worker.ts) and, for tests, in-process. Each run has an exchange session of its own in
 * backtest mode (a memory account, no journal, no state file), fed the history the optimiser
 * loaded once.
 */
import type { OhlcvRow } from '../contract';
import { ExchangeSession } from '../session/exchange-session';
import type { ExchangeSettings } from '../exchange-settings';
import { CompiledFlow } from '../backtest/compiled/compiled-flow';
import { planFlow, type FlowNodeConfig } from '../backtest/compiled/flow-plan';
import type { BacktestReport } from '../backtest/types';
import { timeframeToMs } from '../timeframe';
import { applyCombo } from './apply-combo';
import { MIN_CALMAR_DRAWDOWN } from './objective';
import type { RunFigures } from './optimise-report';
import type { Combo } from './search';
import type { Span } from './walk-forward';
import type { Sweep } from './sweep-spec';

/** What every run of one optimisation shares (a worker gets it once). */
export interface OptimiseSetup {
  /** The exchange node's settings (backtest mode). */
  settings: ExchangeSettings;
  /** The exchange node's id in the flow. */
  exchangeNode: string;
  /** Every deployed node config (the flow the combinations are put into). */
  flow: FlowNodeConfig[];
  params: Sweep['params'];
  /** The exchange node's history, loaded and checked once. */
  series: Record<string, OhlcvRow[]>;
}

export interface BacktestJob {
  combo: Combo;
  /** Candle open times [start, end) of the replayed part; absent: the whole history. */
  span?: Span;
  /** Keep the run's equity curve (for the best runs' chart). */
  keepEquity?: boolean;
}

export interface BacktestJobResult {
  figures: RunFigures;
  /** The report's figures the objective reads. */
  report: Pick<BacktestReport, 'totalReturn' | 'annualizedReturn' | 'maxDrawdown' | 'sharpe' | 'sortino' | 'profitFactor' | 'roundTrips'>;
  equity?: Array<[number, number]>;
}

/** Equity points kept per run for the results page's curves. */
export const CURVE_POINTS = 500;

export async function runBacktestJob(setup: OptimiseSetup, job: BacktestJob): Promise<BacktestJobResult> {
  const flow = applyCombo(setup.flow, { params: setup.params }, job.combo);
  const { settings } = setup;
  const windowed = job.span ? windowOf(setup.series, job.span, settings.backtestWarmup) : { series: setup.series, warmup: settings.backtestWarmup };
  const session = new ExchangeSession({ ...settings, backtestWarmup: windowed.warmup }, `optimise:${setup.exchangeNode}`);
  session.useSeries(windowed.series);
  try {
    const outcome = planFlow(flow, setup.exchangeNode, settings.backtestTimeframe);
    if ('refused' in outcome) throw new Error(`this combination cannot run on the fast path: ${outcome.refused.reason}`);
    // A node's error ends nothing on the Node-RED path either (the node reports it and the flow goes
    // on); a sweep has nobody to show each one to.
    const compiled = await CompiledFlow.build(outcome.plan, await session.compiledContext(), () => undefined);
    const report = await session.runBacktest(async () => undefined, undefined, compiled);
    return {
      figures: figuresOf(report),
      report: { totalReturn: report.totalReturn, annualizedReturn: report.annualizedReturn, maxDrawdown: report.maxDrawdown, sharpe: report.sharpe, sortino: report.sortino, profitFactor: report.profitFactor, roundTrips: report.roundTrips },
      ...(job.keepEquity ? { equity: thinCurve(report.equity, CURVE_POINTS) } : {}),
    };
  } finally {
    await session.close();
  }
}

export function figuresOf(r: BacktestReport): RunFigures {
  return {
    totalReturn: r.totalReturn,
    annualizedReturn: r.annualizedReturn,
    sharpe: r.sharpe,
    sortino: r.sortino,
    calmar: r.annualizedReturn / Math.max(MIN_CALMAR_DRAWDOWN, r.maxDrawdown),
    profitFactor: Number.isFinite(r.profitFactor) ? r.profitFactor : null,
    maxDrawdown: r.maxDrawdown,
    roundTrips: r.roundTrips,
    fills: r.trades.length,
    winRate: r.winRate,
    endEquity: r.endEquity,
    fees: r.fees,
  };
}

/**
 * The history of one window: per symbol, the rows before `span.end`, from `warmup` rows before the
 * first row at or after `span.start` (those rows are the window's warm-up, as the exchange node's
 * first `warmup` rows are the whole run's).
 */
export function windowOf(series: Record<string, OhlcvRow[]>, span: Span, warmup: number): { series: Record<string, OhlcvRow[]>; warmup: number } {
  const bounds = Object.entries(series).map(([symbol, rows]) => ({ symbol, rows, first: lowerBound(rows, span.start), last: lowerBound(rows, span.end) }));
  // Every series starts its run at the window's start, after the warm-up all of them have.
  const fewest = Math.min(warmup, ...bounds.map((b) => b.first));
  const out: Record<string, OhlcvRow[]> = {};
  for (const b of bounds) out[b.symbol] = b.rows.slice(b.first - fewest, b.last);
  return { series: out, warmup: fewest };
}

/** The replayed part of a history: [first replayed candle's open, last candle's close). */
export function replayedSpan(series: Record<string, OhlcvRow[]>, warmup: number, timeframe: string): Span {
  let start = Infinity;
  let end = -Infinity;
  for (const rows of Object.values(series)) {
    if (rows.length > warmup) start = Math.min(start, rows[warmup]![0]);
    if (rows.length) end = Math.max(end, rows[rows.length - 1]![0] + timeframeToMs(timeframe));
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error('the history has no candle after its warm-up: nothing to optimise over');
  return { start, end };
}

/** Index of the first row whose time is >= ts. */
function lowerBound(rows: readonly OhlcvRow[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]![0] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** At most `n` points of a curve, evenly spaced, the last one kept. */
export function thinCurve(points: Array<[number, number]>, n: number): Array<[number, number]> {
  if (points.length <= n) return points.slice();
  const step = points.length / n;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n - 1; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points[points.length - 1]!);
  return out;
}
