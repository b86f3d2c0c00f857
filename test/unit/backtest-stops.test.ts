/**
 * Stops in the backtest, on hand-made candles, against the fill model of docs/backtest.md: the
 * path runs open, low, high, close; a stop-loss or trailing stop fills at its level going down (at
 * the open when the candle opens through it), a take-profit at its level going up; a trailing
 * stop starts from the buy's fill price. This holds on the candle whose open filled the buy (the
 * stops are armed on the path, the rest of that candle meets them) as on any later candle. Each
 * sell in the report says why it closed the position (its exit reason) and its P&L in percent.
 */
import assert from 'node:assert/strict';
import { runBacktest, type BacktestReport, type BacktestTrade, type Deliver } from '../../core/backtest';
import type { OhlcvRow, OrderRequest } from '../../core/contract';

const TF = 60_000;
const SYMBOL = 'ETH/USDT';

/** Candle rows from [open, high, low, close], one minute apart. */
function rows(...ohlc: Array<[number, number, number, number]>): OhlcvRow[] {
  return ohlc.map(([o, h, l, c], i) => [i * TF, o, h, l, c, 1]);
}

interface Entry {
  /** Index of the candle whose close decides the buy (it fills on the next candle's path). */
  at: number;
  amount?: number;
  type?: 'market' | 'limit';
  price?: number;
  stopLoss?: number;
  takeProfit?: number;
  trailingStop?: number;
}

/** Runs the candles with a flow that places one buy, and returns the report. */
async function run(series: OhlcvRow[], entry: Entry, slippage = 0, feeRate = 0): Promise<BacktestReport> {
  let index = 0;
  const deliver: Deliver = async (candle, _warmup, ctx) => {
    if (index++ !== entry.at) return;
    const request: OrderRequest = {
      kind: 'orderRequest',
      clientOrderId: 'tb-entry',
      symbol: candle.symbol,
      side: 'buy',
      type: entry.type ?? 'market',
      amount: entry.amount ?? 1,
      ts: ctx.now,
      ...(entry.price !== undefined ? { price: entry.price } : {}),
      ...(entry.stopLoss !== undefined ? { stopLoss: entry.stopLoss } : {}),
      ...(entry.takeProfit !== undefined ? { takeProfit: entry.takeProfit } : {}),
      ...(entry.trailingStop !== undefined ? { trailingStop: entry.trailingStop } : {}),
    };
    await ctx.account.place(request);
  };
  return runBacktest({ timeframe: '1m', series: { [SYMBOL]: series }, warmup: 0, balances: { USDT: 1000, ETH: 0 }, feeRate, slippage }, deliver);
}

/** The one buy and the one stop close of a run, with the candle each filled on. */
function roundTrip(report: BacktestReport): { buy: BacktestTrade & { candle: number }; sell: BacktestTrade & { candle: number } } {
  assert.equal(report.trades.length, 2, `trades: ${JSON.stringify(report.trades)}`);
  const [buy, sell] = report.trades as [BacktestTrade, BacktestTrade];
  assert.equal(buy.side, 'buy');
  assert.equal(sell.side, 'sell');
  return { buy: { ...buy, candle: buy.ts / TF }, sell: { ...sell, candle: sell.ts / TF } };
}

describe('backtest stops (docs/backtest.md, hand-made candles)', function () {
  describe('on the candle whose open filled the buy', function () {
    it('a stop-loss reached later in the candle fills at its level, not at the low', async function () {
      const r = await run(rows([100, 100, 100, 100], [100, 101, 95, 99]), { at: 0, stopLoss: 97 });
      const { buy, sell } = roundTrip(r);
      assert.equal(buy.price, 100);
      assert.equal(buy.candle, 1);
      assert.equal(sell.clientOrderId, 'tb-entry-sl');
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 97, 'stop-loss fill price');
      // The report's trade table: why the sell closed the position, and its P&L in percent of the entry.
      assert.equal(sell.exitReason, 'stop-loss');
      assert.equal(buy.exitReason, undefined, 'a buy has no exit reason');
      assert.equal(sell.pnl, -3);
      assert.equal(sell.pnlPct, -3);
    });

    it('a take-profit reached later in the candle fills at its level, not at the high', async function () {
      const r = await run(rows([100, 100, 100, 100], [100, 106, 99, 101]), { at: 0, takeProfit: 104 });
      const { sell } = roundTrip(r);
      assert.equal(sell.clientOrderId, 'tb-entry-tp');
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 104, 'take-profit fill price');
      assert.equal(sell.exitReason, 'take-profit');
    });

    it('a trailing stop starts from the fill price and fills at its level on the way down to the low', async function () {
      // fill 100, 5 % trail: level 95, crossed on the way from the open (100) to the low (94)
      const r = await run(rows([100, 100, 100, 100], [100, 102, 94, 96]), { at: 0, trailingStop: 0.05 });
      const { sell } = roundTrip(r);
      assert.equal(sell.clientOrderId, 'tb-entry-ts');
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 100 * (1 - 0.05), 'trailing-stop fill price');
      assert.equal(sell.exitReason, 'trailing-stop');
    });

    it('a trailing stop follows the high of the entry candle and fills at high x (1 - trail) on the way to the close', async function () {
      // path 100 -> 99 (level 95 not reached) -> 110 (level 104.5) -> close 100: fills at 104.5, not at the close
      const r = await run(rows([100, 100, 100, 100], [100, 110, 99, 100]), { at: 0, trailingStop: 0.05 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 110 * (1 - 0.05));
    });

    it('the low comes before the high: with both a stop-loss and a take-profit in reach, the stop-loss fills', async function () {
      const r = await run(rows([100, 100, 100, 100], [100, 106, 95, 101]), { at: 0, stopLoss: 97, takeProfit: 104 });
      const { sell } = roundTrip(r);
      assert.equal(sell.clientOrderId, 'tb-entry-sl');
      assert.equal(sell.price, 97);
    });

    it('a candle that opens through the stop-loss (set above the open) fills it at the open', async function () {
      // the buy was decided at 100; the next candle opens at 96, below the 97 stop: buy and stop both at the open
      const r = await run(rows([100, 100, 100, 100], [96, 99, 95, 98]), { at: 0, stopLoss: 97 });
      const { buy, sell } = roundTrip(r);
      assert.equal(buy.price, 96);
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 96);
    });

    it('with slippage: the buy fills at open x (1 + s), the trailing stop starts from that fill, the close pays the slippage at the level', async function () {
      const s = 0.001;
      const r = await run(rows([100, 100, 100, 100], [100, 101, 90, 92]), { at: 0, trailingStop: 0.05 }, s, 0.001);
      const { buy, sell } = roundTrip(r);
      assert.equal(buy.price, 100 * (1 + s));
      const level = 100 * (1 + s) * (1 - 0.05);
      assert.equal(sell.price, level * (1 - s));
      assert.equal(sell.fee, 0.001 * 1 * (level * (1 - s)));
    });

    it('a buy limit filled on the way down arms its stop-loss for the rest of the same candle: it fills at its level', async function () {
      // limit 98 reached going down from 100; the stop-loss at 96 is crossed next, before the low of 94
      const r = await run(rows([100, 100, 100, 100], [100, 101, 94, 95]), { at: 0, type: 'limit', price: 98, stopLoss: 96 });
      const { buy, sell } = roundTrip(r);
      assert.equal(buy.price, 98);
      assert.equal(buy.candle, 1);
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 96);
    });

    it('a buy limit filled on the way down arms its take-profit for the way up', async function () {
      const r = await run(rows([100, 100, 100, 100], [100, 105, 97, 99]), { at: 0, type: 'limit', price: 98, takeProfit: 103 });
      const { buy, sell } = roundTrip(r);
      assert.equal(buy.price, 98);
      assert.equal(sell.candle, 1);
      assert.equal(sell.price, 103);
    });
  });

  describe('on a later candle', function () {
    const quiet: [number, number, number, number] = [100, 101, 99, 100];

    it('a stop-loss fills at its level', async function () {
      const r = await run(rows([100, 100, 100, 100], quiet, [99, 100, 95, 96]), { at: 0, stopLoss: 97 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 2);
      assert.equal(sell.price, 97);
    });

    it('a stop-loss the candle opens below fills at the open', async function () {
      const r = await run(rows([100, 100, 100, 100], quiet, [90, 92, 88, 91]), { at: 0, stopLoss: 97 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 2);
      assert.equal(sell.price, 90);
    });

    it('a take-profit fills at its level', async function () {
      const r = await run(rows([100, 100, 100, 100], quiet, [101, 106, 100, 102]), { at: 0, takeProfit: 104 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 2);
      assert.equal(sell.price, 104);
    });

    it('a take-profit the candle opens above fills at the open', async function () {
      const r = await run(rows([100, 100, 100, 100], quiet, [110, 112, 108, 109]), { at: 0, takeProfit: 104 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 2);
      assert.equal(sell.price, 110);
    });

    it('a trailing stop fills at (highest price since entry) x (1 - trail)', async function () {
      // entry candle reaches 110 and closes at 108 (level 104.5 not crossed); the next falls to 100
      const r = await run(rows([100, 100, 100, 100], [100, 110, 99, 108], [108, 109, 100, 101]), { at: 0, trailingStop: 0.05 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 2);
      assert.equal(sell.price, 110 * (1 - 0.05));
    });

    it('a trailing stop follows a new high of the later candle itself', async function () {
      // level from 110 would be 104.5; the candle first reaches 120 (level 114), then falls to 112
      const r = await run(rows([100, 100, 100, 100], [100, 110, 99, 108], [108, 120, 107, 112]), { at: 0, trailingStop: 0.05 });
      const { sell } = roundTrip(r);
      assert.equal(sell.candle, 2);
      assert.equal(sell.price, 120 * (1 - 0.05));
    });
  });

  it("a sell the flow places is a signal exit; its P&L and P&L % are net of both sides' fees", async function () {
    let index = 0;
    const deliver: Deliver = async (candle, _warmup, ctx) => {
      const i = index++;
      if (i > 1) return;
      await ctx.account.place({ kind: 'orderRequest', clientOrderId: i === 0 ? 'tb-in' : 'tb-out', symbol: candle.symbol, side: i === 0 ? 'buy' : 'sell', type: 'market', amount: 1, ts: ctx.now });
    };
    const r = await runBacktest({ timeframe: '1m', series: { [SYMBOL]: rows([100, 100, 100, 100], [100, 101, 99, 100], [110, 111, 109, 110]) }, warmup: 0, balances: { USDT: 1000, ETH: 0 }, feeRate: 0.001, slippage: 0 }, deliver);
    const { sell } = roundTrip(r);
    assert.equal(sell.exitReason, 'signal');
    // Bought 1 at 100 (fee 0.1), sold at 110 (fee 0.11): 110 - 0.11 - 100.1 = 9.79 on 100.1.
    assert.ok(Math.abs(sell.pnl! - 9.79) < 1e-9, String(sell.pnl));
    assert.ok(Math.abs(sell.pnlPct! - (100 * 9.79) / 100.1) < 1e-9, String(sell.pnlPct));
  });

  it('gives the same report twice, byte for byte', async function () {
    const series = rows([100, 100, 100, 100], [100, 110, 99, 108], [108, 120, 107, 112], [112, 113, 100, 101]);
    const a = await run(series, { at: 0, stopLoss: 97, takeProfit: 130, trailingStop: 0.05 }, 0.0005, 0.001);
    const b = await run(series, { at: 0, stopLoss: 97, takeProfit: 130, trailingStop: 0.05 }, 0.0005, 0.001);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });
});
