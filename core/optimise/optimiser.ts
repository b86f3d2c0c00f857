/**
 * An optimisation (docs/optimise.md): the sweep's search over the whole history on worker threads
 * (each run a fast-path backtest of the flow with one combination), then, when asked, walk-forward:
 * per window a new search over its in-sample part and one run of the winner on its out-of-sample
 * part. The report (optimise-report.ts) is kept current while it runs, for the node's status and
 * the results page; cancel() stops the threads at once and keeps what finished.
 *
 * Deterministic for a seed: the searches ask and learn in fixed batches (run-search.ts) and results
 * come back in job order, whatever the number of threads.
 */
import path from 'node:path';
import type { BacktestEngine } from '../backtest/compiled/engine';
import { timeframeToMs } from '../timeframe';
import { comboSettings } from './apply-combo';
import { CURVE_POINTS, replayedSpan, type BacktestJob, type BacktestJobResult, type OptimiseSetup } from './backtest-job';
import { scoreReport } from './objective';
import type { OptimiseParam, OptimiseReport, OptimiseRun, WalkForwardRow } from './optimise-report';
import { runSearch, type JobRunner, type SearchRun } from './run-search';
import { createSearch, type Combo } from './search';
import type { Sweep } from './sweep-spec';
import { bestTrial, summariseWalkForward, walkForwardWindows, type WindowResult } from './walk-forward';
import { CanceledError, WorkerPool } from './worker-pool';
import type { RunProgress } from './run-tally';

/** Equity curves on the results page: the best runs'. */
export const BEST_CURVES = 5;

export interface OptimiseOptions {
  setup: OptimiseSetup;
  sweep: Sweep;
  node: { id: string; name: string };
  params: OptimiseParam[];
  engine: BacktestEngine;
  /** Worker threads (default: one per core). */
  threads?: number;
  /** After every run (throttle before showing it). */
  onProgress?: (report: OptimiseReport) => void;
  /** The compiled worker module (default: backtest-worker.js beside this file). */
  workerPath?: string;
  /**
   * What runs the backtests (default: worker threads, each run on the fast path). The backtest
   * node gives a runner of Node-RED processes for flows the fast path cannot compile.
   */
  runner?: (o: RunnerOptions) => BacktestRunner;
}

/** What a runner of backtests is told: how many runs in all, how to score one, whom to tell after each. */
export interface RunnerOptions {
  total: number;
  score: (result: BacktestJobResult) => number;
  onProgress: (progress: RunProgress) => void;
}

/** Runs batches of backtests (results in job order); cancel() stops at once, close() when done. */
export interface BacktestRunner extends JobRunner<BacktestJob, BacktestJobResult> {
  readonly threads: number;
  cancel(): void;
  close(): Promise<void>;
}

export class Optimisation {
  readonly report: OptimiseReport;
  private readonly pool: BacktestRunner;
  private readonly started = performance.now();
  private canceled = false;

  constructor(private readonly o: OptimiseOptions) {
    const { sweep } = o;
    // A random or TPE search never gives more runs than there are combinations.
    const runsPerSearch = createSearch(sweep).total;
    const windows = sweep.walkForward?.windows ?? 0;
    // The whole history, then per window its in-sample search and one out-of-sample run.
    const total = runsPerSearch + windows * (runsPerSearch + 1);
    const runnerOptions: RunnerOptions = { total, score: (r) => this.score(r), onProgress: (p) => this.progress(p) };
    this.pool = o.runner
      ? o.runner(runnerOptions)
      : new WorkerPool<BacktestJob, BacktestJobResult>({ workerPath: o.workerPath ?? path.join(__dirname, 'backtest-worker.js'), threads: o.threads, workerData: o.setup, ...runnerOptions });
    this.report = {
      kind: 'optimiseReport',
      node: o.node,
      state: 'running',
      startedAt: new Date().toISOString(),
      seconds: 0,
      search: sweep.search,
      objective: sweep.objective,
      minTrades: sweep.minTrades,
      seed: sweep.seed,
      params: o.params,
      engine: o.engine,
      threads: this.pool.threads,
      progress: { done: 0, total, runsPerSecond: 0, etaSeconds: null, best: null },
      runs: [],
      best: null,
      curves: [],
    };
  }

  /** Runs it to the end (or the cancel); resolves with the final report, never rejects. */
  async run(): Promise<OptimiseReport> {
    const { sweep } = this.o;
    const curves = new Map<number, Array<[number, number]>>();
    try {
      const runs = await runSearch(createSearch(sweep), this.pool, (combo) => ({ combo, keepEquity: true }), (r) => this.score(r));
      runs.forEach((run, index) => {
        this.report.runs.push(this.toRun(index, run));
        if (run.outcome.ok && run.outcome.value.equity) curves.set(index, run.outcome.value.equity);
      });
      this.report.best = bestOf(this.report.runs);
      this.report.curves = this.report.runs
        .filter((r) => r.score !== null && curves.has(r.index))
        .sort((a, b) => b.score! - a.score! || a.index - b.index)
        .slice(0, BEST_CURVES)
        .map((r) => ({ index: r.index, equity: curves.get(r.index)!.slice(0, CURVE_POINTS) }));
      if (sweep.walkForward) await this.walkForward();
      this.report.state = 'done';
    } catch (err) {
      if (err instanceof CanceledError || this.canceled) {
        this.report.state = 'canceled';
        this.report.error = (err as Error).message;
      } else {
        this.report.state = 'failed';
        this.report.error = (err as Error).message;
      }
    } finally {
      // The run's outcome (or error) is already in the report; a pool that fails to close has no more to give.
      await this.pool.close().catch(() => undefined);
      this.report.finishedAt = new Date().toISOString();
      this.report.seconds = (performance.now() - this.started) / 1000;
    }
    return this.report;
  }

  cancel(): void {
    this.canceled = true;
    this.pool.cancel();
  }

  private async walkForward(): Promise<void> {
    const { sweep, setup } = this.o;
    const spec = sweep.walkForward!;
    const tfMs = timeframeToMs(setup.settings.backtestTimeframe);
    const span = replayedSpan(setup.series, setup.settings.backtestWarmup, setup.settings.backtestTimeframe);
    const windows = walkForwardWindows(span, spec, tfMs);
    const results: WindowResult[] = [];
    const rows: WalkForwardRow[] = [];
    for (const window of windows) {
      const trials = await runSearch(createSearch(sweep), this.pool, (combo) => ({ combo, span: window.inSample }), (r) => this.score(r));
      const best = bestTrial(trials.map((t) => ({ combo: t.combo, score: t.score })));
      const bestRun = best ? trials.find((t) => t.combo === best.combo) : undefined;
      let oos: SearchRun<BacktestJobResult> | undefined;
      if (best) {
        const [outcome] = await this.pool.run([{ combo: best.combo, span: window.outOfSample }]);
        oos = { combo: best.combo, outcome: outcome!, score: outcome!.ok ? this.score(outcome!.value) : -Infinity };
      }
      results.push({
        window,
        combo: best?.combo,
        inSampleScore: best?.score ?? -Infinity,
        outOfSampleScore: oos?.score ?? -Infinity,
        ...(oos?.outcome.ok ? { outOfSampleReturn: oos.outcome.value.figures.totalReturn } : {}),
      });
      rows.push({
        index: window.index,
        inSample: window.inSample,
        outOfSample: window.outOfSample,
        ...(best ? { settings: comboSettings(sweep, best.combo) } : {}),
        inSampleScore: finite(best?.score),
        outOfSampleScore: finite(oos?.score),
        ...(bestRun?.outcome.ok ? { inSampleFigures: bestRun.outcome.value.figures } : {}),
        ...(oos?.outcome.ok ? { outOfSampleFigures: oos.outcome.value.figures } : {}),
      });
    }
    const summary = summariseWalkForward(results);
    const t = summary.totals;
    this.report.walkForward = {
      windows: rows,
      totals: { meanInSample: t.meanInSample ?? null, meanOutOfSample: t.meanOutOfSample ?? null, efficiency: t.efficiency ?? null, outOfSampleReturn: t.outOfSampleReturn ?? null, scoredWindows: t.scoredWindows, worseOutOfSample: t.worseOutOfSample },
    };
  }

  private score(r: BacktestJobResult): number {
    return scoreReport(r.report, this.o.sweep.objective, this.o.sweep.minTrades).value;
  }

  private progress(p: RunProgress): void {
    this.report.progress = { done: p.done, total: p.total, runsPerSecond: p.runsPerSecond, etaSeconds: p.etaSeconds ?? null, best: p.best ?? null };
    this.report.seconds = (performance.now() - this.started) / 1000;
    this.o.onProgress?.(this.report);
  }

  private toRun(index: number, run: SearchRun<BacktestJobResult>): OptimiseRun {
    const settings = comboSettings(this.o.sweep, run.combo);
    if (!run.outcome.ok) return { index, values: run.combo.slice(), settings, score: null, note: run.outcome.error.message };
    const s = scoreReport(run.outcome.value.report, this.o.sweep.objective, this.o.sweep.minTrades);
    const note = s.tooFewTrades ? `too few trades (${s.trades} < ${this.o.sweep.minTrades})` : s.invalid ? 'no value' : undefined;
    return { index, values: run.combo.slice(), settings, score: finite(s.value), ...(note ? { note } : {}), figures: run.outcome.value.figures };
  }
}

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The best run: highest score, the earliest on a tie; null when none counts. */
export function bestOf(runs: readonly OptimiseRun[]): OptimiseRun | null {
  let best: OptimiseRun | null = null;
  for (const r of runs) if (r.score !== null && (best === null || r.score > best.score!)) best = r;
  return best;
}

export type { Combo };
