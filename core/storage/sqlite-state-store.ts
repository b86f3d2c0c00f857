/**
 * The state store in the tradebot database (tradebot-db.ts): durable by itself, whatever the
 * Node-RED context settings. set() commits one transaction, fsync'd, before it resolves, so the
 * account's write-ahead record of an order is on disk before the order is sent.
 *
 * A document's top-level lists of strings (the account's used client order ids, the risk gate's
 * approved signal ids: up to 10,000 each, ~100 KB of JSON) are kept as rows: a write deletes the
 * ids dropped at the front and appends the new ones at the end, instead of serialising and
 * rewriting the whole list after every order. Any other change of a list rewrites that list.
 * The rest of the document is one JSON text. get() puts the document back together as written.
 */
import type { StateStore } from '../state-store';
import type { StatementSync } from 'node:sqlite';
import { TradebotDb } from './tradebot-db';

/** What was last written (or read) of one list: its items and the seq of the first. */
interface ListMemo {
  items: string[];
  firstSeq: number;
}
/** Per key: the lists of the document as the file holds them now. */
type KeyMemo = Map<string, ListMemo>;

export class SqliteStateStore implements StateStore {
  private handle: TradebotDb | undefined;
  private closed = false;

  /** `file` undefined: a temporary database for this process (see TradebotDb.open). */
  constructor(readonly file: string | undefined) {}

  /** Opens the file now (else at the first get/set): a bad path is then an error at deploy. */
  open(): TradebotDb {
    if (this.closed) throw new Error('the state store was closed');
    this.handle ??= TradebotDb.open(this.file);
    return this.handle;
  }

  /** Where the state is (the resolved path; a temporary file when none was configured). */
  get location(): string {
    return this.open().file;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const db = this.open();
    const row = sql(db.db, db, 'SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) {
      memos(db).delete(key);
      return undefined;
    }
    const value = JSON.parse(row.value) as unknown;
    if (!isDocument(value)) return value as T;
    const lists: KeyMemo = new Map();
    for (const [field, v] of Object.entries(value)) if (Array.isArray(v) && v.length === 0) lists.set(field, { items: [], firstSeq: 0 });
    const items = sql(db.db, db, 'SELECT field, seq, item FROM state_items WHERE key = ? ORDER BY field, seq').all(key) as Array<{ field: string; seq: number; item: string }>;
    for (const { field, seq, item } of items) {
      const list = lists.get(field);
      if (!list) continue; // not a list of this document (cannot happen: set() removes such rows)
      if (list.items.length === 0) list.firstSeq = Number(seq);
      list.items.push(item);
    }
    for (const [field, list] of lists) value[field] = list.items.slice();
    memos(db).set(key, lists);
    return value as T;
  }

  async set<T>(key: string, value: T): Promise<void> {
    const db = this.open();
    const known = memos(db).get(key);
    const next: KeyMemo = new Map();
    let text: string;
    const writes: Array<(d: TradebotDb['db']) => void> = [];
    if (isDocument(value)) {
      const rest: Record<string, unknown> = { ...value };
      for (const [field, v] of Object.entries(value)) {
        if (!isStringList(v)) continue;
        rest[field] = [];
        const before = known?.get(field);
        const items = v.slice();
        const delta = before && appendDelta(before.items, items);
        if (before && delta) {
          const firstSeq = before.firstSeq + delta.dropped;
          const fromSeq = before.firstSeq + before.items.length;
          next.set(field, { items, firstSeq });
          writes.push((d) => {
            if (delta.dropped > 0) sql(d, db, 'DELETE FROM state_items WHERE key = ? AND field = ? AND seq < ?').run(key, field, firstSeq);
            if (delta.added > 0) insertItems(sql(d, db, INSERT_ITEM), key, field, fromSeq, items, items.length - delta.added);
          });
        } else {
          next.set(field, { items, firstSeq: 0 });
          writes.push((d) => {
            sql(d, db, 'DELETE FROM state_items WHERE key = ? AND field = ?').run(key, field);
            insertItems(sql(d, db, INSERT_ITEM), key, field, 0, items, 0);
          });
        }
      }
      text = JSON.stringify(rest);
      // Lists of the last write that are not lists now (or rows of an unknown past): gone.
      if (!known) writes.unshift((d) => sql(d, db, 'DELETE FROM state_items WHERE key = ?').run(key));
      else for (const field of known.keys()) if (!next.has(field)) writes.push((d) => sql(d, db, 'DELETE FROM state_items WHERE key = ? AND field = ?').run(key, field));
    } else {
      text = JSON.stringify(value);
      if (known === undefined || known.size > 0) writes.push((d) => sql(d, db, 'DELETE FROM state_items WHERE key = ?').run(key));
    }
    if (text === undefined) throw new Error(`state ${key}: the value cannot be stored as JSON`);
    try {
      db.transaction((d) => {
        sql(d, db, 'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, text);
        for (const write of writes) write(d);
      });
    } catch (err) {
      // What the file holds is the last committed write; the next write of this key starts over.
      memos(db).delete(key);
      throw err;
    }
    memos(db).set(key, next);
  }

  async delete(key: string): Promise<void> {
    const db = this.open();
    db.transaction((d) => {
      sql(d, db, 'DELETE FROM state WHERE key = ?').run(key);
      sql(d, db, 'DELETE FROM state_items WHERE key = ?').run(key);
    });
    memos(db).delete(key);
  }

  /** Releases the shared database (closed when its last user releases it). */
  close(): void {
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    handle?.release();
  }
}

const MEMO = 'sqlite-state-store:lists';
const STATEMENTS = 'sqlite-state-store:statements';

/** Prepared once per connection: a write runs a handful of them. */
function sql(d: TradebotDb['db'], db: TradebotDb, text: string): StatementSync {
  let cache = db.memo.get(STATEMENTS) as Map<string, StatementSync> | undefined;
  if (!cache) db.memo.set(STATEMENTS, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = d.prepare(text)));
  return statement;
}

/** The list memos of a database, shared by every store on the same file. */
function memos(db: TradebotDb): Map<string, KeyMemo> {
  let m = db.memo.get(MEMO) as Map<string, KeyMemo> | undefined;
  if (!m) db.memo.set(MEMO, (m = new Map()));
  return m;
}

function isDocument(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/**
 * `next` as `before` with its first `dropped` items removed and `added` items appended (how the
 * id lists grow and are trimmed); undefined for any other change. O(n) comparisons of string
 * references: the same strings, so each is a pointer compare.
 */
function appendDelta(before: string[], next: string[]): { dropped: number; added: number } | undefined {
  let dropped = 0;
  if (next.length === 0) dropped = before.length;
  else {
    // The first kept item; ids are unique, so the first match is the one (usually at 0 or 1).
    dropped = before.indexOf(next[0]!);
    if (dropped < 0) dropped = before.length;
  }
  const kept = before.length - dropped;
  if (kept > next.length) return undefined;
  for (let i = 0; i < kept; i++) if (before[dropped + i] !== next[i]) return undefined;
  return { dropped, added: next.length - kept };
}

const INSERT_ITEM = 'INSERT INTO state_items (key, field, seq, item) VALUES (?, ?, ?, ?)';

function insertItems(insert: StatementSync, key: string, field: string, firstSeq: number, items: string[], from: number): void {
  for (let i = from; i < items.length; i++) insert.run(key, field, firstSeq + (i - from), items[i]!);
}
