/**
 * Stop-losses resting at the exchange (live mode): the product's own order path (TradingAccount +
 * LiveExecutor + a real ccxt) against the mock Binance, which models Binance's STOP_LOSS orders
 * (coins locked while it waits, "would trigger immediately" refused, executed as a market sell
 * when the last price reaches the stop). And one run through the real Node-RED runtime.
 */
import assert from 'node:assert/strict';
import type { OrderRequest, OrderUpdate } from '../../core/contract';
import { CcxtSource } from '../../core/market/ccxt-source';
import { MemoryStore } from '../../core/state-store';
import { TradingAccount } from '../../core/trading/account';
import { LiveExecutor } from '../../core/trading/live-executor';
import { reconcileLiveAccount } from '../../core/trading/reconcile';
import { MockBinance } from '../support/mock-binance';
import { Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const KEY = 'stopTestKey0123456789abcdef';
const SECRET = 'stopTestSecret0123456789abcdef';

interface Live {
  source: CcxtSource;
  account: TradingAccount;
  updates: OrderUpdate[];
}

async function liveAccount(mock: MockBinance, store = new MemoryStore(), exchangeStops = true): Promise<Live> {
  const source = await CcxtSource.create({ exchangeId: 'binance', baseUrl: mock.url, credentials: { apiKey: KEY, secret: SECRET }, timeoutMs: 500 });
  source.ccxt.enableRateLimit = false;
  const executor = new LiveExecutor({ exchange: source.ccxt, exchangeId: 'binance', now: () => Date.now(), pollMs: 30, backoff: { initialMs: 10, maxMs: 50 } });
  const account = new TradingAccount({ exchangeId: 'binance', mode: 'live', store, storeKey: 'live', now: () => Date.now(), exchangeStops });
  const updates: OrderUpdate[] = [];
  account.defaultListener = (u) => updates.push(u);
  await account.init(executor);
  await reconcileLiveAccount(account, executor, source.ccxt);
  await account.resumeExchangeStops();
  return { source, account, updates };
}

const buy = (id: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  kind: 'orderRequest',
  clientOrderId: id,
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  amount: 0.01,
  stopLoss: 58_000,
  ts: Date.now(),
  ...extra,
});

/** Moves the exchange's market and tells the account, as the ticker feed would. */
function price(mock: MockBinance, account: TradingAccount, last: number): void {
  mock.setTicker('BTC/USDT', { bid: last - 1, ask: last + 1, last });
  account.onPrice({ kind: 'ticker', exchange: 'binance', symbol: 'BTC/USDT', bid: last - 1, ask: last + 1, last, ts: Date.now() } as any);
}

function stopOrders(mock: MockBinance) {
  return mock.orders(KEY).filter((o) => o.type === 'STOP_LOSS');
}

function assertPortfolioIsExchange(mock: MockBinance, account: TradingAccount): void {
  const theirs = mock.balances(KEY);
  for (const asset of ['USDT', 'BTC']) {
    const ours = account.portfolio.balance(asset);
    const total = theirs[asset]!.free + theirs[asset]!.locked;
    assert.ok(Math.abs(ours.free + ours.used - total) < 1e-8, `${asset}: ours ${ours.free + ours.used}, exchange ${total}`);
  }
}

describe('stop-losses resting at the exchange (real ccxt, mock Binance)', function () {
  this.timeout(30_000);
  let mock: MockBinance;
  let live: Live | undefined;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 10_000, BTC: 0 });
    mock.setTicker('BTC/USDT', { bid: 59_999, ask: 60_001, last: 60_000 });
  });

  afterEach(async function () {
    await live?.account.close();
    await live?.source.close();
    live = undefined;
    await mock.stop();
  });

  it('a filled buy with a stop-loss leaves one STOP_LOSS sell of the whole position at the exchange, and it fires there', async function () {
    live = await liveAccount(mock);
    const { account, updates } = live;
    await account.place(buy('tb-stop-1'));
    await waitFor(() => stopOrders(mock).some((o) => o.status === 'NEW'), 5000, 'a stop-loss order at the exchange');
    const [stop] = stopOrders(mock);
    assert.equal(stop!.clientOrderId, 'tb-stop-1-x1', 'deterministic id derived from the opening order');
    assert.equal(stop!.side, 'SELL');
    assert.equal(stop!.stopPrice, 58_000);
    assert.equal(stop!.origQty, 0.00999, 'the position after the fee Binance takes in BTC');
    assert.equal(mock.balances(KEY).BTC!.locked, 0.00999, 'the exchange holds the coins for it');

    // The bot is told nothing: the exchange fires the stop by itself.
    mock.setTicker('BTC/USDT', { bid: 57_900, ask: 57_910, last: 57_950 });
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-stop-1-x1' && u.status === 'closed'), 5000, 'the stop fill reported');
    const fill = updates.find((u) => u.clientOrderId === 'tb-stop-1-x1' && u.status === 'closed')!;
    assert.match(fill.reason ?? '', /stop-loss at 58000, resting at the exchange/);
    assert.equal(account.portfolio.position('BTC/USDT'), undefined, 'position closed');
    assert.equal(mock.orders(KEY).filter((o) => o.side === 'SELL').length, 1, 'exactly one sell');
    await account.flush();
    assertPortfolioIsExchange(mock, account);
  });

  it('a take-profit the bot watches cancels the resting stop first, then sells once', async function () {
    live = await liveAccount(mock);
    const { account, updates } = live;
    await account.place(buy('tb-stop-2', { takeProfit: 62_000 }));
    await waitFor(() => stopOrders(mock).some((o) => o.status === 'NEW'), 5000, 'a stop-loss order at the exchange');
    price(mock, account, 62_100);
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-stop-2-tp' && u.status === 'closed'), 5000, 'the take-profit sell');
    assert.equal(stopOrders(mock)[0]!.status, 'CANCELED', 'the resting stop was canceled');
    const sells = mock.orders(KEY).filter((o) => o.side === 'SELL' && o.status === 'FILLED');
    assert.deepEqual(sells.map((o) => o.clientOrderId), ['tb-stop-2-tp']);
    assert.equal(mock.orders(KEY).filter((o) => o.status === 'NEW').length, 0, 'nothing left open at the exchange');
    assert.equal(account.portfolio.position('BTC/USDT'), undefined);
  });

  it('the cancel before a take-profit fails twice (connection reset): retried, the stop canceled once, one sell', async function () {
    live = await liveAccount(mock);
    const { account, updates } = live;
    await account.place(buy('tb-stop-8', { takeProfit: 62_000 }));
    await waitFor(() => stopOrders(mock).some((o) => o.status === 'NEW'), 5000, 'a stop-loss order at the exchange');
    mock.failNext(2, 'reset', '/api/v3/order', 'DELETE');
    price(mock, account, 62_100);
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-stop-8-tp' && u.status === 'closed'), 10_000, 'the take-profit sell');
    assert.ok(mock.tradingStats(KEY).cancelRequests >= 3, 'the cancel was tried again');
    assert.equal(stopOrders(mock)[0]!.status, 'CANCELED');
    assert.equal(mock.orders(KEY).filter((o) => o.side === 'SELL' && o.status === 'FILLED').length, 1, 'one sell');
    await account.flush();
    assertPortfolioIsExchange(mock, account);
  });

  it("a strategy's sell of part of the position: the stop is taken down, the sell goes out, a stop for the rest is placed", async function () {
    live = await liveAccount(mock);
    const { account } = live;
    await account.place(buy('tb-stop-3'));
    await waitFor(() => stopOrders(mock).some((o) => o.status === 'NEW'), 5000, 'first stop');
    const { update } = await account.place({ kind: 'orderRequest', clientOrderId: 'tb-sell-3', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.005, ts: Date.now() });
    assert.equal(update.status, 'closed', `the sell filled (${update.reason ?? ''})`);
    await waitFor(() => stopOrders(mock).some((o) => o.clientOrderId === 'tb-stop-3-x2' && o.status === 'NEW'), 5000, 'a stop for what is left');
    const stops = stopOrders(mock);
    assert.equal(stops[0]!.status, 'CANCELED');
    assert.equal(stops[1]!.origQty, 0.00499);
    assert.equal(stops.filter((o) => o.status === 'NEW').length, 1, 'one resting stop');
    await account.flush();
    assertPortfolioIsExchange(mock, account);
  });

  it('the stop request accepted but its response lost: looked up, not sent twice', async function () {
    live = await liveAccount(mock);
    const { account } = live;
    await account.place(buy('tb-stop-4'));
    // the next order request (the stop) is accepted and its answer lost
    mock.failNext(1, 'acceptedThenLost', '/api/v3/order', 'POST');
    await waitFor(() => account.openOrders().some((u) => u.clientOrderId === 'tb-stop-4-x1' && u.id !== null), 10_000, 'the stop known to the bot');
    assert.equal(stopOrders(mock).length, 1, 'one stop order at the exchange');
    assert.ok(mock.tradingStats(KEY).createRequests >= 2);
  });

  it('after a restart the resting stop is found again, not placed a second time', async function () {
    const store = new MemoryStore();
    live = await liveAccount(mock, store);
    await live.account.place(buy('tb-stop-5'));
    await waitFor(() => stopOrders(mock).some((o) => o.status === 'NEW'), 5000, 'a stop');
    await live.account.flush();
    await live.account.close();
    await live.source.close();
    live = await liveAccount(mock, store);
    assert.ok(live.account.openOrders().some((u) => u.clientOrderId === 'tb-stop-5-x1' && u.status === 'open'), 'the restarted bot knows its stop');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(stopOrders(mock).length, 1, 'no second stop');
    mock.setTicker('BTC/USDT', { bid: 57_900, ask: 57_910, last: 57_950 });
    await waitFor(() => live!.account.portfolio.position('BTC/USDT') === undefined, 5000, 'closed by the exchange stop');
  });

  it('a stop the exchange refuses (price already below it) is watched by the bot, which sells', async function () {
    live = await liveAccount(mock);
    const { account, updates } = live;
    await account.place(buy('tb-stop-6', { stopLoss: 60_500 }));
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-stop-6-x1' && u.status === 'rejected'), 5000, 'the refusal');
    assert.match(updates.find((u) => u.clientOrderId === 'tb-stop-6-x1')!.reason ?? '', /would trigger immediately/);
    price(mock, account, 59_990);
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-stop-6-sl' && u.status === 'closed'), 5000, 'the bot-side stop sells');
    assert.equal(stopOrders(mock).length, 0);
    assert.equal(account.portfolio.position('BTC/USDT'), undefined);
  });

  it('switched off, no stop order goes to the exchange and the bot sells on the stop-loss', async function () {
    live = await liveAccount(mock, new MemoryStore(), false);
    const { account, updates } = live;
    await account.place(buy('tb-stop-7'));
    price(mock, account, 57_990);
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-stop-7-sl' && u.status === 'closed'), 5000, 'the bot-side stop sells');
    assert.equal(stopOrders(mock).length, 0);
  });
});

describe('stop-losses resting at the exchange, in the Node-RED runtime (mock Binance)', function () {
  this.timeout(30_000);
  let mock: MockBinance;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 5000, BTC: 0 });
    mock.setTicker('BTC/USDT', { bid: 59_999, ask: 60_001, last: 60_000 });
  });
  afterEach(async function () {
    await unloadFlow();
    await mock.stop();
  });

  const flow = (): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', exchangeId: 'binance', baseUrl: mock.url, timeoutMs: 2000, mode: 'live', liveOptIn: true },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], []] },
    { id: 'updates', type: 'helper' },
  ];

  it('a buy from the flow leaves its stop at the exchange; the exchange fires it and the flow hears why', async function () {
    await loadFlow(flow(), { ex: { apiKey: KEY, secret: SECRET } });
    const updates = new Inbox('updates');
    getNode('order').receive({ payload: buy('tb-flow-1') });
    await waitFor(() => stopOrders(mock).some((o) => o.status === 'NEW'), 8000, 'the stop at the exchange');
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-flow-1-x1' && m.payload.status === 'open'), 5000, 'the flow sees the resting stop');
    mock.setTicker('BTC/USDT', { bid: 57_900, ask: 57_910, last: 57_950 });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-flow-1-x1' && m.payload.status === 'closed'), 8000, 'the stop fill');
    const fill = updates.messages.find((m) => m.payload.clientOrderId === 'tb-flow-1-x1' && m.payload.status === 'closed')!;
    assert.match(fill.payload.reason, /resting at the exchange/);
    assert.equal(mock.orders(KEY).filter((o) => o.side === 'SELL').length, 1);
  });
});
