/**
 * What a strategy remembers of the higher timeframes its rules name (`rsi14@1h`): per exchange +
 * symbol + timeframe, the last two closed candles with the indicator values that came with them.
 * A lower-timeframe candle that opens at t sees the latest of them that closed at or before t,
 * so nothing it reads was still forming while it was (no look-ahead), whichever of two candles
 * closing at the same moment arrives first (live feeds do not promise an order between them).
 */
import type { Candle } from '../contract';
import type { IndicatorValue } from '../indicators';
import { SeriesMap } from '../series-map';
import { timeframeToMs } from '../timeframe';
import type { TimeframeContext } from './types';

interface Slot {
  newest?: TimeframeContext & { closeTs: number };
  before?: TimeframeContext & { closeTs: number };
}

export class HigherTimeframes {
  /** Older or repeated context candles are refused as any series' are (SeriesMap). */
  private readonly series = new SeriesMap<Slot>(() => ({}), 'higher-timeframe values');
  private readonly slots = new Map<string, Slot>();

  /** Keeps a closed candle of a context timeframe and its indicator values (copied: the message moves on). */
  record(candle: Candle, indicators: Record<string, IndicatorValue | null | undefined>): void {
    const slot = this.series.advance(candle);
    this.slots.set(SeriesMap.key(candle), slot);
    slot.before = slot.newest;
    slot.newest = { candle, indicators: { ...indicators }, closeTs: candle.ts + timeframeToMs(candle.timeframe) };
  }

  /** The `timeframe` candle a candle of the same symbol sees: the latest closed at or before it opened. */
  at(candle: Candle, timeframe: string): TimeframeContext | undefined {
    const slot = this.slots.get(`${candle.exchange}|${candle.symbol}|${timeframe}`);
    if (!slot) return undefined;
    if (slot.newest && slot.newest.closeTs <= candle.ts) return slot.newest;
    if (slot.before && slot.before.closeTs <= candle.ts) return slot.before;
    return undefined;
  }

  reset(symbol?: string): number {
    if (symbol === undefined) this.slots.clear();
    else for (const key of [...this.slots.keys()]) if (key.split('|')[1] === symbol) this.slots.delete(key);
    return this.series.reset(symbol);
  }
}
