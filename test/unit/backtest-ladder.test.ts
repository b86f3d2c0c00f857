/**
 * Take-profit ladders in the backtest, on hand-made candles (docs/backtest.md): each rung fills
 * once, at its own level, for its share of the position; a candle that opens through several
 * rungs fills each at the open; the rest of the position keeps its stop-loss. The report lists
 * each rung as its own closed trade with its own P&L (average cost, fees included).
 */
import assert from 'node:assert/strict';
import { runBacktest, type BacktestReport, type Deliver } from '../../core/backtest';
import type { OhlcvRow, OrderRequest } from '../../core/contract';

const TF = 60_000;
const SYMBOL = 'ETH/USDT';

function rows(...ohlc: Array<[number, number, number, number]>): OhlcvRow[] {
  return ohlc.map(([o, h, l, c], i) => [i * TF, o, h, l, c, 1]);
}

/** Buys `amount` on the first candle's close (fills at the second candle's open) with the given stops. */
async function run(series: OhlcvRow[], stops: Partial<OrderRequest>, o: { amount?: number; feeRate?: number; amountStep?: number } = {}): Promise<BacktestReport> {
  let index = 0;
  const deliver: Deliver = async (candle, _warmup, ctx) => {
    if (index++ !== 0) return;
    await ctx.account.place({ kind: 'orderRequest', clientOrderId: 'tb-entry', symbol: candle.symbol, side: 'buy', type: 'market', amount: o.amount ?? 1, ts: ctx.now, ...stops });
  };
  return runBacktest(
    { timeframe: '1m', series: { [SYMBOL]: series }, warmup: 0, balances: { USDT: 10_000, ETH: 0 }, feeRate: o.feeRate ?? 0, slippage: 0, ...(o.amountStep ? { amountStep: o.amountStep } : {}) },
    deliver,
  );
}

const sells = (r: BacktestReport) => r.trades.filter((t) => t.side === 'sell').map((t) => ({ id: t.clientOrderId, candle: t.ts / TF, price: t.price, amount: t.amount, pnl: t.pnl }));

describe('backtest take-profit ladder (docs/backtest.md, hand-made candles)', function () {
  it('fills each rung once at its own level, for its share, in one candle', async function () {
    const ladder = [
      { fraction: 0.5, price: 102 },
      { fraction: 0.5, price: 104 },
    ];
    const r = await run(rows([100, 100, 100, 100], [100, 101, 99, 100], [100, 105, 99, 103], [103, 106, 100, 105]), { takeProfitLadder: ladder }, { amount: 2 });
    assert.deepEqual(
      sells(r).map(({ pnl: _pnl, ...s }) => s),
      [
        { id: 'tb-entry-tp1', candle: 2, price: 102, amount: 1 },
        { id: 'tb-entry-tp2', candle: 2, price: 104, amount: 1 },
      ],
    );
  });

  it('a rung reached on one candle and the next on a later candle; nothing fires twice', async function () {
    const ladder = [
      { fraction: 0.25, price: 102 },
      { fraction: 0.25, price: 104 },
      { fraction: 0.5, price: 108 },
    ];
    // Candle 1: to 103 (rung 1). Candle 2: back to 103 again (rung 1 must not fire again), up to 105 (rung 2). Candle 3: 110 (rung 3).
    const r = await run(rows([100, 100, 100, 100], [100, 103, 99, 101], [101, 105, 100, 103], [103, 110, 102, 109], [109, 111, 108, 110]), { takeProfitLadder: ladder }, { amount: 4 });
    assert.deepEqual(
      sells(r).map((s) => [s.id, s.candle, s.price, s.amount]),
      [
        ['tb-entry-tp1', 1, 102, 1],
        ['tb-entry-tp2', 2, 104, 1],
        ['tb-entry-tp3', 3, 108, 2],
      ],
    );
  });

  it('a candle that opens through two rungs fills both at the open', async function () {
    const ladder = [
      { fraction: 0.5, price: 102 },
      { fraction: 0.5, price: 104 },
    ];
    const r = await run(rows([100, 100, 100, 100], [100, 101, 99, 100], [106, 107, 105, 106]), { takeProfitLadder: ladder }, { amount: 2 });
    assert.deepEqual(
      sells(r).map((s) => [s.id, s.candle, s.price, s.amount]),
      [
        ['tb-entry-tp1', 2, 106, 1],
        ['tb-entry-tp2', 2, 106, 1],
      ],
    );
  });

  it('the rest of the position keeps its stop-loss after a rung', async function () {
    const ladder = [
      { fraction: 0.5, price: 103 },
      { fraction: 0.5, price: 110 },
    ];
    // Candle 1 rises to 104 (rung 1), candle 2 falls to 95: the stop-loss at 97 sells the rest.
    const r = await run(rows([100, 100, 100, 100], [100, 104, 99, 102], [102, 102, 95, 96]), { takeProfitLadder: ladder, stopLoss: 97 }, { amount: 2 });
    assert.deepEqual(
      sells(r).map((s) => [s.id, s.candle, s.price, s.amount]),
      [
        ['tb-entry-tp1', 1, 103, 1],
        ['tb-entry-sl', 2, 97, 1],
      ],
    );
  });

  it('each rung is its own closed trade with its own P&L, fees included', async function () {
    const feeRate = 0.001;
    const ladder = [
      { fraction: 0.5, price: 102 },
      { fraction: 0.5, price: 104 },
    ];
    const r = await run(rows([100, 100, 100, 100], [100, 105, 99, 104]), { takeProfitLadder: ladder }, { amount: 2, feeRate });
    // Average cost per unit: (2 x 100 + buy fee 0.2) / 2 = 100.1.
    const [first, second] = sells(r);
    assert.ok(first && second);
    assert.ok(Math.abs(first.pnl! - (1 * 102 - 102 * feeRate - 100.1)) < 1e-9, `rung 1 P&L ${first.pnl}`);
    assert.ok(Math.abs(second.pnl! - (1 * 104 - 104 * feeRate - 100.1)) < 1e-9, `rung 2 P&L ${second.pnl}`);
    assert.equal(r.roundTrips, 2);
    assert.equal(r.winRate, 1);
  });

  it('a rung rounds its part down to the amount step; the last rung sells all that is left', async function () {
    const ladder = [
      { fraction: 1 / 3, price: 102 },
      { fraction: 2 / 3, price: 104 },
    ];
    const r = await run(rows([100, 100, 100, 100], [100, 105, 99, 104]), { takeProfitLadder: ladder }, { amount: 1, amountStep: 0.01 });
    const [first, last] = sells(r);
    assert.equal(first?.amount, 0.33, 'floor(1/3 to the step 0.01)');
    // What is held after it (1 - 0.33, as the portfolio counts it): all of it, nothing left.
    assert.ok(Math.abs(last!.amount - 0.67) < 1e-12, `last rung ${last?.amount}`);
    assert.equal(r.trades.filter((t) => t.side === 'sell').length, 2);
  });
});
