import assert from 'node:assert/strict';
import { errorClassChain, isRateLimitError, isRetryableError, listExchangeIds, loadExchangeClass, overrideApiUrls, apiUrlMap } from '../../core/market/ccxt-loader';

describe('ccxt loader', function () {
  it('rewrites every API host, REST and websocket, keeping paths', function () {
    const urls = {
      public: 'https://api.binance.com/api/v3',
      sapi: 'https://api.binance.com/sapi/v1',
      ws: { spot: 'wss://stream.binance.com:9443/ws', 'ws-api': { spot: 'wss://ws-api.binance.com:443/ws-api/v3' } },
      list: ['https://a.example/x?y=1'],
      note: 'not a url',
    };
    assert.deepEqual(overrideApiUrls(urls, 'http://127.0.0.1:9000'), {
      public: 'http://127.0.0.1:9000/api/v3',
      sapi: 'http://127.0.0.1:9000/sapi/v1',
      ws: { spot: 'ws://127.0.0.1:9000/ws', 'ws-api': { spot: 'ws://127.0.0.1:9000/ws-api/v3' } },
      list: ['http://127.0.0.1:9000/x?y=1'],
      note: 'not a url',
    });
    assert.deepEqual(overrideApiUrls({ ws: 'wss://s.example/ws' }, 'https://proxy.example/binance/'), {
      ws: 'wss://proxy.example/binance/ws',
    });
  });

  it('keeps a bare host bare, so ccxt does not request //0/public (Kraken)', function () {
    const out = overrideApiUrls({ public: 'https://api.kraken.com', private: 'https://api.kraken.com' }, 'http://127.0.0.1:9000') as any;
    assert.equal(out.public, 'http://127.0.0.1:9000');
    assert.equal(`${out.public}/0/public/Assets`, 'http://127.0.0.1:9000/0/public/Assets');
    assert.equal((overrideApiUrls({ public: 'https://api.kraken.com' }, 'https://proxy.example/kraken/') as any).public, 'https://proxy.example/kraken');
  });

  it('gives two hosts that would meet at one address distinct paths: public keeps it, the other gets its host name', async function () {
    const Kraken = await loadExchangeClass('kraken');
    const ws = (overrideApiUrls(new Kraken({}).urls.api, 'http://127.0.0.1:9000') as any).ws;
    assert.equal(ws.publicV2, 'ws://127.0.0.1:9000/v2');
    assert.equal(ws.privateV2, 'ws://127.0.0.1:9000/ws-auth.kraken.com/v2');
    assert.equal(ws.public, 'ws://127.0.0.1:9000');
    assert.equal(ws.private, 'ws://127.0.0.1:9000/ws-auth.kraken.com');
    // Binance's spot addresses stay where they were; the futures streams that shared /ws move aside.
    const Binance = await loadExchangeClass('binance');
    const b = overrideApiUrls(new Binance({}).urls.api, 'http://127.0.0.1:9000') as any;
    assert.equal(b.ws.spot, 'ws://127.0.0.1:9000/ws');
    assert.equal(b.public, 'http://127.0.0.1:9000/api/v3');
    assert.equal(b.ws.future, 'ws://127.0.0.1:9000/fstream.binance.com/ws');
    // Bitfinex: public REST keeps the bare address, the private host moves aside (docs/exchanges.md).
    const Bitfinex = await loadExchangeClass('bitfinex');
    const f = overrideApiUrls(new Bitfinex({}).urls.api, 'http://127.0.0.1:9000') as any;
    assert.equal(f.public, 'http://127.0.0.1:9000');
    assert.equal(f.private, 'http://127.0.0.1:9000/api.bitfinex.com');
    assert.equal(f.ws.public, 'ws://127.0.0.1:9000/ws/2');
    assert.equal(f.ws.private, 'ws://127.0.0.1:9000/api.bitfinex.com/ws/2');
    const addresses = new Map<string, string>();
    for (const entry of apiUrlMap(new Binance({}).urls.api, 'http://127.0.0.1:9000')) {
      const host = new URL(entry.from).hostname;
      const before = addresses.get(entry.to);
      assert.ok(before === undefined || before === host, `${entry.to} serves both ${before} and ${host}`);
      addresses.set(entry.to, host);
    }
  });

  it('lists ccxt exchanges without loading ccxt', function () {
    const ids = listExchangeIds();
    for (const id of ['binance', 'kraken', 'coinbase', 'okx', 'bybit']) assert.ok(ids.includes(id), id);
    assert.ok(ids.every((id) => /^[a-z0-9]+$/.test(id)));
  });

  it('refuses an unknown exchange id with a sentence a person can act on', async function () {
    await assert.rejects(loadExchangeClass('binanse'), /exchange "binanse" is not one of ccxt's exchanges/);
    await assert.rejects(loadExchangeClass('../evil'), /is not one of ccxt's exchanges/);
  });

  // Real ccxt errors are classified in the integration suite (503, 429, timeouts against the mock).
  it('tells retryable network errors from final ones by error class name', function () {
    class OperationFailed extends Error {}
    class NetworkError extends OperationFailed {}
    class BadResponse extends OperationFailed {}
    class RequestTimeout extends NetworkError {}
    class DDoSProtection extends NetworkError {}
    class BadSymbol extends Error {}
    assert.deepEqual(errorClassChain(new RequestTimeout('x')).slice(0, 4), ['RequestTimeout', 'NetworkError', 'OperationFailed', 'Error']);
    assert.equal(isRetryableError(new BadResponse('garbled')), true);
    assert.equal(isRetryableError(new RequestTimeout('x')), true);
    assert.equal(isRetryableError(new BadSymbol('x')), false);
    assert.equal(isRateLimitError(new DDoSProtection('x')), true);
    assert.equal(isRetryableError('text'), false);
  });
});
