/**
 * Helpers of bench/backtest.ts (not run on their own):
 *
 * - writeContinuousHistory(): one long 1m history file made of the real pairs of
 *   ../shared/data/ohlcv, laid end to end and repeated until the wanted length;
 * - summarizeProfile(): the functions, files and areas with the most self time in a V8 CPU
 *   profile (the same arithmetic as bench/latency-profile.ts);
 * - retainedBytesPer(): what one retained element of a given structure costs on the V8 heap, to turn a
 *   heap growth into "so many bytes per candle, of which ...".
 */
import fs from 'node:fs';
import path from 'node:path';
import { listPairs, loadCandles } from '../test/support/ohlcv-data';

// ------------------------------------------------------------------ the history file

export interface HistoryInfo {
  file: string;
  candles: number;
  /** Pair files used, in order; one pass = all of them once. */
  pairs: string[];
  /** Candles in one pass over the pairs. */
  candlesPerPass: number;
  passes: number;
  segments: number;
  firstTs: number;
  lastTs: number;
  firstOpen: number;
  lastClose: number;
  bytes: number;
}

/**
 * Writes `[[ts, open, high, low, close, volume], ...]` (ccxt's OHLCV layout) with `candles` rows
 * (0: one pass):
 * the ten real 1m pairs one after the other (sorted by name), again and again. Every segment's
 * prices are multiplied by one factor so that its first open equals the previous segment's last
 * close (the first segment starts at `startPrice`); volumes are kept. Timestamps are re-stamped
 * one minute apart from `firstTs`: the result is continuous (the files' own few missing minutes
 * disappear, and the ten pairs, which cover the same ten days, follow one another). Prices are
 * rounded to 10 significant digits (rounding is monotonic, so low <= open, close <= high holds).
 * Streamed to disk: nothing of the size of the file is kept in memory.
 */
export function writeContinuousHistory(file: string, candles: number, firstTs: number, startPrice = 100): HistoryInfo {
  const pairs = listPairs('1m');
  if (!pairs.length) throw new Error('no 1m OHLCV files found (../shared/data/ohlcv): see test/support/ohlcv-data.ts');
  const series = pairs.map((p) => loadCandles(p, '1m'));
  const candlesPerPass = series.reduce((a, s) => a + s.length, 0);
  if (candles <= 0) candles = candlesPerPass;
  const fd = fs.openSync(file, 'w');
  const round = (x: number) => +x.toPrecision(10);
  let written = 0;
  let segments = 0;
  let prevClose = startPrice;
  let firstOpen = NaN;
  let lastClose = NaN;
  let chunk = '[';
  try {
    outer: for (;;) {
      for (const s of series) {
        if (written >= candles) break outer;
        const factor = prevClose / s[0]!.open;
        segments++;
        for (const c of s) {
          if (written >= candles) break outer;
          const ts = firstTs + written * 60_000;
          const o = round(c.open * factor);
          const row = `[${ts},${o},${round(c.high * factor)},${round(c.low * factor)},${round(c.close * factor)},${c.volume}]`;
          chunk += (written ? ',' : '') + row;
          if (!written) firstOpen = o;
          written++;
          if (chunk.length > 1 << 20) {
            fs.writeSync(fd, chunk);
            chunk = '';
          }
        }
        prevClose = s[s.length - 1]!.close * factor;
        lastClose = round(prevClose);
      }
    }
    fs.writeSync(fd, chunk + ']');
  } finally {
    fs.closeSync(fd);
  }
  return {
    file,
    candles: written,
    pairs,
    candlesPerPass,
    passes: Math.round((written / candlesPerPass) * 100) / 100,
    segments,
    firstTs,
    lastTs: firstTs + (written - 1) * 60_000,
    firstOpen,
    lastClose,
    bytes: fs.statSync(file).size,
  };
}

// ------------------------------------------------------------------ CPU profile summary

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; positionTicks?: Array<{ line: number; ticks: number }> }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: Array<{ fn: string; where: string; ms: number; pct: number }>;
  files: Array<{ file: string; ms: number; pct: number }>;
  areas: Array<{ area: string; ms: number; pct: number }>;
  lines: Array<{ line: string; ms: number; pct: number }>;
}

function shortUrl(url: string, root: string): string {
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** Coarse areas, so "where the time goes" reads in one table. */
function areaOf(fn: string, where: string): string {
  if (fn === '(garbage collector)') return 'V8 garbage collector';
  if (fn === '(idle)') return '(idle): poll phase of each event-loop turn (epoll)';
  if (fn === '(program)') return '(program): V8/libuv native, not attributed';
  // V8 inlines ReplaySource.fetchOHLCV (and its filter over every released row) into the caller.
  if (fn === 'fetchClosedSinceLast' || (fn === 'fetchOHLCV' && where.startsWith('dist/core/backtest/'))) return 'ours: the released-rows scan (CandleFeed.fetchClosedSinceLast + inlined ReplaySource.fetchOHLCV)';
  if (where.startsWith('@node-red/') || where.startsWith('node-red/')) return 'Node-RED runtime (@node-red/*)';
  if (where.startsWith('dist/core/backtest/')) return 'ours: core/backtest (replay, executor, source)';
  if (where.startsWith('dist/core/market/')) return 'ours: core/market (candle feed, watch loop)';
  if (where.startsWith('dist/core/trading/')) return 'ours: core/trading (account, portfolio)';
  if (where.startsWith('dist/core/indicators/') || where.startsWith('dist/core/strategies/')) return 'ours: core/indicators + strategies';
  if (where.startsWith('dist/core/risk/')) return 'ours: core/risk';
  if (where === 'dist/core/contract.js' || where.startsWith('zod/')) return 'ours: message validation (contract.ts + zod)';
  if (where === 'dist/core/metrics.js' || where.startsWith('prom-client/')) return 'ours: metrics (instrument.ts + prom-client)';
  if (where.startsWith('dist/nodes/shared/flow-idle')) return 'ours: nodes/shared/flow-idle.ts';
  if (where.startsWith('dist/nodes/')) return 'ours: nodes/* (glue)';
  if (where.startsWith('dist/core/')) return 'ours: core/* (other)';
  if (where.startsWith('dist/bench/')) return 'the benchmark itself';
  if (where.startsWith('node:') || where === '(native)') return 'Node.js built-ins (timers, promises, events, native)';
  return `other: ${where.split('/')[0]}`;
}

export function summarizeProfile(profile: CpuProfile, root: string, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Samples under node:inspector calls (Profiler.start / Profiler.stop from the benchmark) are the
  // profiler's own work, not the run's: left out.
  const parent = new Map<number, number>();
  for (const n of profile.nodes as Array<CpuProfile['nodes'][number] & { children?: number[] }>) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = new Map<number, boolean>();
  const isProfilerOwn = (id: number): boolean => {
    const known = own.get(id);
    if (known !== undefined) return known;
    const url = byId.get(id)?.callFrame.url ?? '';
    const p = parent.get(id);
    const result = url === 'node:inspector' || (p !== undefined && isProfilerOwn(p));
    own.set(id, result);
    return result;
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, k) => {
    if (!isProfilerOwn(id)) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0));
  });
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const fn = functionName || '(anonymous)';
    const file = shortUrl(url, root);
    const where = `${file}${url ? `:${lineNumber + 1}` : ''}`;
    const key = `${fn}@${where}`;
    const e = fns.get(key) ?? { fn, where, us: 0 };
    e.us += us;
    fns.set(key, e);
    files.set(file, (files.get(file) ?? 0) + us);
    const area = areaOf(fn, file);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  // Hot lines of this package's code (V8 records ticks per line; converted at the mean interval).
  const usPerSample = totalUs / Math.max(1, profile.samples.length);
  const lines = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = shortUrl(n.callFrame.url, root);
    if (!where.startsWith('dist/')) continue;
    for (const t of n.positionTicks ?? []) {
      const key = `${where}:${t.line} (${n.callFrame.functionName || '(anonymous)'})`;
      lines.set(key, (lines.get(key) ?? 0) + t.ticks * usPerSample);
    }
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  const pct = (us: number) => Math.round((1000 * us) / totalUs) / 10;
  const sorted = <T>(m: Map<T, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: ms(totalUs),
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ fn: f.fn, where: f.where, ms: ms(f.us), pct: pct(f.us) })),
    files: sorted(files).map(([file, us]) => ({ file, ms: ms(us), pct: pct(us) })),
    areas: sorted(areas).map(([area, us]) => ({ area, ms: ms(us), pct: pct(us) })),
    lines: sorted(lines).map(([line, us]) => ({ line, ms: ms(us), pct: pct(us) })),
  };
}

// ------------------------------------------------------------------ retained sizes

/**
 * Heap bytes per element of a structure that `build(n)` makes with n elements, kept alive
 * (heapUsed after a full GC, before and after). Puts a price on the per-candle structures a run
 * keeps (a released OHLCV row, an equity point, a Map entry...). Needs a gc function.
 */
export function retainedBytesPer(gc: () => void, n: number, build: (n: number) => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  let keep: unknown = build(n);
  gc();
  const after = process.memoryUsage().heapUsed;
  keep = undefined;
  void keep;
  return Math.round((after - before) / n);
}

/** A whole-number command-line option (`--candles 20000`), 1 to 10,000,000; `fallback` when absent. */
export function optInt(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new Error(`${flag}: a whole number from 1 to 10000000`);
  return n;
}
