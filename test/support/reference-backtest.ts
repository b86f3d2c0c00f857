/**
 * Reference backtest: an independent computation of docs/backtest.md for ONE symbol, market
 * orders only, with the moving-average crossover of docs/nodes/tradebot-strategy.md, written
 * without looking at core/backtest/. A plain loop, clarity over speed.
 *
 * The model, as the docs state it:
 * - SMA(fast) and SMA(slow) of the closes (the textbook `sma`, recomputed over each window).
 * - A cross at candle i needs both averages defined at i-1 and at i. "Crosses above": at or
 *   below on the previous candle, above now; "crosses below" mirrored. Two values a, b count as
 *   equal when |a - b| <= 1e-9 * max(|a|, |b|, scale), the scale being the close price (of the
 *   candle the two values belong to).
 * - The decision is made at the close of candle i; decisions on warm-up candles (i < warmup)
 *   are ignored; a decision on the last candle never fills.
 * - Spot, long only: a buy needs no open position (a buy while holding is ignored and counted),
 *   a sell needs one (a sell while flat is ignored, as the risk gate's NO_POSITION does).
 * - A buy of quoteAmount decided at P = close_i is floor(quoteAmount / P) to the amount step: the
 *   largest whole number of steps, written with the step's decimals, not above the quotient
 *   quoteAmount / P; skipped when that is 0 or when the quote balance cannot pay
 *   amount x fill price x (1 + feeRate). It fills at open_{i+1} x (1 + slippage).
 * - A sell sells the whole position at open_{i+1} x (1 - slippage).
 * - Fee = feeRate x amount x fill price, in the quote currency.
 * - A trade's ts is the open time of the candle it filled on (i+1 for the strategy's orders).
 * - Final equity = quote balance + position x last close.
 *
 * Stops (optional, the risk gate's percent settings), armed by the buy when it fills:
 * - stop-loss = P x (1 - stopPct/100), take-profit = P x (1 + takeProfitPct/100), P the close the
 *   buy was decided at; the trailing stop's level is H x (1 - trailingPct/100), H the highest
 *   price seen since the buy, starting at the buy's fill price (slippage included).
 * - Every candle from the one the buy filled on runs its price path: open, low, high, close. At
 *   the open (after the buy filled there) a stop-loss or trailing stop at or above the open, or a
 *   take-profit at or below it, closes the position at the open. Going down, the first level met
 *   (the higher of stop-loss and trailing level) closes it at that level; going up, the
 *   take-profit. H follows every price the path reaches.
 * - A stop closes the whole position at its price x (1 - slippage), fee as for any fill. A sell
 *   signal meeting a position a stop already closed is ignored (flat).
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
  /** Stops the buys arm (percent of price), as the risk gate's stopPct / takeProfitPct / trailingPct. */
  stops?: { stopPct?: number; takeProfitPct?: number; trailingPct?: number };
}

export interface ReferenceTrade {
  symbol: string;
  side: 'buy' | 'sell';
  /** Open time of the candle the order filled on (candle i+1). */
  ts: number;
  price: number;
  amount: number;
  fee: number;
  /** Index of the candle whose close made the decision (i); for a stop's close, the buy's. */
  signalIndex: number;
  /** Open time of that candle. */
  signalTs: number;
  /** What closed the position, for a stop's sell. */
  stop?: 'stop-loss' | 'take-profit' | 'trailing-stop';
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

/**
 * floor(value) to a power-of-ten step, exactly: the value's full decimal expansion (toFixed(100)
 * is exact to 100 digits, far finer than any step) cut after the step's decimals. No division by
 * the step, so no rounding in it either.
 */
export function floorToDecimals(value: number, decimals: number): number {
  const text = value.toFixed(100);
  const point = text.indexOf('.');
  return Number(decimals === 0 ? text.slice(0, point) : text.slice(0, point + 1 + decimals));
}

interface OpenPosition {
  amount: number;
  /** Candle whose close decided the buy, and its open time. */
  signalIndex: number;
  signalTs: number;
  stopLoss?: number;
  takeProfit?: number;
  trailing?: number;
  /** Highest price since the buy filled (starts at the fill price). */
  high: number;
}

/**
 * A held position's stops over one candle's path (the fill, if the buy filled at this open, is
 * already booked). Returns the stop that closed it and the price it closed at, or undefined.
 */
function stopsOnCandle(p: OpenPosition, c: Candle): { stop: NonNullable<ReferenceTrade['stop']>; at: number } | undefined {
  const trailLevel = () => (p.trailing === undefined ? undefined : p.high * (1 - p.trailing));
  // the open: the price jumps there; anything it opened through closes at the open
  p.high = Math.max(p.high, c.open);
  if (p.stopLoss !== undefined && c.open <= p.stopLoss) return { stop: 'stop-loss', at: c.open };
  if (p.takeProfit !== undefined && c.open >= p.takeProfit) return { stop: 'take-profit', at: c.open };
  const t0 = trailLevel();
  if (t0 !== undefined && c.open <= t0) return { stop: 'trailing-stop', at: c.open };
  // going down from `from` to `to`: the highest level in [to, from) is met first
  const down = (from: number, to: number) => {
    let best: { stop: NonNullable<ReferenceTrade['stop']>; at: number } | undefined;
    const t = trailLevel();
    if (p.stopLoss !== undefined && p.stopLoss < from && p.stopLoss >= to) best = { stop: 'stop-loss', at: p.stopLoss };
    if (t !== undefined && t < from && t >= to && (!best || t > best.at)) best = { stop: 'trailing-stop', at: t };
    return best;
  };
  const first = down(c.open, c.low);
  if (first) return first;
  // going up from the low to the high: the take-profit; the highest price rises with the path
  if (p.takeProfit !== undefined && p.takeProfit > c.low && p.takeProfit <= c.high) return { stop: 'take-profit', at: p.takeProfit };
  p.high = Math.max(p.high, c.high);
  return down(c.high, c.close);
}

export function referenceSmaCross(o: ReferenceOptions): ReferenceResult {
  const { candles, fast, slow, warmup, quoteAmount, amountStep, feeRate, slippage, symbol } = o;
  if (!(fast < slow)) throw new Error('reference: fast must be < slow');
  if (!(amountStep > 0)) throw new Error('reference: amountStep must be > 0');
  const decimals = stepDecimals(amountStep);
  if (Math.abs(amountStep - 10 ** -decimals) > 1e-9 * amountStep) throw new Error('reference: amountStep must be a power of ten');
  const fastMa = sma(candles, { period: fast });
  const slowMa = sma(candles, { period: slow });

  let quote = o.startQuote;
  let position: OpenPosition | undefined;
  const trades: ReferenceTrade[] = [];
  const signals: ReferenceSignal[] = [];
  /** The strategy's order decided at the previous close, filling at this candle's open. */
  let pending: { side: 'buy' | 'sell'; amount: number; signalIndex: number; signalTs: number; decidedAt: number } | undefined;

  for (let i = 0; i < candles.length; i++) {
    const c = candles[i]!;

    // 1. The open: the order decided at the previous close fills; then the held position's stops.
    if (pending) {
      const order = pending;
      pending = undefined;
      if (order.side === 'buy') {
        const price = c.open * (1 + slippage);
        const fee = feeRate * order.amount * price;
        quote = quote - order.amount * price - fee;
        const s = o.stops ?? {};
        const P = order.decidedAt;
        position = {
          amount: order.amount,
          signalIndex: order.signalIndex,
          signalTs: order.signalTs,
          ...(s.stopPct !== undefined ? { stopLoss: P * (1 - s.stopPct / 100) } : {}),
          ...(s.takeProfitPct !== undefined ? { takeProfit: P * (1 + s.takeProfitPct / 100) } : {}),
          ...(s.trailingPct !== undefined ? { trailing: s.trailingPct / 100 } : {}),
          high: price,
        };
        trades.push({ symbol, side: 'buy', ts: c.ts, price, amount: order.amount, fee, signalIndex: order.signalIndex, signalTs: order.signalTs });
      } else {
        const amount = position!.amount;
        const price = c.open * (1 - slippage);
        const fee = feeRate * amount * price;
        quote = quote + amount * price - fee;
        position = undefined;
        trades.push({ symbol, side: 'sell', ts: c.ts, price, amount, fee, signalIndex: order.signalIndex, signalTs: order.signalTs });
      }
    }
    if (position && i >= warmup) {
      const hit = stopsOnCandle(position, c);
      if (hit) {
        const amount = position.amount;
        const price = hit.at * (1 - slippage);
        const fee = feeRate * amount * price;
        quote = quote + amount * price - fee;
        trades.push({ symbol, side: 'sell', ts: c.ts, price, amount, fee, signalIndex: position.signalIndex, signalTs: position.signalTs, stop: hit.stop });
        position = undefined;
      }
    }

    // 2. The close: a cross decides.
    if (i === 0) continue;
    const f0 = fastMa[i - 1];
    const s0 = slowMa[i - 1];
    const f1 = fastMa[i];
    const s1 = slowMa[i];
    if (f0 === null || f0 === undefined || s0 === null || s0 === undefined) continue;
    if (f1 === null || f1 === undefined || s1 === null || s1 === undefined) continue;
    const prev = relation(f0, s0, candles[i - 1]!.close);
    const now = relation(f1, s1, c.close);
    let side: 'buy' | 'sell' | undefined;
    if (prev <= 0 && now > 0) side = 'buy';
    else if (prev >= 0 && now < 0) side = 'sell';
    if (!side) continue;

    const record = (outcome: ReferenceSignal['outcome']) => signals.push({ index: i, ts: c.ts, side: side!, outcome });
    if (i < warmup) {
      record('warmup');
      continue;
    }
    if (side === 'buy' && position) {
      record('holding');
      continue;
    }
    if (side === 'sell' && !position) {
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
      const amount = floorToDecimals(quoteAmount / P, decimals);
      if (!(amount > 0)) {
        record('zero-amount');
        continue;
      }
      const price = next.open * (1 + slippage);
      if (quote < amount * price * (1 + feeRate)) {
        record('insufficient-balance');
        continue;
      }
      pending = { side, amount, signalIndex: i, signalTs: c.ts, decidedAt: P };
    } else {
      pending = { side, amount: position!.amount, signalIndex: i, signalTs: c.ts, decidedAt: c.close };
    }
    record('filled');
  }

  const lastClose = candles.length ? candles[candles.length - 1]!.close : 0;
  const held = position?.amount ?? 0;
  return { trades, finalEquity: quote + held * lastClose, quote, position: held, signals };
}
