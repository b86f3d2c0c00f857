/**
 * The runs of an optimisation whose flow the fast path cannot compile (docs/optimise.md): each run
 * is a backtest on the Node-RED path, in Node-RED processes of their own (one per core, started
 * once, each on 127.0.0.1 with a temporary user dir that links this package). For each run the
 * process gets the part of the flow a backtest needs (core/optimise/flow-subset.ts) with the
 * run's settings, its history written to files, a full deploy, the backtest node's button, and
 * the report read back from its report.json. Slower than the fast path (a deploy and a message per
 * hop for every candle), but it runs any flow the backtest node runs.
 *
 * Glue: it starts and drives Node-RED; what a run means is decided in core/optimise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { OhlcvRow } from '../../core/contract';
import type { BacktestReport } from '../../core/backtest/types';
import { applyCombo } from '../../core/optimise/apply-combo';
import { CURVE_POINTS, figuresOf, thinCurve, windowOf, type BacktestJob, type BacktestJobResult, type OptimiseSetup } from '../../core/optimise/backtest-job';
import type { BacktestRunner, RunnerOptions } from '../../core/optimise/optimiser';
import { flowForBacktest } from '../../core/optimise/flow-subset';
import { CanceledError, type JobOutcome } from '../../core/optimise/worker-pool';
import { RunTally } from '../../core/optimise/run-tally';

/** The package's root (dist/nodes/tradebot-backtest -> the package). */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
const PACKAGE_NAME = 'node-red-contrib-tradebot';
/** The backtest node each run's flow gets (an id no user flow has). */
const RUN_NODE = 'tradebot-optimise-run';

/** Node-RED's start script: the one this runtime was started with, else the installed package's. */
export function nodeRedScript(): string {
  const main = require.main?.filename;
  if (main && path.basename(main) === 'red.js') return main;
  try {
    return require.resolve('node-red/red.js');
  } catch {
    throw new Error('the Node-RED path of an optimisation needs Node-RED\'s red.js, and it could not be found');
  }
}

interface Child {
  process: ChildProcess;
  port: number;
  dir: string;
  log: string[];
  /** History files written to its dir, by their window. */
  files: Map<string, string>;
}

export class FlowPathRunner implements BacktestRunner {
  readonly threads: number;
  private readonly children: Array<Promise<Child>> = [];
  private canceled = false;
  private closed = false;
  private readonly tally = new RunTally();
  private pending: Array<(err: Error) => void> = [];

  constructor(
    private readonly setup: OptimiseSetup,
    private readonly o: RunnerOptions & { threads?: number; timeoutMs?: number },
  ) {
    this.threads = Math.max(1, Math.floor(o.threads ?? os.availableParallelism()));
  }

  async run(jobs: readonly BacktestJob[]): Promise<Array<JobOutcome<BacktestJobResult>>> {
    if (this.canceled) throw new CanceledError('the optimisation was canceled');
    if (this.closed) throw new Error('the runner is closed');
    this.tally.start();
    const outcomes = new Array<JobOutcome<BacktestJobResult>>(jobs.length);
    let next = 0;
    const lanes = Math.min(this.threads, jobs.length);
    const lane = async (k: number) => {
      for (let i = next++; i < jobs.length; i = next++) {
        if (this.canceled) throw new CanceledError(`the optimisation was canceled after ${this.tally.runsDone} of ${this.o.total} runs`);
        const child = await this.child(k);
        try {
          outcomes[i] = { ok: true, value: await this.runOne(child, jobs[i]!) };
        } catch (err) {
          if (this.canceled) throw new CanceledError(`the optimisation was canceled after ${this.tally.runsDone} of ${this.o.total} runs`);
          outcomes[i] = { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
        }
        this.finished(outcomes[i]!);
      }
    };
    const canceled = new Promise<never>((_, reject) => this.pending.push(reject));
    // Marked handled only: the race below takes its rejection (a cancel), also when the runs end first.
    canceled.catch(() => undefined);
    await Promise.race([Promise.all(Array.from({ length: lanes }, (_, k) => lane(k))), canceled]);
    return outcomes;
  }

  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    const error = new CanceledError(`the optimisation was canceled after ${this.tally.runsDone} of ${this.o.total} runs`);
    for (const reject of this.pending.splice(0)) reject(error);
    void this.stopAll();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopAll();
  }

  private finished(outcome: JobOutcome<BacktestJobResult>): void {
    this.tally.count(outcome.ok ? this.o.score(outcome.value) : undefined);
    this.o.onProgress(this.tally.progress(this.o.total));
  }

  private child(k: number): Promise<Child> {
    this.children[k] ??= startChild();
    return this.children[k]!;
  }

  private async stopAll(): Promise<void> {
    const children = this.children.splice(0);
    await Promise.all(
      children.map((c) =>
        c.then(
          (child) => stopChild(child),
          () => undefined,
        ),
      ),
    );
  }

  /** One backtest on the Node-RED path in a child: its flow deployed, its button pressed, its report read. */
  private async runOne(child: Child, job: BacktestJob): Promise<BacktestJobResult> {
    const { setup } = this;
    const windowed = job.span ? windowOf(setup.series, job.span, setup.settings.backtestWarmup) : { series: setup.series, warmup: setup.settings.backtestWarmup };
    const key = job.span ? `${job.span.start}-${job.span.end}` : 'all';
    let data = child.files.get(key);
    if (!data) {
      data = writeHistory(child.dir, key, windowed.series);
      child.files.set(key, data);
    }
    const nodes = applyCombo(setup.flow, { params: setup.params }, job.combo).map((n) =>
      n.id === setup.exchangeNode
        ? // The history of this run, in memory only: no Redis, no journal, no download.
          { ...n, mode: 'backtest', backtestSource: 'files', backtestData: data, backtestWarmup: windowed.warmup, redis: '', stateStore: '', journal: 'off', database: '' }
        : n,
    );
    const flow = flowForBacktest(nodes, setup.exchangeNode);
    const tab = flow.find((n) => n.type === 'tab')?.id ?? 'tradebot-optimise-tab';
    if (!flow.some((n) => n.type === 'tab')) flow.push({ id: tab, type: 'tab', label: 'optimise run' });
    flow.push({ id: RUN_NODE, type: 'tradebot-backtest', z: tab, name: 'optimise run', exchange: setup.exchangeNode, engine: 'flow', x: 100, y: 100, wires: [[]] });
    child.log.length = 0;
    await request(child, 'POST', '/flows', { flows: flow }, { 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' });
    const since = new Date().toISOString();
    // The deploy answers before the new nodes have started: the button answers 404 until then.
    for (let tries = 0; ; tries++) {
      const res = await fetch(`http://127.0.0.1:${child.port}/tradebot/backtest/${RUN_NODE}`, { method: 'POST' });
      await res.body?.cancel();
      if (res.status === 200) break;
      if (res.status !== 404 || tries >= 200) throw new Error(`the run's backtest node did not start (HTTP ${res.status}): ${child.log.slice(-3).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = Date.now() + (this.o.timeoutMs ?? 600_000);
    for (;;) {
      if (this.canceled) throw new CanceledError('the optimisation was canceled');
      const res = await fetch(`http://127.0.0.1:${child.port}/tradebot/backtest/${RUN_NODE}/report.json`);
      if (res.status === 200) {
        const report = (await res.json()) as BacktestReport & { ranAt: string };
        if (report.ranAt > since) return resultOf(report, job.keepEquity === true);
      } else await res.body?.cancel();
      const failed = child.log.find((l) => l.includes(`[tradebot-backtest:`) && /\[error\]/.test(l));
      if (failed) throw new Error(`the run failed: ${failed.replace(/^.*?\[error\] /, '')}`);
      if (Date.now() > deadline) throw new Error('the run did not finish in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function resultOf(report: BacktestReport, keepEquity: boolean): BacktestJobResult {
  return {
    figures: figuresOf(report),
    report: { totalReturn: report.totalReturn, annualizedReturn: report.annualizedReturn, maxDrawdown: report.maxDrawdown, sharpe: report.sharpe, sortino: report.sortino, profitFactor: report.profitFactor, roundTrips: report.roundTrips },
    ...(keepEquity ? { equity: thinCurve(report.equity, CURVE_POINTS) } : {}),
  };
}

/** The rows of a run as history files in the child's dir; returns the exchange node's data list. */
function writeHistory(dir: string, key: string, series: Record<string, OhlcvRow[]>): string {
  return Object.entries(series)
    .map(([symbol, rows], i) => {
      const file = path.join(dir, `history-${key}-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(rows));
      return `${symbol} = ${file}`;
    })
    .join('\n');
}

async function request(child: Child, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${child.port}${urlPath}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A Node-RED of its own: local only, no editor, this package linked into its user dir. */
async function startChild(): Promise<Child> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-optimise-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(PACKAGE_ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
  // This package listed as a dependency: a function node's Setup > Modules (node-red-contrib-tradebot/signal,
  // a strategy in a function node) loads only what the user dir's package.json names; else Node-RED
  // would try to install it from the npm registry.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tradebot-optimise-run', private: true, dependencies: { [PACKAGE_NAME]: `file:${PACKAGE_ROOT}` } }));
  const port = await freePort();
  const settings = path.join(dir, 'settings.js');
  fs.writeFileSync(
    settings,
    `module.exports = ${JSON.stringify({
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: false,
      disableEditor: true,
      diagnostics: { enabled: false },
      telemetry: { enabled: false },
      editorTheme: { projects: { enabled: false } },
      logging: { console: { level: 'warn', metrics: false, audit: false } },
    })};\n`,
  );
  fs.writeFileSync(path.join(dir, 'flows.json'), '[]');
  const child: Child = { process: spawn(process.execPath, [nodeRedScript(), '--userDir', dir, '--settings', settings], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }), port, dir, log: [], files: new Map() };
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) child.log.push(line);
    if (child.log.length > 200) child.log.splice(0, child.log.length - 200);
  };
  child.process.stdout!.on('data', keep);
  child.process.stderr!.on('data', keep);
  child.process.on('error', (err) => child.log.push(`[error] [tradebot-backtest:] ${err.message}`));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`a Node-RED for the optimisation's runs stopped at start: ${child.log.slice(-5).join(' | ')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/flows`);
      await res.body?.cancel();
      if (res.status === 200) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error('a Node-RED for the optimisation\'s runs did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode === null) {
    const exited = new Promise((r) => child.process.once('exit', r));
    child.process.kill('SIGTERM');
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(child.dir, { recursive: true, force: true });
}
