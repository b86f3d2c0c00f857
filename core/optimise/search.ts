/**
 * The searches of an optimisation, as ask/tell iterators over parameter combinations:
 *
 * - grid: every combination, lazily, first parameter slowest (nested loops in the order given);
 * - random: `samples` distinct combinations drawn uniformly (seeded); the whole space shuffled
 *   when it holds no more than `samples`;
 * - tpe: the Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter
 *   Optimization", NIPS 2011), see TpeSearch.
 *
 * `next()` gives the next combination to run (undefined: done), `tell(combo, score)` reports its
 * score (higher is better; -Infinity for a run that does not count). Only tpe uses the scores.
 * Every search is deterministic for a seed: the same sequence of next()/tell() calls gives the
 * same combinations on every machine (core/sim/random.ts: 32-bit integer PRNG).
 *
 * A combination is the list of values, one per sweep parameter, in the order of sweep.params.
 * No npm package offers a kept, pure-JS TPE (the one hyperopt port found is unmaintained and
 * dependencies are kept to a minimum), so it is written here.
 */
import { Rng } from '../sim/random';
import { paramValues, type ParamValue, type Sweep, type SweepParam } from './sweep-spec';

export type Combo = ParamValue[];

export interface Search {
  /** How many combinations this search gives in all. */
  readonly total: number;
  next(): Combo | undefined;
  tell(combo: Combo, score: number): void;
}

/** One parameter's values; `ordered` for a range (neighbouring values are alike), not for a list. */
interface Dimension {
  values: ParamValue[];
  ordered: boolean;
}

function dimensions(params: SweepParam[]): Dimension[] {
  return params.map((p) => ({ values: paramValues(p), ordered: p.range !== undefined }));
}

const comboKey = (idx: ArrayLike<number>) => Array.prototype.join.call(idx, ',');

/** Builds the search a sweep asks for. */
export function createSearch(sweep: Sweep): Search {
  const dims = dimensions(sweep.params);
  switch (sweep.search) {
    case 'grid':
      return new GridSearch(dims);
    case 'random':
      return new RandomSearch(dims, sweep.samples ?? 1, sweep.seed);
    case 'tpe':
      return new TpeSearch(dims, sweep.samples ?? 1, sweep.seed);
  }
}

export class GridSearch implements Search {
  readonly total: number;
  private readonly index: number[];
  private given = 0;

  constructor(private readonly dims: Dimension[]) {
    this.total = dims.reduce((t, d) => t * d.values.length, 1);
    this.index = dims.map(() => 0);
  }

  next(): Combo | undefined {
    if (this.given >= this.total) return undefined;
    const combo = this.dims.map((d, i) => d.values[this.index[i]!]!);
    this.given++;
    // Odometer: the last parameter turns fastest.
    for (let i = this.dims.length - 1; i >= 0; i--) {
      if (++this.index[i]! < this.dims[i]!.values.length) break;
      this.index[i] = 0;
    }
    return combo;
  }

  tell(): void {}
}

export class RandomSearch implements Search {
  readonly total: number;
  private readonly rng: Rng;
  private readonly seen = new Set<string>();
  private readonly space: number;
  /** The whole space in a shuffled order, when samples cover it. */
  private shuffled?: number[];
  private given = 0;

  constructor(private readonly dims: Dimension[], samples: number, seed: number) {
    this.rng = Rng.derive(seed, 'optimise-random');
    this.space = dims.reduce((t, d) => t * d.values.length, 1);
    this.total = Math.min(samples, this.space);
    if (this.total === this.space) {
      const order = Array.from({ length: this.space }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      this.shuffled = order;
    }
  }

  next(): Combo | undefined {
    if (this.given >= this.total) return undefined;
    const n = this.given++;
    if (this.shuffled) return decode(this.dims, this.shuffled[n]!);
    // Fewer samples than combinations: draw until an unseen one (terminates: total < space).
    for (;;) {
      const idx = this.dims.map((d) => this.rng.int(d.values.length));
      const key = comboKey(idx);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      return idx.map((k, i) => this.dims[i]!.values[k]!);
    }
  }

  tell(): void {}
}

/** The combination at a grid position (first parameter slowest, as GridSearch enumerates). */
function decode(dims: Dimension[], position: number): Combo {
  const out: Combo = new Array(dims.length);
  for (let i = dims.length - 1; i >= 0; i--) {
    const n = dims[i]!.values.length;
    out[i] = dims[i]!.values[position % n]!;
    position = Math.floor(position / n);
  }
  return out;
}

/** Settings of the TPE (hyperopt's defaults where it has them). */
export interface TpeOptions {
  /** Random trials before the model is used (default: 10, fewer when samples are few). */
  startup?: number;
  /** Share of the scored trials that make the "good" set (default 0.25). */
  gamma?: number;
  /** Candidates drawn from the good model per proposal (default 24). */
  candidates?: number;
}

/**
 * TPE, one independent Parzen estimator per parameter (as hyperopt and Optuna by default):
 *
 * 1. The first `startup` proposals are uniform random (distinct, seeded).
 * 2. After that, the told trials are sorted by score; the best ceil(gamma * n) are "good" (at
 *    most 25), the rest "bad" (an evenly spread 250 of them when more). For each parameter,
 *    l(x) is a density fitted to the good values and g(x) to the bad ones: for a range, a mixture of Gaussians on the value's index (one per trial, plus a
 *    wide prior at the centre), each with hyperopt's adaptive width (the larger distance to its
 *    neighbours, clipped to [span / min(100, n + 1), span]), truncated to the range and
 *    integrated over each step's bin, so densities are probabilities of grid values; for a list
 *    of values, frequencies with a uniform prior of weight 1.
 * 3. `candidates` combinations are drawn from l, and the one with the largest
 *    sum of log l(x) - log g(x) (the expected-improvement criterion of the paper) is proposed;
 *    one already proposed is skipped while another is available.
 *
 * Proposals made before earlier ones are told (parallel runs) use only what has been told, so
 * the caller keeps determinism by telling in a fixed order (by run index) and asking in fixed
 * batches.
 */
export class TpeSearch implements Search {
  readonly total: number;
  private readonly rng: Rng;
  private readonly startup: number;
  private readonly gamma: number;
  private readonly candidates: number;
  private readonly proposed = new Set<string>();
  /** Told trials, best first. */
  private readonly trials: Array<{ idx: number[]; score: number }> = [];
  private given = 0;

  constructor(private readonly dims: Dimension[], samples: number, seed: number, options: TpeOptions = {}) {
    this.rng = Rng.derive(seed, 'optimise-tpe');
    const space = dims.reduce((t, d) => t * d.values.length, 1);
    this.total = Math.min(samples, space);
    this.startup = options.startup ?? Math.max(2, Math.min(10, Math.floor(samples / 3)));
    this.gamma = options.gamma ?? 0.25;
    this.candidates = options.candidates ?? 24;
  }

  next(): Combo | undefined {
    if (this.given >= this.total) return undefined;
    this.given++;
    const idx = this.trials.length < this.startup ? this.randomUnseen() : this.propose();
    this.proposed.add(comboKey(idx));
    return idx.map((k, i) => this.dims[i]!.values[k]!);
  }

  tell(combo: Combo, score: number): void {
    const idx = combo.map((v, i) => this.dims[i]!.values.indexOf(v));
    if (idx.some((k) => k < 0)) throw new Error(`tell: ${JSON.stringify(combo)} is not a combination of this search`);
    // Kept sorted, best first; an equal score goes after the ones told before it.
    const value = Number.isNaN(score) ? -Infinity : score;
    let lo = 0;
    let hi = this.trials.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.trials[mid]!.score >= value) lo = mid + 1;
      else hi = mid;
    }
    this.trials.splice(lo, 0, { idx, score: value });
  }

  private randomUnseen(): number[] {
    let idx: number[] = [];
    for (let tries = 0; tries < 1000; tries++) {
      idx = this.dims.map((d) => this.rng.int(d.values.length));
      if (!this.proposed.has(comboKey(idx))) return idx;
    }
    return idx;
  }

  private propose(): number[] {
    const sorted = this.trials;
    const nGood = Math.min(MAX_GOOD, Math.max(1, Math.ceil(this.gamma * sorted.length)));
    const good = sorted.slice(0, nGood);
    const bad = spread(sorted.slice(nGood), MAX_BAD);
    const models = this.dims.map((d, i) => {
      const g = good.map((t) => t.idx[i]!);
      const b = bad.map((t) => t.idx[i]!);
      return d.ordered ? { l: new ParzenIndex(g, d.values.length), g: new ParzenIndex(b, d.values.length) } : { l: new Categorical(g, d.values.length), g: new Categorical(b, d.values.length) };
    });
    let best: number[] | undefined;
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      const idx = models.map((m) => m.l.sample(this.rng));
      if (this.proposed.has(comboKey(idx))) continue;
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += models[i]!.l.logProb(idx[i]!) - models[i]!.g.logProb(idx[i]!);
      if (best === undefined || s > bestScore) {
        best = idx;
        bestScore = s;
      }
    }
    return best ?? this.randomUnseen();
  }
}

/**
 * Caps on the trials each model is fitted to, so a proposal costs the same after 100,000 runs
 * as after 1,000: the good set is at most 25 (Optuna's default gamma, min(ceil(0.1 n), 25), caps
 * it there too), the bad set an evenly spread sample of 250 by rank (its shape is kept).
 */
const MAX_GOOD = 25;
const MAX_BAD = 250;

function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

const LOG_FLOOR = -700; // log of a probability too small for a double: still comparable

/**
 * P(Z > z) for a standard normal Z and z >= 0, from Abramowitz & Stegun 7.1.26 (erfc as a
 * polynomial times exp(-x²): accurate in relative terms far into the tail, where 1 - CDF would
 * lose every digit).
 */
function upperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  return 0.5 * ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
}

/** P(a < Z < b) for a standard normal Z, a < b, computed on the tail side for accuracy. */
function normalMass(a: number, b: number): number {
  if (a >= 0) return Math.max(0, upperTail(a) - upperTail(b));
  if (b <= 0) return Math.max(0, upperTail(-b) - upperTail(-a));
  return Math.max(0, 1 - upperTail(-a) - upperTail(b));
}

/**
 * Parzen estimator over the indices 0..n-1 of a range's values: Gaussians on the observed
 * indices plus a prior, truncated to [-0.5, n - 0.5] and integrated per index's bin.
 */
class ParzenIndex {
  private readonly mus: number[];
  private readonly sigmas: number[];
  /** Each component's mass inside the truncation bounds. */
  private readonly masses: number[];

  constructor(observed: number[], private readonly n: number) {
    const span = Math.max(1, n - 1);
    const prior = (n - 1) / 2;
    const points = [...observed, prior].sort((a, b) => a - b);
    const priorAt = points.indexOf(prior);
    const minSigma = span / Math.min(100, observed.length + 1);
    this.mus = points;
    this.sigmas = points.map((mu, i) => {
      if (i === priorAt) return span;
      const left = i > 0 ? mu - points[i - 1]! : 0;
      const right = i < points.length - 1 ? points[i + 1]! - mu : 0;
      return Math.min(span, Math.max(minSigma, left, right));
    });
    this.masses = this.mus.map((mu, i) => Math.max(1e-300, normalMass((-0.5 - mu) / this.sigmas[i]!, (n - 0.5 - mu) / this.sigmas[i]!)));
  }

  sample(rng: Rng): number {
    if (this.n === 1) return 0;
    const k = rng.int(this.mus.length);
    for (let tries = 0; tries < 100; tries++) {
      const x = this.mus[k]! + this.sigmas[k]! * rng.normal();
      if (x >= -0.5 && x < this.n - 0.5) return Math.min(this.n - 1, Math.max(0, Math.round(x)));
    }
    return Math.min(this.n - 1, Math.max(0, Math.round(this.mus[k]!)));
  }

  logProb(i: number): number {
    let p = 0;
    for (let k = 0; k < this.mus.length; k++) {
      const s = this.sigmas[k]!;
      p += normalMass((i - 0.5 - this.mus[k]!) / s, (i + 0.5 - this.mus[k]!) / s) / this.masses[k]!;
    }
    p /= this.mus.length;
    return p > 0 ? Math.log(p) : LOG_FLOOR;
  }
}

/** Frequencies of the observed choices among n, with a uniform prior of weight 1. */
class Categorical {
  private readonly probs: number[];

  constructor(observed: number[], n: number) {
    const counts = new Array<number>(n).fill(1 / n);
    for (const i of observed) counts[i]! += 1;
    const total = observed.length + 1;
    this.probs = counts.map((c) => c / total);
  }

  sample(rng: Rng): number {
    let u = rng.next();
    for (let i = 0; i < this.probs.length; i++) {
      u -= this.probs[i]!;
      if (u < 0) return i;
    }
    return this.probs.length - 1;
  }

  logProb(i: number): number {
    return Math.log(this.probs[i]!);
  }
}
