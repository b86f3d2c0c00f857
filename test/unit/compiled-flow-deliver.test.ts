/**
 * CompiledFlow.deliverNow (core/backtest/compiled/compiled-flow.ts): in a backtest's run the account
 * books without waiting (TradingAccount.bookWithoutWaiting), so every candle, a hold or one whose
 * signal goes through the risk gate to an order, is handled to its end before deliverNow returns,
 * with no promise. Run through ExchangeSession.runBacktest in backtest mode on a small history
 * file, as the backtest node runs the fast path.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompiledFlow } from '../../core/backtest/compiled/compiled-flow';
import { planFlow } from '../../core/backtest/compiled/flow-plan';
import type { OhlcvRow } from '../../core/contract';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { settingsFromEditor } from '../../nodes/tradebot-exchange/spec';

const T0 = Date.UTC(2024, 0, 1);
const N = 600;

describe('CompiledFlow.deliverNow: no promise, orders booked at once', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-deliver-now-'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('returns no promise for any candle of the run: each order is booked before deliverNow returns', async function () {
    const rows: OhlcvRow[] = Array.from({ length: N }, (_, i) => {
      const close = 100 + 5 * Math.sin(i / 7) + 2 * Math.sin(i / 2.3);
      return [T0 + i * 60_000, close, close * 1.001, close * 0.999, close, 1];
    });
    const file = path.join(dir, 'wave-1m.json');
    fs.writeFileSync(file, JSON.stringify(rows));
    const exchange = { id: 'ex', type: 'tradebot-exchange', mode: 'backtest', exchangeId: 'binance', simBalances: 'USDT=10000', feeRatePct: 0.1, slippagePct: 0.05, reportCurrency: 'USDT', backtestData: `WAVE/USDT = ${file}`, backtestTimeframe: '1m', backtestWarmup: 50 };
    const flow = [
      { id: 't', type: 'tab' },
      exchange,
      { id: 'c', type: 'tradebot-candles', z: 't', source: 'exchange', exchange: 'ex', symbols: 'WAVE/USDT', timeframe: '1m', warmup: 50, wires: [['i']] },
      { id: 'i', type: 'tradebot-indicator', z: 't', indicators: [{ name: 'ema20', type: 'ema', period: 20 }], wires: [['s']] },
      { id: 's', type: 'tradebot-strategy', z: 't', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, wires: [['r'], []] },
      { id: 'r', type: 'tradebot-risk-gate', z: 't', exchange: 'ex', sizing: 'quote', quoteAmount: '100', accountCurrency: 'USDT', stopMode: 'none', orderType: 'market', wires: [['p'], []] },
      { id: 'p', type: 'tradebot-place-order', z: 't', exchange: 'ex', currency: 'USDT', wires: [[], []] },
    ];
    const session = new ExchangeSession(parseExchangeSettings(settingsFromEditor(exchange as never, undefined)), 'deliver-now-test');
    try {
      const planned = planFlow(flow, 'ex', '1m');
      assert.ok('plan' in planned, JSON.stringify(planned));
      const errors: string[] = [];
      const compiled = await CompiledFlow.build(planned.plan, await session.compiledContext(), (id, err) => errors.push(`${id}: ${err.message}`));
      const account = await session.account();
      let candles = 0;
      let waited = 0;
      let ordersPlaced = 0;
      let bookingNow = 0;
      const deliverNow = compiled.deliverNow.bind(compiled);
      compiled.deliverNow = (candle) => {
        candles++;
        if (account.booksWithoutWaiting) bookingNow++;
        const before = account.version;
        const open = account.openOrders().length;
        const pending = deliverNow(candle);
        if (pending) waited++;
        // A market order decided at the close waits for the next open: recorded (open) by now.
        if (account.openOrders().length > open) ordersPlaced++;
        else assert.equal(account.version, before, 'a candle that placed no order changed nothing in the account');
        return pending;
      };
      const report = await session.runBacktest(async () => undefined, undefined, compiled);
      assert.deepEqual(errors, []);
      assert.equal(candles, N - 50);
      assert.equal(bookingNow, candles, 'the account books without waiting during the run');
      assert.equal(account.booksWithoutWaiting, false, 'and waits again once it is over');
      assert.equal(waited, 0, 'no candle returned a promise');
      assert.ok(report.trades.length >= 10, `${report.trades.length} fills`);
      // Every order placed at a close filled at the next open (the last one may be left open at the end).
      assert.ok(ordersPlaced === report.trades.length || ordersPlaced === report.trades.length + 1, `${ordersPlaced} orders, ${report.trades.length} fills`);
    } finally {
      await session.close();
    }
  });
});
