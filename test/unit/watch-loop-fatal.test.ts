/**
 * WatchLoop's failures that retrying cannot cure (core/market/watch-loop.ts): the loop stops and
 * says which symbol failed, in the status and in the error, keeping the exchange's error class.
 */
import assert from 'node:assert/strict';
import type { FeedStatus } from '../../core/market/feed-status';
import { WatchLoop } from '../../core/market/watch-loop';
import { errorClassChain } from '../../core/market/ccxt-loader';
import { waitFor } from '../support/wait';

// ccxt's classes by name: BadSymbol is an ExchangeError, not an OperationFailed (not retried).
class BaseError extends Error {}
class ExchangeError extends BaseError {}
class BadRequest extends ExchangeError {}
class BadSymbol extends BadRequest {}

describe('WatchLoop: a failure retrying cannot cure', () => {
  it('stops, and the status and the error name the symbol; the error keeps its class', async () => {
    const statuses: FeedStatus[] = [];
    const fatal: Error[] = [];
    let fetches = 0;
    const loop = new WatchLoop<string>({
      label: 'ETH/USDT',
      useWatch: false,
      pollIntervalMs: 10,
      watch: () => Promise.reject(new Error('not used')),
      fetch: async () => {
        fetches++;
        throw new BadSymbol('binance {"code":-1121,"msg":"Invalid symbol."}');
      },
      onData: () => assert.fail('no data expected'),
      onStatus: (s) => statuses.push(s),
      onFatal: (e) => fatal.push(e),
      backoff: { initialMs: 10, maxMs: 10 },
    });
    loop.start();
    await waitFor(() => fatal.length === 1, 3000, 'the fatal error');
    assert.equal(fatal[0]!.message, 'ETH/USDT: binance {"code":-1121,"msg":"Invalid symbol."}');
    assert.ok(errorClassChain(fatal[0]).includes('BadSymbol'), errorClassChain(fatal[0]).join(' < '));
    assert.equal(statuses.at(-1)?.state, 'error');
    assert.match(statuses.at(-1)!.text, /^ETH\/USDT: binance/);
    // A fixed wait on purpose: a while in which a stopped loop must not ask again.
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(fetches, 1, 'not asked again after the refusal');
    await loop.stop();
  });
});
