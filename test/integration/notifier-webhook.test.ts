/**
 * The notifier's webhook channel against a local server that answers like Discord's and Slack's
 * incoming webhooks (Discord: JSON {content}, 204, 429 with Retry-After; Slack: JSON {text}, 200 "ok").
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getNode, loadFlow, unloadFlow, waitFor } from '../support/node-red';

interface Received {
  path: string;
  body: any;
}

function webhookServer(): Promise<{ url: string; received: Received[]; throttleNext: (n: number) => void; close: () => Promise<void> }> {
  const received: Received[] = [];
  let throttle = 0;
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (throttle > 0) {
        throttle--;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 1, global: false }));
      }
      received.push({ path: req.url ?? '', body: JSON.parse(data) });
      if (req.url?.startsWith('/slack')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('ok');
      }
      res.writeHead(204);
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        throttleNext: (n) => (throttle = n),
        close: () => new Promise((r) => server.close(() => r())),
      });
    }),
  );
}

describe('notifier -> webhooks (Discord and Slack formats)', function () {
  this.timeout(20_000);
  let hook: Awaited<ReturnType<typeof webhookServer>>;
  beforeEach(async () => (hook = await webhookServer()));
  afterEach(async () => {
    await unloadFlow();
    await hook.close();
  });

  const signal = { payload: { kind: 'signal', id: 'sig-w', exchange: 'sim', symbol: 'ETH/USDT', side: 'sell', price: 3000, ts: 1, candleTs: 0, strategy: 'rsi', strength: 1, reason: 'RSI fell back below 70' } };

  it('Discord: {content} with the plain text; a 429 waits for Retry-After; the URL (its secret) never shows', async function () {
    const url = `${hook.url}/api/webhooks/123/SECRETwebhookTOKEN`;
    await loadFlow([{ id: 'n', type: 'tradebot-notifier', channel: 'webhook', webhookPreset: 'discord', wires: [[]] }], { n: { webhookUrl: url } });
    const seen: string[] = [];
    for (const e of ['call:status', 'call:warn', 'call:error']) getNode('n').on(e, (call: any) => seen.push(JSON.stringify(call.args)));
    hook.throttleNext(1);
    const t0 = Date.now();
    getNode('n').receive(signal);
    await waitFor(() => hook.received.length === 1, 5000, 'the webhook call');
    assert.ok(Date.now() - t0 >= 950, 'waited for Retry-After');
    assert.deepEqual(Object.keys(hook.received[0]!.body), ['content']);
    assert.match(hook.received[0]!.body.content, /^🔴 sell signal ETH\/USDT @ 3000\nrsi, strength 1\nRSI fell back below 70$/);
    assert.ok(!seen.join(' ').includes('SECRETwebhookTOKEN'));
  });

  it('Slack: {text}', async function () {
    await loadFlow([{ id: 'n', type: 'tradebot-notifier', channel: 'webhook', webhookPreset: 'slack', wires: [[]] }], { n: { webhookUrl: `${hook.url}/slack/T000/B000/XXXX` } });
    getNode('n').receive(signal);
    await waitFor(() => hook.received.length === 1, 5000, 'the webhook call');
    assert.deepEqual(Object.keys(hook.received[0]!.body), ['text']);
    assert.match(hook.received[0]!.body.text, /sell signal ETH\/USDT/);
  });
});
