/**
 * The trade journal's faults in the real runtime: a damaged journal file and a journal that
 * reaches its size limit (settings.js `tradebotJournalFile`, `tradebotJournalMaxMB`). Either way
 * the place-order node's status says what is wrong with the journal, the exchange node logs it,
 * health shows the journal down, and trading goes on: orders still fill.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Inbox, getNode, helper, loadFlow, sleep, statusesSoFar, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

describe('trade journal faults (the real runtime)', function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-journal-faults-'))));
  afterEach(async function () {
    await unloadFlow();
    helper.settings({ tradebotStateFile: undefined, tradebotJournalFile: undefined, tradebotJournalMaxMB: undefined });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const flow: FlowNode[] = [
    { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 1, simSpeed: 1, simBalances: 'USDT=100000' },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], []] },
    { id: 'updates', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  let n = 0;
  const market = (side: 'buy' | 'sell' = 'buy') => ({ payload: { kind: 'orderRequest', clientOrderId: `tb-fault-${++n}`, symbol: 'BTC/USDT', side, type: 'market', amount: 0.001, strategy: 'faults', ts: Date.now() } });
  /** Places `count` market orders one after the other; resolves their final updates. */
  async function trade(count: number): Promise<any[]> {
    const updates = new Inbox('updates', (m) => m.payload.status !== 'open');
    const first = updates.messages.length;
    for (let i = 0; i < count; i++) getNode('order').receive(market(i % 2 ? 'sell' : 'buy'));
    return (await updates.take(first + count, 15_000)).slice(first).map((m) => m.payload);
  }
  const journalHealth = async () => {
    const res = await helper.request().get('/tradebot/health');
    return res.body.exchanges.find((e: any) => e.id === 'ex').journal;
  };
  /** What the exchange node logged at warn level. */
  const exchangeWarnings = () => helper.log().args.filter((a: any[]) => a[0]?.id === 'ex' && a[0]?.level === 30).map((a: any[]) => String(a[0].msg));

  it('a damaged journal file: the status and the log say so, health shows the journal down, orders still fill', async function () {
    const file = path.join(dir, 'journal.sqlite');
    fs.writeFileSync(file, 'this is not a database, and it is longer than a header: '.repeat(100));
    helper.settings({ tradebotStateFile: path.join(dir, 'state.sqlite'), tradebotJournalFile: file });
    await loadFlow(flow);
    // Found at deploy, before any order: the place-order node shows it from the start.
    await waitFor(() => statusesSoFar(getNode('order')).some((s) => s.fill === 'red' && /^journal: the journal file is damaged/.test(s.text ?? '')), 5_000, 'a red status naming the journal at deploy');

    const filled = await trade(4);
    assert.deepEqual(filled.map((u) => u.status), ['closed', 'closed', 'closed', 'closed'], 'trading goes on');
    // The order statuses keep saying it (the last one, once the throttled status is out).
    const last = () => statusesSoFar(getNode('order')).at(-1)!;
    await waitFor(() => /closed @ [\d.]+; journal/.test(last().text ?? ''), 5_000, 'the status of the last order, naming the journal');
    assert.equal(last().fill, 'red');
    assert.match(last().text!, /^(buy|sell) 0\.001\/0\.001 BTC\/USDT closed @ \d+(\.\d{1,2})?; journal: the journal file is damaged/);
    assert.ok(exchangeWarnings().some((w: string) => /journal: the journal file is damaged .*file is not a database/.test(w)), `exchange log: ${JSON.stringify(exchangeWarnings())}`);

    const health = await journalHealth();
    assert.equal(health.state, 'down');
    assert.match(health.error, /damaged/);
    assert.equal(health.location, file);
    // The file is left as it was, for the user to look at or move away.
    assert.match(fs.readFileSync(file, 'utf8'), /^this is not a database/);

    // Still trading, and nothing reached the flow's error handlers.
    assert.deepEqual((await trade(2)).map((u) => u.status), ['closed', 'closed']);
    assert.equal(new Inbox('caught').messages.length, 0);
  });

  it('a journal at its size limit (tradebotJournalMaxMB): the status says the limit was reached, orders still fill', async function () {
    const file = path.join(dir, 'journal.sqlite');
    helper.settings({ tradebotStateFile: path.join(dir, 'state.sqlite'), tradebotJournalFile: file, tradebotJournalMaxMB: 0.05 });
    await loadFlow(flow);
    const caught = new Inbox('caught');
    assert.equal((await journalHealth()).state, 'ok', 'the journal opens within its limit');

    // Each order is an order request, order updates, an order row and a fill: a few hundred bytes.
    const limitStatus = () => statusesSoFar(getNode('order')).find((s) => /journal/.test(s.text ?? '') && s.fill === 'red');
    let orders = 0;
    while (!limitStatus() && orders < 600) {
      const filled = await trade(20);
      orders += 20;
      assert.ok(filled.every((u) => u.status === 'closed'), `orders fill: ${JSON.stringify(filled.filter((u) => u.status !== 'closed'))}`);
      await sleep(600); // the journal's batch window
    }
    const status = limitStatus();
    assert.ok(status, `a red status naming the journal after ${orders} orders: ${JSON.stringify(statusesSoFar(getNode('order')).slice(-5))}`);
    assert.match(status.text!, /disk is full or the journal reached its size limit/);
    assert.ok(exchangeWarnings().some((w: string) => /size limit/.test(w)), `exchange log: ${JSON.stringify(exchangeWarnings())}`);
    const health = await journalHealth();
    assert.equal(health.state, 'down');
    assert.ok(health.queued > 0, 'rows wait to be written');
    // The database stays within its limit (0.05 MB: SQLite's max_page_count, at least 16 pages).
    const db = new DatabaseSync(file, { readOnly: true });
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count * (db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
    db.close();
    assert.ok(pages <= Math.max(16 * 4096, 0.05 * 1024 * 1024), `journal database ${pages} bytes`);

    // Trading goes on.
    assert.deepEqual((await trade(4)).map((u) => u.status), ['closed', 'closed', 'closed', 'closed']);
    assert.equal(caught.messages.length, 0);
  });
});
