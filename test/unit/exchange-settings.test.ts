import assert from 'node:assert/strict';
import { parseExchangeSettings } from '../../core/exchange-settings';
import { settingsFromEditor } from '../../nodes/tradebot-exchange/editor-settings';

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
