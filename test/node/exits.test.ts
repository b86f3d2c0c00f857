/**
 * Exits are never blocked: in the real Node-RED runtime on the simulated market, every rule that
 * limits new risk refuses a buy while a sell of the held position goes through and fills. Force
 * exits (msg.topic "forceExit") close one symbol or everything, bad input places nothing, and a
 * breaker set to "flatten" closes every position when it trips.
 */
import assert from 'node:assert/strict';
import { isRejection, Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

// simSpeed 1: the market barely moves during a test, so fees decide drawdown and daily P&L.
const exchange = (extra: Record<string, unknown> = {}): FlowNode => ({
  id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 42, simSpeed: 1, simTickMs: 1000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0, ...extra,
});
const pipeline = (risk: Record<string, unknown> = {}, ex: Record<string, unknown> = {}): FlowNode[] => [
  exchange(ex),
  { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 1000, ...risk, wires: [['order', 'requests'], ['rejected']] },
  { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], ['portfolio']] },
  { id: 'requests', type: 'helper' },
  { id: 'rejected', type: 'helper' },
  { id: 'updates', type: 'helper' },
  { id: 'portfolio', type: 'helper' },
  { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

let seq = 0;
const signal = (side: 'buy' | 'sell', extra: Record<string, unknown> = {}) => ({
  topic: 'BTC/USDT',
  payload: { kind: 'signal', id: `sig-${(++seq).toString(16).padStart(24, '0')}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side, price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 'test', strength: 1, reason: 'test signal', ...extra },
});

async function portfolioNow(): Promise<any> {
  const inbox = new Inbox('portfolio');
  getNode('order').receive({ topic: 'portfolio' });
  return (await inbox.take(1)).at(-1).payload;
}

/** The next final update of a new order, after `count` updates seen so far. */
async function nextFinal(updates: Inbox, side: 'buy' | 'sell', from: number): Promise<any> {
  await waitFor(() => updates.messages.slice(from).some((m) => m.payload.side === side && m.payload.status !== 'open'), 8000, `a ${side} to finish`);
  return updates.messages.slice(from).find((m) => m.payload.side === side && m.payload.status !== 'open').payload;
}

const buy = (symbol: string, amount: number) =>
  getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: `tb-setup-${++seq}`, symbol, side: 'buy', type: 'market', amount, ts: Date.now() } });

type Step = 'gateBuy' | 'gateSell' | 'orderBuy' | 'kill';

async function run(steps: Step[], updates: Inbox): Promise<void> {
  for (const step of steps) {
    const from = updates.messages.length;
    if (step === 'kill') {
      getNode('risk').receive({ topic: 'kill' });
      continue;
    }
    if (step === 'orderBuy') {
      getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: `tb-setup-${++seq}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.015, ts: Date.now() } });
    } else {
      getNode('risk').receive(signal(step === 'gateBuy' ? 'buy' : 'sell'));
    }
    const done = await nextFinal(updates, step === 'gateSell' ? 'sell' : 'buy', from);
    assert.equal(done.status, 'closed', `setup step ${step}: ${done.reason ?? ''}`);
  }
}

describe('exits are never blocked by the rules that limit new risk', function () {
  this.timeout(30_000);
  afterEach(unloadFlow);

  const hour = new Date().getUTCHours();
  const hh = (h: number) => String(h % 24).padStart(2, '0');
  const cases: Array<{ code: string; risk?: Record<string, unknown>; ex?: Record<string, unknown>; before: Step[]; entry?: Record<string, unknown> }> = [
    { code: 'KILL_SWITCH', before: ['gateBuy', 'kill'] },
    // A window that closed an hour ago and opens again in two hours.
    { code: 'OUTSIDE_TRADING_WINDOW', risk: { tradingFrom: `${hh(hour + 2)}:00`, tradingTo: `${hh(hour + 23)}:00` }, before: ['orderBuy'] },
    { code: 'COOLDOWN', risk: { cooldownSec: 3600 }, before: ['gateBuy'] },
    { code: 'COOLDOWN_AFTER_LOSS', risk: { cooldownAfterLossSec: 3600 }, before: ['gateBuy', 'gateSell', 'orderBuy'] },
    // A round trip pays two fees: a realized loss of about 2 USDT.
    { code: 'DAILY_LOSS_LIMIT', risk: { dailyLossLimit: 0.5 }, before: ['gateBuy', 'gateSell', 'orderBuy'] },
    // 900 of 1,000 USDT in BTC pays 0.9 in fees: equity about 0.09 % below the peak the first signal saw.
    { code: 'DRAWDOWN_BREAKER', risk: { maxDrawdownPct: 0.05, quoteAmount: 900 }, ex: { simBalances: 'USDT=1000' }, before: ['gateBuy'] },
    // BTC held, the limit is one position: a buy of another market is refused.
    { code: 'MAX_POSITIONS', risk: { maxOpenPositions: 1 }, before: ['orderBuy'], entry: { symbol: 'ETH/USDT', price: 3000 } },
    { code: 'MAX_EXPOSURE_SYMBOL', risk: { maxExposurePerSymbol: 1 }, before: ['orderBuy'] },
    { code: 'MAX_EXPOSURE_TOTAL', risk: { maxExposureTotal: 1 }, before: ['orderBuy'] },
    { code: 'INSUFFICIENT_BALANCE', ex: { simBalances: 'USDT=1100' }, before: ['orderBuy'] },
  ];
  for (const c of cases) {
    it(`${c.code}: refuses the buy, the sell of the held position fills`, async function () {
      await loadFlow(pipeline(c.risk, c.ex));
      const updates = new Inbox('updates');
      const rejected = new Inbox('rejected', isRejection);
      await run(c.before, updates);
      const held = (await portfolioNow()).balances.BTC.total;
      assert.ok(held > 0, 'a position is held');
      const rejectedBefore = rejected.messages.length;
      getNode('risk').receive(signal('buy', c.entry));
      await rejected.take(rejectedBefore + 1);
      assert.equal(rejected.messages.at(-1).payload.code, c.code, rejected.messages.at(-1).payload.reason);
      const from = updates.messages.length;
      getNode('risk').receive(signal('sell'));
      const sell = await nextFinal(updates, 'sell', from);
      assert.equal(sell.status, 'closed', sell.reason);
      assert.ok(Math.abs(sell.filled - held) < 1e-9, `sold the whole position (${sell.filled} of ${held})`);
      assert.ok(Math.abs((await portfolioNow()).balances.BTC.total) < 1e-9, 'flat');
    });
  }

  it('the kill switch is "no new entries": its rejection says so', async function () {
    await loadFlow(pipeline());
    const rejected = new Inbox('rejected', isRejection);
    getNode('risk').receive({ topic: 'kill' });
    getNode('risk').receive(signal('buy'));
    const [r] = await rejected.take(1);
    assert.equal(r.payload.code, 'KILL_SWITCH');
    assert.match(r.payload.reason, /no new entries/);
  });
});

describe('kill switch and force exits as lifecycle events on output 2 (for the notifier)', function () {
  this.timeout(30_000);
  afterEach(unloadFlow);

  it('kill, resume and a force exit each send one lifecycle event: event, exchange, mode, symbol, reason', async function () {
    await loadFlow(pipeline());
    const out2 = new Inbox('rejected', (m) => m.payload?.kind === 'lifecycle');
    const updates = new Inbox('updates');
    buy('BTC/USDT', 0.02);
    await waitFor(() => updates.messages.some((m) => m.payload.status === 'closed'), 8000, 'the buy');
    getNode('risk').receive({ topic: 'kill' });
    const [kill] = await out2.take(1);
    assert.equal(kill.topic, 'kill');
    assert.deepEqual([kill.payload.event, kill.payload.exchange, kill.payload.mode], ['kill', 'sim', 'sim']);
    assert.match(kill.payload.reason, /no new entries/);
    getNode('risk').receive({ topic: 'forceExit', payload: { symbol: 'BTC/USDT' } });
    const [, exit] = await out2.take(2);
    assert.equal(exit.payload.event, 'forceExit');
    assert.equal(exit.payload.symbol, 'BTC/USDT');
    assert.match(exit.payload.reason, /market sell of 0\.02 BTC\/USDT/);
    getNode('risk').receive({ topic: 'resume' });
    const [, , resume] = await out2.take(3);
    assert.equal(resume.payload.event, 'resume');
    assert.match(resume.payload.reason, /entries allowed again/);
    getNode('risk').receive({ topic: 'forceExit', payload: { all: true } });
    const [, , , all] = await out2.take(4);
    assert.equal(all.payload.event, 'forceExit');
    assert.equal(all.payload.symbol, undefined, 'a force exit of everything names no symbol');
    assert.equal(all.payload.reason, 'no position to close');
  });
});

describe('force exit', function () {
  this.timeout(30_000);
  afterEach(unloadFlow);

  it('closes one symbol at market with the kill switch on; a repeat finds nothing to close and sells nothing', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    const requests = new Inbox('requests');
    const caught = new Inbox('caught');
    buy('BTC/USDT', 0.02);
    buy('ETH/USDT', 0.3);
    await waitFor(() => updates.messages.filter((m) => m.payload.status === 'closed').length === 2, 8000, 'two buys');
    getNode('risk').receive({ topic: 'kill' });
    getNode('risk').receive({ topic: 'forceExit', payload: { symbol: 'BTC/USDT' } });
    const [request] = await requests.take(1);
    assert.equal(request.payload.reason, 'force exit');
    assert.equal(request.payload.side, 'sell');
    assert.equal(request.payload.type, 'market');
    assert.match(request.payload.clientOrderId, /^tb-fx-[0-9a-f]{24}$/);
    const sell = await nextFinal(updates, 'sell', 2);
    assert.equal(sell.status, 'closed');
    assert.equal(sell.filled, 0.02);
    let p = await portfolioNow();
    assert.ok(Math.abs(p.balances.BTC.total) < 1e-12, 'BTC closed');
    assert.ok(Math.abs(p.balances.ETH.total - 0.3) < 1e-12, 'ETH untouched');
    // The same order request delivered again (a redelivery) is answered from the record: no second sell.
    getNode('order').receive({ payload: request.payload });
    getNode('risk').receive({ topic: 'forceExit', payload: { symbol: 'BTC/USDT' } });
    const [err] = await caught.take(1);
    assert.match(err.error.message, /msg\.payload\.symbol: no BTC\/USDT position/);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(updates.messages.filter((m) => m.payload.side === 'sell' && m.payload.status === 'closed' && !m.duplicate).length, 1, 'sold once');
    p = await portfolioNow();
    assert.ok(Math.abs(p.balances.ETH.total - 0.3) < 1e-12);
  });

  it('{all: true} closes every position', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    buy('BTC/USDT', 0.02);
    buy('ETH/USDT', 0.3);
    await waitFor(() => updates.messages.filter((m) => m.payload.status === 'closed').length === 2, 8000, 'two buys');
    getNode('risk').receive({ topic: 'forceExit', payload: { all: true } });
    await waitFor(() => updates.messages.filter((m) => m.payload.side === 'sell' && m.payload.status === 'closed').length === 2, 8000, 'two sells');
    const p = await portfolioNow();
    assert.equal(p.positions.filter((x: any) => x.amount > 0).length, 0, 'flat');
    assert.ok(updates.messages.filter((m) => m.payload.side === 'sell').every((m) => m.payload.reason === 'force exit'));
  });

  it('bad input gets an error naming the field and places nothing', async function () {
    await loadFlow(pipeline());
    const updates = new Inbox('updates');
    const caught = new Inbox('caught');
    buy('BTC/USDT', 0.02);
    await updates.take(1);
    const bad: Array<[unknown, RegExp]> = [
      ['BTC/USDT', /msg\.payload: a force exit needs an object/],
      [null, /msg\.payload: a force exit needs an object/],
      [{}, /msg\.payload\.symbol: the market to close/],
      [{ all: false }, /msg\.payload\.all: must be true/],
      [{ all: 'yes' }, /msg\.payload\.all: must be true/],
      [{ symbol: 42 }, /msg\.payload\.symbol: must be a market symbol/],
      [{ symbol: 'NOPE/USDT' }, /msg\.payload\.symbol: NOPE\/USDT is not a market on sim/],
      [{ symbol: 'ETH/USDT' }, /msg\.payload\.symbol: no ETH\/USDT position is held/],
      [{ symbol: 'BTC/USDT', all: true }, /msg\.payload: give either symbol or all/],
    ];
    for (const [payload] of bad) getNode('risk').receive({ topic: 'forceExit', payload });
    const errors = (await caught.take(bad.length)).map((m) => m.error.message as string);
    // Some checks wait for the market list, so errors may arrive in another order.
    for (const [, pattern] of bad) assert.ok(errors.some((e) => pattern.test(e)), `an error matching ${pattern} among ${errors.join(' | ')}`);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(updates.messages.length, 1, 'nothing placed');
    assert.ok(Math.abs((await portfolioNow()).balances.BTC.total - 0.02) < 1e-12);
  });
});

describe('breaker action', function () {
  this.timeout(30_000);
  afterEach(unloadFlow);

  it('drawdown breaker set to "flatten": the trip is announced on output 2 and every position is closed', async function () {
    await loadFlow(pipeline({ maxDrawdownPct: 0.05, quoteAmount: 900, drawdownAction: 'flatten' }, { simBalances: 'USDT=1000' }));
    const updates = new Inbox('updates');
    const rejected = new Inbox('rejected', isRejection);
    await run(['gateBuy'], updates);
    getNode('risk').receive(signal('buy'));
    const [trip] = await rejected.take(1);
    assert.equal(trip.payload.code, 'DRAWDOWN_BREAKER');
    assert.equal(trip.payload.trip, true);
    assert.equal(trip.payload.action, 'flatten');
    const sell = await nextFinal(updates, 'sell', 1);
    assert.equal(sell.status, 'closed');
    assert.match(sell.reason ?? '', /force exit: drawdown breaker tripped/);
    assert.ok(Math.abs((await portfolioNow()).balances.BTC.total) < 1e-12, 'flat');
    // Tripped once: the next buy is refused without a second flatten.
    getNode('risk').receive(signal('buy'));
    const [, again] = await rejected.take(2);
    assert.equal(again.payload.code, 'DRAWDOWN_BREAKER');
    assert.equal(again.payload.trip, undefined);
  });

  it('daily loss limit set to "flatten" trips on a sell too: the sell goes out, the rest is closed, the trip is announced', async function () {
    await loadFlow(pipeline({ dailyLossLimit: 0.5, dailyLossAction: 'flatten' }));
    const updates = new Inbox('updates');
    const rejected = new Inbox('rejected', isRejection);
    await run(['gateBuy', 'gateSell'], updates); // realized about -2 USDT today
    buy('ETH/USDT', 0.3);
    await waitFor(() => updates.messages.filter((m) => m.payload.status === 'closed').length === 3, 8000, 'the ETH buy');
    await run(['orderBuy'], updates);
    const from = updates.messages.length;
    getNode('risk').receive(signal('sell'));
    const [trip] = await rejected.take(1);
    assert.equal(trip.payload.code, 'DAILY_LOSS_LIMIT');
    assert.equal(trip.payload.action, 'flatten');
    await waitFor(() => updates.messages.slice(from).filter((m) => m.payload.side === 'sell' && m.payload.status === 'closed').length === 2, 8000, 'BTC sold by the signal, ETH by the flatten');
    const sells = updates.messages.slice(from).filter((m) => m.payload.status === 'closed').map((m) => m.payload);
    assert.deepEqual(sells.map((s) => s.symbol).sort(), ['BTC/USDT', 'ETH/USDT']);
    assert.match(sells.find((s) => s.symbol === 'ETH/USDT').reason, /force exit: daily loss limit tripped/);
    const p = await portfolioNow();
    assert.equal(p.positions.filter((x: any) => x.amount > 0).length, 0, 'flat');
  });

  it('"refuse" (the default) announces the trip and closes nothing', async function () {
    await loadFlow(pipeline({ dailyLossLimit: 0.5 }));
    const updates = new Inbox('updates');
    const rejected = new Inbox('rejected', isRejection);
    await run(['gateBuy', 'gateSell', 'orderBuy'], updates);
    getNode('risk').receive(signal('buy'));
    const [trip] = await rejected.take(1);
    assert.equal(trip.payload.code, 'DAILY_LOSS_LIMIT');
    assert.equal(trip.payload.trip, true);
    assert.equal(trip.payload.action, 'refuse');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await portfolioNow()).balances.BTC.total > 0.014, 'the position stays');
  });

  it('"flatten" without its limit is a setting error naming the field', async function () {
    await loadFlow(pipeline({ drawdownAction: 'flatten' }));
    const caught = new Inbox('caught');
    getNode('risk').receive(signal('buy'));
    const [err] = await caught.take(1);
    assert.match(err.error.message, /drawdownAction: "flatten" needs a max drawdown/);
  });
});
