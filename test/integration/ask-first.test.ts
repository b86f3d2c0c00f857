/**
 * Ask first in the real runtime against the mock Bot API: a risk gate set to ask first holds each
 * buy, asks the bot's allowed chats with Approve / Reject buttons and output 3, and sends the order
 * only on approval, once, whatever taps or messages follow. Rejections and expiries go out on
 * output 2 with their codes; sells never wait; a chat not allowed is refused. The Telegram control
 * node listens to the same bot at the same time (one shared long poll).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockTelegram } from '../support/mock-telegram';
import { getNode, Inbox, isRejection, loadFlow, sleep, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const TOKEN = '987654321:AAHaskFirstTokenThatMustNotLeak_xyz';
const ALLOWED = 111;
const ALSO_ALLOWED = 222;
const STRANGER = 999;

let seq = 0;
const signal = (side: 'buy' | 'sell') => ({
  payload: { kind: 'signal', id: `sig-ask${Date.now().toString(36)}${++seq}`, exchange: 'sim', symbol: 'BTC/USDT', side, price: 60000, ts: Date.now(), candleTs: 0, strategy: 's', strength: 1, reason: 'r' },
});

describe('risk gate: ask first (mock Bot API)', function () {
  this.timeout(40_000);
  let tg: MockTelegram;

  beforeEach(async function () {
    tg = new MockTelegram({ token: TOKEN });
    await tg.start();
  });
  /** A state file's folder of the test that made one, removed once its flow is gone. */
  let stateDir: string | undefined;
  afterEach(async function () {
    await unloadFlow();
    await tg.stop();
    if (stateDir) {
      delete process.env.TRADEBOT_STATE_FILE;
      fs.rmSync(stateDir, { recursive: true, force: true });
      stateDir = undefined;
    }
  });

  const flow = (gate: Record<string, unknown> = {}): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 3, simSpeed: 60, simBalances: 'USDT=5000' },
    { id: 'bot', type: 'tradebot-telegram', apiBase: tg.url, allowedChats: `${ALLOWED}, ${ALSO_ALLOWED}` },
    { id: 'ctl', type: 'tradebot-telegram-control', telegram: 'bot', exchange: 'ex', currency: 'USDT', pollSeconds: 1, wires: [[]] },
    { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100, askFirst: true, telegram: 'bot', ...gate, wires: [['order', 'requests'], ['rejected'], ['asked']] },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates']] },
    { id: 'requests', type: 'helper' },
    { id: 'rejected', type: 'helper' },
    { id: 'asked', type: 'helper' },
    { id: 'updates', type: 'helper' },
  ];

  /** The question the bot asked in `chatId` about `clientOrderId`. */
  async function question(chatId: number, clientOrderId: string) {
    await waitFor(() => tg.sent.some((s) => s.chatId === chatId && s.text.includes(clientOrderId)), 8000, `the question in chat ${chatId}`);
    return tg.sent.find((s) => s.chatId === chatId && s.text.includes(clientOrderId))!;
  }

  /** Holds one buy: its approval request from output 3. */
  async function heldBuy(asked: Inbox, n: number): Promise<any> {
    getNode('risk').receive(signal('buy'));
    const [msg] = (await asked.take(n)).slice(-1);
    assert.equal(msg.payload.kind, 'approvalRequest');
    return msg.payload;
  }

  it('approve: asks both allowed chats with buttons, sends exactly one order, edits the questions; a sell passes without asking', async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    const updates = new Inbox('updates');
    const req = await heldBuy(asked, 1);
    assert.equal(req.side, 'buy');
    assert.match(req.clientOrderId, /^tb-/);
    assert.ok(req.expiresAt - req.heldAt === 300_000, 'five minutes unless set');
    const q1 = await question(ALLOWED, req.clientOrderId);
    const q2 = await question(ALSO_ALLOWED, req.clientOrderId);
    assert.match(q1.plain, /^Approve this order\? \(ask first\)\nbuy 0\.00\d+ BTC\/USDT, market/);
    assert.deepEqual(q1.replyMarkup, { inline_keyboard: [[{ text: 'Approve', callback_data: `ap:y:${req.clientOrderId}` }, { text: 'Reject', callback_data: `ap:n:${req.clientOrderId}` }]] });
    assert.ok(!tg.sent.some((s) => s.chatId === STRANGER), 'only allowed chats are asked');
    // A fixed wait on purpose: nothing may go out before an answer, so there is no event to wait for.
    await sleep(300);
    assert.equal(requests.messages.length, 0, 'nothing sent before the approval');

    const tap = tg.pushCallbackQuery({ chatId: ALLOWED, messageId: q1.messageId, data: `ap:y:${req.clientOrderId}` });
    const [order] = await requests.take(1);
    assert.equal(order.payload.clientOrderId, req.clientOrderId, 'the held request keeps its client order id');
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === req.clientOrderId && m.payload.status === 'closed'), 8000, 'the buy filled');
    await waitFor(() => tg.answeredCallbacks.some((a) => a.id === tap), 8000, 'the tap answered');
    await waitFor(() => tg.edits.length >= 2, 8000, 'both questions edited');
    for (const q of [q1, q2]) {
      const edit = tg.edits.find((e) => e.chatId === q.chatId && e.messageId === q.messageId)!;
      assert.match(edit.plain, new RegExp(`APPROVED by chat ${ALLOWED}: order sent\\.$`));
      assert.equal(edit.replyMarkup, undefined, 'the buttons are gone');
    }
    const answer = (await asked.take(2))[1];
    assert.deepEqual([answer.payload.kind, answer.payload.outcome, answer.payload.clientOrderId], ['approvalAnswer', 'approved', req.clientOrderId]);

    // An exit never waits: the sell goes out at once, and nobody is asked.
    const questionsBefore = tg.sent.length;
    getNode('risk').receive(signal('sell'));
    const [, sell] = await requests.take(2);
    assert.equal(sell.payload.side, 'sell');
    await sleep(300);
    assert.equal(tg.sent.length, questionsBefore, 'no question for a sell');
    assert.equal(asked.messages.length, 2);
    assert.equal(requests.messages.filter((m) => m.payload.side === 'buy').length, 1, 'one buy order');
  });

  it('reject: APPROVAL_REJECTED on output 2, no order; an approve afterwards changes nothing', async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    const rejected = new Inbox('rejected', isRejection);
    const req = await heldBuy(asked, 1);
    const q = await question(ALLOWED, req.clientOrderId);
    tg.pushCallbackQuery({ chatId: ALLOWED, messageId: q.messageId, data: `ap:n:${req.clientOrderId}` });
    const [rejection] = await rejected.take(1);
    assert.deepEqual([rejection.payload.code, rejection.payload.clientOrderId, rejection.payload.side], ['APPROVAL_REJECTED', req.clientOrderId, 'buy']);
    await waitFor(() => tg.edits.some((e) => e.messageId === q.messageId && /REJECTED by chat 111: not sent\.$/.test(e.plain)), 8000, 'the question says rejected');
    // The dashboard's Approve after the person's Reject: the first answer stands.
    getNode('risk').receive({ topic: 'approve', payload: req.clientOrderId });
    await sleep(300);
    assert.equal(requests.messages.length, 0, 'no order after a reject');
  });

  it('expire: no answer within the timeout is APPROVAL_EXPIRED, and a late tap sends nothing', async function () {
    await loadFlow(flow({ approvalTimeoutSec: 10 }), { bot: { token: TOKEN } });
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    const rejected = new Inbox('rejected', isRejection);
    const req = await heldBuy(asked, 1);
    assert.equal(req.expiresAt - req.heldAt, 10_000);
    const q = await question(ALLOWED, req.clientOrderId);
    const [rejection] = await rejected.take(1, 15_000);
    assert.equal(rejection.payload.code, 'APPROVAL_EXPIRED');
    assert.match(rejection.payload.reason, /within 10 s/);
    assert.ok(Date.now() >= req.expiresAt, 'not before the deadline');
    await waitFor(() => tg.edits.some((e) => e.messageId === q.messageId && /EXPIRED/.test(e.plain)), 8000, 'the question says expired');
    assert.equal(tg.edits.find((e) => e.messageId === q.messageId)!.replyMarkup, undefined, 'no buttons left to tap');
    getNode('risk').receive({ topic: 'approve', payload: { clientOrderId: req.clientOrderId } });
    await sleep(300);
    assert.equal(requests.messages.length, 0, 'no order after the expiry');
  });

  it('double tap and a redelivered answer: one order', async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    const req = await heldBuy(asked, 1);
    const q1 = await question(ALLOWED, req.clientOrderId);
    const q2 = await question(ALSO_ALLOWED, req.clientOrderId);
    // Two taps on Approve at once, and one from the other chat, before any edit removes the buttons.
    const taps = [
      tg.pushCallbackQuery({ chatId: ALLOWED, messageId: q1.messageId, data: `ap:y:${req.clientOrderId}` }),
      tg.pushCallbackQuery({ chatId: ALLOWED, messageId: q1.messageId, data: `ap:y:${req.clientOrderId}` }),
      tg.pushCallbackQuery({ chatId: ALSO_ALLOWED, messageId: q2.messageId, data: `ap:y:${req.clientOrderId}` }),
    ];
    await requests.take(1);
    await waitFor(() => taps.every((id) => tg.answeredCallbacks.some((a) => a.id === id)), 8000, 'every tap answered');
    assert.deepEqual(
      taps.map((id) => tg.answeredCallbacks.find((a) => a.id === id)!.text),
      ['approved', 'Already approved.', 'Already approved.'],
    );
    // And the same answer again as a message (a dashboard button pressed twice).
    getNode('risk').receive({ topic: 'approve', payload: req.clientOrderId });
    await sleep(300);
    assert.equal(requests.messages.length, 1, 'one order');
  });

  it("a foreign chat's tap is refused: nothing is sent and the request still waits for an allowed chat", async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const warnings: string[] = [];
    getNode('risk').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    const req = await heldBuy(asked, 1);
    const q = await question(ALLOWED, req.clientOrderId);
    // The same buttons in a chat that is not allowed (a forwarded question, a chat removed from the list).
    tg.pushUpdate({ chatId: STRANGER, text: 'hello' });
    const res = await fetch(`${tg.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: STRANGER, text: 'forwarded', reply_markup: q.replyMarkup }),
    });
    const foreign = ((await res.json()) as any).result.message_id as number;
    const tap = tg.pushCallbackQuery({ chatId: STRANGER, messageId: foreign, data: `ap:y:${req.clientOrderId}` });
    await waitFor(() => tg.answeredCallbacks.some((a) => a.id === tap), 8000, "the stranger's tap answered");
    assert.equal(tg.answeredCallbacks.find((a) => a.id === tap)!.text, 'This chat is not allowed to answer this bot.');
    await waitFor(() => warnings.some((w) => w.includes(`refused an approval tap from chat ${STRANGER}`)), 2000, 'the refusal logged');
    await sleep(300);
    assert.equal(requests.messages.length, 0, 'a stranger cannot approve');
    // The allowed chat still can.
    tg.pushCallbackQuery({ chatId: ALLOWED, messageId: q.messageId, data: `ap:y:${req.clientOrderId}` });
    await requests.take(1);
    assert.ok(!warnings.join(' ').includes(TOKEN), 'no token in the logs');
  });

  it('without a bot: the question goes out on output 3 and an approve message sends the order; a bad answer names the field', async function () {
    const noBot = flow({ telegram: '' }).filter((n) => n.id !== 'ctl' && n.id !== 'bot');
    await loadFlow([...noBot, { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] }, { id: 'caught', type: 'helper' }]);
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    const caught = new Inbox('caught');
    const req = await heldBuy(asked, 1);
    getNode('risk').receive({ topic: 'approve', payload: 42 });
    const [err] = await caught.take(1);
    assert.match(err.error.message, /msg\.payload: must be the clientOrderId of a held request/);
    getNode('risk').receive({ topic: 'approve', payload: 'tb-nothing-waits' });
    const [, unknown] = await caught.take(2);
    assert.match(unknown.error.message, /msg\.payload: no request tb-nothing-waits waits for an answer/);
    assert.equal(requests.messages.length, 0);
    getNode('risk').receive({ topic: 'approve', payload: req.clientOrderId });
    const [order] = await requests.take(1);
    assert.equal(order.payload.clientOrderId, req.clientOrderId);
  });

  it('a held request survives a redeploy: output 3 sends it again (restored), and the question asked before it is still answered, once', async function () {
    // A state file, as Node-RED has in its user directory (the test runtime has none: its state is in memory).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-ask-first-'));
    process.env.TRADEBOT_STATE_FILE = path.join(dir, 'state.sqlite');
    stateDir = dir;
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const req = await heldBuy(new Inbox('asked'), 1);
    const q = await question(ALLOWED, req.clientOrderId);
    await unloadFlow();
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const asked = new Inbox('asked');
    const requests = new Inbox('requests');
    // A dashboard's list of held requests (example 24) is filled again from output 3.
    const [again] = await asked.take(1);
    assert.equal(again.payload.kind, 'approvalRequest');
    assert.equal(again.payload.clientOrderId, req.clientOrderId);
    assert.equal(again.payload.restored, true);
    assert.equal(again.payload.expiresAt, req.expiresAt, 'the same deadline as when it was held');
    tg.pushCallbackQuery({ chatId: ALLOWED, messageId: q.messageId, data: `ap:y:${req.clientOrderId}` });
    const [order] = await requests.take(1);
    assert.equal(order.payload.clientOrderId, req.clientOrderId);
    tg.pushCallbackQuery({ chatId: ALSO_ALLOWED, messageId: (await question(ALSO_ALLOWED, req.clientOrderId)).messageId, data: `ap:y:${req.clientOrderId}` });
    await sleep(500);
    assert.equal(requests.messages.length, 1, 'one order');
    assert.deepEqual(asked.messages.filter((m) => m.payload.kind === 'approvalRequest').map((m) => m.payload.clientOrderId), [req.clientOrderId], 'sent again once, not asked anew');
  });
});
