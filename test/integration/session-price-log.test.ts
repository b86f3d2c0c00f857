/**
 * The account's price feed (what drives limit timeouts and bot-watched stops) against the mock
 * Binance through a real ccxt: its failures reach the exchange node's log, once per change of
 * state and never with a credential, instead of being dropped.
 */
import assert from 'node:assert/strict';
import { MemoryLogger } from '../../core/logger';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { MockBinance } from '../support/mock-binance';
import { waitFor } from '../support/node-red';

describe("the account's price feed writes its failures to the log (mock Binance)", function () {
  this.timeout(40_000);
  let mock: MockBinance;
  let session: ExchangeSession | undefined;
  const apiKey = 'mock-api-key-for-the-log';
  const secret = 'mock-secret-for-the-log';

  before(async function () {
    mock = new MockBinance();
    await mock.start();
  });
  after(async function () {
    await mock.stop();
  });
  afterEach(async function () {
    await session?.close();
    session = undefined;
    mock.clearFaults();
  });

  const paper = (log: MemoryLogger) =>
    new ExchangeSession(parseExchangeSettings({ mode: 'paper', exchangeId: 'binance', baseUrl: mock.url, websocket: 'off', timeoutMs: 2000, credentials: { apiKey, secret } }), 'price-log', { logger: log });
  const priceLines = (log: MemoryLogger) => log.lines.filter((l) => l.text.startsWith('prices for BTC/USDT'));

  it('a feed failing again and again is written once, and once when prices arrive again', async function () {
    const log = new MemoryLogger();
    session = paper(log);
    mock.setTicker('BTC/USDT', { bid: 63_999.5, ask: 64_000.5, last: 64_000 });
    assert.equal(await session.marketPrice('BTC/USDT'), 64_000);
    // From now on the feed polls: its next three requests fail (503, retried with a growing pause).
    const before = mock.requestCount('/api/v3/ticker');
    mock.failNext(3, { status: 503 }, '/api/v3/ticker');
    await waitFor(() => mock.requestCount('/api/v3/ticker') >= before + 3, 20_000, 'three failed polls');
    mock.setTicker('BTC/USDT', { bid: 64_099.5, ask: 64_100.5, last: 64_100 });
    const account = await session.account();
    await waitFor(() => account.marketPrice('BTC/USDT') === 64_100, 15_000, 'the price after the failures');
    await waitFor(() => priceLines(log).some((l) => l.level === 'info'), 5_000, 'the recovery line');
    const lines = priceLines(log);
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.equal(lines[0]!.level, 'warn');
    // The feed status text (its retry and the start of the error).
    assert.match(lines[0]!.text, /^prices for BTC\/USDT \(limit timeouts, bot-watched stops\): retry 1 in \d+s: binance GET/);
    assert.deepEqual(lines[1], { level: 'info', text: 'prices for BTC/USDT (limit timeouts, bot-watched stops): arriving again' });
  });

  it('a feed that stops is written as an error, without the credentials the answer echoed', async function () {
    const log = new MemoryLogger();
    session = paper(log);
    mock.setTicker('BTC/USDT', { bid: 63_999.5, ask: 64_000.5, last: 64_000 });
    await session.marketPrice('BTC/USDT');
    // An answer that cannot be retried (a 400), echoing the credentials in its text.
    mock.failNext(1, { status: 400, code: -1100, msg: `Illegal characters found in parameter 'apiKey'; legal range is '${apiKey}' and '${secret}'.` }, '/api/v3/ticker');
    await waitFor(() => log.lines.some((l) => l.level === 'error'), 15_000, 'the error line');
    const line = log.texts('error').join('\n');
    assert.match(line, /^prices for BTC\/USDT \(limit timeouts, bot-watched stops\) stopped: .*Illegal characters/);
    assert.match(line, /\*\*\*/);
    assert.ok(!line.includes(apiKey) && !line.includes(secret), line);
    assert.equal(log.texts('error').length, 1);
  });
});
