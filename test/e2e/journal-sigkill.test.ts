/**
 * The trade journal after `kill -9`: a real Node-RED process (the settings `npm start` uses, no
 * journal setting at all) trading on the simulated market without pause (an inject sends a market
 * order every 100 ms: buy, buy, sell, ...), killed with SIGKILL at a random moment three times,
 * started again in the same user dir each time, and finally stopped cleanly. Then the journal file
 * (`tradebot-journal.sqlite` in the user dir) and the account's state (`tradebot.sqlite`) are read
 * directly:
 *
 * - every fill the account remembers in its state is in the journal, once, with the same amount;
 * - every order the flow was told had filled has journal fills adding up to its filled amount;
 * - the journal's fills add up to the BTC the account holds (nothing lost, nothing counted twice);
 * - the journal made one closed trade per sell that filled.
 *
 * Rows of the batch a kill cuts short (the journal writes every 500 ms) come back only through the
 * catch-up from the account's state at the next start (core/session/exchange-session.ts, attachJournal):
 * with `journal.catchUp(...)` taken out, this test fails (fills of the last half second before a
 * kill are missing from the journal while the account holds them: tried four times, it failed
 * four times, with up to 8 fills named as missing).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStateStore } from '../../core/storage/sqlite-state-store';
import type { FillRecord } from '../../core/journal/types';
import { NodeRedProcess, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { cutPartialLine, readJsonLines, waitFor as waitUntil } from '../support/kill-restart';

/** This test's poll interval (20 ms). */
const waitFor: typeof waitUntil = (probe, timeoutMs, what, context) => waitUntil(probe, timeoutMs, what, context, 20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TAB = 'tb-journal-tab';
const KILLS = 3;
/** New fills the flow is told of in each run before its kill moment is drawn. */
const FILLS_PER_RUN = 15;
const ACCOUNT = 'tb-ex:sim';
const STATE_KEY = `tradebot:account:${ACCOUNT}`;
/** The settings npm start uses; no Redis, no named instance, no journal or state file setting. */
const ENV = { TRADEBOT_INSTANCE: undefined, TRADEBOT_STATE_FILE: undefined, TRADEBOT_JOURNAL_FILE: undefined };




/**
 * inject (every 100 ms) -> function (a market order: buy 0.01, buy 0.01, sell 0.015 BTC, ...) ->
 * place order -> orders.jsonl (every order update the flow is told of).
 */
function flow(dir: string): FlowNode[] {
  const orderEvery = `const n = (context.get('n') || 0) + 1;
context.set('n', n);
const side = n % 3 === 0 ? 'sell' : 'buy';
msg.payload = { kind: 'orderRequest', clientOrderId: 'tb-' + Date.now().toString(36) + '-' + n, symbol: 'BTC/USDT', side, type: 'market', amount: side === 'sell' ? 0.015 : 0.01, strategy: 'kill-test', ts: Date.now() };
return msg;`;
  return [
    { id: TAB, type: 'tab', label: 'journal kill test' },
    { id: 'tb-ex', type: 'tradebot-exchange', name: 'sim', mode: 'sim', simSeed: 7, simSpeed: 10, simTickMs: 1000, simBalances: 'USDT=1000000', feeRatePct: 0.1, slippagePct: 0.05 },
    { id: 'tb-tick', type: 'inject', z: TAB, props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '0.1', crontab: '', once: true, onceDelay: 0.5, topic: '', wires: [['tb-make']] },
    { id: 'tb-make', type: 'function', z: TAB, func: orderEvery, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['tb-order']] },
    { id: 'tb-order', type: 'tradebot-place-order', z: TAB, exchange: 'tb-ex', currency: 'USDT', wires: [['tb-orders'], []] },
    { id: 'tb-orders', type: 'file', z: TAB, name: 'orders', filename: path.join(dir, 'log', 'orders.jsonl'), filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [] },
  ];
}

/** Errors Node-RED logged, without the one the start-up probe itself can cause (see durable-state-restart.test.ts). */
const errorsOf = (red: NodeRedProcess) => red.errors().filter((l) => !/Cannot read properties of null \(reading 'flows'\)/.test(l));

interface JournalFillRow {
  id: string;
  client_order_id: string;
  side: string;
  amount: number;
  fee: number;
  fee_currency: string;
}

describe('the trade journal after kill -9 (e2e)', function () {
  this.timeout(120_000);
  let userDir: string | undefined;

  afterEach(killAllNodeRed);
  after(() => removeUserDir(userDir));

  it(`every fill the account booked is in the journal exactly once after ${KILLS} SIGKILLs mid-trading and a restart each`, async function () {
    userDir = makeUserDir('tradebot-journal-kill-');
    const orders = path.join(userDir, 'log', 'orders.jsonl');
    const filled = () => readJsonLines(orders).filter((u) => u.kind === 'orderUpdate' && u.filled > 0 && (u.status === 'closed' || u.status === 'expired'));
    const kills: string[] = [];

    let red = await NodeRedProcess.start({ userDir, flow: flow(userDir), env: ENV });
    for (let kill = 1; kill <= KILLS; kill++) {
      const before = filled().length;
      await waitFor(() => filled().length >= before + FILLS_PER_RUN, 30_000, `${FILLS_PER_RUN} fills in run ${kill}`, () => red.log);
      // A random moment within the journal's batch window (500 ms): rows are usually waiting for it.
      const extra = Math.floor(Math.random() * 500);
      // A fixed wait on purpose: the kill comes at a random moment within the journal's batch window.
      await sleep(extra);
      await red.kill('SIGKILL');
      kills.push(`kill ${kill}: ${extra} ms after the ${filled().length - before}th fill of the run`);
      cutPartialLine(orders);
      red = await NodeRedProcess.start({ userDir, env: ENV });
      assert.deepEqual(errorsOf(red), [], `no errors logged after kill ${kill}`);
    }
    // The last run trades a while more, then stops cleanly (the journal writes what it holds as it closes).
    const before = filled().length;
    await waitFor(() => filled().length >= before + FILLS_PER_RUN, 30_000, 'fills after the last restart', () => red.log);
    const health = await red.getJson('/tradebot/health');
    const journalHealth = health.exchanges.find((e: any) => e.id === 'tb-ex')?.journal;
    assert.equal(journalHealth?.state, 'ok', `the journal is writing: ${JSON.stringify(journalHealth)}`);
    await red.stop(10_000);
    assert.deepEqual(errorsOf(red), [], 'no errors logged in the last run');
    const context = `(${kills.join('; ')})`;

    // What the account knows: its state, as the last run left it.
    const store = new SqliteStateStore(path.join(userDir, 'tradebot.sqlite'));
    const state = (await store.get<{ fills: string[]; portfolio: { balances: Record<string, { free: number; used: number }> } }>(STATE_KEY))!;
    store.close();
    assert.ok(state, `the account's state is in ${userDir}/tradebot.sqlite`);
    const remembered = state.fills.map((text) => JSON.parse(text) as FillRecord);
    // The state remembers the last 500 fills: this run stays below, so it holds every fill ever booked.
    assert.ok(remembered.length >= (KILLS + 1) * FILLS_PER_RUN && remembered.length < 500, `fills in the state: ${remembered.length}`);

    // What the journal holds.
    const file = path.join(userDir, 'tradebot-journal.sqlite');
    assert.ok(fs.existsSync(file), 'the journal file is beside the state file in the user dir, with no setting');
    const db = new DatabaseSync(file, { readOnly: true });
    let journal: JournalFillRow[];
    let trades: number;
    try {
      journal = db.prepare('SELECT id, client_order_id, side, amount, fee, fee_currency FROM journal_fills WHERE account = ? ORDER BY ts, id').all(ACCOUNT) as unknown as JournalFillRow[];
      trades = Number((db.prepare('SELECT count(*) AS n FROM journal_trades WHERE account = ?').get(ACCOUNT) as { n: number }).n);
    } finally {
      db.close();
    }
    const byId = new Map(journal.map((f) => [f.id, f]));

    // 1. Every fill the account remembers, in the journal with its amount; and nothing else.
    const missing = remembered.filter((f) => !byId.has(f.id)).map((f) => f.id);
    assert.deepEqual(missing, [], `fills the account booked that the journal does not have ${context}`);
    for (const f of remembered) assert.ok(Math.abs(byId.get(f.id)!.amount - f.amount) < 1e-12, `${f.id}: journal amount ${byId.get(f.id)!.amount}, booked ${f.amount}`);
    assert.equal(journal.length, remembered.length, `journal fills vs fills the account booked ${context}`);

    // 2. Per order, as the flow was told: the journal's fills add up to the order's filled amount, once.
    const told = new Map<string, number>();
    for (const u of filled()) told.set(u.clientOrderId, u.filled);
    assert.ok(told.size >= (KILLS + 1) * FILLS_PER_RUN, `orders the flow was told had filled: ${told.size}`);
    const perOrder = new Map<string, number>();
    for (const f of journal) perOrder.set(f.client_order_id, (perOrder.get(f.client_order_id) ?? 0) + f.amount);
    const wrong = [...told].filter(([id, amount]) => Math.abs((perOrder.get(id) ?? 0) - amount) > 1e-12).map(([id, amount]) => `${id}: told ${amount}, journal ${perOrder.get(id) ?? 'none'}`);
    assert.deepEqual(wrong, [], `orders whose journal fills do not add up to what the flow was told ${context}`);

    // 3. The journal's fills add up to what the account holds (BTC: buys - sells - fees paid in BTC).
    let btc = 0;
    for (const f of journal) btc += (f.side === 'buy' ? f.amount : -f.amount) - (f.fee_currency === 'BTC' ? f.fee : 0);
    const held = (state.portfolio.balances.BTC?.free ?? 0) + (state.portfolio.balances.BTC?.used ?? 0);
    assert.ok(Math.abs(btc - held) < 1e-9, `BTC from the journal's fills ${btc}, the account holds ${held} ${context}`);

    // 4. One closed trade per sell that filled.
    const sells = new Set(journal.filter((f) => f.side === 'sell').map((f) => f.client_order_id));
    assert.ok(sells.size > 0, 'sells filled');
    assert.equal(trades, sells.size, `closed trades in the journal vs sells with fills ${context}`);
  });
});
