/**
 * Numbers for reading (core/format-number.ts): prices to the market's tick, amounts to its step,
 * money to cents of fiat and stablecoins and to 8 decimals of crypto currencies; the portfolio
 * message's display built from them.
 */
import assert from 'node:assert/strict';
import { formatAmount, formatMoney, formatPrice, isCentCurrency, stepDecimals } from '../../core/format-number';
import { portfolioDisplay, type PortfolioReport } from '../../core/trading/portfolio-report';

describe('format-number: numbers in statuses, notifications and the portfolio display', function () {
  it('a step gives its decimals, whatever binary makes of it', function () {
    assert.equal(stepDecimals(0.01), 2);
    assert.equal(stepDecimals(0.00001), 5);
    assert.equal(stepDecimals(1e-8), 8);
    assert.equal(stepDecimals(0.5), 1);
    assert.equal(stepDecimals(1), 0);
    assert.equal(stepDecimals(10), 0);
    assert.equal(stepDecimals(0), undefined);
    assert.equal(stepDecimals(undefined), undefined);
    assert.equal(stepDecimals(Number.NaN), undefined);
  });

  it('prices: to the tick size when the market has one, trailing zeros gone', function () {
    assert.equal(formatPrice(64012.53714161972, 0.01), '64012.54');
    assert.equal(formatPrice(64012.5, 0.01), '64012.5');
    assert.equal(formatPrice(0.0512345678, 0.000001), '0.051235');
    assert.equal(formatPrice(101.7, 0.5), '101.7');
    assert.equal(formatPrice(3000, 0.01), '3000');
  });

  it('prices without a tick size: 6 significant digits, at least 2 decimals', function () {
    assert.equal(formatPrice(64012.53714161972), '64012.54');
    assert.equal(formatPrice(1.23456789), '1.23457');
    assert.equal(formatPrice(0.0000123456789), '0.0000123457');
    assert.equal(formatPrice(0), '0');
    assert.equal(formatPrice(-2.5), '-2.5');
  });

  it('amounts: to the amount step, else at most 8 decimals; trailing zeros gone', function () {
    assert.equal(formatAmount(0.015623000000000001, 0.00001), '0.01562');
    assert.equal(formatAmount(0.0100000002, 0.0001), '0.01');
    assert.equal(formatAmount(0.1 + 0.2), '0.3');
    assert.equal(formatAmount(2, 0.001), '2');
  });

  it('money: fiat and stablecoins in cents (always 2 decimals), crypto to 8 decimals', function () {
    assert.equal(formatMoney(9896.33714161972, 'USDT'), '9896.34');
    assert.equal(formatMoney(10000, 'USDT'), '10000.00');
    assert.equal(formatMoney(12.5, 'EUR'), '12.50');
    assert.equal(formatMoney(-3.14159, 'usd'), '-3.14');
    assert.equal(formatMoney(-0.001, 'USDT'), '-0.001', 'a sum below a cent keeps two significant digits, not -0.00');
    assert.equal(formatMoney(0.0004123, 'USDT'), '0.00041');
    assert.equal(formatMoney(-0.0000000001, 'USDT'), '-0.0000000001');
    assert.equal(formatMoney(0, 'USDT'), '0.00');
    assert.equal(formatMoney(0.123456789123, 'BTC'), '0.12345679');
    assert.equal(formatMoney(1.5, 'ETH'), '1.5');
    assert.equal(formatMoney(0.000000001, 'BTC'), '0.000000001');
    assert.ok(isCentCurrency('USDC') && isCentCurrency('zar') && !isCentCurrency('BTC') && !isCentCurrency(undefined));
  });

  it('what is not a finite number is shown as it is', function () {
    assert.equal(formatPrice(Number.NaN), 'NaN');
    assert.equal(formatMoney(Number.POSITIVE_INFINITY, 'USDT'), 'Infinity');
    assert.equal(formatAmount(undefined as unknown as number), 'undefined');
  });

  it("the portfolio display: money in the report's currency, a position's prices and amount to its market, balances in their own currency", function () {
    const report: PortfolioReport = {
      kind: 'portfolio',
      exchange: 'sim',
      mode: 'sim',
      currency: 'USDT',
      equity: 9896.33714161972,
      unpriced: [],
      balances: { USDT: { free: 9296.337141619, used: 0, total: 9296.337141619 }, BTC: { free: 0.00937, used: 0, total: 0.00937 } },
      positions: [{ symbol: 'BTC/USDT', amount: 0.009370000000000001, avgEntry: 64012.53714161972, lastPrice: 64001.1, unrealizedPnl: -0.10716923, realizedPnl: 0, fees: 0.5998 }],
      realizedPnl: 0,
      realizedToday: 0,
      unrealizedPnl: -0.10716923,
      fees: 0.5998,
      openOrders: 0,
      ts: 0,
    };
    const d = portfolioDisplay(report, (symbol) => (symbol === 'BTC/USDT' ? { tickSize: 0.01, amountStep: 0.00001 } : {}));
    assert.deepEqual(d, {
      currency: 'USDT',
      equity: '9896.34',
      realizedPnl: '0.00',
      realizedToday: '0.00',
      unrealizedPnl: '-0.11',
      fees: '0.60',
      balances: { USDT: { free: '9296.34', used: '0.00', total: '9296.34' }, BTC: { free: '0.00937', used: '0', total: '0.00937' } },
      positions: [{ symbol: 'BTC/USDT', amount: '0.00937', avgEntry: '64012.54', lastPrice: '64001.1', unrealizedPnl: '-0.11', realizedPnl: '0.00', fees: '0.60' }],
    });
  });
});
