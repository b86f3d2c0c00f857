/**
 * Trade journal write throughput (not a test: prints figures and ratios, asserts nothing about time).
 *
 *   npm run build && node dist/bench/journal.js [--orders 20000] [--batch 250] [--rounds 3] [--dir /path/on/the/disk]
 *
 * The workload: ORDERS filled market orders on BTC/USDT, buy and sell in turn, as the journal sees
 * them from a live flow: per order an order request event, an order update event with its order
 * row, and a fill (FillRecord); each fill moves the symbol's lot and each sell makes a closed
 * trade. That is 4 rows written per order, plus the lot and (sells) the trade.
 *
 * Three ways of writing it, each into a fresh file in --dir (default: the OS temp dir) with the
 * journal's schema and settings (core/journal/sqlite-schema.ts: WAL, synchronous NORMAL), one
 * transaction per BATCH orders, interleaved round by round so they see the same disk:
 *   journal     Journal.orderRequest / order / fill, flush() every BATCH orders, through
 *               SqliteJournalStore.write (what the exchange node runs), one transaction per batch
 *   journal 250 the same with the journal's default of at most 250 rows per transaction (it lets
 *               the flow's messages through between them): what the exchange node runs
 *   raw same    node:sqlite directly, the same statements the store runs (events, order upsert,
 *               fill, lot read + write, trade read + write), the ledger computed by the same function:
 *               the cost of the journal's layers (queue, batch, JournalTx, async steps)
 *   raw rows    node:sqlite directly, plain INSERTs of the events, order rows and fills only:
 *               the floor of writing these rows
 * Also measured, for the trading path: the time spent in the journal's record calls per order
 * (what a flow waits on), and the longest single batch write (it holds the event loop).
 *
 * PostgreSQL, when its binaries are installed (/usr/lib/postgresql/<v>/bin; --no-pg skips it): a
 * server of its own (test/support/postgres-server.ts: a fresh cluster on loopback, fsync off as in
 * the tests), the same workload with PG_ORDERS orders (--pg-orders, default 4000: a statement is a
 * round trip) through Journal -> PgJournalStore and through raw `pg` running the same statements
 * on one client, one BEGIN/COMMIT per batch of the same size.
 *
 * Writes bench/results/journal-latest.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StatementSync } from 'node:sqlite';
import type { OrderRequest, OrderUpdate } from '../core/contract';
import { Journal } from '../core/journal/journal';
import { orderRequestEvent, orderRow, orderUpdateEvent } from '../core/journal/journal-events';
import {
  EVENT_COLUMNS, FILL_COLUMNS, LOT_COLUMNS, ORDER_COLUMNS, TRADE_COLUMNS,
  columnList, eventParams, fillParams, lotOf, lotParams, orderParams, placeholders, tradeOf, tradeParams,
} from '../core/journal/journal-rows';
import { SqliteJournalStore } from '../core/journal/sqlite-journal-store';
import { JOURNAL_SCHEMA } from '../core/journal/sqlite-schema';
import { PgJournalStore, pgJournalStatements } from '../core/journal/pg-journal-store';
import { PostgresServer, postgresBinDir } from '../test/support/postgres-server';
import { applyFillToLedger } from '../core/journal/trade-ledger';
import type { FillRecord, JournalStore } from '../core/journal/types';
import { TradebotDb } from '../core/storage/tradebot-db';

const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: a whole number above 0`);
  return n;
};
const ORDERS = arg('--orders', 20_000);
const BATCH = arg('--batch', 250);
const ROUNDS = arg('--rounds', 3);
const PG_ORDERS = arg('--pg-orders', 4000);
const PG = !process.argv.includes('--no-pg');
const BASE_DIR = process.argv.includes('--dir') ? process.argv[process.argv.indexOf('--dir') + 1]! : os.tmpdir();
const ROWS_PER_ORDER = 4;
const ACCOUNT = 'bench-exchange:sim';
const SYMBOL = 'BTC/USDT';

type SQLValue = null | number | bigint | string;

/** One order as the journal gets it: the request, its final update, its fill. */
interface OrderOfWorkload {
  request: OrderRequest;
  update: OrderUpdate;
  fill: FillRecord;
}

/** The orders of a round: ids of their own per round and way (each way writes into its own file anyway). */
function workload(tag: string): OrderOfWorkload[] {
  const out: OrderOfWorkload[] = [];
  const t0 = Date.UTC(2026, 11, 2);
  let price = 60_000;
  let held = 0;
  for (let i = 0; i < ORDERS; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell';
    const amount = 0.01;
    price *= 1 + ((((i * 2654435761) % 1000) / 1000) - 0.5) * 0.002;
    const ts = t0 + i * 1000;
    const clientOrderId = `tb-${tag}-${i}`;
    const request: OrderRequest = { kind: 'orderRequest', clientOrderId, signalId: `sig-${tag}-${i}`, strategy: 'bench', exchange: 'sim', symbol: SYMBOL, side, type: 'market', amount, reason: 'sma cross, 100 USDT', ts };
    const fee = amount * price * 0.001;
    const update: OrderUpdate = {
      kind: 'orderUpdate', id: `sim-${i}`, clientOrderId, signalId: request.signalId, exchange: 'sim', symbol: SYMBOL, side, type: 'market', status: 'closed',
      amount, filled: amount, remaining: 0, average: price, price: null, fee: { cost: fee, currency: 'USDT' }, ts, mode: 'sim',
    };
    const heldBefore = held;
    held = side === 'buy' ? held + amount : Math.max(0, held - amount);
    const fill: FillRecord = {
      id: `${clientOrderId}@${amount}`, clientOrderId, orderId: update.id, exchange: 'sim', mode: 'sim', symbol: SYMBOL, side, amount, price,
      fee: { cost: fee, currency: 'USDT' }, feeQuote: fee, ts, strategy: 'bench', signalId: request.signalId, heldBefore, heldAfter: held,
    };
    out.push({ request, update, fill });
  }
  return out;
}

interface WayResult {
  ms: number;
  /** Time in the journal's record calls, per order, microseconds (journal only). */
  recordUsPerOrder?: number;
  /** Per batch write, ms. */
  writes: number[];
}

const ms = (t0: number) => performance.now() - t0;

async function journalWay(file: string | JournalStore, orders: OrderOfWorkload[], maxRowsPerWrite = BATCH * ROWS_PER_ORDER): Promise<WayResult> {
  const store = typeof file === 'string' ? new SqliteJournalStore({ file }) : file;
  await store.open();
  const writes: number[] = [];
  const timed: JournalStore = Object.create(store);
  timed.write = async (account, batch) => {
    const t0 = performance.now();
    await store.write(account, batch);
    writes.push(ms(t0));
  };
  const journal = new Journal({ store: timed, account: ACCOUNT, exchange: 'sim', now: () => Date.now(), flushMs: 60_000, maxRowsPerWrite });
  let recordMs = 0;
  const t0 = performance.now();
  for (let b = 0; b < orders.length; b += BATCH) {
    const r0 = performance.now();
    for (const o of orders.slice(b, b + BATCH)) {
      journal.orderRequest(o.request);
      journal.order(o.update);
      journal.fill(o.fill);
    }
    recordMs += ms(r0);
    await journal.flush();
  }
  const total = ms(t0);
  await journal.close();
  if (typeof file === 'string') await store.close();
  return { ms: total, recordUsPerOrder: (recordMs * 1000) / orders.length, writes };
}

const insert = (table: string, columns: readonly string[], conflict: string) => `INSERT INTO ${table} (${columnList(columns)}) VALUES (${placeholders(columns, 'sqlite')}) ${conflict}`;

/** The store's statements, written out here (the same SQL as core/journal/sqlite-journal-store.ts). */
function rawStatements(db: TradebotDb) {
  const p = (sql: string) => db.db.prepare(sql);
  return {
    event: p(insert('journal_events', EVENT_COLUMNS, 'ON CONFLICT DO NOTHING')),
    order: p(insert('journal_orders', ORDER_COLUMNS, `ON CONFLICT (account, client_order_id) DO UPDATE SET order_id = coalesce(excluded.order_id, order_id), status = excluded.status,
      amount = excluded.amount, filled = excluded.filled, average = excluded.average, price = excluded.price, fee = excluded.fee,
      fee_currency = excluded.fee_currency, ts = excluded.ts, reason = coalesce(excluded.reason, reason) WHERE excluded.filled >= journal_orders.filled`)),
    orderPlain: p(insert('journal_orders', ORDER_COLUMNS, '')),
    fill: p(insert('journal_fills', FILL_COLUMNS, 'ON CONFLICT DO NOTHING')),
    fillPlain: p(insert('journal_fills', FILL_COLUMNS, '')),
    eventPlain: p(insert('journal_events', EVENT_COLUMNS, '')),
    lot: p('SELECT * FROM journal_lots WHERE account = ? AND symbol = ?'),
    putLot: p(insert('journal_lots', LOT_COLUMNS, 'ON CONFLICT (account, symbol) DO UPDATE SET amount = excluded.amount, cost = excluded.cost, fees = excluded.fees, opened_ts = excluded.opened_ts, strategy = excluded.strategy, entry_order = excluded.entry_order')),
    dropLot: p('DELETE FROM journal_lots WHERE account = ? AND symbol = ?'),
    trade: p('SELECT * FROM journal_trades WHERE account = ? AND id = ?'),
    putTrade: p(insert('journal_trades', TRADE_COLUMNS, `ON CONFLICT (account, id) DO UPDATE SET ${TRADE_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`)),
  };
}

const run = (s: StatementSync, params: unknown[]) => s.run(...(params as SQLValue[]));

/** `same`: the statements the store runs, ledger included; else plain inserts of events, orders and fills. */
function rawWay(file: string, orders: OrderOfWorkload[], same: boolean): WayResult {
  const db = TradebotDb.open(file, JOURNAL_SCHEMA);
  const s = rawStatements(db);
  const writes: number[] = [];
  const t0 = performance.now();
  for (let b = 0; b < orders.length; b += BATCH) {
    const w0 = performance.now();
    db.db.exec('BEGIN IMMEDIATE');
    for (const o of orders.slice(b, b + BATCH)) {
      if (!same) {
        run(s.eventPlain, eventParams(ACCOUNT, orderRequestEvent(o.request)));
        run(s.eventPlain, eventParams(ACCOUNT, orderUpdateEvent(o.update)));
        run(s.orderPlain, orderParams(ACCOUNT, orderRow(o.update, o.request)));
        run(s.fillPlain, fillParams(ACCOUNT, o.fill));
        continue;
      }
      run(s.event, eventParams(ACCOUNT, orderRequestEvent(o.request)));
      run(s.event, eventParams(ACCOUNT, orderUpdateEvent(o.update)));
      run(s.order, orderParams(ACCOUNT, orderRow(o.update, o.request)));
      if (Number(run(s.fill, fillParams(ACCOUNT, o.fill)).changes) === 0) continue;
      const lotRow = s.lot.get(ACCOUNT, SYMBOL) as Record<string, unknown> | undefined;
      const tradeRow = o.fill.side === 'sell' ? (s.trade.get(ACCOUNT, o.fill.clientOrderId) as Record<string, unknown> | undefined) : undefined;
      const step = applyFillToLedger(lotRow ? lotOf(lotRow) : undefined, o.fill, tradeRow ? tradeOf(tradeRow) : undefined);
      if (step.lot) run(s.putLot, lotParams(ACCOUNT, step.lot));
      else run(s.dropLot, [ACCOUNT, SYMBOL]);
      if (step.trade) run(s.putTrade, tradeParams(ACCOUNT, step.trade));
    }
    db.db.exec('COMMIT');
    writes.push(ms(w0));
  }
  const total = ms(t0);
  db.release();
  return { ms: total, writes };
}


/** Raw `pg`: the store's statements on one client, one transaction per batch, the ledger by the same function. */
async function rawPgWay(client: import('pg').PoolClient, schema: string, orders: OrderOfWorkload[]): Promise<WayResult> {
  const s = pgJournalStatements(schema);
  const writes: number[] = [];
  const t0 = performance.now();
  for (let b = 0; b < orders.length; b += BATCH) {
    const w0 = performance.now();
    await client.query('BEGIN');
    for (const o of orders.slice(b, b + BATCH)) {
      await client.query(s.event, eventParams(ACCOUNT, orderRequestEvent(o.request)));
      await client.query(s.event, eventParams(ACCOUNT, orderUpdateEvent(o.update)));
      await client.query(s.order, orderParams(ACCOUNT, orderRow(o.update, o.request)));
      if (((await client.query(s.fill, fillParams(ACCOUNT, o.fill))).rowCount ?? 0) === 0) continue;
      const lotRow = (await client.query(s.lot, [ACCOUNT, SYMBOL])).rows[0];
      const tradeRow = o.fill.side === 'sell' ? (await client.query(s.trade, [ACCOUNT, o.fill.clientOrderId])).rows[0] : undefined;
      const step = applyFillToLedger(lotRow ? lotOf(lotRow) : undefined, o.fill, tradeRow ? tradeOf(tradeRow) : undefined);
      await (step.lot ? client.query(s.putLot, lotParams(ACCOUNT, step.lot)) : client.query(s.dropLot, [ACCOUNT, SYMBOL]));
      if (step.trade) await client.query(s.putTrade, tradeParams(ACCOUNT, step.trade));
    }
    await client.query('COMMIT');
    writes.push(ms(w0));
  }
  return { ms: ms(t0), writes };
}

/** The same workload on PostgreSQL: Journal -> PgJournalStore against raw `pg`; undefined with the reason when there is no server. */
async function postgresRuns(): Promise<{ journal: WayResult[]; raw: WayResult[] } | string> {
  if (!PG) return 'PostgreSQL: skipped (--no-pg)';
  if (!postgresBinDir()) return 'PostgreSQL: skipped (no server binaries in /usr/lib/postgresql/<version>/bin)';
  const server = new PostgresServer();
  await server.start();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({ ...server.connection(), max: 4 });
  try {
    const out = { journal: [] as WayResult[], raw: [] as WayResult[] };
    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 warms up (connections, plans) and is not counted.
      const size = round === 0 ? BATCH * 2 : PG_ORDERS;
      const journalStore = new PgJournalStore({ pool, schema: `bench_j${round}`, location: server.url });
      const j = await journalWay(journalStore, workload(`pg${round}`).slice(0, size));
      await journalStore.close();
      // The raw way writes into tables the store made (the same schema, indexes and keys).
      const rawStore = new PgJournalStore({ pool, schema: `bench_r${round}`, location: server.url });
      await rawStore.open();
      const client = await pool.connect();
      let r: WayResult;
      try {
        r = await rawPgWay(client, `bench_r${round}`, workload(`pgraw${round}`).slice(0, size));
      } finally {
        client.release();
      }
      await rawStore.close();
      if (round > 0) {
        out.journal.push(j);
        out.raw.push(r);
      }
    }
    return out;
  } finally {
    await pool.end();
    await server.stop();
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const median = (xs: number[]) => pct(xs, 50);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(BASE_DIR, 'tradebot-bench-journal-'));
  const ways = ['journal', 'journal 250', 'raw same', 'raw rows'] as const;
  const results: Record<(typeof ways)[number], WayResult[]> = { journal: [], 'journal 250': [], 'raw same': [], 'raw rows': [] };
  try {
    // One unmeasured round first: JIT, the file system's first allocation.
    const warm = workload('warm');
    await journalWay(path.join(dir, 'warm-journal.sqlite'), warm.slice(0, BATCH * 4));
    rawWay(path.join(dir, 'warm-raw.sqlite'), warm.slice(0, BATCH * 4), true);
    for (let round = 1; round <= ROUNDS; round++) {
      const orders = workload(`r${round}`);
      results.journal.push(await journalWay(path.join(dir, `journal-${round}.sqlite`), orders));
      results['journal 250'].push(await journalWay(path.join(dir, `journal250-${round}.sqlite`), workload(`r${round}b`), 250));
      results['raw same'].push(rawWay(path.join(dir, `same-${round}.sqlite`), orders, true));
      results['raw rows'].push(rawWay(path.join(dir, `rows-${round}.sqlite`), orders, false));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const rowsPerSec = (r: WayResult) => (ORDERS * ROWS_PER_ORDER) / (r.ms / 1000);
  const summary = ways.map((way) => {
    const rs = results[way];
    const writes = rs.flatMap((r) => r.writes);
    return {
      way,
      rowsPerSec: median(rs.map(rowsPerSec)),
      ordersPerSec: median(rs.map((r) => ORDERS / (r.ms / 1000))),
      writeP50Ms: pct(writes, 50),
      writeP99Ms: pct(writes, 99),
      writeMaxMs: Math.max(...writes),
      recordUsPerOrder: rs[0]!.recordUsPerOrder === undefined ? undefined : median(rs.map((r) => r.recordUsPerOrder!)),
    };
  });
  const same = summary.find((s) => s.way === 'raw same')!;
  const rows = summary.find((s) => s.way === 'raw rows')!;
  console.log(
    `trade journal writes: ${ORDERS} orders (${ORDERS * ROWS_PER_ORDER} rows: request, update, order row, fill; + lot and trades), batches of ${BATCH} orders,` +
      ` ${ROUNDS} rounds (median), node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, dir ${BASE_DIR}`,
  );
  console.log('way          rows/s     orders/s   write p50  p99        max        vs raw same  vs raw rows');
  for (const s of summary) {
    console.log(
      `${s.way.padEnd(12)} ${Math.round(s.rowsPerSec).toString().padEnd(10)} ${Math.round(s.ordersPerSec).toString().padEnd(10)} ${`${s.writeP50Ms.toFixed(2)} ms`.padEnd(10)} ${`${s.writeP99Ms.toFixed(2)} ms`.padEnd(10)} ${`${s.writeMaxMs.toFixed(2)} ms`.padEnd(10)} ` +
        `${(s.rowsPerSec / same.rowsPerSec).toFixed(2)}x        ${(s.rowsPerSec / rows.rowsPerSec).toFixed(2)}x`,
    );
  }
  const journal = summary[0]!;
  console.log(`record calls on the trading path (orderRequest + order + fill): ${journal.recordUsPerOrder!.toFixed(2)} us per order`);
  const chunked = summary[1]!;
  console.log(
    `a write holds the event loop for its transaction: ${journal.writeP50Ms.toFixed(1)} ms at p50 for ${BATCH} orders in one (${((journal.writeP50Ms * 1000) / BATCH).toFixed(1)} us per order),` +
      ` ${chunked.writeP50Ms.toFixed(1)} ms at p50 with the default 250 rows per transaction`,
  );
  const pg = await postgresRuns();
  let pgSummary: { journalRowsPerSec: number; rawRowsPerSec: number; ratio: number; journalWriteP50Ms: number; rawWriteP50Ms: number } | string;
  if (typeof pg === 'string') {
    pgSummary = pg;
    console.log(pg);
  } else {
    const perSec = (r: WayResult) => (PG_ORDERS * ROWS_PER_ORDER) / (r.ms / 1000);
    pgSummary = {
      journalRowsPerSec: Math.round(median(pg.journal.map(perSec))),
      rawRowsPerSec: Math.round(median(pg.raw.map(perSec))),
      ratio: r3(median(pg.journal.map(perSec)) / median(pg.raw.map(perSec))),
      journalWriteP50Ms: r3(pct(pg.journal.flatMap((r) => r.writes), 50)),
      rawWriteP50Ms: r3(pct(pg.raw.flatMap((r) => r.writes), 50)),
    };
    console.log(
      `\nPostgreSQL (a server of its own on loopback, fsync off), ${PG_ORDERS} orders, batches of ${BATCH}, ${ROUNDS} rounds (median):` +
        `\n  journal (Journal -> PgJournalStore)   ${pgSummary.journalRowsPerSec} rows/s, write p50 ${pgSummary.journalWriteP50Ms.toFixed(1)} ms` +
        `\n  raw pg, the same statements          ${pgSummary.rawRowsPerSec} rows/s, write p50 ${pgSummary.rawWriteP50Ms.toFixed(1)} ms` +
        `\n  journal / raw: ${pgSummary.ratio.toFixed(2)}x`,
    );
  }

  const out = path.resolve(__dirname, '..', '..', 'bench', 'results', 'journal-latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        load: os.loadavg().map(r1),
        orders: ORDERS,
        rowsPerOrder: ROWS_PER_ORDER,
        batchOrders: BATCH,
        rounds: ROUNDS,
        ways: summary.map((s) => ({ ...s, rowsPerSec: Math.round(s.rowsPerSec), ordersPerSec: Math.round(s.ordersPerSec), writeP50Ms: r3(s.writeP50Ms), writeP99Ms: r3(s.writeP99Ms), writeMaxMs: r3(s.writeMaxMs), recordUsPerOrder: s.recordUsPerOrder === undefined ? undefined : r3(s.recordUsPerOrder) })),
        ratios: { journalVsRawSame: r3(journal.rowsPerSec / same.rowsPerSec), journalVsRawRows: r3(journal.rowsPerSec / rows.rowsPerSec), journal250VsRawSame: r3(chunked.rowsPerSec / same.rowsPerSec) },
        postgresql: pgSummary,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written: ${path.relative(process.cwd(), out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
