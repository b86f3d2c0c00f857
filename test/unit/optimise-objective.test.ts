import assert from 'node:assert/strict';
import { MAX_PROFIT_FACTOR, MIN_CALMAR_DRAWDOWN, objectiveValue, scoreReport } from '../../core/optimise/objective';

const report = (over: Partial<Parameters<typeof scoreReport>[0]> = {}) => ({
  totalReturn: 0.12,
  annualizedReturn: 0.3,
  maxDrawdown: 0.15,
  sharpe: 1.4,
  sortino: 2.1,
  profitFactor: 1.8,
  roundTrips: 10,
  ...over,
});

describe('optimise: objective', () => {
  it('reads each objective from the report', () => {
    assert.equal(objectiveValue(report(), 'totalReturn'), 0.12);
    assert.equal(objectiveValue(report(), 'sharpe'), 1.4);
    assert.equal(objectiveValue(report(), 'sortino'), 2.1);
    assert.equal(objectiveValue(report(), 'calmar'), 0.3 / 0.15);
    assert.equal(objectiveValue(report(), 'profitFactor'), 1.8);
  });

  it('calmar floors the drawdown at 1 %, for every run alike', () => {
    assert.equal(MIN_CALMAR_DRAWDOWN, 0.01);
    assert.equal(objectiveValue(report({ maxDrawdown: 0, annualizedReturn: 0.05 }), 'calmar'), 5);
    assert.equal(objectiveValue(report({ maxDrawdown: 0.004, annualizedReturn: 0.05 }), 'calmar'), 5);
    assert.equal(objectiveValue(report({ maxDrawdown: 0, annualizedReturn: 0 }), 'calmar'), 0);
    // A smaller gain with no drawdown still ranks below a larger gain with a small one.
    assert.ok(objectiveValue(report({ maxDrawdown: 0, annualizedReturn: 0.02 }), 'calmar') < objectiveValue(report({ maxDrawdown: 0.02, annualizedReturn: 0.1 }), 'calmar'));
  });

  it('caps a profit factor without losing trades', () => {
    assert.equal(objectiveValue(report({ profitFactor: Infinity }), 'profitFactor'), MAX_PROFIT_FACTOR);
    assert.equal(objectiveValue(report({ profitFactor: 0 }), 'profitFactor'), 0);
  });

  it('scores runs with fewer trades than the minimum -Infinity, marked', () => {
    assert.deepEqual(scoreReport(report({ roundTrips: 2 }), 'sharpe', 3), { value: -Infinity, trades: 2, tooFewTrades: true, invalid: false });
    assert.deepEqual(scoreReport(report({ roundTrips: 3 }), 'sharpe', 3), { value: 1.4, trades: 3, tooFewTrades: false, invalid: false });
    assert.equal(scoreReport(report({ roundTrips: 0 }), 'totalReturn', 0).value, 0.12);
  });

  it('scores a value that is not a number -Infinity, marked invalid', () => {
    assert.deepEqual(scoreReport(report({ sharpe: NaN }), 'sharpe', 1), { value: -Infinity, trades: 10, tooFewTrades: false, invalid: true });
  });
});
