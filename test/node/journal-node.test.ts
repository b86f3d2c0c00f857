/**
 * The journal node in the real Node-RED runtime on the simulated market: trades made through the
 * risk gate and place order, then every query answered with what the journal's store holds (and
 * what the account says); bad queries and bad settings end in errors naming the field, caught by a
 * Catch node; a trigger message (an inject's timestamp) runs the configured query.
 */
import assert from 'node:assert/strict';
import { periodStart } from '../../core/journal/stats';
import type { ClosedTrade, JournalStore } from '../../core/journal/types';
import { Inbox, getNode, loadFlow, statusesSoFar, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const pipeline = (journal: Record<string, unknown> = {}, exchange: Record<string, unknown> = {}): FlowNode[] => [
  { id: 'jx', type: 'tradebot-exchange', mode: 'sim', simSeed: 42, simSpeed: 600, simTickMs: 1000, simBalances: 'USDT=10000', feeRatePct: 0.1, ...exchange },
  { id: 'jrisk', type: 'tradebot-risk-gate', exchange: 'jx', sizing: 'quote', quoteAmount: 1000, wires: [['jorder'], ['jrejected']] },
  { id: 'jorder', type: 'tradebot-place-order', exchange: 'jx', currency: 'USDT', wires: [['jupdates'], ['jportfolio']] },
  { id: 'jrejected', type: 'helper' },
  { id: 'jupdates', type: 'helper' },
  { id: 'jportfolio', type: 'helper' },
  { id: 'journal', type: 'tradebot-journal', exchange: 'jx', query: 'trades', limit: '', days: '', count: '', symbol: '', ...journal, wires: [['answers']] },
  { id: 'answers', type: 'helper' },
  { id: 'jcatch', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

let seq = 0;
const PRICES: Record<string, number> = { 'BTC/USDT': 60_000, 'ETH/USDT': 3_000 };
const signal = (symbol: string, side: 'buy' | 'sell', extra: Record<string, unknown> = {}) => ({
  topic: symbol,
  payload: { kind: 'signal', id: `sig-${(0xb000 + ++seq).toString(16).padStart(24, '0')}`, exchange: 'sim', symbol, timeframe: '1m', side, price: PRICES[symbol], ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 'journal-test', strength: 1, reason: 'test signal', ...extra },
});

const near = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps * Math.max(1, Math.abs(a), Math.abs(b));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The journal the exchange node writes, as the test reads it directly. */
function journalOf(exchangeId: string): { store: JournalStore; account: string } {
  const journal = getNode(exchangeId).session.journal;
  assert.ok(journal, 'the exchange node writes a journal');
  return { store: journal.store, account: journal.account };
}

describe('journal node (real runtime, simulated market)', function () {
  this.timeout(60_000);
  afterEach(unloadFlow);

  let answers: Inbox;
  let caught: Inbox;
  /** Sends one message to the journal node; resolves with its answer, or the error a Catch node got. */
  async function ask(payload: unknown): Promise<{ msg?: any; error?: string }> {
    const [a, c] = [answers.messages.length, caught.messages.length];
    getNode('journal').receive(payload === undefined ? {} : { payload });
    await waitFor(() => answers.messages.length > a || caught.messages.length > c, 10_000, `an answer to ${JSON.stringify(payload)}`);
    // A Catch node gets the error as Node-RED words it: err.toString(), "Error: <message>".
    if (caught.messages.length > c) return { error: String(caught.messages[c].error?.message).replace(/^Error: /, '') };
    return { msg: answers.messages[a] };
  }
  async function rows(payload: unknown): Promise<any> {
    const r = await ask(payload);
    assert.equal(r.error, undefined, `no error for ${JSON.stringify(payload)}`);
    return r.msg.payload;
  }

  /** Three closed trades (a partial exit, the rest, an ETH round trip) and an open BTC position. */
  async function trade(): Promise<{ updates: Inbox; portfolio: Inbox }> {
    const updates = new Inbox('jupdates');
    const portfolio = new Inbox('jportfolio');
    const filled = (side: string) => updates.messages.filter((m) => m.payload.side === side && m.payload.status === 'closed').length;
    const steps: Array<[string, 'buy' | 'sell', Record<string, unknown>?]> = [
      ['BTC/USDT', 'buy'],
      ['BTC/USDT', 'sell', { fraction: 0.5 }],
      ['BTC/USDT', 'sell'],
      ['ETH/USDT', 'buy'],
      ['ETH/USDT', 'sell'],
      ['BTC/USDT', 'buy'],
    ];
    for (const [symbol, side, extra] of steps) {
      const before = filled(side);
      getNode('jrisk').receive(signal(symbol, side, extra));
      await waitFor(() => filled(side) > before, 8_000, `${side} ${symbol} filled`);
    }
    return { updates, portfolio };
  }

  it('answers every query with the rows the journal holds, after trades through the risk gate and place order', async function () {
    await loadFlow(pipeline());
    answers = new Inbox('answers');
    caught = new Inbox('caught');
    const { updates, portfolio } = await trade();
    const { store, account } = journalOf('jx');

    // An inject's timestamp: the configured query (trades, default limit 10), the rows the store has.
    const first = await ask(Date.now());
    assert.equal(first.error, undefined);
    assert.equal(first.msg.topic, 'trades');
    assert.deepEqual(first.msg.query, { query: 'trades', limit: 10 });
    const trades: ClosedTrade[] = first.msg.payload;
    assert.equal(trades.length, 3, 'three closed trades (the open BTC position is not one)');
    assert.deepEqual(trades, await store.trades(account, { limit: 10 }));
    const sells = updates.messages.filter((m) => m.payload.side === 'sell' && m.payload.status === 'closed').map((m) => m.payload.clientOrderId);
    assert.deepEqual(trades.map((t) => t.id).sort(), [...sells].sort(), 'one trade per sell order');
    assert.deepEqual(trades.map((t) => t.symbol), ['ETH/USDT', 'BTC/USDT', 'BTC/USDT'], 'newest exit first');
    assert.ok(trades.every((t) => t.exitReason === 'signal' && t.strategy === 'journal-test'));

    const eth = await rows({ query: 'trades', limit: 5, symbol: 'eth/usdt' });
    assert.deepEqual(eth.map((t: ClosedTrade) => t.id), trades.filter((t) => t.symbol === 'ETH/USDT').map((t) => t.id));
    assert.equal((await rows({ query: 'trades', limit: '1' })).length, 1, 'a limit as text, as an editor field gives it');

    // Profit: the sum of the trades' P&L, which is also the account's realized P&L.
    const profit = await rows('profit');
    assert.equal(profit.trades, 3);
    assert.ok(near(profit.profit, sum(trades.map((t) => t.pnl))), `profit ${profit.profit} = the trades' P&L`);
    assert.ok(near(profit.fees, sum(trades.map((t) => t.fees))));
    assert.equal(profit.wins + profit.losses, trades.filter((t) => t.pnl !== 0).length);
    assert.equal(profit.from, null, 'all time');
    getNode('jorder').receive({ topic: 'portfolio' });
    await waitFor(() => portfolio.messages.some((m) => m.payload.kind === 'portfolio'), 5_000, 'a portfolio report');
    const report = portfolio.messages.filter((m) => m.payload.kind === 'portfolio').at(-1).payload;
    assert.ok(Math.abs(profit.profit - report.realizedPnl) < 1e-6, `journal profit ${profit.profit} = the account's realized P&L ${report.realizedPnl}`);
    const lastDays = await rows({ query: 'profit', days: 1 });
    assert.equal(lastDays.trades, 3, 'the trades were made within the last (simulated) day');
    assert.equal(lastDays.to - lastDays.from, 86_400_000);

    // Periods: today's row holds the trades (by exit time); the rows add up to the total.
    const daily = await rows({ query: 'daily' });
    assert.equal(daily.length, 7, 'the default: 7 days, empty ones included');
    assert.equal(sum(daily.map((d: any) => d.trades)), 3);
    assert.ok(near(sum(daily.map((d: any) => d.profit)), profit.profit));
    const dayOf = (ts: number) => new Date(periodStart(ts, 'day')).toISOString().slice(0, 10);
    for (const d of daily) assert.equal(d.trades, trades.filter((t) => dayOf(t.exitTs) === d.period).length, `trades on ${d.period}`);
    const monthly = await rows({ query: 'monthly', count: 2 });
    assert.equal(monthly.length, 2);
    assert.match(monthly[0].period, /^\d{4}-\d\d$/);
    assert.equal(sum(monthly.map((m: any) => m.trades)), 3);
    assert.equal((await rows('weekly')).length, 4);

    // Per pair, strategy and exit reason.
    const performance = await rows('performance');
    assert.deepEqual(performance.map((p: any) => p.key).sort(), ['BTC/USDT', 'ETH/USDT']);
    for (const p of performance) {
      const mine = trades.filter((t) => t.symbol === p.key);
      assert.equal(p.trades, mine.length, `${p.key}: trades`);
      assert.ok(near(p.profit, sum(mine.map((t) => t.pnl))), `${p.key}: profit`);
    }
    assert.deepEqual((await rows('strategies')).map((s: any) => [s.key, s.trades]), [['journal-test', 3]]);
    assert.deepEqual((await rows('exits')).map((s: any) => [s.key, s.trades]), [['signal', 3]]);

    // Open positions (from the account) and counts.
    const positions = await rows('positions');
    const held = report.positions.filter((p: any) => p.amount > 0);
    assert.deepEqual(positions.map((p: any) => [p.symbol, p.amount]), held.map((p: any) => [p.symbol, p.amount]));
    assert.deepEqual(await rows('count'), { openPositions: 1, openOrders: 0, closedTrades: await store.countTrades(account) });

    const equity = await rows({ query: 'equity', days: 7 });
    assert.ok(equity.length >= 1, 'the equity snapshot taken when the account started');
    assert.ok(equity.every((p: any) => p.currency === 'USDT' && p.equity > 9_000 && p.equity < 11_000));
    assert.equal(caught.messages.length, 0, 'nothing reached the Catch node');
    assert.match(statusesSoFar(getNode('journal')).at(-1)?.text ?? '', /^equity: \d+ rows?$/);
  });

  it('a trade is in the answer right after its fill (the writer\'s queue is written first)', async function () {
    await loadFlow(pipeline());
    answers = new Inbox('answers');
    caught = new Inbox('caught');
    const updates = new Inbox('jupdates');
    getNode('jrisk').receive(signal('BTC/USDT', 'buy'));
    await waitFor(() => updates.messages.some((m) => m.payload.side === 'buy' && m.payload.status === 'closed'), 8_000, 'the buy');
    getNode('jrisk').receive(signal('BTC/USDT', 'sell'));
    await waitFor(() => updates.messages.some((m) => m.payload.side === 'sell' && m.payload.status === 'closed'), 8_000, 'the sell');
    const sell = updates.messages.find((m) => m.payload.side === 'sell').payload;
    // Asked at once, inside the writer's 500 ms batch window.
    const [trade] = await rows('trades');
    assert.equal(trade?.id, sell.clientOrderId);
    assert.ok(near(trade.amount, sell.filled) && near(trade.exitPrice, sell.average));
  });

  it('bad queries end in done(err) naming the field, caught by a Catch node; the node keeps answering', async function () {
    await loadFlow(pipeline());
    answers = new Inbox('answers');
    caught = new Inbox('caught');
    const statuses: any[] = [];
    getNode('journal').on('call:status', (call: any) => statuses.push(call.args[0]));
    const cases: Array<[unknown, RegExp]> = [
      ['trade', /^msg\.payload\.query: must be one of trades, profit, .*; got "trade"$/],
      [{ query: 'trade' }, /^msg\.payload\.query: must be one of trades, profit/],
      [{ query: 'trades', limit: -1 }, /^msg\.payload\.limit: must be a whole number from 1 to 10000; got -1$/],
      [{ query: 'trades', limit: 2.5 }, /^msg\.payload\.limit: must be a whole number/],
      [{ query: 'daily', days: 3 }, /^msg\.payload\.days: is not a field of the daily query \(it takes count\)$/],
      [{ query: 'trades', symbol: 'BTCUSDT' }, /^msg\.payload\.symbol: must look like BASE\/QUOTE/],
      [{ query: 'count', limit: 1 }, /^msg\.payload\.limit: is not a field of the count query \(it takes none\)$/],
      [{ query: 42 }, /^msg\.payload\.query: must be one of/],
    ];
    for (const [payload, expected] of cases) {
      const r = await ask(payload);
      assert.equal(r.msg, undefined, `no answer to ${JSON.stringify(payload)}`);
      assert.match(r.error!, expected, `the error for ${JSON.stringify(payload)}`);
      assert.equal(statuses.at(-1)?.fill, 'red', 'a red status');
    }
    assert.equal(answers.messages.length, 0);
    // Still answering after the errors.
    assert.deepEqual(await rows('count'), { openPositions: 0, openOrders: 0, closedTrades: 0 });
    assert.equal(statuses.at(-1)?.fill, 'green');
  });

  it('runs the configured query on a trigger: a timestamp, an empty string, no payload, an object without `query`', async function () {
    await loadFlow(pipeline({ query: 'daily', count: '3' }));
    answers = new Inbox('answers');
    caught = new Inbox('caught');
    for (const trigger of [Date.now(), '', undefined, { kind: 'portfolio', equity: 1 }, [1, 2], true]) {
      const r = await ask(trigger);
      assert.equal(r.error, undefined, `no error for ${JSON.stringify(trigger)}`);
      assert.equal(r.msg.topic, 'daily');
      assert.deepEqual(r.msg.query, { query: 'daily', count: 3 });
      assert.equal(r.msg.payload.length, 3);
    }
    // A message that asks another query still can.
    assert.equal((await ask('weekly')).msg.payload.length, 4);
  });

  it('keeps the rest of the message (an http in node\'s msg.res, a correlation id)', async function () {
    await loadFlow(pipeline());
    answers = new Inbox('answers');
    caught = new Inbox('caught');
    getNode('journal').receive({ payload: 'count', _req: 'r1', correlation: 'abc' });
    const [msg] = await answers.take(1);
    assert.equal(msg.correlation, 'abc');
    assert.equal(msg._req, 'r1');
  });

  it('bad settings and a journal that is off: a red ring naming the field, one error at deploy, later messages dropped quietly', async function () {
    const settings: Array<[FlowNode[], RegExp]> = [
      [pipeline({ query: 'trades', limit: '-5' }), /^journal\.limit: must be a whole number from 1 to 10000; got "-5"$/],
      [pipeline({ query: 'hourly' }), /^journal\.query: must be one of trades, profit/],
      [pipeline({}, { journal: 'off' }), /^journal: off on the exchange node \(sim\): set the exchange node's journal setting to "auto" or "on" and deploy$/],
    ];
    for (const [flow, expected] of settings) {
      await loadFlow(flow);
      answers = new Inbox('answers');
      caught = new Inbox('caught');
      // Reported once the flow has started, for the Catch node ...
      await waitFor(() => caught.messages.length > 0, 5_000, 'the error at deploy');
      assert.match(String(caught.messages[0].error.message), expected);
      assert.equal(statusesSoFar(getNode('journal')).at(-1)?.fill, 'red');
      // ... and not again for every message: they are dropped, the status still says why.
      getNode('journal').receive({ payload: 'trades' });
      getNode('journal').receive({ payload: 'count' });
      // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(caught.messages.length, 1, `one error, not one per message: ${caught.messages.map((m) => m.error?.message).join(' | ')}`);
      assert.equal(answers.messages.length, 0);
      const last = statusesSoFar(getNode('journal')).at(-1);
      assert.equal(last?.fill, 'red');
      // The status is the error's text, cut to 80 characters.
      const said = String(caught.messages[0].error.message).replace(/^Error: /, '');
      assert.ok(said.startsWith(String(last?.text).replace(/…$/, '')), `status "${last?.text}" says the error "${said}"`);
      await unloadFlow();
    }
  });

  it('a journal database that cannot be read: an error saying so, no crash', async function () {
    await loadFlow(pipeline());
    answers = new Inbox('answers');
    caught = new Inbox('caught');
    assert.equal((await rows('trades')).length, 0);
    // The database goes away under the node (as a PostgreSQL server that stops answering).
    await journalOf('jx').store.close();
    const r = await ask('trades');
    assert.match(r.error!, /^journal: cannot read .+: the journal database is not open$/);
    assert.equal(statusesSoFar(getNode('journal')).at(-1)?.fill, 'red');
  });
});
