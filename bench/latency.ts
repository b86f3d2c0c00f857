/**
 * Tick-to-order latency benchmark (not a test: it prints figures and ratios and asserts nothing
 * about time). Run:
 *
 *   npm run build && node dist/bench/latency.js
 *   node dist/bench/latency.js --n 5000 --warmup 500     (more candles)
 *   node dist/bench/latency.js --block 50                (shorter blocks: the flows take turns more often, so they see the same disk)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/latency.js --no-store-passes
 *   node dist/bench/latency-profile.js /tmp/prof/<file>.cpuprofile   (top self-time functions)
 *
 * The REAL Node-RED runtime (not node-red-node-test-helper, whose sinon spies distort timing) is
 * embedded in this process: require('node-red'), RED.init() on an http server of its own, a temp
 * user dir with this package linked into <userDir>/node_modules the way scripts/start.js does it,
 * the flow written to the flow file before RED.start(). Nodes are fetched with
 * RED.nodes.getNode(id) and driven with node.receive(msg); the end of a chain is a core `junction`
 * node with no wires, observed with an extra 'input' listener. Delivery between nodes is Node-RED's
 * normal asynchronous one (one setImmediate per hop), so a figure is: runtime hops + our nodes' work.
 *
 * Three flows in the same Node-RED, measured in the same run, interleaved in blocks:
 *
 *   A  pipeline   receive(candle) -> indicator (atr14) -> strategy (SMA 1/2 cross) -> risk gate
 *                 (100 USDT per buy, no cooldown, no sell without a position) -> place order -> sink
 *                 Exchange: sim mode, speed 1, 1e9 USDT, fee 0, slippage 0, the trade journal on
 *                 (its default, `auto`: the SQLite journal file in the temp user dir). The candles
 *                 are crafted (BTC/USDT, 1s, ts +1 s each from three hours ago, closes alternating up/down around 60000)
 *                 so SMA 1 crosses SMA 2 on every candle: buy, sell, buy, sell... and each candle
 *                 ends in exactly one order update "closed" at the sink (the simulator fills in-process).
 *   C  no journal the same pipeline on an exchange node of its own with the journal off: A / C is
 *                 what the journal adds to the trading path (its record calls on the way, and its
 *                 batch writes every 500 ms, which hold the event loop for their transaction and
 *                 delay whichever message is in flight: the samples they overlap are counted).
 *   B  baseline   receive(msg) -> junction -> junction -> junction -> junction -> sink: the same
 *                 4 node-to-node hops through core pass-through nodes (junctions: the lightest core
 *                 node, `send(msg); done()`).
 *
 * One message at a time: the next is sent (after one setImmediate) once the previous one's result
 * reached the sink. A candle without an order update within MISS_TIMEOUT_MS is a miss (reported;
 * the run goes on); a risk-gate rejection (output 2) ends the wait early and is printed.
 *
 * After the main measurement, two short extra passes look at the state store (the exchange's
 * default store, the SQLite state file in the temp user dir, one fsync'd transaction per write:
 * the account saves its state, and the risk gate its state, after each change): one times every StateStore.set() call, one replaces set() by a no-op (then puts it
 * back and measures again). Both patch the live object from here; src is untouched. They never
 * feed the main figures.
 *
 * Prints a table, ratios, the per-hop overhead, and writes bench/results/latency-latest.json.
 * Exit code 0 whatever the figures (1 only when Node-RED could not start or the flow is broken).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { signalId } from '../core/strategies/signal-id';
import { freePort } from '../test/support/free-port';
import { BenchLog, EXPECTED_WARNINGS, embeddedSettings, runningNodes } from './embedded-red';
import { makeBenchUserDir, removeBenchUserDir } from './user-dir';

// ------------------------------------------------------------------ parameters

/** The repo root; dist/bench/latency.js -> ../.. */
const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'latency-latest.json');

/** Measured messages per flow (--n). */
const N = intArg('--n', 2000);
/** Unmeasured messages per flow first (--warmup): JIT, inline caches, the account and its price feed. */
const WARMUP = intArg('--warmup', 300);
/** Measured messages are taken in alternating blocks (A, B, A, B...) of this size. */
const BLOCK = intArg('--block', 250);
/** A candle whose order update has not arrived by then is a miss. */
const MISS_TIMEOUT_MS = 2_000;
/** Messages per extra state-store pass; --no-store-passes skips them (e.g. for a clean CPU profile). */
const STORE_PASS = 500;
const STORE_PASSES = !process.argv.includes('--no-store-passes');

const SYMBOL = 'BTC/USDT';
/** 1s candles from three hours ago: the run's few thousand candles stay within the risk gate's 24 h plausibility window and never ahead of the clock. */
const TIMEFRAME = '1s';
const STEP_MS = 1_000;
const STRATEGY_NAME = 'sma-cross-1-2'; // the default name of maCross sma 1/2 (signals carry it)
const FIRST_TS = Math.floor(Date.now() / STEP_MS) * STEP_MS - 3 * 3_600_000;
/** SMA 2 needs 2 candles and the cross a previous value: candles 0 and 1 can never signal. */
const PRIMING = 2;

function intArg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`${flag}: a whole number from 1 to 1000000`);
  return n;
}

// ------------------------------------------------------------------ Node-RED, embedded

type Msg = Record<string, any>;
interface RedNode {
  id: string;
  receive(msg: Msg): void;
  on(event: 'input', cb: (msg: Msg) => void): void;
  session?: { stateStore: { set: (key: string, value: unknown) => Promise<void> }; journal?: { store: unknown } };
}
interface RedApp {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): RedNode | null };
}
type FlowNode = Record<string, unknown> & { id: string; type: string };

const TAB = 'latency-tab';
const EXCHANGE = 'lat-exchange';
const EXCHANGE_NO_JOURNAL = 'lat-exchange-no-journal';
const A = { indicator: 'lat-a-indicator', strategy: 'lat-a-strategy', risk: 'lat-a-risk', place: 'lat-a-place', sink: 'lat-a-sink', rejections: 'lat-a-rejections' };
const C = { indicator: 'lat-c-indicator', strategy: 'lat-c-strategy', risk: 'lat-c-risk', place: 'lat-c-place', sink: 'lat-c-sink', rejections: 'lat-c-rejections' };
const B = { hops: ['lat-b-j1', 'lat-b-j2', 'lat-b-j3', 'lat-b-j4'], sink: 'lat-b-sink' };

/** The pipeline's nodes (ids in `ids`) on `exchange`, at row `y` of the tab. */
function pipelineNodes(ids: typeof A, exchange: string, y: number): FlowNode[] {
  const at = (x: number, yy: number) => ({ z: TAB, x, y: yy });
  return [
    { id: ids.indicator, type: 'tradebot-indicator', name: '', indicators: [{ name: 'atr14', type: 'atr', period: 14 }], ...at(150, y), wires: [[ids.strategy]] },
    {
      id: ids.strategy, type: 'tradebot-strategy', name: '', strategy: 'maCross', maType: 'sma', fastPeriod: 1, slowPeriod: 2, emitHolds: false,
      ...at(330, y), wires: [[ids.risk], []],
    },
    {
      id: ids.risk, type: 'tradebot-risk-gate', name: '', exchange, sizing: 'quote', quoteAmount: '100', equityPct: '', riskPct: '',
      accountCurrency: 'USDT', stopMode: 'none', stopPct: '', atrIndicator: 'atr14', atrMultiple: '', takeProfitPct: '', trailingPct: '',
      orderType: 'market', limitOffsetPct: 0, limitTimeoutSec: '', maxOpenPositions: '', maxExposurePerSymbol: '', maxExposureTotal: '',
      noSellWithoutPosition: true, cooldownSec: '', cooldownAfterLossSec: '', dailyLossLimit: '', maxDrawdownPct: '',
      tradingDays: '', tradingFrom: '', tradingTo: '', timezone: 'UTC', ...at(510, y), wires: [[ids.place], [ids.rejections]],
    },
    { id: ids.place, type: 'tradebot-place-order', name: '', exchange, currency: 'USDT', ...at(690, y), wires: [[ids.sink], []] },
    { id: ids.sink, type: 'junction', ...at(860, y), wires: [] },
    { id: ids.rejections, type: 'junction', ...at(690, y + 60), wires: [] },
  ];
}

function buildFlow(): FlowNode[] {
  const at = (x: number, y: number) => ({ z: TAB, x, y });
  const exchange = (id: string, name: string, journal: 'auto' | 'off'): FlowNode => ({
    id, type: 'tradebot-exchange', name, mode: 'sim', exchangeId: 'binance', sandbox: false, baseUrl: '',
    maxNotional: '', liveOptIn: false, simSeed: 42, simSpeed: 1, simTickMs: 1000, timeoutMs: 10000,
    simBalances: 'USDT=1000000000', feeRatePct: 0, slippagePct: 0, stateStore: '', journal,
  });
  return [
    { id: TAB, type: 'tab', label: 'bench: latency', disabled: false, info: '' },
    exchange(EXCHANGE, 'latency sim', 'auto'),
    exchange(EXCHANGE_NO_JOURNAL, 'latency sim, no journal', 'off'),
    // Flow A: the pipeline; flow C: the same without the journal.
    ...pipelineNodes(A, EXCHANGE, 100),
    ...pipelineNodes(C, EXCHANGE_NO_JOURNAL, 400),
    // Flow B: the baseline, 4 pass-through junctions.
    ...B.hops.map((id, i) => ({ id, type: 'junction', ...at(150 + 180 * i, 260), wires: [[B.hops[i + 1] ?? B.sink]] })),
    { id: B.sink, type: 'junction', ...at(860, 260), wires: [] },
  ];
}

/** Node-RED log lines at warn and above, kept so the report can show them. */
const log = new BenchLog();
const logged = log.lines;

// ------------------------------------------------------------------ probe: one message at a time

type Outcome =
  | { kind: 'arrived'; t1: number; msg: Msg }
  | { kind: 'rejected'; t1: number; msg: Msg }
  | { kind: 'timeout' };

/** Waits for the message a sink accepts; anything else arriving there is counted as stray. */
class Probe {
  private waiter: { accept: (msg: Msg) => boolean; resolve: (o: Outcome) => void; timer: NodeJS.Timeout } | undefined;
  stray: Msg[] = [];

  constructor(sink: RedNode, rejections?: RedNode) {
    // The arrival time is taken first thing, synchronously, in the sink's input handler.
    sink.on('input', (msg) => this.arrive('arrived', performance.now(), msg));
    rejections?.on('input', (msg) => this.arrive('rejected', performance.now(), msg));
  }

  /** Sends via `fire` (timed from just before it) and resolves with what reached the sink. */
  async run(fire: () => void, accept: (msg: Msg) => boolean): Promise<{ t0: number; outcome: Outcome }> {
    const outcome = new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve({ kind: 'timeout' });
      }, MISS_TIMEOUT_MS);
      this.waiter = { accept, resolve, timer };
    });
    const t0 = performance.now();
    fire();
    return { t0, outcome: await outcome };
  }

  private arrive(kind: 'arrived' | 'rejected', t1: number, msg: Msg): void {
    const w = this.waiter;
    if (!w || !w.accept(msg)) {
      this.stray.push(msg);
      return;
    }
    clearTimeout(w.timer);
    this.waiter = undefined;
    w.resolve({ kind, t1, msg });
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

// ------------------------------------------------------------------ the two drivers

interface Sample {
  t0: number;
  t1: number;
}

interface Driver {
  name: string;
  /** Sends one message and waits for its result; a sample, or undefined (miss / rejection, recorded). */
  step(measured: boolean): Promise<Sample | undefined>;
}

interface PipelineCounters {
  closedBuys: number;
  closedSells: number;
  otherStatus: Array<{ k: number; status: string; reason?: string }>;
  rejections: Array<{ k: number; code: string; reason: string; measured: boolean }>;
  misses: Array<{ k: number; measured: boolean }>;
}

class PipelineDriver implements Driver {
  private k = 0;
  private readonly probe: Probe;
  readonly counters: PipelineCounters = { closedBuys: 0, closedSells: 0, otherStatus: [], rejections: [], misses: [] };

  constructor(
    readonly name: 'pipeline' | 'noJournal',
    private readonly input: RedNode,
    sink: RedNode,
    rejections: RedNode,
  ) {
    this.probe = new Probe(sink, rejections);
  }

  get stray(): Msg[] {
    return this.probe.stray;
  }

  /** Candle k: open at the previous close; up (close 60050) on even k, down (59950) on odd k. */
  private candle(k: number): Msg {
    const up = k % 2 === 0;
    const open = k === 0 ? 60_000 : up ? 59_950 : 60_050;
    const close = up ? 60_050 : 59_950;
    return {
      topic: SYMBOL,
      payload: {
        kind: 'candle', exchange: 'sim', symbol: SYMBOL, timeframe: TIMEFRAME, ts: FIRST_TS + k * STEP_MS,
        open, high: Math.max(open, close) + 10, low: Math.min(open, close) - 10, close, volume: 1,
      },
    };
  }

  /** Candles that can never signal (the averages are not ready): sent, not waited for. */
  async prime(): Promise<void> {
    for (; this.k < PRIMING; this.k++) {
      this.input.receive(this.candle(this.k));
      for (let i = 0; i < 10; i++) await tick();
    }
  }

  async step(measured: boolean): Promise<Sample | undefined> {
    const k = this.k++;
    const msg = this.candle(k);
    const side = k % 2 === 0 ? 'buy' : 'sell';
    const id = signalId({ strategy: STRATEGY_NAME, exchange: 'sim', symbol: SYMBOL, timeframe: TIMEFRAME, candleTs: msg.payload.ts, side });
    const { t0, outcome } = await this.probe.run(
      () => this.input.receive(msg),
      (m) => m.payload?.signalId === id,
    );
    await tick();
    const c = this.counters;
    if (outcome.kind === 'timeout') {
      c.misses.push({ k, measured });
      return undefined;
    }
    if (outcome.kind === 'rejected') {
      c.rejections.push({ k, code: outcome.msg.payload.code, reason: outcome.msg.payload.reason, measured });
      return undefined;
    }
    const update = outcome.msg.payload;
    if (update.status !== 'closed') {
      c.otherStatus.push({ k, status: update.status, reason: update.reason });
      return undefined;
    }
    if (measured && update.side === 'buy') c.closedBuys++;
    else if (measured) c.closedSells++;
    return { t0, t1: outcome.t1 };
  }
}

class BaselineDriver implements Driver {
  readonly name = 'baseline';
  private seq = 0;
  private readonly probe: Probe;
  misses = 0;

  constructor(
    private readonly input: RedNode,
    sink: RedNode,
  ) {
    this.probe = new Probe(sink);
  }

  async step(): Promise<Sample | undefined> {
    const seq = ++this.seq;
    // A message of the size of a candle message, so cloning (if any) costs alike.
    const msg: Msg = { topic: SYMBOL, seq, payload: { kind: 'candle', exchange: 'sim', symbol: SYMBOL, timeframe: TIMEFRAME, ts: FIRST_TS + seq * STEP_MS, open: 1, high: 1, low: 1, close: 1, volume: 1 } };
    const { t0, outcome } = await this.probe.run(
      () => this.input.receive(msg),
      (m) => m.seq === seq,
    );
    await tick();
    if (outcome.kind !== 'arrived') {
      this.misses++;
      return undefined;
    }
    return { t0, t1: outcome.t1 };
  }
}

// ------------------------------------------------------------------ statistics

interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  min: number;
}

/** Nearest-rank percentiles, microseconds. */
function stats(samples: Sample[]): Stats {
  const us = samples.map((s) => (s.t1 - s.t0) * 1000).sort((a, b) => a - b);
  const n = us.length;
  if (!n) return { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN, min: NaN };
  const p = (q: number) => us[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  return { n, p50: p(0.5), p90: p(0.9), p99: p(0.99), max: us[n - 1]!, mean: us.reduce((a, b) => a + b, 0) / n, min: us[0]! };
}

interface GcEntry {
  start: number;
  end: number;
  kind: number;
}

/** How many samples a GC pause overlapped, and the GC time inside the samples' windows. */
function gcOverlap(samples: Sample[], gcs: GcEntry[]): { samplesWithGc: number; gcMsInSamples: number } {
  let samplesWithGc = 0;
  let gcMsInSamples = 0;
  for (const s of samples) {
    let hit = false;
    for (const g of gcs) {
      if (g.start >= s.t1) break; // sorted by start
      const overlap = Math.min(g.end, s.t1) - Math.max(g.start, s.t0);
      if (overlap > 0) {
        hit = true;
        gcMsInSamples += overlap;
      }
    }
    if (hit) samplesWithGc++;
  }
  return { samplesWithGc, gcMsInSamples };
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const fmtUs = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

// ------------------------------------------------------------------ the journal's writes

/**
 * When the exchange node's journal writes (its SQLite transactions, BEGIN to COMMIT: synchronous,
 * they hold the event loop), on the live connection from here; src is untouched.
 */
function watchJournalWrites(exchange: RedNode): { intervals: GcEntry[]; commits: number[] } {
  const intervals: GcEntry[] = [];
  /** The COMMIT statements alone, ms (the rest of a write's interval is its statements, and promise jobs run between them). */
  const commits: number[] = [];
  const store = exchange.session?.journal?.store as { open(): Promise<void>; handle?: { db: { exec(sql: string): void } } } | undefined;
  if (!store) throw new Error('the exchange node has no trade journal: the journal on/off comparison needs it');
  let begun = 0;
  const watch = () => {
    const db = store.handle?.db;
    if (!db || (db as { watched?: boolean }).watched) return;
    const exec = db.exec.bind(db);
    Object.assign(db, {
      watched: true,
      exec(sql: string) {
        if (sql === 'BEGIN IMMEDIATE') begun = performance.now();
        const t0 = performance.now();
        exec(sql);
        const t1 = performance.now();
        if (sql === 'COMMIT') commits.push(t1 - t0);
        if (sql === 'COMMIT' || sql === 'ROLLBACK') intervals.push({ start: begun, end: t1, kind: 0 });
      },
    });
  };
  // The store opens at deploy (or at its first write): watched once it is open.
  void store.open().then(watch, () => undefined);
  return { intervals, commits };
}

// ------------------------------------------------------------------ the state-store passes

interface StoreCall {
  key: string;
  us: number;
  bytes: number;
}

async function runPass(driver: PipelineDriver, count: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const s = await driver.step(false);
    if (s) out.push(s);
  }
  return out;
}

/** Short key kind for the report: the account's or the risk gate's state. */
const keyKind = (key: string) => (key.startsWith('tradebot:account:') ? 'account' : key.startsWith('tradebot:risk:') ? 'risk gate' : key);

async function storePasses(driver: PipelineDriver, exchange: RedNode) {
  const store = exchange.session?.stateStore;
  if (!store) return undefined;
  const original = store.set;
  const ownSet = Object.prototype.hasOwnProperty.call(store, 'set');
  const restore = () => (ownSet ? (store.set = original) : delete (store as { set?: unknown }).set);
  const calls: StoreCall[] = [];

  // 1. Timed: every set(), synchronous part (the SQLite store commits, fsync included, before it
  //    returns). The state's JSON size is taken outside the timed part.
  const before = await runPass(driver, STORE_PASS);
  let timed: Sample[];
  let noop: Sample[];
  try {
    store.set = function (this: unknown, key: string, value: unknown) {
      const t0 = performance.now();
      const p = original.call(this, key, value);
      const us = (performance.now() - t0) * 1000;
      calls.push({ key, us, bytes: JSON.stringify(value).length });
      return p;
    };
    timed = await runPass(driver, STORE_PASS);
    // 2. No-op: what the candle costs without saving any state.
    store.set = async () => undefined;
    noop = await runPass(driver, STORE_PASS);
  } finally {
    restore();
  }
  const after = await runPass(driver, STORE_PASS);

  const perKind = [...new Set(calls.map((c) => keyKind(c.key)))].map((kind) => {
    const mine = calls.filter((c) => keyKind(c.key) === kind);
    const us = mine.map((c) => c.us).sort((a, b) => a - b);
    return {
      kind,
      callsPerCandle: r3(mine.length / Math.max(1, timed.length)),
      meanUs: r1(us.reduce((a, b) => a + b, 0) / us.length),
      p50Us: r1(us[Math.floor(us.length / 2)]!),
      meanJsonBytes: Math.round(mine.reduce((a, c) => a + c.bytes, 0) / mine.length),
      lastJsonBytes: mine[mine.length - 1]!.bytes,
    };
  });
  const setUsPerCandle = calls.reduce((a, c) => a + c.us, 0) / Math.max(1, timed.length);
  return { before: stats(before), timed: stats(timed), noop: stats(noop), after: stats(after), perKind, setUsPerCandle: r1(setUsPerCandle) };
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'tradebot-exchange', 'tradebot-exchange.html'))) {
    throw new Error('dist/ is not built: run `npm run build` first');
  }
  const started = Date.now();
  const flow = buildFlow();
  const userDir = makeBenchUserDir(flow, 'latency');
  const port = await freePort();
  const server = http.createServer();
  let RED: RedApp | undefined;
  let redStarted = false;

  const gcs: GcEntry[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration, kind: (e as any).detail?.kind ?? 0 });
  });

  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    RED = require('node-red') as RedApp;
    const redVersion = (JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;
    RED.init(server, embeddedSettings({ userDir, port, credentialSecret: 'tradebot-latency-benchmark', log }));
    await RED.start();
    redStarted = true;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    const nodes = await runningNodes(RED.nodes, [EXCHANGE, EXCHANGE_NO_JOURNAL, A.indicator, A.sink, A.rejections, C.indicator, C.sink, C.rejections, B.hops[0]!, B.sink], log, 10_000);
    const node = (id: string) => nodes.get(id)!;
    const startupProblems = logged.filter((l) => !EXPECTED_WARNINGS.some((re) => re.test(l)));

    console.log(`Tick-to-order latency — node ${process.version}, Node-RED ${redVersion} embedded, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map(r1).join(' ')}`);
    console.log(
      `A pipeline: receive(candle) -> indicator(atr14) -> strategy(SMA 1/2 cross) -> risk gate(100 USDT) -> place order -> junction sink; trade journal on (default)` +
        `\nC no journal: the same pipeline on an exchange node with the journal off` +
        `\nB baseline: receive(msg) -> junction x4 -> junction sink (the same 4 node-to-node hops through core pass-through nodes)` +
        `\nOne message at a time; ${WARMUP} warm-up then ${N} measured per flow, interleaved in blocks of ${BLOCK}; time = receive() to the sink's input handler.` +
        `\nNOTE: sim mode: the order is filled by the simulator in-process, so this measures our code path and Node-RED's hops, not any network.\n`,
    );

    const pipeline = new PipelineDriver('pipeline', node(A.indicator), node(A.sink), node(A.rejections));
    const noJournal = new PipelineDriver('noJournal', node(C.indicator), node(C.sink), node(C.rejections));
    const baseline = new BaselineDriver(node(B.hops[0]!), node(B.sink));
    const journalWrites = watchJournalWrites(node(EXCHANGE));

    // Warm-up, unmeasured.
    await pipeline.prime();
    await noJournal.prime();
    for (let i = 0; i < WARMUP; i++) await pipeline.step(false);
    for (let i = 0; i < WARMUP; i++) await noJournal.step(false);
    for (let i = 0; i < WARMUP; i++) await baseline.step();
    const warmupRejections = pipeline.counters.rejections.length;

    // Measured, interleaved in blocks.
    gcObserver.observe({ entryTypes: ['gc'] });
    const samples: Record<'pipeline' | 'noJournal' | 'baseline', Sample[]> = { pipeline: [], noJournal: [], baseline: [] };
    journalWrites.intervals.length = 0;
    journalWrites.commits.length = 0;
    const measureStart = performance.now();
    for (let done = 0; done < N; done += BLOCK) {
      const size = Math.min(BLOCK, N - done);
      for (const driver of [pipeline, noJournal, baseline] as Driver[]) {
        const into = samples[driver.name as 'pipeline' | 'noJournal' | 'baseline'];
        for (let i = 0; i < size; i++) {
          const s = await driver.step(true);
          if (s) into.push(s);
        }
      }
    }
    const measureMs = performance.now() - measureStart;
    await tick();
    gcObserver.disconnect();
    gcs.sort((a, b) => a.start - b.start);

    const writesInMeasurement = journalWrites.intervals.slice();
    const sp = stats(samples.pipeline);
    const sc = stats(samples.noJournal);
    const sb = stats(samples.baseline);
    const c = pipeline.counters;
    const measuredMisses = c.misses.filter((m) => m.measured).length;
    const measuredRejections = c.rejections.filter((r) => r.measured).length;

    console.log('latency, microseconds (nearest-rank percentiles)');
    printTable(
      ['flow', 'N', 'p50', 'p90', 'p99', 'max', 'mean', 'min', 'not measured'],
      [
        ['A pipeline', String(sp.n), fmtUs(sp.p50), fmtUs(sp.p90), fmtUs(sp.p99), fmtUs(sp.max), fmtUs(sp.mean), fmtUs(sp.min), String(N - sp.n)],
        ['C no journal', String(sc.n), fmtUs(sc.p50), fmtUs(sc.p90), fmtUs(sc.p99), fmtUs(sc.max), fmtUs(sc.mean), fmtUs(sc.min), String(N - sc.n)],
        ['B baseline', String(sb.n), fmtUs(sb.p50), fmtUs(sb.p90), fmtUs(sb.p99), fmtUs(sb.max), fmtUs(sb.mean), fmtUs(sb.min), String(N - sb.n)],
      ],
    );
    const ratioP50 = sp.p50 / sb.p50;
    const ratioP99 = sp.p99 / sb.p99;
    const perHop = (sp.p50 - sb.p50) / 4;
    console.log(`\npipeline / baseline: p50 ${ratioP50.toFixed(2)}x, p99 ${ratioP99.toFixed(2)}x`);
    console.log(`per-hop overhead of our nodes ((p50 pipeline - p50 baseline) / 4): ${perHop.toFixed(1)} us`);
    const journalP50 = sp.p50 / sc.p50;
    const journalP99 = sp.p99 / sc.p99;
    const wA = gcOverlap(samples.pipeline, writesInMeasurement);
    const wC = gcOverlap(samples.noJournal, writesInMeasurement);
    const wB = gcOverlap(samples.baseline, writesInMeasurement);
    const writeMs = writesInMeasurement.map((w) => w.end - w.start).sort((a, b) => a - b);
    const commitMs = journalWrites.commits.slice().sort((a, b) => a - b);
    console.log(
      `journal on / off (A / C): p50 ${journalP50.toFixed(3)}x (${sp.p50 - sc.p50 >= 0 ? '+' : ''}${fmtUs(sp.p50 - sc.p50)} us), p99 ${journalP99.toFixed(3)}x (target: at most +10 % at p50)` +
        `\n  journal batch writes during the measurement: ${writeMs.length}, ${writeMs.length ? `p50 ${writeMs[Math.floor(writeMs.length / 2)]!.toFixed(2)} ms, max ${writeMs[writeMs.length - 1]!.toFixed(2)} ms` : '-'} (they hold the event loop),` +
        ` of which COMMIT ${commitMs.length ? `p50 ${commitMs[Math.floor(commitMs.length / 2)]!.toFixed(2)} ms, max ${commitMs[commitMs.length - 1]!.toFixed(2)} ms` : '-'};` +
        ` samples they overlapped: A ${wA.samplesWithGc}, C ${wC.samplesWithGc}, B ${wB.samplesWithGc}`,
    );

    // Drift: the account and the risk gate keep growing lists (finished order ids, approved signals).
    const q = Math.min(BLOCK, Math.floor(samples.pipeline.length / 2));
    const first = stats(samples.pipeline.slice(0, q));
    const last = stats(samples.pipeline.slice(-q));
    const blockP50 = (list: Sample[]) => Array.from({ length: Math.ceil(list.length / BLOCK) }, (_, i) => r1(stats(list.slice(i * BLOCK, (i + 1) * BLOCK)).p50));
    const pipelineBlocks = blockP50(samples.pipeline);
    const baselineBlocks = blockP50(samples.baseline);
    console.log(
      `pipeline drift: p50 of the first ${q} measured candles ${fmtUs(first.p50)} us, of the last ${q} ${fmtUs(last.p50)} us` +
        ` (orders done before the measurement: ${WARMUP}; the account and the risk gate keep growing lists they save on every order)` +
        `
  p50 per block of ${BLOCK}: pipeline ${pipelineBlocks.join(' ')} | baseline ${baselineBlocks.join(' ')}`,
    );

    const gA = gcOverlap(samples.pipeline, gcs);
    const gB = gcOverlap(samples.baseline, gcs);
    const gcTotalMs = gcs.reduce((a, g) => a + (g.end - g.start), 0);
    console.log(
      `GC during the measured part (${(measureMs / 1000).toFixed(1)} s): ${gcs.length} pauses, ${gcTotalMs.toFixed(1)} ms;` +
        ` overlapping ${gA.samplesWithGc} pipeline samples (${gA.gcMsInSamples.toFixed(1)} ms) and ${gB.samplesWithGc} baseline samples (${gB.gcMsInSamples.toFixed(1)} ms)`,
    );
    console.log(
      `pipeline outcomes (measured): ${c.closedBuys} buys and ${c.closedSells} sells closed, ${measuredRejections} rejected, ${measuredMisses} missed` +
        `${c.otherStatus.length ? `, ${c.otherStatus.length} other statuses` : ''}; warm-up rejections ${warmupRejections}` +
        `; baseline misses ${baseline.misses}; stray messages at the sinks ${pipeline.stray.length}`,
    );
    const reasons = [...new Map(c.rejections.map((r) => [`${r.code}: ${r.reason.replace(/sig-[0-9a-f]+/g, 'sig-…')}`, r])).keys()];
    if (reasons.length) console.log(`  risk gate rejections (distinct):\n    ${reasons.slice(0, 10).join('\n    ')}`);
    if (c.otherStatus.length) console.log(`  other order statuses: ${c.otherStatus.slice(0, 5).map((o) => `#${o.k} ${o.status} ${o.reason ?? ''}`).join('; ')}`);
    if (c.misses.length) console.log(`  missed candles (no update within ${MISS_TIMEOUT_MS} ms): #${c.misses.slice(0, 10).map((m) => m.k).join(', #')}`);

    // The state store.
    console.log(`\nstate store (the exchange's SQLite state file, fsync'd per write; extra passes of ${STORE_PASS} candles each, after the measurement, not in the figures above)`);
    const store = STORE_PASSES ? await storePasses(pipeline, node(EXCHANGE)) : undefined;
    if (store) {
      printTable(
        ['state', 'set() calls / candle', 'mean us / call', 'p50 us / call', 'mean JSON bytes', 'last JSON bytes'],
        store.perKind.map((k) => [k.kind, String(k.callsPerCandle), fmtUs(k.meanUs), fmtUs(k.p50Us), String(k.meanJsonBytes), String(k.lastJsonBytes)]),
      );
      console.log(`set() total: ${store.setUsPerCandle} us per candle (synchronous part: the committed, fsync'd write)`);
      console.log(
        `pipeline p50 / p99 us: before ${fmtUs(store.before.p50)} / ${fmtUs(store.before.p99)}, set() timed ${fmtUs(store.timed.p50)} / ${fmtUs(store.timed.p99)},` +
          ` set() a no-op ${fmtUs(store.noop.p50)} / ${fmtUs(store.noop.p99)}, set() restored ${fmtUs(store.after.p50)} / ${fmtUs(store.after.p99)}`,
      );
      console.log(`=> saving state costs about ${fmtUs((store.before.p50 + store.after.p50) / 2 - store.noop.p50)} us of the p50 at this history length`);
    } else {
      console.log(STORE_PASSES ? '(the exchange node has no session: skipped)' : '(skipped: --no-store-passes)');
    }

    const problems = logged.filter((l) => !startupProblems.includes(l) && !EXPECTED_WARNINGS.some((re) => re.test(l)));
    if (startupProblems.length || problems.length) {
      console.log(`\nNode-RED log at warn and above (${startupProblems.length + problems.length} lines):\n  ${[...startupProblems, ...problems].slice(0, 20).join('\n  ')}`);
    }

    const flowBroken = sp.n === 0 || sc.n === 0 || sb.n === 0;
    const summary = (s: Stats) => ({ n: s.n, p50: r1(s.p50), p90: r1(s.p90), p99: r1(s.p99), max: r1(s.max), mean: r1(s.mean), min: r1(s.min) });
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      nodeRed: redVersion,
      platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
      loadAverage: os.loadavg().map(r1),
      note: 'sim mode: orders are filled by the simulator in-process; this measures our code path and Node-RED hops, not network',
      method: {
        runtime: 'real Node-RED embedded in the benchmark process (RED.init/RED.start), async delivery (one setImmediate per hop)',
        timing: 'performance.now() just before node.receive(msg) to the first statement of an extra input handler on the sink junction',
        oneAtATime: 'next message after the previous result reached the sink, plus one setImmediate',
        warmupPerFlow: WARMUP,
        measuredPerFlow: N,
        interleavedBlocks: BLOCK,
        missTimeoutMs: MISS_TIMEOUT_MS,
        percentiles: 'nearest rank',
        unit: 'microseconds',
        pipeline: 'receive(candle) -> tradebot-indicator(atr14) -> tradebot-strategy(maCross sma 1/2) -> tradebot-risk-gate(quote 100 USDT) -> tradebot-place-order -> junction',
        baseline: 'receive(msg) -> junction x4 -> junction (4 node-to-node hops)',
        exchange: 'sim, speed 1, seed 42, USDT=1000000000, fee 0, slippage 0, memory context store',
      },
      pipeline: summary(sp),
      noJournal: summary(sc),
      baseline: summary(sb),
      ratios: { p50: r3(ratioP50), p99: r3(ratioP99) },
      journalOnOff: {
        p50: r3(journalP50),
        p99: r3(journalP99),
        writes: writeMs.length,
        writeP50Ms: writeMs.length ? r3(writeMs[Math.floor(writeMs.length / 2)]!) : null,
        writeMaxMs: writeMs.length ? r3(writeMs[writeMs.length - 1]!) : null,
        commitP50Ms: commitMs.length ? r3(commitMs[Math.floor(commitMs.length / 2)]!) : null,
        commitMaxMs: commitMs.length ? r3(commitMs[commitMs.length - 1]!) : null,
        samplesOverlapped: { pipeline: wA.samplesWithGc, noJournal: wC.samplesWithGc, baseline: wB.samplesWithGc },
      },
      perHopOverheadUs: r1(perHop),
      pipelineDrift: { candles: q, firstP50: r1(first.p50), lastP50: r1(last.p50), blockP50: pipelineBlocks, baselineBlockP50: baselineBlocks },
      gc: { pauses: gcs.length, totalMs: r1(gcTotalMs), pipelineSamplesWithGc: gA.samplesWithGc, baselineSamplesWithGc: gB.samplesWithGc },
      outcomes: {
        closedBuys: c.closedBuys,
        closedSells: c.closedSells,
        measuredRejections,
        measuredMisses,
        warmupRejections,
        otherStatuses: c.otherStatus.length,
        baselineMisses: baseline.misses,
        rejectionReasons: reasons,
      },
      stateStore: store
        ? {
            passCandles: STORE_PASS,
            perKind: store.perKind,
            setUsPerCandle: store.setUsPerCandle,
            p50: { before: r1(store.before.p50), timed: r1(store.timed.p50), noop: r1(store.noop.p50), after: r1(store.after.p50) },
            p99: { before: r1(store.before.p99), timed: r1(store.timed.p99), noop: r1(store.noop.p99), after: r1(store.after.p99) },
          }
        : null,
      nodeRedLog: [...startupProblems, ...problems].slice(0, 50),
      durationSec: 0,
    };
    result.durationSec = Math.round((Date.now() - started) / 100) / 10;
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 2) + '\n');
    console.log(`\nwritten: ${path.relative(ROOT, RESULTS_FILE)} (total ${result.durationSec} s)`);
    if (flowBroken) throw new Error('a flow produced no measurable message: see the outcomes and the Node-RED log above');
  } finally {
    gcObserver.disconnect();
    if (RED && redStarted) await RED.stop().catch((e: Error) => console.error(`stopping Node-RED: ${e.message}`));
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    removeBenchUserDir(userDir);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nbenchmark FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
