/**
 * Start and stop reach the notifier as their own kind, in the real Node-RED runtime: a sim
 * exchange, a place-order node with Start/stop ticked wired to a notifier that posts to a local
 * webhook. The start goes out once the account is ready; the stop when the flows stop.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

describe('lifecycle notifications: start and stop', function () {
  this.timeout(20_000);
  let server: http.Server;
  let url = '';
  const posted: string[] = [];

  beforeEach(async function () {
    posted.length = 0;
    server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        posted.push(JSON.parse(data).text);
        res.writeHead(200);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(async function () {
    await unloadFlow();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const flow = (lifecycle: boolean | undefined): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simBalances: 'USDT=1000' },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', ...(lifecycle === undefined ? {} : { lifecycle }), wires: [['updates', 'notifier'], []] },
    { id: 'notifier', type: 'tradebot-notifier', channel: 'webhook', webhookPreset: 'generic', wires: [[]] },
    { id: 'updates', type: 'helper' },
  ];

  it('start when the account is ready, stop when the flows stop, each once, as kind lifecycle', async function () {
    await loadFlow(flow(true), { notifier: { webhookUrl: url } });
    const updates = new Inbox('updates');
    await waitFor(() => updates.messages.some((m) => m.payload?.kind === 'lifecycle'), 5000, 'the start event on output 1');
    const start = updates.messages.find((m) => m.payload?.kind === 'lifecycle')!;
    assert.equal(start.topic, 'start');
    assert.equal(start.payload.event, 'start');
    assert.equal(start.payload.exchange, 'sim');
    await waitFor(() => posted.some((t) => /trading started \(sim, sim\)/.test(t)), 5000, 'the start notification');
    await unloadFlow();
    await waitFor(() => posted.some((t) => /trading stopped \(sim, sim\)/.test(t)), 5000, 'the stop notification');
    assert.equal(posted.filter((t) => /trading started/.test(t)).length, 1);
    assert.equal(posted.filter((t) => /trading stopped/.test(t)).length, 1);
  });

  it('a place-order node from a flow saved before Start/stop existed sends order updates only', async function () {
    await loadFlow(flow(undefined), { notifier: { webhookUrl: url } });
    const updates = new Inbox('updates');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-life-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() } });
    const [first] = await updates.take(1, 5000);
    assert.equal(first.payload.kind, 'orderUpdate');
    assert.ok(!updates.messages.some((m) => m.payload?.kind === 'lifecycle'));
  });
});
