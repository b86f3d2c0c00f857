/**
 * Stop-loss, take-profit and trailing stop for spot positions, watched by the bot against
 * incoming prices. A hit produces one market sell of the position with a client order id derived
 * from the order that opened it, so a repeated check can never sell twice.
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
}

export interface StopHit {
  symbol: string;
  kind: 'stop-loss' | 'take-profit' | 'trailing-stop';
  clientOrderId: string;
  level: number;
  price: number;
}

const SUFFIX = { 'stop-loss': 'sl', 'take-profit': 'tp', 'trailing-stop': 'ts' } as const;

/** Client order id of the close: the parent's id with a suffix, kept within 36 characters. */
export function closeOrderId(parent: string, kind: StopHit['kind']): string {
  return `${parent.slice(0, 32)}-${SUFFIX[kind]}`;
}

export class StopBook {
  private readonly bySymbol = new Map<string, StopLevels>();

  /** Sets (or replaces) the stops of a symbol's position. */
  set(levels: StopLevels): void {
    if (levels.stopLoss === undefined && levels.takeProfit === undefined && levels.trailingStop === undefined) return;
    this.bySymbol.set(levels.symbol, { ...levels });
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
    if (s.stopLoss !== undefined && price <= s.stopLoss) [hit, level] = ['stop-loss', s.stopLoss];
    else if (s.takeProfit !== undefined && price >= s.takeProfit) [hit, level] = ['take-profit', s.takeProfit];
    else if (s.trailingStop !== undefined && price <= s.highWater * (1 - s.trailingStop)) [hit, level] = ['trailing-stop', s.highWater * (1 - s.trailingStop)];
    if (!hit) return undefined;
    this.bySymbol.delete(ticker.symbol);
    return { symbol: ticker.symbol, kind: hit, clientOrderId: closeOrderId(s.parentClientOrderId, hit), level, price };
  }

  snapshot(): StopLevels[] {
    return [...this.bySymbol.values()].map((s) => ({ ...s }));
  }

  restore(levels: StopLevels[]): void {
    this.bySymbol.clear();
    for (const l of levels) this.bySymbol.set(l.symbol, { ...l });
  }
}
