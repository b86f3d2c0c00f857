/**
 * Summarises a V8 CPU profile of the latency benchmark: the functions with the most self time,
 * and self time per source file. Run:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/latency.js
 *   node dist/bench/latency-profile.js /tmp/prof/<file>.cpuprofile [--top 25]
 *
 * Self time = samples whose top frame is the function, times the sampling interval. The whole
 * process is profiled (Node-RED start-up and shutdown included), so read the figures as shares.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
  /** Samples per source line (1-based) inside the function, when V8 recorded them. */
  positionTicks?: Array<{ line: number; ticks: number }>;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The repo root; dist/bench/latency-profile.js -> ../.. */
const ROOT = path.resolve(__dirname, '..', '..');

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node dist/bench/latency-profile.js <file.cpuprofile> [--top N]');
  const i = process.argv.indexOf('--top');
  const top = i >= 0 ? Number(process.argv[i + 1]) : 25;
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));

  // Self time per profile node: each sample's time delta belongs to the sample's node.
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, k) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const perFunction = new Map<string, number>();
  const perFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = shortUrl(url);
    const key = `${functionName || '(anonymous)'}  ${where}${url ? `:${lineNumber + 1}` : ''}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + us);
    perFile.set(where, (perFile.get(where) ?? 0) + us);
  }
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${key}`);
    }
  };
  // Hot lines of this package's code (samples, not time: V8 records ticks per line).
  const perLine = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = shortUrl(n.callFrame.url);
    if (!where.startsWith('dist/')) continue;
    for (const t of n.positionTicks ?? []) {
      const key = `${where}:${t.line}  (${n.callFrame.functionName || '(anonymous)'})`;
      perLine.set(key, (perLine.get(key) ?? 0) + t.ticks);
    }
  }
  const usPerSample = totalUs / Math.max(1, profile.samples.length);
  console.log(`${path.basename(file)}: ${(totalUs / 1e6).toFixed(2)} s of samples`);
  print(`top ${top} functions by self time`, perFunction);
  print(`top ${top} files by self time`, perFile);
  print(`top ${top} lines of dist by self time`, new Map([...perLine].map(([k, ticks]) => [k, ticks * usPerSample])));
}

main();
