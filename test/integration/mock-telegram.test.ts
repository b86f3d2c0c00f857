/**
 * MockTelegram speaks the Telegram Bot API wire format: plain fetch (Node 20) against it, the way
 * any Bot API client does (POST {base}/bot<token>/<method>, JSON in, {"ok":...} envelope out).
 */
import assert from 'node:assert/strict';
import { MockTelegram, parseHtml, parseMarkdownV2 } from '../support/mock-telegram';

const TOKEN = '7123456789:AAH3kMockSecret-DoNotLeak_0123456789ab';
const CHAT = 424242;

interface Answer {
  status: number;
  contentType: string;
  raw: string;
  body: any;
}

describe('MockTelegram (Bot API over HTTP)', function () {
  this.timeout(10_000);
  let mock: MockTelegram;
  let base: string;
  /** Every body the mock answered in this test, to prove the token never leaks. */
  let answered: string[];

  async function call(method: string, params?: Record<string, unknown>, opts: { token?: string; signal?: AbortSignal } = {}): Promise<Answer> {
    const res = await fetch(`${base}/bot${opts.token ?? TOKEN}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params ?? {}),
      signal: opts.signal,
    });
    const raw = await res.text();
    answered.push(raw);
    const contentType = res.headers.get('content-type') ?? '';
    return { status: res.status, contentType, raw, body: contentType.startsWith('application/json') ? JSON.parse(raw) : undefined };
  }

  function assertError(a: Answer, code: number, description: string): void {
    assert.equal(a.status, code, a.raw);
    assert.deepEqual(a.body, { ok: false, error_code: code, description });
  }

  beforeEach(async () => {
    mock = new MockTelegram({ token: TOKEN, botUsername: 'tradebot_ci_bot' });
    base = await mock.start();
    answered = [];
  });

  afterEach(async () => {
    await mock.stop();
    // the secret part of the token appears nowhere the mock writes
    const secret = TOKEN.split(':')[1]!;
    for (const text of [...answered, JSON.stringify(mock.requests), JSON.stringify(mock.sent)]) {
      assert.ok(!text.includes(secret), 'the bot token leaked');
    }
  });

  it('listens on 127.0.0.1 and answers getMe with the bot User', async () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(mock.url, base);
    const a = await call('getMe');
    assert.equal(a.status, 200);
    assert.equal(a.contentType, 'application/json');
    assert.equal(a.body.ok, true);
    assert.deepEqual(
      { id: a.body.result.id, is_bot: a.body.result.is_bot, username: a.body.result.username },
      { id: 7123456789, is_bot: true, username: 'tradebot_ci_bot' }, // a bot's id is its token's prefix
    );
  });

  it('sendMessage answers the Message in the envelope; message_id increases per chat', async () => {
    const before = Math.floor(Date.now() / 1000);
    const a = await call('sendMessage', { chat_id: CHAT, text: 'BTC/USDT filled 0.01 @ 60000' });
    assert.equal(a.status, 200);
    assert.equal(a.body.ok, true);
    const m = a.body.result;
    assert.equal(m.message_id, 1);
    assert.deepEqual(m.chat, { id: CHAT, first_name: 'User', type: 'private' });
    assert.equal(m.from.is_bot, true);
    assert.equal(m.from.username, 'tradebot_ci_bot');
    assert.equal(m.text, 'BTC/USDT filled 0.01 @ 60000');
    assert.ok(m.date >= before && m.date <= Math.floor(Date.now() / 1000) + 1);

    assert.equal((await call('sendMessage', { chat_id: String(CHAT), text: 'second' })).body.result.message_id, 2);
    assert.equal((await call('sendMessage', { chat_id: 777, text: 'other chat' })).body.result.message_id, 1);

    // form-urlencoded and GET with query parameters work too, as on Telegram
    const form = await fetch(`${base}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(CHAT), text: 'via form' }).toString(),
    });
    assert.equal(((await form.json()) as any).result.message_id, 3);
    const get = await fetch(`${base}/bot${TOKEN}/SENDMESSAGE?chat_id=${CHAT}&text=via%20get`); // method names are case-insensitive
    assert.equal(((await get.json()) as any).result.text, 'via get');

    assert.deepEqual(mock.sentTo(CHAT), ['BTC/USDT filled 0.01 @ 60000', 'second', 'via form', 'via get']);
    assert.deepEqual(mock.sentTo(777), ['other chat']);
    assert.equal(mock.sent.length, 5);
    await mock.waitForSent(5, 100);
    assert.deepEqual(
      mock.requests.map((r) => r.method),
      ['sendMessage', 'sendMessage', 'sendMessage', 'sendMessage', 'SENDMESSAGE'],
    );
  });

  it('validates like Telegram: empty text, missing chat_id, too long, unknown method, reply target', async () => {
    assertError(await call('sendMessage', { chat_id: CHAT }), 400, 'Bad Request: message text is empty');
    assertError(await call('sendMessage', { text: 'hi' }), 400, 'Bad Request: chat_id is empty');
    assertError(await call('sendMessage', { chat_id: CHAT, text: 'x'.repeat(4097) }), 400, 'Bad Request: message is too long');
    assert.equal((await call('sendMessage', { chat_id: CHAT, text: 'x'.repeat(4096) })).status, 200);
    assertError(await call('sendMessage', { chat_id: CHAT, text: 'hi', parse_mode: 'BBCode' }), 400, 'Bad Request: unsupported parse_mode');
    assertError(await call('sendMessage', { chat_id: CHAT, text: 'hi', reply_to_message_id: 99 }), 400, 'Bad Request: message to be replied not found');
    const reply = await call('sendMessage', { chat_id: CHAT, text: 'ack', reply_parameters: { message_id: 1 } });
    assert.equal(reply.body.result.reply_to_message.message_id, 1);
    assertError(await call('sendPigeon', { chat_id: CHAT }), 404, 'Not Found');
    mock.setChatState(CHAT, 'blocked');
    assertError(await call('sendMessage', { chat_id: CHAT, text: 'hi' }), 403, 'Forbidden: bot was blocked by the user');
    assert.equal(mock.sent.length, 2, 'only the two accepted messages');
  });

  it('an unknown token gets 401 Unauthorized and nothing is delivered', async () => {
    const a = await call('sendMessage', { chat_id: CHAT, text: 'hi' }, { token: '7123456789:AAWrongWrongWrong' });
    assertError(a, 401, 'Unauthorized');
    assert.equal(mock.sent.length, 0);
    assert.equal(mock.requests.length, 1);
    assert.equal(mock.requests[0]!.authorized, false);
  });

  it('HTML parse_mode: unbalanced and unknown tags, unescaped < > & -> 400 can\'t parse entities', async () => {
    const html = (text: string) => call('sendMessage', { chat_id: CHAT, text, parse_mode: 'HTML' });
    assertError(await html('<b>Order filled'), 400, 'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');
    assertError(await html('<div>x</div>'), 400, 'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0');
    assertError(await html('<b>x</i>'), 400, 'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"');
    assertError(await html('PnL < 0'), 400, 'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 4');
    const amp = await html('P&L');
    assert.equal(amp.status, 400);
    assert.match(amp.body.description, /^Bad Request: can't parse entities: Character '&' at byte offset 1 must be escaped as &amp;/);
    assert.equal((await html('a > b')).status, 400);
    assert.equal(mock.sent.length, 0);

    const ok = await html('<b>BTC/USDT</b> P&amp;L &lt;0&gt; <a href="https://example.com/x">chart</a>');
    assert.equal(ok.status, 200, ok.raw);
    assert.equal(ok.body.result.text, 'BTC/USDT P&L <0> chart');
    assert.deepEqual(ok.body.result.entities, [
      { type: 'bold', offset: 0, length: 8 },
      { type: 'text_link', offset: 17, length: 5, url: 'https://example.com/x' },
    ]);
    assert.equal(mock.sent[0]!.parseMode, 'HTML');
    assert.equal(mock.sent[0]!.plain, 'BTC/USDT P&L <0> chart');
    // Telegram's own leniency is available
    assert.equal(parseHtml('P&L > 0', false).text, 'P&L > 0');
  });

  it('MarkdownV2: an unescaped reserved character -> 400 with Telegram\'s exact description', async () => {
    const md = (text: string) => call('sendMessage', { chat_id: CHAT, text, parse_mode: 'MarkdownV2' });
    assertError(
      await md('Version 1.0'),
      400,
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    assertError(await md('PnL -5'), 400, "Bad Request: can't parse entities: Character '-' is reserved and must be escaped with the preceding '\\'");
    assertError(await md('*bold'), 400, "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0");
    const ok = await md('*BTC/USDT* filled at 60000\\.5 \\(\\+1\\.2%\\)\\!');
    assert.equal(ok.status, 200, ok.raw);
    assert.equal(ok.body.result.text, 'BTC/USDT filled at 60000.5 (+1.2%)!');
    assert.deepEqual(ok.body.result.entities, [{ type: 'bold', offset: 0, length: 8 }]);
    // inside `code` only ` and \ are special
    assert.equal(parseMarkdownV2('`a.b-c`').text, 'a.b-c');
  });

  it('429 Too Many Requests carries parameters.retry_after; failNext can target one method', async () => {
    mock.failNext(1, { status: 429, retryAfter: 3 }, 'sendMessage');
    assert.equal((await call('getMe')).status, 200, 'other methods unaffected');
    const a = await call('sendMessage', { chat_id: CHAT, text: 'hi' });
    assert.equal(a.status, 429);
    assert.deepEqual(a.body, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
    assert.equal(mock.sent.length, 0);
    assert.equal((await call('sendMessage', { chat_id: CHAT, text: 'hi' })).status, 200);

    // the optional enforcement of Telegram's 1 message/s per chat
    mock.setRateLimit(true);
    const limited = await call('sendMessage', { chat_id: CHAT, text: 'again' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.parameters.retry_after, 1);
    assert.equal((await call('sendMessage', { chat_id: 99, text: 'other chat is free' })).status, 200);
  });

  it('other faults: 500 envelope, 502 HTML, reset, timeout', async () => {
    mock.failNext(1, { status: 500 });
    assertError(await call('getMe'), 500, 'Internal Server Error');
    mock.failNext(1, { status: 502 });
    const bad = await call('getMe');
    assert.equal(bad.status, 502);
    assert.match(bad.raw, /<title>502 Bad Gateway<\/title>/);
    mock.failNext(1, 'reset');
    await assert.rejects(call('getMe'));
    mock.failNext(1, 'timeout');
    await assert.rejects(call('getMe', {}, { signal: AbortSignal.timeout(200) }), /TimeoutError|aborted/i);
    assert.equal((await call('getMe')).status, 200);
  });

  it('getUpdates long poll answers as soon as pushUpdate happens', async () => {
    const pending = call('getUpdates', { timeout: 10 });
    await mock.waitForPoll();
    assert.equal(mock.isPolling(), true);
    const t0 = Date.now();
    const id = mock.pushUpdate({ chatId: CHAT, text: '/status BTC', username: 'alice' });
    const a = await pending;
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 500, `answered after ${elapsed} ms, well before the 10 s timeout`);
    assert.equal(a.status, 200);
    assert.equal(a.body.ok, true);
    assert.equal(a.body.result.length, 1);
    const u = a.body.result[0];
    assert.equal(u.update_id, id);
    assert.equal(u.message.text, '/status BTC');
    assert.deepEqual(u.message.chat, { id: CHAT, first_name: 'alice', username: 'alice', type: 'private' });
    assert.equal(u.message.from.id, CHAT);
    assert.equal(u.message.from.is_bot, false);
    assert.deepEqual(u.message.entities, [{ type: 'bot_command', offset: 0, length: 7 }]);
    assert.equal(typeof u.message.message_id, 'number');
    assert.equal(typeof u.message.date, 'number');
  });

  it('getUpdates without updates answers [] at its timeout', async () => {
    const t0 = Date.now();
    const a = await call('getUpdates', { timeout: 1 });
    const elapsed = Date.now() - t0;
    assert.deepEqual(a.body, { ok: true, result: [] });
    assert.ok(elapsed >= 900 && elapsed < 2500, `held ${elapsed} ms`);
  });

  it('offset confirms updates: those below it are forgotten, the rest are returned again', async () => {
    const ids = [mock.pushUpdate({ chatId: CHAT, text: 'a' }), mock.pushUpdate({ chatId: CHAT, text: 'b' }), mock.pushUpdate({ chatId: CHAT, text: 'c' })];
    assert.deepEqual(ids, [ids[0]!, ids[0]! + 1, ids[0]! + 2]);
    const texts = (a: Answer) => a.body.result.map((u: any) => u.message.text);
    assert.deepEqual(texts(await call('getUpdates')), ['a', 'b', 'c']);
    assert.deepEqual(texts(await call('getUpdates')), ['a', 'b', 'c'], 'unconfirmed updates come again');
    assert.deepEqual(texts(await call('getUpdates', { offset: ids[0]! + 1, limit: 1 })), ['b']);
    assert.deepEqual(mock.unconfirmedUpdates(), [ids[1]!, ids[2]!]);
    assert.deepEqual(texts(await call('getUpdates', { offset: ids[2]! + 1 })), []);
    assert.deepEqual(mock.unconfirmedUpdates(), []);
    // negative offset: only the last -offset updates are kept
    mock.pushUpdate({ chatId: CHAT, text: 'd' });
    mock.pushUpdate({ chatId: CHAT, text: 'e' });
    assert.deepEqual(texts(await call('getUpdates', { offset: -1 })), ['e']);
  });

  it('a second concurrent getUpdates terminates the first with 409 Conflict', async () => {
    const first = call('getUpdates', { timeout: 10 });
    await mock.waitForPoll();
    const second = call('getUpdates', { timeout: 0 });
    const [a, b] = await Promise.all([first, second]);
    assertError(a, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    assert.deepEqual(b.body, { ok: true, result: [] });
  });

  it('setDown answers 502 Bad Gateway (nginx HTML) to everything; back up -> ok', async () => {
    const pending = call('getUpdates', { timeout: 10 });
    await mock.waitForPoll();
    mock.setDown(true);
    const held = await pending;
    assert.equal(held.status, 502, 'a held long poll gets the 502 too');
    const a = await call('sendMessage', { chat_id: CHAT, text: 'hi' });
    assert.equal(a.status, 502);
    assert.match(a.contentType, /^text\/html/);
    assert.match(a.raw, /<center><h1>502 Bad Gateway<\/h1><\/center>/);
    assert.equal(mock.sent.length, 0);
    mock.setDown(false);
    const b = await call('sendMessage', { chat_id: CHAT, text: 'hi' });
    assert.equal(b.status, 200);
    assert.equal(b.body.ok, true);
    assert.deepEqual(mock.sentTo(CHAT), ['hi']);
  });

  it('setMyCommands and deleteWebhook answer ok true', async () => {
    const cmds = [
      { command: 'status', description: 'Bot status' },
      { command: 'pnl', description: 'Profit and loss' },
    ];
    const a = await call('setMyCommands', { commands: cmds });
    assert.deepEqual(a.body, { ok: true, result: true });
    assert.deepEqual(mock.commands, cmds);
    assert.deepEqual((await call('getMyCommands')).body.result, cmds);
    assertError(await call('setMyCommands', { commands: [{ command: 'Bad Command', description: 'x' }] }), 400, 'Bad Request: BOT_COMMAND_INVALID');
    const d = await call('deleteWebhook', { drop_pending_updates: false });
    assert.deepEqual(d.body, { ok: true, result: true, description: 'Webhook is already deleted' });
  });

  it('stop() ends a pending long poll and closes the server', async () => {
    const pending = call('getUpdates', { timeout: 30 });
    await mock.waitForPoll();
    const t0 = Date.now();
    await mock.stop();
    const a = await pending;
    assert.ok(Date.now() - t0 < 1000);
    assert.deepEqual(a.body, { ok: true, result: [] });
    await assert.rejects(fetch(`${base}/bot${TOKEN}/getMe`));
    await mock.stop(); // idempotent (afterEach calls it again)
  });

  it("editMessageText: replaces a sent message's text; a keyboard not repeated is removed and can no longer be tapped; Telegram's errors", async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Approve', callback_data: 'ap:y:tb-1' }]] };
    const sent = await call('sendMessage', { chat_id: CHAT, text: 'Approve?', reply_markup: keyboard });
    const messageId = sent.body.result.message_id;
    const edited = await call('editMessageText', { chat_id: CHAT, message_id: messageId, text: 'Approve?\n\nAPPROVED' });
    assert.equal(edited.status, 200, edited.raw);
    assert.equal(edited.body.result.text, 'Approve?\n\nAPPROVED');
    assert.equal(edited.body.result.reply_markup, undefined, 'the keyboard is gone');
    assert.equal(typeof edited.body.result.edit_date, 'number');
    assert.deepEqual(mock.edits.map((e) => [e.chatId, e.messageId, e.plain, e.replyMarkup]), [[CHAT, messageId, 'Approve?\n\nAPPROVED', undefined]]);
    assert.throws(() => mock.pushCallbackQuery({ chatId: CHAT, messageId, data: 'ap:y:tb-1' }), /no button/);
    assertError(await call('editMessageText', { chat_id: CHAT, message_id: messageId, text: 'Approve?\n\nAPPROVED' }), 400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    assertError(await call('editMessageText', { chat_id: CHAT, message_id: messageId + 100, text: 'x' }), 400, 'Bad Request: message to edit not found');
    assertError(await call('editMessageText', { chat_id: CHAT, message_id: messageId, text: '' }), 400, 'Bad Request: message text is empty');
    // A message the user wrote cannot be edited by the bot.
    mock.pushUpdate({ chatId: CHAT, text: 'hello' });
    assertError(await call('editMessageText', { chat_id: CHAT, message_id: messageId + 1, text: 'changed' }), 400, "Bad Request: message can't be edited");
    // A keyboard given again is kept.
    const again = await call('editMessageText', { chat_id: CHAT, message_id: messageId, text: 'again', reply_markup: keyboard });
    assert.deepEqual(again.body.result.reply_markup, keyboard);
  });

  it('inline keyboards: reply_markup is checked and kept; a tap is a callback_query update, answered once', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'Yes', callback_data: 'fx:BTC/USDT' }, { text: 'No', callback_data: 'fx:cancel' }]] };
    const sent = await call('sendMessage', { chat_id: CHAT, text: 'Sell?', reply_markup: keyboard });
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body.result.reply_markup, keyboard);
    assert.deepEqual(mock.sent.at(-1)!.replyMarkup, keyboard);
    // As Telegram: a form field carries the markup as JSON text.
    const form = await fetch(`${base}/bot${TOKEN}/sendMessage`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ chat_id: String(CHAT), text: 'form', reply_markup: JSON.stringify(keyboard) }).toString() });
    assert.deepEqual(((await form.json()) as any).result.reply_markup, keyboard);
    const bad = async (reply_markup: unknown, description: string) => {
      const a = await call('sendMessage', { chat_id: CHAT, text: 'x', reply_markup });
      assert.equal(a.status, 400);
      assert.equal(a.body.description, description);
    };
    await bad('not json', "Bad Request: can't parse reply keyboard markup JSON object");
    await bad({ inline_keyboard: [[{ text: 'plain' }]] }, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
    await bad({ inline_keyboard: [[{ text: 'long', callback_data: 'x'.repeat(65) }]] }, 'Bad Request: BUTTON_DATA_INVALID');
    await bad({ inline_keyboard: [[{ text: 'empty', callback_data: '' }]] }, 'Bad Request: BUTTON_DATA_INVALID');

    assert.throws(() => mock.pushCallbackQuery({ chatId: CHAT, messageId: sent.body.result.message_id, data: 'not a button' }), /no button/);
    const id = mock.pushCallbackQuery({ chatId: CHAT, messageId: sent.body.result.message_id, data: 'fx:BTC/USDT' });
    const updates = await call('getUpdates', { timeout: 0 });
    const q = updates.body.result.at(-1).callback_query;
    assert.equal(q.id, id);
    assert.equal(q.data, 'fx:BTC/USDT');
    assert.equal(q.message.chat.id, CHAT);
    assert.equal(q.message.message_id, sent.body.result.message_id);
    assert.equal(q.from.id, CHAT);
    assert.equal((await call('answerCallbackQuery', { callback_query_id: id, text: 'done' })).body.result, true);
    assert.deepEqual(mock.answeredCallbacks, [{ id, text: 'done', showAlert: false }]);
    const again = await call('answerCallbackQuery', { callback_query_id: id });
    assert.equal(again.status, 400);
    assert.equal(again.body.description, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    assert.equal((await call('answerCallbackQuery', {})).body.description, 'Bad Request: parameter "callback_query_id" is required');
    // allowed_updates without callback_query: taps are not delivered
    mock.pushCallbackQuery({ chatId: CHAT, messageId: sent.body.result.message_id, data: 'fx:cancel' });
    const offset = updates.body.result.at(-1).update_id + 1;
    assert.deepEqual((await call('getUpdates', { timeout: 0, offset, allowed_updates: ['message'] })).body.result, []);
  });
});
