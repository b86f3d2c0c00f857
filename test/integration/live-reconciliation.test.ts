/**
 * Reconciliation while running (live), in the real Node-RED runtime against the mock Binance
 * through a real ccxt: a trade placed on the exchange behind the bot's back (as on the website)
 * is found, adopted as the exchange has it and reported as a drift on the place-order node's
 * output 1, which a notifier formats; reconciliation never sends an order.
 */
import assert from 'node:assert/strict';
import { MockBinance } from '../support/mock-binance';
import { Inbox, getNode, loadFlow, sleep, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const KEY = 'reconTestKey0123456789abcdef';
const SECRET = 'reconTestSecret0123456789abcdef';

describe('live reconciliation while running (mock Binance)', function () {
  this.timeout(60_000);
  let mock: MockBinance;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 5000, BTC: 0.5 });
    mock.setOrderBook('BTC/USDT', [[59_990, 1], [59_980, 1]], [[60_010, 1], [60_020, 1]]);
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
  });
  afterEach(async function () {
    await unloadFlow();
    await mock.stop();
  });

  const flow = (exchange: Record<string, unknown>): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', exchangeId: 'binance', mode: 'live', liveOptIn: true, baseUrl: mock.url, timeoutMs: 2000, ...exchange },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', lifecycle: true, wires: [['updates', 'notifier'], ['portfolio']] },
    { id: 'notifier', type: 'tradebot-notifier', channel: 'none', wires: [['texts']] },
    { id: 'updates', type: 'helper' },
    { id: 'portfolio', type: 'helper' },
    { id: 'texts', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];

  const totals = () => {
    const b = mock.balances(KEY);
    return Object.fromEntries(Object.entries(b).map(([asset, x]) => [asset, x.free + x.locked]));
  };

  it('a market buy and a resting limit placed behind the bot are adopted and reported as drift with the exact difference; no order is sent', async function () {
    await loadFlow(flow({ reconcileSec: 10 }), { ex: { apiKey: KEY, secret: SECRET } });
    const updates = new Inbox('updates');
    const texts = new Inbox('texts');
    const caught = new Inbox('caught');
    // The bot's own order first: it must not be taken for drift.
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-recon-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() } });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-recon-1' && m.payload.status === 'closed'), 8000, 'the bot order filled');
    await waitFor(() => updates.messages.some((m) => m.payload.kind === 'lifecycle' && m.payload.event === 'start'), 2000, 'the start event');
    const botRequests = mock.tradingStats(KEY).createRequests;
    assert.equal(botRequests, 1);
    const was = totals();

    // Behind the bot's back, as on the website: a market buy and a resting limit buy.
    mock.placeOutsideBot(KEY, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.02' });
    mock.placeOutsideBot(KEY, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '50000' });
    const now = totals();

    await waitFor(() => updates.messages.some((m) => m.payload.kind === 'drift'), 15_000, 'a drift message within one reconcile interval');
    const drift = updates.messages.find((m) => m.payload.kind === 'drift')!;
    assert.equal(drift.topic, 'drift');
    const d = drift.payload;
    assert.equal(d.exchange, 'binance');
    assert.equal(d.mode, 'live');
    assert.equal(d.trigger, 'periodic');
    const byCurrency = Object.fromEntries(d.balances.map((b: any) => [b.currency, b]));
    for (const asset of ['BTC', 'USDT']) {
      assert.ok(byCurrency[asset], `${asset} reported`);
      assert.ok(Math.abs(byCurrency[asset].was - was[asset]!) < 1e-8, `${asset} was ${byCurrency[asset].was}, exchange had ${was[asset]}`);
      assert.ok(Math.abs(byCurrency[asset].now - now[asset]!) < 1e-8, `${asset} now ${byCurrency[asset].now}, exchange has ${now[asset]}`);
      assert.ok(Math.abs(byCurrency[asset].delta - (now[asset]! - was[asset]!)) < 1e-8, `${asset} delta`);
    }
    assert.equal(d.unknownToBot.length, 1, 'the resting limit is unknown to the bot');
    assert.match(d.unknownToBot[0].clientOrderId, /^web_/);
    assert.equal(d.unknownToBot[0].price, 50_000);
    assert.deepEqual(d.missingAtExchange, []);

    // Adopted: the portfolio equals the exchange's balances.
    getNode('order').receive({ topic: 'portfolio' });
    const [p] = await new Inbox('portfolio').take(1);
    for (const asset of ['USDT', 'BTC']) assert.ok(Math.abs(p.payload.balances[asset].total - now[asset]!) < 1e-8, `${asset}: ${p.payload.balances[asset].total} vs exchange ${now[asset]}`);

    // The notifier formats it as its own kind.
    await waitFor(() => texts.messages.some((m) => /drift from the exchange adopted/.test(m.payload)), 2000, 'the drift notification');
    const text = texts.messages.find((m) => /drift from the exchange adopted/.test(m.payload))!.payload as string;
    assert.match(text, /BTC: [\d.]+ -> [\d.]+ \(\+0\.01998\)/);
    assert.match(text, /order unknown to the bot: buy 0\.01 BTC\/USDT @ 50000/);

    // Reconciliation sent nothing; and the next round finds nothing new to report.
    assert.equal(mock.tradingStats(KEY).createRequests, botRequests, 'no order sent by reconciliation');
    assert.equal(mock.tradingStats(KEY).cancelRequests, 0, 'no cancel');
    // A fixed wait on purpose: a whole reconcile interval (10 s) passes, and the next round must report nothing new.
    await sleep(11_000);
    assert.equal(updates.messages.filter((m) => m.payload.kind === 'drift').length, 1, 'the same state is not reported again');
    assert.equal(mock.tradingStats(KEY).createRequests, botRequests);
    assert.equal(caught.messages.length, 0, 'no error');
  });

  it('a reconcile interval below 10 s is refused at deploy naming the field', async function () {
    await loadFlow(flow({ reconcileSec: 2 }), { ex: { apiKey: KEY, secret: SECRET } });
    const caught = new Inbox('caught');
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-recon-2', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() } });
    await waitFor(() => caught.messages.some((m) => /reconcileSec/.test(m.error?.message ?? '')), 5000, 'the error naming reconcileSec');
    assert.equal(mock.tradingStats(KEY).createRequests, 0);
  });
});
