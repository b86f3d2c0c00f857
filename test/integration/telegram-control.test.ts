/**
 * Telegram control in the real runtime: commands from an allowed chat are answered from the
 * exchange's account and its trade journal, /pause and /resume switch the risk gate's kill switch,
 * and a foreign chat is refused and logged without its text.
 */
import assert from 'node:assert/strict';
import type { ClosedTrade, JournalStore } from '../../core/journal/types';
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
    assert.match(await ask(ALLOWED, '/status'), /sim: trading\nequity \d+\.\d\d USDT\nopen positions 0, open orders 0\n1 risk gate/);
    const balance = await ask(ALLOWED, '/balance');
    assert.match(balance, /^USDT: 5000/m);
    assert.match(balance, /^BTC: 0\.1/m);
    assert.equal(await ask(ALLOWED, '/positions'), 'no open positions');
    assert.match(await ask(ALLOWED, '/profit@SomeBot'), /^today \(realized\): 0\.00 USDT\nrealized: 0\.00\nunrealized: 0\.00/);
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
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
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
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(updates.messages.filter((m) => m.payload.side === 'sell').length, 1, 'sold once');
  });

  describe('journal commands: /trades, /profit, /daily, /weekly, /monthly, /performance, /count', function () {
    // Telegram's one message a second per chat paces the replies: some 25 commands here.
    this.timeout(60_000);
    const tradingFlow = (exchange: Record<string, unknown> = {}): FlowNode[] => [
      ...flow().map((n) => (n.id === 'risk' ? { ...n, wires: [['order'], ['rejected']] } : n.id === 'ex' ? { ...n, simSpeed: 600, simBalances: 'USDT=10000', ...exchange } : n)),
      { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates']] },
      { id: 'updates', type: 'helper' },
    ];
    let seq = 0;
    const PRICES: Record<string, number> = { 'BTC/USDT': 60_000, 'ETH/USDT': 3_000 };
    const signal = (symbol: string, side: 'buy' | 'sell', extra: Record<string, unknown> = {}) => ({
      payload: { kind: 'signal', id: `sig-tj${++seq}`, exchange: 'sim', symbol, side, price: PRICES[symbol], ts: Date.now(), candleTs: 0, strategy: 's', strength: 1, reason: 'r', ...extra },
    });
    /** Three closed trades (a partial exit and the rest of BTC, an ETH round trip), and BTC held again. */
    async function trade(): Promise<void> {
      const updates = new Inbox('updates');
      const filled = (side: string) => updates.messages.filter((m) => m.payload.side === side && m.payload.status === 'closed').length;
      const steps: Array<[string, 'buy' | 'sell', Record<string, unknown>?]> = [['BTC/USDT', 'buy'], ['BTC/USDT', 'sell', { fraction: 0.5 }], ['BTC/USDT', 'sell'], ['ETH/USDT', 'buy'], ['ETH/USDT', 'sell'], ['BTC/USDT', 'buy']];
      for (const [symbol, side, extra] of steps) {
        const before = filled(side);
        getNode('risk').receive(signal(symbol, side, extra));
        await waitFor(() => filled(side) > before, 8000, `${side} ${symbol} filled`);
      }
    }
    function journal(): { store: JournalStore; account: string } {
      const j = getNode('ex').session.journal;
      assert.ok(j, 'the exchange node writes a journal (on by default in sim)');
      return { store: j.store, account: j.account };
    }
    const num = (s: string) => Number(s);
    const close = (a: number, b: number, what: string, eps = 1e-4) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

    it('answer with the journal\'s figures after trades on the simulated market', async function () {
      await loadFlow(tradingFlow(), { bot: { token: TOKEN } });
      await trade();
      const { store, account } = journal();
      // The test reads the store itself: the rows the writer still holds (its batch window) first.
      await getNode('ex').session.journal.flush();
      const all: ClosedTrade[] = await store.trades(account);
      assert.equal(all.length, 3, 'three closed trades in the journal');
      const total = all.reduce((s, t) => s + t.pnl, 0);

      // /trades: one line per trade, newest first, the store's P&L, percent and exit reason.
      const trades = (await ask(ALLOWED, '/trades')).split('\n');
      assert.equal(trades[0], 'Last 3 closed trades (newest first):');
      assert.equal(trades.length, 4);
      for (const [i, t] of all.entries()) {
        const m = /^(\S+) ([+-]?[\d.]+)% ([+-]?[\d.e-]+) USDT, (\S+), ((\d+[dhms] ?){1,2})$/.exec(trades[i + 1]!);
        assert.ok(m, `a trade line: ${trades[i + 1]}`);
        assert.equal(m[1], t.symbol);
        close(num(m[2]!), t.pnlPct, `${t.id} P&L %`, 0.01);
        close(num(m[3]!), t.pnl, `${t.id} P&L`);
        assert.equal(m[4], t.exitReason);
      }
      assert.equal((await ask(ALLOWED, '/trades 2')).split('\n').length, 3, '/trades 2: the newest two');
      for (const bad of ['/trades abc', '/trades 0', '/trades 51', '/trades -3', '/trades 2 3']) assert.match(await ask(ALLOWED, bad), /^Usage: \/trades \[n\]: the last n closed trades, n from 1 to 50/, bad);

      // /profit: the account's lines as before, then the journal's over all time or the last days.
      const profit = await ask(ALLOWED, '/profit');
      assert.match(profit, /^today \(realized\): -?[\d.e-]+ USDT\nrealized: -?[\d.e-]+\nunrealized: -?[\d.e-]+\nfees: [\d.e-]+\n/);
      const wins = all.filter((t) => t.pnl > 0).length;
      const closedLine = new RegExp(`^closed trades \\(all time\\): 3, win rate ${((100 * wins) / 3).toFixed(1)}% \\(${wins} won, ${all.filter((t) => t.pnl < 0).length} lost\\)$`, 'm');
      assert.match(profit, closedLine);
      const p = /^profit \(all time\): ([+-]?[\d.e-]+) USDT \(([+-]?[\d.]+)%\)$/m.exec(profit);
      assert.ok(p, profit);
      close(num(p[1]!), total, 'profit = the sum of the trades\' P&L');
      // The reply shows money in cents of USDT: equal to within half a cent.
      close(num(/^realized: (-?[\d.e-]+)$/m.exec(profit)![1]!), total, 'and the account\'s realized P&L', 0.005 / Math.max(1, Math.abs(total)));
      const basis = all.reduce((s, t) => s + t.entryPrice * t.amount + t.entryFees, 0);
      close(num(p[2]!), (100 * total) / basis, 'profit %', 0.01);
      assert.match(await ask(ALLOWED, '/profit 7'), /^closed trades \(last 7 days\): 3, /m);
      assert.match(await ask(ALLOWED, '/profit seven'), /^Usage: \/profit \[days\]/);

      // /daily, /weekly, /monthly: a line per period; they add up to the trades.
      const daily = (await ask(ALLOWED, '/daily')).split('\n');
      assert.equal(daily[0], 'Daily profit (UTC), last 7 days:');
      const rows = daily.slice(1).map((l) => /^(\d{4}-\d\d-\d\d): ([+-]?[\d.e-]+) USDT, (\d+) trades?$/.exec(l));
      assert.ok(rows.every(Boolean), daily.join('\n'));
      assert.equal(rows.reduce((s, r) => s + num(r![3]!), 0), 3);
      close(rows.reduce((s, r) => s + num(r![2]!), 0), total, 'the days add up to the profit');
      for (const r of rows) assert.equal(num(r![3]!), all.filter((t) => new Date(t.exitTs).toISOString().slice(0, 10) === r![1]).length, `trades on ${r![1]}`);
      assert.equal((await ask(ALLOWED, '/weekly 2')).split('\n').length, 3);
      assert.match(await ask(ALLOWED, '/monthly'), /^Monthly profit \(UTC\), last 6 months:\n\d{4}-\d\d: [+-]?[\d.e-]+ USDT, 3 trades\n/);
      assert.match(await ask(ALLOWED, '/daily 0'), /^Usage: \/daily \[n\]: profit and trades of the last n days, n from 1 to 60 \(default 7\)\.$/);

      // /performance: per pair, the store's trades and profit.
      const performance = (await ask(ALLOWED, '/performance')).split('\n');
      assert.equal(performance[0], 'Performance per pair (all time, most profitable first):');
      for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
        const mine = all.filter((t) => t.symbol === symbol);
        const line = performance.find((l) => l.startsWith(`${symbol}: `));
        const m = line && /: ([+-]?[\d.e-]+) USDT \(([+-]?[\d.]+)%\), (\d+) trades?, win rate (\d+)%$/.exec(line);
        assert.ok(m, `a line for ${symbol}: ${performance.join(' | ')}`);
        close(num(m[1]!), mine.reduce((s, t) => s + t.pnl, 0), `${symbol} profit`);
        assert.equal(num(m[3]!), mine.length);
      }
      assert.match(await ask(ALLOWED, '/performance now'), /^Usage: \/performance/);

      // /count: the account's open position and orders, the journal's closed trades.
      assert.equal(await ask(ALLOWED, '/count'), `open positions: 1\nopen orders: 0\nclosed trades: ${await store.countTrades(account)}`);
      assert.match(await ask(ALLOWED, '/help'), /\/trades \[n\]: the last n closed trades/);
    });

    it('with the journal off: the account\'s figures, and a line saying how to turn the journal on', async function () {
      await loadFlow(tradingFlow({ journal: 'off' }), { bot: { token: TOKEN } });
      const off = /journal: off on the exchange node \(sim\): set the exchange node's journal setting to "auto" or "on" and deploy/;
      assert.match(await ask(ALLOWED, '/trades'), new RegExp(`^${off.source}$`));
      assert.match(await ask(ALLOWED, '/daily'), off);
      assert.match(await ask(ALLOWED, '/performance'), off);
      const profit = await ask(ALLOWED, '/profit');
      assert.match(profit, /^today \(realized\): 0\.00 USDT\nrealized: 0\.00\nunrealized: 0\.00\nfees: 0\.00\n/);
      assert.match(profit.split('\n').at(-1)!, off);
      assert.match(await ask(ALLOWED, '/count'), new RegExp(`^open positions: 0\\nopen orders: 0\\nclosed trades: ${off.source}$`));
    });
  });
});
