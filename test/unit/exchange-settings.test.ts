import assert from 'node:assert/strict';
import { defaultUnknownOrderWindowMs } from '../../core/trading/live-executor';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { settingsFromEditor } from '../../nodes/tradebot-exchange/spec';
import { isConfigError } from '../../core/errors';
import { parseBalances } from '../../core/exchange-settings';

describe('exchange settings', function () {
  it('defaults to the simulated market', function () {
    const s = parseExchangeSettings({});
    assert.equal(s.mode, 'sim');
    assert.equal(s.simSeed, 42);
    assert.equal(s.simSpeed, 1);
  });

  it('refuses live mode without credentials and without the opt-in, naming both', function () {
    assert.throws(() => parseExchangeSettings({ mode: 'live' }), (err: Error) => {
      assert.match(err.message, /exchange\.credentials: live mode needs an API key and secret/);
      assert.match(err.message, /exchange\.liveOptIn: live mode places real orders/);
      return true;
    });
    assert.throws(() => parseExchangeSettings({ mode: 'live', credentials: { apiKey: 'k', secret: 's' } }), /liveOptIn/);
    const ok = parseExchangeSettings({ mode: 'live', liveOptIn: true, credentials: { apiKey: 'k', secret: 's' } });
    assert.equal(ok.mode, 'live');
  });

  it('names the field for bad values', function () {
    assert.throws(() => parseExchangeSettings({ baseUrl: 'ftp://x' }), /exchange\.baseUrl: must be an http/);
    assert.throws(() => parseExchangeSettings({ simSpeed: 0 }), /exchange\.simSpeed/);
    assert.throws(() => parseExchangeSettings({ maxNotional: -5 }), /exchange\.maxNotional/);
    assert.throws(() => parseExchangeSettings({ exchangeId: 'Bin ance' }), /exchange\.exchangeId: must be a ccxt exchange id/);
    assert.throws(() => parseExchangeSettings({ mode: 'backtest' }), /exchange\.backtestData: backtest mode needs data/);
    assert.throws(() => parseExchangeSettings({ unknownWindowSec: 0.1 }), /exchange\.unknownWindowSec/);
    assert.throws(() => parseExchangeSettings({ unknownWindowSec: 601 }), /exchange\.unknownWindowSec/);
  });

  it('a bad setting is a ConfigError naming its field (first of the form, then of the mode, then of a list)', function () {
    const refused = (f: () => unknown, field: string) =>
      assert.throws(f, (err: unknown) => isConfigError(err) && (err as { field?: string }).field === field, `refused as a ConfigError on ${field}`);
    refused(() => parseExchangeSettings({ simSpeed: 0 }), 'exchange.simSpeed');
    refused(() => parseExchangeSettings({ mode: 'live', credentials: { apiKey: 'k', secret: 's' } }), 'exchange.liveOptIn');
    refused(() => parseExchangeSettings({ mode: 'backtest', backtestData: 'BTC/USDT' }), 'exchange.backtestData');
    refused(() => parseExchangeSettings({ simBalances: 'USDT=1, USDT=2' }), 'exchange.simBalances');
    refused(() => parseBalances('USDT=lots'), 'exchange.simBalances');
  });

  it('the unknown-order window: empty takes the exchange default, seconds from the editor field', function () {
    const fields = { id: 'x', type: 'tradebot-exchange', mode: 'sim' } as any;
    assert.equal(parseExchangeSettings(settingsFromEditor({ ...fields, unknownWindowSec: '' }, {})).unknownWindowSec, undefined);
    assert.equal(parseExchangeSettings(settingsFromEditor({ ...fields, unknownWindowSec: '20' }, {})).unknownWindowSec, 20);
    assert.throws(() => parseExchangeSettings(settingsFromEditor({ ...fields, unknownWindowSec: 'soon' }, {})), /exchange\.unknownWindowSec/);
    assert.equal(defaultUnknownOrderWindowMs({ id: 'binance', options: { recvWindow: 10_000 } }), 15_000, 'Binance: recvWindow + 5 s');
    assert.equal(defaultUnknownOrderWindowMs({ id: 'binance', options: { recvWindow: 5_000 } }), 10_000);
    assert.equal(defaultUnknownOrderWindowMs({ id: 'kraken', options: {} }), 60_000);
  });

  it('reads the editor fields: empty strings are unset, numbers parsed, credentials kept apart', function () {
    const input = settingsFromEditor(
      { id: 'x', type: 'tradebot-exchange', name: '', z: '', exchangeId: 'kraken', mode: 'paper', sandbox: true, baseUrl: '', maxNotional: '250', liveOptIn: false, simSeed: '7', simSpeed: '', simTickMs: 1000, timeoutMs: '' } as any,
      { apiKey: 'key', secret: '' },
    );
    const s = parseExchangeSettings(input);
    assert.equal(s.exchangeId, 'kraken');
    assert.equal(s.maxNotional, 250);
    assert.equal(s.simSeed, 7);
    assert.equal(s.simSpeed, 1);
    assert.equal(s.baseUrl, undefined);
    assert.deepEqual(s.credentials, { apiKey: 'key', secret: undefined, password: undefined });
    assert.throws(() => parseExchangeSettings(settingsFromEditor({ simSeed: 'abc' } as any, {})), /exchange\.simSeed/);
  });
});
