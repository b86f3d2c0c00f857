/**
 * Streams bus benchmark (not a test): messages per second and latency of
 * stream out -> Redis -> stream in between TWO real Node-RED processes, against raw ioredis
 * XADD -> XREADGROUP measured in the same run with the same messages.
 *
 *   npm run build && node dist/bench/streams.js            (about a minute)
 *   node dist/bench/streams.js --count 20000 --rate 1000   (throughput messages, paced rate per s)
 *
 * Set-up (all on loopback, one machine):
 *   - a redis-server of its own on a free port, no persistence (appendonly no, no RDB saves);
 *   - Node-RED process A and B, each `node node-red/red.js` with its own temporary user dir and
 *     this package linked into it (as `npm start` and bench/memory.ts do).
 *
 *   bench (ioredis) --XADD--> src --> [A: stream in -> function "stamp" -> stream out] --> mid
 *        --> [B: stream in -> function "receive" -> stream out] --> out --XRANGE--> bench (ioredis)
 *
 *   A stamps msg.indicators.sentAt just before its stream out; B adds msg.indicators.receivedAt
 *   right after its stream in; both travel on (msg.indicators is part of what streams carry), and
 *   B's stream out writes them to `out`, which the benchmark reads back with ioredis. So each
 *   latency is exactly A's stream out (contract check, XADD) -> Redis -> B's stream in
 *   (XREADGROUP BLOCK, contract check, send) -> one message hop, between two processes. Times
 *   are performance.timeOrigin + performance.now() (wall clock with microseconds; both processes
 *   read the same system clock), handed to the function nodes through functionGlobalContext.
 *   Both Node-REDs acknowledge each entry after their stream out finished it (complete -> stream
 *   ack), as a real flow does. `mid` and the raw stream are written with MAXLEN ~ 1,000,000 (see MAXLEN).
 *   payload.ts carries the message's sequence number (a valid timestamp), to find lost or
 *   repeated messages.
 *
 * Raw baseline: the same message JSON (the `msg` field A writes: ticker payload + indicators),
 * the same count and rate: one ioredis connection XADDs (MAXLEN ~ as above), a second one reads with
 * XREADGROUP COUNT 100 BLOCK, JSON.parse, and XACKs each batch. Both in the benchmark process.
 *
 * Phases, each for Node-RED and for raw:
 *   warm-up    2,000 messages, not counted (JIT, connections).
 *   throughput --count messages (default 20,000) written as fast as possible (pipelined XADD to src
 *              for Node-RED; XADDs 500 in flight for raw); messages/s = count / (last received -
 *              first sent). The latencies of this phase are queueing under overload, printed only
 *              for completeness.
 *   latency    --paced messages (default 5,000) at --rate per second (default 1,000): a load both
 *              keep up with, so p50 / p99 are the path's own latency.
 *
 * Prints a table with the ratios, writes bench/results/streams-latest.json. Exit 0 even when the
 * figures are poor; 1 when a run failed (Node-RED did not start, messages lost).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { spawnLogged } from './spawn-logged';

// ------------------------------------------------------------------ parameters

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'node-red-contrib-tradebot';
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'streams-latest.json');
const PREFIX = 'bench:';
const WARMUP = 2_000;
const COUNT = numberArg('--count', 20_000);
const PACED = numberArg('--paced', 5_000);
const RATE = numberArg('--rate', 1_000);
const START_TIMEOUT_MS = 30_000;
const PHASE_TIMEOUT_MS = 60_000;
/**
 * MAXLEN ~ of the measured streams (mid, raw): above what one run writes, so nothing is trimmed.
 * (At the default 10,000 a burst that a reader falls 10,000 entries behind on trims unread
 * entries: that is what MAXLEN means, and it would count as lost here.)
 */
const MAXLEN = 1_000_000;

function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: a whole number above 0`);
  return n;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ processes

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

function cleanup(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) removeDir(d);
}

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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

async function startRedis(): Promise<{ port: number; child: ChildProcess; dir: string }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-bench-redis-'));
  dirs.add(dir);
  const { child } = spawnLogged('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], dir, children);
  for (const end = Date.now() + 10_000; ; ) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return { port, child, dir };
    if (Date.now() > end) throw new Error('redis-server did not start (is it installed? apt-get install redis-server)');
    await sleep(50);
  }
}

function settingsSource(port: number): string {
  return `// Written by bench/streams.ts for one benchmark run.
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: 'tradebot-streams-benchmark',
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  editorTheme: { tours: false },
  // The function nodes' clock: wall-clock ms with microseconds, comparable between processes.
  functionGlobalContext: { now: () => performance.timeOrigin + performance.now() },
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

function removeDir(dir: string): void {
  try {
    fs.unlinkSync(path.join(dir, 'node_modules', PACKAGE_NAME)); // never recurse into the repo
  } catch {
    /* no link */
  }
  fs.rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

type FlowNode = Record<string, unknown> & { id: string; type: string };

async function startNodeRed(name: string, flow: FlowNode[]): Promise<{ child: ChildProcess; log: string[] }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tradebot-bench-streams-${name}-`));
  dirs.add(dir);
  fs.writeFileSync(path.join(dir, 'settings.js'), settingsSource(port));
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `tradebot-bench-${name}`, private: true, dependencies: { [PACKAGE_NAME]: `file:${ROOT}` } }));
  const red = require.resolve('node-red/red.js');
  const run = spawnLogged(process.execPath, [red, '--userDir', dir, '--settings', path.join(dir, 'settings.js')], dir, children);
  for (const end = Date.now() + START_TIMEOUT_MS; ; ) {
    if (run.log.some((l) => l.includes('[bench] Started flows'))) return run;
    if (run.log.some((l) => l.includes('Waiting for missing types')) || run.child.exitCode !== null) {
      await sleep(300);
      throw new Error(`Node-RED ${name} did not start:\n${run.log.join('\n')}`);
    }
    if (Date.now() > end) throw new Error(`Node-RED ${name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${run.log.join('\n')}`);
    await sleep(100);
  }
}

// ------------------------------------------------------------------ flows

function relayFlow(name: string, redisUrl: string, from: string, group: string, to: string, maxLen: number, fn: string): FlowNode[] {
  const id = (s: string) => `${name}-${s}`;
  const tab = id('tab');
  return [
    { id: tab, type: 'tab', label: `streams bench ${name}` },
    { id: id('redis'), type: 'tradebot-redis', url: redisUrl, keyPrefix: PREFIX, db: 0 },
    { id: id('in'), type: 'tradebot-stream-in', z: tab, redis: id('redis'), key: from, group, consumer: name, start: '0', batch: 100, claimAfterSec: 300, maxDeliveries: 10, deadLetter: true, x: 100, y: 100, wires: [[id('fn')]] },
    { id: id('fn'), type: 'function', z: tab, name: 'stamp', func: fn, outputs: 1, x: 300, y: 100, wires: [[id('out')]] },
    { id: id('out'), type: 'tradebot-stream-out', z: tab, redis: id('redis'), key: to, maxLen, x: 500, y: 100, wires: [] },
    { id: id('done'), type: 'complete', z: tab, scope: [id('out')], uncaught: false, x: 300, y: 160, wires: [[id('ack')]] },
    { id: id('ack'), type: 'tradebot-stream-ack', z: tab, redis: id('redis'), x: 500, y: 160, wires: [[]] },
  ];
}

// ------------------------------------------------------------------ messages and statistics

/** The ticker every phase sends; payload.ts is the sequence number. */
const ticker = (seq: number) => ({ kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts: seq, bid: 60000.12, ask: 60000.87, last: 60000.5, baseVolume: 1234.5678 });

interface Sample {
  seq: number;
  sentAt: number;
  receivedAt: number;
}

interface PhaseResult {
  count: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  lost: number;
  repeated: number;
}

function summarize(samples: Sample[], expected: number[]): PhaseResult {
  const seen = new Map<number, number>();
  for (const s of samples) seen.set(s.seq, (seen.get(s.seq) ?? 0) + 1);
  const lost = expected.filter((seq) => !seen.has(seq)).length;
  const repeated = [...seen.values()].filter((n) => n > 1).length;
  const lat = samples.map((s) => s.receivedAt - s.sentAt).sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const first = Math.min(...samples.map((s) => s.sentAt));
  const last = Math.max(...samples.map((s) => s.receivedAt));
  const seconds = (last - first) / 1000;
  return { count: samples.length, seconds, perSecond: samples.length / seconds, latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat.at(-1) ?? NaN }, lost, repeated };
}

// ------------------------------------------------------------------ Node-RED phases

/** Reads what B wrote to `out` since `after`, until `seqs` have all arrived (or the time is up). */
async function collect(redis: Redis, seqs: number[], cursor: { id: string }): Promise<Sample[]> {
  const want = new Set(seqs);
  const samples: Sample[] = [];
  const end = Date.now() + PHASE_TIMEOUT_MS;
  let quietSince = Date.now();
  while (want.size > 0 && Date.now() < end) {
    const rows = (await redis.call('XREAD', 'COUNT', 5000, 'BLOCK', 1000, 'STREAMS', `${PREFIX}out`, cursor.id)) as Array<[string, Array<[string, string[]]>]> | null;
    if (!rows) {
      if (Date.now() - quietSince > 15_000) break; // nothing for 15 s: count the rest as lost
      continue;
    }
    quietSince = Date.now();
    for (const [id, fields] of rows[0]![1]) {
      cursor.id = id;
      const msg = JSON.parse(fields[fields.indexOf('msg') + 1]!) as { payload: { ts: number }; indicators: { sentAt: number; receivedAt: number } };
      const seq = msg.payload.ts;
      if (seq < seqs[0]! || seq > seqs.at(-1)!) continue; // another phase's
      want.delete(seq);
      samples.push({ seq, sentAt: msg.indicators.sentAt, receivedAt: msg.indicators.receivedAt });
    }
  }
  return samples;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Writes `seqs` to src as fast as possible (pipelines of 1000). */
async function burst(redis: Redis, key: string, seqs: number[], encode: (seq: number) => string): Promise<void> {
  for (let i = 0; i < seqs.length; i += 1000) {
    const p = redis.pipeline();
    for (const seq of seqs.slice(i, i + 1000)) p.xadd(key, 'MAXLEN', '~', 1_000_000, '*', 'msg', encode(seq));
    await p.exec();
  }
}

/** Writes `seqs` one at a time at `rate` per second. */
async function paced(seqs: number[], rate: number, write: (seq: number) => void): Promise<void> {
  const t0 = now();
  for (let i = 0; i < seqs.length; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(Math.floor(wait));
    else if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    write(seqs[i]!);
  }
}

async function nodeRedPhases(redis: Redis, collector: Redis): Promise<Record<'throughput' | 'latency', PhaseResult>> {
  const src = `${PREFIX}src`;
  const encode = (seq: number) => JSON.stringify({ topic: 'BTC/USDT', payload: ticker(seq) });
  const cursor = { id: '0-0' };
  let next = 1;
  const phase = async (n: number, send: (seqs: number[]) => Promise<void>) => {
    const seqs = range(next, n);
    next += n;
    await send(seqs);
    return { seqs, samples: await collect(collector, seqs, cursor) };
  };
  process.stdout.write('node-red: warm-up');
  await phase(WARMUP, (s) => burst(redis, src, s, encode));
  process.stdout.write(', throughput');
  const t = await phase(COUNT, (s) => burst(redis, src, s, encode));
  process.stdout.write(', paced latency');
  const l = await phase(PACED, (s) => paced(s, RATE, (seq) => void redis.xadd(src, 'MAXLEN', '~', 1_000_000, '*', 'msg', encode(seq))));
  console.log('');
  return { throughput: summarize(t.samples, t.seqs), latency: summarize(l.samples, l.seqs) };
}

// ------------------------------------------------------------------ raw ioredis phases

async function rawPhases(port: number): Promise<{ results: Record<'throughput' | 'latency', PhaseResult>; messageBytes: number }> {
  const writer = new Redis({ port, host: '127.0.0.1' });
  const reader = new Redis({ port, host: '127.0.0.1' });
  const key = `${PREFIX}raw`;
  await writer.call('XGROUP', 'CREATE', key, 'g', '$', 'MKSTREAM');
  const samples = new Map<number, Sample>();
  let stopped = false;
  // The reader: XREADGROUP batches, JSON.parse, one XACK per batch.
  const loop = (async () => {
    while (!stopped) {
      const rows = (await reader.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 100, 'BLOCK', 200, 'STREAMS', key, '>')) as Array<[string, Array<[string, string[]]>]> | null;
      if (!rows) continue;
      const ids: string[] = [];
      for (const [id, fields] of rows[0]![1]) {
        const msg = JSON.parse(fields[1]!) as { payload: { ts: number }; indicators: { sentAt: number } };
        const receivedAt = now();
        ids.push(id);
        if (!samples.has(msg.payload.ts)) samples.set(msg.payload.ts, { seq: msg.payload.ts, sentAt: msg.indicators.sentAt, receivedAt });
      }
      void reader.xack(key, 'g', ...ids);
    }
  })();
  const body = (seq: number) => JSON.stringify({ topic: 'BTC/USDT', payload: ticker(seq), indicators: { sentAt: now() } });
  const messageBytes = Buffer.byteLength(body(1_000_000));
  const xadd = (seq: number) => writer.xadd(key, 'MAXLEN', '~', MAXLEN, '*', 'msg', body(seq));
  const wait = async (seqs: number[]) => {
    const end = Date.now() + PHASE_TIMEOUT_MS;
    while (!seqs.every((s) => samples.has(s)) && Date.now() < end) await sleep(20);
    return seqs.map((s) => samples.get(s)).filter((s): s is Sample => Boolean(s));
  };
  let next = 1;
  const take = (n: number) => {
    const seqs = range(next, n);
    next += n;
    return seqs;
  };
  process.stdout.write('raw ioredis: warm-up');
  const w = take(WARMUP);
  for (let i = 0; i < w.length; i += 500) await Promise.all(w.slice(i, i + 500).map(xadd));
  await wait(w);
  process.stdout.write(', throughput');
  const t = take(COUNT);
  for (let i = 0; i < t.length; i += 500) await Promise.all(t.slice(i, i + 500).map(xadd)); // 500 in flight, like a busy flow
  const tSamples = await wait(t);
  process.stdout.write(', paced latency');
  const l = take(PACED);
  await paced(l, RATE, (seq) => void xadd(seq));
  const lSamples = await wait(l);
  console.log('');
  stopped = true;
  await loop.catch(() => undefined);
  writer.disconnect();
  reader.disconnect();
  return { results: { throughput: summarize(tSamples, t), latency: summarize(lSamples, l) }, messageBytes };
}

// ------------------------------------------------------------------ report

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'tradebot-stream-in', 'tradebot-stream-in.html'))) {
    throw new Error('dist/ is not built: run `npm run build` first');
  }
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => (cleanup(), process.exit(130)));
  const t0 = Date.now();
  const server = await startRedis();
  const url = `redis://127.0.0.1:${server.port}`;
  const probe = new Redis({ port: server.port, host: '127.0.0.1' });
  const collector = new Redis({ port: server.port, host: '127.0.0.1' });
  const redisVersion = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? 'unknown';
  const stamp = "msg.indicators = { sentAt: global.get('now')() };\nreturn msg;";
  const receive = "msg.indicators.receivedAt = global.get('now')();\nreturn msg;";
  console.log(`streams benchmark: redis-server on ${server.port}, Node-RED A and B, ${COUNT} messages for throughput, ${PACED} at ${RATE}/s for latency`);
  const a = await startNodeRed('A', relayFlow('A', url, 'src', 'relay', 'mid', MAXLEN, stamp));
  const b = await startNodeRed('B', relayFlow('B', url, 'mid', 'sink', 'out', 0, receive));
  let nodeRed: Awaited<ReturnType<typeof nodeRedPhases>>;
  let raw: Awaited<ReturnType<typeof rawPhases>>;
  try {
    nodeRed = await nodeRedPhases(probe, collector);
    raw = await rawPhases(server.port);
    const problems = [...a.log, ...b.log].filter((l) => /\[error\]|Unhandled|Uncaught/i.test(l));
    if (problems.length) throw new Error(`errors in the Node-RED logs:\n${problems.slice(0, 10).join('\n')}`);
  } finally {
    probe.disconnect();
    collector.disconnect();
    await Promise.all([stop(a.child), stop(b.child)]);
    await stop(server.child);
    for (const d of [...dirs]) removeDir(d);
  }

  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => (n < 1 ? n.toFixed(3) : n.toFixed(2));
  const row = (name: string, r: PhaseResult) => [name, f1(r.perSecond), f2(r.latencyMs.p50), f2(r.latencyMs.p90), f2(r.latencyMs.p99), f2(r.latencyMs.max), `${r.lost}/${r.repeated}`];
  console.log(`\nmessage: ${raw.messageBytes} bytes of JSON in the entry's msg field (ticker payload + indicators)\n`);
  console.log(`throughput: ${COUNT} messages written as fast as possible (latencies here are queueing under overload)`);
  printTable(['path', 'msg/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'lost/repeated'], [row('Node-RED A -> Redis -> Node-RED B', nodeRed.throughput), row('raw ioredis XADD -> XREADGROUP', raw.results.throughput)]);
  console.log(`\nlatency: ${PACED} messages at ${RATE}/s`);
  printTable(['path', 'msg/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'lost/repeated'], [row('Node-RED A -> Redis -> Node-RED B', nodeRed.latency), row('raw ioredis XADD -> XREADGROUP', raw.results.latency)]);
  const ratios = {
    throughput: nodeRed.throughput.perSecond / raw.results.throughput.perSecond,
    p50: nodeRed.latency.latencyMs.p50 / raw.results.latency.latencyMs.p50,
    p99: nodeRed.latency.latencyMs.p99 / raw.results.latency.latencyMs.p99,
  };
  console.log(
    `\nNode-RED vs raw: ${(1 / ratios.throughput).toFixed(1)}x fewer messages/s; paced p50 ${ratios.p50.toFixed(1)}x, p99 ${ratios.p99.toFixed(1)}x the raw latency`,
  );

  const red = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string };
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    nodeRedVersion: red.version,
    redisVersion,
    platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} CPUs, load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`,
    method: {
      path: 'Node-RED A (function stamp -> stream out) -> Redis -> Node-RED B (stream in -> function receive); raw: ioredis XADD -> XREADGROUP COUNT 100 BLOCK + XACK per batch, in the benchmark process',
      messageBytes: raw.messageBytes,
      maxLen: MAXLEN,
      warmup: WARMUP,
      throughputCount: COUNT,
      pacedCount: PACED,
      pacedRatePerSecond: RATE,
      clock: 'performance.timeOrigin + performance.now() in each process',
      totalMs: Date.now() - t0,
    },
    nodeRed,
    raw: raw.results,
    ratios,
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwritten: ${path.relative(ROOT, RESULTS_FILE)}`);
  const lost = nodeRed.throughput.lost + nodeRed.latency.lost + raw.results.throughput.lost + raw.results.latency.lost;
  if (lost) throw new Error(`${lost} messages lost`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`\nbenchmark FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    cleanup();
    process.exit(1);
  },
);
