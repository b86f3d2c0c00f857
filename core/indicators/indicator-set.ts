/**
 * Several named indicators over candles, with separate state per exchange + symbol + timeframe.
 * Candles must come in order: an older or repeated candle is refused (the caller reports it)
 * and never touches state.
 */
import { INDICATOR_NAME_RE } from './kinds';
import type { Candle } from '../contract';
import { SeriesMap } from '../series-map';
import { createIndicator, type Indicator, type IndicatorSpec, type IndicatorValue } from './index';

export { CandleOrderError } from '../series-map';

export interface NamedIndicatorSpec {
  /** The key in msg.indicators. */
  name: string;
  spec: IndicatorSpec | Record<string, unknown>;
}

export interface IndicatorResult {
  /** Value per name; null while that indicator still needs data. */
  values: Record<string, IndicatorValue | null>;
  /** Candles still needed, for the indicators that have no value yet (empty when all are ready). */
  pending: Record<string, number>;
}

export class IndicatorSet {
  private readonly series: SeriesMap<Indicator[]>;
  private readonly names: string[];

  constructor(specs: NamedIndicatorSpec[]) {
    if (specs.length === 0) throw new Error('indicators: add at least one indicator');
    const seen = new Set<string>();
    specs.forEach((s, i) => {
      if (!INDICATOR_NAME_RE.test(s.name ?? '')) {
        throw new Error(`indicators[${i}].name: "${s.name}" must start with a letter and use only letters, digits and _`);
      }
      if (seen.has(s.name)) throw new Error(`indicators[${i}].name: "${s.name}" is used twice`);
      seen.add(s.name);
      try {
        createIndicator(s.spec); // validates now, at deploy, not at the first candle
      } catch (err) {
        throw new Error(`indicators[${i}] (${s.name}): ${(err as Error).message}`);
      }
    });
    this.names = specs.map((s) => s.name);
    this.series = new SeriesMap(() => specs.map((s) => createIndicator(s.spec)), 'indicators');
  }

  update(candle: Candle): IndicatorResult {
    const indicators = this.series.advance(candle);
    const values: Record<string, IndicatorValue | null> = {};
    const pending: Record<string, number> = {};
    for (let i = 0; i < indicators.length; i++) {
      const indicator = indicators[i]!;
      const name = this.names[i]!;
      const value = indicator.update(candle);
      values[name] = value;
      if (value === null) pending[name] = indicator.remaining;
    }
    return { values, pending };
  }

  /**
   * update() for a caller that needs the pending counts only while an indicator has no value
   * (the backtest's fast path): the values alone, no other object per candle. The counts of
   * this very update, when wanted, come from pendingOfLast().
   */
  updateValues(candle: Candle): Record<string, IndicatorValue | null> {
    const indicators = this.series.advance(candle);
    this.lastUpdated = indicators;
    const values: Record<string, IndicatorValue | null> = {};
    for (let i = 0; i < indicators.length; i++) values[this.names[i]!] = indicators[i]!.update(candle);
    return values;
  }

  /** The pending counts of the last updateValues() (what update() returns as `pending`): given its values. */
  pendingOfLast(values: Record<string, IndicatorValue | null>): Record<string, number> {
    const pending: Record<string, number> = {};
    const indicators = this.lastUpdated ?? [];
    for (let i = 0; i < indicators.length; i++) {
      const name = this.names[i]!;
      if (values[name] === null) pending[name] = indicators[i]!.remaining;
    }
    return pending;
  }

  private lastUpdated: Indicator[] | undefined;

  /** Forgets one symbol's series (all timeframes), or everything; returns how many. */
  reset(symbol?: string): number {
    return this.series.reset(symbol);
  }
}
