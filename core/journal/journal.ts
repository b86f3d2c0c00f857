/**
 * The journal writer of one account (docs/journal.md). The trading flow hands it rows and never
 * waits: rows are queued and written in batches (one transaction each) a moment later. When the
 * database cannot take them (PostgreSQL down, the disk full, a damaged file) trading goes on, a
 * bounded queue keeps the newest rows, the status says so, and writing is retried with backoff;
 * fills the queue had to drop are written again from the account's state (catchUp), so none is
 * lost and none is written twice.
 */
import type { Drift, Lifecycle, OrderRequest, OrderUpdate, Rejection, Signal } from '../contract';
import { errorText, type Logger } from '../logger';
import { batchSize, emptyBatch } from './journal-batch';
import { driftEvent, lifecycleEvent, orderRequestEvent, orderRow, orderUpdateEvent, rejectionEvent, signalEvent } from './journal-events';
import type { EquityPoint, FillRecord, JournalBatch, JournalEvent, JournalStore } from './types';

const DAY = 86_400_000;

export interface JournalOptions {
  store: JournalStore;
  /** Where a failed pruning is written (nobody waits on it; the next hour tries again). */
  log?: Logger;
  /** The account's key in the journal: `<exchange node id>:<mode>`. */
  account: string;
  /** The exchange id payloads carry ("sim", "binance"): for the events the journal makes itself. */
  exchange: string;
  /** How long raw rows (events, orders, fills, equity) are kept, days; 0 keeps them forever. Default 90. */
  keepDays?: number;
  /** How long closed trades are kept, days; 0 (the default) keeps them forever. */
  keepTradeDays?: number;
  /** The clock rows are timed by (the exchange's: virtual in sim and backtest), for retention. */
  now: () => number;
  /** Batch window, ms (default 500): rows wait at most this long before their write starts. */
  flushMs?: number;
  /** Rows held while the database cannot take them (default 50,000); beyond that the oldest go. */
  maxQueued?: number;
  /**
   * Rows per transaction (default 250). A SQLite write holds the event loop while it runs
   * (node:sqlite is synchronous), so a big queue (a burst of orders, the catch-up) is written in
   * several transactions, and the flow's messages go first between them.
   */
  maxRowsPerWrite?: number;
  /** Hears when writing fails and when it works again. */
  onStatus?: (status: JournalStatus) => void;
}

export interface JournalStatus {
  level: 'ok' | 'warn' | 'error';
  text: string;
}

/** What health and the performance page say of the journal. */
export interface JournalHealth {
  backend: 'sqlite' | 'postgresql';
  location: string;
  /** ok: writing; down: the last write failed and rows wait; starting: not open yet. */
  state: 'ok' | 'down' | 'starting' | 'closed';
  /** Rows waiting to be written. */
  queued: number;
  /** Rows dropped because the queue was full (fills among them are written again from the account's state). */
  dropped: number;
  error?: string;
  /** Wall clock of the last successful write. */
  lastWriteAt?: number;
}

export class Journal {
  private queue: JournalBatch = emptyBatch();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private opened = false;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private error: string | undefined;
  private lastWriteAt: number | undefined;
  private readonly flushMs: number;
  private readonly maxQueued: number;
  private readonly maxRowsPerWrite: number;
  /** The account's remembered fills: written again when the queue had to drop rows. */
  private fillSource: (() => FillRecord[]) | undefined;
  /** Strategy and signal of orders placed through this journal, for their order rows. */
  private readonly requests = new Map<string, { strategy?: string; signalId?: string }>();

  constructor(readonly o: JournalOptions) {
    this.flushMs = o.flushMs ?? 500;
    this.maxQueued = o.maxQueued ?? 50_000;
    this.maxRowsPerWrite = o.maxRowsPerWrite ?? 250;
  }

  get store(): JournalStore {
    return this.o.store;
  }

  get account(): string {
    return this.o.account;
  }

  get exchange(): string {
    return this.o.exchange;
  }

  private started: Promise<void> | undefined;

  /** Resolves once start() has tried to open the database (opened or not: see health()). */
  ready(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  /** Opens the database (a failure is a status, and is tried again) and starts the hourly retention. */
  start(): Promise<void> {
    this.started ??= this.startOnce();
    return this.started;
  }

  private async startOnce(): Promise<void> {
    await this.tryOpen();
    const prune = () => void this.prune().catch((err) => this.o.log?.warn(`journal: old rows not pruned (tried again in an hour): ${errorText(err)}`));
    this.pruneTimer = setInterval(prune, 3_600_000);
    this.pruneTimer.unref();
    prune();
  }

  private async tryOpen(): Promise<boolean> {
    if (this.opened) return true;
    try {
      await this.o.store.open();
      this.opened = true;
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  signal(s: Signal): void {
    this.event(signalEvent(s));
  }

  rejection(r: Rejection): void {
    this.event(rejectionEvent(r));
  }

  orderRequest(r: OrderRequest): void {
    if (r.strategy || r.signalId) this.rememberRequest(r.clientOrderId, { strategy: r.strategy, signalId: r.signalId });
    this.event(orderRequestEvent(r));
  }

  order(u: OrderUpdate): void {
    this.event(orderUpdateEvent(u));
    this.queue.orders.push(orderRow(u, this.requests.get(u.clientOrderId)));
    this.schedule();
  }

  lifecycle(l: Lifecycle): void {
    this.event(lifecycleEvent(l));
  }

  drift(d: Drift): void {
    this.event(driftEvent(d));
  }

  fill(f: FillRecord): void {
    this.queue.fills.push(f);
    this.schedule();
  }

  equity(point: EquityPoint): void {
    if (!Number.isFinite(point.equity)) return;
    this.queue.equity.push(point);
    this.schedule();
  }

  /**
   * Follows the account's remembered fills (its state's tail): those the journal lacks are written
   * now (after a crash), and again whenever writing works after the queue had to drop rows.
   */
  followFills(source: () => FillRecord[]): void {
    this.fillSource = source;
    this.catchUp(source());
  }

  /** Fills the account remembers (its state's tail): the journal writes those it does not have. */
  catchUp(fills: FillRecord[]): void {
    if (!fills.length) return;
    this.queue.fills.unshift(...fills);
    this.schedule();
  }

  private event(e: JournalEvent): void {
    this.queue.events.push(e);
    this.schedule();
  }

  private rememberRequest(id: string, r: { strategy?: string; signalId?: string }): void {
    this.requests.set(id, r);
    if (this.requests.size > 10_000) this.requests.delete(this.requests.keys().next().value!);
  }

  private schedule(): void {
    if (this.closed) return;
    this.bound();
    if (this.timer || this.writing || this.retryTimer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, this.flushMs);
    this.timer.unref?.();
  }

  /** Keeps the queue within its bound: the oldest rows go first (fills last: the account can give them again). */
  private bound(): void {
    let over = batchSize(this.queue) - this.maxQueued;
    if (over <= 0) return;
    for (const list of [this.queue.events, this.queue.equity, this.queue.orders, this.queue.fills] as unknown[][]) {
      const n = Math.min(over, list.length);
      if (n > 0) {
        list.splice(0, n);
        this.dropped += n;
        over -= n;
      }
      if (over <= 0) break;
    }
  }

  /** Writes what is queued now; resolves when it is written (or the write failed and was queued again). */
  private writeNow(): Promise<void> {
    if (this.writing) return this.writing;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
      // Rows that came while writing.
      if (batchSize(this.queue) > 0 && !this.retryTimer && !this.closed) this.schedule();
    });
    return this.writing;
  }

  private async writeQueued(): Promise<void> {
    while (batchSize(this.queue) > 0) {
      if (!(await this.tryOpen())) return this.retryLater();
      const batch = this.takeChunk();
      try {
        await this.o.store.write(this.o.account, batch);
      } catch (err) {
        // Put back in front of what came meanwhile, in order; written again later (idempotent).
        this.queue = {
          events: [...batch.events, ...this.queue.events],
          orders: [...batch.orders, ...this.queue.orders],
          fills: [...batch.fills, ...this.queue.fills],
          equity: [...batch.equity, ...this.queue.equity],
        };
        this.bound();
        this.fail(err);
        return this.retryLater();
      }
      this.lastWriteAt = Date.now();
      if (this.failures > 0 || this.error !== undefined) {
        this.failures = 0;
        this.error = undefined;
        // Fills the full queue dropped: the account still has its last ones.
        if (this.dropped > 0 && this.fillSource) this.catchUp(this.fillSource());
        this.tell({ level: 'ok', text: `journal: writing again to ${this.o.store.location}${this.dropped ? ` (${this.dropped} rows were dropped while it failed)` : ''}` });
      }
      // The flow's messages waiting meanwhile go before the next transaction.
      if (batchSize(this.queue) > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The next transaction's rows, oldest first: the whole queue, or maxRowsPerWrite of it (fills first). */
  private takeChunk(): JournalBatch {
    const queue = this.queue;
    if (batchSize(queue) <= this.maxRowsPerWrite) {
      this.queue = emptyBatch();
      return queue;
    }
    let room = this.maxRowsPerWrite;
    const take = <T>(list: T[]): T[] => {
      const rows = list.splice(0, Math.min(room, list.length));
      room -= rows.length;
      return rows;
    };
    const fills = take(queue.fills);
    const orders = take(queue.orders);
    const events = take(queue.events);
    const equity = take(queue.equity);
    return { events, orders, fills, equity };
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer) return;
    // 1 s, 2 s, 4 s ... 30 s.
    const delay = Math.min(30_000, 1_000 * 2 ** Math.min(5, this.failures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.writeNow();
    }, delay);
    this.retryTimer.unref?.();
  }

  private fail(err: unknown): void {
    const message = describeJournalError(err);
    this.failures++;
    const changed = message !== this.error;
    this.error = message;
    if (changed || this.failures === 1) {
      const level = /down|refused|unreachable|timeout|terminated|connect/i.test(message) ? 'warn' : 'error';
      this.tell({ level, text: `journal: ${message}; trading goes on, ${batchSize(this.queue)} rows waiting` });
    }
  }

  private tell(status: JournalStatus): void {
    try {
      this.o.onStatus?.(status);
    } catch {
      /* a listener's failure is not the journal's */
    }
  }

  /** Applies retention: raw rows older than keepDays, trades older than keepTradeDays (when set). */
  async prune(): Promise<void> {
    const keep = this.o.keepDays ?? 90;
    const keepTrades = this.o.keepTradeDays ?? 0;
    if (!(keep > 0) && !(keepTrades > 0)) return;
    if (!(await this.tryOpen())) return;
    const now = this.o.now();
    await this.o.store.prune(this.o.account, keep > 0 ? now - keep * DAY : 0, keepTrades > 0 ? now - keepTrades * DAY : undefined);
  }

  /** Writes everything queued so far (a test, a backtest's end, the close). Rejects if the write fails. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.writing) await this.writing;
    if (batchSize(this.queue) === 0) return;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    await this.writeNow();
    if (batchSize(this.queue) > 0) throw new Error(`journal: ${this.error ?? 'rows could not be written'}`);
  }

  health(): JournalHealth {
    return {
      backend: this.o.store.backend,
      location: this.o.store.location,
      state: this.closed ? 'closed' : this.error !== undefined ? 'down' : this.opened ? 'ok' : 'starting',
      queued: batchSize(this.queue),
      dropped: this.dropped,
      ...(this.error !== undefined ? { error: this.error } : {}),
      ...(this.lastWriteAt !== undefined ? { lastWriteAt: this.lastWriteAt } : {}),
    };
  }

  /** Writes what is queued (waiting at most `waitMs`), then stops. The store is closed by its owner. */
  async close(waitMs = 5_000): Promise<void> {
    if (this.closed) return;
    let timeout: NodeJS.Timeout | undefined;
    // A failed last write shows in the journal's status (and its dropped count); closing goes on.
    await Promise.race([this.flush().catch(() => undefined), new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
    this.closed = true;
    for (const t of [this.timer, this.retryTimer]) if (t) clearTimeout(t);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }
}

/** A database error in one line, without what could be a secret (a connection string's password). */
export function describeJournalError(err: unknown): string {
  const e = err as { message?: string; code?: string };
  let text = String(e?.message ?? err).split('\n')[0]!;
  text = text.replace(/(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, '$1***@');
  if (e?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) return `database down (connection refused: ${text.replace(/^.*ECONNREFUSED\s*/, '') || 'ECONNREFUSED'})`;
  // PostgreSQL stopping or starting (57P01-57P03), connections cut or never made (class 08), a server that stopped answering (connect and read timeouts).
  if (/^(57P0[1-3]|08...)$/.test(e?.code ?? '') || /Connection terminated|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|timeout exceeded when trying to connect|Query read timeout/i.test(`${text} ${e?.code ?? ''}`)) {
    return `database down (${text || e?.code})`;
  }
  if (/database or disk is full|SQLITE_FULL|ENOSPC/i.test(text)) return `the disk is full or the journal reached its size limit (${text})`;
  if (/file is not a database|malformed|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(text)) return `the journal file is damaged (${text}): move it away and restart to start a new one`;
  return text;
}
