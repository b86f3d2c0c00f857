/**
 * The journal in PostgreSQL (docs/databases.md), through the pure-JavaScript `pg` driver, on a
 * connection pool it is given: the tradebot-database node owns the pool, and the stores of all
 * its exchange nodes share it. The rows and their meaning are the SQLite store's
 * (sqlite-journal-store.ts); the SQL differs only in placeholders and types.
 *
 * Every error is passed on as it is: the writer (journal.ts) keeps the rows, says why, and tries
 * again; nothing here retries or hides an outage.
 */
import type { Pool, PoolClient } from 'pg';
import { applyBatch, type JournalTx } from './journal-batch';
import {
  EQUITY_COLUMNS, EVENT_COLUMNS, FILL_COLUMNS, LOT_COLUMNS, ORDER_COLUMNS, TRADE_COLUMNS,
  columnList, equityOf, equityParams, eventOf, eventParams, fillOf, fillParams, lotOf, lotParams, orderParams, placeholders, tradeOf, tradeParams,
} from './journal-rows';
import { migrate, type PgSchemaInfo } from './pg-schema';
import type { ClosedTrade, EquityPoint, EventType, FillRecord, JournalBatch, JournalEvent, JournalStore, TradeQuery } from './types';

export interface PgJournalOptions {
  pool: Pool;
  /** The schema of the tables (checked by the settings: lower-case letters, digits, _). Default `tradebot`. */
  schema?: string;
  /** `postgresql://user@host:port/db`, without the password. */
  location: string;
  /** Hears what the migration found (version, TimescaleDB), once per successful open. */
  onOpen?: (info: PgSchemaInfo) => void;
}

/** Millisecond columns are BIGINT: a fractional time (a virtual clock) is rounded, where SQLite would keep it. */
const MS_COLUMNS = new Set(['ts', 'entry_ts', 'exit_ts', 'opened_ts', 'duration_ms']);

/**
 * Parameters as PostgreSQL takes them: ms rounded (above), and no NUL character, which PostgreSQL
 * refuses in TEXT (and as \u0000 in JSONB) where SQLite stores it. A row the server refuses would
 * hold the journal's queue for ever, so such a character (in an exchange's error text, say) is dropped.
 */
function pgParams(columns: readonly string[], params: unknown[]): unknown[] {
  return params.map((v, i) => {
    if (typeof v === 'number') return MS_COLUMNS.has(columns[i]!) ? Math.round(v) : v;
    if (typeof v === 'string' && (v.includes('\0') || v.includes('\\u0000'))) {
      const text = v.replace(/\0/g, '');
      // In JSON text: a \u0000 escape (not an escaped backslash followed by "u0000").
      return columns[i] === 'data' ? text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1') : text;
    }
    return v;
  });
}

/** The store's statements in schema `s` (bench/journal.ts runs the same ones through raw `pg`). */
export function pgJournalStatements(s: string) {
  const t = (name: string) => `"${s}".${name}`;
  const insert = (table: string, columns: readonly string[], conflict: string) =>
    `INSERT INTO ${t(table)} AS cur (${columnList(columns)}) VALUES (${placeholders(columns, 'postgresql')}) ${conflict}`;
  return {
    event: insert('journal_events', EVENT_COLUMNS, 'ON CONFLICT DO NOTHING'),
    // An order keeps its latest state: an older update arriving late (less filled) changes nothing.
    order: insert(
      'journal_orders',
      ORDER_COLUMNS,
      `ON CONFLICT (account, client_order_id) DO UPDATE SET order_id = coalesce(excluded.order_id, cur.order_id), status = excluded.status,
       amount = excluded.amount, filled = excluded.filled, average = excluded.average, price = excluded.price, fee = excluded.fee,
       fee_currency = excluded.fee_currency, ts = excluded.ts, reason = coalesce(excluded.reason, cur.reason)
       WHERE excluded.filled >= cur.filled`,
    ),
    fill: insert('journal_fills', FILL_COLUMNS, 'ON CONFLICT DO NOTHING'),
    // FOR UPDATE: the lot is read and written in the same transaction.
    lot: `SELECT * FROM ${t('journal_lots')} WHERE account = $1 AND symbol = $2 FOR UPDATE`,
    putLot: insert('journal_lots', LOT_COLUMNS, 'ON CONFLICT (account, symbol) DO UPDATE SET amount = excluded.amount, cost = excluded.cost, fees = excluded.fees, opened_ts = excluded.opened_ts, strategy = excluded.strategy, entry_order = excluded.entry_order'),
    dropLot: `DELETE FROM ${t('journal_lots')} WHERE account = $1 AND symbol = $2`,
    trade: `SELECT * FROM ${t('journal_trades')} WHERE account = $1 AND id = $2`,
    putTrade: insert('journal_trades', TRADE_COLUMNS, `ON CONFLICT (account, id) DO UPDATE SET ${TRADE_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}`),
    equity: insert('journal_equity', EQUITY_COLUMNS, 'ON CONFLICT DO NOTHING'),
    table: t,
  };
}

export class PgJournalStore implements JournalStore {
  readonly backend = 'postgresql' as const;
  readonly location: string;
  readonly schema: string;
  private readonly pool: Pool;
  private readonly sql: ReturnType<typeof pgJournalStatements>;
  private opened = false;
  private isClosed = false;
  /** Writes and removals under way, so close() can wait for them. */
  private readonly working = new Set<Promise<unknown>>();
  private readonly closeListeners = new Set<() => void>();

  constructor(private readonly o: PgJournalOptions) {
    this.pool = o.pool;
    this.schema = o.schema ?? 'tradebot';
    this.location = o.location;
    this.sql = pgJournalStatements(this.schema);
  }

  /** Called once when the store closes (the database node waits for its stores before ending the pool). */
  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.add(listener);
  }

  async open(): Promise<void> {
    if (this.opened) return;
    const client = await this.pool.connect();
    const watch = watchClient(client);
    let info: PgSchemaInfo;
    try {
      info = await migrate(client, this.schema);
    } finally {
      watch.release();
    }
    this.opened = true;
    this.o.onOpen?.(info);
  }

  write(account: string, batch: JournalBatch): Promise<void> {
    return this.track(
      this.transaction(async (client) => {
        const run = async (text: string, columns: readonly string[] | undefined, params: unknown[]) =>
          client.query(text, columns ? pgParams(columns, params) : params);
        const tx: JournalTx = {
          insertEvent: async (a, e) => void (await run(this.sql.event, EVENT_COLUMNS, eventParams(a, e))),
          upsertOrder: async (a, o) => void (await run(this.sql.order, ORDER_COLUMNS, orderParams(a, o))),
          insertFill: async (a, f) => ((await run(this.sql.fill, FILL_COLUMNS, fillParams(a, f))).rowCount ?? 0) > 0,
          lot: async (a, symbol) => {
            const row = (await run(this.sql.lot, undefined, [a, symbol])).rows[0];
            return row ? lotOf(row) : undefined;
          },
          putLot: async (a, symbol, lot) => void (await (lot ? run(this.sql.putLot, LOT_COLUMNS, lotParams(a, lot)) : run(this.sql.dropLot, undefined, [a, symbol]))),
          trade: async (a, id) => {
            const row = (await run(this.sql.trade, undefined, [a, id])).rows[0];
            return row ? tradeOf(row) : undefined;
          },
          putTrade: async (a, t) => void (await run(this.sql.putTrade, TRADE_COLUMNS, tradeParams(a, t))),
          insertEquity: async (a, p) => void (await run(this.sql.equity, EQUITY_COLUMNS, equityParams(a, p))),
        };
        await applyBatch(tx, account, batch);
      }),
    );
  }

  async trades(account: string, q: TradeQuery = {}): Promise<ClosedTrade[]> {
    const { where, params } = tradeWhere(account, q);
    const n = params.length;
    // LIMIT NULL is no limit.
    const rows = await this.rows(`SELECT * FROM ${this.sql.table('journal_trades')} WHERE ${where} ORDER BY exit_ts DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, q.limit ?? null, q.offset ?? 0]);
    return rows.map(tradeOf);
  }

  async countTrades(account: string, q: Pick<TradeQuery, 'from' | 'to' | 'symbol'> = {}): Promise<number> {
    const { where, params } = tradeWhere(account, q);
    return Number((await this.rows(`SELECT count(*) AS n FROM ${this.sql.table('journal_trades')} WHERE ${where}`, params))[0]!.n);
  }

  async equity(account: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<EquityPoint[]> {
    const rows = await this.rows(`SELECT ts, equity, currency FROM ${this.sql.table('journal_equity')} WHERE account = $1 AND ts >= $2 AND ts <= $3 ORDER BY ts`, [account, Math.floor(from), Math.ceil(to)]);
    return rows.map(equityOf);
  }

  async events(account: string, q: { from?: number; type?: EventType; limit?: number } = {}): Promise<JournalEvent[]> {
    const table = this.sql.table('journal_events');
    const from = Math.floor(q.from ?? 0);
    const rows = q.type
      ? await this.rows(`SELECT * FROM ${table} WHERE account = $1 AND ts >= $2 AND type = $3 ORDER BY ts DESC LIMIT $4`, [account, from, q.type, q.limit ?? null])
      : await this.rows(`SELECT * FROM ${table} WHERE account = $1 AND ts >= $2 ORDER BY ts DESC LIMIT $3`, [account, from, q.limit ?? null]);
    return rows.map(eventOf);
  }

  async fills(account: string, q: { from?: number; limit?: number } = {}): Promise<FillRecord[]> {
    const rows = await this.rows(`SELECT * FROM ${this.sql.table('journal_fills')} WHERE account = $1 AND ts >= $2 ORDER BY ts, id LIMIT $3`, [account, Math.floor(q.from ?? 0), q.limit ?? null]);
    return rows.map(fillOf);
  }

  prune(account: string, rawBefore: number, tradesBefore?: number): Promise<void> {
    return this.track(
      this.transaction(async (client) => {
        const before = Math.floor(rawBefore);
        for (const table of ['journal_events', 'journal_fills', 'journal_equity']) await client.query(`DELETE FROM ${this.sql.table(table)} WHERE account = $1 AND ts < $2`, [account, before]);
        // Orders still open are kept whatever their age.
        await client.query(`DELETE FROM ${this.sql.table('journal_orders')} WHERE account = $1 AND ts < $2 AND status NOT IN ('open', 'unknown')`, [account, before]);
        if (tradesBefore !== undefined) await client.query(`DELETE FROM ${this.sql.table('journal_trades')} WHERE account = $1 AND exit_ts < $2`, [account, Math.floor(tradesBefore)]);
      }),
    );
  }

  clear(account: string): Promise<void> {
    return this.track(
      this.transaction(async (client) => {
        for (const table of ['journal_events', 'journal_orders', 'journal_fills', 'journal_trades', 'journal_lots', 'journal_equity']) {
          await client.query(`DELETE FROM ${this.sql.table(table)} WHERE account = $1`, [account]);
        }
      }),
    );
  }

  /** Waits for this store's writes under way; the pool stays open (it is the database node's). */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await Promise.allSettled([...this.working]);
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
  }

  private async rows(text: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
    return (await this.pool.query(text, params)).rows as Array<Record<string, unknown>>;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.working.add(work);
    const done = () => this.working.delete(work);
    work.then(done, done);
    return work;
  }

  /** One transaction on one pooled connection; a connection that broke meanwhile is not given back to the pool. */
  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    if (this.isClosed) throw new Error('the journal database is closed');
    const client = await this.pool.connect();
    const watch = watchClient(client);
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        watch.broken();
      }
      throw err;
    } finally {
      watch.release();
    }
  }
}

/**
 * While a connection is checked out the pool does not listen to its 'error' event, and an
 * unheard 'error' would end the process: so we listen, and a connection that failed is
 * destroyed on release instead of going back to the pool.
 */
function watchClient(client: PoolClient): { broken(): void; release(): void } {
  let failed: Error | undefined;
  const onError = (err: Error) => (failed = err);
  client.on('error', onError);
  return {
    broken: () => (failed ??= new Error('connection broken')),
    release: () => {
      client.off('error', onError);
      client.release(failed);
    },
  };
}

function tradeWhere(account: string, q: Pick<TradeQuery, 'from' | 'to' | 'symbol'>): { where: string; params: unknown[] } {
  const parts = ['account = $1'];
  const params: unknown[] = [account];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (q.from !== undefined) add('exit_ts >= ?', Math.floor(q.from));
  if (q.to !== undefined) add('exit_ts <= ?', Math.ceil(q.to));
  if (q.symbol !== undefined) add('symbol = ?', q.symbol);
  return { where: parts.join(' AND '), params };
}
