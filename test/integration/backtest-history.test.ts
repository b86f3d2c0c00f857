/**
 * Backtest history from an exchange: ccxt fetchOHLCV against the mock Binance, paginated over the
 * date range, cached on disk; the second run needs no network.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReplaySource } from '../../core/backtest';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { MockBinance } from '../support/mock-binance';

const MIN = 60_000;

describe('backtest history from an exchange (ccxt against the mock Binance)', function () {
  this.timeout(30_000);
  let mock: MockBinance;
  let dir: string;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-history-'));
  });
  afterEach(async function () {
    await mock.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('downloads a range in pages, keeps it on disk, and a second run reads it without a request', async function () {
    const start = Math.floor(Date.now() / MIN) * MIN - 3000 * MIN;
    const rows = Array.from({ length: 2600 }, (_, i) => [start + i * MIN, 100 + i, 101 + i, 99 + i, 100.5 + i, 10]);
    mock.setKlines('BTC/USDT', '1m', rows);
    const settings = parseExchangeSettings({
      mode: 'backtest',
      backtestSource: 'exchange',
      exchangeId: 'binance',
      baseUrl: mock.url,
      backtestSymbols: 'BTC/USDT',
      backtestTimeframe: '1m',
      backtestFrom: String(start),
      backtestTo: String(start + 2500 * MIN),
      backtestWarmup: 10,
    });
    const run = async () => {
      const session = new ExchangeSession(settings, 'bt');
      session.dataDir = dir;
      try {
        const source = (await session.source()) as ReplaySource;
        return { series: source.series['BTC/USDT']!, requests: session.historyRequests };
      } finally {
        await session.close();
      }
    };
    const first = await run();
    assert.equal(first.series.length, 2500, 'every candle of the range');
    assert.deepEqual(first.series[0], rows[0]);
    assert.deepEqual(first.series[2499], rows[2499]);
    assert.equal(first.requests, 3, 'pages of 1000');
    assert.equal(mock.requestCount('/api/v3/klines'), 3);
    assert.ok(fs.existsSync(path.join(dir, 'tradebot-cache', 'binance', 'BTC_USDT-1m.json')));
    const second = await run();
    assert.equal(second.requests, 0, 'the second run needs no network');
    assert.equal(mock.requestCount('/api/v3/klines'), 3);
    assert.deepEqual(second.series, first.series);
  });

  it('names the field for a bad range or missing symbols', function () {
    assert.throws(() => parseExchangeSettings({ mode: 'backtest', backtestSource: 'exchange', backtestSymbols: 'BTC/USDT', backtestFrom: 'yesterday-ish', backtestTo: '2024-01-02' }), /exchange\.backtestFrom/);
    assert.throws(() => parseExchangeSettings({ mode: 'backtest', backtestSource: 'exchange', backtestFrom: '2024-01-01', backtestTo: '2024-01-02' }), /exchange\.backtestSymbols/);
  });
});
