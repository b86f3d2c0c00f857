/**
 * The backtest report page's HTML (nodes/tradebot-backtest/report-data.ts) from a hand-made run:
 * the node's name in the title and the header (its id in small print), the id only when it has
 * no name; each sell with its P&L, P&L % and exit reason, buys without.
 */
import assert from 'node:assert/strict';
import type { BacktestReport } from '../../core/backtest';
import { renderReportPage, type StoredRun } from '../../nodes/tradebot-backtest/report-data';

const T0 = Date.UTC(2026, 11, 1);

function run(name: string): StoredRun {
  const report = {
    start: T0, end: T0 + 3 * 60_000, candles: 3, startEquity: 1000, endEquity: 1009.79, totalReturn: 0.00979, annualizedReturn: 1, buyAndHold: 0.1,
    maxDrawdown: 0, maxDrawdownDurationMs: 0, sharpe: 1, sortino: 1, roundTrips: 1, winRate: 1, profitFactor: Infinity, averageTrade: 9.79, exposure: 0.5, fees: 0.21,
    trades: [
      { clientOrderId: 'tb-in', symbol: 'ETH/USDT', side: 'buy', ts: T0 + 60_000, price: 100, amount: 1, fee: 0.1 },
      { clientOrderId: 'tb-in-tp', symbol: 'ETH/USDT', side: 'sell', ts: T0 + 120_000, price: 110, amount: 1, fee: 0.11, pnl: 9.79, pnlPct: 9.78021978, exitReason: 'take-profit' },
    ],
    equity: [[T0 + 60_000, 1000], [T0 + 120_000, 1009.79]], equityStep: 1,
  } as BacktestReport;
  return {
    node: { id: 'b000000000000001', name }, exchange: 'sample', currency: 'USDT', timeframe: '1m', ranAt: '2026-12-02T10:00:00.000Z', seconds: 0.1, report,
    chart: { timeframe: '1m', tfMs: 60_000, bucketMs: 60_000, start: T0, downsampled: false, prices: { 'ETH/USDT': [[T0, 100, 100, 100, 100]] }, equity: [[T0, 1000]] },
  };
}

describe('backtest report page HTML', function () {
  it("shows the node's name in the title and the header, its id in small print", function () {
    const html = renderReportPage(run('EMA cross, 2025'), '');
    assert.ok(html.includes('<title>Backtest report: EMA cross, 2025</title>'));
    assert.ok(html.includes('<h1>Backtest report: EMA cross, 2025</h1>'));
    assert.ok(html.includes('<span class="id">node b000000000000001</span>'));
    assert.ok(!html.includes('backtest b000000000000001'));
    const unnamed = renderReportPage(run(''), '');
    assert.ok(unnamed.includes('<title>Backtest report: backtest b000000000000001</title>'));
  });

  it('lists each sell with its P&L, P&L % and exit reason; a buy has none', function () {
    const html = renderReportPage(run('x'), '');
    const rows = [...html.matchAll(/<tr><td>\d+<\/td>.*?<\/tr>/g)].map((m) => m[0]);
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /<td class="l buy">buy<\/td>.*<td class=""><\/td><td class=""><\/td><td class="l reason"><\/td><td class="l">tb-in<\/td>/);
    assert.match(rows[1]!, /<td class="l sell">sell<\/td>.*<td class="pos">9\.79<\/td><td class="pos">9\.78 %<\/td><td class="l reason">take-profit<\/td><td class="l">tb-in-tp<\/td>/);
  });
});
