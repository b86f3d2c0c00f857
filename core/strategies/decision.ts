/**
 * The decision maker: combines the signals of several strategies for the same symbol with a
 * policy (unanimous, majority, weighted) within a time window, and emits one combined signal
 * at most once per symbol, candle and side. Time is the signals' own (ts), never the wall
 * clock, so a backtest decides exactly as live does.
 */
import type { Side, Signal } from '../contract';
import { signalId } from './signal-id';
import { clamp01, type Hold } from './types';

export interface DecisionSettings {
  name: string;
  policy: 'unanimous' | 'majority' | 'weighted';
  members: Array<{ strategy: string; weight: number }>;
  windowMs: number;
  /** weighted: the fraction of the total weight that must agree, (0, 1]. */
  threshold: number;
}

export type DecisionOutcome = { signal: Signal } | { hold: Hold };

/** How many symbols one decision node remembers signals for (memory bound). */
const MAX_SYMBOLS = 1000;

export class DecisionMaker {
  /** symbol -> member strategy -> its latest signal */
  private readonly latest = new Map<string, Map<string, Signal>>();
  /** symbol|candleTs|side already emitted */
  private readonly emitted = new Map<string, Set<string>>();
  private readonly totalWeight: number;
  private readonly weights: Map<string, number>;

  constructor(private readonly s: DecisionSettings) {
    this.weights = new Map(s.members.map((m) => [m.strategy, m.weight]));
    this.totalWeight = s.members.reduce((sum, m) => sum + m.weight, 0);
  }

  onSignal(signal: Signal): DecisionOutcome {
    const outcome = this.decide(signal);
    return typeof outcome === 'string'
      ? { hold: { kind: 'hold', symbol: signal.symbol, ts: signal.ts, strategy: this.s.name, reason: outcome } }
      : { signal: outcome };
  }

  private decide(signal: Signal): Signal | string {
    if (!this.weights.has(signal.strategy)) {
      return `signal from "${signal.strategy}" ignored: not a member (${[...this.weights.keys()].join(', ')})`;
    }
    let bySymbol = this.latest.get(signal.symbol);
    if (!bySymbol) {
      if (this.latest.size >= MAX_SYMBOLS) return `more than ${MAX_SYMBOLS} symbols: ${signal.symbol} ignored`;
      bySymbol = new Map();
      this.latest.set(signal.symbol, bySymbol);
    }
    const previous = bySymbol.get(signal.strategy);
    if (previous && previous.ts > signal.ts) return `older signal from ${signal.strategy} ignored`;
    bySymbol.set(signal.strategy, signal);

    // Only signals within the window that ends at this one count.
    const live = [...bySymbol.values()].filter((x) => Math.abs(signal.ts - x.ts) <= this.s.windowMs);
    const agree = live.filter((x) => x.side === signal.side);
    const verdict = this.verdict(signal.side, agree, live);
    if (!verdict.met) return verdict.why;

    const candleTs = Math.max(...agree.map((x) => x.candleTs));
    const onceKey = `${candleTs}|${signal.side}`;
    let done = this.emitted.get(signal.symbol);
    if (!done) this.emitted.set(signal.symbol, (done = new Set()));
    if (done.has(onceKey)) return `already decided ${signal.side} for this candle`;
    done.add(onceKey);
    // Keep the memory of emitted decisions bounded: old candles cannot be decided again anyway.
    if (done.size > 64) done.delete(done.values().next().value!);

    const combined: Signal = {
      kind: 'signal',
      id: signalId({ strategy: this.s.name, exchange: signal.exchange, symbol: signal.symbol, timeframe: signal.timeframe, candleTs, side: signal.side }),
      exchange: signal.exchange,
      symbol: signal.symbol,
      ...(signal.timeframe ? { timeframe: signal.timeframe } : {}),
      side: signal.side,
      price: signal.price,
      ts: signal.ts,
      candleTs,
      strategy: this.s.name,
      strength: clamp01(agree.reduce((sum, x) => sum + x.strength * this.weights.get(x.strategy)!, 0) / this.totalWeight),
      reason: `${this.s.policy}: ${verdict.why}`,
    };
    return combined;
  }

  reset(symbol?: string): void {
    if (symbol === undefined) {
      this.latest.clear();
      this.emitted.clear();
    } else {
      this.latest.delete(symbol);
      this.emitted.delete(symbol);
    }
  }

  private verdict(side: Side, agree: Signal[], live: Signal[]): { met: boolean; why: string } {
    const names = agree.map((x) => x.strategy).join(', ');
    const n = this.s.members.length;
    switch (this.s.policy) {
      case 'unanimous':
        return agree.length === n
          ? { met: true, why: `all ${n} strategies say ${side} (${names})` }
          : { met: false, why: `${agree.length} of ${n} say ${side}; unanimous needs all` };
      case 'majority':
        return agree.length * 2 > n
          ? { met: true, why: `${agree.length} of ${n} strategies say ${side} (${names})` }
          : { met: false, why: `${agree.length} of ${n} say ${side}; majority needs more than half${live.length > agree.length ? `, ${live.length - agree.length} disagree` : ''}` };
      case 'weighted': {
        const weight = agree.reduce((sum, x) => sum + this.weights.get(x.strategy)!, 0);
        const share = weight / this.totalWeight;
        return share >= this.s.threshold
          ? { met: true, why: `weight ${+share.toFixed(4)} of the total says ${side} (${names})` }
          : { met: false, why: `weight ${+share.toFixed(4)} says ${side}; needs ${this.s.threshold}` };
      }
    }
  }
}
