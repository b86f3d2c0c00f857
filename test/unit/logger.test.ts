/**
 * The core's logging seam (core/logger.ts): a repeating failure is written once per change of
 * state, and a session's log never carries its credentials.
 */
import assert from 'node:assert/strict';
import { MemoryLogger, StateChangeLog } from '../../core/logger';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';

describe('logger port', function () {
  it('writes a repeating failure once, its recovery once, and a new failure again', function () {
    const log = new MemoryLogger();
    const trouble = new StateChangeLog(log);
    trouble.fail('BTC/USDT', 'prices for BTC/USDT: retry 1 in 1s: 503');
    trouble.fail('BTC/USDT', 'prices for BTC/USDT: retry 2 in 2s: 503');
    trouble.fail('ETH/USDT', 'prices for ETH/USDT: retry 1 in 1s: 503');
    trouble.ok('ETH/USDT', 'prices for ETH/USDT: arriving again');
    trouble.ok('ETH/USDT', 'prices for ETH/USDT: arriving again');
    trouble.ok('BTC/USDT', 'prices for BTC/USDT: arriving again');
    trouble.fail('BTC/USDT', 'prices for BTC/USDT: retry 1 in 1s: 429');
    assert.deepEqual(log.lines, [
      { level: 'warn', text: 'prices for BTC/USDT: retry 1 in 1s: 503' },
      { level: 'warn', text: 'prices for ETH/USDT: retry 1 in 1s: 503' },
      { level: 'info', text: 'prices for ETH/USDT: arriving again' },
      { level: 'info', text: 'prices for BTC/USDT: arriving again' },
      { level: 'warn', text: 'prices for BTC/USDT: retry 1 in 1s: 429' },
    ]);
  });

  it("a session's log carries no credential, whoever wrote the line", async function () {
    const log = new MemoryLogger();
    const secret = 'sEcReT-0f-the-account';
    const session = new ExchangeSession(parseExchangeSettings({ mode: 'paper', credentials: { apiKey: 'the-api-key-42', secret } }), 'log-redaction', { logger: log });
    try {
      session.log.warn(`binance {"msg":"bad signature for ${secret}"} key the-api-key-42`);
      session.log.error(`again ${encodeURIComponent(secret)}`);
      assert.equal(log.lines.length, 2);
      for (const line of log.texts()) {
        assert.ok(!line.includes(secret) && !line.includes('the-api-key-42'), line);
        assert.match(line, /\*\*\*/);
      }
    } finally {
      await session.close();
    }
  });
});

describe('session listeners', function () {
  it('a node that throws on an event is written to the log, and the events before it listened are handed over', async function () {
    const { SessionListeners } = await import('../../core/session/session-listeners');
    const log = new MemoryLogger();
    const listeners = new SessionListeners(log);
    const start = { kind: 'lifecycle', event: 'start', exchange: 'sim', mode: 'sim', reason: 'account ready', ts: 1 } as const;
    listeners.event(start);
    const heard: unknown[] = [];
    listeners.onEvent((e) => heard.push(e));
    assert.deepEqual(heard, [start], 'kept until someone listened');
    listeners.onEvent(() => {
      throw new Error('status of a closed node');
    });
    listeners.event({ ...start, event: 'stop', reason: 'deploy' });
    assert.deepEqual(log.lines, [{ level: 'warn', text: 'a node failed on the lifecycle event: status of a closed node' }]);
    assert.equal(heard.length, 1, 'only the newest listener hears');
  });
});
