/**
 * The notifier in the real Node-RED runtime against a mock Telegram Bot API on loopback (it
 * checks HTML and MarkdownV2 like Telegram does): delivery, templates, 429 with retry_after,
 * an outage and recovery, the queue bound, and a token that never leaks.
 */
import assert from 'node:assert/strict';
import { MockTelegram } from '../support/mock-telegram';
import { Inbox, getNode, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const TOKEN = '123456789:AAHsecretTokenThatMustNeverLeak_xyz';
const CHAT = 4242;

const signal = (extra: Record<string, unknown> = {}) => ({
  topic: 'BTC/USDT',
  payload: { kind: 'signal', id: 'sig-1', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side: 'buy', price: 60000.5, ts: 1, candleTs: 0, strategy: 'ema-cross-9-21', strength: 0.42, reason: 'EMA 9 (60010.1) crossed above EMA 21 (60001.2). Go!', ...extra },
});

describe('notifier -> Telegram (mock Bot API)', function () {
  this.timeout(40_000);
  let tg: MockTelegram;

  beforeEach(async function () {
    tg = new MockTelegram({ token: TOKEN });
    await tg.start();
  });
  afterEach(async function () {
    await unloadFlow();
    await tg.stop();
  });

  const flow = (notifier: Record<string, unknown> = {}): FlowNode[] => [
    { id: 'bot', type: 'tradebot-telegram', apiBase: tg.url, allowedChats: String(CHAT) },
    { id: 'n', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: String(CHAT), parseMode: 'HTML', ...notifier, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  const creds = { bot: { token: TOKEN } };

  /** Everything the node showed or logged, to check the token never appears. */
  function watchLeaks(): () => string {
    const seen: unknown[] = [];
    const node = getNode('n');
    for (const event of ['call:status', 'call:warn', 'call:error', 'call:send', 'call:log']) node.on(event, (call: any) => seen.push(call.args));
    return () => JSON.stringify(seen);
  }

  it('delivers a signal with the default HTML template, and passes the plain text on', async function () {
    await loadFlow(flow(), creds);
    const out = new Inbox('out');
    getNode('n').receive(signal());
    await tg.waitForSent(1, 5000);
    const [sent] = tg.sent;
    assert.equal(sent!.parseMode, 'HTML');
    assert.equal(String(sent!.chatId), String(CHAT));
    assert.match(sent!.text, /<b>buy signal<\/b> BTC\/USDT @ 60000\.5/);
    assert.match(sent!.text, /<i>EMA 9 \(60010\.1\) crossed above EMA 21 \(60001\.2\)\. Go!<\/i>/);
    const [pass] = await out.take(1);
    assert.match(pass.payload, /^🟢 buy signal BTC\/USDT @ 60000\.5\nema-cross-9-21, strength 0\.42/);
  });

  it('MarkdownV2 with reserved characters everywhere is accepted by Telegram; custom templates per kind', async function () {
    await loadFlow(flow({ parseMode: 'MarkdownV2', templates: { signal: '{{#b}}{{payload.side}}{{/b}} {{payload.symbol}} (strength {{n.strength}}) - {{payload.reason}}!' } }), creds);
    getNode('n').receive(signal());
    getNode('n').receive({ payload: { kind: 'orderUpdate', id: '7', clientOrderId: 'tb-1', exchange: 'sim', symbol: 'BTC/USDT', side: 'buy', type: 'market', status: 'closed', amount: 0.01, filled: 0.01, remaining: 0, average: 60001.25, price: null, fee: { cost: 0.6, currency: 'USDT' }, ts: 1, mode: 'sim' } });
    await tg.waitForSent(2, 5000);
    assert.equal(tg.sent[0]!.text, '*buy* BTC/USDT \\(strength 0\\.42\\) \\- EMA 9 \\(60010\\.1\\) crossed above EMA 21 \\(60001\\.2\\)\\. Go\\!\\!');
    assert.match(tg.sent[0]!.plain, /^buy BTC\/USDT \(strength 0\.42\) - EMA 9/, 'Telegram shows it as written');
    assert.match(tg.sent[1]!.plain, /order closed: buy 0\.01\/0\.01 BTC\/USDT @ 60001\.25 \(sim\)/);
  });

  it('kinds filter, minimum interval per kind, and batching of a burst into one message', async function () {
    await loadFlow(flow({ kinds: ['signal', 'rejection'], minIntervals: { rejection: 60 }, batchSeconds: 0.3 }), creds);
    const n = getNode('n');
    n.receive(signal());
    n.receive(signal({ side: 'sell' }));
    n.receive({ payload: { kind: 'orderUpdate' } }); // not a selected kind
    n.receive({ payload: { kind: 'rejection', code: 'COOLDOWN', reason: 'wait', symbol: 'BTC/USDT', side: 'buy', ts: 1 } });
    n.receive({ payload: { kind: 'rejection', code: 'COOLDOWN', reason: 'wait again', symbol: 'BTC/USDT', side: 'buy', ts: 2 } }); // within 60 s
    await tg.waitForSent(1, 5000);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(tg.sent.length, 1, 'one batched message');
    const text = tg.sent[0]!.plain;
    assert.match(text, /buy signal[\s\S]*sell signal[\s\S]*rejected buy BTC\/USDT: COOLDOWN\nwait$/);
    assert.doesNotMatch(text, /wait again|order/);
  });

  it('429: waits for retry_after and delivers; an outage: retries with backoff and delivers everything in order when it ends', async function () {
    await loadFlow(flow(), creds);
    const leaks = watchLeaks();
    const statuses = recordStatuses('n');
    tg.failNext(1, { status: 429, retryAfter: 1 }, 'sendMessage');
    const t0 = Date.now();
    getNode('n').receive(signal());
    await tg.waitForSent(1, 5000);
    assert.ok(Date.now() - t0 >= 950, `waited for retry_after (${Date.now() - t0} ms)`);
    tg.setDown(true);
    for (const side of ['sell', 'buy', 'sell']) getNode('n').receive(signal({ side }));
    await waitFor(() => statuses.some((s) => /retry in/.test(s.text ?? '')), 5000, 'a retry status');
    // Telegram stays down through two more attempts (the backoff's retries).
    const attempts = tg.requestsOf('sendMessage').length;
    await waitFor(() => tg.requestsOf('sendMessage').length >= attempts + 2, 15_000, 'two more attempts while Telegram is down');
    tg.setDown(false);
    await tg.waitForSent(4, 15_000);
    assert.deepEqual(tg.sent.slice(1).map((s) => s.plain.split(' ')[1]), ['sell', 'buy', 'sell'], 'in order, none lost');
    assert.ok(!leaks().includes(TOKEN), 'the token never appears in statuses, logs, errors or output');
  });

  it('the queue is bounded: during an outage the oldest are dropped and reported; the flow never waits', async function () {
    await loadFlow(flow({ maxQueue: 3 }), creds);
    const leaks = watchLeaks();
    const warnings: string[] = [];
    getNode('n').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
    tg.setDown(true);
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) getNode('n').receive(signal({ price: 1000 + i }));
    assert.ok(Date.now() - t0 < 500, 'receiving never blocks on delivery');
    await waitFor(() => warnings.length >= 6, 5000, 'drop reports');
    assert.ok(warnings.every((w) => /dropped: queue full \(3\)/.test(w)), warnings.join(' | '));
    tg.setDown(false);
    await waitFor(() => tg.sent.length >= 3, 15_000, 'the queued messages');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 1500));
    const prices = tg.sent.map((s) => Number(/@ (\d+)/.exec(s.plain)![1]));
    assert.ok(prices.length <= 4, `at most the queue bound plus the one in flight (${prices})`);
    assert.ok(prices.includes(1009), 'the newest is kept');
    assert.ok(!leaks().includes(TOKEN));
  });

  it('a bad token: a clear error, no retries forever, no token in the error', async function () {
    await loadFlow(flow(), { bot: { token: '999:wrongTokenValue_abcdefghij' } });
    const warnings: string[] = [];
    getNode('n').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
    getNode('n').receive(signal());
    await waitFor(() => warnings.length > 0, 5000, 'a drop report');
    assert.match(warnings[0]!, /dropped: telegram: Unauthorized/);
    assert.ok(!warnings[0]!.includes('wrongTokenValue'));
    assert.equal(tg.requestsOf('sendMessage').length, 1, 'a permanent error is not retried');
  });
});
