/**
 * Luno, through the product, against its wire-format mock (test/support/mock-luno.ts) with a real
 * ccxt: market data and paper trading work; live trading is refused at deploy with the reason
 * (core/exchanges/profile.ts LIVE_REFUSED: ccxt's luno class cannot find an order by its client
 * order id after a lost answer, and sends a market buy's amount as the quote to spend), reported
 * once (red ring, one Catch-able error); an order sent to it is dropped and never reaches the exchange.
 */
import assert from 'node:assert/strict';
import { MockLuno } from '../support/mock-luno';
import { getNode, Inbox, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const TICKER = { bid: 1_199_900, ask: 1_200_100, last: 1_200_000 };
const WAIT = 20_000;

describe('Luno: market data and paper trading; live refused with its reason (wire-format mock, real ccxt, real Node-RED)', function () {
  this.timeout(60_000);
  let mock: MockLuno;
  let url: string;

  beforeEach(async function () {
    mock = new MockLuno();
    url = await mock.start();
    mock.addAccount(mock.credentials.apiKey, mock.credentials.secret, { ZAR: 100_000, BTC: 0.5 }, { feeRate: 0.001 });
    mock.setTicker(mock.symbol, TICKER);
    mock.setOrderBook(mock.symbol, [[1_199_900, 1], [1_199_800, 2]], [[1_200_100, 1], [1_200_200, 2]]);
  });
  afterEach(async function () {
    await unloadFlow();
    await mock.stop();
  });

  const exchange = (extra: Record<string, unknown> = {}): FlowNode => ({ id: 'ex', type: 'tradebot-exchange', exchangeId: 'luno', baseUrl: url, mode: 'paper', timeoutMs: 2000, slippagePct: 0, simBalances: 'ZAR=100000', reportCurrency: 'ZAR', ...extra });
  const credentials = () => ({ ex: { apiKey: mock.credentials.apiKey, secret: mock.credentials.secret } });
  const orderFlow = (ex: FlowNode): FlowNode[] => [
    ex,
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'ZAR', wires: [['updates'], ['portfolio']] },
    { id: 'updates', type: 'helper' },
    { id: 'portfolio', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  const buy = (clientOrderId: string) => ({ payload: { kind: 'orderRequest', clientOrderId, symbol: mock.symbol, side: 'buy', type: 'market', amount: 0.01, ts: Date.now() } });

  it('markets through the API URL: the ticker (polled: ccxt has no Luno ticker websocket) and the order book', async function () {
    await loadFlow([
      exchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: mock.symbol, interval: 500, websocket: true, wires: [['out']] },
      { id: 'b', type: 'tradebot-order-book', exchange: 'ex', symbols: mock.symbol, depth: 2, interval: 500, websocket: false, wires: [['book']] },
      { id: 'out', type: 'helper' },
      { id: 'book', type: 'helper' },
    ], credentials());
    // Both inboxes from the deploy on: a book emitted while the ticker is awaited is not missed
    // (a feed sends again only on a change, and the mock's book does not change).
    const tickers = new Inbox('out');
    const books = new Inbox('book');
    const [first] = await tickers.take(1, WAIT);
    assert.deepEqual({ symbol: first.payload.symbol, bid: first.payload.bid, ask: first.payload.ask, last: first.payload.last }, { symbol: mock.symbol, ...TICKER });
    const [book] = await books.take(1, WAIT);
    assert.deepEqual(book.payload.bids[0], [1_199_900, 1]);
    assert.deepEqual(book.payload.asks[0], [1_200_100, 1]);
  });

  it('paper: a market buy fills at the ask; nothing reaches the exchange', async function () {
    await loadFlow(orderFlow(exchange()), credentials());
    const updates = new Inbox('updates');
    getNode('order').receive(buy('tb-luno-paper-1'));
    await waitFor(() => updates.messages.some((m) => m.payload.status === 'closed'), WAIT, 'the paper fill');
    const u = updates.messages.find((m) => m.payload.status === 'closed')!.payload;
    assert.equal(u.mode, 'paper');
    assert.equal(u.filled, 0.01);
    assert.equal(u.average, TICKER.ask);
    assert.equal(mock.stats().createRequests, 0);
  });

  it('live: refused at deploy on the place-order node with the reason, reported once; an order is dropped quietly and never reaches Luno', async function () {
    await loadFlow(orderFlow(exchange({ mode: 'live', liveOptIn: true })), credentials());
    const statuses = recordStatuses('order');
    const caught = new Inbox('caught');
    await waitFor(() => statuses.some((s) => s.fill === 'red' && /live trading on luno is refused: ccxt's luno class cannot find an order/.test(s.text ?? '')), WAIT, 'the refusal on the place-order node');
    // The configuration error reaches a Catch node once, at deploy, without any message sent.
    await waitFor(() => caught.messages.length > 0, WAIT, 'the error at a Catch node');
    assert.match(caught.messages[0].error.message, /live trading on luno is refused: .*quote currency to spend/);
    getNode('order').receive(buy('tb-luno-live-1'));
    getNode('order').receive(buy('tb-luno-live-2'));
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(caught.messages.length, 1, `one error, not one per order: ${caught.messages.map((m) => m.error.message).join(' | ')}`);
    assert.match(statuses.at(-1)?.text ?? '', /live trading on luno is refused/, 'the status still says why');
    assert.equal(mock.stats().createRequests, 0, 'no order sent');
    assert.equal(mock.orders().length, 0);
    for (const s of statuses) assert.ok(!(s.text ?? '').includes(mock.credentials.secret), 'no secret in a status');
  });
});
