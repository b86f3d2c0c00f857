/**
 * A big journal queue (a burst of orders, the catch-up after a restart) is written in several
 * transactions of at most `maxRowsPerWrite` rows, and the event loop gets a turn between them
 * (node:sqlite is synchronous: one transaction holds it while it runs). Split up, the rows and
 * the closed trades are the same as written at once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal } from '../../core/journal/journal';
import { SqliteJournalStore } from '../../core/journal/sqlite-journal-store';
import type { FillRecord, JournalBatch, JournalStore } from '../../core/journal/types';

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

/** Round trips of 0.01 BTC: buy then sell, 2n fills. */
function roundTrips(n: number): FillRecord[] {
  const out: FillRecord[] = [];
  for (let i = 0; i < n; i++) {
    for (const side of ['buy', 'sell'] as const) {
      const price = 60_000 + (side === 'sell' ? 10 * (i % 7) - 20 : 0);
      const k = out.length;
      out.push({
        id: `tb-${k}@0.01`, clientOrderId: `tb-${k}`, orderId: `o-${k}`, exchange: 'sim', mode: 'sim', symbol: 'BTC/USDT', side, amount: 0.01, price,
        fee: { cost: 0.01 * price * 0.001, currency: 'USDT' }, feeQuote: 0.01 * price * 0.001, ts: T0 + k * 1000, strategy: 's',
        heldBefore: side === 'buy' ? 0 : 0.01, heldAfter: side === 'buy' ? 0.01 : 0,
      });
    }
  }
  return out;
}

describe('trade journal: big queues in several transactions', function () {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-journal-chunks-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes at most maxRowsPerWrite rows per transaction, lets the event loop run between them, and ends with the same trades as one big write', async function () {
    const fills = roundTrips(300); // 600 fills
    const equity = Array.from({ length: 150 }, (_, i) => ({ ts: T0 + i * 60_000, equity: 10_000 + i, currency: 'USDT' }));

    const chunked = new SqliteJournalStore({ file: path.join(dir, 'chunked.sqlite') });
    await chunked.open();
    const sizes: number[] = [];
    const turns: number[] = [];
    let writes = 0;
    // The same store, counting each write's rows, and whether other work ran since the last one.
    const counting: JournalStore = Object.create(chunked);
    counting.write = (account: string, batch: JournalBatch) => {
      sizes.push(batch.events.length + batch.orders.length + batch.fills.length + batch.equity.length);
      writes++;
      return chunked.write(account, batch);
    };
    const journal = new Journal({ store: counting, account: 'acc', exchange: 'sim', now: () => T0, flushMs: 60_000, maxRowsPerWrite: 100 });
    journal.catchUp(fills);
    for (const p of equity) journal.equity(p);
    // Work queued behind the first write: it runs before the last one if the writer lets it.
    const ticker = setInterval(() => turns.push(writes), 0);
    await journal.flush();
    clearInterval(ticker);
    await journal.close();

    assert.equal(sizes.reduce((a, b) => a + b, 0), 750, 'every row written once');
    assert.ok(sizes.every((n) => n <= 100), `rows per transaction: ${sizes.join(' ')}`);
    assert.equal(sizes.length, 8);
    assert.ok(turns.some((w) => w > 0 && w < sizes.length), `the event loop ran between the transactions (timer turns after write #: ${[...new Set(turns)].join(' ')})`);

    // One big write of the same rows gives the same trades.
    const whole = new SqliteJournalStore({ file: path.join(dir, 'whole.sqlite') });
    await whole.open();
    await whole.write('acc', { events: [], orders: [], fills, equity });
    const [a, b] = [await chunked.trades('acc'), await whole.trades('acc')];
    assert.equal(a.length, 300);
    assert.deepEqual(a, b);
    assert.equal((await chunked.fills('acc')).length, 600);
    assert.equal((await chunked.equity('acc')).length, 150);
    await chunked.close();
    await whole.close();
  });
});
