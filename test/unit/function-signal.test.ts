/**
 * node-red-contrib-tradebot/signal (signal.js at the package root, what a function node loads
 * through Setup > Modules): makeSignal gives the strategy node's signal for a candle and a side,
 * refuses bad input naming the field; alertToSignal answers webhook alerts with 200/400/401/500/503.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { StrategyRunner } from '../../core/strategies/strategy-runner';
import type { Candle } from '../../core/contract';
import { isValidationError } from '../../core/errors';

// The file a function node loads, by its path in the package (dist/test/unit -> the root).
const helper = require(path.resolve(__dirname, '..', '..', '..', 'signal.js')) as typeof import('../../core/strategies/function-signal') & typeof import('../../core/strategies/webhook-alert');

const candle: Candle = { kind: 'candle', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '5m', ts: 1_764_000_000_000, open: 100, high: 103, low: 99, close: 102, volume: 7 };

describe('signal helper (node-red-contrib-tradebot/signal)', function () {
  it('makes the signal the strategy node makes for the same strategy, candle and side (same id)', function () {
    const runner = new StrategyRunner('mine', () => ({ evaluate: () => ({ side: 'buy', strength: 0.5, reason: 'because' }) }) as any);
    const fromNode = runner.signalOf(candle, {}, false)!;
    const fromHelper = helper.makeSignal(candle, 'buy', { strategy: 'mine', strength: 0.5, reason: 'because' });
    assert.deepEqual(fromHelper, fromNode);
    assert.equal(fromHelper.ts, candle.ts + 5 * 60_000, 'ts is the candle\'s close time');
    assert.equal(fromHelper.price, 102);
  });

  it('the id is deterministic: the same candle again gives the same id; another side, candle or strategy another', function () {
    const a = helper.makeSignal(candle, 'buy', { strategy: 'mine' });
    assert.equal(helper.makeSignal({ ...candle }, 'buy', { strategy: 'mine', reason: 'other words' }).id, a.id);
    assert.notEqual(helper.makeSignal(candle, 'sell', { strategy: 'mine' }).id, a.id);
    assert.notEqual(helper.makeSignal({ ...candle, ts: candle.ts + 300_000 }, 'buy', { strategy: 'mine' }).id, a.id);
    assert.notEqual(helper.makeSignal(candle, 'buy', { strategy: 'theirs' }).id, a.id);
  });

  it('refuses bad input with a ValidationError naming the field', function () {
    const refused = (fn: () => unknown, field: RegExp) =>
      assert.throws(fn, (err: Error) => {
        assert.ok(isValidationError(err), `${err.message} is a validation error`);
        assert.match(err.message, field);
        return true;
      });
    refused(() => helper.makeSignal(candle, undefined, { strategy: 'mine' }), /^side: /);
    refused(() => helper.makeSignal(candle, 'long', { strategy: 'mine' }), /^side: /);
    refused(() => helper.makeSignal({ ...candle, close: 'x' }, 'buy', { strategy: 'mine' }), /^candle\.close: /);
    refused(() => helper.makeSignal(undefined, 'buy', { strategy: 'mine' }), /^candle: /);
    refused(() => helper.makeSignal(candle, 'buy', {} as any), /^options\.strategy: /);
    refused(() => helper.makeSignal(candle, 'buy', { strategy: 'mine', strength: 2 }), /^options\.strength: /);
    refused(() => helper.makeSignal(candle, 'buy', { strategy: 'mine', fraction: 0.5 }), /^signal\.fraction: only a sell/);
    refused(() => helper.checkSignal({ ...helper.makeSignal(candle, 'buy', { strategy: 'mine' }), side: undefined }), /^msg\.payload\.side: /);
  });

  describe('alertToSignal', function () {
    const SECRET = 'correct horse battery staple';
    const quote = { exchange: 'sim', price: 61_000, ts: 1_764_000_123_456 };
    const settings = { secret: SECRET, market: (s: string) => (s === 'BTC/USDT' ? quote : undefined) };
    const alert = { secret: SECRET, symbol: 'BTC/USDT', side: 'buy', time: '2026-12-03T04:05:00Z', price: '60990.5', strategy: 'tv ema' };

    it('a good alert: 200 and a signal at the exchange\'s price and clock, id from the bar time', function () {
      const answer = helper.alertToSignal(alert, {}, settings);
      assert.equal(answer.status, 200, JSON.stringify(answer));
      if (answer.status !== 200) return;
      assert.equal(answer.signal.price, 61_000);
      assert.equal(answer.signal.ts, quote.ts);
      assert.equal(answer.signal.candleTs, Date.parse('2026-12-03T04:05:00Z'));
      assert.equal(answer.signal.strategy, 'tv ema');
      assert.deepEqual(answer.body, { ok: true, signal: answer.signal.id });
      assert.ok(!JSON.stringify(answer).includes(SECRET), 'the secret is in no answer');
      // The same alert again (as text, the way TradingView sends a body it does not take for JSON): the same id.
      const again = helper.alertToSignal(JSON.stringify({ ...alert, time: Date.parse(alert.time) }), {}, settings);
      assert.equal(again.status === 200 && again.signal.id, answer.signal.id);
      const next = helper.alertToSignal({ ...alert, time: '2026-12-03T04:10:00Z' }, {}, settings);
      assert.notEqual(next.status === 200 && next.signal.id, answer.signal.id);
    });

    it('the secret may come in the X-Tradebot-Secret header instead', function () {
      const { secret: _s, ...noSecret } = alert;
      assert.equal(helper.alertToSignal(noSecret, { 'x-tradebot-secret': SECRET }, settings).status, 200);
      assert.equal(helper.alertToSignal(noSecret, { 'x-tradebot-secret': 'nope' }, settings).status, 401);
    });

    it('refusals: 401 for a missing or wrong secret, 400 naming the field, 503 without a price, 500 without a secret set', function () {
      const { secret: _s, ...noSecret } = alert;
      const cases: Array<[unknown, number, RegExp, typeof settings?]> = [
        [{ ...alert, secret: 'wrong' }, 401, /^secret: /],
        [noSecret, 401, /^secret: /],
        ['{not json', 400, /^body: must be a JSON object/],
        [[1, 2], 400, /^body: /],
        [{ ...alert, side: undefined }, 400, /^body\.side: /],
        [{ ...alert, symbol: 'BTCUSDT' }, 400, /^body\.symbol: /],
        [{ ...alert, time: 'yesterday' }, 400, /^body\.time: /],
        [{ ...alert, price: 'abc' }, 400, /^body\.price: /],
        [{ ...alert, side: 'buy', fraction: 0.5 }, 400, /^body\.fraction: /],
        [{ ...alert, symbol: 'ETH/USDT' }, 503, /^body\.symbol: no market price/],
        [alert, 500, /not set/, { ...settings, secret: '' }],
      ];
      for (const [body, status, error, s] of cases) {
        const answer = helper.alertToSignal(body, {}, s ?? settings);
        assert.equal(answer.status, status, `${JSON.stringify(body)}: ${JSON.stringify(answer)}`);
        assert.ok('error' in answer && error.test(answer.error), `${JSON.stringify(body)}: ${JSON.stringify(answer)}`);
        assert.ok(!('signal' in answer));
      }
      // A wrong secret is refused before the rest is read: a bad body with a bad secret is a 401.
      assert.equal(helper.alertToSignal({ secret: 'wrong', side: 'up' }, {}, settings).status, 401);
    });
  });
});
