/**
 * Silent websockets, in the real Node-RED runtime against the mock Binance through a real ccxt: a
 * market-data stream that stays open but stops delivering (the mock keeps the socket, answers pings
 * and sends nothing) is closed and reopened after the silent-stream time; the node's status says
 * so. With the exchange node's websocket setting "auto" REST polling carries the data until the
 * reopened websocket delivers again; with "on" nothing is polled and data resumes on the new connection.
 */
import assert from 'node:assert/strict';
import { MockBinance } from '../support/mock-binance';
import { Inbox, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

describe('silent market-data websockets are reopened (mock Binance)', function () {
  this.timeout(30_000);
  let mock: MockBinance;
  let pusher: NodeJS.Timeout | undefined;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
  });
  afterEach(async function () {
    if (pusher) clearInterval(pusher);
    pusher = undefined;
    await unloadFlow();
    await mock.stop();
  });

  const exchange = (extra: Record<string, unknown> = {}): FlowNode => ({ id: 'ex', type: 'tradebot-exchange', mode: 'paper', exchangeId: 'binance', baseUrl: mock.url, timeoutMs: 2000, ...extra });
  const catchAll = (): FlowNode[] => [
    { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  /** The exchange moves: a new ticker every 100 ms (each a new price, so each is emitted). */
  const tick = () => {
    let last = 64_000;
    pusher = setInterval(() => {
      last += 1;
      mock.setTicker('BTC/USDT', { bid: last - 0.5, ask: last + 0.5, last });
    }, 100);
  };

  it('ticker, websocket auto: default 3 x the interval; polled meanwhile, then back on a new websocket', async function () {
    mock.setTicker('BTC/USDT', { bid: 63_999.5, ask: 64_000.5, last: 64_000 });
    await loadFlow([exchange(), { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 400, websocket: true, wires: [['out']] }, { id: 'out', type: 'helper' }, ...catchAll()]);
    const statuses = recordStatuses('t');
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    await mock.waitForSubscription('btcusdt@ticker', 5000);
    tick();
    await out.take(3, 5000);

    assert.ok(mock.silenceWebSockets() >= 1, 'a socket went silent');
    const silencedAt = Date.now();
    const before = out.messages.length;
    await waitFor(() => statuses.some((s) => s.fill === 'yellow' && /websocket down \(no data for 1\.2s\), polling: BTC\/USDT/.test(s.text ?? '')), 5000, 'the status says the stream fell back to polling');
    const reopenedAfter = Date.now() - silencedAt;
    assert.ok(reopenedAfter >= 1000, `not before the silent time (${reopenedAfter} ms)`);
    await waitFor(() => mock.requestCount('/api/v3/ticker/24hr') >= 1, 3000, 'polled while the websocket is down');
    await waitFor(() => statuses.some((s) => /websocket back: BTC\/USDT/.test(s.text ?? '')), 8000, 'the websocket back');
    await waitFor(() => mock.silentWebSocketCount() === 0, 3000, 'the silent socket closed');
    await waitFor(() => statuses.at(-1)?.fill === 'green', 3000, 'green again');
    const polled = mock.requestCount('/api/v3/ticker/24hr');
    const atBack = out.messages.length;
    await waitFor(() => out.messages.length >= atBack + 3, 5000, 'prices flow on the new websocket');
    assert.ok(out.messages.length >= before + 3);
    const lasts = out.messages.map((m) => m.payload.last);
    assert.ok(lasts.at(-1) > lasts[before - 1], 'newer prices after the reopen');
    assert.equal(mock.requestCount('/api/v3/ticker/24hr'), polled, 'no polling once the websocket is back');
    assert.equal(caught.messages.length, 0, 'no error');
  });

  it('ticker, websocket on: the silent socket is closed, a new one subscribes, nothing is polled', async function () {
    mock.setTicker('BTC/USDT', { bid: 63_999.5, ask: 64_000.5, last: 64_000 });
    await loadFlow([exchange({ websocket: 'on' }), { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 400, websocket: true, wires: [['out']] }, { id: 'out', type: 'helper' }, ...catchAll()]);
    const statuses = recordStatuses('t');
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    await mock.waitForSubscription('btcusdt@ticker', 5000);
    tick();
    await out.take(3, 5000);

    assert.ok(mock.silenceWebSockets() >= 1, 'a socket went silent');
    const before = out.messages.length;
    await waitFor(() => statuses.some((s) => s.fill === 'yellow' && /no data for 1\.2s: reopening the stream/.test(s.text ?? '')), 5000, 'the status says the stream is reopened');
    await waitFor(() => out.messages.length >= before + 3, 5000, 'prices flow again on a new connection');
    await waitFor(() => mock.silentWebSocketCount() === 0, 3000, 'the silent socket closed');
    await waitFor(() => statuses.at(-1)?.fill === 'green', 3000, 'green again');
    assert.equal(mock.requestCount('/api/v3/ticker/24hr'), 0, 'websocket only, no polling');
    assert.equal(caught.messages.length, 0, 'no error');
  });

  it('candles: the exchange node\'s silent-stream time; the reopened stream catches up the candle closed meanwhile, once', async function () {
    const MIN = 60_000;
    const t0 = Math.floor(Date.now() / MIN) * MIN;
    const rows = Array.from({ length: 5 }, (_, i) => [t0 - (5 - i) * MIN, 100, 101, 99, 100 + i, 10]);
    mock.setKlines('BTC/USDT', '1m', rows);
    mock.setNow(t0 + 10_000);
    await loadFlow([
      exchange({ silentStreamSec: 1 }),
      { id: 'c', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 2, interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const statuses = recordStatuses('c');
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    await out.take(2, 5000); // the warm-up
    await mock.waitForSubscription('btcusdt@kline_1m', 5000);
    // The forming candle updates every 100 ms.
    pusher = setInterval(() => mock.pushKline('BTC/USDT', '1m', [t0, 104, 106, 103, 105, 1], false), 100);
    // A fixed wait on purpose: the websocket carries the forming candle a while before it goes silent.
    await new Promise((r) => setTimeout(r, 500));
    mock.silenceWebSockets();
    // Meanwhile the candle closes and the next one forms: nothing reaches the silent socket.
    clearInterval(pusher);
    mock.setNow(t0 + MIN + 5_000);
    mock.pushKline('BTC/USDT', '1m', [t0, 104, 107, 103, 106, 2], true);
    pusher = setInterval(() => mock.pushKline('BTC/USDT', '1m', [t0 + MIN, 106, 106, 106, 106, 0.1], false), 100);
    await waitFor(() => statuses.some((s) => /websocket down \(no data for 1s\), polling/.test(s.text ?? '')), 5000, 'the status says the stream fell back to polling');
    await waitFor(() => out.messages.some((m) => m.payload.ts === t0), 5000, 'the candle closed during the silence');
    const closed = out.messages.filter((m) => m.payload.ts === t0);
    assert.equal(closed.length, 1, 'once');
    assert.equal(closed[0].payload.close, 106);
    assert.equal(caught.messages.length, 0, 'no error');
  });
});
