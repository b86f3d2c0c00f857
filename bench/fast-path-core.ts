/**
 * The backtest fast path's own speed, without Node-RED (not a test: it prints figures and asserts
 * nothing about time). Run:
 *
 *   npm run build && node dist/bench/fast-path-core.js            (8 runs: the first cold, 7 warm)
 *   node dist/bench/fast-path-core.js --runs 5
 *   node dist/bench/fast-path-core.js --holds-only        (an RSI strategy at levels it never reaches:
 *        no signal, no order; what the candles alone cost)
 *   node dist/bench/fast-path-core.js --profile /tmp/fast.cpuprofile
 *        (profiles the last run's runBacktest only; then: node dist/bench/latency-profile.js /tmp/fast.cpuprofile)
 *   node dist/bench/fast-path-core.js --runs 1 --repeat 75 --memory --balance 2000000
 *        (memory over a long run: the real history laid end to end 75 times in memory, ~10 M candles,
 *        each pass continuing from the last close with later timestamps; the heap after a full GC
 *        every million candles, the GC time left out of the rate. Needs about 1.5 GB of heap for
 *        the rows themselves; a JSON file that long would be too big to parse. --balance: the
 *        account's USDT, so that it does not lose its 10,000 to fees early and stop trading.)
 *
 * The benchmark pipeline of bench/backtest.ts (candles -> indicator EMA 20 -> strategy maCross
 * SMA 10/30 -> risk gate quote 100 USDT -> place order) over the same continuous ~134k-candle 1m
 * history, each run on a fresh exchange session in backtest mode: the flow planned and compiled
 * as the backtest node does it, then ExchangeSession.runBacktest timed (warm-up, replay, report).
 * Prints candles per second and a fingerprint (sha256) of the report, so that a change meant only
 * to make the fast path faster shows it changed no number of the report; then the hand-written
 * loop of the same strategy and fill model (bench/hand-loop.ts) over the same rows, three times,
 * and the ratio of its median rate to the fast path's (--no-hand leaves it out).
 *
 * The history is loaded once, with the backtest's own loader (data checks included), and every
 * run's session replays those rows (ExchangeSession.useSeries), as an optimisation's runs share
 * one loaded history. One full GC before the first run moves it out of V8's young generation, as
 * it is in a flow deployed before its run (else the run's first scavenges copy the whole history,
 * 20-100 ms each); --no-gc leaves it where it is.
 *
 * Run 1 is reported apart: it is the first run in this process, with V8's JIT cold (a backtest
 * node's one run after a deploy is like it). The runs after it are warm (an optimisation's runs
 * in a worker are like them): the median of runs 2.. is the figure compared with the hand loop,
 * which gets one unmeasured run of its own before it is timed. --gc-each-run forces a full GC
 * before every run instead, which also discards the JIT's optimised code that held objects of the
 * runs before (V8 drops such code when those objects die), so every run starts nearly cold again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CompiledFlow } from '../core/backtest/compiled/compiled-flow';
import { planFlow, type FlowNodeConfig } from '../core/backtest/compiled/flow-plan';
import { ExchangeSession } from '../core/session/exchange-session';
import { parseExchangeSettings } from '../core/session/mode-settings';
import { settingsFromEditor } from '../nodes/tradebot-exchange/spec';
import { loadSeries } from '../core/backtest/data-file';
import type { OhlcvRow } from '../core/contract';
import { writeContinuousHistory } from './backtest-support';
import { handLoop } from './hand-loop';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A V8 CPU profile of `work` only (node:inspector in this process, 250 µs sampling), written to `file`. */
async function profiled<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params: object = {}) => new Promise<any>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 250 });
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * The history of `file` laid end to end `times` times, as rows in memory: each pass scaled to
 * open where the last one closed and moved to the minutes after it, so the series stays
 * continuous (what the strategy sees is the real market's shape, over and over).
 */
function repeatedHistory(file: string, times: number): OhlcvRow[] {
  const pass = JSON.parse(fs.readFileSync(file, 'utf8')) as OhlcvRow[];
  const rows: OhlcvRow[] = new Array(pass.length * times);
  const step = 60_000;
  let n = 0;
  let factor = 1;
  for (let k = 0; k < times; k++) {
    const shift = k * pass.length * step;
    for (const r of pass) rows[n++] = [r[0] + shift, r[1] * factor, r[2] * factor, r[3] * factor, r[4] * factor, r[5] ?? 0];
    factor = rows[n - 1]![4] / pass[0]![1];
  }
  return rows;
}

/** The pipeline's flow, as the editor saves it. */
function benchFlow(file: string, holdsOnly: boolean): { exchange: FlowNodeConfig; flow: FlowNodeConfig[] } {
  const exchange = { id: 'ex', type: 'tradebot-exchange', mode: 'backtest', exchangeId: 'binance', simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0.05, reportCurrency: 'USDT', backtestData: `MIX/USDT = ${file}`, backtestTimeframe: '1m', backtestWarmup: 100 };
  const flow = [
    { id: 't', type: 'tab' },
    exchange,
    { id: 'c', type: 'tradebot-candles', z: 't', source: 'exchange', exchange: 'ex', symbols: 'MIX/USDT', timeframe: '1m', warmup: 100, wires: [['i']] },
    { id: 'i', type: 'tradebot-indicator', z: 't', indicators: [{ name: 'ema20', type: 'ema', period: 20 }], wires: [['s']] },
    holdsOnly
      ? { id: 's', type: 'tradebot-strategy', z: 't', strategy: 'rsi', rsiPeriod: 14, oversold: 0.001, overbought: 99.999, wires: [['r'], []] }
      : { id: 's', type: 'tradebot-strategy', z: 't', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, wires: [['r'], []] },
    { id: 'r', type: 'tradebot-risk-gate', z: 't', exchange: 'ex', sizing: 'quote', quoteAmount: '100', accountCurrency: 'USDT', stopMode: 'none', orderType: 'market', wires: [['p'], []] },
    { id: 'p', type: 'tradebot-place-order', z: 't', exchange: 'ex', currency: 'USDT', wires: [[], []] },
  ];
  return { exchange, flow };
}

async function main(): Promise<void> {
  const runs = arg('--runs', 8);
  const profileFile = textArg('--profile');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-fast-path-'));
  const file = path.join(dir, 'continuous-1m.json');
  try {
    writeContinuousHistory(file, arg('--candles', 0), Date.UTC(2024, 0, 1));
    const repeat = arg('--repeat', 1);
    const memory = process.argv.includes('--memory');
    // Loaded once, by the backtest's loader; every run replays these rows.
    const rows = repeat > 1 ? repeatedHistory(file, repeat) : loadSeries(file, dir, 'MIX/USDT').rows;
    const { exchange, flow } = benchFlow(file, process.argv.includes('--holds-only'));
    // --balance Q: the account's USDT (default 10,000; a long run loses it to fees and stops trading).
    if (textArg('--balance')) exchange.simBalances = `USDT=${Number(textArg('--balance'))}`;
    const rates: number[] = [];
    for (let k = 0; k < runs; k++) {
      const session = new ExchangeSession(parseExchangeSettings(settingsFromEditor(exchange as never, undefined)), `bench-${k}`);
      session.useSeries({ 'MIX/USDT': rows });
      // Memory samples: the heap after a full GC at the start and every million candles (GC time left out).
      const samples: Array<{ candles: number; heapMB: number; rssMB: number }> = [];
      let sampleMs = 0;
      const sample = (candles: number) => {
        const t0 = performance.now();
        gc();
        const m = process.memoryUsage();
        samples.push({ candles, heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 });
        sampleMs += performance.now() - t0;
      };
      const onProgress = memory ? (done: number) => void (done % 1_000_000 === 0 && sample(done)) : undefined;
      const planned = planFlow(flow, 'ex', '1m');
      if (!('plan' in planned)) throw new Error(`the pipeline is not compiled: ${JSON.stringify(planned)}`);
      const compiled = await CompiledFlow.build(planned.plan, await session.compiledContext(), (id, err) => console.log(`error in ${id}: ${err.message}`));
      if (!process.argv.includes('--no-gc') && (k === 0 || process.argv.includes('--gc-each-run'))) gc();
      if (memory) sample(0);
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      const run = () => session.runBacktest(async () => {}, onProgress, compiled);
      const report = profileFile && k === runs - 1 ? await profiled(profileFile, run) : await run();
      const seconds = (performance.now() - started - sampleMs) / 1000;
      const cpu = process.cpuUsage(cpuStarted);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const rate = report.candles / seconds;
      rates.push(rate);
      // The data checks name the (temporary) file: left out of the fingerprint.
      const fingerprint = crypto.createHash('sha256').update(JSON.stringify({ ...report, dataChecks: undefined })).digest('hex').slice(0, 16);
      console.log(`run ${k + 1}: ${report.candles} candles in ${seconds.toFixed(3)} s = ${Math.round(rate).toLocaleString('en')} candles/s (CPU ${cpuSeconds.toFixed(3)} s, all threads); ${report.trades.length} fills, end equity ${report.endEquity}, report ${fingerprint}`);
      if (memory) {
        sample(report.candles);
        const first = samples.find((x) => x.candles >= 1_000_000) ?? samples[0]!;
        const last = samples[samples.length - 1]!;
        for (const x of samples) console.log(`  at ${(x.candles / 1e6).toFixed(2)} M candles: heap ${x.heapMB.toFixed(1)} MB after a full GC, RSS ${x.rssMB.toFixed(0)} MB`);
        const perMillion = (last.heapMB - first.heapMB) / Math.max(1e-9, (last.candles - first.candles) / 1e6);
        console.log(`  heap growth from ${(first.candles / 1e6).toFixed(2)} M to ${(last.candles / 1e6).toFixed(2)} M candles: ${(last.heapMB - first.heapMB).toFixed(1)} MB (${perMillion.toFixed(2)} MB per million candles; the report's fill list grows with the fills, ${report.trades.length.toLocaleString('en')} of them); samples took ${(sampleMs / 1000).toFixed(1)} s, left out of the rate`);
      }
      await session.close();
    }
    const medianOf = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    const warm = rates.length > 1 ? rates.slice(1) : rates;
    const median = medianOf(warm);
    const where = `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)}`;
    const warmText = rates.length > 1 ? `; warm runs (2-${runs}) median ${Math.round(median).toLocaleString('en')} candles/s` : ' (one run: no warm figure)';
    console.log(`first run (JIT cold) ${Math.round(rates[0]!).toLocaleString('en')} candles/s${warmText} (${where})`);
    if (!process.argv.includes('--no-hand')) {
      const warmup = Number(exchange.backtestWarmup);
      handLoop(rows, warmup); // once unmeasured (the JIT)
      const hand = [0, 1, 2].map(() => handLoop(rows, warmup)).map((h) => ({ ...h, rate: h.candles / h.seconds }));
      const handMedian = hand.map((h) => h.rate).sort((a, b) => a - b)[1]!;
      console.log(`hand-written loop (bench/hand-loop.ts), same rows: ${hand.map((h) => Math.round(h.rate).toLocaleString('en')).join(' / ')} candles/s (${hand[0]!.fills} fills); median ${(handMedian / median).toFixed(1)}x the fast path's ${rates.length > 1 ? 'warm median' : 'one (cold) run'}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
