/**
 * Portfolio.equityValue (the backtest's per-candle equity) is equity().equity, bit for bit, for
 * priced, unpriced, dust and other-currency balances, and after the quote currency changes.
 */
import assert from 'node:assert/strict';
import { Portfolio } from '../../core/trading/portfolio';

describe('Portfolio.equityValue', () => {
  it('is the same number as equity().equity', () => {
    const p = new Portfolio();
    p.setBalance('USDT', { free: 1000.1, used: 20.3 });
    p.setBalance('BTC', { free: 0.123456789, used: 0.01 });
    p.setBalance('ETH', { free: 1.5, used: 0 });
    p.setBalance('DOGE', { free: 1e-12, used: 0 });
    p.setBalance('XRP', { free: 10, used: 0 });
    p.mark('BTC/USDT', 43_210.987);
    p.mark('ETH/USDT', 2_345.6789);
    p.mark('BTC/EUR', 40_000.5);
    for (const currency of ['USDT', 'EUR', 'USDT', 'BTC']) {
      assert.equal(p.equityValue(currency), p.equity(currency).equity, currency);
    }
    p.mark('XRP/USDT', 0.61);
    assert.equal(p.equityValue('USDT'), p.equity('USDT').equity);
  });
});
