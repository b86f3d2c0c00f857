/**
 * Higher-timeframe candles made from a backtest's history (docs/backtest.md, "Several
 * timeframes"): each candle of the higher timeframe is the aggregate of the base candles that
 * open inside it (first open, highest high, lowest low, last close, summed volume), aligned to
 * the epoch as exchanges align them (a 1h candle opens on the hour). A bucket with base candles
 * missing is still a candle (as an exchange reports one after a quiet spell); one with none is
 * no candle.
 */
import type { OhlcvRow } from '../contract';
import { candleOpenTime, timeframeToMs } from '../timeframe';

/** Checks that `timeframe` can be made from `base`: a whole multiple of it, and longer. */
export function resampleError(base: string, timeframe: string): string {
  const baseMs = timeframeToMs(base);
  const ms = timeframeToMs(timeframe);
  if (ms < baseMs) return `${timeframe} is shorter than the backtest data's ${base}: a backtest makes only longer timeframes from its data`;
  if (ms % baseMs !== 0) return `${timeframe} is not a whole number of the backtest data's ${base} candles`;
  return '';
}

/** The rows of `timeframe` made from base rows (ascending by open time). */
export function resample(rows: readonly OhlcvRow[], timeframe: string): OhlcvRow[] {
  const ms = timeframeToMs(timeframe);
  const out: OhlcvRow[] = [];
  let current: OhlcvRow | undefined;
  for (const [ts, open, high, low, close, volume] of rows) {
    const bucket = candleOpenTime(ts, ms);
    if (current && current[0] === bucket) {
      if (high > current[2]) current[2] = high;
      if (low < current[3]) current[3] = low;
      current[4] = close;
      current[5] = (current[5] ?? 0) + (volume ?? 0);
    } else {
      current = [bucket, open, high, low, close, volume ?? 0];
      out.push(current);
    }
  }
  return out;
}
