/**
 * Indicator and strategy nodes in the real Node-RED runtime. Expected values and signals are
 * computed in the test, independently of core/ and nodes/, from the textbook indicators and the documented
 * signal rules (docs/nodes/tradebot-strategy.md).
 */
import assert from 'node:assert/strict';
import { loadCandles, skipWithoutOhlcv, type Candle as Row } from '../support/ohlcv-data';
import * as tb from '../support/textbook-indicators';
import { Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

const TF = '5m';
const toPayload = (c: Row) => ({ kind: 'candle', exchange: 'test', symbol: 'ETH/BTC', timeframe: TF, ...c });
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(b), 1e-12);

const catchAll = (): FlowNode[] => [
  { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

/** Feeds candles as the candles node would (msg.warmup on the first `warmup`). */
function feed(nodeId: string, candles: readonly Row[], warmup = 0, extra: (i: number) => Record<string, unknown> = () => ({})): void {
  const node = getNode(nodeId);
  candles.forEach((c, i) => node.receive({ topic: 'ETH/BTC', payload: toPayload(c), ...(i < warmup ? { warmup: true } : {}), ...extra(i) }));
}

type Side = 'buy' | 'sell';
type Expected = Array<{ candleTs: number; side: Side }>;
const at = (candleTs: number, side: Side): Expected => [{ candleTs, side }];

/** The documented comparison: within 1e-9 of max(|a|, |b|, scale) is equal (rounding noise never crosses). */
function cmp(a: number, b: number, scale: number): number {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), scale) ? 0 : Math.sign(a - b);
}

/** scale: the price for averages and MACD, 100 for oscillators. */
function crossesOf(a: Array<number | null>, b: Array<number | null>, i: number, scale: number): 'above' | 'below' | undefined {
  const [pa, pb, ca, cb] = [a[i - 1], b[i - 1], a[i], b[i]];
  if (pa == null || pb == null || ca == null || cb == null) return undefined;
  if (cmp(pa, pb, scale) <= 0 && cmp(ca, cb, scale) > 0) return 'above';
  if (cmp(pa, pb, scale) >= 0 && cmp(ca, cb, scale) < 0) return 'below';
  return undefined;
}

/** The documented rules, applied to textbook indicator series. */
const expectedSignals: Record<string, (c: readonly Row[]) => Expected> = {
  maCross: (c) => {
    const f = tb.ema(c, { period: 9 });
    const s = tb.ema(c, { period: 21 });
    return c.flatMap((x, i): Expected => {
      const k = crossesOf(f, s, i, x.close);
      return k ? at(x.ts, k === 'above' ? 'buy' : 'sell') : [];
    });
  },
  rsi: (c) => {
    const r = tb.rsi(c, { period: 14 });
    return c.flatMap((x, i): Expected => {
      const [p, n] = [r[i - 1], r[i]];
      if (p == null || n == null) return [];
      if (p < 30 && n >= 30) return at(x.ts, 'buy');
      if (p > 70 && n <= 70) return at(x.ts, 'sell');
      return [];
    });
  },
  bollingerStochRsi: (c) => {
    const bb = tb.bollinger(c, { period: 20, stdDev: 2 });
    const st = tb.stochrsi(c, { rsiPeriod: 14, stochPeriod: 14, kPeriod: 3, dPeriod: 3 });
    const k = st.map((v) => v && v.k);
    const d = st.map((v) => v && v.d);
    return c.flatMap((x, i): Expected => {
      const band = bb[i];
      const cross = crossesOf(k, d, i, 100);
      if (!band || !cross) return [];
      if (x.close <= band.lower && cross === 'above' && k[i]! < 20) return at(x.ts, 'buy');
      if (x.close >= band.upper && cross === 'below' && k[i]! > 80) return at(x.ts, 'sell');
      return [];
    });
  },
  macdCross: (c) => {
    const m = tb.macd(c, { fast: 12, slow: 26, signal: 9 });
    const macd = m.map((v) => v && v.macd);
    const signal = m.map((v) => v && v.signal);
    return c.flatMap((x, i): Expected => {
      const k = crossesOf(macd, signal, i, x.close);
      return k ? at(x.ts, k === 'above' ? 'buy' : 'sell') : [];
    });
  },
  fvg: (c) =>
    c.flatMap((x, i): Expected => {
      if (i < 2) return [];
      const min = (0.1 / 100) * x.close;
      const bull = x.low - c[i - 2]!.high;
      const bear = c[i - 2]!.low - x.high;
      if (bull > 0 && bull >= min) return at(x.ts, 'buy');
      if (bear > 0 && bear >= min) return at(x.ts, 'sell');
      return [];
    }),
};

describe('indicator node', function () {
  afterEach(unloadFlow);

  it('adds textbook-exact values in msg.indicators, says what is still warming up, keeps the candle', async function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', TF).slice(0, 400);
    await loadFlow([
      {
        id: 'ind',
        type: 'tradebot-indicator',
        indicators: [
          { name: 'rsi14', type: 'rsi', period: 14, src: 'close' },
          { name: 'macd', type: 'macd', fast: 12, slow: 26, signal: 9, src: 'close' },
          { name: 'bb', type: 'bollinger', period: 20, stdDev: 2, src: 'close' },
        ],
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Inbox('out');
    feed('ind', candles, 50);
    const msgs = await out.take(candles.length);
    const rsi = tb.rsi(candles, { period: 14 });
    const macd = tb.macd(candles, {});
    for (let i = 0; i < candles.length; i++) {
      const m = msgs[i];
      assert.deepEqual(m.payload, toPayload(candles[i]!), 'the candle stays in msg.payload');
      assert.equal(m.warmup, i < 50 ? true : undefined, 'msg.warmup passes through');
      if (rsi[i] === null) {
        assert.equal(m.indicators.rsi14, null);
        assert.equal(m.indicatorsPending.rsi14, 15 - (i + 1));
      } else assert.ok(close(m.indicators.rsi14, rsi[i]!), `rsi at ${i}`);
      if (macd[i] === null) assert.equal(m.indicators.macd, null);
      else for (const f of ['macd', 'signal', 'histogram'] as const) assert.ok(close(m.indicators.macd[f], macd[i]![f]), `macd.${f} at ${i}`);
      assert.equal(m.indicatorsPending === undefined, i >= 33, `indicatorsPending gone once all are ready (candle ${i + 1})`);
    }
  });

  it('refuses out-of-order, repeated and malformed candles with errors naming the field, state untouched', async function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', TF).slice(0, 30);
    await loadFlow([
      { id: 'ind', type: 'tradebot-indicator', indicators: [{ name: 'sma5', type: 'sma', period: 5, src: 'close' }], wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    const out = new Inbox('out');
    const caught = new Inbox('caught');
    const node = getNode('ind');
    feed('ind', candles.slice(0, 10));
    await out.take(10);
    const bad: Array<[unknown, RegExp]> = [
      [toPayload(candles[9]!), /repeats the last one.*ignored/],
      [toPayload(candles[3]!), /is older than the last one.*ignored/],
      [{ ...toPayload(candles[10]!), close: undefined }, /msg\.payload\.close/],
      [{ ...toPayload(candles[10]!), close: Number.NaN }, /msg\.payload\.close/],
      [{ ...toPayload(candles[10]!), high: '0.1' }, /msg\.payload\.high/],
      [{ ...toPayload(candles[10]!), timeframe: '7x' }, /msg\.payload\.timeframe/],
      ['a string', /msg\.payload/],
    ];
    for (const [payload] of bad) node.receive({ payload });
    const errors = await caught.take(bad.length);
    bad.forEach(([, pattern], i) => assert.match(errors[i].error.message, pattern));
    feed('ind', candles.slice(10, 30));
    const msgs = await out.take(30);
    assert.equal(out.messages.length, 30, 'nothing was sent for the refused messages');
    const sma = tb.sma(candles, { period: 5 });
    msgs.forEach((m, i) => assert.ok(close(m.indicators.sma5, sma[i]!), `sma5 at ${i} as if the bad input never came`));
  });

  it('Supertrend, Ichimoku, pivots and candlestick patterns arrive as the textbook computes them, patterns as 1/0', async function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', TF).slice(0, 700); // 5m: more than two UTC days, so pivots have values
    await loadFlow([
      {
        id: 'ind',
        type: 'tradebot-indicator',
        indicators: [
          { name: 'st', type: 'supertrend', period: 10, multiplier: 3 },
          { name: 'ichi', type: 'ichimoku', conversionPeriod: 9, basePeriod: 26, spanBPeriod: 52, displacement: 26 },
          { name: 'pivots', type: 'pivots', method: 'classic', session: 'day' },
          { name: 'cdl', type: 'patterns' },
        ],
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Inbox('out');
    feed('ind', candles);
    const msgs = await out.take(candles.length);
    const want = {
      st: tb.supertrend(candles, {}),
      ichi: tb.ichimoku(candles, {}),
      pivots: tb.pivots(candles, {}),
      cdl: tb.patterns(candles),
    } as Record<string, Array<Record<string, number> | null>>;
    let patternsSeen = 0;
    for (let i = 0; i < candles.length; i++) {
      for (const [name, series] of Object.entries(want)) {
        const got = msgs[i].indicators[name];
        const exp = series[i];
        if (exp === null || exp === undefined) {
          assert.equal(got, null, `${name} at candle ${i + 1}: still warming up`);
          assert.ok(msgs[i].indicatorsPending[name] >= 1, `${name} pending at candle ${i + 1}`);
          continue;
        }
        assert.deepEqual(Object.keys(got).sort(), Object.keys(exp).sort(), `${name} fields`);
        for (const [f, v] of Object.entries(exp)) assert.ok(close(got[f], v), `${name}.${f} at candle ${i + 1}: ${got[f]} vs ${v}`);
        if (name === 'cdl') patternsSeen += Object.values(got as Record<string, number>).filter((x) => x === 1).length;
      }
    }
    assert.ok(patternsSeen > 0, 'some pattern was seen');
    assert.ok(msgs[candles.length - 1].indicators.pivots !== null, 'pivot points once a UTC day has passed');
  });

  it('a bad parameter of a new indicator is refused at deploy, naming the field', async function () {
    await loadFlow([
      { id: 'ind', type: 'tradebot-indicator', indicators: [{ name: 'sar', type: 'psar', step: 0.5, maxStep: 0.2 }], wires: [['out']] },
      { id: 'out', type: 'helper' },
      ...catchAll(),
    ]);
    getNode('ind').receive({ payload: toPayload({ ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }) });
    const [err] = await new Inbox('caught').take(1);
    assert.match(err.error.message, /indicators\[0\] \(sar\).*\bstep\b: must not be larger than maxStep/);
  });

  it('a reset message starts the series over', async function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', TF).slice(0, 12);
    await loadFlow([
      { id: 'ind', type: 'tradebot-indicator', indicators: [{ name: 'sma5', type: 'sma', period: 5, src: 'close' }], wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const out = new Inbox('out');
    feed('ind', candles.slice(0, 6));
    getNode('ind').receive({ topic: 'reset' });
    feed('ind', candles.slice(0, 6));
    const msgs = await out.take(12);
    assert.deepEqual(msgs.slice(6).map((m) => m.indicators.sma5), msgs.slice(0, 6).map((m) => m.indicators.sma5));
    assert.equal(msgs[6].indicatorsPending.sma5, 4);
  });
});

describe('strategy node', function () {
  this.timeout(60_000);
  afterEach(unloadFlow);

  const strategyNode = (extra: Record<string, unknown>): FlowNode => ({ id: 'st', type: 'tradebot-strategy', wires: [['signals'], ['holds']], ...extra });

  for (const strategy of Object.keys(expectedSignals)) {
    it(`${strategy}: on real candles, exactly the signals the documented rule gives, none during warm-up`, async function () {
      skipWithoutOhlcv(this);
      const candles = loadCandles('ETH_BTC', TF);
      const warmup = 100;
      // Holds on output 2: every candle gives a signal or a hold, so the test knows when all are handled.
      await loadFlow([strategyNode({ strategy, emitHolds: true }), { id: 'signals', type: 'helper' }, { id: 'holds', type: 'helper' }]);
      const out = new Inbox('signals');
      const holds = new Inbox('holds');
      const expected = expectedSignals[strategy]!(candles).filter((s) => s.candleTs >= candles[warmup]!.ts);
      assert.ok(expected.length >= 3, `the data should exercise ${strategy} (expected ${expected.length} signals)`);
      feed('st', candles, warmup);
      await waitFor(() => out.messages.length + holds.messages.length >= candles.length, 20_000, `${candles.length} candles handled`);
      const msgs = out.messages;
      assert.equal(out.messages.length, expected.length, 'no extra signals');
      assert.deepEqual(msgs.map((m) => ({ candleTs: m.payload.candleTs, side: m.payload.side })), expected);
      const tfMs = 5 * 60_000;
      for (const m of msgs) {
        const s = m.payload;
        assert.equal(m.topic, 'ETH/BTC');
        assert.equal(s.kind, 'signal');
        assert.equal(s.ts, s.candleTs + tfMs, 'signal time is the candle close');
        assert.equal(s.price, candles.find((c) => c.ts === s.candleTs)!.close);
        assert.ok(s.strength >= 0 && s.strength <= 1);
        assert.ok(s.reason.length > 10, 'a reason a person can read');
        assert.match(s.id, /^sig-[0-9a-f]{24}$/);
      }
      assert.equal(new Set(msgs.map((m) => m.payload.id)).size, msgs.length, 'ids are unique');
    });
  }

  it('signal ids are deterministic: a replay after reset gives the same ids', async function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('ETH_BTC', TF).slice(0, 1500);
    await loadFlow([strategyNode({ strategy: 'maCross', name: 'my cross', emitHolds: true }), { id: 'signals', type: 'helper' }, { id: 'holds', type: 'helper' }]);
    const out = new Inbox('signals');
    const holds = new Inbox('holds');
    feed('st', candles);
    await waitFor(() => out.messages.length + holds.messages.length >= candles.length, 10_000, `${candles.length} candles handled`);
    const first = out.messages.map((m) => m.payload.id);
    assert.ok(first.length > 5);
    getNode('st').receive({ topic: 'reset' });
    feed('st', candles);
    const all = await out.take(first.length * 2);
    assert.deepEqual(all.slice(first.length).map((m) => m.payload.id), first);
    assert.equal(all[0].payload.strategy, 'my cross');
  });

  it('maCross on a crafted series: a signal at each cross (touching then parting counts), holds on output 2', async function () {
    const closes = [10, 10, 10, 10, 9, 9, 12, 13, 13, 12, 8, 8];
    const candles = closes.map((c, i) => ({ ts: i * 300_000, open: c, high: c + 0.5, low: c - 0.5, close: c, volume: 1 }));
    await loadFlow([
      strategyNode({ strategy: 'maCross', maType: 'sma', fastPeriod: 2, slowPeriod: 3, emitHolds: true }),
      { id: 'signals', type: 'helper' },
      { id: 'holds', type: 'helper' },
    ]);
    const signals = new Inbox('signals');
    const holds = new Inbox('holds');
    feed('st', candles);
    await holds.take(closes.length - 3);
    // SMA2 vs SMA3: equal at candle 3 (10 = 10), below at 4 (9.5 < 9.67): a cross down;
    // 9 < 9.33 at 5, then 10.5 > 10 at 6: a cross up; 13 > 12.67 at 8, 12.5 < 12.67 at 9: down.
    const f = tb.sma(candles, { period: 2 });
    const s = tb.sma(candles, { period: 3 });
    const want = candles.flatMap((c, i) => {
      const k = crossesOf(f, s, i, c.close);
      return k ? [`${k === 'above' ? 'buy' : 'sell'}@${i}`] : [];
    });
    assert.deepEqual(want, ['sell@4', 'buy@6', 'sell@9']);
    assert.deepEqual(signals.messages.map((m) => `${m.payload.side}@${m.payload.candleTs / 300_000}`), want);
    assert.match(signals.messages[1].payload.reason, /SMA 2 \(10\.5\) crossed above SMA 3 \(10\)/);
    assert.equal(holds.messages[0].payload.kind, 'hold');
  });

  it('rule builder: candles -> indicator -> rules, signals on the edge where the condition turns true', async function () {
    skipWithoutOhlcv(this);
    const candles = loadCandles('LTC_BTC', TF);
    await loadFlow([
      { id: 'ind', type: 'tradebot-indicator', indicators: [{ name: 'rsi14', type: 'rsi', period: 14, src: 'close' }, { name: 'ema50', type: 'ema', period: 50, src: 'close' }], wires: [['st']] },
      strategyNode({
        strategy: 'rules',
        entryMode: 'all',
        entryRules: [{ left: 'rsi14', op: '>', right: '50' }, { left: 'close', op: 'crossesAbove', right: 'ema50' }],
        exitMode: 'any',
        exitRules: [{ left: 'rsi14', op: '>', right: '75' }],
      }),
      { id: 'signals', type: 'helper' },
      { id: 'holds', type: 'helper' },
    ]);
    const out = new Inbox('signals');
    feed('ind', candles);
    const rsi = tb.rsi(candles, { period: 14 });
    const ema = tb.ema(candles, { period: 50 });
    const closes = candles.map((x) => x.close);
    const expected: string[] = [];
    let entryWas = false;
    let exitWas = false;
    candles.forEach((c, i) => {
      const entry = rsi[i] != null && rsi[i]! > 50 && crossesOf(closes, ema, i, c.close) === 'above';
      const exit = rsi[i] != null && rsi[i]! > 75;
      if (entry && !entryWas && !(exit && !exitWas)) expected.push(`buy@${c.ts}`);
      else if (exit && !exitWas && !(entry && !entryWas)) expected.push(`sell@${c.ts}`);
      entryWas = entry;
      exitWas = exit;
    });
    assert.ok(expected.length > 4, `data exercises the rules (${expected.length})`);
    const msgs = await out.take(expected.length, 20_000);
    assert.deepEqual(msgs.map((m) => `${m.payload.side}@${m.payload.candleTs}`), expected);
    assert.ok(msgs.some((m) => m.payload.side === 'sell'), 'exits too');
    assert.match(msgs.find((m) => m.payload.side === 'buy').payload.reason, /^entry: rsi14 \([\d.]+\) > 50 and close \([\d.e-]+\) crossed above ema50 \([\d.e-]+\)$/);
  });

  it('rule builder: an operand that is not in msg.indicators is an error naming the rule', async function () {
    await loadFlow([
      strategyNode({ strategy: 'rules', entryRules: [{ left: 'rsi14', op: '<', right: '30' }], exitRules: [] }),
      { id: 'signals', type: 'helper' },
      { id: 'holds', type: 'helper' },
      ...catchAll(),
    ]);
    getNode('st').receive({ payload: toPayload({ ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }), indicators: { ema20: 1 } });
    const [err] = await new Inbox('caught').take(1);
    assert.match(err.error.message, /entryRules\[0\]\.left: "rsi14" is not in msg\.indicators \(it has ema20\)/);
  });

  it('decision maker: majority of three within the window, once per candle and side', async function () {
    await loadFlow([
      strategyNode({ strategy: 'decision', name: 'committee', policy: 'majority', members: [{ strategy: 'a', weight: 1 }, { strategy: 'b', weight: 1 }, { strategy: 'c', weight: 1 }], windowSeconds: 60 }),
      { id: 'signals', type: 'helper' },
      { id: 'holds', type: 'helper' },
    ]);
    const out = new Inbox('signals');
    const signal = (strategy: string, side: 'buy' | 'sell', ts: number) => ({
      topic: 'BTC/USDT',
      payload: { kind: 'signal', id: `x-${strategy}-${ts}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side, price: 100, ts, candleTs: ts - 60_000, strategy, strength: 0.6, reason: 'r' },
    });
    const node = getNode('st');
    node.receive(signal('a', 'buy', 120_000));
    node.receive(signal('b', 'sell', 120_000));
    node.receive(signal('c', 'buy', 120_000)); // 2 of 3 buy -> decision
    node.receive(signal('b', 'buy', 120_000)); // same candle and side: no second decision
    node.receive(signal('a', 'sell', 400_000)); // b's and c's signals are outside the 60 s window
    node.receive(signal('b', 'sell', 420_000)); // 2 of 3 sell within the window -> decision
    const msgs = await out.take(2);
    // A fixed wait on purpose: no third decision must come, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(out.messages.length, 2);
    assert.deepEqual(msgs.map((m) => [m.payload.side, m.payload.candleTs, m.payload.strategy]), [['buy', 60_000, 'committee'], ['sell', 360_000, 'committee']]);
    assert.match(msgs[0].payload.reason, /majority: 2 of 3 strategies say buy \(a, c\)/);
    assert.ok(Math.abs(msgs[0].payload.strength - 0.4) < 1e-12, 'strength = weighted mean over all members');
  });

  it('refuses bad settings at deploy with the field named', async function () {
    await loadFlow([
      strategyNode({ strategy: 'maCross', fastPeriod: 30, slowPeriod: 20 }),
      { id: 'signals', type: 'helper' },
      { id: 'holds', type: 'helper' },
      ...catchAll(),
    ]);
    getNode('st').receive({ payload: toPayload({ ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }) });
    const [err] = await new Inbox('caught').take(1);
    assert.match(err.error.message, /strategy\.fastPeriod: must be smaller than slowPeriod/);
  });
});
