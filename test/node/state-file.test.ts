/**
 * Where the exchange node keeps its state, in the real runtime: the tradebot database file
 * (settings.js `tradebotStateFile` here), the one-time take-over of an older version's state from
 * the exchange node's Node-RED context, and a file that cannot be used refused at deploy.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TradebotDb } from '../../core/storage/tradebot-db';
import { Inbox, getNode, helper, loadFlow, unloadFlow, type FlowNode } from '../support/node-red';

const ACCOUNT_KEY = 'tradebot:account:ex:sim';

describe('the exchange node state file', function () {
  this.timeout(20_000);
  let dir: string;

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-state-node-'))));
  afterEach(async function () {
    await unloadFlow();
    helper.settings({ tradebotStateFile: undefined });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const flow: FlowNode[] = [
    { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 1, simSpeed: 1, simBalances: 'USDT=1000', stateStore: '' },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], ['portfolio']] },
    { id: 'updates', type: 'helper' },
    { id: 'portfolio', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  const market = (clientOrderId: string) => ({ payload: { kind: 'orderRequest', clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() } });
  /** The account document as the file holds it. */
  const inFile = (file: string) => {
    const db = TradebotDb.open(file);
    try {
      return db.db.prepare('SELECT value FROM state WHERE key = ?').get(ACCOUNT_KEY) as { value: string } | undefined;
    } finally {
      db.release();
    }
  };

  it('an older version\'s state in the exchange node\'s context is taken over once into the file', async function () {
    const file = path.join(dir, 'state', 'bot.sqlite');
    helper.settings({ tradebotStateFile: file });
    await loadFlow(flow);
    // What an older version left in the node's context: a position and a used client order id.
    const old = {
      portfolio: { balances: { USDT: { free: 700, used: 0 }, BTC: { free: 0.005, used: 0 } }, positions: { 'BTC/USDT': { symbol: 'BTC/USDT', amount: 0.005, avgEntry: 60_000, realizedPnl: 0, fees: 0.3 } }, dailyPnl: {}, peakEquity: 1000, lastPrices: { 'BTC/USDT': 60_000 } },
      open: [],
      done: ['tb-from-an-older-version'],
      stops: [],
    };
    await new Promise<void>((resolve, reject) => getNode('ex').context().set(ACCOUNT_KEY, old, (err?: Error) => (err ? reject(err) : resolve())));
    getNode('order').receive({ topic: 'portfolio' });
    const [report] = await new Inbox('portfolio').take(1);
    assert.equal(report.payload.balances.USDT.free, 700, 'the old balances, not the configured 1000 USDT');
    assert.equal(report.payload.positions[0].amount, 0.005);
    const updates = new Inbox('updates');
    getNode('order').receive(market('tb-from-an-older-version'));
    const [refused] = await updates.take(1);
    assert.equal(refused.payload.status, 'rejected');
    assert.match(refused.payload.reason, /already used/);
    assert.ok(inFile(file), 'the account document is in the configured file');

    // Next deploy: the file has the state; what context holds now is not read again.
    await unloadFlow();
    await loadFlow(flow);
    await new Promise<void>((resolve, reject) => getNode('ex').context().set(ACCOUNT_KEY, { ...old, portfolio: { ...old.portfolio, balances: { USDT: { free: 1, used: 0 } } } }, (err?: Error) => (err ? reject(err) : resolve())));
    getNode('order').receive({ topic: 'portfolio' });
    const [again] = await new Inbox('portfolio').take(1);
    assert.equal(again.payload.balances.USDT.free, 700, 'from the file');
  });

  it('a state file that cannot be used stops the exchange node at deploy: orders get an error naming the file, nothing is traded', async function () {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'not a directory');
    const file = path.join(blocker, 'tradebot.sqlite');
    helper.settings({ tradebotStateFile: file });
    await loadFlow(flow);
    assert.match(getNode('ex').configError, new RegExp(`cannot open the tradebot state file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a part of the path is a file`));
    const caught = new Inbox('caught');
    getNode('order').receive(market('tb-no-state-file'));
    const [err] = await caught.take(1);
    assert.match(err.error.message, /cannot open the tradebot state file .*a-file\/tradebot\.sqlite/);
  });
});
