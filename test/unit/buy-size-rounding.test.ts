/**
 * The size of a buy of a quote sum (docs/backtest.md "Money", docs/nodes/tradebot-risk-gate.md): floor(Q / P) to
 * the market's amount step, never one step above it when the division lands just below a step
 * in floating point (0.3 / 0.1 = 2.9999999999999996).
 */
import assert from 'node:assert/strict';
import type { Signal } from '../../core/contract';
import { initialRiskState, RiskGate } from '../../core/risk/risk-gate';
import { parseRiskSettings } from '../../core/risk/settings';
import { Portfolio } from '../../core/trading/portfolio';
import { amountForQuote } from '../../core/trading/precision';

function buyAmount(quoteAmount: number, price: number, amountStep: number): number {
  const portfolio = new Portfolio();
  portfolio.setBalance('USDT', { free: 1_000_000, used: 0 });
  portfolio.mark('ETH/USDT', price);
  const gate = new RiskGate(parseRiskSettings({ sizing: 'quote', quoteAmount, accountCurrency: 'USDT' }), initialRiskState());
  const signal: Signal = { kind: 'signal', id: 'sig-0000000000000000000000a1', exchange: 'sim', symbol: 'ETH/USDT', timeframe: '1m', side: 'buy', price, ts: 0, candleTs: 0, strategy: 't', strength: 1, reason: 'test' };
  const out = gate.evaluate(signal, { portfolio, market: { symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', amountStep, active: true }, indicators: {}, openOrderSymbols: [] });
  assert.ok('request' in out, JSON.stringify(out));
  return out.request.amount;
}

/** A small deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('buy size: floor(quote / price) to the amount step', function () {
  it('the risk gate sizes 0.3 at 0.1 with step 1 as 2 units, not 3 (the division gives 2.9999999999999996)', function () {
    assert.equal(0.3 / 0.1 < 3, true, 'the case this test is about');
    assert.equal(buyAmount(0.3, 0.1, 1), 2);
    assert.equal(buyAmount(0.3, 0.1, 0.001), 2.999);
    assert.equal(buyAmount(0.3, 0.05, 0.01), 5.99);
    assert.equal(buyAmount(0.3, 0.025, 1e-8), 11.99999999);
    assert.equal(buyAmount(0.7, 0.1, 0.001), 6.999); // 0.7 / 0.1 = 6.999999999999999
  });

  it('a quotient that is a whole number of steps in floating point keeps that number of steps', function () {
    assert.equal(buyAmount(100, 0.25, 1), 400);
    assert.equal(buyAmount(123, 50_000, 0.00001), 0.00246);
    assert.equal(buyAmount(1, 0.5, 0.5), 2);
  });

  it('over many prices, quote sums and steps: never above the quotient, never a whole step below it', function () {
    const rnd = lcg(13);
    const steps = [1, 0.5, 0.1, 0.01, 0.001, 0.00001, 1e-8, 5e-7, 0.25];
    for (let i = 0; i < 20_000; i++) {
      const quote = Number((rnd() * 1000).toFixed(Math.floor(rnd() * 4)));
      const price = Number((0.001 + rnd() * 100).toFixed(1 + Math.floor(rnd() * 5)));
      const step = steps[i % steps.length]!;
      if (!(quote > 0) || !(price > 0)) continue;
      const q = quote / price;
      const amount = amountForQuote(quote, price, step);
      const units = Math.round(amount / step);
      assert.ok(amount <= q, `${quote} / ${price} = ${q}, step ${step}: amount ${amount} is above the quotient`);
      assert.ok(Math.abs(amount - units * step) <= 1e-9 * Math.max(step, amount), `${amount} is not a multiple of ${step}`);
      const next = Number(((units + 1) * step).toFixed(12));
      assert.ok(next > q, `${quote} / ${price} = ${q}, step ${step}: ${amount} is a whole step below (${next} fits)`);
    }
  });

  it('no step: the quotient itself', function () {
    assert.equal(amountForQuote(0.3, 0.1, undefined), 0.3 / 0.1);
  });
});
