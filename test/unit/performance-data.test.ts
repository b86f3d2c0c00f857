/**
 * The performance page's data (core/journal/performance.ts) from trades whose figures are worked
 * out by hand, read from a real SQLite journal: totals, per pair / strategy / exit reason, the
 * daily rows, the equity curve (closed by the account's value now, thinned out when long), the
 * infinite profit factor as null; trades.csv quoted by RFC 4180 and safe to open in a spreadsheet;
 * the page's tables (view.js) escape what the journal holds; and the cache a refreshing page reads
 * through gives what the journal holds while reading only what is new.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CSV_COLUMNS, csvText, performanceData, thinIndexes, tradesCsv, type PerformanceData } from '../../core/journal/performance';
import type { JournalHealth } from '../../core/journal/journal';
import type { JournalReader, OpenPosition } from '../../core/journal/queries';
import { JournalCache } from '../../core/journal/journal-cache';
import { SqliteJournalStore } from '../../core/journal/sqlite-journal-store';
import type { FillRecord } from '../../core/journal/types';
import { fill, H, T0 } from '../support/journal-fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..');


/** Fees are 0.1 % of each fill. Worked out by hand below. */
const FILLS = [
  fill({ clientOrderId: 'tb-a', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1, strategy: 'sma' }),
  // 0.4 x 110 - 0.044 - (40 + 0.04) = 3.916
  fill({ clientOrderId: 'tb-b', side: 'sell', amount: 0.4, price: 110, ts: T0 + H, heldBefore: 1, heldAfter: 0.6, strategy: 'sma' }),
  // 0.6 x 95 - 0.057 - (60 + 0.06) = -3.117
  fill({ clientOrderId: 'tb-a-sl', side: 'sell', amount: 0.6, price: 95, ts: T0 + 2 * H, heldBefore: 0.6, heldAfter: 0, stopClose: true, reason: 'stop-loss at 95 (price 95)' }),
  fill({ clientOrderId: 'tb-c', symbol: 'ETH/USDT', side: 'buy', amount: 2, price: 50, ts: T0 + 3 * H, heldBefore: 0, heldAfter: 2, strategy: 'rsi' }),
  // Next day (UTC): 2 x 60 - 0.12 - (100 + 0.1) = 19.78
  fill({ clientOrderId: 'tb-c-tp', symbol: 'ETH/USDT', side: 'sell', amount: 2, price: 60, ts: T0 + 25 * H, heldBefore: 2, heldAfter: 0, stopClose: true, reason: 'take-profit at 60 (price 60)' }),
];

const HEALTH: JournalHealth = { backend: 'sqlite', location: '/tmp/x.sqlite', state: 'ok', queued: 0, dropped: 0 };
const INFO = { id: 'ex1', name: 'my sim', exchange: 'sim', mode: 'sim', currency: 'USDT' };
const near = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} (expected ${b})`);

/** RFC 4180, as a spreadsheet reads it: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ''), i++;
    } else cell += c;
  }
  assert.equal(cell + row.join(''), '', 'the file ends with CRLF');
  return rows;
}

describe('performance page data (core/journal/performance.ts)', function () {
  let dir: string;
  let store: SqliteJournalStore;
  let positions: () => Promise<OpenPosition[]>;
  let reader: JournalReader;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-performance-test-'));
    store = new SqliteJournalStore({ file: path.join(dir, 'journal.sqlite') });
    await store.open();
    positions = async () => [{ symbol: 'SOL/USDT', amount: 3, avgEntry: 20, lastPrice: 22, unrealizedPnl: 6, unrealizedPct: 10 }];
    reader = { store, account: 'ex1:sim', now: () => T0 + 26 * H, positions: () => positions(), openOrders: async () => 0 };
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (fills: FillRecord[], equity: Array<[number, number]> = []) =>
    store.write('ex1:sim', { events: [], orders: [], fills, equity: equity.map(([ts, e]) => ({ ts, equity: e, currency: 'USDT' })) });

  it('totals, positions, trades, per pair / strategy / exit reason and days from known trades', async function () {
    await write(FILLS, [
      [T0, 10_000],
      [T0 + 12 * H, 9_990],
    ]);
    const d = await performanceData(reader, INFO, { health: HEALTH, equityNow: async () => 10_026, wallClock: () => Date.UTC(2026, 11, 2, 10) });
    assert.equal(d.kind, 'performance');
    assert.deepEqual(d.exchangeNode, { id: 'ex1', name: 'my sim' });
    assert.equal(d.generatedAt, '2026-12-02T10:00:00.000Z');
    assert.equal(d.now, T0 + 26 * H);
    assert.deepEqual(d.journal, HEALTH);

    const s = d.summary;
    assert.equal(s.trades, 3);
    assert.equal(s.wins, 2);
    assert.equal(s.losses, 1);
    near(s.winRate, 2 / 3, 'win rate');
    near(s.profit, 3.916 - 3.117 + 19.78, 'profit');
    // Entry costs, buy fees included: 40.04 + 60.06 + 100.1.
    near(s.profitPct, (100 * (3.916 - 3.117 + 19.78)) / 200.2, 'profit %');
    near(s.fees, 0.084 + 0.117 + 0.22, 'fees of both sides');
    near(s.profitFactor, (3.916 + 19.78) / 3.117, 'profit factor');
    near(s.bestPct, (100 * 19.78) / 100.1, 'best');
    near(s.worstPct, (100 * -3.117) / 60.06, 'worst');
    assert.equal(s.equityStart, 10_000);
    assert.equal(s.equityNow, 10_026, 'the account now closes the curve');
    assert.equal(s.equityChange, 26);
    near(s.equityChangePct, 0.26, 'equity change %');
    assert.equal(s.openPositions, 1);
    assert.equal(s.unrealizedPnl, 6);
    assert.deepEqual(d.positions.map((p) => p.symbol), ['SOL/USDT']);

    assert.equal(d.tradesTotal, 3);
    assert.deepEqual(d.trades.map((t) => [t.id, t.exitReason]), [['tb-c-tp', 'take-profit'], ['tb-a-sl', 'stop-loss'], ['tb-b', 'signal']], 'newest first, each with its exit reason');
    near(d.trades[0]!.pnl, 19.78, 'ETH trade');
    assert.equal(d.trades[0]!.durationMs, 22 * H);

    assert.deepEqual(d.pairs.map((p) => [p.key, p.trades]), [['ETH/USDT', 1], ['BTC/USDT', 2]], 'the most profitable pair first');
    near(d.pairs[1]!.profit, 0.799, 'BTC/USDT');
    // The stop close inherits the strategy of the position it closed.
    assert.deepEqual(d.strategies.map((g) => [g.key, g.trades]), [['rsi', 1], ['sma', 2]]);
    assert.deepEqual(d.exitReasons.map((g) => g.key), ['take-profit', 'signal', 'stop-loss']);

    assert.equal(d.daily.length, 30);
    assert.deepEqual(d.daily.slice(0, 3).map((r) => [r.period, r.trades]), [['2026-12-01', 1], ['2026-11-30', 2], ['2026-11-29', 0]], 'newest day first, empty days included');
    near(d.daily[0]!.profit, 19.78, 'Dec 1');
    near(d.daily[1]!.profit, 0.799, 'Nov 30');

    assert.deepEqual(d.equity.points, [[T0, 10_000], [T0 + 12 * H, 9_990], [T0 + 26 * H, 10_026]]);
    assert.equal(d.equity.downsampled, false);
  });

  it('JSON has no Infinity: the profit factor of trades without a loss is null, and the data survives JSON as it is', async function () {
    await write(FILLS.filter((f) => f.symbol === 'ETH/USDT'));
    const d = await performanceData(reader, INFO, { health: HEALTH });
    assert.equal(d.summary.profitFactor, null, 'a win and no loss: infinite, written as null');
    assert.equal(d.pairs[0]!.profitFactor, null);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d, 'nothing changes on the way through JSON');
    // No trades at all: a profit factor of 0, no equity, no best or worst.
    await store.clear('ex1:sim');
    const empty = await performanceData(reader, INFO, { health: HEALTH });
    assert.equal(empty.summary.trades, 0);
    assert.equal(empty.summary.profitFactor, 0);
    assert.equal(empty.summary.bestPct, null);
    assert.equal(empty.summary.equityStart, null);
    assert.equal(empty.summary.equityNow, null);
    assert.deepEqual(empty.equity.points, []);
    assert.deepEqual(empty.pairs, []);
  });

  it('the newest trades only (the count says how many there are); a long equity curve thinned to its limit, ends kept', async function () {
    await write(FILLS, Array.from({ length: 5_000 }, (_, i) => [T0 + i * 60_000, 10_000 + i] as [number, number]));
    const d = await performanceData(reader, INFO, { health: HEALTH, maxTrades: 2 });
    assert.equal(d.trades.length, 2);
    assert.equal(d.tradesTotal, 3);
    assert.equal(d.summary.trades, 3, 'the totals are over all trades');
    assert.equal(d.equity.points.length, 2_000);
    assert.equal(d.equity.total, 5_000);
    assert.equal(d.equity.downsampled, true);
    assert.deepEqual(d.equity.points[0], [T0, 10_000]);
    assert.deepEqual(d.equity.points.at(-1), [T0 + 4_999 * 60_000, 14_999]);
    for (let i = 1; i < d.equity.points.length; i++) assert.ok(d.equity.points[i]![0] > d.equity.points[i - 1]![0], 'in time order, no point twice');
    assert.deepEqual(thinIndexes(3, 5), [0, 1, 2]);
    assert.deepEqual(thinIndexes(7, 3), [0, 3, 6]);
  });

  it('an account that cannot be read: the journal figures still come, with the reason', async function () {
    await write(FILLS);
    positions = async () => {
      throw new Error('exchange unreachable');
    };
    const d = await performanceData(reader, INFO, { health: HEALTH });
    assert.deepEqual(d.positions, []);
    assert.match(d.positionsError!, /account could not be read: exchange unreachable/);
    assert.equal(d.summary.trades, 3);
  });

  it('the cache: reads only what is new, and gives exactly what the journal holds (new trades, an extended exit, pruned trades, a cleared journal)', async function () {
    const reads: Array<{ from?: number }> = [];
    const trades = store.trades.bind(store);
    store.trades = (account, q = {}) => (reads.push({ from: q.from }), trades(account, q));
    let wall = 0;
    const cache = new JournalCache({ store, account: 'ex1:sim', wallClock: () => wall, idleMs: 60_000 });
    const same = async (what: string) => {
      const got = await cache.read();
      assert.deepEqual(got.trades, await trades('ex1:sim'), `${what}: trades`);
      assert.deepEqual(got.equity, await store.equity('ex1:sim'), `${what}: equity`);
    };
    try {
      await write(FILLS.slice(0, 2), [[T0, 10_000]]);
      await same('first read');
      assert.deepEqual(reads.splice(0).map((r) => r.from), [undefined], 'everything, once');
      // A partial exit's order fills a second part later: the same closed trade, extended.
      const more = fill({ clientOrderId: 'tb-b', side: 'sell', amount: 0.1, price: 111, ts: T0 + H + 1000, heldBefore: 0.6, heldAfter: 0.5 });
      await write([{ ...more, id: 'tb-b@0.5' }], [[T0 + H, 10_001]]);
      await same('an extended exit');
      assert.deepEqual(reads.splice(0).map((r) => r.from), [T0 + H], 'then only from the newest exit held');
      assert.equal((await cache.read()).trades.length, 1);
      reads.length = 0;
      await write(FILLS.slice(2), [[T0 + 2 * H, 9_999], [T0 + 25 * H, 10_020]]);
      await same('new trades and points');
      assert.deepEqual(reads.splice(0).map((r) => r.from), [T0 + H + 1000]);
      // Retention removes old trades: the count differs, everything is read again.
      await store.prune('ex1:sim', T0 + 24 * H, T0 + 24 * H);
      await same('after pruning');
      await store.clear('ex1:sim');
      await same('after clearing');
      // And every fullEveryMs in any case.
      await write(FILLS);
      await same('a new run');
      reads.length = 0;
      wall += 300_000;
      await cache.read();
      assert.deepEqual(reads.map((r) => r.from), [undefined]);
    } finally {
      cache.forget();
    }
  });

  it('trades.csv: a header and one row per trade, every field, ISO times, RFC 4180 quoting, no formulas', async function () {
    const odd = [
      fill({ clientOrderId: 'tb-x', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1, strategy: '=HYPERLINK("http://x","y")' }),
      fill({ clientOrderId: 'tb-y', side: 'sell', amount: 1, price: 90, ts: T0 + H, heldBefore: 1, heldAfter: 0 }),
      fill({ clientOrderId: 'tb-z', symbol: 'ETH/USDT', side: 'buy', amount: 1, price: 10, ts: T0, heldBefore: 0, heldAfter: 1, strategy: 'a, "b"\nc' }),
      fill({ clientOrderId: 'tb-w', symbol: 'ETH/USDT', side: 'sell', amount: 1, price: 12, ts: T0 + 2 * H, heldBefore: 1, heldAfter: 0 }),
    ];
    await write(odd);
    const trades = await store.trades('ex1:sim');
    const csv = tradesCsv(trades);
    const rows = parseCsv(csv);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, 1 + trades.length);
    const byId = new Map(rows.slice(1).map((r) => [r[0], Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]))]));
    const loss = byId.get('tb-y')!;
    assert.equal(loss.strategy, `'=HYPERLINK("http://x","y")`, 'a formula becomes text');
    assert.equal(loss.entryTime, new Date(T0).toISOString());
    assert.equal(loss.exitTime, '2026-11-30T13:00:00.000Z');
    assert.equal(loss.symbol, 'BTC/USDT');
    assert.equal(loss.exitReason, 'signal');
    // A loss stays a number: no apostrophe, no quotes.
    assert.equal(Number(loss.pnl), trades.find((t) => t.id === 'tb-y')!.pnl);
    assert.ok(Number(loss.pnl) < 0);
    assert.ok(csv.includes(`,${loss.pnl},`), 'the negative number is written bare');
    assert.equal(Number(loss.durationMs), H);
    const quoted = byId.get('tb-w')!;
    assert.equal(quoted.strategy, 'a, "b"\nc', 'commas, quotes and line breaks survive in quotes');
    assert.equal(tradesCsv([]), `${CSV_COLUMNS.join(',')}\r\n`);
    assert.equal(csvText('-1+2'), "'-1+2");
    assert.equal(csvText('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvText('\tx'), "'\tx");
    assert.equal(csvText('BTC/USDT'), 'BTC/USDT');
  });

  it("the page's tables (view.js) escape what the journal holds and write an infinite profit factor as ∞", async function () {
    await write([
      fill({ clientOrderId: 'tb-x', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1, strategy: '<img src=x onerror=alert(1)>' }),
      fill({ clientOrderId: 'tb-y', side: 'sell', amount: 1, price: 120, ts: T0 + H, heldBefore: 1, heldAfter: 0 }),
    ]);
    const d: PerformanceData = JSON.parse(JSON.stringify(await performanceData(reader, INFO, { health: HEALTH })));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const view = require(path.join(ROOT, 'nodes', 'tradebot-exchange', 'performance', 'view.js'));
    const html = Object.values(view.sections(d) as Record<string, string>).join('\n');
    assert.ok(!html.includes('<img'), 'no markup from the data');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.match(html, /<th title="gross profit \/ gross loss">Profit factor<\/th><td>∞<\/td>/);
    assert.match(html, /<td class="l reason">signal<\/td>/);
    assert.match(html, /Closed trades \(1\)/);
  });
});
