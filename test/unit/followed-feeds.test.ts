/** FollowedFeeds: one feed per symbol of a changing list, on the simulator's candle feeds. */
import assert from 'node:assert/strict';
import type { Candle } from '../../core/contract';
import { CandleFeed } from '../../core/market/candle-feed';
import { FollowedFeeds } from '../../core/market/followed-feeds';
import { SimSource } from '../../core/market/sim-source';
import { waitFor } from '../support/wait';

describe('FollowedFeeds: a symbol list that changes', function () {
  this.timeout(10_000);
  let source: SimSource;
  beforeEach(() => (source = new SimSource({ seed: 5, speed: 600, startTime: Date.UTC(2026, 0, 1) })));
  afterEach(() => source.close());

  const setUp = () => {
    const got: Array<{ candle: Candle; warmup: boolean }> = [];
    const fatal: unknown[] = [];
    const listener = { onData: (candle: Candle, meta: { warmup?: boolean }) => got.push({ candle, warmup: !!meta.warmup }), onStatus: () => undefined, onFatal: (e: unknown) => fatal.push(e) };
    const feeds = new FollowedFeeds(['BTC/USDT'], (symbol) => new CandleFeed(source, { symbol, timeframe: '1m', warmup: 2, pollIntervalMs: 1000 }, listener));
    return { got, fatal, feeds, of: (s: string, warmup?: boolean) => got.filter((g) => g.candle.symbol === s && (warmup === undefined || g.warmup === warmup)) };
  };

  it('a new symbol warms up, a removed one stops, one that stays is untouched', async () => {
    const { feeds, of } = setUp();
    await feeds.start();
    assert.equal(of('BTC/USDT', true).length, 2);
    await waitFor(() => of('BTC/USDT', false).length >= 2, 5000, 'live BTC candles');
    assert.deepEqual(await feeds.follow(['ETH/USDT', 'BTC/USDT']), { added: ['ETH/USDT'], removed: [] });
    assert.equal(of('ETH/USDT', true).length, 2, 'the warm-up is sent before follow resolves');
    assert.deepEqual(await feeds.follow(['ETH/USDT']), { added: [], removed: ['BTC/USDT'] });
    const btc = of('BTC/USDT').length;
    await waitFor(() => of('ETH/USDT', false).length >= 3, 5000, 'live ETH candles');
    assert.equal(of('BTC/USDT').length, btc, 'no BTC candle after it was removed');
    assert.equal(of('BTC/USDT', true).length, 2, 'one warm-up for BTC in all');
    const ts = of('ETH/USDT').map((g) => g.candle.ts);
    assert.equal(new Set(ts).size, ts.length, 'each ETH candle once');
    assert.deepEqual(feeds.symbols(), ['ETH/USDT']);
    await feeds.stop();
  });

  it('a list with a symbol that cannot start leaves the feeds as they were', async () => {
    const { feeds, of } = setUp();
    await feeds.start();
    await assert.rejects(feeds.follow(['ETH/USDT', 'NOPE/USDT']), /NOPE\/USDT/);
    assert.deepEqual(feeds.symbols(), ['BTC/USDT']);
    const before = of('BTC/USDT', false).length;
    await waitFor(() => of('BTC/USDT', false).length > before, 5000, 'BTC goes on');
    // Changes queue: two at once apply in order.
    const [a, b] = await Promise.all([feeds.follow(['ETH/USDT']), feeds.follow(['SOL/USDT', 'ETH/USDT'])]);
    assert.deepEqual(a, { added: ['ETH/USDT'], removed: ['BTC/USDT'] });
    assert.deepEqual(b, { added: ['SOL/USDT'], removed: [] });
    await feeds.stop();
  });
});
