/**
 * GET /tradebot/metrics and /tradebot/health after a pipeline run on the simulated market: the
 * counters match what the flow did.
 */
import assert from 'node:assert/strict';
import { Inbox, getNode, helper, loadFlow, unloadFlow, waitForAsync, type FlowNode } from '../support/node-red';

/** Prometheus text -> value of one series, 0 when absent (counters only exist once incremented). */
function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (want.every((w) => inside.split(',').includes(w))) return Number(line.slice(line.indexOf('}') + 1));
  }
  return 0;
}

describe('metrics and health endpoints', function () {
  this.timeout(20_000);
  afterEach(unloadFlow);

  const flow = (): FlowNode[] => [
    { id: 'mx', type: 'tradebot-exchange', mode: 'sim', simSeed: 5, simSpeed: 600, simBalances: 'USDT=10000' },
    { id: 'm-ticker', type: 'tradebot-ticker', exchange: 'mx', symbols: 'BTC/USDT', interval: 1000, wires: [['m-tick-out']] },
    { id: 'm-tick-out', type: 'helper' },
    { id: 'm-risk', type: 'tradebot-risk-gate', exchange: 'mx', sizing: 'quote', quoteAmount: 500, wires: [['m-order'], ['m-rejected']] },
    { id: 'm-order', type: 'tradebot-place-order', exchange: 'mx', wires: [['m-updates'], ['m-portfolio']] },
    { id: 'm-rejected', type: 'helper' },
    { id: 'm-updates', type: 'helper' },
    { id: 'm-portfolio', type: 'helper' },
  ];
  let n = 0;
  const signal = (side: 'buy' | 'sell') => ({ payload: { kind: 'signal', id: `sig-m${++n}`, exchange: 'sim', symbol: 'BTC/USDT', side, price: 60000, ts: Date.now(), candleTs: 0, strategy: 's', strength: 1, reason: 'r' } });

  it('counts messages per node, orders by outcome, validation failures, latency and equity', async function () {
    await loadFlow(flow());
    const before = (await helper.request().get('/tradebot/metrics').expect(200)).text;
    const updates = new Inbox('m-updates');
    const rejected = new Inbox('m-rejected');
    const portfolio = new Inbox('m-portfolio');
    const risk = getNode('m-risk');
    risk.receive(signal('buy'));
    await updates.take(1);
    risk.receive(signal('sell'));
    await updates.take(2);
    risk.receive(signal('sell')); // no position left: rejected by the risk gate
    risk.receive({ payload: { kind: 'signal', side: 'up' } }); // fails the contract
    await rejected.take(2);
    await portfolio.take(2);

    const res = await helper.request().get('/tradebot/metrics').expect(200);
    assert.match(res.headers['content-type'], /text\/plain/);
    const text = res.text;
    const delta = (name: string, labels: Record<string, string>) => metric(text, name, labels) - metric(before, name, labels);
    assert.equal(delta('tradebot_messages_in_total', { node: 'm-risk', type: 'tradebot-risk-gate' }), 4);
    assert.equal(delta('tradebot_messages_out_total', { node: 'm-risk', type: 'tradebot-risk-gate' }), 4, '2 requests + 2 rejections');
    assert.equal(delta('tradebot_validation_failures_total', { node: 'm-risk', type: 'tradebot-risk-gate' }), 1);
    assert.equal(delta('tradebot_errors_total', { node: 'm-risk', type: 'tradebot-risk-gate' }), 1);
    assert.equal(delta('tradebot_messages_in_total', { node: 'm-order', type: 'tradebot-place-order' }), 2);
    assert.equal(delta('tradebot_messages_out_total', { node: 'm-order', type: 'tradebot-place-order' }), 4, '2 order updates + 2 portfolio reports');
    assert.equal(delta('tradebot_orders_total', { exchange: 'sim', mode: 'sim', outcome: 'placed' }), 2);
    assert.equal(delta('tradebot_orders_total', { exchange: 'sim', mode: 'sim', outcome: 'filled' }), 2);
    assert.equal(delta('tradebot_order_latency_seconds_count', { exchange: 'sim', mode: 'sim' }), 2);
    assert.ok(metric(text, 'tradebot_messages_out_total', { node: 'm-ticker', type: 'tradebot-ticker' }) > 0, 'the ticker sent data');
    const equity = metric(text, 'tradebot_equity', { exchange: 'sim', mode: 'sim', currency: 'USDT' });
    assert.ok(equity > 9900 && equity < 10100, `equity ${equity} about the starting 10000 minus fees`);
  });

  it('health: per exchange node, mode, connected, data age, kill switch', async function () {
    await loadFlow(flow());
    await new Inbox('m-tick-out').take(1);
    const ok = await helper.request().get('/tradebot/health').expect(200);
    const ex = ok.body.exchanges.find((e: any) => e.id === 'mx');
    assert.equal(ok.body.status, 'ok');
    assert.equal(ex.mode, 'sim');
    assert.equal(ex.connected, true);
    assert.ok(ex.lastDataAgeMs >= 0 && ex.lastDataAgeMs < 5000);
    getNode('m-risk').receive({ topic: 'kill' });
    const killSwitch = async () => (await helper.request().get('/tradebot/health')).body.exchanges.find((e: any) => e.id === 'mx').killSwitch === true;
    await waitForAsync(killSwitch, 5_000, 'the kill switch in /tradebot/health');
  });

  it('health answers 503 while an exchange has no data', async function () {
    await loadFlow([{ id: 'idle', type: 'tradebot-exchange', mode: 'sim' }]);
    const res = await helper.request().get('/tradebot/health').expect(503);
    assert.equal(res.body.status, 'degraded');
    const { journal, ...idle } = res.body.exchanges.find((e: any) => e.id === 'idle');
    assert.deepEqual(idle, { id: 'idle', exchange: 'sim', mode: 'sim', connected: false, lastDataAgeMs: null, killSwitch: false, breakerTripped: false, openOrders: 0 });
    // The trade journal is on by default (an SQLite file of its own) and says how it is doing.
    assert.equal(journal.backend, 'sqlite');
    assert.equal(journal.state, 'ok');
    assert.match(journal.location, /tradebot-journal\.sqlite$/);
  });
});
