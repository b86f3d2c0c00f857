/**
 * Runs one candle strategy over many series (exchange + symbol + timeframe), in order, and
 * turns its decisions into signal payloads with deterministic ids. Warm-up candles update the
 * strategy's state but never make a signal. At most one signal per candle per strategy.
 * Candles of a timeframe the rules name with `@` (`rsi14@1h`) are context: remembered with their
 * indicator values for the candles of lower timeframes (higher-timeframes.ts), never evaluated.
 */
import type { Candle, Signal } from '../contract';
import type { IndicatorValue } from '../indicators';
import { SeriesMap } from '../series-map';
import { timeframeToMs } from '../timeframe';
import { BollingerStochRsi, FairValueGap, MacdCross, MaCross, RsiLevels } from './builtin';
import { HigherTimeframes } from './higher-timeframes';
import { FilteredStrategy, RuleStrategy, ruleTimeframes } from './rules';
import type { StrategySettings } from './settings';
import { signalId } from './signal-id';
import type { Decision, Hold, HoldReason, SeriesStrategy, TimeframeContext } from './types';

export type CandleOutcome = { signal: Signal } | { hold: Hold };

export function strategyFactory(s: Exclude<StrategySettings, { strategy: 'decision' }>): () => SeriesStrategy {
  if (s.strategy === 'rules') {
    return () => new RuleStrategy({ mode: s.entryMode, rules: s.entryRules }, { mode: s.exitMode, rules: s.exitRules }, s.exitFraction);
  }
  const builtin = builtinFactory(s);
  if (!s.entryFilter.length) return builtin;
  const filter = { mode: 'all' as const, rules: s.entryFilter };
  return () => new FilteredStrategy(builtin(), filter);
}

function builtinFactory(s: Exclude<StrategySettings, { strategy: 'decision' | 'rules' }>): () => SeriesStrategy {
  switch (s.strategy) {
    case 'maCross':
      return () => new MaCross(s);
    case 'rsi':
      return () => new RsiLevels(s);
    case 'bollingerStochRsi':
      return () => new BollingerStochRsi(s);
    case 'macdCross':
      return () => new MacdCross(s);
    case 'fvg':
      return () => new FairValueGap(s);
  }
}

/** The timeframes a strategy's conditions name with `@`: its context timeframes. */
export function contextTimeframes(s: Exclude<StrategySettings, { strategy: 'decision' }>): Set<string> {
  return s.strategy === 'rules' ? ruleTimeframes(s.entryRules, s.exitRules) : ruleTimeframes(s.entryFilter);
}

/** The text of a hold: the strategy's reason, or why a decision on a warm-up candle is not a signal. */
function holdReason(decision: Decision | HoldReason): string {
  if (typeof decision === 'string') return decision;
  if (typeof decision === 'function') return decision();
  return `warm-up candle: ${decision.side} not signalled (${decision.reason})`;
}

export class StrategyRunner {
  private readonly series: SeriesMap<SeriesStrategy>;
  private readonly higher = new HigherTimeframes();
  /** The candle being evaluated, for `lookup` (one function for every candle, no closure each). */
  private current: Candle | undefined;
  private readonly lookup = (timeframe: string): TimeframeContext | undefined => this.higher.at(this.current!, timeframe);

  constructor(
    readonly name: string,
    create: () => SeriesStrategy,
    /** Timeframes whose candles are context for the rules (`@1h`), not evaluated. */
    private readonly context: ReadonlySet<string> = new Set(),
  ) {
    this.series = new SeriesMap(create, 'strategy state');
  }

  onCandle(candle: Candle, indicators: Record<string, IndicatorValue | null | undefined>, warmup: boolean): CandleOutcome {
    const closeTs = candle.ts + timeframeToMs(candle.timeframe);
    if (this.context.has(candle.timeframe)) {
      this.higher.record(candle, indicators);
      return { hold: { kind: 'hold', symbol: candle.symbol, ts: closeTs, strategy: this.name, reason: `${candle.timeframe} candle kept for the conditions that name @${candle.timeframe}` } };
    }
    const decision = this.decide(candle, indicators);
    if (typeof decision !== 'object' || warmup) {
      // The hold (and its reason's text) is made when someone reads it: most candles are holds nobody reads.
      const { symbol } = candle;
      const name = this.name;
      let hold: Hold | undefined;
      return {
        get hold(): Hold {
          return (hold ??= { kind: 'hold', symbol, ts: closeTs, strategy: name, reason: holdReason(decision) });
        },
      };
    }
    return { signal: this.signal(candle, decision, closeTs) };
  }

  /**
   * onCandle() for a caller that never reads holds (the backtest's fast path: holds reach no
   * trading node): the signal, or undefined for a hold, with no object made for the hold.
   * Same state, same checks, same signal.
   */
  signalOf(candle: Candle, indicators: Record<string, IndicatorValue | null | undefined>, warmup: boolean): Signal | undefined {
    if (this.context.size && this.context.has(candle.timeframe)) {
      this.higher.record(candle, indicators);
      return undefined;
    }
    const decision = this.decide(candle, indicators);
    if (typeof decision !== 'object' || warmup) return undefined;
    return this.signal(candle, decision, candle.ts + timeframeToMs(candle.timeframe));
  }

  private decide(candle: Candle, indicators: Record<string, IndicatorValue | null | undefined>): Decision | HoldReason {
    const strategy = this.series.advance(candle);
    this.current = candle;
    return strategy.evaluate({ candle, indicators, higher: this.lookup });
  }

  private signal(candle: Candle, decision: Decision, closeTs: number): Signal {
    const signal: Signal = {
      kind: 'signal',
      id: signalId({ strategy: this.name, exchange: candle.exchange, symbol: candle.symbol, timeframe: candle.timeframe, candleTs: candle.ts, side: decision.side }),
      exchange: candle.exchange,
      symbol: candle.symbol,
      timeframe: candle.timeframe,
      side: decision.side,
      price: candle.close,
      ts: closeTs,
      candleTs: candle.ts,
      strategy: this.name,
      strength: decision.strength,
      reason: decision.reason,
    };
    // Set after the literal (the same fields in the same order; a spread would copy an object per signal).
    if (decision.fraction !== undefined) signal.fraction = decision.fraction;
    return signal;
  }

  reset(symbol?: string): number {
    this.higher.reset(symbol);
    return this.series.reset(symbol);
  }
}
