/**
 * One account's closed trades and equity curve, kept in memory for a page that asks every few
 * seconds (the performance page): each time only what is new is read from the journal. Reading
 * everything each time would block the process (node:sqlite reads synchronously) for about 40 ms
 * per 1,000 trades and equity points on every refresh of every open page (docs/performance.md).
 *
 * New trades have an exit at or after the newest one held (a trade a partial exit extends gets
 * a later exit, so it is read again and replaces the old row); when the journal's count differs
 * from what is held (retention removed old trades, a backtest replaced its run, fills caught up
 * after a restart), everything is read again, and in any case every `fullEveryMs`. What is held
 * is let go after `idleMs` without a question.
 */
import type { ClosedTrade, EquityPoint, JournalStore } from './types';

export interface JournalCacheOptions {
  store: JournalStore;
  account: string;
  /** Read everything again at least this often (default 5 min). */
  fullEveryMs?: number;
  /** Let go of the rows after this long without a read (default 2 min). */
  idleMs?: number;
  wallClock?: () => number;
}

export class JournalCache {
  /** Newest exit first, as the journal gives them; byId holds the same rows. */
  private tradeList: ClosedTrade[] | undefined;
  private byId = new Map<string, ClosedTrade>();
  /** Oldest first; points are added at the end (in place: a read hands out the array, never changed while in use). */
  private points: EquityPoint[] | undefined;
  private loadedAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** One read at a time: two pages refreshing together share it. */
  private reading: Promise<{ trades: ClosedTrade[]; equity: EquityPoint[] }> | undefined;

  constructor(private readonly o: JournalCacheOptions) {}

  /**
   * All closed trades (newest exit first) and the whole equity curve (oldest first). The arrays
   * are the cache's own: read them, do not change them, and do not keep them past the next read.
   */
  read(): Promise<{ trades: ClosedTrade[]; equity: EquityPoint[] }> {
    this.reading ??= this.load().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async load(): Promise<{ trades: ClosedTrade[]; equity: EquityPoint[] }> {
    const { store, account } = this.o;
    const now = (this.o.wallClock ?? Date.now)();
    this.keepAlive();
    const fresh = this.tradeList && this.points && now - this.loadedAt < (this.o.fullEveryMs ?? 300_000) && (await this.topUp());
    if (!fresh) {
      this.tradeList = await store.trades(account);
      this.byId = new Map(this.tradeList.map((t) => [t.id, t]));
      this.points = await store.equity(account);
      this.loadedAt = now;
    }
    return { trades: this.tradeList!, equity: this.points! };
  }

  /** Reads what is new; false when everything must be read again. */
  private async topUp(): Promise<boolean> {
    const { store, account } = this.o;
    let trades = this.tradeList!;
    const since = trades.length ? trades[0]!.exitTs : 0;
    // Every trade exiting at or after the newest one held: new ones, and those read again.
    const fresh = await store.trades(account, { from: since });
    if (fresh.length) {
      // Those held with an exit at `since` are among them (the head of the list); one held with
      // an older exit (a partial exit whose later part came late) means reading everything.
      let head = 0;
      while (head < trades.length && trades[head]!.exitTs >= since) head++;
      for (const t of fresh) {
        const held = this.byId.get(t.id);
        if (held && held.exitTs < since) return false;
      }
      for (let i = 0; i < head; i++) this.byId.delete(trades[i]!.id);
      for (const t of fresh) this.byId.set(t.id, t);
      trades = fresh.concat(trades.slice(head));
      this.tradeList = trades;
    }
    if (trades.length !== (await store.countTrades(account))) return false;
    const equity = this.points!;
    const last = equity.length ? equity[equity.length - 1]!.ts : 0;
    const newer = await store.equity(account, last);
    while (equity.length && equity[equity.length - 1]!.ts >= last) equity.pop();
    for (const p of newer) equity.push(p);
    return true;
  }
  private keepAlive(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.forget(), this.o.idleMs ?? 120_000);
    this.idleTimer.unref?.();
  }

  /** Lets go of what is held (the next read reads everything). */
  forget(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.tradeList = undefined;
    this.byId = new Map();
    this.points = undefined;
  }
}
