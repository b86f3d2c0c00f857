/**
 * Price levels made from candles rather than averaged over them: Heikin-Ashi candles and pivot
 * points of the previous session. Definitions: docs/indicators.md. O(1) per candle.
 */
import { Counted, type Indicator, type OhlcvCandle } from './candle-indicators';
import type { IndicatorSpec } from './spec';

type Spec<T extends IndicatorSpec['type']> = Extract<IndicatorSpec, { type: T }>;

export class HeikinAshi extends Counted<Spec<'heikinashi'>> {
  private prevOpen = 0;
  private prevClose = 0;
  private started = false;
  constructor(spec: Spec<'heikinashi'>) {
    super(spec, 1);
  }
  protected compute(c: OhlcvCandle) {
    const close = (c.open + c.high + c.low + c.close) / 4;
    const open = this.started ? (this.prevOpen + this.prevClose) / 2 : (c.open + c.close) / 2;
    this.started = true;
    this.prevOpen = open;
    this.prevClose = close;
    return { open, high: Math.max(c.high, open, close), low: Math.min(c.low, open, close), close };
  }
  protected clear() {
    this.started = false;
    this.prevOpen = 0;
    this.prevClose = 0;
  }
}

const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday: shifting by 3 days makes a UTC week start on Monday. */
const sessionOf = (ts: number, session: 'day' | 'week') => (session === 'day' ? Math.floor(ts / DAY_MS) : Math.floor((Math.floor(ts / DAY_MS) + 3) / 7));

export interface PivotLevels extends Record<string, number> {
  pp: number;
  r1: number;
  r2: number;
  r3: number;
  s1: number;
  s2: number;
  s3: number;
}

/** The levels of one method from a session's high, low and close (exported for the docs' examples and tests). */
export function pivotLevels(method: Spec<'pivots'>['method'], h: number, l: number, c: number): PivotLevels {
  const range = h - l;
  switch (method) {
    case 'classic': {
      const pp = (h + l + c) / 3;
      return { pp, r1: 2 * pp - l, r2: pp + range, r3: h + 2 * (pp - l), s1: 2 * pp - h, s2: pp - range, s3: l - 2 * (h - pp) };
    }
    case 'fibonacci': {
      const pp = (h + l + c) / 3;
      return { pp, r1: pp + 0.382 * range, r2: pp + 0.618 * range, r3: pp + range, s1: pp - 0.382 * range, s2: pp - 0.618 * range, s3: pp - range };
    }
    case 'camarilla': {
      const pp = (h + l + c) / 3;
      const k = 1.1 * range;
      return { pp, r1: c + k / 12, r2: c + k / 6, r3: c + k / 4, s1: c - k / 12, s2: c - k / 6, s3: c - k / 4 };
    }
    case 'woodie': {
      const pp = (h + l + 2 * c) / 4;
      return { pp, r1: 2 * pp - l, r2: pp + range, r3: h + 2 * (pp - l), s1: 2 * pp - h, s2: pp - range, s3: l - 2 * (h - pp) };
    }
  }
}

/**
 * Pivot points from the previous session's high, low and close. The first value comes with the
 * first candle of the second session seen, however many candles that takes, so `remaining` is 1
 * (at least one more candle) until then.
 */
export class Pivots implements Indicator {
  private session: number | null = null;
  private high = 0;
  private low = 0;
  private close = 0;
  private levels: PivotLevels | null = null;
  constructor(readonly spec: Spec<'pivots'>) {}

  get remaining(): number {
    return this.levels === null ? 1 : 0;
  }

  update(c: OhlcvCandle): PivotLevels | null {
    const session = sessionOf(c.ts, this.spec.session);
    if (this.session === null || session !== this.session) {
      if (this.session !== null) this.levels = pivotLevels(this.spec.method, this.high, this.low, this.close);
      this.session = session;
      this.high = c.high;
      this.low = c.low;
    } else {
      if (c.high > this.high) this.high = c.high;
      if (c.low < this.low) this.low = c.low;
    }
    this.close = c.close;
    // A copy per candle, like every other indicator's value: a flow that edits msg.indicators cannot reach our state.
    return this.levels === null ? null : { ...this.levels };
  }

  reset(): void {
    this.session = null;
    this.levels = null;
    this.high = this.low = this.close = 0;
  }
}
