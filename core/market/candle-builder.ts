/**
 * Builds candles from ticker messages (the candles node's "from ticks" source).
 *
 * A candle is emitted when the first tick of a later period arrives, so it is emitted once,
 * closed. Periods with no ticks produce no candle: the next candle carries a gap report.
 * A tick older than the forming candle is rejected (reported to the caller), never mixed in.
 */
import type { Candle, Ticker } from '../contract';
import { candleOpenTime, timeframeToMs } from '../timeframe';

export interface BuiltCandle {
  candle: Candle;
  gap?: { from: number; to: number; missing: number };
}

interface Forming {
  candle: Candle;
  lastVolume: number | undefined;
}

export class CandleBuilder {
  private readonly tfMs: number;
  private readonly forming = new Map<string, Forming>();
  private readonly lastClosedTs = new Map<string, number>();

  constructor(private readonly timeframe: string) {
    this.tfMs = timeframeToMs(timeframe);
  }

  /**
   * Adds one tick. Returns the candle it closed, if any. Throws for a tick that is older than
   * the candle being formed for its symbol (out of order).
   */
  add(tick: Ticker): BuiltCandle | undefined {
    const key = `${tick.exchange}|${tick.symbol}`;
    const open = candleOpenTime(tick.ts, this.tfMs);
    const current = this.forming.get(key);
    if (current && open < current.candle.ts) {
      throw new Error(
        `ticker for ${tick.symbol} at ${new Date(tick.ts).toISOString()} is older than the candle being built (${new Date(current.candle.ts).toISOString()}); ignored`,
      );
    }
    if (current && open === current.candle.ts) {
      const c = current.candle;
      c.high = Math.max(c.high, tick.last);
      c.low = Math.min(c.low, tick.last);
      c.close = tick.last;
      c.volume += this.volumeDelta(current.lastVolume, tick.baseVolume);
      current.lastVolume = tick.baseVolume;
      return undefined;
    }
    this.forming.set(key, {
      candle: {
        kind: 'candle',
        exchange: tick.exchange,
        symbol: tick.symbol,
        timeframe: this.timeframe,
        ts: open,
        open: tick.last,
        high: tick.last,
        low: tick.last,
        close: tick.last,
        volume: 0,
      },
      lastVolume: tick.baseVolume ?? current?.lastVolume,
    });
    if (!current) return undefined;
    const closed = current.candle;
    const previous = this.lastClosedTs.get(key);
    this.lastClosedTs.set(key, closed.ts);
    const gap =
      previous !== undefined && closed.ts > previous + this.tfMs
        ? { from: previous + this.tfMs, to: closed.ts - this.tfMs, missing: (closed.ts - previous) / this.tfMs - 1 }
        : undefined;
    return gap ? { candle: closed, gap } : { candle: closed };
  }

  reset(): void {
    this.forming.clear();
    this.lastClosedTs.clear();
  }

  /**
   * Tickers carry a rolling 24h base volume, not trade volume: the difference between two ticks
   * approximates what traded between them. A drop (the window rolled off a big trade) counts as 0.
   */
  private volumeDelta(previous: number | undefined, next: number | undefined): number {
    if (previous === undefined || next === undefined) return 0;
    return Math.max(0, next - previous);
  }
}
