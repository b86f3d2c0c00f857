/**
 * Memory benchmark (not a test): resident memory (RSS) of a REAL Node-RED process running
 * tradebot flows, compared with bare Node-RED measured in the same run on the same machine.
 *
 *   npm run bench                          (builds, then runs dist/bench/memory.js)
 *   node dist/bench/memory.js --rounds 5   (more repetitions, takes longer)
 *
 * Configurations, each a fresh Node-RED child process with its own temporary user dir:
 *   baseline   bare Node-RED, empty flow, no tradebot package
 *   sim-empty  tradebot installed (linked as `npm start` does), empty flow: the cost of loading the package
 *   sim        tradebot installed, flows/default-flow.json (simulated market -> ticker, order book, candles);
 *              its exchange node writes the trade journal (on by default: tradebot-journal.sqlite)
 *   sim-no-journal  the same flow with the exchange node's journal off: sim - sim-no-journal is the
 *              memory the journal adds to the default flow
 *   exchange   tradebot installed, one paper-mode binance config node on a MockBinance started here,
 *              ticker (websocket), order book and candles (1m, warm-up 100) on BTC/USDT
 *
 * Method, and why:
 * - A real `node node-red/red.js` child, not node-red-node-test-helper: the helper wraps every
 *   node in sinon spies and shares the mocha process, so its memory says nothing about a user's.
 * - RSS from /proc/<pid>/status, no forced GC: what `top`, containers and small boards account for.
 * - Sampling starts once the heap has settled, not after a fixed time: V8 grows its young
 *   generation (new space) to 32 MB during Node-RED's start-up burst, and its memory reducer
 *   shrinks it back to 1 MB at a moment that varies from ~10 s to over a minute after start,
 *   bare Node-RED included. A fixed window lands before or after that moment at random, which
 *   swings a run's RSS by ~30 MB and says nothing about tradebot. So each run warms for
 *   MIN_WARM_MS (feeds connect, the candle warm-up is done), then waits until the young
 *   generation is back to <= SETTLED_YOUNG_GEN (4 MB), at most SETTLE_MAX_MS after "Started flows",
 *   then samples. A run that never settles is sampled anyway, so a flow that keeps the young
 *   generation big is counted, and is flagged in the table. The start-up peak is not lost:
 *   the "peak" column is VmHWM, the highest RSS of the process's whole life.
 * - Each configuration runs ROUNDS times; the figure is the median of the per-run medians.
 * - To fit in two minutes the runs overlap: starts are staggered (the next process is spawned
 *   only after the previous one logged "Started flows" plus STAGGER_MS, so start-ups never compete
 *   for the CPU), then each process warms and is sampled in its own window. RSS is per process;
 *   the steady-state CPU load of all runs together is a few percent (printed in the breakdown).
 * - The young generation's size, and a breakdown (V8 heap, external memory) after sampling, come
 *   from an admin-API middleware that settings.js installs in Node-RED (GET /bench/heap): one
 *   small request per second while waiting to settle, none while sampling. (Not a signal
 *   handler: Node-RED stops on SIGUSR2, for nodemon.)
 *
 * Prints two tables and the two targets, writes bench/results/memory-latest.json.
 * Exit code 0 even when a target is missed (it is a benchmark); 1 when a run did not start or
 * did not do its work (missing node types, errors in the log, no data reaching the nodes).
 */
import type { ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { MockBinance } from '../test/support/mock-binance';
import { spawnLogged } from './spawn-logged';

// ------------------------------------------------------------------ parameters

/** The repo root; dist/bench/memory.js -> ../.. */
const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'node-red-contrib-tradebot';
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'memory-latest.json');

/** Runs per configuration (--rounds N). 3 keeps the whole benchmark under two minutes. */
const ROUNDS = roundsFromArgs(3);
/** After "Started flows", always: feeds connect, ccxt loads, the candle warm-up is sent. */
const MIN_WARM_MS = 8_000;
/**
 * Then sampling waits for V8's young generation to be back to this size: it rests at 1 MB, grows
 * to 32 MB at start-up and shrinks in halvings; under a steady message load it may stop at 2-4 MB...
 */
const SETTLED_YOUNG_GEN = 4 * 1024 * 1024;
/** ...polled this often (one small admin request)... */
const SETTLE_POLL_MS = 1_000;
/** ...but no longer than this after "Started flows" (see the header). */
const SETTLE_MAX_MS = 45_000;
/** RSS is read every SAMPLE_EVERY_MS for SAMPLE_MS; a run's figure is the median, its max is kept too. */
const SAMPLE_MS = 10_000;
const SAMPLE_EVERY_MS = 500;
/** Gap between one run's "Started flows" and the next spawn: covers ccxt loading and the candle warm-up. */
const STAGGER_MS = 1_000;
/** Node-RED normally starts in 1-4 s; more means something is wrong. */
const START_TIMEOUT_MS = 30_000;
/** SIGTERM first (Node-RED closes its nodes), SIGKILL if it has not exited by then. */
const KILL_GRACE_MS = 5_000;
/** How often the mock exchange pushes a new ticker / book / forming candle while the flow runs. */
const FEED_EVERY_MS = 200;

const TARGETS = [
  { config: 'sim', label: 'sim-only flow', maxDeltaMb: 25 },
  { config: 'exchange', label: 'one-exchange flow', maxDeltaMb: 45 },
] as const;

const MB = 1024 * 1024; // /proc reports KiB; figures are MiB, printed as "MB"
const MINUTE = 60_000;

function roundsFromArgs(fallback: number): number {
  const i = process.argv.indexOf('--rounds');
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error('--rounds: a whole number from 1 to 20');
  return n;
}

// ------------------------------------------------------------------ types

type FlowNode = Record<string, unknown> & { id: string; type: string };

interface Configuration {
  name: string;
  description: string;
  /** Link this package into <userDir>/node_modules, as `npm start` does. */
  installPackage: boolean;
  /** Sets up what one run needs (e.g. its own mock exchange): the flow, the checks, the teardown. */
  prepare(): Promise<PreparedRun>;
}

interface PreparedRun {
  flow: FlowNode[];
  /** Checks, after sampling, that the flow did its work; returns problems (empty = fine). */
  verify(run: NodeRedRun): Promise<string[]>;
  dispose?(): Promise<void>;
}

interface NodeRedRun {
  port: number;
  child: ChildProcess;
  /** stdout + stderr lines, in arrival order. */
  log: string[];
}

/** What GET /bench/heap answers (see settingsSource); bytes. */
interface HeapBreakdown {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  newSpace: number;
}

interface RunResult {
  config: string;
  round: number;
  startMs: number;
  samples: number[]; // bytes
  medianRss: number;
  maxRss: number;
  /** VmHWM: the highest RSS of the process's life, start-up included. */
  peakRss: number;
  heap: HeapBreakdown;
  /** ms after "Started flows" when the young generation was back to normal; undefined = never within SETTLE_MAX_MS. */
  settledMs: number | undefined;
  /** CPU used by the process during its sampling window, percent of one core. */
  cpuPercent: number;
}

class RunFailed extends Error {}

// ------------------------------------------------------------------ process bookkeeping

/** Every child and temp dir still alive, so a Ctrl-C still cleans up. */
const liveChildren = new Set<ChildProcess>();
const liveUserDirs = new Set<string>();

function onInterrupt(signal: NodeJS.Signals): void {
  console.error(`\n${signal}: stopping Node-RED children and removing temp dirs`);
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of liveUserDirs) removeUserDir(dir);
  process.exit(130);
}

// ------------------------------------------------------------------ small helpers

/** A sleep that ends early (rejecting) when another run failed and the benchmark is aborting. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mb = (bytes: number) => bytes / MB;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Node-RED's CLI has no "port 0": take a free port from the OS and release it right away. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** GET on Node-RED's admin API; resolves status and body (never rejects on HTTP errors). */
function httpGet(port: number, urlPath: string, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** A memory field of /proc/<pid>/status in bytes: VmRSS (resident now) or VmHWM (highest resident ever). Linux only. */
function readProcStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** User + system CPU time of a process from /proc/<pid>/stat, in clock ticks (100 per second on Linux). */
function readCpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

// ------------------------------------------------------------------ user dir

/**
 * Node-RED settings for a run. Console logging stays at 'warn' (the benchmark scans it for
 * errors); a second logger at 'info' forwards only the lifecycle lines the benchmark waits on,
 * which Node-RED logs at info: "Started flows" and "Waiting for missing types" (+ the types).
 * An admin middleware answers GET /bench/heap with a heap breakdown.
 */
function settingsSource(port: number): string {
  return `// Written by bench/memory.ts for one benchmark run.
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: 'tradebot-memory-benchmark',
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  editorTheme: { tours: false },
  // GET /bench/heap on the admin port: the heap breakdown the benchmark reads once per run.
  httpAdminMiddleware: (req, res, next) => {
    if (req.method !== 'GET' || req.url !== '/bench/heap') return next();
    const m = process.memoryUsage();
    const young = require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    res.json({ rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, newSpace: young ? young.space_size : 0 });
  },
  logging: {
    console: { level: 'warn', metrics: false, audit: false },
    bench: {
      level: 'info', metrics: false, audit: false,
      handler: () => (msg) => {
        const text = String(msg.msg);
        if (msg.level === 40 && /^(Started flows|Waiting for missing types| - )/.test(text)) console.log('[bench] ' + text);
      },
    },
  },
};
`;
}

/** A fresh user dir: settings.js, flows.json and, if asked, this package linked the way scripts/start.js does it. */
function makeUserDir(config: Configuration, flow: FlowNode[], port: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tradebot-bench-${config.name}-`));
  liveUserDirs.add(dir);
  fs.writeFileSync(path.join(dir, 'settings.js'), settingsSource(port));
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow, null, 2));
  if (config.installPackage) {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'tradebot-bench-user-dir', private: true, dependencies: { [PACKAGE_NAME]: `file:${ROOT}` } }, null, 2),
    );
  }
  return dir;
}

/** Removes a user dir. The package link is unlinked first so nothing can ever recurse into the repo. */
function removeUserDir(dir: string): void {
  try {
    fs.unlinkSync(path.join(dir, 'node_modules', PACKAGE_NAME));
  } catch {
    /* no link in this configuration */
  }
  fs.rmSync(dir, { recursive: true, force: true });
  liveUserDirs.delete(dir);
}

// ------------------------------------------------------------------ Node-RED child process

/** Spawns `node node-red/red.js` directly (no npm, no shell) so the pid we sample IS Node-RED. */
function spawnNodeRed(userDir: string): { child: ChildProcess; log: string[] } {
  const red = require.resolve('node-red/red.js');
  return spawnLogged(process.execPath, [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], userDir, liveChildren);
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Ready = the admin API answers GET /flows with 200 AND the runtime logged "Started flows".
 * Fails fast on missing node types or an early exit.
 */
async function waitUntilStarted(run: NodeRedRun, signal: AbortSignal): Promise<void> {
  const { child, log, port } = run;
  const deadline = Date.now() + START_TIMEOUT_MS;
  let apiUp = false;
  while (Date.now() < deadline) {
    if (exited(child)) throw new RunFailed(`Node-RED exited during start-up (code ${child.exitCode}, signal ${child.signalCode})`);
    if (log.some((l) => l.includes('Waiting for missing types'))) {
      await sleep(300); // let the list of types arrive for the message
      throw new RunFailed(`Node-RED is waiting for missing node types:\n${log.filter((l) => l.startsWith('[bench]')).join('\n')}`);
    }
    if (!apiUp) apiUp = await httpGet(port, '/flows').then((r) => r.status === 200, () => false);
    if (apiUp && log.some((l) => l.includes('[bench] Started flows'))) return;
    await sleep(100, signal);
  }
  throw new RunFailed(`Node-RED did not start within ${START_TIMEOUT_MS / 1000} s (admin API up: ${apiUp})`);
}

/** SIGTERM, then SIGKILL after KILL_GRACE_MS; resolves once the process is gone. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

/** Reads RSS every SAMPLE_EVERY_MS for SAMPLE_MS, and the CPU used meanwhile; the child dying is a failed run. */
async function sampleRss(child: ChildProcess, signal: AbortSignal): Promise<{ samples: number[]; cpuPercent: number }> {
  const samples: number[] = [];
  const t0 = Date.now();
  const cpu0 = readCpuTicks(child.pid!);
  while (Date.now() - t0 < SAMPLE_MS) {
    if (exited(child)) throw new RunFailed('Node-RED exited while being measured');
    samples.push(readProcStatus(child.pid!, 'VmRSS'));
    await sleep(SAMPLE_EVERY_MS, signal);
  }
  const cpuPercent = ((readCpuTicks(child.pid!) - cpu0) * 10) / (Date.now() - t0) * 100; // ticks are 10 ms
  return { samples, cpuPercent };
}

/**
 * Waits, after MIN_WARM_MS, until V8's young generation is back to its resting size (see the
 * header); resolves the ms since "Started flows" it took, or undefined if SETTLE_MAX_MS passed.
 */
async function waitForSettledHeap(run: NodeRedRun, startedAt: number, signal: AbortSignal): Promise<number | undefined> {
  await sleep(MIN_WARM_MS, signal);
  for (;;) {
    const errors = logProblems(run.log); // fail now rather than after the sampling
    if (errors.length) throw new RunFailed(`errors in the Node-RED log:\n  ${errors.join('\n  ')}`);
    if ((await readHeapBreakdown(run)).newSpace <= SETTLED_YOUNG_GEN) return Date.now() - startedAt;
    if (Date.now() - startedAt + SETTLE_POLL_MS > SETTLE_MAX_MS) return undefined;
    await sleep(SETTLE_POLL_MS, signal);
  }
}

/** Node-RED's own view of its memory, from the /bench/heap middleware that settings.js adds. */
async function readHeapBreakdown(run: NodeRedRun): Promise<HeapBreakdown> {
  const res = await httpGet(run.port, '/bench/heap');
  if (res.status !== 200) throw new RunFailed(`GET /bench/heap answered ${res.status}`);
  return JSON.parse(res.body) as HeapBreakdown;
}

// ------------------------------------------------------------------ checks that a run did its work

/** Log lines that mean something went wrong (console logging is at 'warn', so only warn/error/crash lines reach us). */
function logProblems(log: string[]): string[] {
  return log.filter((l) => /\[error\]|Waiting for missing types|Unhandled|Uncaught|Error:/i.test(l));
}

/** Warnings Node-RED prints on every start with these settings; anything else is shown with the results. */
const EXPECTED_WARNINGS = [/Encrypted credentials not found/, /Projects disabled/];

/**
 * The latest status of each node, read from Node-RED's editor websocket (/comms), which
 * replays retained node statuses on subscribe. Done AFTER sampling so the extra connection
 * does not count in the figures.
 */
function readNodeStatuses(port: number): Promise<Map<string, { fill?: string; text?: string }>> {
  return new Promise((resolve, reject) => {
    const statuses = new Map<string, { fill?: string; text?: string }>();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    ws.on('open', () => {
      ws.send(JSON.stringify({ subscribe: 'status/#' }));
      // comms sends in 50 ms batches; the retained statuses come in the first ones.
      setTimeout(() => {
        ws.terminate();
        resolve(statuses);
      }, 1_000);
    });
    ws.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return; // not a comms batch; the statuses check will say what is missing
      }
      for (const m of (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ topic?: unknown; data: { fill?: string; text?: string } }>) {
        if (typeof m.topic === 'string' && m.topic.startsWith('status/')) statuses.set(m.topic.slice('status/'.length), m.data);
      }
    });
    ws.on('error', reject);
  });
}

/** Each market-data node in `flow` must show a green status (data arrived), not red or yellow. */
async function statusProblems(run: NodeRedRun, flow: FlowNode[]): Promise<string[]> {
  const statuses = await readNodeStatuses(run.port);
  const problems: string[] = [];
  for (const node of flow.filter((n) => /^tradebot-(ticker|order-book|candles)$/.test(n.type))) {
    const s = statuses.get(node.id);
    if (!s || s.fill !== 'green') problems.push(`${node.type} ${node.id} has status ${JSON.stringify(s ?? 'none')}, expected green (data flowing)`);
  }
  return problems;
}

interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

/** The package's node sets as Node-RED loaded them (GET /nodes) against those package.json declares. */
async function packageProblems(run: NodeRedRun, expectLoaded: boolean): Promise<string[]> {
  const res = await httpGet(run.port, '/nodes');
  if (res.status !== 200) return [`GET /nodes answered ${res.status}`];
  const sets = (JSON.parse(res.body) as NodeSet[]).filter((set) => set.module === PACKAGE_NAME);
  if (!expectLoaded) return sets.length ? [`${PACKAGE_NAME} is loaded in the baseline, which must be bare Node-RED`] : [];
  const declared = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes,
  );
  const problems = declared.filter((name) => !sets.some((s) => s.id === `${PACKAGE_NAME}/${name}`)).map((name) => `node set ${name} not loaded`);
  for (const s of sets) if (!s.enabled || s.err || !s.types.length) problems.push(`${s.id} not loaded: ${s.err ?? 'disabled or no types'}`);
  return problems;
}

// ------------------------------------------------------------------ the mock exchange and its data

/** A random walk around 60 000 pushed to the mock: ticker, a 20-level book and the forming 1m candle. */
class MarketFeeder {
  private price = 60_000;
  private timer: NodeJS.Timeout | undefined;
  private forming: number[] = [];

  constructor(private readonly mock: MockBinance) {}

  /** History for the candles node's warm-up (150 closed 1m candles + the forming one), a ticker and a book. */
  seed(): void {
    const formingTs = Math.floor(Date.now() / MINUTE) * MINUTE;
    const rows: number[][] = [];
    for (let i = 150; i >= 1; i--) rows.push(this.historyCandle(formingTs - i * MINUTE));
    this.forming = this.historyCandle(formingTs);
    rows.push(this.forming);
    this.mock.setKlines('BTC/USDT', '1m', rows);
    this.tick();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), FEED_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private historyCandle(ts: number): number[] {
    this.price *= 1 + (Math.random() - 0.5) * 0.002;
    const p = Math.round(this.price * 100) / 100;
    return [ts, p, p + 10, p - 10, p + 1, 5];
  }

  private tick(): void {
    this.price = Math.round(this.price * (1 + (Math.random() - 0.5) * 0.0004) * 100) / 100;
    const p = this.price;
    this.mock.setTicker('BTC/USDT', { bid: p - 0.01, ask: p + 0.01, last: p, volume: 1000 + Math.random() * 10 });
    const levels = (side: 1 | -1): [number, number][] =>
      Array.from({ length: 20 }, (_, i) => [Math.round((p + side * (i + 1) * 0.5) * 100) / 100, Math.round(Math.random() * 300) / 100 + 0.01]);
    this.mock.setOrderBook('BTC/USDT', levels(-1), levels(1));
    this.pushFormingCandle(p);
  }

  /** Updates the forming candle; when the minute rolls over, closes it and opens the next. */
  private pushFormingCandle(p: number): void {
    const nowTs = Math.floor(Date.now() / MINUTE) * MINUTE;
    if (this.forming[0] !== nowTs) {
      this.mock.pushKline('BTC/USDT', '1m', this.forming, true);
      this.forming = [nowTs, p, p, p, p, 0];
    }
    const [ts, o, h, l, , v] = this.forming as [number, number, number, number, number, number];
    this.forming = [ts, o, Math.max(h, p), Math.min(l, p), p, v + 0.1];
    this.mock.pushKline('BTC/USDT', '1m', this.forming, false);
  }
}

/** What the exchange run must have asked its mock for, if ccxt really loaded and streamed. */
function mockProblems(mock: MockBinance): string[] {
  const problems: string[] = [];
  const subscribed = mock.wsSubscriptions();
  for (const stream of ['btcusdt@ticker', 'btcusdt@depth@100ms', 'btcusdt@kline_1m']) {
    if (!subscribed.includes(stream)) problems.push(`mock has no ws subscription ${stream} (has: ${subscribed.join(', ') || 'none'})`);
  }
  for (const rest of ['/api/v3/exchangeInfo', '/api/v3/klines', '/api/v3/depth']) {
    if (mock.requestCount(rest) === 0) problems.push(`mock never received GET ${rest}`);
  }
  return problems;
}

// ------------------------------------------------------------------ flows and configurations

function defaultFlow(): FlowNode[] {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'default-flow.json'), 'utf8'));
}

/** One paper-mode binance config node on the mock, three market-data nodes into silent debug nodes. */
function exchangeFlow(baseUrl: string): FlowNode[] {
  const tab = 'bench-tab';
  const debug = (id: string, y: number): FlowNode => ({
    id, type: 'debug', z: tab, name: '', active: true, tosidebar: false, console: false, tostatus: false,
    complete: 'payload', targetType: 'msg', x: 500, y, wires: [],
  });
  return [
    { id: tab, type: 'tab', label: 'bench: one exchange', disabled: false, info: '' },
    {
      id: 'bench-exchange', type: 'tradebot-exchange', name: 'mock binance', mode: 'paper', exchangeId: 'binance',
      sandbox: false, baseUrl, maxNotional: '', liveOptIn: false, simSeed: 42, simSpeed: 1, simTickMs: 1000, timeoutMs: 10000,
    },
    { id: 'bench-ticker', type: 'tradebot-ticker', z: tab, name: '', exchange: 'bench-exchange', symbols: 'BTC/USDT', interval: 2000, websocket: true, x: 150, y: 100, wires: [['bench-debug-ticker']] },
    { id: 'bench-book', type: 'tradebot-order-book', z: tab, name: '', exchange: 'bench-exchange', symbols: 'BTC/USDT', depth: 5, interval: 2000, websocket: true, x: 150, y: 160, wires: [['bench-debug-book']] },
    { id: 'bench-candles', type: 'tradebot-candles', z: tab, name: '', source: 'exchange', exchange: 'bench-exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 100, interval: 2000, websocket: true, x: 150, y: 220, wires: [['bench-debug-candles']] },
    debug('bench-debug-ticker', 100),
    debug('bench-debug-book', 160),
    debug('bench-debug-candles', 220),
  ];
}

const CONFIGURATIONS: Configuration[] = [
  {
    name: 'baseline',
    description: 'bare Node-RED, empty flow',
    installPackage: false,
    prepare: async () => ({ flow: [], verify: (run) => packageProblems(run, false) }),
  },
  {
    name: 'sim-empty',
    description: 'tradebot installed, empty flow',
    installPackage: true,
    prepare: async () => ({ flow: [], verify: (run) => packageProblems(run, true) }),
  },
  {
    name: 'sim',
    description: 'flows/default-flow.json (simulated market)',
    installPackage: true,
    prepare: async () => {
      const flow = defaultFlow();
      return { flow, verify: (run) => statusProblems(run, flow) };
    },
  },
  {
    name: 'sim-no-journal',
    description: 'flows/default-flow.json, trade journal off',
    installPackage: true,
    prepare: async () => {
      const flow = defaultFlow().map((n) => (n.type === 'tradebot-exchange' ? { ...n, journal: 'off' } : n));
      return { flow, verify: (run) => statusProblems(run, flow) };
    },
  },
  {
    name: 'exchange',
    description: 'paper binance on a mock: ticker (ws), book, candles (1m, warm-up 100)',
    installPackage: true,
    // Each run gets its own mock, so runs that overlap cannot answer each other's checks.
    prepare: async () => {
      const mock = new MockBinance();
      const feeder = new MarketFeeder(mock);
      const flow = exchangeFlow(await mock.start());
      feeder.seed();
      feeder.start();
      return {
        flow,
        verify: async (run) => [...mockProblems(mock), ...(await statusProblems(run, flow))],
        dispose: async () => {
          feeder.stop();
          await mock.stop();
        },
      };
    },
  },
];

// ------------------------------------------------------------------ one run

/**
 * One run of one configuration: start Node-RED and resolve `started` once its flows run;
 * `result` then warms, samples, verifies and stops it. Whatever was set up is torn down, in
 * reverse order, however the run ends.
 */
function startRun(config: Configuration, round: number, signal: AbortSignal): { started: Promise<void>; result: Promise<RunResult> } {
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const result = (async (): Promise<RunResult> => {
    const teardown: Array<() => unknown> = [];
    let log: string[] = [];
    try {
      const prepared = await config.prepare();
      teardown.push(() => prepared.dispose?.());
      const port = await freePort();
      const userDir = makeUserDir(config, prepared.flow, port);
      teardown.push(() => removeUserDir(userDir));
      const spawnedAt = Date.now();
      const spawned = spawnNodeRed(userDir);
      teardown.push(() => stopChild(spawned.child));
      log = spawned.log;
      const run: NodeRedRun = { port, child: spawned.child, log };

      await waitUntilStarted(run, signal);
      const startedAt = Date.now();
      const startMs = startedAt - spawnedAt;
      markStarted();
      const settledMs = await waitForSettledHeap(run, startedAt, signal);
      const { samples, cpuPercent } = await sampleRss(run.child, signal);
      const peakRss = readProcStatus(run.child.pid!, 'VmHWM');
      const heap = await readHeapBreakdown(run);
      const problems = [...logProblems(log), ...(await prepared.verify(run))];
      if (problems.length) throw new RunFailed(`${config.name} #${round} did not do its work:\n  ${problems.join('\n  ')}`);
      const warnings = log.filter((l) => l.includes('[warn]') && !EXPECTED_WARNINGS.some((re) => re.test(l)));
      if (warnings.length) console.log(`  (${config.name} #${round}: Node-RED warnings)\n    ${warnings.join('\n    ')}`);
      return { config: config.name, round, startMs, samples, medianRss: median(samples), maxRss: Math.max(...samples), peakRss, heap, settledMs, cpuPercent };
    } catch (err) {
      if (signal.aborted && !(err instanceof RunFailed)) throw err; // stopped because another run failed
      const message = err instanceof RunFailed ? err.message : `${config.name} #${round}: ${(err as Error).stack ?? String(err)}`;
      throw new RunFailed(`${message}\n--- Node-RED log (${config.name} #${round}) ---\n${log.join('\n')}`);
    } finally {
      markStarted(); // never leave the scheduler waiting on a run that failed
      for (const step of teardown.reverse()) await step();
    }
  })();
  return { started, result };
}

/**
 * Runs every configuration ROUNDS times, interleaved (baseline, sim-empty, sim, exchange,
 * baseline, ...) so no configuration always gets the same moment. Starts are serialised; the
 * warm and sample windows overlap. The first failure aborts the others (they still clean up).
 */
async function runAll(): Promise<RunResult[]> {
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every run sleeps on it at the same time
  const results: Array<Promise<RunResult>> = [];
  for (let round = 1; round <= ROUNDS && !abort.signal.aborted; round++) {
    for (const config of CONFIGURATIONS) {
      if (abort.signal.aborted) break;
      const run = startRun(config, round, abort.signal);
      run.result.catch(() => abort.abort());
      results.push(run.result);
      await run.started;
      await sleep(STAGGER_MS);
    }
  }
  const settled = await Promise.allSettled(results);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && s.reason instanceof RunFailed)
    ?? settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<RunResult>).value);
}

// ------------------------------------------------------------------ summary and report

interface ConfigSummary {
  name: string;
  description: string;
  medianRss: number; // median of the per-run medians
  maxRss: number; // max over every sample of every run
  peakRss: number; // max VmHWM of the runs: the start-up peak
  runMedians: number[];
  deltaMb: number;
  ratio: number;
  startMs: number;
  settledMs: Array<number | undefined>;
  heap: HeapBreakdown; // per field, median over runs
  cpuPercent: number;
}

function summarize(results: RunResult[]): ConfigSummary[] {
  const per = CONFIGURATIONS.map((c) => ({ config: c, runs: results.filter((r) => r.config === c.name) }));
  const med = (runs: RunResult[], pick: (r: RunResult) => number) => median(runs.map(pick));
  const baseline = med(per[0]!.runs, (r) => r.medianRss);
  return per.map(({ config, runs }) => {
    const medianRss = med(runs, (r) => r.medianRss);
    return {
      name: config.name,
      description: config.description,
      medianRss,
      maxRss: Math.max(...runs.map((r) => r.maxRss)),
      peakRss: Math.max(...runs.map((r) => r.peakRss)),
      runMedians: runs.map((r) => r.medianRss),
      deltaMb: mb(medianRss - baseline),
      ratio: medianRss / baseline,
      startMs: med(runs, (r) => r.startMs),
      settledMs: runs.map((r) => r.settledMs),
      heap: {
        rss: med(runs, (r) => r.heap.rss),
        heapTotal: med(runs, (r) => r.heap.heapTotal),
        heapUsed: med(runs, (r) => r.heap.heapUsed),
        external: med(runs, (r) => r.heap.external),
        newSpace: med(runs, (r) => r.heap.newSpace),
      },
      cpuPercent: med(runs, (r) => r.cpuPercent),
    };
  });
}

/** A plain text table: first and last columns left-aligned, numbers right-aligned, no trailing spaces. */
function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Seconds after "Started flows" each run's heap settled; "-" = not within SETTLE_MAX_MS (sampled unsettled). */
const settledText = (s: ConfigSummary) => s.settledMs.map((ms) => (ms === undefined ? '-' : (ms / 1000).toFixed(0))).join(' ');

function printReport(summary: ConfigSummary[]): Array<{ configuration: string; label: string; deltaMb: number; targetMb: number; ok: boolean }> {
  const f = (bytes: number) => mb(bytes).toFixed(1);
  console.log('');
  printTable(
    ['configuration', 'median RSS MB', 'max RSS MB', 'delta MB', 'ratio', 'peak MB', 'run medians MB', 'what runs'],
    summary.map((s, i) => [
      s.name,
      f(s.medianRss),
      f(s.maxRss),
      i === 0 ? '-' : (s.deltaMb >= 0 ? '+' : '') + s.deltaMb.toFixed(1),
      s.ratio.toFixed(2),
      f(s.peakRss),
      s.runMedians.map(f).join(' '),
      s.description,
    ]),
  );
  console.log(
    `\n${ROUNDS} runs per configuration. A run's figure is the median of ${SAMPLE_MS / SAMPLE_EVERY_MS} RSS samples over ${SAMPLE_MS / 1000} s,` +
      ` taken once V8's young generation had settled (at least ${MIN_WARM_MS / 1000} s, at most ${SETTLE_MAX_MS / 1000} s after "Started flows").` +
      `\nmedian RSS = median of the runs; max = highest sample; peak = highest RSS of the process's life (VmHWM, start-up included);` +
      ` delta and ratio vs baseline; MB = 2^20 bytes.`,
  );

  console.log('\nwhere it goes (medians of the runs, after sampling; young gen is part of heap total; rest = RSS - heap total - external: code, stacks, malloc, the node binary)');
  printTable(
    ['configuration', 'heap used', 'young gen', 'heap total', 'external', 'rest', 'CPU %', 'start s', 'settled after s'],
    summary.map((s) => [
      s.name,
      f(s.heap.heapUsed),
      f(s.heap.newSpace),
      f(s.heap.heapTotal),
      f(s.heap.external),
      f(s.heap.rss - s.heap.heapTotal - s.heap.external),
      s.cpuPercent.toFixed(1),
      (s.startMs / 1000).toFixed(1),
      settledText(s),
    ]),
  );
  const unsettled = summary.filter((s) => s.settledMs.includes(undefined)).map((s) => s.name);
  if (unsettled.length) {
    console.log(`("-" in settled: that run's young generation was still grown when sampled, which adds up to ~30 MB to it: ${unsettled.join(', ')})`);
  }

  const on = summary.find((s) => s.name === 'sim')!;
  const off = summary.find((s) => s.name === 'sim-no-journal')!;
  console.log(`\ntrade journal on the default sim flow (sim - sim-no-journal): ${mb(on.medianRss - off.medianRss) >= 0 ? '+' : ''}${mb(on.medianRss - off.medianRss).toFixed(1)} MB RSS, ${mb(on.heap.heapUsed - off.heap.heapUsed).toFixed(1)} MB heap used`);
  console.log('');
  return TARGETS.map((t) => {
    const delta = summary.find((s) => s.name === t.config)!.deltaMb;
    const ok = delta < t.maxDeltaMb;
    console.log(`${t.label} adds ${delta.toFixed(1)} MB (target < ${t.maxDeltaMb} MB): ${ok ? 'OK' : 'OVER'}`);
    return { configuration: t.config, label: t.label, deltaMb: round1(delta), targetMb: t.maxDeltaMb, ok };
  });
}

const heapInMb = (h: HeapBreakdown) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, round1(mb(v))]));

function writeJson(summary: ConfigSummary[], results: RunResult[], targets: ReturnType<typeof printReport>, totalMs: number): void {
  const red = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string };
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    nodeRed: red.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs, ${round1(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map(round1).join(' ')}`,
    method: {
      rounds: ROUNDS,
      minWarmMs: MIN_WARM_MS,
      settledYoungGenMb: mb(SETTLED_YOUNG_GEN),
      settleMaxMs: SETTLE_MAX_MS,
      sampleMs: SAMPLE_MS,
      sampleEveryMs: SAMPLE_EVERY_MS,
      staggerMs: STAGGER_MS,
      unit: 'MiB; RSS = VmRSS, peak = VmHWM, from /proc/<pid>/status',
      totalMs,
    },
    targets,
    journalOnDefaultSimFlowMb: round1(mb(summary.find((s) => s.name === 'sim')!.medianRss - summary.find((s) => s.name === 'sim-no-journal')!.medianRss)),
    configurations: summary.map((s) => ({
      name: s.name,
      description: s.description,
      medianRssMb: round1(mb(s.medianRss)),
      maxRssMb: round1(mb(s.maxRss)),
      peakRssMb: round1(mb(s.peakRss)),
      deltaVsBaselineMb: round1(s.deltaMb),
      ratioVsBaseline: Math.round(s.ratio * 1000) / 1000,
      runMedianRssMb: s.runMedians.map((b) => round1(mb(b))),
      startMs: Math.round(s.startMs),
      cpuPercent: round1(s.cpuPercent),
      heapMb: heapInMb(s.heap),
      runs: results
        .filter((r) => r.config === s.name)
        .map((r) => ({
          round: r.round,
          startMs: r.startMs,
          settledMs: r.settledMs ?? null,
          cpuPercent: round1(r.cpuPercent),
          peakRssMb: round1(mb(r.peakRss)),
          heapMb: heapInMb(r.heap),
          samplesMb: r.samples.map((b) => round1(mb(b))),
        })),
    })),
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwritten: ${path.relative(ROOT, RESULTS_FILE)}`);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('this benchmark reads /proc/<pid>/status: Linux only');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'tradebot-exchange', 'tradebot-exchange.html'))) {
    throw new Error('dist/ is not built: run `npm run build` first (or `npm run bench`)');
  }
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);

  const t0 = Date.now();
  const runs = CONFIGURATIONS.length * ROUNDS;
  console.log(
    `memory benchmark: ${CONFIGURATIONS.map((c) => c.name).join(', ')} x ${ROUNDS} rounds = ${runs} Node-RED processes,` +
      ` overlapping; at most ~${Math.ceil((runs * 4_000 + SETTLE_MAX_MS + SAMPLE_MS) / 10_000) * 10} s`,
  );
  const results = await runAll();
  const summary = summarize(results);
  const targets = printReport(summary);
  writeJson(summary, results, targets, Date.now() - t0);
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nbenchmark FAILED: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof RunFailed) && err instanceof Error && err.stack) console.error(err.stack);
    process.exit(1);
  },
);
