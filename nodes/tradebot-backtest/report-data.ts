/**
 * The report page of a backtest node: what is kept of its last run (the report, plus the prices
 * it replayed, downsampled for the chart) and the HTML page made of it (report/page.html, a
 * mustache template; report/page.js draws the chart with lightweight-charts). Pure functions:
 * the node's glue serves them on the admin server.
 */
import { engineNote, type BacktestEngine } from '../../core/backtest/compiled/engine';
import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import type { OhlcvRow } from '../../core/contract';
import type { BacktestReport } from '../../core/backtest';
import { describeDataCounts, describeFirstProblems, type DataChecks } from '../../core/backtest/data-file';
import { pageCss } from '../shared/admin-page';

/** Bars the chart gets at most per symbol: longer runs are merged into buckets of several candles. */
export const MAX_CHART_BARS = 5_000;
/** Rows of the page's trade table at most (the full list is in report.json). */
export const MAX_TABLE_TRADES = 5_000;

export interface ChartData {
  timeframe: string;
  /** Milliseconds of one candle, and of one chart bar (a multiple of it when downsampled). */
  tfMs: number;
  bucketMs: number;
  /** Open time of the first bar (the first candle of the run). */
  start: number;
  downsampled: boolean;
  /** Per symbol: [open time, open, high, low, close] of each bar of the run, ascending. */
  prices: Record<string, Array<[number, number, number, number, number]>>;
  /** The equity at the close of each bar, at the bar's open time (as the bar it belongs to). */
  equity: Array<[number, number]>;
}

/** One run, as the admin endpoints serve it. */
export interface StoredRun {
  node: { id: string; name: string };
  exchange: string;
  currency: string;
  timeframe: string;
  feeRate?: number;
  slippage?: number;
  /** Wall-clock time the run ended (ISO) and how long it took: shown on the page, never in the report. */
  ranAt: string;
  seconds: number;
  report: BacktestReport;
  chart: ChartData;
}

/**
 * The chart's data from the replayed series: the run's candles (warm-up left out), merged into
 * buckets of k candles when there are more than `maxBars` (open of the first, highest high, lowest
 * low, close of the last), and the equity curve on the same bars (the value at the bucket's last close).
 */
export function buildChartData(report: BacktestReport, series: Record<string, OhlcvRow[]>, timeframe: string, tfMs: number, maxBars = MAX_CHART_BARS): ChartData {
  const start = report.start;
  const k = Math.max(1, Math.ceil(report.candles / Math.max(1, maxBars)));
  const bucketMs = k * tfMs;
  const bucketOf = (ts: number) => start + Math.floor((ts - start) / bucketMs) * bucketMs;
  const prices: ChartData['prices'] = {};
  for (const [symbol, rows] of Object.entries(series)) {
    const bars: Array<[number, number, number, number, number]> = [];
    for (const r of rows) {
      if (r[0] < start || r[0] >= report.end) continue;
      const t = bucketOf(r[0]);
      const last = bars[bars.length - 1];
      if (last && last[0] === t) {
        last[2] = Math.max(last[2], r[2]);
        last[3] = Math.min(last[3], r[3]);
        last[4] = r[4];
      } else bars.push([t, r[1], r[2], r[3], r[4]]);
    }
    prices[symbol] = bars;
  }
  const equity: Array<[number, number]> = [];
  for (const [closeTs, value] of report.equity) {
    const t = bucketOf(closeTs - tfMs);
    const last = equity[equity.length - 1];
    if (last && last[0] === t) last[1] = value;
    else equity.push([t, value]);
  }
  return { timeframe, tfMs, bucketMs, start, downsampled: k > 1, prices, equity };
}

/** The data checks of all files in one phrase ("3 invalid rows dropped, 1 empty volume (taken as 0)"), '' when the data was clean. */
export function dataSummary(checks: DataChecks[]): string {
  const total = { invalidRows: 0, emptyVolumes: 0, duplicateTimes: 0 };
  for (const c of checks) {
    total.invalidRows += c.invalidRows;
    total.emptyVolumes += c.emptyVolumes;
    total.duplicateTimes += c.duplicateTimes;
  }
  return describeDataCounts(total);
}

/** One line per history file for the report page: rows kept, and what the checks found. */
function dataLines(checks: DataChecks[]): Array<{ text: string; cls: string }> {
  return checks.map((c) => {
    const counts = describeDataCounts(c);
    return {
      text: `${c.file}${c.symbol ? ` (${c.symbol})` : ''}: ${c.rows} rows${counts ? `; ${counts} (${describeFirstProblems(c)})` : ', all valid'}`,
      cls: counts ? 'neg' : '',
    };
  });
}

/** report.json: the report as the node sends it, plus who ran it and the chart's data. */
export function reportJson(run: StoredRun): object {
  return {
    kind: 'backtestReport',
    ...run.report,
    node: run.node,
    exchange: run.exchange,
    currency: run.currency,
    timeframe: run.timeframe,
    ranAt: run.ranAt,
    seconds: run.seconds,
    chart: run.chart,
  };
}

/** What the editor's dialog shows about the last run. */
export function reportSummary(run: StoredRun): object {
  return { node: run.node, ranAt: run.ranAt, seconds: run.seconds, candles: run.report.candles, tradeCount: run.report.trades.length, totalReturn: run.report.totalReturn };
}

// ---- formatting ----

function num(x: number, digits = 4): string {
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-6)) return x.toExponential(3);
  if (a >= 1000) return x.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  if (a >= 1) return x.toFixed(digits);
  return String(Number(x.toPrecision(6)));
}

function ratio(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : num(x);
}

function pct(x: number): string {
  if (!Number.isFinite(x)) return num(x);
  const p = 100 * x;
  if (Math.abs(p) >= 1e6) return `${p.toExponential(2)} %`;
  return `${p.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })} %`;
}

function money(x: number, currency: string): string {
  return `${num(x)} ${currency}`;
}

export function duration(ms: number): string {
  if (!(ms > 0)) return '0';
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1_000]];
  const parts: string[] = [];
  let rest = ms;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}`);
    if (parts.length) rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.length ? parts.join(' ') : `${ms} ms`;
}

const utc = (ts: number) => new Date(ts).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/:00$/, '');
const sign = (x: number) => (x > 0 ? 'pos' : x < 0 ? 'neg' : '');

// ---- the page ----

let template: string | undefined;

/** The page's HTML. `query` ("" or "?access_token=…") goes on every URL the page loads. */
export function renderReportPage(run: StoredRun, query: string): string {
  template ??= fs.readFileSync(path.join(__dirname, 'report', 'page.html'), 'utf8');
  const r = run.report;
  const c = run.currency;
  const metrics: Array<{ label: string; value: string; cls?: string; title?: string }> = [
    { label: 'Total return', value: pct(r.totalReturn), cls: sign(r.totalReturn), title: 'end equity / start equity − 1' },
    { label: 'Annualized return', value: pct(r.annualizedReturn), cls: sign(r.annualizedReturn), title: 'the total return compounded over a year (extreme for short runs)' },
    { label: 'Buy and hold', value: pct(r.buyAndHold), cls: sign(r.buyAndHold), title: 'first open to last close over the same period (the average over symbols)' },
    { label: 'Max drawdown', value: pct(-r.maxDrawdown), cls: r.maxDrawdown > 0 ? 'neg' : '', title: 'deepest fall of the equity from a previous peak' },
    { label: 'Max drawdown duration', value: duration(r.maxDrawdownDurationMs), title: 'longest time below a previous equity peak' },
    { label: 'Sharpe', value: ratio(r.sharpe), title: 'per-candle returns, annualized' },
    { label: 'Sortino', value: ratio(r.sortino), title: 'per-candle returns, downside deviation, annualized' },
    { label: 'Win rate', value: pct(r.winRate), title: `of ${r.roundTrips} round trips` },
    { label: 'Profit factor', value: ratio(r.profitFactor), title: 'gross profit / gross loss of the round trips' },
    { label: 'Trades', value: `${r.trades.length} fills, ${r.roundTrips} round trips` },
    { label: 'Average trade', value: money(r.averageTrade, c), cls: sign(r.averageTrade), title: 'mean P&L of a round trip, fees included' },
    { label: 'Exposure', value: pct(r.exposure), title: 'share of candles with an open position' },
    { label: 'Fees', value: money(r.fees, c) },
    { label: 'Start equity', value: money(r.startEquity, c) },
    { label: 'End equity', value: money(r.endEquity, c), cls: sign(r.endEquity - r.startEquity) },
  ];
  const rows: Array<{ cells: typeof metrics }> = [];
  for (let i = 0; i < metrics.length; i += 3) rows.push({ cells: metrics.slice(i, i + 3) });
  const symbols = Object.keys(run.chart.prices);
  const trades = r.trades.slice(0, MAX_TABLE_TRADES).map((t, i) => ({
    n: i + 1,
    time: utc(t.ts),
    symbol: t.symbol,
    side: t.side,
    price: num(t.price, 4),
    amount: String(Number(t.amount.toPrecision(8))),
    value: num(t.price * t.amount, 2),
    fee: num(t.fee, 6),
    // A sell's own realized P&L (each partial sell and ladder rung is a closed trade of its own).
    pnl: t.pnl === undefined ? '' : num(t.pnl, 2),
    pnlCls: t.pnl === undefined ? '' : sign(t.pnl),
    pnlPct: t.pnlPct === undefined ? '' : `${t.pnlPct.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })} %`,
    exitReason: t.exitReason ?? '',
    id: t.clientOrderId,
  }));
  const symbolIndex = new Map(symbols.map((s, i) => [s, i]));
  const chartJson = JSON.stringify({
    symbols,
    currency: c,
    startEquity: r.startEquity,
    tfMs: run.chart.tfMs,
    bucketMs: run.chart.bucketMs,
    start: run.chart.start,
    downsampled: run.chart.downsampled,
    prices: symbols.map((s) => run.chart.prices[s]),
    equity: run.chart.equity,
    trades: r.trades.map((t) => [t.ts, symbolIndex.get(t.symbol) ?? -1, t.side === 'buy' ? 1 : -1, t.price, t.amount]),
  })
    // Inside <script>: no "</script>", no line separators JavaScript would choke on.
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return Mustache.render(template, {
    css: pageCss(),
    title: run.node.name || `backtest ${run.node.id}`,
    nodeId: run.node.id,
    exchange: run.exchange,
    symbols: symbols.join(', '),
    timeframe: run.timeframe,
    period: `${utc(r.start)} – ${utc(r.end)}`,
    candles: r.candles,
    costs: run.feeRate === undefined ? '' : `fee ${pct(run.feeRate)}, slippage ${pct(run.slippage ?? 0)} per fill`,
    ranAt: run.ranAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    seconds: run.seconds.toFixed(1),
    engine: engineText(r as { engine?: BacktestEngine }),
    downsampled: run.chart.downsampled ? `${Math.round(run.chart.bucketMs / run.chart.tfMs)} candles per bar` : '',
    rows,
    tradeCount: r.trades.length,
    trades,
    tradesCut: r.trades.length > MAX_TABLE_TRADES ? `The first ${MAX_TABLE_TRADES} of ${r.trades.length} fills; all of them are in report.json.` : '',
    query,
    chartJson,
    dataLines: dataLines(r.dataChecks ?? []),
  });
}

/** How the run went through the flow, for the page's header line. */
function engineText(r: { engine?: BacktestEngine }): string {
  return r.engine ? engineNote(r.engine) : '';
}
