/**
 * Highest high and lowest low of the last n candles in amortised O(1) per candle (monotonic
 * queues), where HighLowWindow (candle-indicators.ts) scans its window, O(n). Exact: a maximum
 * is one of the inputs, nothing is summed. Used by the channels whose windows are long (Donchian,
 * the three Ichimoku lines: 9 + 26 + 52 candles scanned twice per candle otherwise).
 */
export class RollingExtremes {
  /** Candle numbers (1, 2, …) and values still able to be the max (values decreasing) / min (increasing). */
  private readonly maxAt: Float64Array;
  private readonly maxVal: Float64Array;
  private readonly minAt: Float64Array;
  private readonly minVal: Float64Array;
  private maxHead = 0;
  private maxLen = 0;
  private minHead = 0;
  private minLen = 0;
  private seen = 0;

  constructor(readonly period: number) {
    // A queue never holds more than `period` entries.
    this.maxAt = new Float64Array(period);
    this.maxVal = new Float64Array(period);
    this.minAt = new Float64Array(period);
    this.minVal = new Float64Array(period);
  }

  /** Adds a candle's high and low; true once the window is full (then hh/ll are its extremes). */
  push(high: number, low: number): boolean {
    const n = this.period;
    const k = ++this.seen;
    const oldest = k - n + 1; // the oldest candle number still in the window
    // drop what left the window from the front
    if (this.maxLen > 0 && this.maxAt[this.maxHead]! < oldest) {
      this.maxHead = (this.maxHead + 1) % n;
      this.maxLen--;
    }
    if (this.minLen > 0 && this.minAt[this.minHead]! < oldest) {
      this.minHead = (this.minHead + 1) % n;
      this.minLen--;
    }
    // drop from the back what the new value outranks (ties: keep the newer, it stays longer)
    while (this.maxLen > 0 && this.maxVal[(this.maxHead + this.maxLen - 1) % n]! <= high) this.maxLen--;
    const mi = (this.maxHead + this.maxLen) % n;
    this.maxAt[mi] = k;
    this.maxVal[mi] = high;
    this.maxLen++;
    while (this.minLen > 0 && this.minVal[(this.minHead + this.minLen - 1) % n]! >= low) this.minLen--;
    const ni = (this.minHead + this.minLen) % n;
    this.minAt[ni] = k;
    this.minVal[ni] = low;
    this.minLen++;
    return k >= n;
  }

  /** The highest high of the window. */
  get hh(): number {
    return this.maxVal[this.maxHead]!;
  }

  /** The lowest low of the window. */
  get ll(): number {
    return this.minVal[this.minHead]!;
  }

  clear(): void {
    this.maxHead = this.maxLen = this.minHead = this.minLen = this.seen = 0;
  }
}
