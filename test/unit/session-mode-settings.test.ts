/**
 * The exchange settings checked per mode (core/session/mode-settings.ts): each mode takes its own
 * fields and refuses another mode's, naming it; the exchange node's form keeps every field.
 */
import assert from 'node:assert/strict';
import { ExchangeSession } from '../../core/session/exchange-session';
import { modeFields, parseExchangeSettings, parseModeSettings } from '../../core/session/mode-settings';

describe('exchange settings per mode', function () {
  it('a live setting on a sim session is refused, naming the field', function () {
    assert.throws(() => parseModeSettings({ mode: 'sim', liveOptIn: true }), /exchange\.liveOptIn: not a setting of sim mode/);
    assert.throws(() => parseModeSettings({ mode: 'sim', reconcileSec: 60 }), /exchange\.reconcileSec: not a setting of sim mode/);
    assert.equal(parseModeSettings({ mode: 'sim', simSpeed: 60 }).mode, 'sim');
  });

  it('each mode refuses the fields of the others', function () {
    assert.throws(() => parseModeSettings({ mode: 'paper', backtestData: 'BTC/USDT = a.json' }), /exchange\.backtestData: not a setting of paper mode/);
    assert.throws(() => parseModeSettings({ mode: 'live', liveOptIn: true, credentials: { apiKey: 'key1', secret: 'sec1' }, simBalances: 'USDT=5' }), /exchange\.simBalances: not a setting of live mode/);
    assert.throws(() => parseModeSettings({ mode: 'backtest', backtestData: 'BTC/USDT = a.json', simSpeed: 5 }), /exchange\.simSpeed: not a setting of backtest mode/);
    assert.ok(!modeFields('sim').includes('liveOptIn'));
    assert.ok(modeFields('live').includes('reconcileSec'));
    assert.ok(modeFields('backtest').includes('feeRate') && !modeFields('live').includes('feeRate'), 'simulated fees in backtest, the exchange charges live');
  });

  it("checks each mode's needs in that mode only", function () {
    assert.throws(() => parseModeSettings({ mode: 'live' }), (err: Error) => {
      assert.match(err.message, /exchange\.credentials: live mode needs an API key and secret/);
      assert.match(err.message, /exchange\.liveOptIn: live mode places real orders/);
      return true;
    });
    assert.equal(parseModeSettings({ mode: 'live', liveOptIn: true, credentials: { apiKey: 'key1', secret: 'sec1' } }).mode, 'live');
    assert.throws(() => parseModeSettings({ mode: 'backtest' }), /exchange\.backtestData: backtest mode needs data/);
    assert.throws(() => parseModeSettings({ mode: 'backtest', backtestSource: 'exchange', backtestSymbols: 'BTC/USDT', backtestFrom: '2024-02-01', backtestTo: '2024-01-01' }), /exchange\.backtestTo: must be after backtestFrom/);
    // Paper and sim need neither credentials nor the opt-in.
    assert.equal(parseModeSettings({ mode: 'paper' }).mode, 'paper');
  });

  it("the exchange node's form keeps the other modes' fields, and still refuses a bad value in any of them", function () {
    // The dialog sends every field: the opt-in ticked before switching to sim is not a mistake.
    const s = parseExchangeSettings({ mode: 'sim', liveOptIn: true, backtestData: '' });
    assert.equal(s.mode, 'sim');
    assert.throws(() => parseExchangeSettings({ mode: 'sim', reconcileSec: 5 }), /exchange\.reconcileSec: must be at least 10/);
  });

  it('a session is checked for its mode when it is made', function () {
    const sim = parseExchangeSettings({});
    assert.throws(() => new ExchangeSession({ ...sim, mode: 'live' }, 'per-mode-test'), /exchange\.liveOptIn: live mode places real orders/);
    assert.throws(() => new ExchangeSession({ ...sim, mode: 'backtest' }, 'per-mode-test'), /exchange\.backtestData/);
  });

  it("names each mode's session as before (payloads' exchange, status label, candle close grace)", async function () {
    const made = [
      new ExchangeSession(parseExchangeSettings({ mode: 'sim' }), 'names-sim'),
      new ExchangeSession(parseExchangeSettings({ mode: 'paper', exchangeId: 'kraken' }), 'names-paper'),
      new ExchangeSession(parseExchangeSettings({ mode: 'live', exchangeId: 'kraken', liveOptIn: true, credentials: { apiKey: 'key1', secret: 'sec1' } }), 'names-live'),
      new ExchangeSession(parseExchangeSettings({ mode: 'backtest', backtestData: 'BTC/USDT = a.json' }), 'names-backtest'),
    ];
    try {
      assert.deepEqual(
        made.map((s) => [s.exchangeName, s.label, s.candleCloseGraceMs]),
        [
          ['sim', 'sim', 0],
          ['kraken', 'kraken (paper)', 2000],
          ['kraken', 'kraken (live)', 2000],
          ['backtest', 'backtest', 0],
        ],
      );
      await assert.rejects(made[0]!.runBacktest(async () => undefined), /the exchange node is not in backtest mode/);
    } finally {
      for (const s of made) await s.close();
    }
  });
});
