/**
 * The benchmark pipeline's strategy and fill model written as one plain loop: the baseline the
 * backtest's fast path is measured against (bench/backtest.ts). EMA 20 (computed, as the pipeline's
 * indicator node does, and unused), SMA 10 / 30 crossover signals at the close, 100 USDT buys of
 * the amount rounded down to 1e-8, the whole position sold, market orders filled at the next open
 * with 0.05 % slippage and a 0.1 % fee, equity marked at every close. No objects per candle, no
 * validation, no state store, no journal: what a hand-tuned engine costs for the same work.
 */
export interface HandLoopResult {
  candles: number;
  fills: number;
  endEquity: number;
  seconds: number;
}

export function handLoop(rows: ReadonlyArray<readonly number[]>, warmup: number, o = { quote: 10_000, quoteAmount: 100, fee: 0.001, slippage: 0.0005, step: 1e-8 }): HandLoopResult {
  const started = performance.now();
  const fastN = 10;
  const slowN = 30;
  const fastWin = new Float64Array(fastN);
  const slowWin = new Float64Array(slowN);
  let fastSum = 0;
  let slowSum = 0;
  let seen = 0;
  let ema = NaN;
  const k = 2 / (20 + 1);
  let prevDiff = NaN;
  let quote = o.quote;
  let base = 0;
  /** A market order decided at a close: +amount buy, -amount sell, 0 none. */
  let pending = 0;
  let fills = 0;
  let equity = quote;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const open = r[1]!;
    const close = r[4]!;
    const trading = i >= warmup;
    if (trading && pending !== 0) {
      const price = pending > 0 ? open * (1 + o.slippage) : open * (1 - o.slippage);
      const amount = Math.abs(pending);
      const fee = amount * price * o.fee;
      if (pending > 0 && quote >= amount * price + fee) {
        quote -= amount * price + fee;
        base += amount;
        fills++;
      } else if (pending < 0 && base >= amount) {
        quote += amount * price - fee;
        base -= amount;
        fills++;
      }
      pending = 0;
    }
    ema = Number.isNaN(ema) ? close : ema + k * (close - ema);
    fastSum += close - fastWin[seen % fastN]!;
    fastWin[seen % fastN] = close;
    slowSum += close - slowWin[seen % slowN]!;
    slowWin[seen % slowN] = close;
    seen++;
    if (seen >= slowN) {
      const diff = fastSum / fastN - slowSum / slowN;
      if (trading && !Number.isNaN(prevDiff)) {
        if (prevDiff <= 0 && diff > 0 && base === 0) pending = Math.floor(o.quoteAmount / close / o.step) * o.step;
        else if (prevDiff >= 0 && diff < 0 && base > 0) pending = -base;
      }
      prevDiff = diff;
    }
    if (trading) equity = quote + base * close;
  }
  void ema;
  return { candles: Math.max(0, rows.length - warmup), fills, endEquity: equity, seconds: (performance.now() - started) / 1000 };
}
