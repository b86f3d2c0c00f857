/**
 * Telegram control in the real runtime: commands from an allowed chat are answered from the
 * exchange's account, /pause and /resume switch the risk gate's kill switch, and a foreign chat
 * is refused and logged without its text.
 */
import assert from 'node:assert/strict';
import { MockTelegram } from '../support/mock-telegram';
import { isRejection, Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const TOKEN = '987654321:AAHcontrolTokenThatMustNotLeak_abc';
const ALLOWED = 111;
const STRANGER = 999;

describe('telegram control (mock Bot API)', function () {
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

  const flow = (): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 3, simSpeed: 60, simBalances: 'USDT=5000, BTC=0.1' },
    { id: 'bot', type: 'tradebot-telegram', apiBase: tg.url, allowedChats: `${ALLOWED}, 222` },
    { id: 'ctl', type: 'tradebot-telegram-control', telegram: 'bot', exchange: 'ex', currency: 'USDT', pollSeconds: 1, wires: [['control']] },
    { id: 'control', type: 'helper' },
    { id: 'risk', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100, wires: [['orders'], ['rejected']] },
    { id: 'orders', type: 'helper' },
    { id: 'rejected', type: 'helper' },
  ];

  async function ask(chatId: number, text: string): Promise<string> {
    const before = tg.sentTo(chatId).length;
    tg.pushUpdate({ chatId, text });
    await waitFor(() => tg.sentTo(chatId).length > before, 8000, `an answer to ${text}`);
    return tg.sentTo(chatId)[before]!;
  }

  it('answers /status, /balance, /positions, /profit and /help for an allowed chat', async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    assert.match(await ask(ALLOWED, '/status'), /sim: trading\nequity [\d.]+ USDT\nopen positions 0, open orders 0\n1 risk gate/);
    const balance = await ask(ALLOWED, '/balance');
    assert.match(balance, /^USDT: 5000/m);
    assert.match(balance, /^BTC: 0\.1/m);
    assert.equal(await ask(ALLOWED, '/positions'), 'no open positions');
    assert.match(await ask(ALLOWED, '/profit@SomeBot'), /^today \(realized\): 0 USDT\nrealized: 0\nunrealized: 0/);
    assert.match(await ask(ALLOWED, '/help'), /\/pause: kill switch on/);
  });

  it('/pause turns the kill switch on (orders refused), /resume turns it off; both also go out as messages', async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const control = new Inbox('control');
    const rejected = new Inbox('rejected', isRejection);
    assert.match(await ask(ALLOWED, '/pause'), /Paused: the kill switch is on on 1 risk gate/);
    assert.equal((await control.take(1))[0].topic, 'kill');
    assert.match(await ask(ALLOWED, '/status'), /PAUSED/);
    getNode('risk').receive({ payload: { kind: 'signal', id: 'sig-p1', exchange: 'sim', symbol: 'BTC/USDT', side: 'buy', price: 60000, ts: Date.now(), candleTs: 0, strategy: 's', strength: 1, reason: 'r' } });
    assert.equal((await rejected.take(1))[0].payload.code, 'KILL_SWITCH');
    assert.match(await ask(ALLOWED, '/resume'), /Resumed/);
    assert.equal((await control.take(2))[1].topic, 'resume');
    getNode('risk').receive({ payload: { kind: 'signal', id: 'sig-p2', exchange: 'sim', symbol: 'BTC/USDT', side: 'buy', price: 60000, ts: Date.now(), candleTs: 0, strategy: 's', strength: 1, reason: 'r' } });
    await new Inbox('orders').take(1);
  });

  it('refuses a foreign chat and unknown commands, logging them without the text', async function () {
    await loadFlow(flow(), { bot: { token: TOKEN } });
    const warnings: string[] = [];
    getNode('ctl').on('call:warn', (call: any) => warnings.push(String(call.args[0])));
    const secretText = '/status please-do-not-log-this-text';
    assert.match(await ask(STRANGER, secretText), /not allowed/);
    assert.doesNotMatch(await ask(STRANGER, '/pause'), /Paused/);
    assert.match(await ask(ALLOWED, '/sell_everything_now'), /Unknown command/);
    await waitFor(() => warnings.length >= 3, 2000, 'three refusals logged');
    assert.match(warnings[0]!, new RegExp(`refused a message from chat ${STRANGER}`));
    assert.match(warnings[2]!, new RegExp(`refused an unknown command from chat ${ALLOWED}`));
    assert.ok(warnings.every((w) => !w.includes('please-do-not-log') && !w.includes('sell_everything')), 'no message text in the logs');
    assert.ok(!warnings.join(' ').includes(TOKEN));
    assert.equal(new Inbox('control').messages.length, 0, 'a stranger cannot pause');
  });

  it('/stopentry is /pause; /forceexit asks with Confirm / Cancel buttons and sells once, on Confirm only', async function () {
    const withOrders = flow().map((n) => (n.id === 'risk' ? { ...n, wires: [['order', 'orders'], ['rejected']] } : n));
    await loadFlow([...withOrders, { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates']] }, { id: 'updates', type: 'helper' }], { bot: { token: TOKEN } });
    const updates = new Inbox('updates');
    assert.match(await ask(ALLOWED, '/help'), /\/stopentry: the same as \/pause/);
    assert.match(await ask(ALLOWED, '/stopentry'), /Paused: the kill switch is on on 1 risk gate\(s\)\. No new entries/);
    assert.match(await ask(ALLOWED, '/status'), /PAUSED/);
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-tg-buy', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() } });
    await updates.take(1);
    assert.match(await ask(ALLOWED, '/forceexit'), /^Usage: \/forceexit BTC\/USDT/);
    assert.match(await ask(ALLOWED, '/forceexit ETH/USDT'), /argument\.symbol: no ETH\/USDT position is held/);
    // The question: nothing is sold until Confirm.
    assert.match(await ask(ALLOWED, '/forceexit btc/usdt'), /^Sell at market\?\nBTC\/USDT: 0\.01$/);
    const question = tg.sent.at(-1)!;
    assert.deepEqual(question.replyMarkup, { inline_keyboard: [[{ text: 'Confirm: sell at market', callback_data: 'fx:BTC/USDT' }, { text: 'Cancel', callback_data: 'fx:cancel' }]] });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(updates.messages.length, 1, 'nothing sold on the question');
    // Cancel first: answered, nothing sold.
    let before = tg.sentTo(ALLOWED).length;
    const cancelId = tg.pushCallbackQuery({ chatId: ALLOWED, messageId: question.messageId, data: 'fx:cancel' });
    await waitFor(() => tg.sentTo(ALLOWED).length > before, 8000, 'the cancel answer');
    assert.match(tg.sentTo(ALLOWED).at(-1)!, /canceled: nothing was sold/);
    assert.ok(tg.answeredCallbacks.some((a) => a.id === cancelId), 'the tap was answered (no spinner left)');
    // Confirm: one market sell with the kill switch on.
    before = tg.sentTo(ALLOWED).length;
    const confirmId = tg.pushCallbackQuery({ chatId: ALLOWED, messageId: question.messageId, data: 'fx:BTC/USDT' });
    await waitFor(() => tg.sentTo(ALLOWED).length > before, 8000, 'the confirm answer');
    assert.match(tg.sentTo(ALLOWED).at(-1)!, /^Force exit sent:\nsell 0\.01 BTC\/USDT at market \(tb-fx-[0-9a-f]{24}\)$/);
    assert.ok(tg.answeredCallbacks.some((a) => a.id === confirmId));
    await waitFor(() => updates.messages.some((m) => m.payload.side === 'sell' && m.payload.status === 'closed'), 8000, 'the sell');
    assert.equal(updates.messages.find((m) => m.payload.side === 'sell').payload.reason, 'force exit');
    // A second tap on the same Confirm: the position is gone, nothing more is sold.
    before = tg.sentTo(ALLOWED).length;
    tg.pushCallbackQuery({ chatId: ALLOWED, messageId: question.messageId, data: 'fx:BTC/USDT' });
    await waitFor(() => tg.sentTo(ALLOWED).length > before, 8000, 'the second answer');
    assert.match(tg.sentTo(ALLOWED).at(-1)!, /no BTC\/USDT position is held/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(updates.messages.filter((m) => m.payload.side === 'sell').length, 1, 'sold once');
  });
});
