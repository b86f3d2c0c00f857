/**
 * The journal in a SQLite file (the default: `tradebot-journal.sqlite` beside the state file, see
 * journal-file.ts), through Node's built-in `node:sqlite`. A file of its own, so a full disk or a
 * damaged journal never stops trading or touches the account's state. Commits are not fsync'd
 * one by one (synchronous NORMAL): a killed process loses nothing that was committed, and what a
 * power cut could lose is written again from the account's state at the next start.
 *
 * Writes of every store on one file go one after the other (one connection, one transaction at a
 * time); reads run at once.
 */
import type { StatementSync } from 'node:sqlite';
import { TradebotDb } from '../storage/tradebot-db';
import { applyBatch, type JournalTx } from './journal-batch';
import {
  EQUITY_COLUMNS, EVENT_COLUMNS, FILL_COLUMNS, LOT_COLUMNS, ORDER_COLUMNS, TRADE_COLUMNS,
  columnList, equityOf, equityParams, eventOf, eventParams, fillOf, fillParams, lotOf, lotParams, orderParams, placeholders, tradeOf, tradeParams,
} from './journal-rows';
import { JOURNAL_SCHEMA } from './sqlite-schema';
import type { ClosedTrade, EquityPoint, EventType, FillRecord, JournalBatch, JournalEvent, JournalStore, TradeQuery } from './types';

type SQLInputValue = null | number | bigint | string | NodeJS.ArrayBufferView;

export interface SqliteJournalOptions {
  /** The file; undefined: a temporary file for this process (Node-RED without a user dir). */
  file: string | undefined;
  /** The most the file may grow to, bytes (SQLite's max_page_count): a write past it fails as "database or disk is full". */
  maxBytes?: number;
}

const insert = (table: string, columns: readonly string[], conflict: string) =>
  `INSERT INTO ${table} (${columnList(columns)}) VALUES (${placeholders(columns, 'sqlite')}) ${conflict}`;

const SQL = {
  event: insert('journal_events', EVENT_COLUMNS, 'ON CONFLICT DO NOTHING'),
  order: insert(
    'journal_orders',
    ORDER_COLUMNS,
    `ON CONFLICT (account, client_order_id) DO UPDATE SET order_id = coalesce(excluded.order_id, order_id), status = excluded.status,
     amount = excluded.amount, filled = excluded.filled, average = excluded.average, price = excluded.price, fee = excluded.fee,
     fee_currency = excluded.fee_currency, ts = excluded.ts, reason = coalesce(excluded.reason, reason)
     WHERE excluded.filled >= journal_orders.filled`,
  ),
  fill: insert('journal_fills', FILL_COLUMNS, 'ON CONFLICT DO NOTHING'),
  lot: 'SELECT * FROM journal_lots WHERE account = ? AND symbol = ?',
  putLot: insert('journal_lots', LOT_COLUMNS, 'ON CONFLICT (account, symbol) DO UPDATE SET amount = excluded.amount, cost = excluded.cost, fees = excluded.fees, opened_ts = excluded.opened_ts, strategy = excluded.strategy, entry_order = excluded.entry_order'),
  dropLot: 'DELETE FROM journal_lots WHERE account = ? AND symbol = ?',
  trade: 'SELECT * FROM journal_trades WHERE account = ? AND id = ?',
  putTrade: insert('journal_trades', TRADE_COLUMNS, `ON CONFLICT (account, id) DO UPDATE SET ${TRADE_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`),
  equity: insert('journal_equity', EQUITY_COLUMNS, 'ON CONFLICT DO NOTHING'),
};

export class SqliteJournalStore implements JournalStore {
  readonly backend = 'sqlite' as const;
  private handle: TradebotDb | undefined;

  constructor(private readonly o: SqliteJournalOptions) {}

  get location(): string {
    return this.handle?.file ?? this.o.file ?? '(temporary file)';
  }

  async open(): Promise<void> {
    if (this.handle) return;
    const handle = TradebotDb.open(this.o.file, JOURNAL_SCHEMA);
    try {
      if (this.o.maxBytes !== undefined) {
        const pageSize = Number((handle.db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
        handle.db.exec(`PRAGMA max_page_count = ${Math.max(16, Math.floor(this.o.maxBytes / pageSize))}`);
      }
    } catch (err) {
      handle.release();
      throw err;
    }
    this.handle = handle;
  }

  private get db(): TradebotDb {
    if (!this.handle) throw new Error('the journal database is not open');
    return this.handle;
  }

  private statement(text: string): StatementSync {
    const db = this.db;
    let cache = db.memo.get('journal:statements') as Map<string, StatementSync> | undefined;
    if (!cache) db.memo.set('journal:statements', (cache = new Map()));
    let s = cache.get(text);
    if (!s) cache.set(text, (s = db.db.prepare(text)));
    return s;
  }

  private run(text: string, params: unknown[]): { changes: number | bigint } {
    return this.statement(text).run(...(params as SQLInputValue[]));
  }

  private all(text: string, params: unknown[]): Array<Record<string, unknown>> {
    return this.statement(text).all(...(params as SQLInputValue[])) as Array<Record<string, unknown>>;
  }

  /** One write at a time per file, whoever writes (several exchange nodes share the file). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const db = this.db;
    const before = (db.memo.get('journal:queue') as Promise<unknown> | undefined) ?? Promise.resolve();
    const result = before.then(work, work);
    // The queue goes on after a failed write; its caller gets the failure from `result`.
    db.memo.set('journal:queue', result.catch(() => undefined));
    return result;
  }

  write(account: string, batch: JournalBatch): Promise<void> {
    return this.exclusive(async () => {
      const db = this.db.db;
      const tx: JournalTx = {
        insertEvent: (a, e) => void this.run(SQL.event, eventParams(a, e)),
        upsertOrder: (a, o) => void this.run(SQL.order, orderParams(a, o)),
        insertFill: (a, f) => Number(this.run(SQL.fill, fillParams(a, f)).changes) > 0,
        lot: (a, symbol) => {
          const row = this.all(SQL.lot, [a, symbol])[0];
          return row ? lotOf(row) : undefined;
        },
        putLot: (a, symbol, lot) => void (lot ? this.run(SQL.putLot, lotParams(a, lot)) : this.run(SQL.dropLot, [a, symbol])),
        trade: (a, id) => {
          const row = this.all(SQL.trade, [a, id])[0];
          return row ? tradeOf(row) : undefined;
        },
        putTrade: (a, t) => void this.run(SQL.putTrade, tradeParams(a, t)),
        insertEquity: (a, p) => void this.run(SQL.equity, equityParams(a, p)),
      };
      db.exec('BEGIN IMMEDIATE');
      try {
        await applyBatch(tx, account, batch);
        db.exec('COMMIT');
      } catch (err) {
        try {
          db.exec('ROLLBACK');
        } catch {
          /* nothing was open */
        }
        throw err;
      }
    });
  }

  async trades(account: string, q: TradeQuery = {}): Promise<ClosedTrade[]> {
    const { where, params } = tradeWhere(account, q);
    const rows = this.all(`SELECT * FROM journal_trades WHERE ${where} ORDER BY exit_ts DESC, id DESC LIMIT ? OFFSET ?`, [...params, q.limit ?? -1, q.offset ?? 0]);
    return rows.map(tradeOf);
  }

  async countTrades(account: string, q: Pick<TradeQuery, 'from' | 'to' | 'symbol'> = {}): Promise<number> {
    const { where, params } = tradeWhere(account, q);
    return Number(this.all(`SELECT count(*) AS n FROM journal_trades WHERE ${where}`, params)[0]!.n);
  }

  async equity(account: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<EquityPoint[]> {
    return this.all('SELECT ts, equity, currency FROM journal_equity WHERE account = ? AND ts >= ? AND ts <= ? ORDER BY ts', [account, from, to]).map(equityOf);
  }

  async events(account: string, q: { from?: number; type?: EventType; limit?: number } = {}): Promise<JournalEvent[]> {
    const rows = q.type
      ? this.all('SELECT * FROM journal_events WHERE account = ? AND ts >= ? AND type = ? ORDER BY ts DESC LIMIT ?', [account, q.from ?? 0, q.type, q.limit ?? -1])
      : this.all('SELECT * FROM journal_events WHERE account = ? AND ts >= ? ORDER BY ts DESC LIMIT ?', [account, q.from ?? 0, q.limit ?? -1]);
    return rows.map(eventOf);
  }

  async fills(account: string, q: { from?: number; limit?: number } = {}): Promise<FillRecord[]> {
    return this.all('SELECT * FROM journal_fills WHERE account = ? AND ts >= ? ORDER BY ts, id LIMIT ?', [account, q.from ?? 0, q.limit ?? -1]).map(fillOf);
  }

  prune(account: string, rawBefore: number, tradesBefore?: number): Promise<void> {
    return this.exclusive(async () => {
      this.db.transaction(() => {
        for (const table of ['journal_events', 'journal_fills', 'journal_equity']) this.run(`DELETE FROM ${table} WHERE account = ? AND ts < ?`, [account, rawBefore]);
        // Orders still open are kept whatever their age.
        this.run("DELETE FROM journal_orders WHERE account = ? AND ts < ? AND status NOT IN ('open', 'unknown')", [account, rawBefore]);
        if (tradesBefore !== undefined) this.run('DELETE FROM journal_trades WHERE account = ? AND exit_ts < ?', [account, tradesBefore]);
      });
    });
  }

  clear(account: string): Promise<void> {
    return this.exclusive(async () => {
      this.db.transaction(() => {
        for (const table of ['journal_events', 'journal_orders', 'journal_fills', 'journal_trades', 'journal_lots', 'journal_equity']) this.run(`DELETE FROM ${table} WHERE account = ?`, [account]);
      });
    });
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    // After this store's queued writes.
    await ((handle.memo.get('journal:queue') as Promise<unknown> | undefined) ?? Promise.resolve());
    this.handle = undefined;
    handle.release();
  }
}

function tradeWhere(account: string, q: Pick<TradeQuery, 'from' | 'to' | 'symbol'>): { where: string; params: unknown[] } {
  const parts = ['account = ?'];
  const params: unknown[] = [account];
  if (q.from !== undefined) parts.push('exit_ts >= ?'), params.push(q.from);
  if (q.to !== undefined) parts.push('exit_ts <= ?'), params.push(q.to);
  if (q.symbol !== undefined) parts.push('symbol = ?'), params.push(q.symbol);
  return { where: parts.join(' AND '), params };
}
