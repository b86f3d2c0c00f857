/**
 * A hand-made OptimiseReport (core/optimise/optimise-report.ts) as the runtime reports a finished
 * grid search over a strategy's fastPeriod (5, 7, 9) and slowPeriod (20, 30): six runs, one with
 * too few trades (score null), one failed (no figures); optionally with two walk-forward windows.
 * For the results page's tests and the editor's Apply test (which serves it as optimise.json).
 */
import type { OptimiseReport, OptimiseRun, RunFigures } from '../../core/optimise/optimise-report';

export const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function figures(totalReturn: number, sharpe: number, roundTrips: number): RunFigures {
  return {
    totalReturn, annualizedReturn: totalReturn * 4, sharpe, sortino: sharpe * 1.4, calmar: sharpe * 0.8, profitFactor: totalReturn > 0 ? 1 + totalReturn * 10 : 0.8,
    maxDrawdown: 0.05 + Math.abs(totalReturn) / 10, roundTrips, fills: roundTrips * 2, winRate: 0.5, endEquity: 1000 * (1 + totalReturn), fees: roundTrips * 0.4,
  };
}

export interface FixtureOptions {
  /** The strategy node's id and name (names come from users: the tests put markup in them). */
  strategyId?: string;
  strategyName?: string;
  backtestId?: string;
  walkForward?: boolean;
  state?: OptimiseReport['state'];
}

export function optimiseReportFixture(o: FixtureOptions = {}): OptimiseReport {
  const node = o.strategyId ?? 'a000000000000001';
  const combos: Array<[number, number]> = [[5, 20], [5, 30], [7, 20], [7, 30], [9, 20], [9, 30]];
  // Sharpe objective: run 3 (7, 30) is the best; run 4 made one round trip (< 3); run 5 failed.
  const sharpes = [0.4, 0.9, 1.1, 1.52, null, null];
  const runs: OptimiseRun[] = combos.map(([fast, slow], i) => {
    const settings = [{ node, param: 'fastPeriod', value: fast }, { node, param: 'slowPeriod', value: slow }];
    const base = { index: i, values: [fast, slow], settings };
    if (i === 4) return { ...base, score: null, note: 'too few trades (1 < 3)', figures: figures(-0.02, -0.3, 1) };
    if (i === 5) return { ...base, score: null, note: 'the run failed: <out of memory>' };
    return { ...base, score: sharpes[i]!, figures: figures(sharpes[i]! / 10, sharpes[i]!, 4 + i) };
  });
  const report: OptimiseReport = {
    kind: 'optimiseReport',
    node: { id: o.backtestId ?? 'b000000000000001', name: 'Backtest <b>2025</b> & "co"' },
    state: o.state ?? 'done',
    startedAt: '2026-12-02T10:00:00.000Z',
    finishedAt: o.state === 'running' ? undefined : '2026-12-02T10:00:12.500Z',
    seconds: 12.4,
    search: 'grid',
    objective: 'sharpe',
    minTrades: 3,
    seed: 1,
    params: [
      { node, nodeName: o.strategyName ?? 'EMA <cross>', nodeType: 'tradebot-strategy', param: 'fastPeriod', values: [5, 7, 9] },
      { node, nodeName: o.strategyName ?? 'EMA <cross>', nodeType: 'tradebot-strategy', param: 'slowPeriod', values: [20, 30] },
    ],
    engine: { path: 'fast' },
    threads: 2,
    progress: o.state === 'running' ? { done: 4, total: 6, runsPerSecond: 0.5, etaSeconds: 4, best: 1.52 } : { done: 6, total: 6, runsPerSecond: 0.48, etaSeconds: 0, best: 1.52 },
    runs: o.state === 'running' ? runs.slice(0, 4) : runs,
    best: runs[3]!,
    curves: [3, 2, 1].map((index) => ({ index, equity: Array.from({ length: 30 }, (_, k) => [T0 + k * DAY, 1000 + k * (index + 1)] as [number, number]) })),
  };
  if (o.walkForward) {
    report.walkForward = {
      windows: [
        {
          index: 0, inSample: { start: T0, end: T0 + 30 * DAY }, outOfSample: { start: T0 + 30 * DAY, end: T0 + 40 * DAY },
          settings: runs[3]!.settings, inSampleScore: 1.6, outOfSampleScore: 0.7, inSampleFigures: figures(0.12, 1.6, 6), outOfSampleFigures: figures(0.03, 0.7, 2),
        },
        { index: 1, inSample: { start: T0 + 10 * DAY, end: T0 + 40 * DAY }, outOfSample: { start: T0 + 40 * DAY, end: T0 + 50 * DAY }, inSampleScore: null, outOfSampleScore: null },
      ],
      totals: { meanInSample: 1.6, meanOutOfSample: 0.7, efficiency: 0.4375, outOfSampleReturn: 0.03, scoredWindows: 1, worseOutOfSample: 1 },
    };
  }
  return report;
}
