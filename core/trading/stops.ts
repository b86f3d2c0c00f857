/**
 * Stop-loss, take-profit and trailing stop for spot positions, watched by the bot against
 * incoming prices. A hit produces one market sell of the position with a client order id derived
 * from the order that opened it, so a repeated check can never sell twice. While a stop-loss order
 * rests at the exchange (live, see exchange-stops.ts) the exchange watches the stop-loss and the
 * bot only the take-profit and the trailing stop.
 */
import type { Ticker } from '../contract';

export interface StopLevels {
  symbol: string;
  /** The order that opened the position; close ids derive from it. */
  parentClientOrderId: string;
  stopLoss?: number;
  takeProfit?: number;
  /** Trailing distance as a fraction of the highest price since entry. */
  trailingStop?: number;
  /** Highest price seen since entry (trailing stops follow it). */
  highWater: number;
  /** Client order id of the stop-loss order resting at the exchange for this position, if any. */
  exchangeOrder?: string;
  /** How many exchange stop-loss orders this position has had (their ids count up). */
  exchangeSeq?: number;
  /** The exchange refused the stop-loss order: the bot watches the stop-loss itself. */
  exchangeRefused?: string;
}

export interface StopHit {
  symbol: string;
  kind: 'stop-loss' | 'take-profit' | 'trailing-stop';
  clientOrderId: string;
  level: number;
  price: number;
  /** The exchange stop-loss order of the position, to cancel before closing it. */
  exchangeOrder?: string;
  /** The levels as they were, to re-arm them when the close cannot go out. */
  levels: StopLevels;
}

const SUFFIX = { 'stop-loss': 'sl', 'take-profit': 'tp', 'trailing-stop': 'ts' } as const;

/** Client order id of the close: the parent's id with a suffix, kept within 36 characters. */
export function closeOrderId(parent: string, kind: StopHit['kind']): string {
  return `${parent.slice(0, 32)}-${SUFFIX[kind]}`;
}

/** Client order id of the n-th exchange stop-loss order of a position: `<parent>-x<n>`, within 36 characters. */
export function exchangeStopOrderId(parent: string, n: number): string {
  const suffix = `-x${n}`;
  return `${parent.slice(0, 36 - suffix.length)}${suffix}`;
}

export class StopBook {
  private readonly bySymbol = new Map<string, StopLevels>();

  /**
   * Sets (or replaces) the stops of a symbol's position. A replacement keeps the exchange order
   * of the levels it replaces: that order still rests at the exchange until it is replaced too.
   */
  set(levels: StopLevels): void {
    if (levels.stopLoss === undefined && levels.takeProfit === undefined && levels.trailingStop === undefined) return;
    const before = this.bySymbol.get(levels.symbol);
    this.bySymbol.set(levels.symbol, {
      ...levels,
      ...(before?.exchangeOrder !== undefined ? { exchangeOrder: before.exchangeOrder } : {}),
      ...(before?.exchangeSeq !== undefined ? { exchangeSeq: before.exchangeSeq } : {}),
    });
  }

  /** How many positions have stops. */
  get size(): number {
    return this.bySymbol.size;
  }

  get(symbol: string): StopLevels | undefined {
    return this.bySymbol.get(symbol);
  }

  clear(symbol: string): void {
    this.bySymbol.delete(symbol);
  }

  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  /**
   * Checks a price; returns the stop it hits (and forgets that symbol's stops), or undefined.
   * Uses the bid when there is one (what a market sell gets), else the last price.
   */
  check(ticker: Ticker): StopHit | undefined {
    const s = this.bySymbol.get(ticker.symbol);
    if (!s) return undefined;
    const price = ticker.bid ?? ticker.last;
    if (ticker.last > s.highWater) s.highWater = ticker.last;
    let hit: StopHit['kind'] | undefined;
    let level = 0;
    if (s.stopLoss !== undefined && s.exchangeOrder === undefined && price <= s.stopLoss) [hit, level] = ['stop-loss', s.stopLoss];
    else if (s.takeProfit !== undefined && price >= s.takeProfit) [hit, level] = ['take-profit', s.takeProfit];
    else if (s.trailingStop !== undefined && price <= s.highWater * (1 - s.trailingStop)) [hit, level] = ['trailing-stop', s.highWater * (1 - s.trailingStop)];
    if (!hit) return undefined;
    this.bySymbol.delete(ticker.symbol);
    return {
      symbol: ticker.symbol,
      kind: hit,
      clientOrderId: closeOrderId(s.parentClientOrderId, hit),
      level,
      price,
      ...(s.exchangeOrder !== undefined ? { exchangeOrder: s.exchangeOrder } : {}),
      levels: s,
    };
  }

  snapshot(): StopLevels[] {
    return [...this.bySymbol.values()].map((s) => ({ ...s }));
  }

  restore(levels: StopLevels[]): void {
    this.bySymbol.clear();
    for (const l of levels) this.bySymbol.set(l.symbol, { ...l });
  }
}
