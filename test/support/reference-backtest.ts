/**
 * Reference backtest: an independent computation of docs/backtest.md for ONE symbol, market
 * orders only, with the moving-average crossover of the README ("strategy" section), written
 * without looking at core/backtest/. A plain loop, clarity over speed.
 *
 * The model, as the doc and the README state it:
 * - SMA(fast) and SMA(slow) of the closes (the textbook `sma`, recomputed over each window).
 * - A cross at candle i needs both averages defined at i-1 and at i. "Crosses above": at or
 *   below on the previous candle, above now; "crosses below" mirrored. Two values a, b count as
 *   equal when |a - b| <= 1e-9 * max(|a|, |b|, scale), the scale being the close price (of the
 *   candle the two values belong to).
 * - The decision is made at the close of candle i; decisions on warm-up candles (i < warmup)
 *   are ignored; a decision on the last candle never fills.
 * - Spot, long only: a buy needs no open position (a buy while holding is ignored and counted),
 *   a sell needs one (a sell while flat is ignored, as the risk gate's NO_POSITION does).
 * - A buy of quoteAmount decided at P = close_i is floor(quoteAmount / P / amountStep) steps,
 *   written with the step's decimals; skipped when that is 0 or when the quote balance cannot pay
 *   amount x fill price x (1 + feeRate). It fills at open_{i+1} x (1 + slippage).
 * - A sell sells the whole position at open_{i+1} x (1 - slippage).
 * - Fee = feeRate x amount x fill price, in the quote currency.
 * - A trade's ts is candle i+1's open time.
 * - Final equity = quote balance + position x last close.
 */
import { sma, type Candle } from './textbook-indicators';

export interface ReferenceOptions {
  candles: readonly Candle[];
  fast: number;
  slow: number;
  warmup: number;
  quoteAmount: number;
  amountStep: number;
  feeRate: number;
  slippage: number;
  startQuote: number;
  /** For the trades' records only (e.g. "ETH/BTC"). */
  symbol: string;
}

export interface ReferenceTrade {
  symbol: string;
  side: 'buy' | 'sell';
  /** Open time of the candle the order filled on (candle i+1). */
  ts: number;
  price: number;
  amount: number;
  fee: number;
  /** Index of the candle whose close made the decision (i). */
  signalIndex: number;
  /** Open time of that candle. */
  signalTs: number;
}

export interface ReferenceSignal {
  index: number;
  ts: number;
  side: 'buy' | 'sell';
  /** What became of it. */
  outcome: 'warmup' | 'filled' | 'holding' | 'flat' | 'zero-amount' | 'insufficient-balance' | 'last-candle';
}

export interface ReferenceResult {
  trades: ReferenceTrade[];
  finalEquity: number;
  /** Quote balance and base position at the end. */
  quote: number;
  position: number;
  /** Every cross, warm-up ones included, with what became of it. */
  signals: ReferenceSignal[];
}

/** Decimals of a step such as 1e-8 (8) or 0.001 (3). */
export function stepDecimals(step: number): number {
  let d = 0;
  while (d < 20) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled))) break;
    d++;
  }
  return d;
}

/** -1, 0 or 1: a below, equal to (within the tolerance) or above b. */
export function relation(a: number, b: number, scale: number): -1 | 0 | 1 {
  if (Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), Math.abs(scale))) return 0;
  return a > b ? 1 : -1;
}

export function referenceSmaCross(o: ReferenceOptions): ReferenceResult {
  const { candles, fast, slow, warmup, quoteAmount, amountStep, feeRate, slippage, symbol } = o;
  if (!(fast < slow)) throw new Error('reference: fast must be < slow');
  if (!(amountStep > 0)) throw new Error('reference: amountStep must be > 0');
  const fastMa = sma(candles, { period: fast });
  const slowMa = sma(candles, { period: slow });
  const decimals = stepDecimals(amountStep);

  let quote = o.startQuote;
  let position = 0;
  const trades: ReferenceTrade[] = [];
  const signals: ReferenceSignal[] = [];

  for (let i = 1; i < candles.length; i++) {
    const f0 = fastMa[i - 1];
    const s0 = slowMa[i - 1];
    const f1 = fastMa[i];
    const s1 = slowMa[i];
    if (f0 === null || f0 === undefined || s0 === null || s0 === undefined) continue;
    if (f1 === null || f1 === undefined || s1 === null || s1 === undefined) continue;
    const prev = relation(f0, s0, candles[i - 1]!.close);
    const now = relation(f1, s1, candles[i]!.close);
    let side: 'buy' | 'sell' | undefined;
    if (prev <= 0 && now > 0) side = 'buy';
    else if (prev >= 0 && now < 0) side = 'sell';
    if (!side) continue;

    const c = candles[i]!;
    const record = (outcome: ReferenceSignal['outcome']) => signals.push({ index: i, ts: c.ts, side: side!, outcome });
    if (i < warmup) {
      record('warmup');
      continue;
    }
    if (side === 'buy' && position > 0) {
      record('holding');
      continue;
    }
    if (side === 'sell' && !(position > 0)) {
      record('flat');
      continue;
    }
    const next = candles[i + 1];
    if (!next) {
      record('last-candle');
      continue;
    }

    if (side === 'buy') {
      const P = c.close;
      const units = Math.floor(quoteAmount / P / amountStep);
      const amount = Number((units * amountStep).toFixed(decimals));
      if (!(amount > 0)) {
        record('zero-amount');
        continue;
      }
      const price = next.open * (1 + slippage);
      if (quote < amount * price * (1 + feeRate)) {
        record('insufficient-balance');
        continue;
      }
      const fee = feeRate * amount * price;
      quote = quote - amount * price - fee;
      position = amount;
      trades.push({ symbol, side, ts: next.ts, price, amount, fee, signalIndex: i, signalTs: c.ts });
    } else {
      const amount = position;
      const price = next.open * (1 - slippage);
      const fee = feeRate * amount * price;
      quote = quote + amount * price - fee;
      position = 0;
      trades.push({ symbol, side, ts: next.ts, price, amount, fee, signalIndex: i, signalTs: c.ts });
    }
    record('filled');
  }

  const lastClose = candles.length ? candles[candles.length - 1]!.close : 0;
  return { trades, finalEquity: quote + position * lastClose, quote, position, signals };
}
