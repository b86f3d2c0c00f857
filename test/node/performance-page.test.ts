/**
 * The performance page of an exchange node, in the real Node-RED runtime: example 08 (the trading
 * pipeline on the simulated market, sped up as a minute of it would run) trades by itself; the
 * page, its JSON and trades.csv then show those trades (each matching the sell that closed it),
 * the open position with its unrealized P&L, a forced exit with its reason, the equity and the
 * days; and an unknown node, a node that is not running and a node without journal answer 404
 * with a sentence that says what to do; a journal that cannot be read 503. A credential that is in the journal (in a strategy's
 * name) shows as *** on the page, in the JSON and in the CSV. (adminAuth and the browser:
 * test/e2e/performance-page.test.ts.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EXIT_REASONS } from '../../core/journal/types';
import { CSV_COLUMNS } from '../../core/journal/performance';
import { testCredentials } from '../support/test-credentials';
import { Inbox, getNode, helper, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', '08 Trading pipeline.json');
/** 100 simulated minutes per wall second: a few seconds here are hours of the example's market. */
const TEST_SIM_SPEED = 6000;

const example = (): FlowNode[] => JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));

/** The example as the helper loads it (as test/node/examples.test.ts does): no tab, comments or injects; debug nodes as helpers; sped up. */
function testCopy(flow: FlowNode[]): FlowNode[] {
  return flow
    .filter((n) => !['tab', 'comment', 'inject'].includes(n.type))
    .map((n) => {
      const { z: _z, ...node } = n;
      if (node.type === 'debug') return { id: node.id, type: 'helper', name: node.name, wires: [] } as FlowNode;
      if (node.type === 'tradebot-exchange') return { ...node, simSpeed: TEST_SIM_SPEED } as FlowNode;
      return node as FlowNode;
    });
}

const get = (url: string) => helper.request().get(url);

describe('performance page (example 08 in the Node-RED runtime)', function () {
  this.timeout(90_000);
  afterEach(unloadFlow);

  it('shows the trades the example made: page, JSON and CSV agree with the order updates', async function () {
    const flow = example();
    const exchange = flow.find((n) => n.type === 'tradebot-exchange')!;
    const gate = flow.find((n) => n.type === 'tradebot-risk-gate')!;
    const ordersDebug = flow.find((n) => n.type === 'debug' && n.name === 'orders')!;
    await loadFlow(testCopy(flow));
    const updates = new Inbox(ordersDebug.id);
    const base = `/tradebot/performance/${exchange.id}`;

    // The example trades by itself: wait for two closed trades in the journal.
    const json = async () => (await get(`${base}.json`).expect(200).expect('Content-Type', /json/)).body;
    const deadline = Date.now() + 60_000;
    let data = await json();
    while (data.tradesTotal < 2) {
      if (Date.now() > deadline) throw new Error(`fewer than 2 closed trades within 60 s: ${data.tradesTotal}, ${updates.messages.length} order updates`);
      await new Promise((r) => setTimeout(r, 250));
      data = await json();
    }
    // Then a position open (the next entry): stop new entries at once, read the page while the
    // flow's last fill is still that buy, and close the position by a force exit. The kill switch
    // never blocks exits, and at 6000x a sell (a cross, the take-profit) can follow a buy within
    // milliseconds: a snapshot or a force exit that such a sell overtook is done again on the next buy.
    const lastClosed = () => updates.messages.filter((m) => m.payload.status === 'closed').at(-1);
    const isForced = (m: any) => m.payload.side === 'sell' && m.payload.status === 'closed' && /^force exit/.test(m.payload.reason ?? '');

    for (const openBy = Date.now() + 90_000; ; ) {
      if (Date.now() > openBy) throw new Error('no position stayed open long enough to read and force-exit it');
      await waitFor(() => lastClosed()?.payload.side === 'buy', Math.max(1, openBy - Date.now()), 'an open position');
      getNode(gate.id).receive({ topic: 'kill' });
      const seen = updates.messages.length;
      const open = await json();
      if (updates.messages.length === seen && lastClosed()?.payload.side === 'buy') {
        assert.equal(open.positions.length, 1, JSON.stringify(open.positions));
        const pos = open.positions[0];
        assert.equal(pos.symbol, 'BTC/USDT');
        assert.ok(pos.amount > 0 && pos.avgEntry > 0 && pos.lastPrice > 0, JSON.stringify(pos));
        // Unrealized P&L at the last price (fees not included).
        assert.ok(Math.abs(pos.unrealizedPnl - pos.amount * (pos.lastPrice - pos.avgEntry)) < 1e-6 * pos.amount * pos.avgEntry + 1e-9, JSON.stringify(pos));
        assert.equal(open.summary.openPositions, 1);
        getNode(gate.id).receive({ topic: 'forceExit', payload: { all: true } });
        await waitFor(() => updates.messages.slice(seen).some((m) => m.payload.side === 'sell' && m.payload.status === 'closed'), 15_000, 'a sell after the force exit');
        if (updates.messages.slice(seen).some(isForced)) break;
      }
      getNode(gate.id).receive({ topic: 'resume' });
    }
    // The journal writes in batches (half a second): wait until it has every closed sell.
    const sells = () => updates.messages.filter((m) => m.payload.side === 'sell' && m.payload.status === 'closed').map((m) => m.payload);
    const settleBy = Date.now() + 10_000;
    for (;;) {
      data = await json();
      if (data.tradesTotal === sells().length && data.positions.length === 0) break;
      if (Date.now() > settleBy) throw new Error(`the journal has ${data.tradesTotal} trades, the flow saw ${sells().length} sells; positions ${JSON.stringify(data.positions)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // The JSON: who, what, and every trade as the sell that closed it.
    assert.equal(data.kind, 'performance');
    assert.deepEqual(data.exchangeNode, { id: exchange.id, name: exchange.name });
    assert.equal(data.exchange, 'sim');
    assert.equal(data.mode, 'sim');
    assert.equal(data.currency, 'USDT');
    assert.equal(data.journal.backend, 'sqlite');
    assert.equal(data.journal.state, 'ok');
    const bySell = new Map(sells().map((s) => [s.clientOrderId, s]));
    assert.equal(data.trades.length, data.tradesTotal);
    for (const t of data.trades) {
      const sell = bySell.get(t.exitOrder);
      assert.ok(sell, `trade ${t.id}: a sell the flow saw`);
      assert.equal(t.symbol, 'BTC/USDT');
      assert.ok((EXIT_REASONS as readonly string[]).includes(t.exitReason), t.exitReason);
      assert.ok(Math.abs(t.exitPrice - sell.average) < 1e-9 * sell.average, `exit price ${t.exitPrice} = fill ${sell.average}`);
      assert.ok(Math.abs(t.amount - sell.filled) < 1e-12, `amount ${t.amount} = ${sell.filled}`);
      assert.equal(t.exitTs, sell.ts);
      const expected = sell.reason?.startsWith('force exit') ? 'force-exit' : sell.reason?.startsWith('stop-loss') ? 'stop-loss' : sell.reason?.startsWith('take-profit') ? 'take-profit' : 'signal';
      assert.equal(t.exitReason, expected, `${t.id}: reason "${sell.reason ?? ''}"`);
    }
    for (let i = 1; i < data.trades.length; i++) assert.ok(data.trades[i - 1].exitTs >= data.trades[i].exitTs, 'newest first');
    const forced = data.trades.find((t: any) => t.exitReason === 'force-exit');
    assert.ok(forced, 'the forced exit is a trade with reason force-exit');
    assert.equal(data.trades[0].id, forced.id, 'and the newest');
    assert.equal(forced.strategy, 'ema cross', 'a force exit belongs to the strategy that opened the position');
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(data.summary.profit - sum(data.trades.map((t: any) => t.pnl))) < 1e-6, 'profit = sum of the trades');
    assert.ok(Math.abs(data.summary.fees - sum(data.trades.map((t: any) => t.fees))) < 1e-9, 'fees = sum of the trades');
    assert.equal(data.summary.trades, data.tradesTotal);
    assert.equal(data.summary.openPositions, 0);
    assert.deepEqual(data.positions, []);
    assert.equal(sum(data.pairs.map((p: any) => p.trades)), data.tradesTotal);
    assert.equal(sum(data.strategies.map((p: any) => p.trades)), data.tradesTotal);
    assert.deepEqual(data.exitReasons.map((g: any) => g.key).sort(), [...new Set(data.trades.map((t: any) => t.exitReason))].sort());
    assert.equal(data.daily.length, 30);
    assert.equal(sum(data.daily.map((d: any) => d.trades)), data.tradesTotal, 'every trade is on one of the days');
    assert.ok(Math.abs(sum(data.daily.map((d: any) => d.profit)) - data.summary.profit) < 1e-6);
    // The equity: the journal's first snapshot, a point after every fill, and the account now (cash only: nothing is held).
    assert.ok(data.equity.total >= 2 * data.tradesTotal + 1, `${data.equity.total} equity points for ${data.tradesTotal} round trips`);
    assert.equal(data.equity.points.at(-1)[0], data.now);
    assert.equal(data.summary.equityNow, data.equity.points.at(-1)[1]);
    const portfolio = new Inbox(flow.find((n) => n.type === 'debug' && n.name === 'portfolio')!.id);
    getNode(flow.find((n) => n.type === 'tradebot-place-order')!.id).receive({ topic: 'portfolio' });
    const cash = (await portfolio.take(1))[0].payload;
    assert.ok(Math.abs(data.summary.equityNow - cash.equity) < 1e-6, `equity ${data.summary.equityNow} = the portfolio's ${cash.equity}`);
    assert.equal(data.summary.equityStart, 10_000, 'the first snapshot: the starting balance');

    // The page: rendered on the server with the same figures.
    const page = await get(base).expect(200).expect('Content-Type', /html/);
    const html = page.text;
    assert.ok(html.includes(`<title>Performance: ${exchange.name}</title>`));
    assert.ok(html.includes(`Closed trades (${data.tradesTotal})`));
    assert.equal((html.match(/<td class="l reason">/g) ?? []).length, data.tradesTotal, 'one row per closed trade');
    assert.ok(html.includes(`<td class="l">${forced.exitOrder}</td>`), 'the forced exit is listed');
    assert.ok(html.includes('<td class="l reason">force-exit</td>'));
    assert.ok(html.includes('<td class="l">BTC/USDT</td>'));
    assert.ok(html.includes('<td class="l">ema cross</td>'), 'per strategy');
    assert.ok(html.includes('no open positions'));
    for (const id of ['equity-chart', 'daily-chart', 'trades', 'pairs', 'strategies', 'exit-reasons', 'metrics']) assert.ok(html.includes(`id="${id}"`), id);
    assert.ok(html.includes(`href="${exchange.id}.json"`) && html.includes(`href="${exchange.id}/trades.csv"`), 'links to the JSON and the CSV');
    assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'relative URLs only');
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(scripts, ['assets/lightweight-charts.js', 'assets/performance-view.js', 'assets/performance-page.js']);
    for (const src of scripts) {
      const js = await get(`/tradebot/performance/${src}`).expect(200).expect('Content-Type', /javascript/);
      assert.ok(js.text.length > 1000, src);
    }
    await get('/tradebot/performance/assets/other.js').expect(404);

    // trades.csv: a header and every trade, as a download.
    const csv = await get(`${base}/trades.csv`).expect(200).expect('Content-Type', /text\/csv/);
    assert.match(csv.headers['content-disposition'], new RegExp(`^attachment; filename="tradebot-trades-${exchange.id}\\.csv"$`));
    const lines: string[] = csv.text.split('\r\n').filter(Boolean);
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.length, 1 + data.tradesTotal);
    assert.ok(lines.some((l) => l.startsWith(`${forced.id},BTC/USDT,ema cross,`) && l.includes(',force-exit,')), 'the forced exit in the CSV');
  });

  it('a credential in the journal shows as *** on the page, in the JSON and in the CSV', async function () {
    const { apiKey } = testCredentials('perf');
    await loadFlow([{ id: 'px', type: 'tradebot-exchange', name: 'keyed', mode: 'sim', simSeed: 5, simBalances: 'USDT=10000' }], { px: { apiKey } });
    // Rows that hold the key (the flow's messages are redacted on their way, so they are written
    // straight into the journal here, as another writer of a shared database could have).
    const journal = getNode('px').session.journal;
    const base = { orderId: 'x', exchange: 'sim', mode: 'sim', symbol: 'BTC/USDT', amount: 0.01, fee: { cost: 0.6, currency: 'USDT' }, feeQuote: 0.6 };
    const t0 = Date.now() - 60_000;
    journal.fill({ ...base, id: 'tb-k1@0.01', clientOrderId: 'tb-k1', side: 'buy', price: 60_000, ts: t0, strategy: `leaky ${apiKey}`, heldBefore: 0, heldAfter: 0.01 });
    journal.fill({ ...base, id: 'tb-k2@0.01', clientOrderId: 'tb-k2', side: 'sell', price: 61_000, ts: t0 + 1000, heldBefore: 0.01, heldAfter: 0 });
    await journal.flush();
    const data = (await get('/tradebot/performance/px.json').expect(200)).body;
    assert.equal(data.tradesTotal, 1);
    const page = (await get('/tradebot/performance/px').expect(200)).text;
    const csv = (await get('/tradebot/performance/px/trades.csv').expect(200)).text;
    for (const [what, text] of [['JSON', JSON.stringify(data)], ['page', page], ['CSV', csv]] as const) {
      assert.ok(!text.includes(apiKey), `${what}: the key is not shown`);
      assert.ok(text.includes('leaky ***'), `${what}: it is replaced by ***`);
    }
  });

  it('a journal that cannot be read: 503 with the reason, and the page works again once it can', async function () {
    await loadFlow([{ id: 'jx', type: 'tradebot-exchange', name: 'db trouble', mode: 'sim' }]);
    await get('/tradebot/performance/jx.json').expect(200);
    const store = getNode('jx').session.journal.store;
    await store.close();
    for (const url of ['/tradebot/performance/jx', '/tradebot/performance/jx.json', '/tradebot/performance/jx/trades.csv']) {
      const res = await get(url).expect(503).expect('Content-Type', /text\/plain/);
      assert.match(res.text, /^The performance (page|data|CSV) could not be read: the journal database is not open\. Trading goes on/, url);
    }
    await store.open();
    const back = (await get('/tradebot/performance/jx.json').expect(200)).body;
    assert.equal(back.kind, 'performance');
  });

  it('404 with a sentence: no such exchange node, a node that is not one, one that is not running, one without journal', async function () {
    await loadFlow([
      { id: 'no-journal', type: 'tradebot-exchange', name: 'quiet', mode: 'sim', journal: 'off' },
      { id: 'broken', type: 'tradebot-exchange', name: 'broken one', mode: 'sim', simSpeed: -5 },
      { id: 'gate', type: 'tradebot-risk-gate', exchange: 'no-journal', sizing: 'quote', quoteAmount: 100, wires: [[], []] },
    ]);
    for (const url of ['/tradebot/performance/00000000000000ff', '/tradebot/performance/00000000000000ff.json', '/tradebot/performance/00000000000000ff/trades.csv', '/tradebot/performance/gate']) {
      const res = await get(url).expect(404).expect('Content-Type', /text\/plain/);
      assert.match(res.text, /^No exchange node (00000000000000ff|gate) is deployed here: deploy the flow/, url);
    }
    const broken = await get('/tradebot/performance/broken.json').expect(404);
    assert.match(broken.text, /^The exchange node broken one is not running: .*simSpeed/);
    for (const url of ['/tradebot/performance/no-journal', '/tradebot/performance/no-journal.json', '/tradebot/performance/no-journal/trades.csv']) {
      const res = await get(url).expect(404);
      assert.match(res.text, /^The exchange node quiet keeps no trade journal.*its trade journal is off: set the journal to "auto"/, url);
    }
  });
});
