/**
 * Walk-forward analysis: the history is cut into windows, each an in-sample part (where the
 * parameters are chosen) followed by an out-of-sample part (where the chosen parameters are run
 * once, on data they were not chosen on). Comparing the two scores shows overfitting.
 *
 * The out-of-sample parts tile the end of [start, end) without gaps or overlap and end exactly at
 * `end`; every in-sample part has the same length (rolling) or starts at `start` (anchored). With
 * k windows and in-sample share p, one window is IS + OOS long with IS = p / (1 - p) * OOS, and
 * the span holds IS + k * OOS. Cuts are whole numbers (candle indices, or milliseconds), computed
 * in BigInt so long time spans stay exact.
 */
import { fieldError } from '../errors';
import type { Combo } from './search';
import type { WalkForwardSpec } from './sweep-spec';

/** [start, end): candle open times, or indices into a series. */
export interface Span {
  start: number;
  end: number;
}

export interface WalkForwardWindow {
  index: number;
  inSample: Span;
  outOfSample: Span;
}

/**
 * The windows over [start, end). Throws, naming `where`, when the span is too short for every
 * part to hold at least one unit (`minUnit`: 1 for indices, the timeframe in ms for times).
 */
export function walkForwardWindows(span: Span, spec: Pick<WalkForwardSpec, 'windows' | 'inSamplePct' | 'anchored'>, minUnit = 1, where = 'msg.optimise.walkForward'): WalkForwardWindow[] {
  const { start, end } = span;
  if (!Number.isInteger(start) || !Number.isInteger(end) || end <= start) throw fieldError(where, `${where}: the history [${start}, ${end}) is empty`);
  const k = BigInt(spec.windows);
  // The in-sample share in hundredths of a percent, so 62.5 % stays exact.
  const p = BigInt(Math.round(spec.inSamplePct * 100));
  const q = 10_000n - p;
  const length = BigInt(end - start);
  const denominator = p + k * q;
  const cut = (j: number) => start + Number((length * (p + BigInt(j) * q)) / denominator);
  const inSampleLength = cut(0) - start;
  const windows: WalkForwardWindow[] = [];
  for (let i = 0; i < spec.windows; i++) {
    const oosStart = cut(i);
    const oosEnd = i === spec.windows - 1 ? end : cut(i + 1);
    windows.push({ index: i, inSample: { start: spec.anchored ? start : oosStart - inSampleLength, end: oosStart }, outOfSample: { start: oosStart, end: oosEnd } });
  }
  const shortest = Math.min(inSampleLength, ...windows.map((w) => w.outOfSample.end - w.outOfSample.start));
  if (shortest < minUnit) {
    const unitWord = minUnit === 1 ? 'candle' : `${minUnit} ms`;
    throw fieldError(`${where}.windows`, `${where}.windows: ${spec.windows} windows with ${spec.inSamplePct} % in-sample leave a part shorter than one ${unitWord} in a history of ${end - start}; use fewer windows or more history`);
  }
  return windows;
}

/** One in-sample run of a window: a combination and its score. */
export interface Trial {
  combo: Combo;
  score: number;
}

/** The best trial: highest score, the earliest on a tie (runs are in a fixed order). */
export function bestTrial(trials: readonly Trial[]): Trial | undefined {
  let best: Trial | undefined;
  for (const t of trials) if (t.score > -Infinity && (best === undefined || t.score > best.score)) best = t;
  return best;
}

/** What a window gave: its chosen combination's in-sample and out-of-sample results. */
export interface WindowResult {
  window: WalkForwardWindow;
  /** The best in-sample combination; undefined when no in-sample run counted. */
  combo?: Combo;
  inSampleScore: number;
  /** Its score out of sample (-Infinity: too few trades there, or no combination). */
  outOfSampleScore: number;
  /** Its out-of-sample total return (fraction), when known: chained in the totals. */
  outOfSampleReturn?: number;
}

export interface WalkForwardSummary {
  windows: WindowResult[];
  totals: {
    /** Means over the windows whose score counts (finite). */
    meanInSample: number | undefined;
    meanOutOfSample: number | undefined;
    /** meanOutOfSample / meanInSample when the in-sample mean is above 0: near 1 generalises, near 0 or below overfits. */
    efficiency: number | undefined;
    /** The out-of-sample returns compounded window after window (every window must have one). */
    outOfSampleReturn: number | undefined;
    /** Windows with a chosen combination whose out-of-sample score counts. */
    scoredWindows: number;
    /** Windows whose out-of-sample score is below their in-sample score. */
    worseOutOfSample: number;
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/** The report's figures from the per-window results. */
export function summariseWalkForward(results: readonly WindowResult[]): WalkForwardSummary {
  const counted = (x: number) => Number.isFinite(x);
  const meanInSample = mean(results.map((r) => r.inSampleScore).filter(counted));
  const meanOutOfSample = mean(results.map((r) => r.outOfSampleScore).filter(counted));
  const returns = results.map((r) => r.outOfSampleReturn);
  let chained: number | undefined;
  if (results.length && returns.every((r) => r !== undefined && Number.isFinite(r))) chained = returns.reduce<number>((acc, r) => acc * (1 + r!), 1) - 1;
  return {
    windows: results.slice(),
    totals: {
      meanInSample,
      meanOutOfSample,
      efficiency: meanInSample !== undefined && meanOutOfSample !== undefined && meanInSample > 0 ? meanOutOfSample / meanInSample : undefined,
      outOfSampleReturn: chained,
      scoredWindows: results.filter((r) => r.combo !== undefined && counted(r.outOfSampleScore)).length,
      worseOutOfSample: results.filter((r) => r.combo !== undefined && r.outOfSampleScore < r.inSampleScore).length,
    },
  };
}
