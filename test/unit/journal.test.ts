/**
 * The trade journal on a real SQLite file: fills become closed trades (partial exits, exit
 * reasons, fees), a batch written twice leaves every row once, the queue survives a database that
 * cannot be written and writes its rows when it can again, retention removes raw rows and keeps
 * trades, and the queries answer with figures a person can check by hand.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../core/journal/journal';
import { parseJournalQuery, runJournalQuery, type JournalReader } from '../../core/journal/queries';
import { SqliteJournalStore } from '../../core/journal/sqlite-journal-store';
import { periodRows } from '../../core/journal/stats';
import type { FillRecord } from '../../core/journal/types';
import { fill, H, T0 } from '../support/journal-fixtures';



describe('trade journal (SQLite)', function () {
  let dir: string;
  let store: SqliteJournalStore;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-journal-test-'));
    store = new SqliteJournalStore({ file: path.join(dir, 'tradebot-journal.sqlite') });
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const batch = (fills: FillRecord[]) => ({ events: [], orders: [], fills, equity: [] });

  it('a buy and two partial sells are two closed trades with P&L net of both sides’ fees', async function () {
    const fills = [
      fill({ clientOrderId: 'tb-a', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1, strategy: 'sma-cross' }),
      fill({ clientOrderId: 'tb-b', side: 'sell', amount: 0.4, price: 110, ts: T0 + H, heldBefore: 1, heldAfter: 0.6 }),
      fill({ clientOrderId: 'tb-a-sl', side: 'sell', amount: 0.6, price: 95, ts: T0 + 2 * H, heldBefore: 0.6, heldAfter: 0, stopClose: true, reason: 'stop-loss at 95 (price 95)' }),
    ];
    await store.write('acc', batch(fills));
    const trades = await store.trades('acc');
    assert.equal(trades.length, 2);
    const [stop, first] = trades; // newest exit first
    assert.equal(first!.id, 'tb-b');
    assert.equal(first!.exitReason, 'signal');
    assert.equal(first!.strategy, 'sma-cross');
    assert.equal(first!.entryTs, T0);
    assert.equal(first!.durationMs, H);
    // 0.4 x 110 - 0.044 fee - (0.4 x 100 + 0.4 x 0.1 buy fee) = 3.916
    assert.ok(Math.abs(first!.pnl - 3.916) < 1e-9, String(first!.pnl));
    assert.ok(Math.abs(first!.pnlPct - (100 * 3.916) / 40.04) < 1e-9);
    assert.equal(stop!.exitReason, 'stop-loss');
    // 0.6 x 95 - 0.057 - (60 + 0.06) = -3.117
    assert.ok(Math.abs(stop!.pnl - -3.117) < 1e-9, String(stop!.pnl));
    assert.equal(stop!.durationMs, 2 * H);
  });

  it('the same fills written again (a retry, the catch-up after a restart) change nothing', async function () {
    const fills = [
      fill({ clientOrderId: 'tb-a', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1 }),
      fill({ clientOrderId: 'tb-b', side: 'sell', amount: 1, price: 120, ts: T0 + H, heldBefore: 1, heldAfter: 0 }),
    ];
    await store.write('acc', batch(fills));
    const once = await store.trades('acc');
    await store.write('acc', batch(fills));
    await store.write('acc', batch([fills[1]!]));
    assert.deepEqual(await store.trades('acc'), once);
    assert.equal((await store.fills('acc')).length, 2);
  });

  it('an exit order filled in parts is one closed trade', async function () {
    await store.write('acc', batch([fill({ clientOrderId: 'tb-a', side: 'buy', amount: 2, price: 100, ts: T0, heldBefore: 0, heldAfter: 2 })]));
    await store.write('acc', batch([fill({ clientOrderId: 'tb-s', side: 'sell', amount: 1, price: 110, ts: T0 + H, heldBefore: 2, heldAfter: 1 }, 1)]));
    await store.write('acc', batch([fill({ clientOrderId: 'tb-s', side: 'sell', amount: 1, price: 120, ts: T0 + 2 * H, heldBefore: 1, heldAfter: 0 }, 2)]));
    const [t] = await store.trades('acc');
    assert.equal((await store.trades('acc')).length, 1);
    assert.equal(t!.amount, 2);
    assert.equal(t!.exitPrice, 115);
    assert.equal(t!.exitTs, T0 + 2 * H);
    // 230 - 0.23 (sell fees) - 200 - 0.2 (buy fee)
    assert.ok(Math.abs(t!.pnl - 29.57) < 1e-9, String(t!.pnl));
    assert.ok(Math.abs(t!.pnlPct - (100 * 29.57) / 200.2) < 1e-9, String(t!.pnlPct));
  });

  it('force exits and breaker flattens are told apart from signals and stops', async function () {
    const buy = (id: string, ts: number) => fill({ clientOrderId: id, side: 'buy', amount: 1, price: 100, ts, heldBefore: 0, heldAfter: 1 });
    const sell = (id: string, ts: number, extra: Partial<FillRecord>) => fill({ clientOrderId: id, side: 'sell', amount: 1, price: 100, ts, heldBefore: 1, heldAfter: 0, ...extra });
    await store.write('acc', batch([
      buy('b1', T0), sell('fx1', T0 + 1, { reason: 'force exit' }),
      buy('b2', T0 + 2), sell('fx2', T0 + 3, { reason: 'force exit: drawdown breaker tripped (flatten)' }),
      buy('b3', T0 + 4), sell('tp', T0 + 5, { stopClose: true, reason: 'take-profit rung 1 at 110 (price 111): 50 % of the position' }),
      buy('b4', T0 + 6), sell('tr', T0 + 7, { stopClose: true, reason: 'trailing-stop at 98 (price 97)' }),
    ]));
    const reasons = Object.fromEntries((await store.trades('acc')).map((t) => [t.id, t.exitReason]));
    assert.deepEqual(reasons, { fx1: 'force-exit', fx2: 'breaker', tp: 'take-profit', tr: 'trailing-stop' });
  });

  it('rows wait while the file cannot take them (size limit reached), trading calls never throw, and are written once room is made', async function () {
    const small = new SqliteJournalStore({ file: path.join(dir, 'small.sqlite'), maxBytes: 64 * 1024 });
    const statuses: string[] = [];
    const journal = new Journal({ store: small, account: 'acc', exchange: 'sim', now: () => T0, flushMs: 5, onStatus: (s) => statuses.push(`${s.level}: ${s.text}`) });
    await journal.start();
    const big = 'x'.repeat(4000);
    for (let i = 0; i < 40; i++) journal.lifecycle({ kind: 'lifecycle', event: 'start', exchange: 'sim', reason: big, ts: T0 + i });
    await assert.rejects(journal.flush(), /disk is full or the journal reached its size limit/);
    assert.equal(journal.health().state, 'down');
    assert.ok(journal.health().queued > 0);
    assert.match(statuses[0]!, /^error: journal: the disk is full or the journal reached its size limit/);
    // Room again (here: the limit lifted; in use: retention or a bigger tradebotJournalMaxMB).
    (small as unknown as { handle: { db: { exec(s: string): void } } }).handle.db.exec('PRAGMA max_page_count = 1000000');
    await journal.flush();
    assert.equal(journal.health().state, 'ok');
    assert.equal((await small.events('acc')).length, 40);
    assert.match(statuses.at(-1)!, /^ok: journal: writing again/);
    await journal.close();
    await small.close();
  });

  it('a damaged journal file is a clear error, not a crash', async function () {
    const file = path.join(dir, 'damaged.sqlite');
    fs.writeFileSync(file, 'this is not a database '.repeat(500));
    const damaged = new SqliteJournalStore({ file });
    const statuses: string[] = [];
    const journal = new Journal({ store: damaged, account: 'acc', exchange: 'sim', now: () => T0, flushMs: 5, onStatus: (s) => statuses.push(`${s.level}: ${s.text}`) });
    await journal.start();
    journal.lifecycle({ kind: 'lifecycle', event: 'start', exchange: 'sim', reason: 'x', ts: T0 });
    await assert.rejects(journal.flush(), /journal file is damaged/);
    assert.match(statuses[0]!, /^error: journal: .*damaged.*move it away/);
    await journal.close(10);
  });

  it('retention removes raw rows older than keepDays and keeps the closed trades', async function () {
    const now = T0 + 100 * 86_400_000;
    const journal = new Journal({ store, account: 'acc', exchange: 'sim', now: () => now, keepDays: 30 });
    await journal.start();
    journal.fill(fill({ clientOrderId: 'old-b', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1 }));
    journal.fill(fill({ clientOrderId: 'old-s', side: 'sell', amount: 1, price: 100, ts: T0 + H, heldBefore: 1, heldAfter: 0 }));
    journal.equity({ ts: T0, equity: 1000, currency: 'USDT' });
    journal.equity({ ts: now, equity: 1001, currency: 'USDT' });
    await journal.flush();
    await journal.prune();
    assert.equal((await store.fills('acc')).length, 0);
    assert.deepEqual((await store.equity('acc')).map((p) => p.ts), [now]);
    assert.equal((await store.trades('acc')).length, 1);
    await journal.close();
  });

  it('queries: bad input names the field; daily rows include empty days; profit sums the trades', async function () {
    assert.throws(() => parseJournalQuery({ query: 'trade' }), /msg\.payload\.query: must be one of trades, profit/);
    assert.throws(() => parseJournalQuery({ query: 'trades', limit: 0 }), /msg\.payload\.limit: must be a whole number from 1 to 10000/);
    assert.throws(() => parseJournalQuery({ query: 'daily', days: 3 }), /msg\.payload\.days: is not a field of the daily query \(it takes count\)/);
    assert.throws(() => parseJournalQuery(42), /msg\.payload: a journal query is a name/);
    assert.deepEqual(parseJournalQuery('weekly'), { query: 'weekly', count: 4 });
    await store.write('acc', batch([
      fill({ clientOrderId: 'b1', side: 'buy', amount: 1, price: 100, ts: T0 - 2 * 86_400_000, heldBefore: 0, heldAfter: 1 }),
      fill({ clientOrderId: 's1', side: 'sell', amount: 1, price: 110, ts: T0 - 2 * 86_400_000 + H, heldBefore: 1, heldAfter: 0 }),
      fill({ clientOrderId: 'b2', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1 }),
      fill({ clientOrderId: 's2', side: 'sell', amount: 1, price: 90, ts: T0 + H, heldBefore: 1, heldAfter: 0 }),
    ]));
    const reader: JournalReader = { store, account: 'acc', now: () => T0 + 2 * H, positions: async () => [], openOrders: async () => 0 };
    const daily = (await runJournalQuery(reader, parseJournalQuery({ query: 'daily', count: 3 }))) as ReturnType<typeof periodRows>;
    assert.deepEqual(daily.map((d) => [d.period, d.trades]), [['2026-11-30', 1], ['2026-11-29', 0], ['2026-11-28', 1]]);
    const profit = (await runJournalQuery(reader, parseJournalQuery('profit'))) as { trades: number; profit: number; winRate: number };
    assert.equal(profit.trades, 2);
    assert.equal(profit.winRate, 0.5);
    // (110 - 0.11 - 100.1) + (90 - 0.09 - 100.1)
    assert.ok(Math.abs(profit.profit - (9.79 - 10.19)) < 1e-9, String(profit.profit));
    const count = await runJournalQuery(reader, parseJournalQuery('count'));
    assert.deepEqual(count, { openPositions: 0, openOrders: 0, closedTrades: 2 });
  });
});
