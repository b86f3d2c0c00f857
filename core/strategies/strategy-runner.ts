/**
 * Runs one candle strategy over many series (exchange + symbol + timeframe), in order, and
 * turns its decisions into signal payloads with deterministic ids. Warm-up candles update the
 * strategy's state but never make a signal. At most one signal per candle per strategy.
 */
import type { Candle, Signal } from '../contract';
import type { IndicatorValue } from '../indicators';
import { SeriesMap } from '../series-map';
import { timeframeToMs } from '../timeframe';
import { BollingerStochRsi, FairValueGap, MacdCross, MaCross, RsiLevels } from './builtin';
import { RuleStrategy } from './rules';
import type { StrategySettings } from './settings';
import { signalId } from './signal-id';
import type { Decision, Hold, HoldReason, SeriesStrategy } from './types';

export type CandleOutcome = { signal: Signal } | { hold: Hold };

export function strategyFactory(s: Exclude<StrategySettings, { strategy: 'decision' }>): () => SeriesStrategy {
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
    case 'rules':
      return () => new RuleStrategy({ mode: s.entryMode, rules: s.entryRules }, { mode: s.exitMode, rules: s.exitRules }, s.exitFraction);
  }
}

/** The text of a hold: the strategy's reason, or why a decision on a warm-up candle is not a signal. */
function holdReason(decision: Decision | HoldReason): string {
  if (typeof decision === 'string') return decision;
  if (typeof decision === 'function') return decision();
  return `warm-up candle: ${decision.side} not signalled (${decision.reason})`;
}

export class StrategyRunner {
  private readonly series: SeriesMap<SeriesStrategy>;

  constructor(
    readonly name: string,
    create: () => SeriesStrategy,
  ) {
    this.series = new SeriesMap(create, 'strategy state');
  }

  onCandle(candle: Candle, indicators: Record<string, IndicatorValue | null | undefined>, warmup: boolean): CandleOutcome {
    const strategy = this.series.advance(candle);
    const decision = strategy.evaluate({ candle, indicators });
    const closeTs = candle.ts + timeframeToMs(candle.timeframe);
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
    const strategy = this.series.advance(candle);
    const decision = strategy.evaluate({ candle, indicators });
    const closeTs = candle.ts + timeframeToMs(candle.timeframe);
    if (typeof decision !== 'object' || warmup) return undefined;
    return this.signal(candle, decision, closeTs);
  }

  private signal(candle: Candle, decision: Decision, closeTs: number): Signal {
    return {
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
      ...(decision.fraction !== undefined ? { fraction: decision.fraction } : {}),
    };
  }

  reset(symbol?: string): number {
    return this.series.reset(symbol);
  }
}
