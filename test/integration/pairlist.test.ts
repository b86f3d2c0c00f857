/**
 * The pairlist node with a real ccxt against the mock Binance (Binance's wire format: one GET
 * /api/v3/ticker/24hr for every ticker, klines for the age): the ticker set changes during the
 * test (volumes move, a symbol is delisted), the list follows, and the candles, ticker and order book nodes
 * wired to it follow the list. A position in a symbol that left the list is still managed: its
 * stop-loss sells.
 */
import assert from 'node:assert/strict';
import { PairlistSchema } from '../../core/contract';
import { CcxtSource } from '../../core/market/ccxt-source';
import { parsePairlistSettings } from '../../core/market/pairlist';
import { Pairlister } from '../../core/market/pairlist-refresh';
import { MockBinance } from '../support/mock-binance';
import { getNode, Inbox, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const MIN = 60_000;
const DAY = 86_400_000;

describe('pairlist against a mock Binance through ccxt', function () {
  this.timeout(40_000);
  let mock: MockBinance;

  beforeEach(async function () {
    mock = new MockBinance({
      symbols: [
        { base: 'BTC', quote: 'USDT', price: 60_000 },
        { base: 'ETH', quote: 'USDT', price: 3_000 },
        { base: 'SOL', quote: 'USDT', price: 150 },
        { base: 'NEW', quote: 'USDT', price: 2 },
        { base: 'ETH', quote: 'BTC', price: 0.05 },
      ],
    });
    await mock.start();
    // Base volumes: by quote volume ETH (300 M) > BTC (60 M) > SOL (0.75 M, under the 1 M minimum); NEW trades most (2 G) but is 5 days old.
    mock.setTickers({
      'BTC/USDT': { bid: 59_990, ask: 60_010, last: 60_000, volume: 1_000 },
      'ETH/USDT': { bid: 2_999, ask: 3_001, last: 3_000, volume: 100_000 },
      'SOL/USDT': { bid: 149.9, ask: 150.1, last: 150, volume: 5_000 },
      'NEW/USDT': { bid: 1.99, ask: 2.01, last: 2, volume: 1e9 },
      'ETH/BTC': { bid: 0.0499, ask: 0.0501, last: 0.05, volume: 1e7 },
    });
    const now = Date.now();
    const today = now - (now % DAY);
    const minute = now - (now % MIN);
    for (const [symbol, price, days] of [['BTC/USDT', 60_000, 400], ['ETH/USDT', 3_000, 400], ['SOL/USDT', 150, 400], ['NEW/USDT', 2, 5], ['ETH/BTC', 0.05, 400]] as const) {
      mock.setKlines(symbol, '1d', Array.from({ length: Math.min(days, 1000) }, (_, i) => [today - (Math.min(days, 1000) - 1 - i) * DAY, price, price, price, price, 10]));
      mock.setKlines(symbol, '1m', Array.from({ length: 10 }, (_, i) => [minute - (10 - i) * MIN, price, price * 1.001, price * 0.999, price, 1]));
    }
  });

  afterEach(async function () {
    await unloadFlow();
    await mock.stop();
  });

  const flow = (): FlowNode[] => [
    { id: 'ex', type: 'tradebot-exchange', mode: 'paper', exchangeId: 'binance', baseUrl: mock.url, timeoutMs: 2000, simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0 },
    {
      id: 'pl',
      type: 'tradebot-pairlist',
      exchange: 'ex',
      quote: 'USDT',
      count: 2,
      minPrice: '',
      minQuoteVolume: 1_000_000,
      maxSpreadPct: 1,
      whitelist: '',
      blacklist: '',
      minAgeDays: 30,
      refresh: 60,
      wires: [['lists', 'candles', 'ticker', 'book']],
    },
    { id: 'lists', type: 'helper' },
    { id: 'candles', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 3, interval: 200, websocket: false, wires: [['candleOut']] },
    { id: 'ticker', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 200, websocket: false, wires: [['tickOut']] },
    { id: 'candleOut', type: 'helper' },
    { id: 'tickOut', type: 'helper' },
    { id: 'book', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: 5, interval: 200, websocket: false, wires: [['bookOut']] },
    { id: 'bookOut', type: 'helper' },
    { id: 'order', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [['updates'], []] },
    { id: 'updates', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];

  const klineRequests = (symbolId: string, interval: string) => mock.requests.filter((r) => r.path === '/api/v3/klines' && r.query.symbol === symbolId && r.query.interval === interval).length;
  const tickerRequests = (symbolId: string) => mock.requests.filter((r) => r.path === '/api/v3/ticker/24hr' && r.query.symbol === symbolId).length;
  const depthRequests = (symbolId: string) => mock.requests.filter((r) => r.path === '/api/v3/depth' && r.query.symbol === symbolId).length;

  it('ranks the exchange\'s tickers, follows a changing ticker set, and the followers start and stop feeds', async function () {
    await loadFlow(flow());
    const caught = new Inbox('caught');
    const lists = new Inbox('lists');
    const candles = new Inbox('candleOut');
    const ticks = new Inbox('tickOut');
    const books = new Inbox('bookOut');

    const [first] = await lists.take(1);
    PairlistSchema.parse(first.payload);
    assert.deepEqual(first.payload.symbols, ['ETH/USDT', 'BTC/USDT']);
    assert.equal(first.payload.exchange, 'binance');
    assert.equal(first.excluded['NEW/USDT'], 'age', 'five days of daily candles: too young for 30');
    assert.equal(first.excluded['SOL/USDT'], 'volume');
    assert.equal(first.excluded['ETH/BTC'], 'quote');
    assert.ok(Math.abs(first.payload.pairs[0].quoteVolume - 300_000_000) < 1, `ETH quote volume from the exchange: ${first.payload.pairs[0].quoteVolume}`);
    const allTickers = mock.requests.filter((r) => r.path === '/api/v3/ticker/24hr' && r.query.symbol === undefined && r.query.symbols === undefined);
    assert.equal(allTickers.length, 1, 'one request for every ticker');
    assert.equal(klineRequests('NEWUSDT', '1d'), 1, 'the age asked of the symbol that would have made the list');
    assert.equal(klineRequests('SOLUSDT', '1d'), 0, 'no age asked of a symbol filtered out before');

    // The followers: ETH/USDT warmed up and fed, BTC/USDT (configured and listed) kept its feed.
    await waitFor(() => candles.messages.filter((m) => m.topic === 'ETH/USDT' && m.warmup).length === 3, 10_000, 'the warm-up of ETH/USDT');
    await waitFor(() => ticks.messages.some((m) => m.topic === 'ETH/USDT'), 10_000, 'a ticker of ETH/USDT');
    assert.equal(candles.messages.filter((m) => m.topic === 'BTC/USDT' && m.warmup).length, 3, 'BTC/USDT warmed up once, at deploy');

    // The ticker set changes: SOL/USDT trades 400 M (more than ETH), BTC/USDT's volume dries up.
    mock.setTickers({
      'SOL/USDT': { bid: 149.9, ask: 150.1, last: 150, volume: 2_700_000 },
      'BTC/USDT': { bid: 59_990, ask: 60_010, last: 60_000, volume: 10 },
    });
    getNode('pl').receive({ payload: 'refresh' });
    const [, second] = await lists.take(2);
    assert.deepEqual(second.payload.symbols, ['SOL/USDT', 'ETH/USDT']);
    assert.deepEqual(second.payload.added, ['SOL/USDT']);
    assert.deepEqual(second.payload.removed, ['BTC/USDT']);
    await waitFor(() => candles.messages.filter((m) => m.topic === 'SOL/USDT' && m.warmup).length === 3, 10_000, 'the warm-up of SOL/USDT');
    await waitFor(() => ticks.messages.some((m) => m.topic === 'SOL/USDT'), 10_000, 'a ticker of SOL/USDT');
    await waitFor(() => books.messages.some((m) => m.topic === 'SOL/USDT'), 10_000, 'an order book of SOL/USDT');

    // BTC/USDT's feeds stopped: no more requests for it, while the listed symbols are still polled.
    const btcKlines = klineRequests('BTCUSDT', '1m');
    const btcTickers = tickerRequests('BTCUSDT');
    const btcDepths = depthRequests('BTCUSDT');
    const solTickers = tickerRequests('SOLUSDT');
    const solDepths = depthRequests('SOLUSDT');
    await waitFor(() => tickerRequests('SOLUSDT') >= solTickers + 5 && depthRequests('SOLUSDT') >= solDepths + 5, 10_000, 'SOL/USDT polled on');
    assert.equal(klineRequests('BTCUSDT', '1m'), btcKlines, 'no candle request for BTC/USDT after it left the list');
    assert.equal(tickerRequests('BTCUSDT'), btcTickers, 'no ticker request for BTC/USDT after it left the list');
    assert.equal(depthRequests('BTCUSDT'), btcDepths, 'no order book request for BTC/USDT after it left the list');
    assert.equal(candles.messages.filter((m) => m.topic === 'ETH/USDT' && m.warmup).length, 3, 'ETH/USDT stayed: no second warm-up');

    // ETH/USDT is delisted: gone from the exchange's tickers, so from the list; BTC/USDT is back.
    mock.delistSymbol('ETH/USDT');
    mock.setTickers({ 'BTC/USDT': { bid: 59_990, ask: 60_010, last: 60_000, volume: 1_000 } });
    getNode('pl').receive({ payload: 'refresh' });
    const [, , third] = await lists.take(3);
    assert.deepEqual(third.payload.symbols, ['SOL/USDT', 'BTC/USDT']);
    assert.deepEqual(third.payload.removed, ['ETH/USDT']);
    await waitFor(() => candles.messages.filter((m) => m.topic === 'BTC/USDT' && m.warmup).length === 6, 10_000, 'BTC/USDT warmed up again on its return');
    // Between the delisting and the list without it, a feed may ask once more for ETH/USDT and
    // hear the exchange refuse it: that error names the symbol. Nothing else reaches Catch.
    const otherErrors = caught.messages.map((m) => String(m.error?.message)).filter((text) => !/^ETH\/USDT: binance .*Invalid symbol/.test(text));
    assert.deepEqual(otherErrors, []);
  });

  it('a position in a symbol that left the list is still managed: its stop-loss sells', async function () {
    await loadFlow(flow());
    const lists = new Inbox('lists');
    const updates = new Inbox('updates');
    await lists.take(1);
    getNode('order').receive({ payload: { kind: 'orderRequest', clientOrderId: 'tb-pairlist-btc', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, stopLoss: 58_000, ts: Date.now() } });
    await waitFor(() => updates.messages.some((m) => m.payload.clientOrderId === 'tb-pairlist-btc' && m.payload.status === 'closed'), 10_000, 'the buy filled');

    // BTC/USDT leaves the list: its candle and ticker feeds stop.
    mock.setTickers({ 'BTC/USDT': { bid: 59_990, ask: 60_010, last: 60_000, volume: 10 } });
    getNode('pl').receive({ payload: 'refresh' });
    const [, second] = await lists.take(2);
    assert.deepEqual(second.payload.removed, ['BTC/USDT']);

    // The price crosses the stop: the account, not the followers, watches it and sells.
    mock.setTicker('BTC/USDT', { bid: 57_900, ask: 57_910, last: 57_905 });
    await waitFor(() => updates.messages.some((m) => m.payload.side === 'sell' && m.payload.symbol === 'BTC/USDT' && m.payload.status === 'closed'), 20_000, 'the stop-loss sell');
    const sell = updates.messages.find((m) => m.payload.side === 'sell')!;
    assert.ok(Math.abs(sell.payload.filled - 0.01) < 1e-9, `the whole position sold: ${sell.payload.filled}`);
  });

  it('a symbol list naming a market the exchange does not have is refused naming the field; the feeds stay', async function () {
    await loadFlow(flow());
    const caught = new Inbox('caught');
    await new Inbox('lists').take(1);
    getNode('candles').receive({ payload: { kind: 'pairlist', symbols: ['ETH/USDT', 'DOGE/USDT'] } });
    const [err] = await caught.take(1);
    assert.match(err.error.message, /msg\.payload\.symbols\.1: symbol "DOGE\/USDT" is not listed on binance/);
    assert.equal(klineRequests('DOGEUSDT', '1m'), 0, 'nothing asked for the refused list');
  });

  it('a market listed after the deploy makes the list once the markets are older than the reload interval; a failed reload keeps the markets loaded before', async function () {
    // The core of the node with real ccxt, with a reload interval of 2 s instead of the node's hour.
    const source = await CcxtSource.create({ exchangeId: 'binance', baseUrl: mock.url, credentials: {}, timeoutMs: 2000 });
    try {
      const settings = parsePairlistSettings({ quote: 'USDT', count: 2, minPrice: '', minQuoteVolume: 1_000_000, maxSpreadPct: 1, whitelist: '', blacklist: '', minAgeDays: 30, refresh: 60 });
      await source.loadMarkets(); // as the exchange node does at the deploy
      const lister = new Pairlister(source, settings, 2_000);
      const marketLoads = () => mock.requests.filter((r) => r.path === '/api/v3/exchangeInfo').length;
      assert.deepEqual((await lister.refresh()).payload.symbols, ['ETH/USDT', 'BTC/USDT']);

      // ARB/USDT is listed and trades 1 G USDT a day, with 400 days of history.
      mock.listSymbol({ base: 'ARB', quote: 'USDT', price: 1 });
      mock.setTickers({ 'ARB/USDT': { bid: 0.999, ask: 1.001, last: 1, volume: 1e9 } });
      const today = Date.now() - (Date.now() % DAY);
      mock.setKlines('ARB/USDT', '1d', Array.from({ length: 400 }, (_, i) => [today - (399 - i) * DAY, 1, 1, 1, 1, 10]));
      const loadsBefore = marketLoads();
      const early = await lister.refresh();
      assert.ok(!early.payload.symbols.includes('ARB/USDT'), `not a loaded market yet: ${early.payload.symbols} (market loads ${marketLoads() - loadsBefore})`);
      assert.equal(marketLoads(), loadsBefore, 'markets younger than the interval are not loaded again');

      // Older than the interval, but the exchange fails the reload: the list is made from the markets loaded before.
      await new Promise((r) => setTimeout(r, 2_100));
      mock.failNext(1, { status: 503 }, '/api/v3/exchangeInfo');
      const failed = await lister.refresh();
      assert.deepEqual(failed.payload.symbols, ['ETH/USDT', 'BTC/USDT']);
      assert.equal(marketLoads(), loadsBefore + 1, 'the reload was tried');

      // The next refresh tries again, and ARB/USDT leads the list.
      const after = await lister.refresh();
      assert.deepEqual(after.payload.symbols, ['ARB/USDT', 'ETH/USDT']);
      assert.deepEqual(after.payload.added, ['ARB/USDT']);
      assert.equal(marketLoads(), loadsBefore + 2);
      assert.ok((await source.loadMarkets()).has('ARB/USDT'), 'every node of the exchange sees the new market');
    } finally {
      await source.close();
    }
  });
});
