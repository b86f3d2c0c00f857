/**
 * What an optimisation reports (docs/optimise.md): the backtest node's output for msg.optimise,
 * GET tradebot/backtest/<id>/optimise.json, and the data of the results page. Plain JSON (no
 * Infinity: a run that does not count has `score: null`).
 */
import type { BacktestEngine } from '../backtest/compiled/engine';
import type { ComboSetting } from './apply-combo';
import type { ObjectiveName, ParamValue, SearchKind } from './sweep-spec';

/** The figures of one backtest run that the results show. */
export interface RunFigures {
  totalReturn: number;
  annualizedReturn: number;
  sharpe: number;
  sortino: number;
  /** annualizedReturn / max(1 %, maxDrawdown). */
  calmar: number;
  /** null when no trade lost (infinite). */
  profitFactor: number | null;
  maxDrawdown: number;
  roundTrips: number;
  fills: number;
  winRate: number;
  endEquity: number;
  fees: number;
}

export interface OptimiseRun {
  /** The run's number, in the order the search proposed it (0-based). */
  index: number;
  /** The values, one per sweep parameter, in the sweep's order. */
  values: ParamValue[];
  settings: ComboSetting[];
  /** The objective's value; null when the run does not count (too few trades, no value, failed). */
  score: number | null;
  /** Why the run does not count: "too few trades (3 < 5)", "no value", or the run's error. */
  note?: string;
  /** Absent when the run failed. */
  figures?: RunFigures;
}

export interface OptimiseParam {
  node: string;
  nodeName: string;
  nodeType: string;
  param: string;
  /** Every value the parameter may take (a range expanded, or the list). */
  values: ParamValue[];
}

export interface WalkForwardRow {
  index: number;
  /** Candle open times, [start, end). */
  inSample: { start: number; end: number };
  outOfSample: { start: number; end: number };
  /** The in-sample winner; absent when no in-sample run counted. */
  settings?: ComboSetting[];
  inSampleScore: number | null;
  outOfSampleScore: number | null;
  inSampleFigures?: RunFigures;
  outOfSampleFigures?: RunFigures;
}

export interface OptimiseReport {
  kind: 'optimiseReport';
  node: { id: string; name: string };
  state: 'running' | 'done' | 'canceled' | 'failed';
  error?: string;
  /** ISO times; finishedAt absent while running. */
  startedAt: string;
  finishedAt?: string;
  seconds: number;
  search: SearchKind;
  objective: ObjectiveName;
  minTrades: number;
  seed: number;
  params: OptimiseParam[];
  engine: BacktestEngine;
  threads: number;
  progress: { done: number; total: number; runsPerSecond: number; etaSeconds: number | null; best: number | null };
  /** Every run over the whole history, in index order. */
  runs: OptimiseRun[];
  /** The best run over the whole history (highest score, the earliest on a tie); null when none counts. */
  best: OptimiseRun | null;
  /** Equity curves of the best runs (at most 5, best first), downsampled to at most 500 points: [time, equity]. */
  curves: Array<{ index: number; equity: Array<[number, number]> }>;
  /** Present when the sweep asked for walk-forward. */
  walkForward?: {
    windows: WalkForwardRow[];
    totals: { meanInSample: number | null; meanOutOfSample: number | null; efficiency: number | null; outOfSampleReturn: number | null; scoredWindows: number; worseOutOfSample: number };
  };
}
