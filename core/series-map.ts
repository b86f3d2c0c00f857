/**
 * Per-series state (exchange + symbol + timeframe) for nodes that consume candles: indicators
 * and strategies. Enforces order: a candle older than or equal to the last one of its series is
 * refused with a CandleOrderError and never reaches the state; so is one whose time is ahead of
 * its exchange's clock (ImplausibleInputError), which would otherwise lock the series.
 */
import type { Candle } from './contract';
import { checkCandleTime, ImplausibleInputError } from './plausibility';
import { exchangeClock } from './sessions';

/** The clock a candle's time is checked against: its exchange's (virtual in sim and backtest), else the wall clock. */
export type ExchangeClock = (exchange: string) => number;
const defaultClock: ExchangeClock = (exchange) => exchangeClock(exchange) ?? Date.now();

export class CandleOrderError extends Error {
  override readonly name = 'CandleOrderError';
}

/** How many series one node keeps before refusing new ones (a memory bound on a Pi). */
export const MAX_SERIES = 1000;

interface Entry<T> {
  lastTs: number;
  state: T;
}

export class SeriesMap<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /**
   * The series of the last candle, and what names it: a run of candles of one series (a
   * backtest, a single-symbol flow) finds its entry without making the key again.
   */
  private last: { exchange: string; symbol: string; timeframe: string; entry: Entry<T> } | undefined;

  constructor(
    private readonly create: () => T,
    private readonly what = 'state',
    private readonly clock: ExchangeClock = defaultClock,
  ) {}

  static key(c: Pick<Candle, 'exchange' | 'symbol' | 'timeframe'>): string {
    return `${c.exchange}|${c.symbol}|${c.timeframe}`;
  }

  /** The state for this candle's series, after checking the candle is newer than the last one. */
  advance(candle: Candle): T {
    // A candle from the future would make every real one after it "older": refused before it counts.
    const implausible = checkCandleTime('msg.payload.ts', candle, this.clock(candle.exchange));
    if (implausible) throw new ImplausibleInputError(`candle ${candle.symbol} ${candle.timeframe}: ${implausible}, ${this.what} unchanged`);
    const last = this.last;
    let key: string | undefined;
    let entry: Entry<T> | undefined;
    if (last !== undefined && last.symbol === candle.symbol && last.exchange === candle.exchange && last.timeframe === candle.timeframe) entry = last.entry;
    else entry = this.entries.get((key = SeriesMap.key(candle)));
    if (entry && candle.ts <= entry.lastTs) {
      const how = candle.ts === entry.lastTs ? 'repeats' : 'is older than';
      throw new CandleOrderError(
        `candle ${candle.symbol} ${candle.timeframe} at ${new Date(candle.ts).toISOString()} ${how} the last one (${new Date(entry.lastTs).toISOString()}): ignored, ${this.what} unchanged`,
      );
    }
    if (!entry) {
      key ??= SeriesMap.key(candle);
      if (this.entries.size >= MAX_SERIES) {
        throw new Error(`more than ${MAX_SERIES} symbol/timeframe series in one node: ${key} ignored`);
      }
      entry = { lastTs: candle.ts, state: this.create() };
      this.entries.set(key, entry);
    }
    entry.lastTs = candle.ts;
    if (last === undefined) this.last = { exchange: candle.exchange, symbol: candle.symbol, timeframe: candle.timeframe, entry };
    else if (last.entry !== entry) {
      last.exchange = candle.exchange;
      last.symbol = candle.symbol;
      last.timeframe = candle.timeframe;
      last.entry = entry;
    }
    return entry.state;
  }

  /** Forgets one symbol's series (every exchange and timeframe), or all; returns how many. */
  reset(symbol?: string): number {
    this.last = undefined;
    if (symbol === undefined) {
      const n = this.entries.size;
      this.entries.clear();
      return n;
    }
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.split('|')[1] === symbol) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.entries.size;
  }
}
