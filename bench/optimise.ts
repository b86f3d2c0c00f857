/**
 * Optimisation throughput (not a test: it prints figures and asserts nothing about time).
 *
 *   npm run build && node dist/bench/optimise.js              (a 1,000-combination grid; minutes)
 *   options: --combos N (10 x N/10 grid, default 1000), --candles N (history, default one pass ~134k),
 *            --threads N (default: one per core)
 *
 * The benchmark pipeline of bench/backtest.ts (candles -> indicator ema 20 -> strategy maCross
 * sma fast/slow -> risk gate quote 100 USDT -> place order) over the same continuous history of
 * the ten real 1m pairs, optimised through core/optimise (the optimiser the backtest node runs:
 * worker threads, one fast-path backtest per combination):
 *   one run     a single combination in this thread (runBacktestJob), after one unmeasured run;
 *   the grid    fastPeriod 5..14 x slowPeriod 20.. (10 x combos/10 values), objective Sharpe, on the
 *               worker pool; wall time from the start to the report.
 * Ratio: the grid's wall time / (one run's time x combinations / threads): 1.0 would be perfect
 * scaling; above it, what the threads, the copies of the history and the search cost.
 *
 * Writes bench/results/optimise-latest.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExchangeSettings } from '../core/session/mode-settings';
import type { FlowNodeConfig } from '../core/backtest/compiled/flow-plan';
import { loadSeries } from '../core/backtest/data-file';
import { runBacktestJob, type OptimiseSetup } from '../core/optimise/backtest-job';
import { Optimisation } from '../core/optimise/optimiser';
import { parseSweep } from '../core/optimise/sweep-spec';
import { settingsFromEditor, type ExchangeConfig as ExchangeNodeDef } from '../nodes/tradebot-exchange/spec';
import { ohlcvAvailable, OHLCV_DIR } from '../test/support/ohlcv-data';
import { optInt, writeContinuousHistory } from './backtest-support';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'optimise-latest.json');
const SYMBOL = 'MIX/USDT';
const WARMUP = 100;

const COMBOS = optInt('--combos', 1000);
const CANDLES = optInt('--candles', 0);
const THREADS = optInt('--threads', os.availableParallelism());

function flow(file: string): { exchange: ExchangeNodeDef; nodes: FlowNodeConfig[] } {
  const exchange = {
    id: 'ex', type: 'tradebot-exchange', name: 'bench', mode: 'backtest', exchangeId: 'binance', sandbox: false, baseUrl: '', maxNotional: '', liveOptIn: false,
    simSeed: 42, simSpeed: 1, simTickMs: 1000, timeoutMs: 10000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0.05, reportCurrency: 'USDT',
    backtestData: `${SYMBOL} = ${file}`, backtestTimeframe: '1m', backtestWarmup: WARMUP,
  } as unknown as ExchangeNodeDef;
  const nodes: FlowNodeConfig[] = [
    { id: 't', type: 'tab' },
    exchange as unknown as FlowNodeConfig,
    { id: 'c', type: 'tradebot-candles', z: 't', source: 'exchange', exchange: 'ex', symbols: SYMBOL, timeframe: '1m', warmup: WARMUP, wires: [['i']] },
    { id: 'i', type: 'tradebot-indicator', z: 't', indicators: [{ name: 'ema20', type: 'ema', period: 20 }], wires: [['s']] },
    { id: 's', type: 'tradebot-strategy', z: 't', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, wires: [['r'], []] },
    { id: 'r', type: 'tradebot-risk-gate', z: 't', exchange: 'ex', sizing: 'quote', quoteAmount: '100', accountCurrency: 'USDT', stopMode: 'none', orderType: 'market', wires: [['p'], []] },
    { id: 'p', type: 'tradebot-place-order', z: 't', exchange: 'ex', currency: 'USDT', wires: [[], []] },
  ];
  return { exchange, nodes };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(__dirname, '..', 'core', 'optimise', 'backtest-worker.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  if (!ohlcvAvailable()) throw new Error(`real OHLCV data not found at ${OHLCV_DIR}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-bench-optimise-'));
  try {
    const history = writeContinuousHistory(path.join(dir, 'history.json'), CANDLES, Date.UTC(2024, 0, 1));
    const { exchange, nodes } = flow(history.file);
    const settings = parseExchangeSettings(settingsFromEditor(exchange, undefined));
    const series = { [SYMBOL]: loadSeries(history.file, dir, SYMBOL).rows };
    const slowValues = Math.max(1, Math.round(COMBOS / 10));
    const sweep = parseSweep({
      params: [
        { node: 's', param: 'fastPeriod', range: { from: 5, to: 14, step: 1 } },
        { node: 's', param: 'slowPeriod', range: { from: 20, to: 20 + slowValues - 1, step: 1 } },
      ],
      search: 'grid',
      objective: 'sharpe',
      minTrades: 1,
    });
    const setup: OptimiseSetup = { settings, exchangeNode: 'ex', flow: nodes, params: sweep.params, series };
    const combos = 10 * slowValues;
    console.log(`Optimisation throughput — node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`History: ${history.candles.toLocaleString('en-US')} candles of ${SYMBOL} (the ten real 1m pairs laid end to end, as bench/backtest.ts), ${WARMUP} warm-up`);

    // One run in this thread, after one unmeasured (the JIT).
    await runBacktestJob(setup, { combo: [10, 30] });
    const t1 = performance.now();
    const single = await runBacktestJob(setup, { combo: [10, 30] });
    const oneRunS = (performance.now() - t1) / 1000;
    const candles = history.candles - WARMUP;
    console.log(`one run (fast 10 / slow 30): ${r3(oneRunS)} s, ${Math.round(candles / oneRunS).toLocaleString('en-US')} candles/s, ${single.figures.fills} fills`);

    // The grid on the worker pool.
    let lastShown = 0;
    const t0 = performance.now();
    const optimisation = new Optimisation({
      setup,
      sweep,
      node: { id: 'bench', name: 'bench' },
      params: [],
      engine: { path: 'fast' },
      threads: THREADS,
      onProgress: (r) => {
        if (performance.now() - lastShown < 10_000) return;
        lastShown = performance.now();
        console.log(`  ${r.progress.done}/${r.progress.total} runs, ${r.progress.runsPerSecond.toFixed(2)} runs/s, ETA ${r.progress.etaSeconds === null ? '?' : Math.round(r.progress.etaSeconds)} s`);
      },
    });
    const report = await optimisation.run();
    const wallS = (performance.now() - t0) / 1000;
    if (report.state !== 'done') throw new Error(`the grid did not finish: ${report.state} ${report.error ?? ''}`);
    const ideal = (oneRunS * combos) / THREADS;
    const runsPerSecond = combos / wallS;
    console.log(`grid: ${combos} combinations (fast 5..14 x slow 20..${20 + slowValues - 1}) on ${THREADS} worker threads: ${r3(wallS)} s, ${runsPerSecond.toFixed(2)} runs/s, ${Math.round((combos * candles) / wallS).toLocaleString('en-US')} candles/s in all`);
    console.log(`ratio to one run x ${combos} / ${THREADS} threads (${r3(ideal)} s): ${r3(wallS / ideal)}x`);
    console.log(`best: ${report.best ? `${report.best.settings.map((s) => `${s.param} ${s.value}`).join(', ')}, Sharpe ${r3(report.best.score!)}` : 'none'}`);
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      history: { candles: history.candles, warmup: WARMUP },
      oneRun: { seconds: r3(oneRunS), candlesPerSecond: Math.round(candles / oneRunS) },
      grid: { combinations: combos, threads: THREADS, seconds: r3(wallS), runsPerSecond: r3(runsPerSecond), idealSeconds: r3(ideal), overIdeal: r3(wallS / ideal) },
      best: report.best,
    };
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
    console.log(`written: ${path.relative(ROOT, RESULTS_FILE)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
