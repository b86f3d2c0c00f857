/**
 * The equity of a run, sampled at every close, kept in bounded memory: the report's statistics
 * (end equity, drawdown and its duration, Sharpe and Sortino of the per-candle returns) are
 * computed exactly as the samples come, and the curve for the picture is downsampled
 * deterministically. A million-candle run keeps what a ten-thousand-candle run keeps.
 */

/** Points the curve keeps at most; when full, every second one goes and the step doubles. */
export const MAX_EQUITY_POINTS = 10_000;

export class EquityStats {
  /** Samples so far (one per candle time of the run). */
  samples = 0;
  end: number;
  maxDrawdown = 0;
  maxDrawdownDurationMs = 0;
  private peak: number;
  private peakTs: number;
  private previous: number;
  // Per-candle returns: count, mean and sum of squared deviations (Welford: one pass, stable),
  // and the sum of squared negative returns (the downside deviation).
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private downside2 = 0;
  /** The curve: the equity at every `step`-th close (the step's last), plus the latest sample. */
  private readonly points: Array<[number, number]> = [];
  private step = 1;
  /** The latest sample when it is not a point of the curve: two numbers, not a pair per close. */
  private hasLatest = false;
  private latestTs = 0;
  private latestEquity = 0;

  constructor(
    readonly startEquity: number,
    start: number,
    private readonly maxPoints = MAX_EQUITY_POINTS,
  ) {
    this.end = startEquity;
    this.peak = startEquity;
    this.peakTs = start;
    this.previous = startEquity;
  }

  /** The equity at a close. */
  add(ts: number, equity: number): void {
    this.samples++;
    this.end = equity;
    if (equity >= this.peak) {
      this.peak = equity;
      this.peakTs = ts;
    } else {
      this.maxDrawdown = Math.max(this.maxDrawdown, (this.peak - equity) / this.peak);
      // A comparison, not Math.max: with Math.max here, V8 threw the replay's optimised code away
      // (a deopt, "lost precision or NaN") at the start of every run of an optimisation.
      const duration = ts - this.peakTs;
      if (duration > this.maxDrawdownDurationMs) this.maxDrawdownDurationMs = duration;
    }
    const r = this.previous > 0 ? equity / this.previous - 1 : 0;
    this.previous = equity;
    this.n++;
    const delta = r - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (r - this.mean);
    this.downside2 += Math.min(0, r) ** 2;

    if (this.samples % this.step === 0) {
      this.points.push([ts, equity]);
      this.hasLatest = false;
      if (this.points.length >= this.maxPoints) this.thin();
    } else {
      this.hasLatest = true;
      this.latestTs = ts;
      this.latestEquity = equity;
    }
  }

  /**
   * Keeps the points at multiples of the doubled step (every second one): which points stay
   * depends only on the sample count, so two runs of the same data keep the same curve. A method
   * of its own: it runs a few times per run, and inlined into the replay its first run there
   * discarded the replay's optimised code.
   */
  private thin(): void {
    let w = 0;
    for (let i = 1; i < this.points.length; i += 2) this.points[w++] = this.points[i]!;
    this.points.length = w;
    this.step *= 2;
  }

  /** Sharpe and Sortino of the per-candle returns, annualized by `perYear` candles a year. */
  ratios(perYear: number): { sharpe: number; sortino: number } {
    const n = Math.max(1, this.n);
    const sd = Math.sqrt(this.m2 / n);
    const downside = Math.sqrt(this.downside2 / n);
    const k = Math.sqrt(perYear);
    return { sharpe: sd > 0 ? (this.mean / sd) * k : 0, sortino: downside > 0 ? (this.mean / downside) * k : 0 };
  }

  /** Closes per point of the curve (1: every close). */
  get curveStep(): number {
    return this.step;
  }

  /** The curve, ending with the latest sample. */
  curve(): Array<[number, number]> {
    return !this.hasLatest ? this.points.slice() : [...this.points, [this.latestTs, this.latestEquity]];
  }
}
