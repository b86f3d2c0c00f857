/**
 * CandleFeed's catch-up (core/market/candle-feed.ts) over a ReplaySource: each released candle is
 * emitted once, in order; and a catch-up whose REST call fails once (a network blip) does not stop
 * the ones after it: the feed retries and emits every candle, none twice, none lost.
 */
import assert from 'node:assert/strict';
import { ReplaySource } from '../../core/backtest/replay-source';
import type { Candle, OhlcvRow } from '../../core/contract';
import { CandleFeed } from '../../core/market/candle-feed';
import { waitFor } from '../support/wait';

/** ccxt's retryable errors descend from OperationFailed (isRetryableError reads the class chain). */
class OperationFailed extends Error {}
class NetworkError extends OperationFailed {}

const TF = 60_000;
const rows: OhlcvRow[] = Array.from({ length: 30 }, (_, i) => [i * TF, 10 + i, 11 + i, 9 + i, 10.5 + i, 1]);

async function run(failAt: Set<number>): Promise<number[]> {
  const source = new ReplaySource('backtest', '1m', { 'A/B': rows }, 5);
  let calls = 0;
  const fetch = source.fetchOHLCV.bind(source);
  source.fetchOHLCV = async (symbol, timeframe, since, limit) => {
    if (since !== undefined && failAt.has(++calls)) throw new NetworkError('network blip');
    return fetch(symbol, timeframe, since, limit);
  };
  const seen: Candle[] = [];
  const statuses: string[] = [];
  const feed = new CandleFeed(source, { symbol: 'A/B', timeframe: '1m', warmup: 5, pollIntervalMs: 0, backoff: { initialMs: 1, maxMs: 1 } }, {
    onData: (c) => seen.push(c),
    onStatus: (s) => statuses.push(s.state),
    onFatal: (e) => assert.fail(e),
  });
  await feed.start();
  // Handled: the feed watches for the next release again (a failed catch-up included: it retries or waits for the next).
  const settle = () => waitFor(() => source.watching, 5_000, 'the feed watching for the next candle');
  await settle();
  for (let i = 5; i < rows.length; i++) {
    source.releaseNext('A/B');
    await settle();
  }
  await feed.stop();
  await source.close();
  return seen.map((c) => c.ts / TF);
}

describe('CandleFeed catch-up', () => {
  it('emits every released candle once, in order', async () => {
    assert.deepEqual(await run(new Set()), rows.map((_, i) => i));
  });

  it('a failed catch-up does not stop the next ones: every candle still comes, once, in order', async () => {
    assert.deepEqual(await run(new Set([3, 7])), rows.map((_, i) => i));
  });
});
