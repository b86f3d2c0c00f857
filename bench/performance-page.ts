/**
 * What the performance page costs the process that trades (not a test: prints figures).
 *
 *   npm run build && node dist/bench/performance-page.js [--trades 1000,10000,100000]
 *
 * For each size: a SQLite journal with that many round trips (two symbols, three strategies) and
 * two equity points per round trip; then the page's data (core/journal/performance.ts) read the
 * first time (everything from the file), and on ten refreshes with one new round trip before each
 * (through the cache, journal-cache.ts: what is new only); and trades.csv. node:sqlite reads
 * synchronously: each of these times is how long trading waits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JournalCache } from '../core/journal/journal-cache';
import { performanceData, tradesCsv } from '../core/journal/performance';
import type { JournalReader } from '../core/journal/queries';
import { SqliteJournalStore } from '../core/journal/sqlite-journal-store';
import type { FillRecord } from '../core/journal/types';

const arg = (flag: string, fallback: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1]! : fallback);
const SIZES = arg('--trades', '1000,10000,100000').split(',').map(Number);
const T0 = Date.UTC(2026, 0, 1);
const ACCOUNT = 'bench:sim';

function roundTrip(i: number): FillRecord[] {
  const t = T0 + i * 600_000;
  const price = 100 + (i % 7);
  const symbol = i % 2 ? 'ETH/USDT' : 'BTC/USDT';
  const common = { orderId: 'x', exchange: 'sim', mode: 'sim' as const, symbol, amount: 1, fee: { cost: 0.1, currency: 'USDT' }, feeQuote: 0.1 };
  return [
    { ...common, id: `tb-b${i}@1`, clientOrderId: `tb-b${i}`, side: 'buy', price, ts: t, strategy: `s${i % 3}`, heldBefore: 0, heldAfter: 1 },
    { ...common, id: `tb-s${i}@1`, clientOrderId: `tb-s${i}`, side: 'sell', price: price + (i % 5) - 2, ts: t + 300_000, heldBefore: 1, heldAfter: 0 },
  ];
}
const points = (i: number) => [0, 1].map((k) => ({ ts: T0 + i * 600_000 + k * 300_000, equity: 10_000 + (i % 100), currency: 'USDT' }));
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

async function measure(n: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-bench-performance-'));
  const store = new SqliteJournalStore({ file: path.join(dir, 'journal.sqlite') });
  await store.open();
  try {
    for (let i = 0; i < n; i += 1000) {
      const range = Array.from({ length: Math.min(1000, n - i) }, (_, k) => i + k);
      await store.write(ACCOUNT, { events: [], orders: [], fills: range.flatMap(roundTrip), equity: range.flatMap(points) });
    }
    let count = n;
    const reader: JournalReader = { store, account: ACCOUNT, now: () => T0 + count * 600_000, positions: async () => [], openOrders: async () => 0 };
    const info = { id: 'bench', name: '', exchange: 'sim', mode: 'sim', currency: 'USDT' };
    const health = { backend: 'sqlite' as const, location: 'bench', state: 'ok' as const, queued: 0, dropped: 0 };
    const cache = new JournalCache({ store, account: ACCOUNT });
    let t = process.hrtime.bigint();
    const first = await performanceData(reader, info, { health, cache });
    const firstMs = since(t);
    const json = JSON.stringify(first).length;
    let refresh = 0;
    for (let k = 0; k < 10; k++) {
      await store.write(ACCOUNT, { events: [], orders: [], fills: roundTrip(count), equity: points(count) });
      count++;
      t = process.hrtime.bigint();
      const d = await performanceData(reader, info, { health, cache });
      refresh += since(t);
      if (d.tradesTotal !== count) throw new Error(`the page shows ${d.tradesTotal} trades, the journal has ${count}`);
    }
    cache.forget();
    t = process.hrtime.bigint();
    const csv = tradesCsv(await store.trades(ACCOUNT));
    const csvMs = since(t);
    console.log(
      `${n.toLocaleString('en-US')} trades, ${(2 * n).toLocaleString('en-US')} equity points: first read ${firstMs.toFixed(0)} ms, ` +
        `a refresh ${(refresh / 10).toFixed(1)} ms, JSON ${(json / 1024).toFixed(0)} KB; trades.csv ${csvMs.toFixed(0)} ms, ${(csv.length / 1024 / 1024).toFixed(1)} MB`,
    );
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  for (const n of SIZES) await measure(n);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
