/**
 * The journal's tables in PostgreSQL: the same tables and columns as in SQLite (sqlite-schema.ts),
 * in a schema of their own (default `tradebot`). Times are ms since the epoch (BIGINT), prices and
 * amounts DOUBLE PRECISION, an event's payload JSONB (Grafana and psql can look inside it).
 *
 * Migrations are numbered; `<schema>.schema_migrations` lists those applied. They run when a
 * journal opens, in one transaction that first takes an advisory lock on the schema's name: two
 * instances starting together apply each step once, the second waiting for the first.
 * Append to MIGRATIONS, never edit a step that was released.
 *
 * TimescaleDB: where the server has the extension, `journal_equity` becomes a hypertable (chunked
 * by time, for long equity histories and Grafana's time ranges). That step is not a numbered
 * migration: it is checked at every open, so a database that gets TimescaleDB later is converted
 * then. Without the extension the tables stay plain, and everything works the same.
 */
import type { PoolClient } from 'pg';

export interface PgMigration {
  name: string;
  /** The statements, for the schema named (already checked: lower-case letters, digits, _). */
  sql: (schema: string) => string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    name: 'journal tables',
    sql: (s) => `
      CREATE TABLE "${s}".journal_events (
        account TEXT NOT NULL, id TEXT NOT NULL, ts BIGINT NOT NULL, type TEXT NOT NULL,
        symbol TEXT, code TEXT, data JSONB NOT NULL,
        PRIMARY KEY (account, id)
      );
      CREATE INDEX journal_events_by_time ON "${s}".journal_events (account, ts);
      CREATE TABLE "${s}".journal_orders (
        account TEXT NOT NULL, client_order_id TEXT NOT NULL, order_id TEXT, symbol TEXT NOT NULL,
        side TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL,
        filled DOUBLE PRECISION NOT NULL, average DOUBLE PRECISION, price DOUBLE PRECISION, fee DOUBLE PRECISION NOT NULL,
        fee_currency TEXT NOT NULL, ts BIGINT NOT NULL, mode TEXT NOT NULL, reason TEXT, strategy TEXT, signal_id TEXT,
        PRIMARY KEY (account, client_order_id)
      );
      CREATE INDEX journal_orders_by_time ON "${s}".journal_orders (account, ts);
      CREATE TABLE "${s}".journal_fills (
        account TEXT NOT NULL, id TEXT NOT NULL, client_order_id TEXT NOT NULL, order_id TEXT,
        ts BIGINT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL,
        price DOUBLE PRECISION NOT NULL, fee DOUBLE PRECISION NOT NULL, fee_currency TEXT NOT NULL, fee_quote DOUBLE PRECISION NOT NULL,
        strategy TEXT, signal_id TEXT, reason TEXT, stop_close SMALLINT NOT NULL,
        held_before DOUBLE PRECISION NOT NULL, held_after DOUBLE PRECISION NOT NULL, exchange TEXT NOT NULL, mode TEXT NOT NULL,
        PRIMARY KEY (account, id)
      );
      CREATE INDEX journal_fills_by_time ON "${s}".journal_fills (account, ts);
      CREATE TABLE "${s}".journal_trades (
        account TEXT NOT NULL, id TEXT NOT NULL, symbol TEXT NOT NULL, strategy TEXT NOT NULL,
        entry_ts BIGINT NOT NULL, exit_ts BIGINT NOT NULL, entry_price DOUBLE PRECISION NOT NULL,
        exit_price DOUBLE PRECISION NOT NULL, amount DOUBLE PRECISION NOT NULL, fees DOUBLE PRECISION NOT NULL,
        entry_fees DOUBLE PRECISION NOT NULL, pnl DOUBLE PRECISION NOT NULL, pnl_pct DOUBLE PRECISION NOT NULL,
        duration_ms BIGINT NOT NULL, exit_reason TEXT NOT NULL, entry_order TEXT NOT NULL, exit_order TEXT NOT NULL,
        PRIMARY KEY (account, id)
      );
      CREATE INDEX journal_trades_by_exit ON "${s}".journal_trades (account, exit_ts);
      CREATE TABLE "${s}".journal_lots (
        account TEXT NOT NULL, symbol TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, cost DOUBLE PRECISION NOT NULL,
        fees DOUBLE PRECISION NOT NULL, opened_ts BIGINT NOT NULL, strategy TEXT NOT NULL, entry_order TEXT NOT NULL,
        PRIMARY KEY (account, symbol)
      );
      CREATE TABLE "${s}".journal_equity (
        account TEXT NOT NULL, ts BIGINT NOT NULL, equity DOUBLE PRECISION NOT NULL, currency TEXT NOT NULL,
        PRIMARY KEY (account, ts)
      );`,
  },
];

/** What open() found and did. */
export interface PgSchemaInfo {
  /** The number of migrations applied, now. */
  version: number;
  /** Those applied by this open (0 when another instance or an earlier start had). */
  applied: number;
  /** `hypertable`: journal_equity is a TimescaleDB hypertable; else why not. */
  timescale: { hypertable: true } | { hypertable: false; reason: string };
}

/** A week of ms: the chunk size of the equity hypertable (its time column is ms as BIGINT). */
const EQUITY_CHUNK_MS = 7 * 86_400_000;

/** Brings the schema up to date, on a client the caller holds (and releases). */
export async function migrate(client: PoolClient, schema: string): Promise<PgSchemaInfo> {
  await client.query('BEGIN');
  try {
    // Held until COMMIT or ROLLBACK: a second instance waits here, then finds the steps applied.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tradebot-journal-schema:${schema}`]);
    // Created only when missing: a DBA may make the schema for a user that cannot create schemas.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (!exists.rowCount) await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = new Set((await client.query(`SELECT version FROM "${schema}".schema_migrations`)).rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...done);
    if (newest > PG_MIGRATIONS.length) throw new Error(`the journal schema "${schema}" is at version ${newest}, newer than this tradebot knows (${PG_MIGRATIONS.length}): update node-red-contrib-tradebot`);
    let applied = 0;
    for (const [i, step] of PG_MIGRATIONS.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await client.query(step.sql(schema));
      await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, $2)`, [version, step.name]);
      applied++;
    }
    const timescale = await equityHypertable(client, schema);
    await client.query('COMMIT');
    return { version: PG_MIGRATIONS.length, applied, timescale };
  } catch (err) {
    // The migration's own error is thrown below; a ROLLBACK on a broken connection adds nothing to it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Makes journal_equity a hypertable where TimescaleDB is available (creating the extension when
 * this user may). Each attempt runs under a savepoint: a server that lists the extension but
 * cannot load it (not in shared_preload_libraries), or a user without the right, leaves the
 * plain table and the reason, and the migration goes on.
 *
 * Hypertables need the time column in every unique index: the key (account, ts) has it. The time
 * column is ms as BIGINT, so the chunk interval is given in ms.
 */
async function equityHypertable(client: PoolClient, schema: string): Promise<PgSchemaInfo['timescale']> {
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (!available.rowCount) return { hypertable: false, reason: 'TimescaleDB is not installed on the server' };
  await client.query('SAVEPOINT tradebot_timescale');
  try {
    const installed = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
    if (!installed.rowCount) await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    const already = await client.query('SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = $1 AND hypertable_name = $2', [schema, 'journal_equity']);
    if (!already.rowCount) {
      await client.query(
        `SELECT create_hypertable('"${schema}".journal_equity'::regclass, 'ts', chunk_time_interval => ${EQUITY_CHUNK_MS}::bigint, migrate_data => true, if_not_exists => true)`,
      );
    }
    await client.query('RELEASE SAVEPOINT tradebot_timescale');
    return { hypertable: true };
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT tradebot_timescale');
    return { hypertable: false, reason: `TimescaleDB is there but could not be used (${(err as Error).message.split('\n')[0]})` };
  }
}
