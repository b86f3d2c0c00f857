/**
 * Memory benchmark (not a test): resident memory (RSS) of a REAL Node-RED process running
 * tradebot flows, compared with bare Node-RED measured in the same run on the same machine.
 *
 *   npm run bench            (builds, then runs dist/bench/memory.js)
 *
 * Configurations, each a fresh Node-RED child process with its own temporary user dir:
 *   baseline   bare Node-RED, empty flow, no tradebot package
 *   sim-empty  tradebot installed (linked as `npm start` does), empty flow: the cost of loading the package
 *   sim        tradebot installed, flows/default-flow.json (simulated market -> ticker, order book, candles)
 *   exchange   tradebot installed, one paper-mode binance config node on a MockBinance started here,
 *              ticker (websocket), order book and candles (1m, warm-up 100) on BTC/USDT
 *
 * Why a real process and not node-red-node-test-helper: the helper wraps every node in sinon
 * spies and shares the mocha process, so its memory says nothing about what a user sees.
 * Why RSS and no forced GC: RSS is what `top`, containers and small boards account for.
 *
 * Prints a table and the two targets, writes bench/results/memory-latest.json.
 * Exit code 0 even when a target is missed (it is a benchmark); 1 when a configuration did
 * not start or did not do its work (missing node types, errors in the log, no data).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { MockBinance } from '../test/support/mock-binance';

// ------------------------------------------------------------------ parameters

/** The repo root; dist/bench/memory.js -> ../.. */
const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'node-red-contrib-tradebot';
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'memory-latest.json');

/** After "Started flows": lets feeds connect, warm up and the V8 heap settle before sampling. */
const WARM_MS = 8_000;
/** RSS is read every SAMPLE_EVERY_MS for SAMPLE_MS; the median is the figure, the max is reported too. */
const SAMPLE_MS = 10_000;
const SAMPLE_EVERY_MS = 500;
/** Node-RED normally starts in 2-4 s; more means something is wrong. */
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

// ------------------------------------------------------------------ types

type FlowNode = Record<string, unknown> & { id: string; type: string };

interface Configuration {
  name: string;
  description: string;
  /** Link this package into <userDir>/node_modules, as `npm start` does. */
  installPackage: boolean;
  flow: FlowNode[];
  /** Extra checks that the flow did its work; returns problems (empty = fine). */
  verify?: (run: NodeRedRun) => Promise<string[]>;
}

interface NodeRedRun {
  port: number;
  pid: number;
  /** stdout + stderr lines, in arrival order. */
  log: string[];
}

interface Measurement {
  name: string;
  description: string;
  startMs: number;
  medianMb: number;
  maxMb: number;
  samplesMb: number[];
}

class RunFailed extends Error {}

// ------------------------------------------------------------------ process bookkeeping

/** Every child and temp dir still alive, so a Ctrl-C or a crash still cleans up. */
const liveChildren = new Set<ChildProcess>();
const liveUserDirs = new Set<string>();

function onInterrupt(signal: NodeJS.Signals): void {
  console.error(`\n${signal}: stopping Node-RED children and removing temp dirs`);
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of liveUserDirs) removeUserDir(dir);
  process.exit(130);
}

// ------------------------------------------------------------------ small helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;

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

/** VmRSS of a process from /proc, in bytes (Linux only). */
function readRssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

// ------------------------------------------------------------------ user dir

/**
 * Node-RED settings for a run. Console logging stays at 'warn' (what the benchmark scans for
 * errors); a second logger at 'info' forwards only the lifecycle lines the benchmark waits on,
 * which Node-RED logs at info: "Started flows" and "Waiting for missing types" (+ the types).
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
function makeUserDir(config: Configuration, port: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tradebot-bench-${config.name}-`));
  liveUserDirs.add(dir);
  fs.writeFileSync(path.join(dir, 'settings.js'), settingsSource(port));
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(config.flow, null, 2));
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
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  liveChildren.add(child);
  child.on('exit', () => liveChildren.delete(child));
  const log: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      log.push(...lines);
    });
  }
  return { child, log };
}

/**
 * Ready = the admin API answers GET /flows with 200 AND the runtime logged "Started flows".
 * Fails fast on missing node types or an early exit.
 */
async function waitUntilStarted(child: ChildProcess, log: string[], port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let apiUp = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new RunFailed(`Node-RED exited during start-up (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (log.some((l) => l.includes('Waiting for missing types'))) {
      await sleep(300); // let the type list arrive for the message
      throw new RunFailed(`Node-RED is waiting for missing node types:\n${log.filter((l) => l.startsWith('[bench]')).join('\n')}`);
    }
    if (!apiUp) apiUp = await httpGet(port, '/flows').then((r) => r.status === 200, () => false);
    if (apiUp && log.some((l) => l.includes('[bench] Started flows'))) return;
    await sleep(100);
  }
  throw new RunFailed(`Node-RED did not start within ${START_TIMEOUT_MS / 1000} s (admin API up: ${apiUp})`);
}

/** SIGTERM, then SIGKILL after KILL_GRACE_MS; resolves once the process is gone. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Reads RSS every SAMPLE_EVERY_MS for SAMPLE_MS; the child dying mid-way is a failed run. */
async function sampleRss(child: ChildProcess): Promise<number[]> {
  const samples: number[] = [];
  const end = Date.now() + SAMPLE_MS;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new RunFailed('Node-RED exited while being measured');
    samples.push(readRssBytes(child.pid!));
    await sleep(SAMPLE_EVERY_MS);
  }
  return samples;
}

// ------------------------------------------------------------------ checks that a run did its work

/** Log lines that mean something went wrong (console logging is at 'warn', so only warn/error/crash lines reach us). */
function logProblems(log: string[]): string[] {
  return log.filter((l) => /\[error\]|Waiting for missing types|Unhandled|Uncaught|Error:/i.test(l));
}

/**
 * The latest status of each node, read from Node-RED's editor websocket (/comms), which
 * replays retained node statuses on subscribe. Done AFTER sampling so the extra connection
 * does not count in the figures.
 */
function readNodeStatuses(port: number): Promise<Map<string, { fill?: string; text?: string }>> {
  return new Promise((resolve, reject) => {
    const statuses = new Map<string, { fill?: string; text?: string }>();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    const finish = () => {
      ws.terminate();
      resolve(statuses);
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ subscribe: 'status/#' }));
      setTimeout(finish, 1_000); // comms batches every 50 ms; retained statuses arrive at once
    });
    ws.on('message', (data) => {
      const parsed = JSON.parse(data.toString());
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
        if (typeof m.topic === 'string' && m.topic.startsWith('status/')) statuses.set(m.topic.slice('status/'.length), m.data);
      }
    });
    ws.on('error', reject);
  });
}

/** Problems with the status of each tradebot node in `flow`: each must be green (data arrived), none red. */
async function statusProblems(run: NodeRedRun, flow: FlowNode[]): Promise<string[]> {
  const statuses = await readNodeStatuses(run.port);
  const problems: string[] = [];
  for (const node of flow.filter((n) => /^tradebot-(ticker|order-book|candles)$/.test(n.type))) {
    const s = statuses.get(node.id);
    if (!s || s.fill !== 'green') problems.push(`${node.type} ${node.id} has status ${JSON.stringify(s ?? 'none')}, expected green (data flowing)`);
  }
  return problems;
}

/** Which node modules the runtime loaded (GET /nodes), to prove the package is (or is not) there. */
interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

async function loadedTradebotSets(port: number): Promise<NodeSet[]> {
  const res = await httpGet(port, '/nodes');
  if (res.status !== 200) throw new RunFailed(`GET /nodes answered ${res.status}`);
  return (JSON.parse(res.body) as NodeSet[]).filter(
    (set) => set.module === PACKAGE_NAME,
  );
}

async function packageProblems(run: NodeRedRun, expectLoaded: boolean): Promise<string[]> {
  const sets = await loadedTradebotSets(run.port);
  if (!expectLoaded) return sets.length ? [`baseline loaded ${PACKAGE_NAME} (it must be bare Node-RED)`] : [];
  if (sets.length !== 4) return [`expected 4 tradebot node sets, Node-RED has ${sets.length}`];
  return sets.filter((s) => !s.enabled || s.err || !s.types.length).map((s) => `${s.id} not loaded: ${s.err ?? 'disabled or no types'}`);
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
    for (let i = 150; i >= 1; i--) rows.push(this.candle(formingTs - i * MINUTE));
    this.forming = this.candle(formingTs);
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

  private candle(ts: number): number[] {
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

/** What the exchange run must have asked the mock for, if ccxt really loaded and streamed. */
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

// ------------------------------------------------------------------ flows

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

function configurations(mock: MockBinance): Configuration[] {
  const sim = defaultFlow();
  const exchange = exchangeFlow(mock.url);
  return [
    {
      name: 'baseline',
      description: 'bare Node-RED, empty flow',
      installPackage: false,
      flow: [],
      verify: (run) => packageProblems(run, false),
    },
    {
      name: 'sim-empty',
      description: 'tradebot installed, empty flow',
      installPackage: true,
      flow: [],
      verify: (run) => packageProblems(run, true),
    },
    {
      name: 'sim',
      description: 'flows/default-flow.json (simulated market)',
      installPackage: true,
      flow: sim,
      verify: (run) => statusProblems(run, sim),
    },
    {
      name: 'exchange',
      description: 'paper binance on a mock: ticker(ws), book, candles(1m, warm-up 100)',
      installPackage: true,
      flow: exchange,
      verify: async (run) => [...mockProblems(mock), ...(await statusProblems(run, exchange))],
    },
  ];
}

// ------------------------------------------------------------------ one configuration

/** Start, warm, sample, verify, stop: one configuration in its own Node-RED and user dir. */
async function measure(config: Configuration): Promise<Measurement> {
  const port = await freePort();
  const userDir = makeUserDir(config, port);
  const startedAt = Date.now();
  const { child, log } = spawnNodeRed(userDir);
  try {
    await waitUntilStarted(child, log, port);
    const startMs = Date.now() - startedAt;
    await sleep(WARM_MS);
    const samples = await sampleRss(child);
    const run: NodeRedRun = { port, pid: child.pid!, log };
    const problems = [...logProblems(log), ...((await config.verify?.(run)) ?? [])];
    if (problems.length) throw new RunFailed(`the ${config.name} run did not do its work:\n  ${problems.join('\n  ')}`);
    // Shown, not fatal: a warning may matter to whoever reads the figures. The empty credentials file is expected.
    const warnings = log.filter((l) => l.includes('[warn]') && !l.includes('Encrypted credentials not found'));
    if (warnings.length) console.log(`  (${config.name}: Node-RED warnings)\n    ${warnings.join('\n    ')}`);
    return {
      name: config.name,
      description: config.description,
      startMs,
      medianMb: median(samples) / MB,
      maxMb: Math.max(...samples) / MB,
      samplesMb: samples.map((b) => round1(b / MB)),
    };
  } catch (err) {
    if (err instanceof RunFailed && log.length) err.message += `\n--- Node-RED log (${config.name}) ---\n${log.join('\n')}`;
    throw err;
  } finally {
    await stopChild(child);
    removeUserDir(userDir);
  }
}

// ------------------------------------------------------------------ report

function report(results: Measurement[]): { deltas: Record<string, number>; targets: Array<Record<string, unknown>> } {
  const base = results.find((r) => r.name === 'baseline')!;
  const deltas: Record<string, number> = {};
  const rows = results.map((r) => {
    deltas[r.name] = r.medianMb - base.medianMb;
    return [
      r.name,
      r.medianMb.toFixed(1),
      r.maxMb.toFixed(1),
      r === base ? '-' : (deltas[r.name]! >= 0 ? '+' : '') + deltas[r.name]!.toFixed(1),
      (r.medianMb / base.medianMb).toFixed(2),
      (r.startMs / 1000).toFixed(1),
      r.description,
    ];
  });
  const header = ['configuration', 'median RSS MB', 'max RSS MB', 'delta MB', 'ratio', 'start s', 'what runs'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(`\nRSS median of ${SAMPLE_MS / SAMPLE_EVERY_MS} samples over ${SAMPLE_MS / 1000} s, after ${WARM_MS / 1000} s warm; MB = 2^20 bytes; delta and ratio vs baseline.`);

  const targets = TARGETS.map((t) => {
    const delta = deltas[t.config]!;
    const ok = delta < t.maxDeltaMb;
    console.log(`${t.label} adds ${delta.toFixed(1)} MB (target < ${t.maxDeltaMb} MB): ${ok ? 'OK' : 'OVER'}`);
    return { configuration: t.config, label: t.label, deltaMb: round1(delta), targetMb: t.maxDeltaMb, ok };
  });
  return { deltas, targets };
}

function writeJson(results: Measurement[], summary: ReturnType<typeof report>): void {
  const red = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string };
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    nodeRed: red.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs, ${round1(os.totalmem() / 2 ** 30)} GiB`,
    method: { warmMs: WARM_MS, sampleMs: SAMPLE_MS, sampleEveryMs: SAMPLE_EVERY_MS, unit: 'MiB (VmRSS from /proc)' },
    configurations: results.map((r) => ({
      name: r.name,
      description: r.description,
      startMs: r.startMs,
      medianRssMb: round1(r.medianMb),
      maxRssMb: round1(r.maxMb),
      deltaVsBaselineMb: round1(summary.deltas[r.name]!),
      ratioVsBaseline: Math.round((r.medianMb / results[0]!.medianMb) * 1000) / 1000,
      samplesMb: r.samplesMb,
    })),
    targets: summary.targets,
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwritten: ${path.relative(ROOT, RESULTS_FILE)}`);
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  if (process.platform !== 'linux') throw new Error('this benchmark reads /proc/<pid>/status: Linux only');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'nodes', 'tradebot-exchange', 'tradebot-exchange.html'))) {
    throw new Error('dist/ is not built: run `npm run build` first (or `npm run bench`)');
  }
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);

  const mock = new MockBinance();
  const feeder = new MarketFeeder(mock);
  const t0 = Date.now();
  try {
    await mock.start();
    feeder.seed();
    feeder.start(); // runs for the whole benchmark; the mock only sends to subscribed clients
    const results: Measurement[] = [];
    for (const config of configurations(mock)) {
      process.stdout.write(`measuring ${config.name} ... `);
      const m = await measure(config);
      console.log(`${m.medianMb.toFixed(1)} MB (started in ${(m.startMs / 1000).toFixed(1)} s)`);
      results.push(m);
    }
    writeJson(results, report(results));
    console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    feeder.stop();
    await mock.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`\nbenchmark FAILED: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof RunFailed) && err instanceof Error && err.stack) console.error(err.stack);
    process.exit(1);
  },
);
