import assert from 'node:assert/strict';
import { CandleSchema, OrderBookSchema, TickerSchema, type Candle, type OhlcvRow } from '../../core/contract';
import { DEFAULT_SIM_SYMBOLS, SimMarket, type SimMarketOptions } from '../../core/sim/sim-market';
import { candleOpenTime, timeframeToMs } from '../../core/timeframe';

const START = Date.UTC(2024, 0, 1, 0, 0, 0) + 123; // deliberately not aligned to anything
const DAY = 86_400_000;
const TIMEFRAMES = ['1s', '5s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d', '3d', '1w', '1M'];

function market(opts: Partial<SimMarketOptions> = {}): SimMarket {
  return new SimMarket({ seed: 42, startTime: START, ...opts });
}

function toCandle(m: SimMarket, symbol: string, timeframe: string, row: OhlcvRow): Candle {
  const [ts, open, high, low, close, volume] = row;
  return CandleSchema.parse({ kind: 'candle', exchange: m.exchangeId, symbol, timeframe, ts, open, high, low, close, volume });
}

/** Everything observable at this instant, for bit-for-bit comparisons. */
function snapshot(m: SimMarket): unknown {
  return m.symbols().map((s) => [m.ticker(s), m.orderBook(s, 5), m.formingCandle(s, '1m'), m.regime(s)]);
}

function checkRows(m: SimMarket, symbol: string, timeframe: string, rows: OhlcvRow[]): void {
  const tfMs = timeframeToMs(timeframe);
  for (let i = 0; i < rows.length; i++) {
    const [ts, open, high, low, close, volume] = rows[i]!;
    const where = `${symbol} ${timeframe} #${i} ${JSON.stringify(rows[i])}`;
    assert.equal(ts % tfMs, 0, `${where}: ts not aligned`);
    if (i > 0) assert.equal(ts, rows[i - 1]![0] + tfMs, `${where}: not contiguous ascending`);
    for (const p of [open, high, low, close]) assert.ok(Number.isFinite(p) && p > 0, `${where}: bad price`);
    assert.ok(high >= Math.max(open, close), `${where}: high`);
    assert.ok(low <= Math.min(open, close), `${where}: low`);
    assert.ok(Number.isFinite(volume) && volume >= 0, `${where}: volume`);
    toCandle(m, symbol, timeframe, rows[i]!);
  }
}

describe('SimMarket', () => {
  describe('determinism', () => {
    it('same seed => identical tickers, books and candles over 10k steps; another seed differs', () => {
      const a = market({ seed: 7 });
      const b = market({ seed: 7 });
      const c = market({ seed: 8 });
      assert.deepEqual(snapshot(a), snapshot(b));
      assert.deepEqual(a.history('BTC/USDT', '1h', 500), b.history('BTC/USDT', '1h', 500));
      let differs = 0;
      for (let i = 1; i <= 10_000; i++) {
        a.step();
        b.step();
        c.step();
        if (i % 250 === 0) {
          assert.deepEqual(snapshot(a), snapshot(b), `step ${i}`);
          if (JSON.stringify(a.ticker('BTC/USDT')) !== JSON.stringify(c.ticker('BTC/USDT'))) differs++;
        }
      }
      for (const s of a.symbols()) {
        for (const tf of ['1s', '1m', '15m', '1h', '1d']) {
          assert.deepEqual(a.history(s, tf, 1000), b.history(s, tf, 1000), `${s} ${tf}`);
          assert.deepEqual(a.formingCandle(s, tf), b.formingCandle(s, tf));
        }
      }
      assert.ok(differs >= 39, `seed 8 should give another series (${differs}/40 differ)`);
      assert.notDeepEqual(a.history('ETH/USDT', '1h', 100), c.history('ETH/USDT', '1h', 100));
    });

    it('reading data does not change the series, and a symbol does not depend on the others', () => {
      const a = market({ seed: 3 });
      const b = market({ seed: 3, symbols: [DEFAULT_SIM_SYMBOLS[0]!] });
      for (let i = 0; i < 3000; i++) {
        a.step();
        b.step();
        if (i % 7 === 0) {
          a.orderBook('BTC/USDT', 50);
          a.history('BTC/USDT', '5m', 100);
          a.ticker('SOL/USDT');
        }
      }
      assert.deepEqual(a.ticker('BTC/USDT'), b.ticker('BTC/USDT'));
      assert.deepEqual(a.history('BTC/USDT', '1m', 300), b.history('BTC/USDT', '1m', 300));
    });

    it('order book is the same for the same state', () => {
      const m = market();
      m.advanceTo(START + 3_600_000);
      assert.deepEqual(m.orderBook('ETH/USDT', 20), m.orderBook('ETH/USDT', 20));
    });
  });

  describe('sanity', () => {
    const m = market();
    before(() => m.advanceTo(START + 2 * 3_600_000 + 777));

    it('tickers parse, bid < last-ish < ask, volume is a rolling day', () => {
      for (const s of m.symbols()) {
        const t = TickerSchema.parse(m.ticker(s));
        assert.equal(t.ts, m.now());
        assert.ok(t.bid !== null && t.ask !== null && t.bid < t.ask, JSON.stringify(t));
        assert.ok(t.bid <= t.last && t.last <= t.ask, JSON.stringify(t));
        const spec = DEFAULT_SIM_SYMBOLS.find((d) => d.symbol === s)!;
        assert.ok(t.baseVolume! > spec.dailyVolume! * 0.2 && t.baseVolume! < spec.dailyVolume! * 5, `${s} 24h volume ${t.baseVolume}`);
        const tick = m.market(s).tickSize;
        assert.ok(Math.abs(t.last / tick - Math.round(t.last / tick)) < 1e-6, `${s} last ${t.last} not on tick ${tick}`);
      }
    });

    it('order books parse, sides sorted, bids below asks, touch = ticker', () => {
      for (const s of m.symbols()) {
        for (const depth of [1, 10, 100]) {
          const b = OrderBookSchema.parse(m.orderBook(s, depth));
          assert.equal(b.bids.length, depth);
          assert.equal(b.asks.length, depth);
          for (let i = 1; i < depth; i++) {
            assert.ok(b.bids[i]![0] < b.bids[i - 1]![0], `${s} bids not descending`);
            assert.ok(b.asks[i]![0] > b.asks[i - 1]![0], `${s} asks not ascending`);
          }
          assert.ok(b.bids[0]![0] < b.asks[0]![0]);
          for (const [, a] of [...b.bids, ...b.asks]) assert.ok(a > 0);
          const t = m.ticker(s);
          assert.equal(b.bids[0]![0], t.bid);
          assert.equal(b.asks[0]![0], t.ask);
          assert.equal(b.mid, (t.bid! + t.ask!) / 2);
          const bidVol = b.bids.reduce((x, l) => x + l[1], 0);
          const askVol = b.asks.reduce((x, l) => x + l[1], 0);
          assert.ok(Math.abs(b.imbalance! - (bidVol - askVol) / (bidVol + askVol)) < 1e-9);
          if (depth === 100) {
            // sizes grow away from the touch (on average)
            const near = b.bids.slice(0, 10).reduce((x, l) => x + l[1], 0);
            const far = b.bids.slice(90).reduce((x, l) => x + l[1], 0);
            assert.ok(far > near, `${s} far ${far} near ${near}`);
          }
        }
      }
      assert.throws(() => m.orderBook('BTC/USDT', 0), /depth/);
    });

    it('candles of every timeframe are valid, aligned, ascending and end before the forming one', () => {
      for (const s of m.symbols()) {
        for (const tf of TIMEFRAMES) {
          const tfMs = timeframeToMs(tf);
          const rows = m.history(s, tf, 1000);
          assert.ok(rows.length > 0, `${s} ${tf} has no history`);
          checkRows(m, s, tf, rows);
          const open = candleOpenTime(m.now(), tfMs);
          assert.equal(rows[rows.length - 1]![0], open - tfMs, `${s} ${tf} last closed candle`);
          const forming = m.formingCandle(s, tf);
          assert.ok(forming, `${s} ${tf} forming`);
          checkRows(m, s, tf, [forming]);
          assert.equal(forming[0], open);
          assert.equal(forming[4], m.ticker(s).last, `${s} ${tf} forming close = last`);
          assert.deepEqual(m.history(s, tf, 10), rows.slice(-10));
        }
      }
      const counts = Object.fromEntries(TIMEFRAMES.map((tf) => [tf, m.history('BTC/USDT', tf, 1000).length]));
      for (const tf of ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d']) {
        assert.equal(counts[tf], 1000, `${tf}: ${JSON.stringify(counts)}`);
      }
    });

    it('live candles are exact aggregates of the traded prices, and timeframes agree', () => {
      const mk = market({ seed: 11, symbols: [DEFAULT_SIM_SYMBOLS[1]!] });
      const s = 'ETH/USDT';
      const trades: Array<[number, number]> = [];
      for (let i = 0; i < 7_200; i++) {
        mk.step();
        trades.push([mk.now(), mk.ticker(s).last]);
      }
      const rows = mk.history(s, '1m', 1000).filter((r) => r[0] > START);
      assert.ok(rows.length >= 115);
      for (const row of rows) {
        const inBucket = trades.filter(([t]) => t >= row[0] && t < row[0] + 60_000).map(([, p]) => p);
        assert.equal(inBucket.length, 60);
        assert.deepEqual(row.slice(1, 5), [inBucket[0], Math.max(...inBucket), Math.min(...inBucket), inBucket[inBucket.length - 1]]);
      }
      // 5m = 5 x 1m, 1h = 60 x 1m (OHLC exact; volume up to rounding)
      const m1 = mk.history(s, '1m', 4000);
      for (const [tf, k] of [['5m', 5], ['1h', 60]] as const) {
        for (const row of mk.history(s, tf, 30)) {
          const parts = m1.filter((r) => r[0] >= row[0] && r[0] < row[0] + k * 60_000);
          assert.equal(parts.length, k);
          assert.equal(row[1], parts[0]![1]);
          assert.equal(row[2], Math.max(...parts.map((r) => r[2])));
          assert.equal(row[3], Math.min(...parts.map((r) => r[3])));
          assert.equal(row[4], parts[k - 1]![4]);
          const vol = parts.reduce((x, r) => x + r[5], 0);
          assert.ok(Math.abs(row[5] - vol) <= k * 0.0001 + 1e-9, `${tf} volume ${row[5]} vs ${vol}`);
        }
      }
    });

    it('a tick longer than a bucket gives flat zero-volume candles in between', () => {
      const mk = market({ tickMs: 5_000, symbols: [DEFAULT_SIM_SYMBOLS[0]!] });
      mk.advanceTo(START + 600_000);
      const rows = mk.history('BTC/USDT', '1s', 100);
      assert.equal(rows.length, 100);
      checkRows(mk, 'BTC/USDT', '1s', rows);
      assert.ok(rows.filter((r) => r[5] === 0).length >= 75);
      assert.equal(mk.history('BTC/USDT', '5s', 100).filter((r) => r[5] === 0).length, 0);
    });
  });

  describe('history before startTime', () => {
    const m = market({ seed: 5 });

    it('exists for 500 x 1h (and more) immediately at start', () => {
      for (const s of m.symbols()) {
        const rows = m.history(s, '1h', 500);
        assert.equal(rows.length, 500);
        checkRows(m, s, '1h', rows);
        assert.equal(rows[499]![0], candleOpenTime(START, 3_600_000) - 3_600_000);
        assert.ok(rows[0]![0] < START - 499 * 3_600_000);
        assert.equal(m.history(s, '1d', 1000).length, 1000);
        assert.equal(m.history(s, '1m', 1000).length, 1000);
        assert.equal(m.ticker(s).last, DEFAULT_SIM_SYMBOLS.find((d) => d.symbol === s)!.price);
      }
    });

    it('has no holes or jumps where the generator changes resolution', () => {
      for (const s of m.symbols()) {
        for (const tf of ['1m', '5m', '15m', '1h', '4h', '1d']) {
          const rows = m.history(s, tf, 5000);
          for (let i = 0; i < rows.length; i++) {
            assert.ok(rows[i]![5] > 0, `${s} ${tf} empty candle at ${new Date(rows[i]![0]).toISOString()}`);
            assert.ok(rows[i]![2] > rows[i]![3], `${s} ${tf} candle without range`);
            if (i > 0) {
              const gap = Math.abs(Math.log(rows[i]![1] / rows[i - 1]![4]));
              assert.ok(gap < 0.05, `${s} ${tf} jump of ${gap} at ${new Date(rows[i]![0]).toISOString()}`);
            }
          }
        }
      }
    });

    it('joins the live data seamlessly', () => {
      const live = market({ seed: 5 });
      const before = live.history('BTC/USDT', '1m', 1)[0]!;
      live.step();
      const first = live.ticker('BTC/USDT').last;
      assert.ok(Math.abs(first / before[4] - 1) < 0.005, `last history close ${before[4]} vs first live ${first}`);
      live.advanceTo(START + 2 * 3_600_000);
      // the hour of startTime mixes history and live trades into one candle
      const hours = live.history('BTC/USDT', '1h', 5);
      checkRows(live, 'BTC/USDT', '1h', hours);
      for (let i = 1; i < hours.length; i++) assert.ok(Math.abs(hours[i]![1] / hours[i - 1]![4] - 1) < 0.005);
    });

    it('history looks like the live process (hourly volatility near the configured one)', () => {
      for (const spec of DEFAULT_SIM_SYMBOLS) {
        const rows = m.history(spec.symbol, '1h', 5000);
        const r = rows.slice(1).map((row, i) => Math.log(row[4] / rows[i]![4]));
        const daily = Math.sqrt((r.reduce((x, y) => x + y * y, 0) / r.length) * 24);
        assert.ok(daily > spec.volatility! * 0.6 && daily < spec.volatility! * 1.8, `${spec.symbol} hourly-based daily vol ${daily}`);
      }
    });

    it('stays at non-negative timestamps when startTime is near the epoch', () => {
      const mk = new SimMarket({ seed: 1, startTime: 2 * DAY + 500, symbols: [DEFAULT_SIM_SYMBOLS[2]!] });
      const rows = mk.history('SOL/USDT', '1h', 1000);
      assert.equal(rows.length, 48);
      checkRows(mk, 'SOL/USDT', '1h', rows);
      assert.equal(mk.history('SOL/USDT', '1d', 10).length, 2);
      mk.advanceTo(2 * DAY + 3_600_000);
      checkRows(mk, 'SOL/USDT', '1m', mk.history('SOL/USDT', '1m', 1000));
    });
  });

  describe('realism', () => {
    // 30 simulated days of 1-minute closes per symbol, ticks of 5 s.
    const m = market({ seed: 2024, tickMs: 5_000 });
    const symbols = m.symbols();
    const closes: number[][] = symbols.map(() => []);
    const regimes: string[][] = symbols.map(() => []);
    before(() => {
      for (let i = 1; i <= 30 * 1440; i++) {
        m.advanceTo(START + i * 60_000);
        symbols.forEach((s, j) => {
          closes[j]!.push(Math.log(m.ticker(s).last));
          regimes[j]!.push(m.regime(s));
        });
      }
    });

    it('visits every regime, with trends and ranges a large share of the time', () => {
      const share: Record<string, number> = {};
      for (const rs of regimes) for (const r of rs) share[r] = (share[r] ?? 0) + 1 / (rs.length * symbols.length);
      assert.ok(share.range! > 0.25, JSON.stringify(share));
      assert.ok(share.trendUp! + share.trendDown! > 0.25, JSON.stringify(share));
      assert.ok(share.trendUp! > 0.05 && share.trendDown! > 0.05, JSON.stringify(share));
      assert.ok(share.burst! > 0.003, JSON.stringify(share));
    });

    it('trending windows move far for their volatility, ranging windows do not', () => {
      // z = |12h log return| / (sqrt(sum of squared 1m returns)): ~N(0,1) in absolute value for a
      // random walk (mean 0.8); large when drifting, small when mean reverting.
      const W = 720;
      const z = { trend: [] as number[], range: [] as number[], all: [] as number[] };
      closes.forEach((c, j) => {
        for (let a = 0; a + W < c.length; a += W) {
          let q = 0;
          for (let i = a + 1; i <= a + W; i++) q += (c[i]! - c[i - 1]!) ** 2;
          const zz = Math.abs(c[a + W]! - c[a]!) / Math.sqrt(q);
          z.all.push(zz);
          const rs = regimes[j]!.slice(a, a + W);
          const trend = rs.filter((r) => r.startsWith('trend')).length;
          const range = rs.filter((r) => r === 'range').length;
          if (trend > 0.8 * W) z.trend.push(zz);
          if (range > 0.8 * W) z.range.push(zz);
        }
      });
      const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
      const info = `trend n=${z.trend.length} mean=${mean(z.trend).toFixed(2)}, range n=${z.range.length} mean=${mean(z.range).toFixed(2)}`;
      assert.ok(z.trend.length >= 15 && z.range.length >= 15, info);
      assert.ok(mean(z.trend) > 1.0, info);
      assert.ok(mean(z.range) < 0.7, info);
      assert.ok(mean(z.trend) > 1.6 * mean(z.range), info);
      // On prices alone: both strongly trending and flat windows occur.
      const strong = z.all.filter((x) => x > 2.5).length / z.all.length;
      const flat = z.all.filter((x) => x < 0.25).length / z.all.length;
      assert.ok(strong > 0.02 && flat > 0.1, `strong windows ${strong}, flat windows ${flat}`);
    });

    it('realized volatility is within a sane factor of the configured one', () => {
      closes.forEach((c, j) => {
        const vol = DEFAULT_SIM_SYMBOLS.find((d) => d.symbol === symbols[j])!.volatility!;
        let ss = 0;
        for (let i = 1; i < c.length; i++) ss += (c[i]! - c[i - 1]!) ** 2;
        const fromMinutes = Math.sqrt((ss / (c.length - 1)) * 1440);
        let sd = 0;
        let n = 0;
        for (let i = 1440; i < c.length; i += 1440, n++) sd += (c[i]! - c[i - 1440]!) ** 2;
        const fromDays = Math.sqrt(sd / n);
        assert.ok(fromMinutes > 0.7 * vol && fromMinutes < 1.5 * vol, `${symbols[j]} 1m-based ${fromMinutes} vs ${vol}`);
        assert.ok(fromDays > 0.4 * vol && fromDays < 2.5 * vol, `${symbols[j]} daily ${fromDays} vs ${vol}`);
      });
    });
  });

  describe('errors and limits', () => {
    const m = market();

    it('an unknown symbol names the symbol and the known ones', () => {
      for (const call of [
        () => m.ticker('XRP/USDT'),
        () => m.orderBook('XRP/USDT', 5),
        () => m.history('XRP/USDT', '1h', 5),
        () => m.formingCandle('XRP/USDT', '1h'),
        () => m.market('XRP/USDT'),
      ]) {
        assert.throws(call, (e: Error) => /"XRP\/USDT"/.test(e.message) && /BTC\/USDT/.test(e.message) && /ETH\/BTC/.test(e.message));
      }
    });

    it('market info', () => {
      assert.deepEqual(m.symbols(), ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'ETH/BTC']);
      assert.deepEqual(m.market('ETH/BTC'), {
        symbol: 'ETH/BTC',
        base: 'ETH',
        quote: 'BTC',
        tickSize: 0.000001,
        amountStep: 0.0001,
        minAmount: 0.0001,
        minNotional: 0.0001,
      });
      assert.equal(m.exchangeId, 'sim');
      assert.equal(market({ exchangeId: 'sim2' }).ticker('BTC/USDT').exchange, 'sim2');
    });

    it('rejects bad options', () => {
      assert.throws(() => market({ tickMs: 0 }), /tickMs/);
      assert.throws(() => market({ startTime: -1 }), /startTime/);
      assert.throws(() => market({ symbols: [] }), /symbol/);
      assert.throws(() => market({ symbols: [{ symbol: 'BTCUSDT', price: 1 }] }), /BTCUSDT/);
      assert.throws(() => market({ symbols: [{ symbol: 'A/B', price: -1 }] }), /price/);
      assert.throws(() => market({ symbols: [{ symbol: 'A/B', price: 1 }, { symbol: 'A/B', price: 2 }] }), /twice/);
      assert.throws(() => m.history('BTC/USDT', '7x', 5), /timeframe/);
    });

    it('fills in defaults for a minimal symbol spec', () => {
      const mk = market({ symbols: [{ symbol: 'DOGE/USDT', price: 0.123 }] });
      const info = mk.market('DOGE/USDT');
      assert.ok(info.tickSize > 0 && info.tickSize < 0.001);
      mk.advanceTo(START + 3_600_000);
      TickerSchema.parse(mk.ticker('DOGE/USDT'));
      OrderBookSchema.parse(mk.orderBook('DOGE/USDT', 20));
      checkRows(mk, 'DOGE/USDT', '1m', mk.history('DOGE/USDT', '1m', 500));
    });

    it('storage stays bounded over a long run', () => {
      const mk = market({ tickMs: 1_000 });
      const s0 = mk.stats();
      assert.ok(s0.storedBuckets <= s0.capacityBuckets);
      assert.ok(s0.capacityBuckets < 30_000 * 4, `capacity ${s0.capacityBuckets}`);
      mk.advanceTo(START + 4 * DAY);
      const s1 = mk.stats();
      mk.advanceTo(START + 8 * DAY);
      const s2 = mk.stats();
      assert.equal(s2.steps, 8 * 86_400);
      assert.equal(s2.capacityBuckets, s0.capacityBuckets);
      assert.equal(s2.storedBuckets, s1.storedBuckets);
      assert.ok(s2.storedBuckets <= s2.capacityBuckets);
      for (const l of s2.levels) assert.ok(l.storedMax <= l.capacity, JSON.stringify(l));
      // the same limits hold whatever was asked for
      for (const tf of TIMEFRAMES) mk.history('BTC/USDT', tf, 100_000);
      assert.deepEqual(mk.stats().levels, s2.levels);
    });

    it('steps fast: a day of 1 s ticks for 4 symbols in well under a second', () => {
      const mk = market();
      mk.advanceTo(START + 3_600_000); // warm up the JIT
      const t0 = process.hrtime.bigint();
      mk.advanceTo(START + 3_600_000 + DAY);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const perSymbolStep = (seconds / (86_400 * 4)) * 1e9;
      console.log(`      ${(86_400 / seconds).toFixed(0)} steps/s, ${perSymbolStep.toFixed(0)} ns per symbol-step`);
      assert.ok(seconds < 1, `${seconds}s`);
    });
  });
});
