/** Force exit requests: which positions, how much, and an id that stays the same for the same position. */
import assert from 'node:assert/strict';
import { forceExitOrderId, forceExitRequests, parseForceExitTarget } from '../../core/risk/force-exit';
import { Portfolio } from '../../core/trading/portfolio';

const market = (symbol: string, amountStep = 0.00001) => ({ symbol, base: symbol.split('/')[0]!, quote: 'USDT', tickSize: 0.01, amountStep, minAmount: amountStep, minNotional: 5, active: true });
const markets = new Map([['BTC/USDT', market('BTC/USDT')], ['ETH/USDT', market('ETH/USDT', 0.0001)]]);

function portfolio(): Portfolio {
  const p = new Portfolio();
  p.setBalance('USDT', { free: 10_000, used: 0 });
  p.applyFill({ symbol: 'BTC/USDT', side: 'buy', amount: 0.0123456, price: 50_000, fee: { cost: 0, currency: 'USDT' }, ts: 1_000 });
  p.applyFill({ symbol: 'ETH/USDT', side: 'buy', amount: 0.5, price: 3000, fee: { cost: 0, currency: 'USDT' }, ts: 2_000 });
  return p;
}

describe('force exit', function () {
  it('one symbol: a market sell of the held amount, floored to the step, marked "force exit"', function () {
    const [r] = forceExitRequests({ symbol: 'BTC/USDT' }, { portfolio: portfolio(), markets, exchange: 'sim', now: 5_000 });
    assert.deepEqual([r!.side, r!.type, r!.amount, r!.reason, r!.ts], ['sell', 'market', 0.01234, 'force exit', 5_000]);
    assert.match(r!.clientOrderId, /^tb-fx-[0-9a-f]{24}$/);
  });

  it('the id comes from the position: the same position gives the same id whenever asked; a changed one a new id', function () {
    const p = portfolio();
    const a = forceExitRequests({ all: true }, { portfolio: p, markets, exchange: 'sim', now: 5_000 });
    const b = forceExitRequests({ all: true }, { portfolio: p, markets, exchange: 'sim', now: 9_000, reason: 'force exit: drawdown breaker tripped (flatten)' });
    assert.deepEqual(a.map((r) => r.clientOrderId), b.map((r) => r.clientOrderId));
    assert.equal(new Set(a.map((r) => r.clientOrderId)).size, 2);
    p.applyFill({ symbol: 'BTC/USDT', side: 'buy', amount: 0.001, price: 50_000, fee: { cost: 0, currency: 'USDT' }, ts: 3_000 });
    const [c] = forceExitRequests({ symbol: 'BTC/USDT' }, { portfolio: p, markets, exchange: 'sim', now: 9_000 });
    assert.notEqual(c!.clientOrderId, a[0]!.clientOrderId);
    assert.equal(forceExitOrderId({ symbol: 'X/Y', lastTradeTs: 1, amount: 2 }).length <= 36, true);
  });

  it('all: every held position, skipping excluded symbols', function () {
    const all = forceExitRequests({ all: true }, { portfolio: portfolio(), markets, exchange: 'sim', now: 5_000, exclude: ['ETH/USDT'] });
    assert.deepEqual(all.map((r) => r.symbol), ['BTC/USDT']);
    assert.deepEqual(forceExitRequests({ all: true }, { portfolio: new Portfolio(), markets, exchange: 'sim', now: 5_000 }), []);
  });

  it('bad input names the field', function () {
    assert.throws(() => parseForceExitTarget(undefined), /^Error: msg\.payload: a force exit needs an object/);
    assert.throws(() => parseForceExitTarget([]), /msg\.payload: .*got an array/);
    assert.throws(() => parseForceExitTarget({ all: 1 }), /msg\.payload\.all: must be true/);
    assert.throws(() => parseForceExitTarget({ symbol: '' }), /msg\.payload\.symbol: must be a market symbol/);
    assert.throws(() => parseForceExitTarget({}, 'argument'), /argument\.symbol/);
    assert.throws(() => forceExitRequests({ symbol: 'SOL/USDT' }, { portfolio: portfolio(), markets, exchange: 'sim', now: 1 }), /msg\.payload\.symbol: SOL\/USDT is not a market on sim/);
    assert.throws(() => forceExitRequests({ symbol: 'ETH/USDT' }, { portfolio: new Portfolio(), markets, exchange: 'sim', now: 1 }), /msg\.payload\.symbol: no ETH\/USDT position is held/);
  });

  it('an attempt that ended without selling (rejected) leaves the position as it was: the next force exit is a new attempt with its own id', function () {
    const p = portfolio();
    const ctx = { portfolio: p, markets, exchange: 'sim', now: 5_000 };
    const [first] = forceExitRequests({ symbol: 'BTC/USDT' }, ctx);
    const [again] = forceExitRequests({ symbol: 'BTC/USDT' }, { ...ctx, finished: () => false });
    assert.equal(again!.clientOrderId, first!.clientOrderId, 'still on its way (or never sent): the same id');
    const ended = new Set([first!.clientOrderId]);
    const [retry] = forceExitRequests({ symbol: 'BTC/USDT' }, { ...ctx, finished: (id) => ended.has(id) });
    assert.notEqual(retry!.clientOrderId, first!.clientOrderId);
    assert.equal(retry!.clientOrderId, forceExitOrderId(p.position('BTC/USDT')!, 1));
  });
});
