/**
 * The market-data nodes in the real Node-RED runtime, on a real ccxt, against a mock Binance
 * on 127.0.0.1 (HTTP + websocket, Binance's wire format). Faults are injected at the mock.
 */
import assert from 'node:assert/strict';
import { CandleSchema, TickerSchema } from '../../core/contract';
import { ccxtLoadCount } from '../../core/market/ccxt-loader';
import { MockBinance } from '../support/mock-binance';
import { Inbox, loadFlow, recordStatuses, sleep, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const MIN = 60_000;

describe('market-data nodes against a mock Binance through ccxt', function () {
  this.timeout(30_000);
  let mock: MockBinance;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
  });

  afterEach(async function () {
    await unloadFlow();
    await mock.stop();
  });

  const exchange = (extra: Record<string, unknown> = {}): FlowNode => ({
    id: 'ex',
    type: 'tradebot-exchange',
    mode: 'paper',
    exchangeId: 'binance',
    baseUrl: mock.url,
    timeoutMs: 2000,
    ...extra,
  });
  const catchAll = (): FlowNode[] => [
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];

  it('two ticker nodes share one ccxt instance: markets load once, both poll real tickers', async function () {
    mock.setTicker('BTC/USDT', { bid: 64000, ask: 64001, last: 64000.5 });
    mock.setTicker('ETH/USDT', { bid: 3000, ask: 3000.1, last: 3000.05 });
    const loadsBefore = ccxtLoadCount();
    await loadFlow([
      exchange(),
      { id: 't1', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 100, websocket: false, wires: [['out1']] },
      { id: 't2', type: 'tradebot-ticker', exchange: 'ex', symbols: 'ETH/USDT', interval: 100, websocket: false, wires: [['out2']] },
      { id: 'out1', type: 'helper' },
      { id: 'out2', type: 'helper' },
    ]);
    const out1 = new Inbox('out1');
    const [btc] = await out1.take(1);
    const [eth] = await new Inbox('out2').take(1);
    assert.deepEqual(
      { symbol: btc.payload.symbol, bid: btc.payload.bid, ask: btc.payload.ask, last: btc.payload.last, exchange: btc.payload.exchange },
      { symbol: 'BTC/USDT', bid: 64000, ask: 64001, last: 64000.5, exchange: 'binance' },
    );
    TickerSchema.parse(btc.payload);
    assert.equal(eth.payload.last, 3000.05);
    assert.equal(mock.requestCount('/api/v3/exchangeInfo'), 1, 'markets loaded once for both nodes');
    assert.equal(ccxtLoadCount() - loadsBefore, 1, 'one exchange class loaded for the config node');

    // Polls keep coming but an unchanged ticker is not sent again; a change is.
    const polls = mock.requestCount('/api/v3/ticker/24hr');
    await waitFor(() => mock.requestCount('/api/v3/ticker/24hr') >= polls + 3, 5000, 'more polls');
    assert.equal(out1.messages.length, 1, 'unchanged ticker not re-sent');
    mock.setTicker('BTC/USDT', { bid: 64010, ask: 64011, last: 64010.5 });
    const [, changed] = await out1.take(2);
    assert.equal(changed.payload.last, 64010.5);
  });

  it('ticker over websocket: subscribes to the full ticker stream and forwards each push', async function () {
    mock.setTicker('BTC/USDT', { bid: 64000, ask: 64001, last: 64000.5 });
    await loadFlow([
      exchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const statuses = recordStatuses('t');
    await mock.waitForSubscription('btcusdt@ticker', 5000);
    const out = new Inbox('out');
    mock.setTicker('BTC/USDT', { bid: 64100, ask: 64102, last: 64101 });
    const [first] = await out.take(1);
    assert.deepEqual([first.payload.bid, first.payload.ask, first.payload.last], [64100, 64102, 64101]);
    mock.setTicker('BTC/USDT', { bid: 64200, ask: 64202, last: 64201 });
    const [, second] = await out.take(2);
    assert.equal(second.payload.last, 64201);
    assert.equal(mock.requestCount('/api/v3/ticker/24hr'), 0, 'no polling while the websocket works');
    await waitFor(() => statuses.some((s) => s.fill === 'green' && s.text === 'BTC/USDT 64201'), 2000, 'the last price in the status');
  });

  it('order book by polling: depth, mid, spread and imbalance from the exchange book', async function () {
    mock.setOrderBook(
      'BTC/USDT',
      [[100, 1], [99, 2], [98, 3]],
      [[101, 1], [102, 1], [103, 1]],
    );
    await loadFlow([
      exchange(),
      { id: 'b', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: 2, interval: 100, websocket: false, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const [msg] = await new Inbox('out').take(1);
    assert.deepEqual(msg.payload.bids, [[100, 1], [99, 2]]);
    assert.deepEqual(msg.payload.asks, [[101, 1], [102, 1]]);
    assert.equal(msg.payload.mid, 100.5);
    assert.equal(msg.payload.spread, 1);
    assert.equal(msg.payload.imbalance, (3 - 2) / 5);
  });

  it('order book over websocket: snapshot plus diffs, and closing the flow closes the sockets', async function () {
    mock.setOrderBook('BTC/USDT', [[100, 1], [99, 2]], [[101, 1], [102, 2]]);
    await loadFlow([
      exchange(),
      { id: 'b', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: 2, interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Inbox('out');
    await mock.waitForSubscription('btcusdt@depth@100ms', 5000);
    mock.setOrderBook('BTC/USDT', [[100.5, 3], [100, 1]], [[101, 1], [102, 2]]);
    await waitFor(() => out.messages.some((m) => m.payload.bids[0][0] === 100.5), 5000, 'the updated book');
    const book = out.messages.find((m) => m.payload.bids[0][0] === 100.5).payload;
    assert.deepEqual(book.bids, [[100.5, 3], [100, 1]]);
    assert.equal(book.mid, 100.75);
    assert.equal(mock.requestCount('/api/v3/depth'), 1, 'one REST snapshot, then websocket diffs');
    assert.ok(mock.wsConnectionCount() >= 1);
    await unloadFlow();
    await waitFor(() => mock.wsConnectionCount() === 0, 3000, 'websockets closed on redeploy');
  });

  it('candles: warm-up, then each closed candle once, and a websocket drop loses and repeats nothing', async function () {
    const base = Math.floor(Date.now() / MIN) * MIN; // the candle forming now
    const row = (ts: number, close: number) => [ts, close - 1, close + 2, close - 3, close, 10];
    const history = [];
    for (let i = 30; i >= 0; i--) history.push(row(base - i * MIN, 1000 + (30 - i)));
    mock.setKlines('BTC/USDT', '1m', history);
    await loadFlow([
      exchange(),
      { id: 'c', type: 'tradebot-candles', source: 'exchange', exchange: 'ex', symbols: 'BTC/USDT', timeframe: '1m', warmup: 10, interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const statuses = recordStatuses('c');
    const out = new Inbox('out');
    const warm = await out.take(10);
    assert.deepEqual(warm.map((m) => m.payload.ts), Array.from({ length: 10 }, (_, i) => base - (10 - i) * MIN));
    assert.ok(warm.every((m) => m.warmup === true));
    assert.equal(warm[9].payload.close, 1029);
    await mock.waitForSubscription('btcusdt@kline_1m', 5000);

    // The forming candle closes when the next one starts.
    mock.setNow(base + MIN + 5_000);
    mock.pushKline('BTC/USDT', '1m', row(base, 1030), true);
    mock.pushKline('BTC/USDT', '1m', row(base + MIN, 1031), false);
    const live = (await out.take(11))[10];
    assert.equal(live.payload.ts, base);
    assert.equal(live.payload.close, 1030);
    assert.equal(live.warmup, undefined);

    // Network drop: the websocket dies and stays down while three candles close.
    mock.rejectWebSockets(true);
    mock.dropWebSockets();
    mock.setNow(base + 4 * MIN + 5_000);
    mock.pushKline('BTC/USDT', '1m', row(base + MIN, 1031), true);
    mock.pushKline('BTC/USDT', '1m', row(base + 2 * MIN, 1032), true);
    mock.pushKline('BTC/USDT', '1m', row(base + 3 * MIN, 1033), true);
    mock.pushKline('BTC/USDT', '1m', row(base + 4 * MIN, 1034), false);
    // The exchange node's websocket setting is auto: REST takes over at once, and the status says so.
    await waitFor(() => statuses.some((s) => s.fill === 'yellow' && /websocket down .*polling/.test(s.text ?? '')), 8000, 'a websocket-down status');
    mock.rejectWebSockets(false);
    await mock.waitForSubscription('btcusdt@kline_1m', 10_000);
    mock.setNow(base + 5 * MIN + 5_000);
    mock.pushKline('BTC/USDT', '1m', row(base + 4 * MIN, 1034), true);
    mock.pushKline('BTC/USDT', '1m', row(base + 5 * MIN, 1035), false);
    await out.take(15, 10_000);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for (anything duplicated would arrive now).
    await sleep(500);
    const all = out.messages.map((m) => CandleSchema.parse(m.payload));
    const ts = all.map((c) => c.ts);
    assert.deepEqual(ts, Array.from({ length: 15 }, (_, i) => base + (i - 10) * MIN), 'every candle once, in order');
    assert.deepEqual(all.slice(10).map((c) => c.close), [1030, 1031, 1032, 1033, 1034]);
    assert.ok(out.messages.every((m) => m.gap === undefined), 'no gap reported where none was');
  });

  it('candles: a candle the exchange does not have is reported as a gap, not invented', async function () {
    const base = Math.floor(Date.now() / MIN) * MIN;
    const row = (ts: number, close: number) => [ts, close, close, close, close, 1];
    // base-3m is missing at the exchange.
    mock.setKlines('BTC/USDT', '1m', [row(base - 5 * MIN, 10), row(base - 4 * MIN, 11), row(base - 2 * MIN, 13), row(base - MIN, 14), row(base, 15)]);
    await loadFlow([
      exchange(),
      { id: 'c', type: 'tradebot-candles', source: 'exchange', exchange: 'ex', symbols: 'BTC/USDT', timeframe: '1m', warmup: 1, interval: 100, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Inbox('out');
    const [warm] = await out.take(1);
    assert.equal(warm.payload.ts, base - MIN);
    await mock.waitForSubscription('btcusdt@kline_1m', 5000);
    // Three more candles arrive, with a missing one among them.
    mock.setNow(base + 4 * MIN + 1000);
    mock.pushKline('BTC/USDT', '1m', row(base + MIN, 16), true);
    mock.pushKline('BTC/USDT', '1m', row(base + 3 * MIN, 18), true);
    mock.pushKline('BTC/USDT', '1m', row(base + 4 * MIN, 19), false);
    const msgs = await out.take(4, 8000);
    assert.deepEqual(msgs.map((m) => m.payload.ts), [base - MIN, base, base + MIN, base + 3 * MIN]);
    assert.deepEqual(msgs[3].gap, { from: base + 2 * MIN, to: base + 2 * MIN, missing: 1 });
  });

  it('HTTP 503 and 429: the node backs off, says so, and recovers without crashing', async function () {
    mock.setTicker('BTC/USDT', { bid: 1, ask: 2, last: 1.5 });
    await loadFlow([
      exchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 100, websocket: false, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const statuses = recordStatuses('t');
    const out = new Inbox('out');
    await out.take(1);
    mock.failNext(1, { status: 503 }, '/api/v3/ticker');
    mock.failNext(1, { status: 429, retryAfterSec: 1 }, '/api/v3/ticker');
    const retryStatuses = () => statuses.filter((s) => s.fill === 'yellow' && /^retry/.test(s.text ?? ''));
    await waitFor(() => retryStatuses().length >= 2, 8000, 'two retry statuses');
    const retries = retryStatuses().map((s) => s.text);
    assert.match(retries[0]!, /^retry 1 in 1s: /);
    assert.match(retries[1]!, /^retry 2 in 4s: /, 'rate limit waits twice as long');
    mock.setTicker('BTC/USDT', { bid: 2, ask: 3, last: 2.5 });
    const [, recovered] = await out.take(2, 10_000);
    assert.equal(recovered.payload.last, 2.5);
  });

  it('websocket off on the exchange node: ticker, order book and candles nodes that ask for websockets poll, and no websocket is ever opened', async function () {
    const base = Math.floor(Date.now() / MIN) * MIN;
    mock.setTicker('BTC/USDT', { bid: 64000, ask: 64001, last: 64000.5 });
    mock.setOrderBook('BTC/USDT', [[64000, 1]], [[64001, 1]]);
    mock.setKlines('BTC/USDT', '1m', [0, 1, 2, 3].map((i) => [base - (4 - i) * MIN, 10, 11, 9, 10 + i, 1]));
    await loadFlow([
      exchange({ websocket: 'off' }),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 200, websocket: true, wires: [['out']] },
      { id: 'b', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: 1, interval: 200, websocket: true, wires: [['book']] },
      { id: 'c', type: 'tradebot-candles', source: 'exchange', exchange: 'ex', symbols: 'BTC/USDT', timeframe: '1m', warmup: 2, interval: 1000, websocket: true, wires: [['candles']] },
      { id: 'out', type: 'helper' },
      { id: 'book', type: 'helper' },
      { id: 'candles', type: 'helper' },
    ]);
    const statuses = recordStatuses('t');
    const out = new Inbox('out');
    const book = new Inbox('book');
    const candles = new Inbox('candles');
    await out.take(1, 5000);
    mock.setTicker('BTC/USDT', { bid: 64002, ask: 64003, last: 64002.5 });
    await out.take(2, 5000);
    await book.take(1, 5000);
    await candles.take(2, 5000);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await sleep(500);
    assert.equal(mock.wsConnectionCount(), 0, 'no websocket opened');
    assert.ok(mock.requestCount('/api/v3/ticker/24hr') >= 2, 'the ticker was polled');
    assert.ok(!statuses.some((s) => /websocket/.test(s.text ?? '')), `no websocket status: ${JSON.stringify(statuses)}`);
  });

  it('the exchange unreachable at deploy: the node says so, retries, and trades data once it answers, without a redeploy', async function () {
    mock.setTicker('BTC/USDT', { bid: 1, ask: 2, last: 1.5 });
    mock.offline();
    await loadFlow([
      exchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 100, websocket: false, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const statuses = recordStatuses('t');
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    await waitFor(() => statuses.some((s) => s.fill === 'yellow' && /not reachable, retry 1 in 1s/.test(s.text ?? '')), 8000, 'a retry status');
    mock.online();
    const [first] = await out.take(1, 10_000);
    assert.equal(first.payload.last, 1.5);
    assert.equal(caught.messages.length, 0, 'a passing outage is not an error');
  });

  it('a wrong symbol stops only its node, with a clear error; other nodes on the exchange go on', async function () {
    mock.setTicker('BTC/USDT', { bid: 1, ask: 2, last: 1.5 });
    await loadFlow([
      exchange(),
      { id: 'bad', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTCUSDT/EUR', interval: 100, websocket: false, wires: [['out']] },
      { id: 'good', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 100, websocket: false, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const statuses = recordStatuses('bad');
    const [err] = await new Inbox('caught').take(1);
    assert.match(err.error.message, /symbol "BTCUSDT\/EUR" is not listed on binance/);
    assert.equal(err.error.source.id, 'bad');
    await waitFor(() => statuses.some((s) => s.fill === 'red'), 2000, 'red status');
    const [msg] = await new Inbox('out').take(1);
    assert.equal(msg.payload.symbol, 'BTC/USDT');
  });

  it('a wrong exchange id is a clear error on every node that uses it', async function () {
    await loadFlow([
      exchange({ exchangeId: 'binanse' }),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 100, websocket: false, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const [err] = await new Inbox('caught').take(1);
    assert.match(err.error.message, /exchange "binanse" is not one of ccxt's exchanges/);
    assert.equal(mock.requests.length, 0, 'nothing was sent anywhere');
  });

  it('credentials never show up in statuses, messages or errors', async function () {
    const apiKey = 'AKEY-THAT-MUST-NEVER-LEAK-0123456789';
    const secret = 'SECRET-THAT-MUST-NEVER-LEAK-987654321';
    await loadFlow(
      [
        exchange(),
        { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: `BTC/USDT`, interval: 100, websocket: false, wires: [['out']] },
        { id: 'out', type: 'helper' },
        ...catchAll(),
      ],
      { ex: { apiKey, secret } },
    );
    const statuses = recordStatuses('t');
    mock.setTicker('BTC/USDT', { bid: 1, ask: 2, last: 1.5 });
    await new Inbox('out').take(1);
    const { getNode } = await import('../support/node-red');
    getNode('t').receive({ topic: 'NOPE/USDT' });
    const [err] = await new Inbox('caught').take(1);
    const everything = JSON.stringify({ statuses, err });
    assert.ok(!everything.includes(apiKey) && !everything.includes(secret), 'a credential leaked');
  });
});
