/**
 * The results page of an optimisation (GET tradebot/backtest/<id>/optimise): the HTML made of an
 * OptimiseReport (optimise/page.html, a mustache template). The server renders what a reader needs
 * without scripts (the header, the best run, the runs table in score order, the walk-forward
 * table); optimise/page.js, served next to it, sorts the table, draws the heatmap and the equity
 * curves, and while the run is going re-reads optimise.json to follow it. Pure function: the
 * node's glue serves it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import type { ComboSetting } from '../../core/optimise/apply-combo';
import type { OptimiseReport, OptimiseRun, RunFigures } from '../../core/optimise/optimise-report';
import type { ObjectiveName, ParamValue } from '../../core/optimise/sweep-spec';
import { engineNote } from '../../core/backtest/compiled/engine';
import { pageCss } from '../shared/admin-page';

/** Rows of the runs table the server writes (the best by score); the script shows any order of all of them. */
export const MAX_TABLE_RUNS = 500;

/** What each objective is called on the page. */
export const OBJECTIVE_LABELS: Record<ObjectiveName, string> = {
  totalReturn: 'total return',
  sharpe: 'Sharpe',
  sortino: 'Sortino',
  calmar: 'Calmar',
  profitFactor: 'profit factor',
};

const DASH = '—';

let template: string | undefined;

/** The results page of `report`; `query` ("" or "?access_token=…") goes on everything it loads. */
export function renderOptimisePage(report: OptimiseReport, query: string): string {
  template ??= fs.readFileSync(path.join(__dirname, 'optimise', 'page.html'), 'utf8');
  const labels = paramLabels(report);
  const ranked = rankRuns(report.runs);
  const shown = ranked.slice(0, MAX_TABLE_RUNS);
  const wf = report.walkForward;
  return Mustache.render(template, {
    css: pageCss(),
    title: report.node.name || `backtest ${report.node.id}`,
    nodeId: report.node.id,
    query,
    state: report.state,
    running: report.state === 'running',
    stateCls: report.state === 'done' ? 'pos' : report.state === 'running' ? '' : 'neg',
    error: report.error ?? '',
    search: report.search,
    objective: OBJECTIVE_LABELS[report.objective] ?? report.objective,
    minTrades: report.minTrades,
    seed: report.seed,
    engine: report.engine ? engineNote(report.engine) : '',
    threads: report.threads,
    startedAt: isoText(report.startedAt),
    finishedAt: report.finishedAt ? isoText(report.finishedAt) : '',
    progress: progressText(report),
    params: report.params.map((p) => ({
      label: labels[report.params.indexOf(p)],
      node: p.nodeName ? `${p.nodeName} (${p.nodeType})` : p.nodeType,
      id: p.node,
      param: p.param,
      values: valuesText(p.values),
    })),
    best: report.best
      ? {
          index: report.best.index,
          score: scoreText(report.best.score, report.objective),
          settings: settingsText(report.best.settings, report),
          figures: report.best.figures ? figuresCells(report.best.figures) : undefined,
        }
      : undefined,
    noBest: report.best ? '' : report.state === 'running' ? 'No run counts yet.' : `No run counts: every run ${report.minTrades > 0 ? `made fewer than ${report.minTrades} round trips, ` : ''}had no value or failed (see the notes in the table).`,
    paramHeads: labels.map((label, i) => ({ label, key: `p${i}` })),
    runCount: report.runs.length,
    runs: shown.map((r) => runRow(r, report)),
    runsCut: ranked.length > MAX_TABLE_RUNS ? `The best ${MAX_TABLE_RUNS} of ${ranked.length} runs by score; click a header to order all of them; every run is in optimise.json.` : '',
    heatmapNote: report.params.length < 2 ? `The heatmap needs two parameters; this sweep varies ${report.params.length === 1 ? 'one' : 'none'}: the best score per value of it is shown instead.` : '',
    hasCurves: report.curves.length > 0,
    walkForward: wf
      ? {
          rows: wf.windows.map((w) => ({
            n: w.index + 1,
            inSample: spanText(w.inSample),
            outOfSample: spanText(w.outOfSample),
            settings: w.settings ? settingsText(w.settings, report) : 'no in-sample run counted',
            inSampleScore: scoreText(w.inSampleScore, report.objective),
            outOfSampleScore: scoreText(w.outOfSampleScore, report.objective),
            oosCls: w.inSampleScore !== null && w.outOfSampleScore !== null && w.outOfSampleScore < w.inSampleScore ? 'neg' : '',
            inSampleReturn: w.inSampleFigures ? pct(w.inSampleFigures.totalReturn) : DASH,
            outOfSampleReturn: w.outOfSampleFigures ? pct(w.outOfSampleFigures.totalReturn) : DASH,
          })),
          meanInSample: scoreText(wf.totals.meanInSample, report.objective),
          meanOutOfSample: scoreText(wf.totals.meanOutOfSample, report.objective),
          efficiency: wf.totals.efficiency === null ? DASH : pct(wf.totals.efficiency),
          outOfSampleReturn: wf.totals.outOfSampleReturn === null ? DASH : pct(wf.totals.outOfSampleReturn),
          scoredWindows: wf.totals.scoredWindows,
          windowCount: wf.windows.length,
          worseOutOfSample: wf.totals.worseOutOfSample,
        }
      : undefined,
  });
}

/**
 * Column labels of the parameters: the setting's name, with the node's name (or type) in front
 * when two parameters share a name (a period on two indicator nodes).
 */
export function paramLabels(report: Pick<OptimiseReport, 'params'>): string[] {
  const count = new Map<string, number>();
  for (const p of report.params) count.set(p.param, (count.get(p.param) ?? 0) + 1);
  return report.params.map((p) => ((count.get(p.param) ?? 0) > 1 ? `${p.nodeName || p.nodeType}: ${p.param}` : p.param));
}

/** Runs by score, best first; runs that do not count last, in run order. */
function rankRuns(runs: OptimiseRun[]): OptimiseRun[] {
  return runs.slice().sort((a, b) => {
    if (a.score === null || b.score === null) return a.score === b.score ? a.index - b.index : a.score === null ? 1 : -1;
    return b.score - a.score || a.index - b.index;
  });
}

function runRow(r: OptimiseRun, report: OptimiseReport) {
  const f = r.figures;
  return {
    index: r.index,
    values: r.values.map((v) => ({ text: valueText(v) })),
    score: scoreText(r.score, report.objective),
    scoreCls: r.score === null ? 'none' : '',
    cells: f ? figuresCells(f) : figuresCells(undefined),
    note: r.note ?? '',
  };
}

/** The figures' cells, in the table's order. */
function figuresCells(f: RunFigures | undefined): Array<{ text: string; cls: string }> {
  if (!f) return Array.from({ length: 7 }, () => ({ text: DASH, cls: '' }));
  return [
    { text: pct(f.totalReturn), cls: sign(f.totalReturn) },
    { text: ratio(f.sharpe), cls: '' },
    { text: ratio(f.sortino), cls: '' },
    { text: ratio(f.calmar), cls: '' },
    { text: f.profitFactor === null ? '∞' : ratio(f.profitFactor), cls: '' },
    { text: pct(-f.maxDrawdown), cls: f.maxDrawdown > 0 ? 'neg' : '' },
    { text: String(f.roundTrips), cls: '' },
  ];
}

/** "running: 120 of 400 runs (30 %), 12.5 runs/s, about 23 s left, best so far 1.23", and the like. */
export function progressText(report: Pick<OptimiseReport, 'state' | 'progress' | 'objective' | 'seconds' | 'error'>): string {
  const p = report.progress;
  const share = p.total > 0 ? ` (${Math.floor((100 * p.done) / p.total)} %)` : '';
  const speed = `${p.runsPerSecond.toFixed(p.runsPerSecond >= 10 ? 0 : 1)} runs/s`;
  const best = `best ${report.state === 'running' ? 'so far ' : ''}${scoreText(p.best, report.objective)}`;
  if (report.state === 'running') {
    const eta = p.etaSeconds === null ? 'time left unknown' : `about ${seconds(p.etaSeconds)} left`;
    return `running: ${p.done} of ${p.total} runs${share}, ${speed}, ${eta}, ${best}`;
  }
  const took = `in ${seconds(report.seconds)}`;
  if (report.state === 'done') return `done: ${p.done} runs ${took}, ${speed}, ${best}`;
  if (report.state === 'canceled') return `canceled after ${p.done} of ${p.total} runs${share} ${took}, ${best}`;
  return `failed after ${p.done} of ${p.total} runs${share}${report.error ? `: ${report.error}` : ''}`;
}

/** A score as the objective reads: a total return in percent, a ratio with two decimals; "—" when it does not count. */
export function scoreText(x: number | null | undefined, objective: ObjectiveName): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  return objective === 'totalReturn' ? pct(x) : ratio(x);
}

/** "fastPeriod 9, slowPeriod 21" (labels as the table's columns). */
function settingsText(settings: ComboSetting[], report: OptimiseReport): string {
  const labels = paramLabels(report);
  return settings
    .map((s) => {
      const i = report.params.findIndex((p) => p.node === s.node && p.param === s.param);
      return `${i >= 0 ? labels[i] : s.param} ${valueText(s.value)}`;
    })
    .join(', ');
}

function valuesText(values: ParamValue[]): string {
  if (values.length <= 8) return values.map(valueText).join(', ');
  return `${values.length} values: ${values.slice(0, 3).map(valueText).join(', ')} … ${values.slice(-2).map(valueText).join(', ')}`;
}

function valueText(v: ParamValue): string {
  return typeof v === 'string' ? v : String(v);
}

function spanText(span: { start: number; end: number }): string {
  return `${utc(span.start)} – ${utc(span.end)}`;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function isoText(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function seconds(s: number): string {
  if (!(s >= 0) || !Number.isFinite(s)) return DASH;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

function ratio(x: number): string {
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  return Number.isFinite(x) ? x.toFixed(2) : DASH;
}

function pct(x: number): string {
  if (!Number.isFinite(x)) return ratio(x);
  const p = 100 * x;
  if (Math.abs(p) >= 1e6) return `${p.toExponential(2)} %`;
  return `${p.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })} %`;
}

function sign(x: number): string {
  return x > 0 ? 'pos' : x < 0 ? 'neg' : '';
}
