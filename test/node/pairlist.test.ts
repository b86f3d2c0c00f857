/**
 * The pairlist node on the simulated market, in the real Node-RED runtime: it ranks the
 * simulator's symbols by 24 h quote volume, and the candles, ticker and order book nodes wired to it follow
 * its list (warm-up for a new symbol, the feed of a removed one stopped). Bad filters end in an
 * error naming the field and change nothing.
 */
import assert from 'node:assert/strict';
import { CandleSchema, OrderBookSchema, PairlistSchema } from '../../core/contract';
import { DEFAULT_SIM_SYMBOLS } from '../../core/sim/sim-market';
import { getNode, Inbox, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

/** 600x real time: a simulated minute passes in 100 ms. */
const simExchange = (): FlowNode => ({ id: 'ex', type: 'tradebot-exchange', name: 'sim', mode: 'sim', simSeed: 7, simSpeed: 600, simTickMs: 1000 });
const catchAll = (): FlowNode[] => [
  { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];
const pairlist = (extra: Record<string, unknown> = {}): FlowNode => ({
  id: 'pl',
  type: 'tradebot-pairlist',
  exchange: 'ex',
  quote: 'USDT',
  count: 2,
  minPrice: '',
  minQuoteVolume: '',
  maxSpreadPct: '',
  whitelist: '',
  blacklist: '',
  minAgeDays: 30,
  refresh: 60,
  wires: [['lists', 'candles', 'ticker', 'book']],
  ...extra,
});

describe('pairlist node on the simulated market', function () {
  this.timeout(20_000);
  afterEach(unloadFlow);

  it('ranks the simulator\'s symbols by quote volume; candles, ticker and order book nodes follow the list', async function () {
    await loadFlow([
      simExchange(),
      pairlist(),
      { id: 'lists', type: 'helper' },
      // Configured with SOL/USDT: the pairlist's list (the top 2 USDT markets) replaces it.
      { id: 'candles', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'SOL/USDT', timeframe: '1m', warmup: 5, interval: 1000, websocket: true, wires: [['candleOut']] },
      { id: 'ticker', type: 'tradebot-ticker', exchange: 'ex', symbols: 'SOL/USDT', interval: 1000, websocket: true, wires: [['tickOut']] },
      { id: 'book', type: 'tradebot-order-book', exchange: 'ex', symbols: 'SOL/USDT', depth: 5, interval: 1000, websocket: true, wires: [['bookOut']] },
      { id: 'candleOut', type: 'helper' },
      { id: 'tickOut', type: 'helper' },
      { id: 'bookOut', type: 'helper' },
      ...catchAll(),
    ]);
    const caught = new Inbox('caught');
    const candles = new Inbox('candleOut');
    const ticks = new Inbox('tickOut');
    const books = new Inbox('bookOut');
    const [first] = await new Inbox('lists').take(1);
    const list = PairlistSchema.parse(first.payload);

    // What a user checks: only USDT markets, best volume first, the rest out for a reason.
    const usdt = DEFAULT_SIM_SYMBOLS.filter((s) => s.symbol.endsWith('/USDT')).map((s) => s.symbol);
    assert.equal(list.symbols.length, 2);
    assert.ok(list.symbols.every((s) => usdt.includes(s)), `only USDT markets: ${list.symbols}`);
    assert.deepEqual(list.symbols, list.pairs!.map((p) => p.symbol));
    assert.ok(list.pairs![0]!.quoteVolume >= list.pairs![1]!.quoteVolume, 'best volume first');
    const third = usdt.find((s) => !list.symbols.includes(s))!;
    assert.equal(first.excluded[third], 'rank');
    assert.equal(first.excluded['ETH/BTC'], 'quote');
    assert.deepEqual(list.added, list.symbols);

    // Each new symbol gets its warm-up; the configured SOL/USDT (not on the list) stops.
    await waitFor(() => list.symbols.every((s) => candles.messages.filter((m) => m.topic === s && m.warmup).length === 5), 10_000, 'a warm-up of 5 candles per listed symbol');
    const solBefore = candles.messages.filter((m) => m.topic === third).length;
    const tickSolBefore = ticks.messages.filter((m) => m.topic === third).length;
    const bookSolBefore = books.messages.filter((m) => m.topic === third).length;
    await waitFor(() => list.symbols.every((s) => candles.messages.filter((m) => m.topic === s && !m.warmup).length >= 5), 10_000, 'live candles of the listed symbols');
    await waitFor(() => list.symbols.every((s) => ticks.messages.some((m) => m.topic === s)), 10_000, 'tickers of the listed symbols');
    await waitFor(() => list.symbols.every((s) => books.messages.some((m) => m.topic === s)), 10_000, 'order books of the listed symbols');
    assert.equal(candles.messages.filter((m) => m.topic === third).length, solBefore, `no candle of ${third} after it left the list`);
    assert.equal(ticks.messages.filter((m) => m.topic === third).length, tickSolBefore, `no ticker of ${third} after it left the list`);
    assert.equal(books.messages.filter((m) => m.topic === third).length, bookSolBefore, `no order book of ${third} after it left the list`);
    for (const m of books.messages) OrderBookSchema.parse(m.payload);
    for (const m of candles.messages) CandleSchema.parse(m.payload);
    // Per listed symbol, live candles follow the warm-up in order, each once.
    for (const s of list.symbols) {
      const ts = candles.messages.filter((m) => m.topic === s).map((m) => m.payload.ts);
      assert.deepEqual(ts, [...ts].sort((a, b) => a - b), `${s} candles in order`);
      assert.equal(new Set(ts).size, ts.length, `${s} candles each once`);
    }
    assert.equal(caught.messages.length, 0, caught.messages.map((m) => m.error?.message).join('; '));
  });

  it('a message changes the filters: a blacklisted symbol leaves, the followers stop it and warm up the next', async function () {
    await loadFlow([
      simExchange(),
      pairlist({ wires: [['lists', 'candles']] }),
      { id: 'lists', type: 'helper' },
      { id: 'candles', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 3, interval: 1000, websocket: true, wires: [['candleOut']] },
      { id: 'candleOut', type: 'helper' },
      ...catchAll(),
    ]);
    const lists = new Inbox('lists');
    const candles = new Inbox('candleOut');
    const [first] = await lists.take(1);
    const [top, second] = first.payload.symbols as string[];
    await waitFor(() => candles.messages.some((m) => m.topic === second && !m.warmup), 10_000, 'live candles of the second symbol');

    getNode('pl').receive({ payload: { blacklist: top } });
    const [, next] = await lists.take(2);
    assert.equal(next.payload.symbols[0], second);
    assert.ok(!next.payload.symbols.includes(top));
    assert.deepEqual(next.payload.removed, [top]);
    assert.equal(next.excluded[top], 'blacklist');
    const added = next.payload.added[0];
    await waitFor(() => candles.messages.filter((m) => m.topic === added && m.warmup).length === 3, 10_000, `the warm-up of ${added}`);
    const topCount = candles.messages.filter((m) => m.topic === top).length;
    const secondWarmups = candles.messages.filter((m) => m.topic === second && m.warmup).length;
    await waitFor(() => candles.messages.filter((m) => m.topic === added && !m.warmup).length >= 3, 10_000, `live candles of ${added}`);
    assert.equal(candles.messages.filter((m) => m.topic === top).length, topCount, `${top} stopped`);
    assert.equal(candles.messages.filter((m) => m.topic === second && m.warmup).length, secondWarmups, `${second} stayed: no second warm-up`);
  });

  it('a filter of NaN is refused naming the field: no list sent, the followers keep theirs', async function () {
    await loadFlow([
      simExchange(),
      pairlist({ wires: [['lists', 'candles']] }),
      { id: 'lists', type: 'helper' },
      { id: 'candles', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 0, interval: 1000, websocket: true, wires: [['candleOut']] },
      { id: 'candleOut', type: 'helper' },
      ...catchAll(),
    ]);
    const caught = new Inbox('caught');
    const lists = new Inbox('lists');
    await lists.take(1);
    getNode('pl').receive({ payload: { minPrice: Number.NaN } });
    const [err] = await caught.take(1);
    assert.match(err.error.message, /msg\.payload\.minPrice: must be a finite number, got NaN/);
    getNode('pl').receive({ payload: { minQuoteVolume: 'lots' } });
    const [, err2] = await caught.take(2);
    assert.match(err2.error.message, /msg\.payload\.minQuoteVolume: must be a number/);
    getNode('pl').receive({ payload: { minVolume: 5 } });
    const [, , err3] = await caught.take(3);
    assert.match(err3.error.message, /msg\.payload\.minVolume: not a pairlist filter/);
    assert.equal(lists.messages.length, 1, 'no list sent for bad filters');

    // The filters are as before: a plain refresh gives the same list.
    getNode('pl').receive({ payload: Date.now() });
    const [a, b] = await lists.take(2);
    assert.deepEqual(b.payload.symbols, a.payload.symbols);

    // A symbol list a follower cannot follow: refused naming the field, its feeds unchanged.
    const candleStatuses = recordStatuses('candles');
    getNode('candles').receive({ payload: { kind: 'pairlist', symbols: ['BTC/USDT', 'DOGE/EUR'] } });
    const [, , , err4] = await caught.take(4);
    assert.match(err4.error.message, /msg\.payload\.symbols\.1: symbol "DOGE\/EUR" is not listed/);
    getNode('candles').receive({ payload: { kind: 'pairlist', symbols: [] } });
    const [, , , , err5] = await caught.take(5);
    assert.match(err5.error.message, /msg\.payload\.symbols: is empty/);
    assert.ok(!candleStatuses.some((s) => /DOGE/.test(s.text ?? '')));
  });

  it('a bad setting leaves the node red, naming the field', async function () {
    await loadFlow([simExchange(), pairlist({ minQuoteVolume: 'NaN', wires: [['lists']] }), { id: 'lists', type: 'helper' }, ...catchAll()]);
    const [err] = await new Inbox('caught').take(1);
    assert.match(err.error.message, /minQuoteVolume: must be a number from 0/);
  });
});
