/**
 * Backtest throughput benchmark (not a test: it prints figures and asserts nothing about time).
 * Run:
 *
 *   npm run build && node dist/bench/backtest.js           (~2.5 minutes)
 *   node dist/bench/backtest.js --cpu-prof                  (profiles the long run: where the time goes)
 *   node dist/bench/backtest.js --cpu-prof /tmp/prof        (...and keeps the .cpuprofile there)
 *   options: --candles N (long history, default one pass ~134k), --budget S (long run, 35),
 *            --short N (20000), --mem-candles N (1000000), --mem-budget S (90), --no-mem, --no-gc-samples
 *
 * The REAL Node-RED runtime is embedded in this process as in bench/latency.ts (RED.init on an
 * http server of its own, a temp user dir with this package linked into <userDir>/node_modules);
 * flows are deployed with RED.runtime.flows.setFlows, nodes fetched with RED.nodes.getNode. The
 * backtest is started the way the editor's button does it (node.receive(msg) on the
 * tradebot-backtest node); the report is caught by an extra 'input' listener on a junction wired
 * to the backtest node's output.
 *
 * History: one continuous 1m series built in a temp dir from the ten real pairs of
 * ../shared/data/ohlcv (bench/backtest-support.ts): each pair's prices rescaled so that it
 * continues from the previous pair's last close, timestamps re-stamped one minute apart.
 *
 * In one Node-RED, in this order:
 *   floor      as many candle-shaped messages as the long run has candles, one at a time, sent by a
 *              junction (as the candles node sends) through 4 junction hops to a sink junction, the
 *              next sent when the previous arrived: Node-RED's pass-through cost for the pipeline's
 *              4 node-to-node hops. Also 2 hops (what a candle without a signal travels), and 4
 *              hops waited for with FlowIdle (the backtest's "the flow has finished" protocol)
 *              instead of at the sink; and, after the pipeline, 4 hops with a backtest node
 *              deployed but not running (its messaging hooks are registered only while a run goes, so
 *              this should match the plain 4 hops).
 *   pipeline   exchange (backtest mode) + candles -> indicator (ema 20) -> strategy (maCross sma
 *              10/30) -> risk gate (quote 100 USDT) -> place order, run by the backtest node.
 *              Wall time from the trigger to the report. A short history (the first 20k candles)
 *              is always run to its report; the long one (~134k) runs until its report or its time
 *              budget: a wrapper around ReplaySource.releaseNext (the backtest calls it once per
 *              candle) throws at the end of the budget, the backtest node reports that error, and
 *              the figures say how far it got (and project the whole run from the per-block times).
 *              --cpu-prof profiles the long run (node:inspector, from the trigger to the end only)
 *              and counts setImmediate calls and deliveries.
 *   memory     the same pipeline over a 1,000,000-candle history: RSS and heap (also after a forced
 *              full GC) at the start, after 10k candles, every 100k candles, and at the end, read
 *              in-process from the same releaseNext() wrapper; stops after its budget (90 s, less if
 *              the whole benchmark would pass ~170 s).
 *
 * Writes bench/results/backtest-latest.json. Exit code 0 whatever the figures (1 only when
 * Node-RED could not start, the flow is broken or the data are missing).
 */
import fs from 'node:fs';
import http from 'node:http';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FlowIdle } from '../nodes/shared/flow-idle';
import { freePort } from '../test/support/free-port';
import { ohlcvAvailable, OHLCV_DIR } from '../test/support/ohlcv-data';
import { optInt, retainedBytesPer, summarizeProfile, writeContinuousHistory, type CpuProfile, type HistoryInfo, type ProfileSummary } from './backtest-support';
import { BenchLog, EXPECTED_WARNINGS, embeddedSettings, runningNodes } from './embedded-red';
import { makeBenchUserDir, removeBenchUserDir } from './user-dir';
import { handLoop } from './hand-loop';

// ------------------------------------------------------------------ parameters

/** The repo root; dist/bench/backtest.js -> ../.. */
const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'backtest-latest.json');

/** Candles in the long pipeline history (default: one pass over the ten pairs, ~134k). */
const PIPELINE_CANDLES = optInt('--candles', 0);
/** The long pipeline run stops after this many seconds (the benchmark must end in ~3 minutes). */
const LONG_BUDGET_S = optInt('--budget', 35);
/** Candles in the short history, always run to its report. */
const SHORT_CANDLES = optInt('--short', 20_000);
/** Candles in the memory run's history. */
const MEM_CANDLES = optInt('--mem-candles', 1_000_000);
/** The memory run stops after this many seconds (less when the whole benchmark would pass TOTAL_BUDGET_S). */
const MEM_BUDGET_S = optInt('--mem-budget', 90);
/** What the whole benchmark aims to stay under, seconds. */
const TOTAL_BUDGET_S = 170;
const MEM_EVERY = 100_000;
const RUN_MEMORY = !process.argv.includes('--no-mem');
/** A full GC before each memory sample too (heap "retained"); its time is taken out of the rates. */
const GC_SAMPLES = !process.argv.includes('--no-gc-samples');
const PROFILE = process.argv.includes('--cpu-prof');
const PROFILE_DIR = (() => {
  const i = process.argv.indexOf('--cpu-prof');
  const next = i >= 0 ? process.argv[i + 1] : undefined;
  return next && !next.startsWith('--') ? path.resolve(next) : undefined;
})();
/** Unmeasured messages before each floor measurement. */
const FLOOR_WARMUP = 5_000;
/** Candles handed to the flow as warm-up (not counted, not traded); sma 30 needs 30. */
const WARMUP = 100;
/** The pipeline's progress is timed per block of this many candles. */
const BLOCK = 10_000;
/** Jesse's published figures for 1m candles on a Raspberry Pi 5 (candles/s), for comparison. */
const JESSE_PI5 = { low: 180_000, high: 510_000 };
const AIM = { candlesPerSecond: 100_000, withinFloorFactor: 2 };

const SYMBOL = 'MIX/USDT';
const FIRST_TS = Date.UTC(2024, 0, 1);

// ------------------------------------------------------------------ Node-RED, embedded

type Msg = Record<string, any>;
interface RedNode {
  id: string;
  receive(msg: Msg): void;
  send(msg: Msg): void;
  on(event: 'input', cb: (msg: Msg) => void): void;
  session?: { source(): Promise<unknown> };
}
interface RedApp {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): RedNode | null };
  hooks: { add(name: string, fn: (e: unknown) => void): void; remove(name: string): void };
  runtime: { flows: { setFlows(opts: { flows: { flows: FlowNode[] }; deploymentType: string }): Promise<unknown> } };
}
type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The live ReplaySource of an exchange node in backtest mode (its internals, read and wrapped here). */
interface LiveReplaySource {
  releaseNext(symbol: string): number[];
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<number[][]>;
  watching: boolean;
}

const TAB = 'bt-tab';
/** Floor: src sends, 4 hops to sink4; src2 sends, 2 hops to sink2. */
const F4 = ['bt-f4-src', 'bt-f4-j1', 'bt-f4-j2', 'bt-f4-j3', 'bt-f4-sink'];
const F2 = ['bt-f2-src', 'bt-f2-j1', 'bt-f2-sink'];

const at = (i: number, row: number) => ({ z: TAB, x: 120 + 160 * i, y: 80 + 80 * row });

function floorNodes(): FlowNode[] {
  const chain = (ids: string[], row: number) => ids.map((id, i) => ({ id, type: 'junction', ...at(i, row), wires: ids[i + 1] ? [[ids[i + 1]!]] : [] }));
  return [{ id: TAB, type: 'tab', label: 'bench: backtest', disabled: false, info: '' }, ...chain(F4, 0), ...chain(F2, 1)];
}

interface PipelineIds {
  exchange: string;
  candles: string;
  indicator: string;
  strategy: string;
  risk: string;
  place: string;
  backtest: string;
  sink: string;
}

/** Distinct ids per deploy, so every deploy starts a fresh session (one backtest per deploy). */
function pipelineIds(tag: string): PipelineIds {
  const id = (n: string) => `bt-${tag}-${n}`;
  return { exchange: id('ex'), candles: id('candles'), indicator: id('ind'), strategy: id('strat'), risk: id('risk'), place: id('place'), backtest: id('run'), sink: id('report') };
}

function pipelineFlow(ids: PipelineIds, file: string, engine: 'flow' | 'auto' = 'flow'): FlowNode[] {
  return [
    ...floorNodes(),
    {
      id: ids.exchange, type: 'tradebot-exchange', name: 'bench backtest', mode: 'backtest', exchangeId: 'binance', sandbox: false, baseUrl: '',
      maxNotional: '', liveOptIn: false, simSeed: 42, simSpeed: 1, simTickMs: 1000, timeoutMs: 10000,
      simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0.05, stateStore: '', reportCurrency: 'USDT',
      backtestData: `${SYMBOL} = ${file}`, backtestTimeframe: '1m', backtestWarmup: WARMUP,
    },
    {
      id: ids.candles, type: 'tradebot-candles', name: '', source: 'exchange', exchange: ids.exchange, symbols: SYMBOL, timeframe: '1m',
      warmup: WARMUP, interval: 1000, websocket: true, ...at(0, 3), wires: [[ids.indicator]],
    },
    { id: ids.indicator, type: 'tradebot-indicator', name: '', indicators: [{ name: 'ema20', type: 'ema', period: 20 }], ...at(1, 3), wires: [[ids.strategy]] },
    {
      id: ids.strategy, type: 'tradebot-strategy', name: '', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, emitHolds: false,
      ...at(2, 3), wires: [[ids.risk], []],
    },
    {
      id: ids.risk, type: 'tradebot-risk-gate', name: '', exchange: ids.exchange, sizing: 'quote', quoteAmount: '100', equityPct: '', riskPct: '',
      accountCurrency: 'USDT', stopMode: 'none', stopPct: '', atrIndicator: '', atrMultiple: '', takeProfitPct: '', trailingPct: '',
      orderType: 'market', limitOffsetPct: 0, limitTimeoutSec: '', maxOpenPositions: '', maxExposurePerSymbol: '', maxExposureTotal: '',
      noSellWithoutPosition: true, cooldownSec: '', cooldownAfterLossSec: '', dailyLossLimit: '', maxDrawdownPct: '',
      tradingDays: '', tradingFrom: '', tradingTo: '', timezone: 'UTC', ...at(3, 3), wires: [[ids.place], []],
    },
    { id: ids.place, type: 'tradebot-place-order', name: '', exchange: ids.exchange, currency: 'USDT', ...at(4, 3), wires: [[], []] },
    { id: ids.backtest, type: 'tradebot-backtest', name: '', exchange: ids.exchange, engine, ...at(0, 4), wires: [[ids.sink]] },
    { id: ids.sink, type: 'junction', ...at(1, 4), wires: [] },
  ];
}

/** Node-RED log lines at warn and above; listeners see each line as it comes. */
const log = new BenchLog();
const logged = log.lines;
/** The error the release wrapper throws at the end of a run's time budget. */
const BUDGET_STOP = 'bench: time budget of the run reached';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ memory

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface MemSample {
  label: string;
  candles: number;
  /** Seconds since the trigger (GC time of the samples taken out). */
  s: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  /** heapUsed right after a full GC (what is retained), when GC_SAMPLES. */
  heapAfterGcMB?: number;
  rssAfterGcMB?: number;
}

const MB = 1024 * 1024;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Reads process.memoryUsage() (and again after a full GC); returns the sample and the ms it took. */
function memSample(label: string, candles: number, s: number, withGc: boolean): { sample: MemSample; ms: number } {
  const t0 = performance.now();
  const m = process.memoryUsage();
  const sample: MemSample = { label, candles, s: r1(s), rssMB: r1(m.rss / MB), heapUsedMB: r1(m.heapUsed / MB), heapTotalMB: r1(m.heapTotal / MB), externalMB: r1(m.external / MB) };
  if (withGc) {
    gc();
    const g = process.memoryUsage();
    sample.heapAfterGcMB = r1(g.heapUsed / MB);
    sample.rssAfterGcMB = r1(g.rss / MB);
  }
  return { sample, ms: performance.now() - t0 };
}

// ------------------------------------------------------------------ the floor

interface FloorResult {
  name: string;
  hops: number;
  messages: number;
  seconds: number;
  perSecond: number;
  usPerMessage: number;
}

const floorMsg = (k: number): Msg => ({
  topic: SYMBOL,
  payload: { kind: 'candle', exchange: 'backtest', symbol: SYMBOL, timeframe: '1m', ts: FIRST_TS + k * 60_000, open: 100, high: 101, low: 99, close: 100.5, volume: 12.5 },
});

/** One waiter per sink node object (a listener added once per deployed node). */
const sinkWaiters = new WeakMap<RedNode, { resolve?: () => void }>();
function sinkOf(node: RedNode): { resolve?: () => void } {
  let w = sinkWaiters.get(node);
  if (!w) {
    const slot: { resolve?: () => void } = {};
    node.on('input', () => {
      const r = slot.resolve;
      slot.resolve = undefined;
      r?.();
    });
    sinkWaiters.set(node, slot);
    w = slot;
  }
  return w;
}

/**
 * `n` messages, one at a time, sent by `src` (node.send, as the candles node sends) and waited for
 * at `sink` (or with FlowIdle when `idle` is given). Warm-up first, unmeasured.
 */
async function floorRun(name: string, hops: number, src: RedNode, sink: RedNode, n: number, idle?: FlowIdle): Promise<FloorResult> {
  const slot = sinkOf(sink);
  const one = async (k: number) => {
    if (idle) {
      src.send(floorMsg(k));
      await idle.idle(() => undefined);
    } else {
      const arrived = new Promise<void>((r) => (slot.resolve = r));
      src.send(floorMsg(k));
      await arrived;
    }
  };
  for (let k = 0; k < FLOOR_WARMUP; k++) await one(k);
  const t0 = performance.now();
  for (let k = 0; k < n; k++) await one(k);
  const seconds = (performance.now() - t0) / 1000;
  return { name, hops, messages: n, seconds: r3(seconds), perSecond: Math.round(n / seconds), usPerMessage: r3((seconds * 1e6) / n) };
}

// ------------------------------------------------------------------ the pipeline run

interface RunResult {
  /** Candles replayed (the report's count when there is a report). */
  candles: number;
  /** Trigger to report (or to the stop), seconds, memory-sample time left out. */
  seconds: number;
  perSecond: number;
  usPerCandle: number;
  completed: boolean;
  stoppedByBudget: boolean;
  budgetSeconds: number | null;
  report?: { candles: number; fills: number; totalReturnPct: number; endEquity: number; startEquity: number; maxDrawdownPct: number };
  signals: number;
  orders: number;
  /** µs per candle per block of BLOCK candles, in run order. */
  blockUs: number[];
  /** Least-squares line through blockUs: µs per candle = a + b * (candles replayed before it). */
  fit?: { aUs: number; bNsPerCandleReplayed: number };
  samples: MemSample[];
  gcSampleMs: number;
  error?: string;
  counters?: Record<string, number>;
  profiled: boolean;
}

async function deploy(RED: RedApp, flow: FlowNode[]): Promise<void> {
  await RED.runtime.flows.setFlows({ flows: { flows: flow }, deploymentType: 'full' });
}

/** Waits until the candles node has sent its warm-up and waits for the first release. */
async function waitReady(RED: RedApp, ids: PipelineIds): Promise<LiveReplaySource> {
  const nodes = await runningNodes(RED.nodes, [ids.exchange, ids.candles, ids.indicator, ids.strategy, ids.risk, ids.place, ids.backtest, ids.sink], log);
  const exchange = nodes.get(ids.exchange)!;
  if (!exchange.session) throw new Error(`the exchange node has no session:\n${logged.join('\n')}`);
  const source = (await exchange.session.source()) as LiveReplaySource;
  const deadline = Date.now() + 30_000;
  while (!source.watching) {
    if (Date.now() > deadline) throw new Error(`the candles node never started watching the replay source\n${logged.join('\n')}`);
    await sleep(20);
  }
  await sleep(300);
  return source;
}

interface RunOptions {
  /** Stop the run (the release wrapper throws) after this many seconds. */
  budgetS: number;
  /** Memory samples at the start, at the first block, every MEM_EVERY candles and at the end. */
  memory?: boolean;
  /** V8 CPU profile of the run, plus counters. */
  profile?: boolean;
}

/**
 * Least-squares line through the later half of the blocks (where the growth shows):
 * µs per candle = a + b * candles replayed before it.
 */
function fitLine(blockUs: number[]): RunResult['fit'] {
  if (blockUs.length < 3) return undefined;
  const from = blockUs.length >= 6 ? Math.floor(blockUs.length / 2) : 0;
  const ys = blockUs.slice(from);
  const xs = ys.map((_, i) => (from + i + 0.5) * BLOCK);
  const mx = xs.reduce((x, y) => x + y, 0) / xs.length;
  const my = ys.reduce((x, y) => x + y, 0) / ys.length;
  const sxy = xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
  const b = sxy / sxx;
  return { aUs: r1(my - b * mx), bNsPerCandleReplayed: r3(b * 1000) };
}

/** Seconds a whole run of n candles would take: the time so far, then the fitted line to n. */
function projectSeconds(run: Pick<RunResult, 'completed' | 'seconds' | 'candles' | 'fit'>, n: number): number | undefined {
  if (run.completed) return run.seconds;
  if (!run.fit) return undefined;
  const { aUs, bNsPerCandleReplayed } = run.fit;
  const b = bNsPerCandleReplayed / 1000;
  const integral = (x: number) => aUs * x + (b * x * x) / 2;
  return run.seconds + (integral(n) - integral(run.candles)) / 1e6;
}

/** The last run's whole report (the fast path's is compared with the Node-RED path's). */
let lastPayload: Msg | undefined;
const withoutEngine = (p: Msg | undefined) => {
  const { engine: _engine, ...rest } = p ?? {};
  return rest;
};

async function runPipeline(RED: RedApp, ids: PipelineIds, source: LiveReplaySource, opts: RunOptions): Promise<RunResult & { profile?: CpuProfile }> {
  const backtest = RED.nodes.getNode(ids.backtest)!;
  const sink = RED.nodes.getNode(ids.sink)!;
  let signals = 0;
  let orders = 0;
  RED.nodes.getNode(ids.risk)!.on('input', () => signals++);
  RED.nodes.getNode(ids.place)!.on('input', () => orders++);

  const samples: MemSample[] = [];
  let gcSampleMs = 0;
  let t0 = 0;
  const blockMarks: number[] = [];
  let released = 0;
  let stoppedByBudget = false;
  const sample = (label: string) => {
    const { sample: s, ms } = memSample(label, released, t0 ? (performance.now() - t0 - gcSampleMs) / 1000 : 0, GC_SAMPLES);
    gcSampleMs += ms;
    samples.push(s);
  };

  // Counters for the profiled run only (they cost a little).
  const counters: Record<string, number> = {};
  const restore: Array<() => void> = [];
  if (opts.profile) {
    Object.assign(counters, { setImmediate: 0, deliveries: 0 });
    const si = global.setImmediate;
    global.setImmediate = Object.assign((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
      counters.setImmediate++;
      return si(fn, ...args);
    }, si) as typeof setImmediate;
    restore.push(() => (global.setImmediate = si));
    RED.hooks.add('preDeliver.benchcount', (_e: unknown) => {
      counters.deliveries++;
    });
    restore.push(() => RED.hooks.remove('*.benchcount'));
  }

  // The wrapper around the one call the backtest makes per candle: counts candles, times blocks,
  // samples memory, and ends the run when its time is up (the backtest node reports the error).
  const release = source.releaseNext;
  source.releaseNext = function (this: LiveReplaySource, symbol: string) {
    if (performance.now() - gcSampleMs - t0 > opts.budgetS * 1000) {
      // The last sample while the run's structures are still alive (after the throw they are garbage).
      if (opts.memory && !stoppedByBudget) sample('last in run');
      stoppedByBudget = true;
      throw new Error(BUDGET_STOP);
    }
    const row = release.call(this, symbol);
    released++;
    if (released % BLOCK === 0) blockMarks.push(performance.now() - gcSampleMs);
    if (opts.memory && (released === BLOCK || released % MEM_EVERY === 0)) sample(`${released / 1000}k`);
    return row;
  };

  let session: inspector.Session | undefined;
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  if (opts.profile) {
    session = new inspector.Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
  }
  if (opts.memory) sample('start');

  // Trigger -> report (or the error that ended the run).
  let report: Msg | undefined;
  let error: string | undefined;
  const finished = new Promise<void>((resolve) => {
    const slot = sinkOf(sink);
    slot.resolve = resolve;
    const onLog = (line: string) => {
      if (!line.includes(`tradebot-backtest:${ids.backtest}`)) return;
      error = line;
      log.listeners.delete(onLog);
      resolve();
    };
    log.listeners.add(onLog);
    sink.on('input', (msg) => (report = msg));
  });
  if (opts.profile) await post('Profiler.start');
  gcSampleMs = 0;
  t0 = performance.now();
  backtest.receive({ payload: Date.now(), topic: 'bench' });
  const hardLimit = opts.budgetS * 1000 + 60_000;
  await Promise.race([finished, sleep(hardLimit)]);
  const seconds = (performance.now() - t0 - gcSampleMs) / 1000;
  if (!report && !error) error = `no report and no error within ${hardLimit / 1000} s`;
  let profile: CpuProfile | undefined;
  if (opts.profile) {
    profile = ((await post('Profiler.stop')) as { profile: CpuProfile }).profile;
    session!.disconnect();
  }
  for (const f of restore) f();
  source.releaseNext = release;
  if (opts.memory) sample('end');

  const blockUs = blockMarks.map((t, i) => r1(((t - (i ? blockMarks[i - 1]! : t0)) * 1000) / BLOCK));
  const p = report?.payload;
  const candles = p ? (p.candles as number) : released;
  lastPayload = p;
  return {
    candles,
    seconds: r3(seconds),
    perSecond: Math.round(candles / seconds),
    usPerCandle: r3((seconds * 1e6) / candles),
    completed: !!p,
    stoppedByBudget,
    budgetSeconds: opts.budgetS,
    report: p
      ? { candles: p.candles, fills: p.trades.length, totalReturnPct: r3(p.totalReturn * 100), endEquity: r3(p.endEquity), startEquity: r3(p.startEquity), maxDrawdownPct: r3(p.maxDrawdown * 100) }
      : undefined,
    signals,
    orders,
    blockUs,
    fit: fitLine(blockUs),
    samples,
    gcSampleMs: r1(gcSampleMs),
    error: stoppedByBudget ? undefined : error,
    counters: opts.profile ? counters : undefined,
    profiled: !!opts.profile,
    profile,
  };
}

// ------------------------------------------------------------------ printing

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

const fmtInt = (x: number) => Math.round(x).toLocaleString('en-US');
const fmtDuration = (s: number) => (s < 600 ? `${s.toFixed(0)} s` : s < 7200 ? `${(s / 60).toFixed(0)} minutes` : `${(s / 3600).toFixed(1)} hours`);

function describeHistory(h: HistoryInfo): string {
  return (
    `${fmtInt(h.candles)} candles (${h.passes} pass${h.passes === 1 ? '' : 'es'} over ${h.pairs.length} real 1m pairs: ${h.pairs.join(', ')}; ${h.segments} segments)` +
    `, ${(h.bytes / MB).toFixed(1)} MB`
  );
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'tradebot-backtest', 'tradebot-backtest.html'))) {
    throw new Error('dist/ is not built: run `npm run build` first');
  }
  if (!ohlcvAvailable()) throw new Error(`real OHLCV data not found at ${OHLCV_DIR}`);
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;

  // The histories, in a temp dir of their own.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-bench-backtest-data-'));
  const userDir = makeBenchUserDir(floorNodes(), 'backtest');
  const server = http.createServer();
  let RED: RedApp | undefined;
  let redStarted = false;
  try {
    const tData = performance.now();
    const long = writeContinuousHistory(path.join(dataDir, 'long.json'), PIPELINE_CANDLES, FIRST_TS);
    const short = writeContinuousHistory(path.join(dataDir, 'short.json'), Math.min(SHORT_CANDLES, long.candles), FIRST_TS);
    const memHistory = RUN_MEMORY ? writeContinuousHistory(path.join(dataDir, 'memory.json'), MEM_CANDLES, FIRST_TS) : undefined;
    const dataSeconds = (performance.now() - tData) / 1000;
    const longCandles = long.candles - WARMUP;

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    RED = require('node-red') as RedApp;
    const redVersion = (JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;
    const port = await freePort();
    RED.init(server, embeddedSettings({ userDir, port, credentialSecret: 'tradebot-backtest-benchmark', log, consoleLevel: 'off' }));
    await RED.start();
    redStarted = true;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    const startupProblems = logged.filter((l) => !EXPECTED_WARNINGS.some((re) => re.test(l)));
    const cpu = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`;

    console.log(`Backtest throughput — node ${process.version}, Node-RED ${redVersion} embedded, ${cpu}, load ${os.loadavg().map(r1).join(' ')}`);
    console.log(
      `History (built in ${dataSeconds.toFixed(1)} s): the ten real 1m pairs of ../shared/data/ohlcv (Jan 20-30 2018, 12-14k candles each)` +
        ` laid end to end as ONE continuous series ${SYMBOL}:\n  each pair's prices RESCALED by one factor so that its first open equals the previous pair's last close (first open ${long.firstOpen}),` +
        `\n  timestamps RE-STAMPED one minute apart (the files' few missing minutes vanish); prices rounded to 10 significant digits; volumes as recorded.` +
        `\n  long:   ${describeHistory(long)}; ${WARMUP} warm-up -> ${fmtInt(longCandles)} replayed` +
        `\n  short:  the first ${fmtInt(short.candles)} candles of the same series; ${WARMUP} warm-up -> ${fmtInt(short.candles - WARMUP)} replayed` +
        (memHistory ? `\n  memory: ${describeHistory(memHistory)} (the same series repeated, still continuous)` : '') +
        '\n',
    );

    // ---------------------------------------------------------------- the floor, bare runtime
    let nodes = await runningNodes(RED.nodes, [...F4, ...F2], log);
    let node = (id: string) => nodes.get(id)!;
    const floor4 = await floorRun('4 junction hops, wait at the sink', 4, node(F4[0]!), node(F4.at(-1)!), longCandles);
    const floor2 = await floorRun('2 junction hops, wait at the sink', 2, node(F2[0]!), node(F2.at(-1)!), longCandles);
    const tracker = new FlowIdle(RED as any, 'benchfloor');
    tracker.start();
    const floorIdle = await floorRun('4 junction hops, wait with FlowIdle.idle() (hooks + a check behind each delivery)', 4, node(F4[0]!), node(F4.at(-1)!), longCandles, tracker);
    tracker.close();

    // ---------------------------------------------------------------- the pipeline: short (complete), then long (budget)
    const sids = pipelineIds('short');
    await deploy(RED, pipelineFlow(sids, short.file));
    const shortRun = await runPipeline(RED, sids, await waitReady(RED, sids), { budgetS: 120 });
    const shortReportFull = lastPayload;
    if (!shortRun.report) throw new Error(`the short pipeline run produced no report: ${shortRun.error ?? '(stopped)'}\n${logged.slice(-20).join('\n')}`);

    // With --cpu-prof, a profiled pass of the short history too (fresh deploy; the figure above stays clean).
    let shortProf: (RunResult & { profile?: CpuProfile }) | undefined;
    if (PROFILE) {
      const pids = pipelineIds('shortprof');
      await deploy(RED, pipelineFlow(pids, short.file));
      shortProf = await runPipeline(RED, pids, await waitReady(RED, pids), { budgetS: 120, profile: true });
    }

    const lids = pipelineIds('long');
    await deploy(RED, pipelineFlow(lids, long.file));
    const longRun = await runPipeline(RED, lids, await waitReady(RED, lids), { budgetS: LONG_BUDGET_S, profile: PROFILE });
    if (!longRun.completed && !longRun.stoppedByBudget) throw new Error(`the long pipeline run failed: ${longRun.error}\n${logged.slice(-20).join('\n')}`);
    nodes = await runningNodes(RED.nodes, [...F4, ...F2], log);
    node = (id: string) => nodes.get(id)!;
    const floor4Hooked = await floorRun('4 junction hops, sink, a backtest node deployed (idle: no hooks)', 4, node(F4[0]!), node(F4.at(-1)!), longCandles);
    const floors = [floor4, floor2, floorIdle, floor4Hooked];

    // ---------------------------------------------------------------- the fast path (the same pipeline compiled) and the hand-written loop
    const fsids = pipelineIds('fastshort');
    await deploy(RED, pipelineFlow(fsids, short.file, 'auto'));
    const fastShort = await runPipeline(RED, fsids, await waitReady(RED, fsids), { budgetS: 600 });
    const fastShortReportFull = lastPayload;
    const flid = pipelineIds('fastlong');
    await deploy(RED, pipelineFlow(flid, long.file, 'auto'));
    const fastLong = await runPipeline(RED, flid, await waitReady(RED, flid), { budgetS: 600 });
    if (!fastShort.completed || !fastLong.completed) throw new Error(`a fast-path run produced no report: ${fastShort.error ?? fastLong.error}`);
    // The short run's report on both paths: the fast path must not change a fill.
    const sameReport = JSON.stringify(withoutEngine(shortReportFull)) === JSON.stringify(withoutEngine(fastShortReportFull));
    const longRows = JSON.parse(fs.readFileSync(long.file, 'utf8')) as number[][];
    handLoop(longRows, WARMUP); // once unmeasured (the JIT)
    const hand = handLoop(longRows, WARMUP);
    const handPerSecond = Math.round(hand.candles / hand.seconds);

    const longProjection = longRun.completed ? undefined : projectSeconds(longRun, longCandles);
    const firstBlockUs = longRun.blockUs[0];
    const hopsPerCandle = (r: RunResult) => 2 + (r.signals + r.orders) / r.candles;

    console.log(`1. the pipeline through the real runtime: candles -> indicator(ema 20) -> strategy(maCross sma 10/30) -> risk gate(quote 100 USDT) -> place order`);
    console.log(`   the backtest node triggered with receive(msg); time = trigger -> the report at a junction wired to the backtest node's output`);
    const r = shortRun.report;
    console.log(
      `   short history, complete: ${fmtInt(shortRun.candles)} candles in ${shortRun.seconds.toFixed(2)} s: ${fmtInt(shortRun.perSecond)} candles/s, ${shortRun.usPerCandle.toFixed(1)} µs/candle` +
        `\n     report: ${r.fills} fills, return ${r.totalReturnPct.toFixed(2)} %, max drawdown ${r.maxDrawdownPct.toFixed(2)} %; ${fmtInt(shortRun.signals)} signals at the risk gate, ${fmtInt(shortRun.orders)} orders` +
        ` (hops per candle ${hopsPerCandle(shortRun).toFixed(3)}: 2 for a candle without a signal, 4 for one that ends in an order)`,
    );
    if (longRun.completed) {
      const lr = longRun.report!;
      console.log(
        `   long history, complete: ${fmtInt(longRun.candles)} candles in ${longRun.seconds.toFixed(2)} s: ${fmtInt(longRun.perSecond)} candles/s, ${longRun.usPerCandle.toFixed(1)} µs/candle` +
          `\n     report: ${lr.fills} fills, return ${lr.totalReturnPct.toFixed(2)} %; ${fmtInt(longRun.signals)} signals, ${fmtInt(longRun.orders)} orders`,
      );
    } else {
      console.log(
        `   long history: STOPPED after its ${LONG_BUDGET_S} s budget at ${fmtInt(longRun.candles)} of ${fmtInt(longCandles)} candles (no report):` +
          ` ${fmtInt(longRun.perSecond)} candles/s, ${longRun.usPerCandle.toFixed(1)} µs/candle on average so far` +
          (longProjection !== undefined
            ? `\n     projected whole run (the time so far + the line below to the end): ${fmtDuration(longProjection)} = ${fmtInt(longCandles / longProjection)} candles/s (a bench run must end in ~3 minutes, so it is not run to the end)`
            : ''),
      );
    }
    console.log(`   µs per candle by block of ${fmtInt(BLOCK)} candles (long run${longRun.profiled ? ', under the profiler' : ''}): ${longRun.blockUs.join(' ')}`);
    if (longRun.fit) {
      console.log(
        `   the cost per candle grows by ${((longRun.fit.bNsPerCandleReplayed * BLOCK) / 1000).toFixed(0)} µs per ${fmtInt(BLOCK)} candles already replayed` +
          ` (slope of a least-squares line over the later half of the blocks, ${longRun.fit.bNsPerCandleReplayed} ns per candle):` +
          ` ${longRun.fit.bNsPerCandleReplayed > 0.5 ? 'a run of n candles costs O(n²)' : 'flat'}`,
      );
    }

    const ratioShort = shortRun.usPerCandle / floor4.usPerMessage;
    const ratioFirst = firstBlockUs !== undefined ? firstBlockUs / floor4.usPerMessage : undefined;
    const nodeRedPerSecond = longRun.perSecond;
    console.log(`\n1b. the same pipeline on the backtest's fast path (Engine "auto": the trading path compiled, no Node-RED scheduler), same run`);
    printTable(
      ['run', 'candles', 'seconds', 'candles/s', 'µs/candle', 'fills', 'vs Node-RED path', 'vs hand loop'],
      [
        ['fast path, short', fmtInt(fastShort.candles), String(fastShort.seconds), fmtInt(fastShort.perSecond), String(fastShort.usPerCandle), String(fastShort.report?.fills ?? '-'), `${r1(fastShort.perSecond / shortRun.perSecond)}x faster`, ''],
        ['fast path, long', fmtInt(fastLong.candles), String(fastLong.seconds), fmtInt(fastLong.perSecond), String(fastLong.usPerCandle), String(fastLong.report?.fills ?? '-'), `${r1(fastLong.perSecond / nodeRedPerSecond)}x faster`, `${r1(handPerSecond / fastLong.perSecond)}x slower`],
        ['hand-written loop, long', fmtInt(hand.candles), r3(hand.seconds).toString(), fmtInt(handPerSecond), r3((hand.seconds * 1e6) / hand.candles).toString(), String(hand.fills), '', '1x'],
      ],
    );
    console.log(`   short history: the fast path's report ${sameReport ? 'EQUALS' : 'DIFFERS FROM'} the Node-RED path's (fills, prices, amounts, fees, equity curve, metrics)`);
    console.log(`   the hand-written loop (bench/hand-loop.ts): the same strategy and fill model in one plain loop, ${hand.fills} fills, end equity ${r3(hand.endEquity)} (the pipeline: ${fastLong.report?.fills} fills, ${fastLong.report?.endEquity})`);

    console.log(`\n2. the pass-through floor, same run: ${fmtInt(longCandles)} candle-shaped messages per line, one at a time (sent by a junction as the candles node sends; ${fmtInt(FLOOR_WARMUP)} unmeasured first)`);
    printTable(
      ['floor', 'msg/s', 'µs/msg', 'short run / floor', 'long run / floor', 'first 10k / floor'],
      floors.map((f) => [
        f.name, fmtInt(f.perSecond), f.usPerMessage.toFixed(2), `${(shortRun.usPerCandle / f.usPerMessage).toFixed(1)}x`, `${(longRun.usPerCandle / f.usPerMessage).toFixed(1)}x`,
        firstBlockUs !== undefined ? `${(firstBlockUs / f.usPerMessage).toFixed(1)}x` : '-',
      ]),
    );
    const best = Math.max(shortRun.perSecond, firstBlockUs ? 1e6 / firstBlockUs : 0);
    console.log(
      `\n   the aim: >= ${fmtInt(AIM.candlesPerSecond)} candles/s and within ${AIM.withinFloorFactor}x of the floor (4 hops, ${fmtInt(floor4.perSecond)} msg/s here).` +
        `\n   we: ${fmtInt(shortRun.perSecond)} candles/s on the short history (${((100 * shortRun.perSecond) / AIM.candlesPerSecond).toFixed(1)} % of the aim, ${ratioShort.toFixed(1)}x the floor),` +
        ` ${fmtInt(longRun.perSecond)} candles/s on the long one so far; at best ${fmtInt(best)} candles/s (first 10k candles${ratioFirst ? `, ${ratioFirst.toFixed(1)}x the floor` : ''})` +
        ` -> ${shortRun.perSecond >= AIM.candlesPerSecond && ratioShort <= AIM.withinFloorFactor ? 'MET' : 'NOT MET'}` +
        `${floor4.perSecond < AIM.candlesPerSecond ? `\n   note: the floor itself (Node-RED alone, one message at a time, 4 hops) is ${fmtInt(floor4.perSecond)} msg/s here, below the 100k aim: 2x the floor is ${fmtInt(floor4.perSecond / 2)} candles/s` : ''}` +
        `\n   Jesse (published, Raspberry Pi 5, 1m candles): ${fmtInt(JESSE_PI5.low)}-${fmtInt(JESSE_PI5.high)} candles/s;` +
        ` we, on ${cpu} (one core used): ${fmtInt(shortRun.perSecond)} (short) / ${fmtInt(longRun.perSecond)} (long, so far) candles/s,` +
        ` ${(JESSE_PI5.low / shortRun.perSecond).toFixed(0)}-${(JESSE_PI5.high / shortRun.perSecond).toFixed(0)}x below Jesse on the short history` +
        ` (Jesse loops over arrays in-process; here every candle is a message through Node-RED and a wait for the flow to finish)`,
    );

    // ---------------------------------------------------------------- where the time goes
    const profiles: Record<string, { summary: ProfileSummary; candles: number; seconds: number; counters: Record<string, number>; file?: string }> = {};
    for (const [name, run] of [['short', shortProf], ['long', longRun]] as const) {
      if (!run?.profile) continue;
      let file: string | undefined;
      if (PROFILE_DIR) {
        fs.mkdirSync(PROFILE_DIR, { recursive: true });
        file = path.join(PROFILE_DIR, `backtest-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
        fs.writeFileSync(file, JSON.stringify(run.profile));
      }
      profiles[name] = { summary: summarizeProfile(run.profile, ROOT, 30), candles: run.candles, seconds: run.seconds, counters: run.counters!, file };
      run.profile = undefined;
    }
    const ps = profiles.short;
    const pl = profiles.long;
    if (ps && pl) {
      const perC = (p: typeof ps, x: number) => (x / p.candles).toFixed(2);
      console.log(
        `\nwhere the time goes (--cpu-prof): V8 sampling profiler at 500 µs from the trigger to the end of the run, node:inspector in this process;` +
          `\n   short = a profiled second pass of the short history (${fmtInt(ps.candles)} candles, ${ps.seconds.toFixed(2)} s, ${fmtInt(ps.candles / ps.seconds)} candles/s under the profiler),` +
          ` long = the long run above (${fmtInt(pl.candles)} candles, ${pl.seconds.toFixed(1)} s)`,
      );
      printTable(
        ['per candle', 'short', 'long'],
        [
          ['setImmediate callbacks (deliveries + FlowIdle checks; several per event-loop turn)', perC(ps, ps.counters.setImmediate!), perC(pl, pl.counters.setImmediate!)],
          ['Node-RED deliveries (hops)', perC(ps, ps.counters.deliveries!), perC(pl, pl.counters.deliveries!)],
        ],
      );
      const areas = [...new Set([...ps.summary.areas, ...pl.summary.areas].map((a) => a.area))];
      const find = (p: typeof ps, area: string) => p.summary.areas.find((a) => a.area === area);
      const cell = (p: typeof ps, area: string) => {
        const a = find(p, area);
        return a ? [((a.ms * 1000) / p.candles).toFixed(1), a.pct.toFixed(1)] : ['-', '-'];
      };
      console.log(`\n   self time by area, µs per candle and % ("(idle)" is the poll phase of each event-loop turn: with setImmediate pending, epoll returns at once)`);
      printTable(
        ['area', 'short µs', 'short %', 'long µs', 'long %'],
        areas
          .sort((x, y) => (find(ps, y)?.ms ?? 0) / ps.candles - (find(ps, x)?.ms ?? 0) / ps.candles)
          .map((area) => [area, ...cell(ps, area), ...cell(pl, area)]),
      );
      for (const [name, p, n] of [['short', ps, 20], ['long', pl, 8]] as const) {
        console.log(`\n   top ${n} functions by self time, ${name} run`);
        printTable(
          ['function', 'where', 'µs/candle', '%'],
          p.summary.functions.slice(0, n).map((f) => [f.fn, f.where, ((f.ms * 1000) / p.candles).toFixed(1), f.pct.toFixed(1)]),
        );
      }
      console.log(`\n   hot lines of this package, short run (dist/; an inlined function's ticks keep its own line number under the caller's file: candle-feed.js:63 is replay-source.js:63, the filter)`);
      printTable(['line', 'µs/candle', '%'], ps.summary.lines.slice(0, 12).map((l) => [l.line, ((l.ms * 1000) / ps.candles).toFixed(1), l.pct.toFixed(1)]));
      for (const p of [ps, pl]) if (p.file) console.log(`   profile written: ${p.file} (node dist/bench/latency-profile.js <file> summarizes it too)`);
    } else {
      console.log(`\n(where the time goes: run with --cpu-prof to profile the pipeline runs)`);
    }

    // ---------------------------------------------------------------- memory
    let fastMemory: Record<string, unknown> | undefined;
    let mem: (RunResult & { history: HistoryInfo; budget: number; growth?: Record<string, number | string>; perItemBytes?: Record<string, number>; before?: MemSample; afterClose?: MemSample }) | undefined;
    if (memHistory) {
      // Back to the floor flow first: the long run's nodes close; the baseline before the history loads.
      await deploy(RED, floorNodes());
      await sleep(200);
      const before = memSample('before deploy', 0, 0, true).sample;
      const mids = pipelineIds('mem');
      const tDeploy = performance.now();
      await deploy(RED, pipelineFlow(mids, memHistory.file));
      const memSource = await waitReady(RED, mids);
      const deploySeconds = (performance.now() - tDeploy) / 1000;
      const budget = Math.max(10, Math.min(MEM_BUDGET_S, Math.floor(TOTAL_BUDGET_S - elapsedS() - 8)));
      const m = await runPipeline(RED, mids, memSource, { budgetS: budget, memory: true });
      // Back to the floor flow: the memory run's nodes close; what is left after that.
      await deploy(RED, floorNodes());
      await sleep(200);
      const afterClose = memSample('after redeploy', m.candles, m.seconds, true).sample;
      // What one retained per-candle structure costs on this heap (after GC), to read the growth with.
      const n = 200_000;
      const perItemBytes = {
        // The one per-fill record a run keeps: the report's trade list (BacktestTrade).
        trade: retainedBytesPer(gc, n, (k) => Array.from({ length: k }, (_, i) => ({ clientOrderId: `sig-${i.toString(16).padStart(24, '0')}`, symbol: SYMBOL, side: i % 2 ? 'sell' : 'buy', ts: FIRST_TS + i * 60_000, price: 100.25 + i, amount: 0.5 + i, fee: 0.05 + i }))),
        // What the run kept per candle before it was made bounded (for the comparison).
        releasedRowCopy: retainedBytesPer(gc, n, (k) => Array.from({ length: k }, (_, i) => [FIRST_TS + i * 60_000, 100.25 + i, 101.5, 99.5, 100.75, 12.5])),
        equityPoint: retainedBytesPer(gc, n, (k) => Array.from({ length: k }, (_, i) => [FIRST_TS + i * 60_000, 10_000.5 + i])),
      };
      // Growth per candle after the up-front allocations: from the first-block sample to the last one.
      const key: 'heapAfterGcMB' | 'heapUsedMB' = GC_SAMPLES ? 'heapAfterGcMB' : 'heapUsedMB';
      // ('end' is not used: after a stop the run's own structures are already garbage.)
      const during = m.samples.filter((s) => s.candles > 0 && s.label !== 'end');
      const ref = during.find((s) => s.candles >= BLOCK);
      const last = during.at(-1);
      const start = m.samples.find((s) => s.label === 'start');
      const growth: Record<string, number | string> = {};
      if (ref && last && last.candles > ref.candles) {
        growth.from = ref.label;
        growth.to = last.label;
        growth.heapBytesPerCandle = Math.round(((last[key]! - ref[key]!) * MB) / (last.candles - ref.candles));
        growth.rssBytesPerCandle = Math.round((((GC_SAMPLES ? last.rssAfterGcMB! : last.rssMB) - (GC_SAMPLES ? ref.rssAfterGcMB! : ref.rssMB)) * MB) / (last.candles - ref.candles));
      }
      if (start && ref) growth.upFrontMB = r1(ref[key]! - start[key]!);
      mem = { ...m, history: memHistory, budget, growth, perItemBytes, before, afterClose };

      // The fast path over the same history: heap and RSS read every 200 ms (the run gives the event
      // loop a turn every 4,096 candles, so the timer runs during it), heap after a full GC at the end.
      const fmids = pipelineIds('memfast');
      await deploy(RED, pipelineFlow(fmids, memHistory.file, 'auto'));
      const fastSource = await waitReady(RED, fmids);
      const tFast = performance.now();
      const fastSamples: Array<{ s: number; heapMB: number; rssMB: number }> = [];
      const sampler = setInterval(() => {
        const u = process.memoryUsage();
        fastSamples.push({ s: r1((performance.now() - tFast) / 1000), heapMB: r1(u.heapUsed / MB), rssMB: r1(u.rss / MB) });
      }, 200);
      const fm = await runPipeline(RED, fmids, fastSource, { budgetS: 600 });
      clearInterval(sampler);
      await deploy(RED, floorNodes());
      await sleep(200);
      const quarter = (k: number) => fastSamples[Math.min(fastSamples.length - 1, Math.floor((k * fastSamples.length) / 4))];
      fastMemory = { candles: fm.candles, seconds: fm.seconds, perSecond: fm.perSecond, completed: fm.completed, samples: fastSamples.length, atQuarters: [0, 1, 2, 3, 4].map(quarter), peakHeapMB: Math.max(...fastSamples.map((x) => x.heapMB)), peakRssMB: Math.max(...fastSamples.map((x) => x.rssMB)) };

      console.log(
        `\n3. memory over a long run: the same pipeline on the ${fmtInt(memHistory.candles)}-candle history (deploy + file load ${deploySeconds.toFixed(1)} s, before "start")` +
          `\n   process.memoryUsage() read in-process (the runtime is this process) at the start, after the first ${fmtInt(BLOCK)} candles, every ${fmtInt(MEM_EVERY)} candles,` +
          ` at the last candle before a stop ("last in run") and at the end (after a stop, the run's own arrays are garbage by then)` +
          `${GC_SAMPLES ? '\n   "after GC": heapUsed / RSS right after a forced full GC at the same point (what is retained; the GC time is left out of the times and rates)' : ''}`,
      );
      printTable(
        ['point', 'candles', 's', 'RSS MB', 'heap used MB', 'heap total MB', ...(GC_SAMPLES ? ['heap after GC MB', 'RSS after GC MB'] : [])],
        [before, ...m.samples, afterClose].map((s) => [
          s.label, fmtInt(s.candles), s.s.toFixed(1), s.rssMB.toFixed(1), s.heapUsedMB.toFixed(1), s.heapTotalMB.toFixed(1),
          ...(GC_SAMPLES ? [s.heapAfterGcMB?.toFixed(1) ?? '-', s.rssAfterGcMB?.toFixed(1) ?? '-'] : []),
        ]),
      );
      const total = memHistory.candles - WARMUP;
      console.log(
        m.completed
          ? `   completed: ${fmtInt(m.candles)} candles in ${m.seconds.toFixed(1)} s (${fmtInt(m.perSecond)} candles/s)`
          : m.stoppedByBudget
            ? `   STOPPED after its ${budget} s budget at ${fmtInt(m.candles)} of ${fmtInt(total)} candles (${fmtInt(m.perSecond)} candles/s on average):` +
              ` the ${fmtInt(total)}-candle run does not fit in ~${budget} s` +
              (projectSeconds(m, total) !== undefined ? ` (projected: ${fmtDuration(projectSeconds(m, total)!)}, since the cost per candle grows with the candles replayed)` : '')
            : `   FAILED: ${m.error}`,
      );
      if (m.blockUs.length) {
        const step = Math.max(1, Math.round(m.blockUs.length / 15));
        console.log(`   µs per candle, every ${(step * BLOCK) / 1000}k candles: ${m.blockUs.filter((_, i) => i % step === 0).join(' ')}`);
      }
      if (growth.heapBytesPerCandle !== undefined) {
        const g = growth.heapBytesPerCandle as number;
        console.log(
          `   growth from the ${growth.from} to the ${growth.to} sample: ${fmtInt(g)} bytes of ${GC_SAMPLES ? 'retained heap' : 'heap used'} per candle` +
            ` (${((g * 1e6) / MB).toFixed(0)} MB per million candles), RSS ${fmtInt(growth.rssBytesPerCandle as number)} bytes per candle: memory is ${Math.abs(g) < 16 ? 'FLAT' : 'NOT flat'}` +
            (growth.upFrontMB !== undefined ? `; plus ${growth.upFrontMB} MB allocated up front in the first ${fmtInt(BLOCK)} candles` : ''),
        );
      }
      const peakRss = Math.max(...[...m.samples, afterClose].map((x) => x.rssMB));
      const slope = m.fit?.bNsPerCandleReplayed ?? 0;
      console.log(
        `   RSS: highest sample ${peakRss.toFixed(0)} MB; RSS moves with V8's heap sizing (tens of MB either way), the retained heap is what the run keeps.` +
          `\n   the cost per candle ${Math.abs(slope) < 0.2 ? 'stays flat' : `changes by ${slope} ns per candle replayed`} over the run (slope of the later blocks).`,
      );
      const fills = m.report?.fills;
      const perCandleTrades = fills !== undefined && m.candles ? (fills * perItemBytes.trade) / m.candles : undefined;
      console.log(
        `   what grows: the report's trade list, one record per fill (${perItemBytes.trade} B each on this heap)` +
          (perCandleTrades !== undefined ? `: ${fmtInt(fills!)} fills over ${fmtInt(m.candles)} candles = ${perCandleTrades.toFixed(1)} B per candle` : '') +
          `; everything else per candle is bounded (rows released by count, not copied; equity kept as running statistics + a curve of at most 10,000 points;` +
          ` the account's and the risk gate's id lists capped at 10,000 / 5,000).` +
          `\n   before this was bounded, a run kept per candle a released row copy (${perItemBytes.releasedRowCopy} B) and an equity point (${perItemBytes.equityPoint} B), plus an index of the whole history up front.`,
      );
    }

    const problems = logged.filter((l) => !startupProblems.includes(l) && !EXPECTED_WARNINGS.some((re) => re.test(l)) && !l.includes(BUDGET_STOP));
    if (startupProblems.length || problems.length) {
      console.log(`\nNode-RED log at warn and above (${startupProblems.length + problems.length} lines):\n  ${[...startupProblems, ...problems].slice(0, 20).join('\n  ')}`);
    }

    const figures = (run: RunResult) => {
      const { samples: _s, ...rest } = run as RunResult & { profile?: unknown };
      void _s;
      delete (rest as { profile?: unknown }).profile;
      return rest;
    };
    if (fastMemory) {
      const q = fastMemory.atQuarters as Array<{ s: number; heapMB: number; rssMB: number } | undefined>;
      console.log(`\n3b. memory on the fast path, the same ${fmtInt(memHistory!.candles)}-candle history: ${fmtInt(fastMemory.candles as number)} candles in ${fastMemory.seconds} s (${fmtInt(fastMemory.perSecond as number)} candles/s)`);
      console.log(`   heap used / RSS at 0, 25, 50, 75, 100 % of the run (MB): ${q.map((x) => (x ? `${x.heapMB} / ${x.rssMB}` : '-')).join(', ')}; highest ${fastMemory.peakHeapMB} / ${fastMemory.peakRssMB}`);
    }
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      nodeRed: redVersion,
      platform: `${os.platform()} ${os.release()} ${os.arch()}, ${cpu}`,
      loadAverage: os.loadavg().map(r1),
      method: {
        runtime: 'real Node-RED embedded in the benchmark process (RED.init/RED.start, flows deployed with RED.runtime.flows.setFlows), async delivery',
        history:
          'the ten real 1m pairs of ../shared/data/ohlcv laid end to end as one continuous series: each pair rescaled by one factor so its first open equals the previous last close, timestamps re-stamped one minute apart, prices rounded to 10 significant digits',
        pipeline:
          'tradebot-candles -> tradebot-indicator(ema 20) -> tradebot-strategy(maCross sma 10/30) -> tradebot-risk-gate(quote 100 USDT) -> tradebot-place-order; tradebot-backtest on a tradebot-exchange in backtest mode (USDT=10000, fee 0.1 %, slippage 0.05 %)',
        timing: 'performance.now() just before backtestNode.receive(msg) to the report reaching an extra input listener on a junction wired to the backtest node (or to the stop at the time budget)',
        budget: 'a wrapper around ReplaySource.releaseNext (called once per candle) throws once the run has used its time budget; the backtest node reports that error and the run ends without a report',
        floor: 'the same number of candle-shaped messages, one at a time: junction.send(msg) -> N junction hops -> sink junction, next sent on arrival (or after FlowIdle.idle())',
        warmupCandles: WARMUP,
        floorWarmupMessages: FLOOR_WARMUP,
        block: BLOCK,
      },
      history: { long, short, memory: memHistory ?? null },
      pipeline: { short: figures(shortRun), long: { ...figures(longRun), projectedSeconds: longProjection === undefined ? null : r1(longProjection) } },
      floors,
      fastPath: {
        short: figures(fastShort),
        long: figures(fastLong),
        reportEqualsNodeRedPath: sameReport,
        overNodeRedPath: { short: r3(fastShort.perSecond / shortRun.perSecond), long: r3(fastLong.perSecond / nodeRedPerSecond) },
        handLoop: { ...hand, perSecond: handPerSecond, handOverFast: r3(handPerSecond / fastLong.perSecond) },
      },
      ratios: {
        shortRunOverFloor4: r3(ratioShort),
        longRunOverFloor4: r3(longRun.usPerCandle / floor4.usPerMessage),
        firstBlockOverFloor4: ratioFirst === undefined ? null : r3(ratioFirst),
        shortRunOverFloorIdle: r3(shortRun.usPerCandle / floorIdle.usPerMessage),
        hopsPerCandle: r3(hopsPerCandle(shortRun)),
      },
      aim: { ...AIM, met: shortRun.perSecond >= AIM.candlesPerSecond && ratioShort <= AIM.withinFloorFactor, percentOfCandlesPerSecond: r1((100 * shortRun.perSecond) / AIM.candlesPerSecond) },
      jessePi5: { ...JESSE_PI5, source: 'published by Jesse (1m candles on a Raspberry Pi 5)', slowerByShortRun: [r1(JESSE_PI5.low / shortRun.perSecond), r1(JESSE_PI5.high / shortRun.perSecond)] },
      profile: Object.keys(profiles).length
        ? Object.fromEntries(
            Object.entries(profiles).map(([name, p]) => [
              name,
              { candles: p.candles, seconds: p.seconds, counters: p.counters, perCandle: Object.fromEntries(Object.entries(p.counters).map(([k, v]) => [k, r3(v / p.candles)])), summary: p.summary, file: p.file ?? null },
            ]),
          )
        : null,
      memory: mem
        ? {
            candlesInHistory: mem.history.candles,
            candlesRun: mem.candles,
            budgetSeconds: mem.budget,
            completed: mem.completed,
            stoppedByBudget: mem.stoppedByBudget,
            seconds: mem.seconds,
            perSecond: mem.perSecond,
            gcSamples: GC_SAMPLES,
            gcSampleMsExcluded: mem.gcSampleMs,
            before: mem.before,
            samples: mem.samples,
            afterRedeploy: mem.afterClose,
            blockUs: mem.blockUs,
            fit: mem.fit ?? null,
            growth: mem.growth,
            retainedBytesPerItem: mem.perItemBytes,
            error: mem.error ?? null,
          }
        : null,
      fastPathMemory: fastMemory ?? null,
      nodeRedLog: [...startupProblems, ...problems].slice(0, 50),
      durationSec: 0,
    };
    result.durationSec = r1(elapsedS());
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nwritten: ${path.relative(ROOT, RESULTS_FILE)} (total ${result.durationSec} s)`);
  } finally {
    if (RED && redStarted) await RED.stop().catch((e: Error) => console.error(`stopping Node-RED: ${e.message}`));
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    removeBenchUserDir(userDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nbenchmark FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
