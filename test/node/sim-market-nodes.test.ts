/**
 * The market-data nodes on the simulated market, loaded as real flows into the Node-RED runtime.
 * No network: this is what `npm start` shows a newcomer.
 */
import assert from 'node:assert/strict';
import { CandleSchema, OrderBookSchema, TickerSchema } from '../../core/contract';
import { ccxtLoadCount } from '../../core/market/ccxt-loader';
import { Inbox, getNode, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

/** 600x real time: a simulated minute passes in 100 ms. */
const simExchange = (extra: Record<string, unknown> = {}): FlowNode => ({
  id: 'ex',
  type: 'tradebot-exchange',
  name: 'sim',
  mode: 'sim',
  simSeed: 7,
  simSpeed: 600,
  simTickMs: 1000,
  ...extra,
});

const catchAll = (): FlowNode[] => [
  { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

describe('market-data nodes on the simulated market', function () {
  afterEach(unloadFlow);

  it('ticker: valid tickers for every symbol, each one a change, status shows the price', async function () {
    const ccxtLoadsBefore = ccxtLoadCount();
    await loadFlow([
      simExchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT, ETH/USDT', interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const statuses = recordStatuses('t');
    const msgs = await new Inbox('out').take(40);
    const seen = new Set<string>();
    const last = new Map<string, string>();
    for (const msg of msgs) {
      const ticker = TickerSchema.parse(msg.payload);
      assert.equal(msg.topic, ticker.symbol);
      assert.equal(ticker.exchange, 'sim');
      assert.ok(ticker.bid! < ticker.ask!, 'bid below ask');
      const key = `${ticker.bid}|${ticker.ask}|${ticker.last}`;
      assert.notEqual(last.get(ticker.symbol), key, 'an unchanged ticker was sent again');
      last.set(ticker.symbol, key);
      seen.add(ticker.symbol);
    }
    assert.deepEqual([...seen].sort(), ['BTC/USDT', 'ETH/USDT']);
    await waitFor(() => statuses.some((s) => s.fill === 'green' && /USDT \d/.test(s.text ?? '')), 3000, 'a price in the status');
    assert.equal(ccxtLoadCount() - ccxtLoadsBefore, 0, 'a sim-only flow must not load ccxt');
  });

  it('ticker: an input message asks for one symbol now; an unknown one ends in done(err) for Catch', async function () {
    await loadFlow([
      simExchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    getNode('t').receive({ topic: 'ETH/USDT', ref: 'asked' });
    await waitFor(() => out.messages.some((m) => m.ref === 'asked'), 3000, 'the requested ticker');
    const asked = out.messages.find((m) => m.ref === 'asked');
    assert.equal(asked.payload.symbol, 'ETH/USDT');

    getNode('t').receive({ topic: 'DOGE/EUR' });
    const [err] = await caught.take(1, 3000);
    assert.match(err.error.message, /DOGE\/EUR.*not listed on sim/);
    getNode('t').receive({ topic: 'not a symbol' });
    const errs = await caught.take(2, 3000);
    assert.match(errs[1].error.message, /msg\.topic: must look like BASE\/QUOTE/);
  });

  it('ticker: a symbol the market does not list turns the status red and reaches a Catch node', async function () {
    await loadFlow([
      simExchange(),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/EUR', interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const statuses = recordStatuses('t');
    const [err] = await new Inbox('caught').take(1, 3000);
    assert.match(err.error.message, /symbol "BTC\/EUR" is not listed on sim/);
    await waitFor(() => statuses.some((s) => s.fill === 'red' && /BTC\/EUR/.test(s.text ?? '')), 2000, 'red status');
  });

  it('order book: depth levels, sorted sides, mid, spread and imbalance that match the levels', async function () {
    await loadFlow([
      simExchange(),
      { id: 'b', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: 5, interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const msgs = await new Inbox('out').take(5);
    for (const msg of msgs) {
      const book = OrderBookSchema.parse(msg.payload);
      assert.equal(book.bids.length, 5);
      assert.equal(book.asks.length, 5);
      for (let i = 1; i < 5; i++) {
        assert.ok(book.bids[i]![0] < book.bids[i - 1]![0], 'bids descending');
        assert.ok(book.asks[i]![0] > book.asks[i - 1]![0], 'asks ascending');
      }
      assert.ok(book.bids[0]![0] < book.asks[0]![0]);
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b);
      assert.ok(close(book.mid!, (book.bids[0]![0] + book.asks[0]![0]) / 2), 'mid is halfway between the best prices');
      assert.ok(close(book.spread!, book.asks[0]![0] - book.bids[0]![0]), 'spread is best ask - best bid');
      const bidVol = book.bids.reduce((s, l) => s + l[1], 0);
      const askVol = book.asks.reduce((s, l) => s + l[1], 0);
      assert.ok(Math.abs(book.imbalance! - (bidVol - askVol) / (bidVol + askVol)) < 1e-12);
    }
  });

  it('candles: warm-up marked, then each closed candle once, in order, one timeframe apart', async function () {
    await loadFlow([
      simExchange(),
      { id: 'c', type: 'tradebot-candles', source: 'exchange', exchange: 'ex', symbols: 'BTC/USDT', timeframe: '1m', warmup: 20, interval: 1000, websocket: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const msgs = await new Inbox('out').take(26, 10_000);
    const warm = msgs.filter((m) => m.warmup === true);
    assert.equal(warm.length, 20, 'exactly the warm-up asked for');
    assert.ok(msgs.slice(0, 20).every((m) => m.warmup === true), 'warm-up comes first');
    assert.ok(msgs.slice(20).every((m) => m.warmup === undefined), 'live candles are not marked warm-up');
    for (let i = 0; i < msgs.length; i++) {
      const c = CandleSchema.parse(msgs[i].payload);
      assert.equal(c.timeframe, '1m');
      assert.equal(c.ts % 60_000, 0, 'open time aligned to the minute');
      if (i > 0) assert.equal(c.ts - msgs[i - 1].payload.ts, 60_000, `candle ${i} follows the one before`);
    }
  });

  it('candles from ticks: built from ticker messages, an out-of-order tick is rejected via done(err)', async function () {
    await loadFlow([
      { id: 'c', type: 'tradebot-candles', source: 'ticks', timeframe: '1m', wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const node = getNode('c');
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const tick = (ts: number, last: number, baseVolume: number) => ({
      topic: 'BTC/USDT',
      payload: { kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts, bid: last - 1, ask: last + 1, last, baseVolume },
    });
    node.receive(tick(t0 + 1_000, 100, 10));
    node.receive(tick(t0 + 20_000, 105, 12));
    node.receive(tick(t0 + 40_000, 95, 15));
    node.receive(tick(t0 + 59_000, 101, 16));
    node.receive(tick(t0 + 61_000, 102, 17)); // closes the 12:00 candle
    const [first] = await out.take(1, 2000);
    assert.deepEqual(
      { ts: first.payload.ts, open: first.payload.open, high: first.payload.high, low: first.payload.low, close: first.payload.close, volume: first.payload.volume },
      { ts: t0, open: 100, high: 105, low: 95, close: 101, volume: 6 },
    );
    node.receive(tick(t0 + 30_000, 99, 18)); // older than the forming 12:01 candle
    const [late] = await caught.take(1, 2000);
    assert.match(late.error.message, /older than the candle being built/);
    node.receive(tick(t0 + 3 * 60_000 + 5_000, 103, 19)); // 12:02 had no ticks: gap, not invented
    const [second] = await out.take(2, 2000).then((m) => m.slice(1));
    assert.equal(second.payload.ts, t0 + 60_000);
    node.receive(tick(t0 + 4 * 60_000 + 5_000, 104, 20));
    const third = (await out.take(3, 2000))[2];
    assert.equal(third.payload.ts, t0 + 3 * 60_000);
    assert.deepEqual(third.gap, { from: t0 + 2 * 60_000, to: t0 + 2 * 60_000, missing: 1 });
    node.receive({ payload: { kind: 'ticker', symbol: 'BTC/USDT', ts: t0, bid: 1, ask: 2, last: -5, exchange: 'sim' } });
    const bad = (await caught.take(2, 2000))[1];
    assert.match(bad.error.message, /msg\.payload\.last/);
  });

  it('exchange config: live mode without keys and opt-in is refused, and the nodes say why', async function () {
    await loadFlow([
      simExchange({ mode: 'live', exchangeId: 'binance' }),
      { id: 't', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 1000, wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const [err] = await new Inbox('caught').take(1, 3000);
    assert.match(err.error.message, /credentials: live mode needs an API key and secret/);
    assert.match(err.error.message, /liveOptIn/);
  });

  it('exchange config: the editor gets ccxt\'s exchange list from an admin endpoint', async function () {
    await loadFlow([simExchange()]);
    const { helper } = await import('../support/node-red');
    const res = await helper.request().get('/tradebot/exchanges').expect(200);
    const binance = res.body.find((e: any) => e.id === 'binance');
    assert.deepEqual(binance, { id: 'binance', websocket: true });
    assert.ok(res.body.length > 80, `ccxt lists over 80 exchanges, got ${res.body.length}`);
  });

  it('exchange config: the dialog gets an exchange\'s capability profile and its addresses under the API URL; an unknown id is a 400 naming it', async function () {
    await loadFlow([simExchange()]);
    const { helper } = await import('../support/node-red');
    const res = await helper.request().get('/tradebot/exchange-profile').query({ id: 'bitfinex', websocket: 'auto', baseUrl: 'http://127.0.0.1:9' }).expect(200);
    assert.equal(res.body.profile.clientOrderId.field, 'cid');
    assert.equal(res.body.profile.lookup, 'scan');
    assert.equal(res.body.profile.stops, 'bot-watched');
    assert.equal(res.body.profile.transports.ticker, 'websocket');
    const privateWs = res.body.urls.find((u: any) => u.key === 'ws.private');
    assert.equal(privateWs.to, 'ws://127.0.0.1:9/api.bitfinex.com/ws/2');
    const off = await helper.request().get('/tradebot/exchange-profile').query({ id: 'bitfinex', websocket: 'off' }).expect(200);
    assert.equal(off.body.profile.transports.ticker, 'polling');
    assert.deepEqual(off.body.urls, [], 'no API URL, no address list');
    const luno = await helper.request().get('/tradebot/exchange-profile').query({ id: 'luno' }).expect(200);
    assert.match(luno.body.profile.liveRefusal, /quote currency to spend/);
    const bad = await helper.request().get('/tradebot/exchange-profile').query({ id: 'binanse' }).expect(400);
    assert.match(bad.body.error, /exchange "binanse" is not one of ccxt's exchanges/);
  });
});
