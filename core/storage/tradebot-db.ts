/**
 * The tradebot databases: SQLite files (Node's built-in `node:sqlite`, nothing compiled). The state
 * file holds what must survive a crash (the state documents, `state` and `state_items`); the
 * journal file (core/journal/sqlite-journal-store.ts) holds the trade journal. Two files, so a
 * journal that fills the disk or is damaged can never stop trading or touch the account's state.
 * Each file has its own schema: a list of migrations (DbSchema).
 *
 * Durability: WAL journal with `synchronous=FULL`, so every COMMIT is fsync'd before it returns
 * (in WAL mode NORMAL would only fsync at checkpoints, and a power cut could lose the last commits).
 * The API is synchronous (DatabaseSync): a write has reached the disk when the call returns.
 *
 * One open handle per file, shared by every user in the process (reference counted, closed when
 * the last user releases it): SQLite serialises writers per connection anyway, and one connection
 * means one WAL writer and no SQLITE_BUSY between our own nodes.
 *
 * `node:sqlite` is required at the first open, never at import: a backtest or a benchmark that
 * does not use the database never loads it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

/** What a file holds, and how it is brought up to date and written. */
export interface DbSchema {
  /** What the file is, in errors: "state" or "journal". */
  what: string;
  /**
   * Migrations, in order; `PRAGMA user_version` is how many ran. Append, never edit: a file
   * written by an older version is brought up to date at open, one transaction per step.
   */
  migrations: ReadonlyArray<{ name: string; sql: string }>;
  /**
   * FULL: every COMMIT is fsync'd (the state). NORMAL: in WAL mode a commit survives a crash of
   * the process, and only a power cut can lose the last ones (the journal, which the account's
   * state can replay).
   */
  synchronous: 'FULL' | 'NORMAL';
}

const MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    name: 'state documents',
    // A document per key; its top-level lists of strings (used client order ids, approved signal
    // ids) are rows of their own, so a write appends the new ids instead of rewriting 10,000.
    sql: `
      CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE state_items (
        key TEXT NOT NULL, field TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL,
        PRIMARY KEY (key, field, seq)
      ) WITHOUT ROWID;`,
  },
];

export const STATE_SCHEMA: DbSchema = { what: 'state', migrations: MIGRATIONS, synchronous: 'FULL' };

export const SCHEMA_VERSION = MIGRATIONS.length;

let sqlite: typeof import('node:sqlite') | undefined;

/**
 * Loads node:sqlite once. Node 22 prints "ExperimentalWarning: SQLite is an experimental feature"
 * the first time; that one line (and only it) is kept out of the Node-RED log, where it would read
 * like a problem of the user's flow. Every other warning passes through unchanged.
 */
function loadSqlite(): typeof import('node:sqlite') {
  if (sqlite) return sqlite;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type ?? (warning as Error)?.name;
    if (type === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(String(text))) return;
    return (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sqlite = require('node:sqlite') as typeof import('node:sqlite');
  } catch (err) {
    throw new Error(`the tradebot databases need Node.js 22.13 or newer (node:sqlite); this is Node ${process.version} (${(err as Error).message})`);
  } finally {
    process.emitWarning = emitWarning;
  }
  return sqlite;
}

/** One file's connection and who uses it. */
interface Shared {
  db: DatabaseSync;
  file: string;
  schema: DbSchema;
  users: number;
  /** A per-process temporary file: removed when the last user releases it. */
  temporary: boolean;
  /** Caches users keep per connection (the state store's last written lists). */
  memo: Map<string, unknown>;
}

const open = new Map<string, Shared>();
/** The key of the temporary database (no file configured and no user dir). */
const TEMPORARY = '\0temporary';

/** A user's reference to a shared database; release() once when done. */
export class TradebotDb {
  private released = false;

  private constructor(private readonly shared: Shared) {}

  /**
   * Opens (or shares) the database in `file`; without a file a temporary one that lives until
   * the last user releases it (Node-RED without a user dir, e.g. node-red-node-test-helper).
   * Throws a sentence naming the file when it cannot be opened or is not a tradebot database.
   */
  static open(file: string | undefined, schema: DbSchema = STATE_SCHEMA): TradebotDb {
    const key = file === undefined ? TEMPORARY + schema.what : path.resolve(file);
    let shared = open.get(key);
    if (!shared) {
      shared = file === undefined ? openTemporary(schema) : { db: openFile(key, schema), file: key, schema, users: 0, temporary: false, memo: new Map() };
      open.set(key, shared);
    } else if (shared.schema !== schema) {
      throw new Error(`the file ${shared.file} is already open as the tradebot ${shared.schema.what} database: the ${schema.what} database needs a file of its own`);
    }
    shared.users++;
    return new TradebotDb(shared);
  }

  get file(): string {
    return this.shared.file;
  }

  /** The connection; throws once this reference was released. */
  get db(): DatabaseSync {
    if (this.released) throw new Error(`the tradebot ${this.shared.schema.what} database ${this.shared.file} was closed`);
    return this.shared.db;
  }

  /** Per-connection cache shared by every user of the file (see Shared.memo). */
  get memo(): Map<string, unknown> {
    return this.shared.memo;
  }

  /**
   * Runs `work` in one transaction (BEGIN IMMEDIATE: the write lock first, so it cannot fail
   * half-way on a lock). Committed, and so fsync'd, when it returns; rolled back if it throws.
   */
  transaction<T>(work: (db: DatabaseSync) => T): T {
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work(db);
      db.exec('COMMIT');
      return result;
    } catch (err) {
      // A failed COMMIT (disk full, I/O error) can leave the transaction open: end it, so the
      // next write starts clean. (isTransaction: Node 22.16+; older 22s roll back regardless.)
      if ((db as { isTransaction?: boolean }).isTransaction !== false) {
        try {
          db.exec('ROLLBACK');
        } catch {
          /* nothing was open */
        }
      }
      throw err;
    }
  }

  /** Drops this reference; the last one closes the connection (and removes a temporary file). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const s = this.shared;
    if (--s.users > 0) return;
    open.delete(s.temporary ? TEMPORARY + s.schema.what : s.file);
    try {
      s.db.close();
    } finally {
      if (s.temporary) fs.rmSync(path.dirname(s.file), { recursive: true, force: true });
    }
  }
}

function openTemporary(schema: DbSchema): Shared {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tradebot-${schema.what}-`));
  const file = path.join(dir, `tradebot-${schema.what}.sqlite`);
  return { db: openFile(file, schema), file, schema, users: 0, temporary: true, memo: new Map() };
}

function openFile(file: string, schema: DbSchema): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  let db: DatabaseSync;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new DatabaseSync(file);
  } catch (err) {
    throw new Error(`cannot open the tradebot ${schema.what} file ${file}: ${reason(err)}`);
  }
  try {
    // Another connection (a second Node-RED on the same file, which is not supported) waits, not fails.
    db.exec('PRAGMA busy_timeout = 5000');
    const mode = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | undefined)?.journal_mode;
    if (mode !== 'wal') throw new Error(`the file system refused the WAL journal (journal mode ${mode})`);
    db.exec(`PRAGMA synchronous = ${schema.synchronous}`);
    migrate(db, schema.migrations);
    return db;
  } catch (err) {
    db.close();
    throw new Error(`cannot use the tradebot ${schema.what} file ${file}: ${reason(err)}`);
  }
}

function migrate(db: DatabaseSync, MIGRATIONS: DbSchema['migrations']): void {
  const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (version > MIGRATIONS.length) {
    throw new Error(`it was written by a newer version of node-red-contrib-tradebot (schema ${version}, this version knows ${MIGRATIONS.length})`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[v]!.sql);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new Error(`schema step ${v + 1} (${MIGRATIONS[v]!.name}) failed: ${reason(err)}`);
    }
  }
}

/** SQLite's errors say "unable to open database file"; the errno of the directory says more. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { errstr?: string };
  if (e.code === 'ENOTDIR' || (e.code === 'EEXIST' && e.syscall === 'mkdir')) return 'a part of the path is a file, not a directory';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  return e.message ?? String(err);
}
