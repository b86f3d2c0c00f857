/** The pairlist's ranking and filters (core/market/pairlist.ts) and its age check on the simulator's daily history. */
import assert from 'node:assert/strict';
import type { MarketInfo } from '../../core/market/market-source';
import { AgeCheck } from '../../core/market/pairlist-age';
import { buildPairlist, diffSymbols, matchesPattern, parseFilterOverrides, parsePairlistSettings, type PairTicker, type PairlistSettings } from '../../core/market/pairlist';
import { SimSource } from '../../core/market/sim-source';
import { isValidationError } from '../../core/errors';

const market = (symbol: string, active = true): MarketInfo => {
  const [base, quote] = symbol.split('/') as [string, string];
  return { symbol, base, quote, active };
};
const ticker = (symbol: string, last: number, quoteVolume: number, spreadPct = 0.1): PairTicker => ({ symbol, last, bid: last * (1 - spreadPct / 100), ask: last, quoteVolume });

const TICKERS: PairTicker[] = [
  ticker('BTC/USDT', 60_000, 900e6),
  ticker('ETH/USDT', 3_000, 500e6),
  ticker('SOL/USDT', 150, 200e6, 0.5),
  ticker('DOGE/USDT', 0.1, 300e6),
  ticker('BTCUP/USDT', 20, 50e6),
  ticker('ETH/BTC', 0.05, 8_000),
  ticker('OLD/USDT', 1, 1e9),
];
const MARKETS = new Map(TICKERS.map((t) => [t.symbol, market(t.symbol, t.symbol !== 'OLD/USDT')]));
const settings = (over: Partial<PairlistSettings> = {}): PairlistSettings => ({ ...parsePairlistSettings({ quote: 'USDT' }), ...over });

describe('pairlist: ranking and filters', () => {
  it('ranks by quote volume within the quote currency, keeps the top N, says why the rest are out', async () => {
    const { pairs, excluded } = await buildPairlist(TICKERS, MARKETS, settings({ count: 3 }));
    assert.deepEqual(pairs.map((p) => p.symbol), ['BTC/USDT', 'ETH/USDT', 'DOGE/USDT']);
    assert.deepEqual(excluded, { 'ETH/BTC': 'quote', 'OLD/USDT': 'inactive', 'SOL/USDT': 'rank', 'BTCUP/USDT': 'rank' });
    assert.ok(Math.abs(pairs[0]!.spreadPct! - 0.1) < 1e-9);
  });

  it('minimum price, minimum volume and maximum spread', async () => {
    const { pairs, excluded } = await buildPairlist(TICKERS, MARKETS, settings({ minPrice: 1, minQuoteVolume: 100e6, maxSpreadPct: 0.2 }));
    assert.deepEqual(pairs.map((p) => p.symbol), ['BTC/USDT', 'ETH/USDT']);
    assert.equal(excluded['DOGE/USDT'], 'price');
    assert.equal(excluded['BTCUP/USDT'], 'volume');
    assert.equal(excluded['SOL/USDT'], 'spread');
  });

  it('a spread limit leaves out a ticker without bid or ask; without a limit it stays', async () => {
    const noBook: PairTicker = { symbol: 'BTC/USDT', last: 60_000, bid: null, ask: null, baseVolume: 10 };
    const markets = new Map([['BTC/USDT', market('BTC/USDT')]]);
    assert.equal((await buildPairlist([noBook], markets, settings({ maxSpreadPct: 1 }))).excluded['BTC/USDT'], 'spread');
    const kept = await buildPairlist([noBook], markets, settings());
    assert.equal(kept.pairs[0]!.quoteVolume, 600_000, 'base volume x last where the quote volume is missing');
    assert.equal(kept.pairs[0]!.spreadPct, null);
  });

  it('whitelist and blacklist patterns with *', async () => {
    assert.ok(matchesPattern('BTCUP/USDT', '*UP/USDT'));
    assert.ok(matchesPattern('eth/btc', '*/BTC'));
    assert.ok(!matchesPattern('BTC/USDT', 'BTC/USD'), 'a pattern is the whole symbol');
    assert.ok(!matchesPattern('BTCXUSDT', 'BTC.USDT'), 'a dot is a dot, not any character');
    const only = await buildPairlist(TICKERS, MARKETS, settings({ quote: '', whitelist: ['*/BTC', 'SOL/*'] }));
    assert.deepEqual(only.pairs.map((p) => p.symbol), ['SOL/USDT', 'ETH/BTC']);
    const never = await buildPairlist(TICKERS, MARKETS, settings({ blacklist: ['*UP/*', 'DOGE/USDT'] }));
    assert.deepEqual(never.pairs.map((p) => p.symbol), ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    assert.equal(never.excluded['BTCUP/USDT'], 'blacklist');
  });

  it('equal volumes rank by symbol, so the same tickers give the same list', async () => {
    const tied = [ticker('B/USDT', 1, 5), ticker('A/USDT', 1, 5), ticker('C/USDT', 1, 5)];
    const markets = new Map(tied.map((t) => [t.symbol, market(t.symbol)]));
    assert.deepEqual((await buildPairlist(tied, markets, settings())).pairs.map((p) => p.symbol), ['A/USDT', 'B/USDT', 'C/USDT']);
    assert.deepEqual((await buildPairlist([...tied].reverse(), markets, settings())).pairs.map((p) => p.symbol), ['A/USDT', 'B/USDT', 'C/USDT']);
  });

  it('age is asked only for symbols that would make the list, and a young one gives its place to the next', async () => {
    const asked: string[] = [];
    const { pairs, excluded } = await buildPairlist(TICKERS, MARKETS, settings({ count: 2, minAgeDays: 30 }), async (s) => {
      asked.push(s);
      return s !== 'ETH/USDT';
    });
    assert.deepEqual(pairs.map((p) => p.symbol), ['BTC/USDT', 'DOGE/USDT']);
    assert.equal(excluded['ETH/USDT'], 'age');
    assert.deepEqual(asked, ['BTC/USDT', 'ETH/USDT', 'DOGE/USDT']);
  });

  it('diffSymbols says what was added and removed', () => {
    assert.deepEqual(diffSymbols(['A/B', 'C/D'], ['C/D', 'E/F']), { added: ['E/F'], removed: ['A/B'] });
  });
});

describe('pairlist: settings and a message\'s filter changes, refused naming the field', () => {
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (err: Error) => re.test(err.message));

  it('settings: empty fields take the defaults; NaN, text, negatives and bad patterns are refused', () => {
    const s = parsePairlistSettings({ quote: 'usdt', count: '', minPrice: '', minQuoteVolume: '', maxSpreadPct: '', whitelist: '', blacklist: 'doge/*, *UP/USDT', minAgeDays: '' });
    assert.deepEqual(s, { quote: 'USDT', count: 10, minPrice: 0, minQuoteVolume: 0, maxSpreadPct: Number.POSITIVE_INFINITY, whitelist: [], blacklist: ['DOGE/*', '*UP/USDT'], minAgeDays: 0 });
    refused(() => parsePairlistSettings({ minPrice: 'NaN' }), /^minPrice: must be a number from 0/);
    refused(() => parsePairlistSettings({ minQuoteVolume: -1 }), /^minQuoteVolume: must be a number from 0/);
    refused(() => parsePairlistSettings({ count: 0 }), /^count: must be a whole number from 1 to 200/);
    refused(() => parsePairlistSettings({ maxSpreadPct: 150 }), /^maxSpreadPct: must be a number from 0 to 100 %/);
    refused(() => parsePairlistSettings({ blacklist: 'DOGE' }), /^blacklist: "DOGE" is not a symbol or pattern/);
    refused(() => parsePairlistSettings({ quote: 'US DT' }), /^quote: must be a currency code/);
    refused(() => parsePairlistSettings({ minAgeDays: 1.5 }), /^minAgeDays: must be a whole number/);
  });

  it('a message\'s changes: named msg.payload.<field>, a validation error; the rest kept', () => {
    const base = parsePairlistSettings({ quote: 'USDT', count: 5, minQuoteVolume: 10 });
    const next = parseFilterOverrides({ minPrice: 2, blacklist: ['DOGE/*'] }, base);
    assert.deepEqual(next, { ...base, minPrice: 2, blacklist: ['DOGE/*'] });
    for (const [payload, re] of [
      [{ minPrice: Number.NaN }, /^msg\.payload\.minPrice: must be a finite number, got NaN/],
      [{ maxSpreadPct: Number.POSITIVE_INFINITY }, /^msg\.payload\.maxSpreadPct: must be a finite number/],
      [{ count: true }, /^msg\.payload\.count: must be a number, got true/],
      [{ minVolume: 1 }, /^msg\.payload\.minVolume: not a pairlist filter/],
      [{ whitelist: 42 }, /^msg\.payload\.whitelist: must be symbols or patterns/],
    ] as const) {
      assert.throws(() => parseFilterOverrides(payload as Record<string, unknown>, base), (err: Error) => re.test(err.message) && isValidationError(err), JSON.stringify(payload));
    }
  });
});

describe('pairlist: age on the exchange, as days of daily candles', () => {
  it('old enough when the first daily candle is N days back; answers kept, a young symbol asked again a day later', async () => {
    // The simulator keeps 1,100 daily candles: 1,000 days of history is there, 2,000 is not.
    const source = new SimSource({ seed: 3, speed: 1, startTime: Date.UTC(2026, 0, 1) });
    try {
      const old = new AgeCheck(source, 1000);
      assert.equal(await old.isOldEnough('BTC/USDT'), true);
      assert.equal(await old.isOldEnough('BTC/USDT'), true);
      assert.equal(old.requests, 1, 'an old symbol is asked once');

      const young = new AgeCheck(source, 2000);
      assert.equal(await young.isOldEnough('ETH/USDT'), false);
      assert.equal(await young.isOldEnough('ETH/USDT'), false);
      assert.equal(young.requests, 1, 'a young symbol is not asked again the same day');
      source.market.advanceTo(source.now() + 86_400_000);
      assert.equal(await young.isOldEnough('ETH/USDT'), false);
      assert.equal(young.requests, 2, 'asked again a day later');
    } finally {
      await source.close();
    }
  });
});
