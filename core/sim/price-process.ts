/**
 * The price process of one simulated symbol, in log space.
 *
 *   x(t + dt) = x + drift[regime] dt                       trend
 *                 + (anchor - x)(1 - e^(-k[regime] dt))    mean reversion (range regime)
 *                 + (fair - x)(1 - e^(-kf dt))             very weak pull to the configured price
 *                 + s * volMult[regime] * m(t) * sqrt(dt) * Z
 *                 + jump (Poisson, normal size)
 *
 * - The regime is a continuous-time Markov chain over trendUp / trendDown / range / burst:
 *   exponentially distributed durations, then a jump to another regime with the `next` weights.
 * - m(t) = exp(h - sd^2), with h an Ornstein-Uhlenbeck process (stationary sd `logVolStd`), is
 *   volatility clustering; E[m^2] = 1. Jumps kick h upward, so calm follows calm and storms
 *   follow shocks. h is updated once per virtual minute (every step for longer steps).
 * - The diffusion scale s is chosen so that the long-run average variance (diffusion over the
 *   stationary regime mix, plus jumps) equals the configured daily volatility: a symbol with
 *   volatility 0.03 has a realized daily volatility of about 3 % measured on short returns.
 *
 * Everything that depends only on dt is precomputed once per step length (StepConsts), so a
 * step costs a few multiplications, about one normal and three uniforms. No allocation per step.
 */
import type { Rng } from './random';

export type RegimeName = 'trendUp' | 'trendDown' | 'range' | 'burst';
export const REGIMES: readonly RegimeName[] = ['trendUp', 'trendDown', 'range', 'burst'];

export interface RegimeParams {
  /** Mean time in the regime, hours; the actual duration is exponentially distributed. */
  meanDurationHours: number;
  /** Drift of the log price in daily volatilities per day (+1.5 at 3 % daily vol = about +4.5 %/day). */
  driftDailyVols: number;
  /** Relative diffusion volatility of the regime, before the global normalisation. */
  volMult: number;
  /** Half-life (hours) of the pull toward the price at which the regime began; 0 = no pull. */
  reversionHalfLifeHours: number;
  /** Multiplier on the base jump rate while in this regime. */
  jumpRateMult: number;
  /** Multiplier on the configured spread while in this regime. */
  spreadMult: number;
  /** Relative weights of the regime that follows this one (the regime's own entry is ignored). */
  next: Record<RegimeName, number>;
}

export interface PriceProcessParams {
  regimes: Record<RegimeName, RegimeParams>;
  volClustering: {
    /** Half-life of the log-volatility factor, hours. */
    halfLifeHours: number;
    /** Stationary standard deviation of the log-volatility factor (0.35: vol typically x0.7..x1.4). */
    logVolStd: number;
    /** Added to the log-volatility factor by each jump (shocks raise volatility). */
    jumpKick: number;
  };
  jumps: {
    /** Base jump rate per day (multiplied by the regime's jumpRateMult). */
    ratePerDay: number;
    /** Standard deviation of a jump, in daily volatilities (0.4 at 3 % vol = 1.2 % moves). */
    sizeDailyVols: number;
  };
  /** Half-life (days) of the weak pull back toward the configured start price; keeps a sim that runs
   *  for months in a sensible price range. */
  fairValueHalfLifeDays: number;
  /** Time constant (minutes) of the price EMA behind momentum(), which tilts the order book. */
  momentumMinutes: number;
  volume: {
    /** Amplitude of the daily volume cycle (0.35: busiest hour 1.35x the mean, quietest 0.65x). */
    seasonalAmplitude: number;
    /** UTC hour of the busiest trading. */
    peakHourUtc: number;
  };
}

/** Defaults tuned so that 1h/4h charts show clear trends, ranges and the occasional burst. */
export const PRICE_PROCESS_DEFAULTS: PriceProcessParams = {
  regimes: {
    trendUp: {
      meanDurationHours: 16,
      driftDailyVols: 1.5,
      volMult: 0.8,
      reversionHalfLifeHours: 0,
      jumpRateMult: 1,
      spreadMult: 1,
      next: { trendUp: 0, trendDown: 0.15, range: 0.55, burst: 0.3 },
    },
    trendDown: {
      meanDurationHours: 16,
      driftDailyVols: -1.5,
      volMult: 0.8,
      reversionHalfLifeHours: 0,
      jumpRateMult: 1,
      spreadMult: 1,
      next: { trendUp: 0.15, trendDown: 0, range: 0.55, burst: 0.3 },
    },
    range: {
      meanDurationHours: 30,
      driftDailyVols: 0,
      volMult: 0.8,
      // Ornstein-Uhlenbeck pull to the level where the range began: the price stays within
      // about +-1.5 % (2 sd) of it at 3 % daily volatility.
      reversionHalfLifeHours: 4,
      jumpRateMult: 0.5,
      spreadMult: 0.8,
      next: { trendUp: 0.375, trendDown: 0.375, range: 0, burst: 0.25 },
    },
    burst: {
      meanDurationHours: 2,
      driftDailyVols: 0,
      volMult: 2.5,
      reversionHalfLifeHours: 0,
      jumpRateMult: 6,
      spreadMult: 2.5,
      next: { trendUp: 0.3, trendDown: 0.3, range: 0.4, burst: 0 },
    },
  },
  volClustering: { halfLifeHours: 6, logVolStd: 0.35, jumpKick: 0.2 },
  jumps: { ratePerDay: 0.5, sizeDailyVols: 0.4 },
  fairValueHalfLifeDays: 90,
  momentumMinutes: 15,
  volume: { seasonalAmplitude: 0.35, peakHourUtc: 15 },
};

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Everything that depends on the step length, computed once per dt. */
export class StepConsts {
  readonly switchProb = new Float64Array(4);
  /** Row r: cumulative probabilities of the next regime after r. */
  readonly nextCum = new Float64Array(16);
  readonly drift = new Float64Array(4);
  readonly sigma = new Float64Array(4);
  readonly reversion = new Float64Array(4);
  readonly jumpProb = new Float64Array(4);
  /** Expected volume of one step per regime, before the per-step noise. */
  readonly volume = new Float64Array(4);
  anchorReversion = 0;
  /** The volatility factor is updated every hEvery steps (about once a virtual minute). */
  hEvery = 1;
  hDecay = 0;
  hNoise = 0;
  emaAlpha = 0;

  constructor(readonly dtMs: number) {}
}

/** The per-symbol model: parameters, the configured volatility and volume, and derived constants. */
export class PriceModel {
  /** Stationary share of time spent in each regime. */
  readonly timeShare = new Float64Array(4);
  /** Global diffusion scale that makes the long-run variance equal sigmaDaily^2. */
  readonly diffusionScale: number;
  /** Multiplier that makes the long-run mean volume equal dailyVolume. */
  readonly volumeNorm: number;
  /** Volume multiplier per UTC hour (mean 1). */
  readonly seasonal = new Float64Array(24);
  private readonly constsCache = new Map<number, StepConsts>();

  constructor(
    readonly sigmaDaily: number,
    readonly dailyVolume: number,
    readonly params: PriceProcessParams = PRICE_PROCESS_DEFAULTS,
  ) {
    const regimes = REGIMES.map((name) => params.regimes[name]);
    const rows = REGIMES.map((_, i) => this.nextWeights(i));
    // Stationary law of the embedded jump chain by power iteration, weighted by mean durations.
    let pi = [0.25, 0.25, 0.25, 0.25];
    for (let iter = 0; iter < 500; iter++) {
      const nextPi = [0, 0, 0, 0];
      for (let i = 0; i < 4; i++) {
        const row = rows[i]!;
        for (let j = 0; j < 4; j++) nextPi[j]! += pi[i]! * row[j]!;
      }
      pi = nextPi.map((p, j) => 0.5 * p + 0.5 * pi[j]!); // lazy chain: same fixed point, no oscillation
    }
    let total = 0;
    for (let i = 0; i < 4; i++) total += pi[i]! * regimes[i]!.meanDurationHours;
    for (let i = 0; i < 4; i++) this.timeShare[i] = (pi[i]! * regimes[i]!.meanDurationHours) / total;

    const sd = params.volClustering.logVolStd;
    let meanVar = 0;
    let jumpVar = 0;
    let meanVolMult = 0;
    for (let i = 0; i < 4; i++) {
      const r = regimes[i]!;
      meanVar += this.timeShare[i]! * r.volMult * r.volMult;
      meanVolMult += this.timeShare[i]! * r.volMult;
      jumpVar += this.timeShare[i]! * params.jumps.ratePerDay * r.jumpRateMult * params.jumps.sizeDailyVols ** 2;
    }
    if (jumpVar >= 0.9) throw new Error('price process: jumps alone exceed the configured volatility');
    this.diffusionScale = Math.sqrt((1 - jumpVar) / meanVar);
    // E[m] = exp(-sd^2 / 2) for m = exp(h - sd^2), h ~ N(0, sd^2).
    this.volumeNorm = 1 / (meanVolMult * Math.exp((-sd * sd) / 2));

    const amp = params.volume.seasonalAmplitude;
    for (let h = 0; h < 24; h++) {
      this.seasonal[h] = 1 + amp * Math.cos((2 * Math.PI * (h - params.volume.peakHourUtc)) / 24);
    }
  }

  /** Normalised weights of the regime after regime i. */
  private nextWeights(i: number): number[] {
    const next = this.params.regimes[REGIMES[i]!].next;
    const w = REGIMES.map((name, j) => (j === i ? 0 : Math.max(0, next[name])));
    const sum = w.reduce((a, b) => a + b, 0);
    if (!(sum > 0)) throw new Error(`price process: regime ${REGIMES[i]} has no next regime`);
    return w.map((x) => x / sum);
  }

  /** Constants for steps of dtMs (cached). */
  stepConsts(dtMs: number): StepConsts {
    const cached = this.constsCache.get(dtMs);
    if (cached) return cached;
    const p = this.params;
    const c = new StepConsts(dtMs);
    const dtDays = dtMs / MS_PER_DAY;
    const dtHours = dtMs / MS_PER_HOUR;
    const sigma = this.sigmaDaily;
    for (let i = 0; i < 4; i++) {
      const r = p.regimes[REGIMES[i]!];
      c.switchProb[i] = 1 - Math.exp(-dtHours / r.meanDurationHours);
      const row = this.nextWeights(i);
      let cum = 0;
      for (let j = 0; j < 4; j++) {
        cum += row[j]!;
        c.nextCum[i * 4 + j] = cum;
      }
      // Rounding guard: the last possible next regime catches every u < 1.
      for (let j = 3; j >= 0; j--) {
        if (row[j]! > 0) {
          c.nextCum[i * 4 + j] = 2;
          break;
        }
      }
      c.drift[i] = r.driftDailyVols * sigma * dtDays;
      c.sigma[i] = this.diffusionScale * r.volMult * sigma * Math.sqrt(dtDays);
      c.reversion[i] = r.reversionHalfLifeHours > 0 ? 1 - Math.exp((-Math.LN2 * dtHours) / r.reversionHalfLifeHours) : 0;
      c.jumpProb[i] = 1 - Math.exp(-p.jumps.ratePerDay * r.jumpRateMult * dtDays);
      c.volume[i] = this.dailyVolume * dtDays * this.volumeNorm * r.volMult;
    }
    c.anchorReversion = 1 - Math.exp((-Math.LN2 * dtDays) / p.fairValueHalfLifeDays);
    // The volatility factor moves on an hours scale: updating it once per virtual minute (not
    // every tick) is indistinguishable and saves a normal and an exp per tick.
    c.hEvery = Math.max(1, Math.floor(60_000 / dtMs));
    const decay = Math.exp((-Math.LN2 * dtHours * c.hEvery) / p.volClustering.halfLifeHours);
    c.hDecay = decay;
    c.hNoise = p.volClustering.logVolStd * Math.sqrt(1 - decay * decay);
    c.emaAlpha = 1 - Math.exp(-dtMs / (p.momentumMinutes * 60_000));
    this.constsCache.set(dtMs, c);
    return c;
  }
}

export class PriceProcess {
  /** Log price now. */
  x: number;
  regime: number;
  /** Log-volatility factor (OU, mean 0). */
  h: number;
  /** EMA of the log price (momentum reference). */
  ema: number;
  /** Log price at which the current regime began (mean-reversion target in range). */
  anchor: number;
  /** Log of the configured price (very weak long-run pull). */
  fair: number;
  rng: Rng;

  // Outputs of the last step (no allocation): log price before, the high/low of the path in
  // between when bridged, and the traded volume.
  x0 = 0;
  hiX = 0;
  loX = 0;
  volume = 0;

  /** exp(h - sd^2), cached between updates of h. */
  private m: number;
  private hClock = 0;
  private readonly hBias: number;
  private readonly jumpSize: number;
  private readonly jumpKick: number;

  constructor(
    readonly model: PriceModel,
    startPrice: number,
    rng: Rng,
  ) {
    this.rng = rng;
    this.x = Math.log(startPrice);
    this.fair = this.x;
    this.ema = this.x;
    this.anchor = this.x;
    const p = model.params;
    const sd = p.volClustering.logVolStd;
    this.hBias = -sd * sd;
    this.jumpSize = p.jumps.sizeDailyVols * model.sigmaDaily;
    this.jumpKick = p.volClustering.jumpKick;
    // Start from the stationary law: regime by time share, volatility factor ~ N(0, sd^2).
    const u = rng.next();
    let r = 0;
    let cum = model.timeShare[0]!;
    while (r < 3 && u >= cum) cum += model.timeShare[++r]!;
    this.regime = r;
    this.h = sd * rng.normal();
    this.m = Math.exp(this.h + this.hBias);
  }

  /**
   * One step of c.dtMs ending at virtual time `ts` (ms; used for the volume's daily cycle).
   * With `bridge`, hiX/loX receive the extremes of a Brownian bridge between the two log prices
   * (exact in law for the diffusion), so coarse steps still give candles realistic wicks.
   */
  step(c: StepConsts, ts: number, bridge: boolean): void {
    const rng = this.rng;
    let r = this.regime;
    if (rng.next() < c.switchProb[r]!) {
      const u = rng.next();
      const base = r * 4;
      let j = 0;
      while (u >= c.nextCum[base + j]!) j++;
      r = j;
      this.regime = r;
      this.anchor = this.x;
    }
    if (--this.hClock <= 0) {
      this.hClock = c.hEvery;
      this.h = this.h * c.hDecay + c.hNoise * rng.normal();
      this.m = Math.exp(this.h + this.hBias);
    }
    const m = this.m;
    const sig = c.sigma[r]! * m;
    const z = rng.normal();
    const x0 = this.x;
    let x1 = x0 + c.drift[r]! + (this.fair - x0) * c.anchorReversion + sig * z;
    const rev = c.reversion[r]!;
    if (rev > 0) x1 += (this.anchor - x0) * rev;
    let hi = x1;
    let lo = x1;
    if (bridge) {
      const d = x1 - x0;
      const v2 = 2 * sig * sig;
      const mid = x0 + x1;
      hi = 0.5 * (mid + Math.sqrt(d * d - v2 * Math.log(rng.nextOpen())));
      lo = 0.5 * (mid - Math.sqrt(d * d - v2 * Math.log(rng.nextOpen())));
    }
    let volume = c.volume[r]! * m * (0.4 + 0.75 * Math.abs(z)) * (0.25 + 1.5 * rng.next());
    if (rng.next() < c.jumpProb[r]!) {
      x1 += this.jumpSize * rng.normal();
      this.h += this.jumpKick;
      this.m = Math.exp(this.h + this.hBias);
      volume *= 3;
      if (x1 > hi) hi = x1;
      if (x1 < lo) lo = x1;
    }
    this.x0 = x0;
    this.x = x1;
    this.hiX = hi;
    this.loX = lo;
    this.ema += (x1 - this.ema) * c.emaAlpha;
    this.volume = volume * this.model.seasonal[Math.floor(ts / MS_PER_HOUR) % 24]!;
  }

  /** Moves the whole state by `delta` in log space (used to pin generated history to the start price). */
  shift(delta: number): void {
    this.x += delta;
    this.ema += delta;
    this.anchor += delta;
    this.x0 += delta;
    this.hiX += delta;
    this.loX += delta;
  }

  regimeName(): RegimeName {
    return REGIMES[this.regime]!;
  }

  /** Spread multiplier for the current state: wider in bursts and when volatility is high. */
  spreadFactor(): number {
    const rp = this.model.params.regimes[REGIMES[this.regime]!];
    const f = rp.spreadMult * (0.5 + 0.5 * this.m);
    return f < 0.3 ? 0.3 : f > 8 ? 8 : f;
  }

  /** Recent move against the EMA, in units of the volatility expected over the EMA's time constant. */
  momentum(): number {
    const tauDays = this.model.params.momentumMinutes / 1440;
    return (this.x - this.ema) / (this.model.sigmaDaily * Math.sqrt(tauDays));
  }
}
