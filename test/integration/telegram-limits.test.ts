/**
 * Telegram's limits against the mock Bot API (it parses HTML and MarkdownV2 like Telegram and
 * refuses a parsed text above 4,096 characters): a poll interval that would hammer getUpdates is
 * refused or raised to its floor, and a notification longer than the limit, full of characters
 * that need escaping, still arrives: cut validly, at Telegram's count, marked with "…".
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelegramPoller } from '../../core/notify/telegram-poller';
import { MockTelegram } from '../support/mock-telegram';
import { getNode, loadFlow, recordStatuses, sleep, statusesSoFar, unloadFlow, waitFor } from '../support/node-red';

const TOKEN = '555000111:AAHlimitsTokenThatMustNotLeak_q';
const CHAT = 4711;

describe('Telegram limits (mock Bot API)', function () {
  this.timeout(30_000);
  let tg: MockTelegram;

  beforeEach(async function () {
    tg = new MockTelegram({ token: TOKEN });
    await tg.start();
  });
  afterEach(async function () {
    await unloadFlow();
    await tg.stop();
  });

  describe('poll interval floor', function () {
    it('a telegram control node with a poll time of -5 s is refused at deploy and never calls getUpdates', async function () {
      await loadFlow(
        [
          { id: 'bot', type: 'tradebot-telegram', apiBase: tg.url, allowedChats: String(CHAT) },
          { id: 'ctl', type: 'tradebot-telegram-control', telegram: 'bot', pollSeconds: -5, wires: [[]] },
          { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
          { id: 'caught', type: 'helper' },
        ],
        { bot: { token: TOKEN } },
      );
      const caught: any[] = [];
      getNode('caught').on('input', (m: any) => caught.push(m));
      await waitFor(() => caught.some((m) => /pollSeconds/.test(m.error?.message)), 5000, 'a caught error naming pollSeconds');
      // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
      await sleep(1500);
      assert.equal(tg.requestsOf('getUpdates').length, 0, 'no getUpdates at all');
      const status = statusesSoFar(getNode('ctl')).pop();
      assert.equal(status?.fill, 'red');
      assert.match(String(status?.text), /pollSeconds/);
    });

    it('the poller itself raises a long-poll time below 1 s to 1 s: about one getUpdates a second, not hundreds', async function () {
      const poller = new TelegramPoller({ token: TOKEN, apiBase: tg.url, timeoutSec: -5, onMessage: () => undefined });
      poller.start();
      // A fixed wait on purpose: the number of requests in a time is what is tested.
      await sleep(2500);
      await poller.stop();
      const count = tg.requestsOf('getUpdates').length;
      assert.ok(count >= 1 && count <= 4, `getUpdates requests in 2.5 s: ${count}`);
    });
  });

  it('a server that answers an empty long poll at once (a proxy) gets at most one getUpdates a second', async function () {
    // Not Telegram: a proxy in front of it that ignores the long-poll timeout.
    let count = 0;
    const server = http.createServer((req, res) => {
      count++;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, result: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const poller = new TelegramPoller({ token: TOKEN, apiBase: `http://127.0.0.1:${port}`, timeoutSec: 25, onMessage: () => undefined });
    try {
      poller.start();
      // A fixed wait on purpose: the number of requests in a time is what is tested.
      await sleep(2500);
    } finally {
      await poller.stop();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.ok(count >= 2 && count <= 4, `getUpdates requests in 2.5 s: ${count}`);
  });

  describe('notifications longer than 4,096 characters, with markup characters in the data', function () {
    // 3,000 characters that each need escaping, plus emoji (2 UTF-16 units each): the escaped
    // HTML is ~14,000 characters long, the text Telegram counts ~5,400.
    const reason = `${'<&>'.repeat(1000)} ${'📈'.repeat(600)} end`;
    const rejection = { payload: { kind: 'rejection', code: 'RISK_<LIMIT>', reason, symbol: 'A&B/USDT', side: 'buy', ts: 1 } };

    for (const parseMode of ['HTML', 'MarkdownV2', 'plain'] as const) {
      it(`${parseMode}: arrives, cut at Telegram's count (at most 4,096, close to it), valid, marked with "…"`, async function () {
        await loadFlow(
          [
            { id: 'bot', type: 'tradebot-telegram', apiBase: tg.url, allowedChats: String(CHAT) },
            { id: 'n', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: String(CHAT), parseMode, wires: [[]] },
          ],
          { bot: { token: TOKEN } },
        );
        const warnings: string[] = [];
        getNode('n').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
        const statuses = recordStatuses('n');
        getNode('n').receive(rejection);
        await waitFor(() => tg.sent.length > 0 || warnings.length > 0, 8000, 'the message sent or dropped');
        assert.deepEqual(warnings, [], 'nothing dropped');
        const [sent] = tg.sent;
        assert.ok(sent!.plain.length <= 4096, `Telegram's count: ${sent!.plain.length}`);
        assert.ok(sent!.plain.length >= 4000, `cut at Telegram's count, not at the source's: ${sent!.plain.length} characters shown`);
        assert.match(sent!.plain, /^⛔ rejected buy A&B\/USDT: RISK_<LIMIT>\n<&><&>/, 'the data shows as it was');
        assert.ok(sent!.plain.endsWith('…'), 'the cut is marked');
        assert.ok(!/[\uD800-\uDBFF]…$/.test(sent!.plain), 'no emoji cut in half');
        if (parseMode !== 'plain') assert.ok(sent!.entities.some((e) => e.type === 'italic' && e.offset + e.length === sent!.plain.length), 'the italic reason stays italic up to the cut');
        assert.ok(!statuses.some((s) => s.fill === 'red'), JSON.stringify(statuses));
      });
    }
  });
});
