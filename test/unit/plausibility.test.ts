/** The tolerances for prices and times from messages (core/plausibility.ts), at their edges. */
import assert from 'node:assert/strict';
import { checkCandleTime, checkMarketPrice, checkMessageTime, checkOrderRequest, CLOCK_GRACE_MS, MAX_MESSAGE_AGE_MS } from '../../core/plausibility';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('plausibility tolerances', function () {
  it("a signal's price: within 20 % of the market price", function () {
    assert.equal(checkMarketPrice('msg.payload.price', 48_000, 60_000, 'BTC/USDT'), undefined);
    assert.equal(checkMarketPrice('msg.payload.price', 72_000, 60_000, 'BTC/USDT'), undefined);
    assert.match(checkMarketPrice('msg.payload.price', 47_999, 60_000, 'BTC/USDT')!, /^msg\.payload\.price: 47999 is more than 20 % away from the market price of BTC\/USDT \(60000\)/);
    assert.match(checkMarketPrice('msg.payload.price', 1e-9, 60_000, 'BTC/USDT')!, /1e-9/);
    assert.equal(checkMarketPrice('msg.payload.price', 1e-9, undefined, 'BTC/USDT'), undefined, 'no market price: nothing to compare with');
  });

  it('order prices: within a factor of 100; a market order price is not checked', function () {
    const base = { symbol: 'BTC/USDT', ts: NOW, type: 'limit' };
    assert.equal(checkOrderRequest({ ...base, price: 600 }, 60_000, NOW), undefined);
    assert.match(checkOrderRequest({ ...base, price: 599 }, 60_000, NOW)!, /^msg\.payload\.price: 599 is more than 100 times below/);
    assert.match(checkOrderRequest({ ...base, price: 60_000, takeProfit: 6_000_001 }, 60_000, NOW)!, /^msg\.payload\.takeProfit: .* above/);
    assert.equal(checkOrderRequest({ ...base, type: 'market', price: 1 }, 60_000, NOW), undefined);
    assert.match(checkOrderRequest({ ...base, type: 'market', stopLoss: 1 }, 60_000, NOW)!, /^msg\.payload\.stopLoss/);
  });

  it('times: 60 s ahead of the exchange clock at most, 24 h behind at most (when asked)', function () {
    assert.equal(checkMessageTime('msg.payload.ts', NOW + CLOCK_GRACE_MS, NOW), undefined);
    assert.match(checkMessageTime('msg.payload.ts', NOW + CLOCK_GRACE_MS + 1, NOW)!, /^msg\.payload\.ts: 2026-12-02T12:01:00\.001Z is ahead of the exchange's clock/);
    assert.equal(checkMessageTime('msg.payload.ts', NOW - MAX_MESSAGE_AGE_MS, NOW), undefined);
    assert.match(checkMessageTime('msg.payload.ts', NOW - MAX_MESSAGE_AGE_MS - 1, NOW)!, /more than 24 h behind the exchange's clock/);
    assert.equal(checkMessageTime('msg.payload.ts', 0, NOW, null), undefined, 'the future only');
    assert.match(checkMessageTime('msg.payload.ts', 8.64e15, NOW)!, /\+275760-09-13T00:00:00\.000Z/);
  });

  it('candles: one timeframe + 60 s ahead of the exchange clock at most', function () {
    assert.equal(checkCandleTime('msg.payload.ts', { ts: NOW + 3_600_000 + CLOCK_GRACE_MS, timeframe: '1h' }, NOW), undefined);
    assert.match(checkCandleTime('msg.payload.ts', { ts: NOW + 3_600_000 + CLOCK_GRACE_MS + 1, timeframe: '1h' }, NOW)!, /is ahead of the exchange's clock/);
    assert.equal(checkCandleTime('msg.payload.ts', { ts: 0, timeframe: '1m' }, NOW), undefined, 'history of any age is fine');
  });
});
