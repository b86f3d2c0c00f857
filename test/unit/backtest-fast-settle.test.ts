/**
 * The fast path's replay (core/backtest/run.ts, `flowListens: false`): no turn of the event loop
 * after account work, only the account's own work waited for (settleAccount), and no promise for
 * a candle the flow finished at once. On real candles, with stop-losses, take-profits and
 * trailing stops firing on the price paths, it must give the very report of the replay that
 * gives the flow a turn after each step (the Node-RED path's way).
 */
import assert from 'node:assert/strict';
import type { BacktestReport, Deliver } from '../../core/backtest';
import { BacktestExecutor } from '../../core/backtest/backtest-executor';
import { replay, settleAccount } from '../../core/backtest/run';
import type { OhlcvRow } from '../../core/contract';
import { initialRiskState, RiskGate } from '../../core/risk/risk-gate';
import { parseRiskSettings } from '../../core/risk/settings';
import { MemoryStore } from '../../core/state-store';
import { defaultStrategyName, parseStrategySettings } from '../../core/strategies/settings';
import { StrategyRunner, strategyFactory } from '../../core/strategies/strategy-runner';
import { TradingAccount } from '../../core/trading/account';
import { splitSymbol } from '../../core/market/symbol';
import { loadCandles, skipWithoutOhlcv } from '../support/ohlcv-data';

describe('settleAccount: waits for the account, not for a turn of the event loop', function () {
  it('is nothing to wait for when the account is settled', function () {
    assert.equal(settleAccount({ settled: true, flush: () => Promise.reject(new Error('not called')) }), undefined);
  });

  it('waits again while the work it waited for set off more (a stop close after a fill)', async function () {
    let pending = 3;
    let flushes = 0;
    const account = {
      get settled() {
        return pending === 0;
      },
      flush: () => {
        flushes++;
        return Promise.resolve().then(() => void pending--);
      },
    };
    const waiting = settleAccount(account);
    assert.ok(waiting instanceof Promise);
    await waiting;
    assert.equal(pending, 0);
    assert.equal(flushes, 3);
  });
});

interface Run {
  report: BacktestReport;
  /** Candles the flow handled without a promise. */
  synchronous: number;
  delivered: number;
}

/** One replay of the rows through strategy -> risk gate (with stops) -> account, as runBacktest sets it up. */
async function run(symbol: string, rows: OhlcvRow[], timeframe: string, flowListens: boolean): Promise<Run> {
  const { base, quote } = splitSymbol(symbol);
  let now = 0;
  const account = new TradingAccount({
    exchangeId: 'backtest',
    mode: 'backtest',
    store: new MemoryStore(),
    storeKey: 'backtest',
    now: () => now,
    initialBalances: { [quote]: 10, [base]: 0 },
    market: (s) => (s === symbol ? { symbol, base, quote, amountStep: 1e-8, active: true } : undefined),
  });
  const executor = new BacktestExecutor({ exchangeId: 'backtest', portfolio: account.portfolio, feeRate: 0.001, slippage: 0.0005, now: () => now });
  await account.init(executor);
  const settings = parseStrategySettings({ strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30 });
  if (settings.strategy === 'decision') throw new Error('unreachable');
  const runner = new StrategyRunner(defaultStrategyName(settings), strategyFactory(settings));
  const gate = new RiskGate(parseRiskSettings({ sizing: 'quote', quoteAmount: 0.1, accountCurrency: quote, noSellWithoutPosition: true, stopMode: 'pct', stopPct: 0.5, takeProfitPct: 0.5, trailingPct: 0.5 }), initialRiskState());
  const market = { symbol, base, quote, amountStep: 1e-8, active: true };
  let synchronous = 0;
  let delivered = 0;
  // A hold returns nothing (the fast path's deliver); an order is waited for.
  const deliver: Deliver = (candle, warmup, ctx) => {
    delivered++;
    const signal = runner.signalOf(candle, {}, warmup);
    const decision = signal && gate.evaluate(signal, { portfolio: ctx.account.portfolio, market, indicators: {}, openOrderSymbols: ctx.account.openOrders().map((o) => o.symbol) });
    if (!decision || !('request' in decision)) {
      synchronous++;
      return undefined;
    }
    return ctx.account.place(decision.request).then(() => undefined);
  };
  try {
    const report = await replay({ timeframe, series: { [symbol]: rows }, warmup: 30 }, { exchange: 'backtest', currency: quote, account, executor, setNow: (ts) => (now = ts), flowListens }, deliver, true);
    return { report, synchronous, delivered };
  } finally {
    await account.close();
  }
}

describe('the fast replay (flowListens: false) against the replay with turns of the event loop', function () {
  for (const [pair, timeframe] of [
    ['LTC_BTC', '5m'],
    ['ETH_BTC', '5m'],
  ] as const) {
    it(`${pair} ${timeframe} with stops: the same report, most candles without a promise`, async function () {
      skipWithoutOhlcv(this);
      const rows: OhlcvRow[] = loadCandles(pair, timeframe).map((c) => [c.ts, c.open, c.high, c.low, c.close, c.volume]);
      const symbol = pair.replace('_', '/');
      const flow = await run(symbol, rows, timeframe, true);
      const fast = await run(symbol, rows, timeframe, false);
      const reasons = new Set(flow.report.trades.map((t) => t.exitReason).filter(Boolean));
      for (const reason of ['stop-loss', 'take-profit', 'trailing-stop', 'signal']) assert.ok(reasons.has(reason as never), `no ${reason} exit among ${flow.report.trades.length} trades`);
      assert.deepStrictEqual(fast.report, flow.report);
      assert.equal(fast.delivered, rows.length);
      assert.ok(fast.synchronous > rows.length * 0.8, `${fast.synchronous} of ${rows.length} candles without a promise`);
    });
  }
});
