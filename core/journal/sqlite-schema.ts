/**
 * The journal's tables in SQLite (docs/journal.md lists them; the PostgreSQL schema has the same
 * names and columns). Times are ms since the epoch (INTEGER); prices and amounts REAL; the
 * payload of an event is its JSON. Every table is keyed by account (`<exchange node id>:<mode>`).
 */
import type { DbSchema } from '../storage/tradebot-db';

const MIGRATIONS: DbSchema['migrations'] = [
  {
    name: 'journal tables',
    sql: `
      CREATE TABLE journal_events (
        account TEXT NOT NULL, id TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL,
        symbol TEXT, code TEXT, data TEXT NOT NULL,
        PRIMARY KEY (account, id)
      ) WITHOUT ROWID;
      CREATE INDEX journal_events_by_time ON journal_events (account, ts);
      CREATE TABLE journal_orders (
        account TEXT NOT NULL, client_order_id TEXT NOT NULL, order_id TEXT, symbol TEXT NOT NULL,
        side TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, amount REAL NOT NULL,
        filled REAL NOT NULL, average REAL, price REAL, fee REAL NOT NULL, fee_currency TEXT NOT NULL,
        ts INTEGER NOT NULL, mode TEXT NOT NULL, reason TEXT, strategy TEXT, signal_id TEXT,
        PRIMARY KEY (account, client_order_id)
      ) WITHOUT ROWID;
      CREATE INDEX journal_orders_by_time ON journal_orders (account, ts);
      CREATE TABLE journal_fills (
        account TEXT NOT NULL, id TEXT NOT NULL, client_order_id TEXT NOT NULL, order_id TEXT,
        ts INTEGER NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, amount REAL NOT NULL,
        price REAL NOT NULL, fee REAL NOT NULL, fee_currency TEXT NOT NULL, fee_quote REAL NOT NULL,
        strategy TEXT, signal_id TEXT, reason TEXT, stop_close INTEGER NOT NULL,
        held_before REAL NOT NULL, held_after REAL NOT NULL, exchange TEXT NOT NULL, mode TEXT NOT NULL,
        PRIMARY KEY (account, id)
      ) WITHOUT ROWID;
      CREATE INDEX journal_fills_by_time ON journal_fills (account, ts);
      CREATE TABLE journal_trades (
        account TEXT NOT NULL, id TEXT NOT NULL, symbol TEXT NOT NULL, strategy TEXT NOT NULL,
        entry_ts INTEGER NOT NULL, exit_ts INTEGER NOT NULL, entry_price REAL NOT NULL,
        exit_price REAL NOT NULL, amount REAL NOT NULL, fees REAL NOT NULL, entry_fees REAL NOT NULL,
        pnl REAL NOT NULL, pnl_pct REAL NOT NULL, duration_ms INTEGER NOT NULL, exit_reason TEXT NOT NULL,
        entry_order TEXT NOT NULL, exit_order TEXT NOT NULL,
        PRIMARY KEY (account, id)
      ) WITHOUT ROWID;
      CREATE INDEX journal_trades_by_exit ON journal_trades (account, exit_ts);
      CREATE TABLE journal_lots (
        account TEXT NOT NULL, symbol TEXT NOT NULL, amount REAL NOT NULL, cost REAL NOT NULL,
        fees REAL NOT NULL, opened_ts INTEGER NOT NULL, strategy TEXT NOT NULL, entry_order TEXT NOT NULL,
        PRIMARY KEY (account, symbol)
      ) WITHOUT ROWID;
      CREATE TABLE journal_equity (
        account TEXT NOT NULL, ts INTEGER NOT NULL, equity REAL NOT NULL, currency TEXT NOT NULL,
        PRIMARY KEY (account, ts)
      ) WITHOUT ROWID;`,
  },
];

export const JOURNAL_SCHEMA: DbSchema = { what: 'journal', migrations: MIGRATIONS, synchronous: 'NORMAL' };
