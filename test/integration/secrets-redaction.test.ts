/**
 * Credentials never leave the process in a text: an exchange that echoes the API key in its auth
 * errors (the mock Binance's echoApiKey fault) is met by the risk gate (done(err)), the place-order
 * node (the order update's reason) and the Telegram control (/balance's "Error: ..." reply), and
 * the results flow on to notifiers (Telegram, webhook) and Catch nodes. Everything that leaves is
 * captured: every message any node sends (what debug nodes would show), Catch messages, statuses,
 * warnings, the Node-RED log, every request to the Telegram mock and the webhook server. Each
 * credential, as typed and URL-encoded, must appear in none of it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { inspect } from 'node:util';
import { MockBinance } from '../support/mock-binance';
import { MockTelegram } from '../support/mock-telegram';
import { Inbox, getNode, helper, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

// Recognisable values (Binance keys are alphanumeric; the encoded forms are covered in test/unit/secrets.test.ts).
const KEY = 'APIKEYSECRETMARK1234abcd';
const SECRET = 'SECRETVALUEMARK5678efgh';
const PASSWORD = 'PASSPHRASEMARK9012';
const TOKEN = '424242:TELEGRAMTOKENMARK_3456ijkl';
const WEBHOOK_SECRET = 'WEBHOOKSECRETMARK7890mnop';
const CHAT = 111;

function nodeRedHooks(): { add: (name: string, fn: (e: any) => void) => void; remove: (name: string) => void } {
  const dir = path.dirname(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('@node-red/util', { paths: [dir] })).hooks;
}

describe('credentials never shown (mock Binance echoing the API key, mock Telegram, a webhook)', function () {
  this.timeout(40_000);
  let mock: MockBinance;
  let tg: MockTelegram;
  let hook: http.Server;
  let hookUrl: string;
  const hookBodies: string[] = [];
  const captured: unknown[] = [];

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 5000, BTC: 0.5 });
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
    tg = new MockTelegram({ token: TOKEN });
    await tg.start();
    hook = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        hookBodies.push(`${req.url} ${data}`);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/${WEBHOOK_SECRET}`;
  });
  afterEach(async function () {
    nodeRedHooks().remove('onSend.secretsTest');
    await unloadFlow();
    await mock?.stop();
    await tg?.stop();
    if (hook?.listening) await new Promise<void>((r) => hook.close(() => r()));
  });

  const flow = (): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', mode: 'live', liveOptIn: true, exchangeId: 'binance', baseUrl: mock.url, timeoutMs: 3000, exchangeStops: false },
    { id: 'bot', type: 'tradebot-telegram', apiBase: tg.url, allowedChats: String(CHAT) },
    { id: 'ctl', type: 'tradebot-telegram-control', telegram: 'bot', exchange: 'ex', currency: 'USDT', pollSeconds: 1, wires: [[]] },
    { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100, wires: [['approved'], ['rejected']] },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates', 'tgNotify', 'hookNotify'], []] },
    { id: 'tgNotify', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: String(CHAT), parseMode: 'HTML', wires: [['notified']] },
    { id: 'hookNotify', type: 'tradebot-notifier', channel: 'webhook', webhookPreset: 'generic', wires: [[]] },
    // A second gate outside the Catch node's scope: its error goes to the Node-RED log instead.
    { id: 'riskLogged', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100, wires: [[], []] },
    { id: 'catcher', type: 'catch', scope: ['risk', 'order', 'ctl', 'tgNotify', 'hookNotify'], wires: [['caught', 'tgNotify', 'hookNotify']] },
    { id: 'approved', type: 'helper' },
    { id: 'rejected', type: 'helper' },
    { id: 'updates', type: 'helper' },
    { id: 'notified', type: 'helper' },
    { id: 'caught', type: 'helper' },
  ];

  it('an auth error echoing the key reaches the flow, Catch, notifiers and Telegram replies without any credential', async function () {
    const hooks = nodeRedHooks();
    // Every message any node sends, as sent (what debug nodes and the sidebar would show).
    hooks.add('onSend.secretsTest', (events: any[]) => {
      for (const e of events) captured.push(e.msg);
    });
    await loadFlow(flow(), { ex: { apiKey: KEY, secret: SECRET, password: PASSWORD }, bot: { token: TOKEN }, hookNotify: { webhookUrl: hookUrl } });
    const shown: unknown[] = [];
    for (const id of ['ex', 'bot', 'ctl', 'risk', 'riskLogged', 'order', 'tgNotify', 'hookNotify']) {
      for (const call of ['status', 'warn', 'error', 'log']) getNode(id).on(`call:${call}`, (c: any) => shown.push(c.args));
    }
    const caught = new Inbox('caught');
    const updates = new Inbox('updates');

    // 1. The account cannot load (the balance read fails with the key in the text): the risk
    //    gate's done(err) and the Telegram control's /balance reply carry that error.
    mock.failNext(1000, { status: 401, echoApiKey: true }, '/api/v3/account');
    getNode('risk').receive({ payload: { kind: 'signal', id: 'sig-secret-1', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', side: 'buy', price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 's', strength: 1, reason: 'r' } });
    const [gateError] = await caught.take(1, 15_000);
    assert.match(gateError.error.message, /Invalid API-key/, 'the exchange error reached the Catch node');
    getNode('riskLogged').receive({ payload: { kind: 'signal', id: 'sig-secret-2', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', side: 'buy', price: 60_000, ts: Date.now(), candleTs: Date.now() - 60_000, strategy: 's', strength: 1, reason: 'r' } });
    await waitFor(() => helper.log().args.some((a: any[]) => a[0]?.id === 'riskLogged' && /Invalid API-key/.test(String(a[0]?.msg?.message ?? a[0]?.msg))), 15_000, 'the uncaught error in the Node-RED log');
    tg.pushUpdate({ chatId: CHAT, text: '/balance' });
    await waitFor(() => tg.sentTo(CHAT).some((t) => t.includes('Invalid API-key')), 15_000, 'the /balance error reply');

    // 2. The account loads; the order itself is refused with the key in the text: the order update's reason.
    mock.clearFaults();
    mock.failNext(1, { status: 401, echoApiKey: true, code: -2014 }, '/api/v3/order', 'POST');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-secret-order', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, ts: Date.now() } });
    const [update] = await updates.take(1, 15_000);
    assert.equal(update.payload.status, 'rejected');
    assert.match(update.payload.reason, /API-key format invalid/, 'the exchange error is in the reason');
    // The notifiers pass it on: Telegram and the webhook received the rejection (and the caught error).
    await waitFor(() => tg.sentTo(CHAT).some((t) => t.includes('API-key format invalid')), 15_000, 'the rejection notified on Telegram');
    await waitFor(() => hookBodies.some((b) => b.includes('API-key format invalid')) && hookBodies.some((b) => b.includes('Invalid API-key')), 15_000, 'the rejection and the caught error on the webhook');

    const haystack = [
      ['messages sent', captured],
      ['Catch messages', caught.messages],
      ['statuses, warnings, errors', shown],
      ['Node-RED log', helper.log().args],
      ['Telegram requests', tg.requests.map((r) => r.body)],
      ['webhook requests (bodies)', hookBodies.map((b) => b.slice(b.indexOf(' ') + 1))],
    ] as const;
    const leaks: string[] = [];
    for (const [where, what] of haystack) {
      const text = inspect(what, { depth: 30, breakLength: Infinity, maxStringLength: Infinity, maxArrayLength: Infinity });
      for (const secret of [KEY, SECRET, PASSWORD, TOKEN, TOKEN.split(':')[1]!, WEBHOOK_SECRET]) {
        if (text.includes(secret)) leaks.push(`${where} show ${secret.slice(0, 12)}...: ${excerpt(text, secret)}`);
      }
    }
    assert.deepEqual(leaks, [], 'no credential in anything shown');
    assert.ok(inspect(captured, { depth: 30 }).includes('***'), 'the redacted texts are still there, with *** in place of the key');
  });
});

function excerpt(text: string, secret: string): string {
  const i = text.indexOf(secret);
  return text.slice(Math.max(0, i - 120), i + secret.length + 40).replace(secret, '<SECRET>');
}
