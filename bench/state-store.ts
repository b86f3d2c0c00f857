/**
 * What one durable write of the account costs in the state file (not a test: prints figures).
 *
 *   npm run build && node dist/bench/state-store.js [--n 300] [--dir /path/on/the/disk/to/measure]
 *
 * Three ways of writing the same account document (10,000 used client order ids, one id dropped
 * at the front and one appended per write, as the account does per order), each a committed,
 * fsync'd transaction (WAL, synchronous=FULL) in a fresh file in --dir (default: the OS temp dir),
 * interleaved so they see the same disk:
 *   state file   SqliteStateStore.set(): the ids as rows, only the change written (what the exchange node uses)
 *   whole doc    the whole document as one JSON text in one row (what a plain key/value write would do)
 *   floor        a one-row commit of a few bytes: the disk's fsync'd-commit latency
 * Writes bench/results/state-store-latest.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStateStore } from '../core/storage/sqlite-state-store';
import { TradebotDb } from '../core/storage/tradebot-db';

const arg = (flag: string, fallback: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1]! : fallback);
const N = Number(arg('--n', '300'));
const DIR = fs.mkdtempSync(path.join(arg('--dir', os.tmpdir()), 'tradebot-bench-state-'));
const IDS = 10_000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const done = Array.from({ length: IDS }, (_, i) => `tb-${(i * 2654435761).toString(16).padStart(20, '0')}`);
  const doc = (i: number) => {
    done.shift();
    done.push(`tb-new-${i.toString(16).padStart(16, '0')}`);
    return { portfolio: { balances: { USDT: { free: 9_000, used: 0 }, BTC: { free: 0.01, used: 0 } }, positions: {}, dailyPnl: {}, peakEquity: 10_000, lastPrices: {} }, open: [], done: done.slice(), stops: [] };
  };
  const store = new SqliteStateStore(path.join(DIR, 'delta.sqlite'));
  const whole = TradebotDb.open(path.join(DIR, 'whole.sqlite'));
  const floor = TradebotDb.open(path.join(DIR, 'floor.sqlite'));
  const upsert = (db: TradebotDb) => db.db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const putWhole = upsert(whole);
  const putFloor = upsert(floor);
  await store.set('account', doc(0));
  const t = { stateFile: [] as number[], wholeDoc: [] as number[], floor: [] as number[] };
  for (let i = 1; i <= N; i++) {
    const value = doc(i);
    let t0 = performance.now();
    await store.set('account', value);
    t.stateFile.push(performance.now() - t0);
    t0 = performance.now();
    const text = JSON.stringify(value);
    whole.transaction(() => putWhole.run('account', text));
    t.wholeDoc.push(performance.now() - t0);
    t0 = performance.now();
    floor.transaction(() => putFloor.run('k', String(i)));
    t.floor.push(performance.now() - t0);
  }
  store.close();
  whole.release();
  floor.release();
  fs.rmSync(DIR, { recursive: true, force: true });

  const rows = Object.entries(t).map(([name, xs]) => ({ name, p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99) }));
  console.log(`durable write of the account (${IDS} ids), ${N} writes each, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, dir ${path.dirname(DIR)}`);
  console.log('way          p50        p90        p99');
  for (const r of rows) console.log(`${r.name.padEnd(12)} ${ms(r.p50).padEnd(10)} ${ms(r.p90).padEnd(10)} ${ms(r.p99)}`);
  const out = path.resolve(__dirname, '..', '..', 'bench', 'results', 'state-store-latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, load: os.loadavg(), n: N, ids: IDS, rows }, null, 2));
  console.log(`written: ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
