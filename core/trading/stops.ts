/**
 * Stop-loss, take-profit (one level, or a ladder of partial sells) and trailing stop for spot
 * positions, watched by the bot against incoming prices. A hit produces one market sell (of the
 * position, or of a ladder rung's part of it) with a client order id derived from the order that
 * opened it (and the rung's number), so a repeated check can never sell twice. While a stop-loss order
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
  /**
   * Take-profit ladder: rungs by rising price, each fired once (`fired`), selling its share of the
   * position. The position's stop-loss and trailing stop keep watching what is left.
   */
  ladder?: LadderRung[];
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

export interface LadderRung {
  /** The rung's share of the position, 0..1; a ladder's shares add up to 1. */
  fraction: number;
  price: number;
  /** The rung has fired (its sell went out): it never fires again. */
  fired?: boolean;
}

export interface StopHit {
  symbol: string;
  kind: 'stop-loss' | 'take-profit' | 'trailing-stop';
  clientOrderId: string;
  level: number;
  price: number;
  /**
   * A rung of a take-profit ladder (0-based): a partial sell. `share` is the part of what is held
   * now that it sells (its fraction over the fractions of the rungs not fired before it); the last
   * rung sells everything left. The other stops stay armed.
   */
  rung?: { index: number; share: number; last: boolean };
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

/** Client order id of the n-th rung (1-based) of a take-profit ladder: `<parent>-tp<n>`, within 36 characters. */
export function ladderOrderId(parent: string, n: number): string {
  const suffix = `-tp${n}`;
  return `${parent.slice(0, 36 - suffix.length)}${suffix}`;
}

/** The rungs of a ladder not fired yet, with their indexes. */
export function openRungs(levels: StopLevels): Array<LadderRung & { index: number }> {
  return (levels.ladder ?? []).map((rung, index) => ({ ...rung, index })).filter((rung) => !rung.fired);
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
    if (levels.stopLoss === undefined && levels.takeProfit === undefined && levels.trailingStop === undefined && !levels.ladder?.length) return;
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
   * Checks a price; returns the stop it hits (and forgets that symbol's stops, except for a ladder
   * rung that leaves a position), or undefined. Uses the bid when there is one (what a market sell
   * gets), else the last price. `paused`: only follow the price (the high water), fire nothing.
   */
  check(ticker: Ticker, paused = false): StopHit | undefined {
    const s = this.bySymbol.get(ticker.symbol);
    if (!s) return undefined;
    const price = ticker.bid ?? ticker.last;
    if (ticker.last > s.highWater) s.highWater = ticker.last;
    // A rung's sell still on its way: the held amount is not known yet, nothing fires until it ends.
    if (paused) return undefined;
    let hit: StopHit['kind'] | undefined;
    let level = 0;
    if (s.stopLoss !== undefined && s.exchangeOrder === undefined && price <= s.stopLoss) [hit, level] = ['stop-loss', s.stopLoss];
    else if (s.takeProfit !== undefined && price >= s.takeProfit) [hit, level] = ['take-profit', s.takeProfit];
    else if (s.trailingStop !== undefined && price <= s.highWater * (1 - s.trailingStop)) [hit, level] = ['trailing-stop', s.highWater * (1 - s.trailingStop)];
    if (!hit) {
      // A ladder fires its lowest open rung the price reached, one rung per price: a price past
      // two rungs fires the next on the following price (the backtest's path stops at each).
      const open = openRungs(s);
      const next = open[0];
      if (!next || price < next.price) return undefined;
      s.ladder![next.index]!.fired = true;
      const rest = open.reduce((total, rung) => total + rung.fraction, 0);
      const last = open.length === 1;
      // Fired rungs stay in the book (each fires once); the last one closes the position: all stops go.
      if (last) this.bySymbol.delete(ticker.symbol);
      return {
        symbol: ticker.symbol,
        kind: 'take-profit',
        clientOrderId: ladderOrderId(s.parentClientOrderId, next.index + 1),
        level: next.price,
        price,
        rung: { index: next.index, share: last ? 1 : next.fraction / rest, last },
        ...(s.exchangeOrder !== undefined ? { exchangeOrder: s.exchangeOrder } : {}),
        levels: s,
      };
    }
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

  /** Whether the symbol's next open ladder rung is at or below `price` (it fires on a check at that price). */
  rungReached(symbol: string, price: number): boolean {
    const s = this.bySymbol.get(symbol);
    const next = s ? openRungs(s)[0] : undefined;
    return next !== undefined && price >= next.price;
  }

  /** A rung whose sell could not go out fires again on a later price. */
  unfire(symbol: string, index: number): void {
    const rung = this.bySymbol.get(symbol)?.ladder?.[index];
    if (rung) delete rung.fired;
  }

  snapshot(): StopLevels[] {
    return [...this.bySymbol.values()].map(copyLevels);
  }

  restore(levels: StopLevels[]): void {
    this.bySymbol.clear();
    for (const l of levels) this.bySymbol.set(l.symbol, copyLevels(l));
  }
}

/** A copy that shares no rung with the original (rungs change when they fire). */
function copyLevels(l: StopLevels): StopLevels {
  return l.ladder ? { ...l, ladder: l.ladder.map((rung) => ({ ...rung })) } : { ...l };
}
