/**
 * A candle's price path in a backtest (docs/backtest.md, "The candle's price path"): open, low,
 * high, close, with a point at every stop or limit level crossed on the way, walked one point at
 * a time so that what fills at one point (a buy arming its stops) shapes the points after it.
 */
import type { OhlcvRow } from '../contract';
import type { StopLevels } from '../trading/stops';
import type { BacktestExecutor } from './backtest-executor';

/** Prices on a candle's path where something can fill or fire, read at the current point. */
export interface PathLevels {
  /** Reached going down: stop-loss, trailing stop, buy limits. */
  down: number[];
  /** Reached going up: take-profit, sell limits. */
  up: number[];
}

/**
 * The levels armed now. The trailing stop's level is computed exactly as the stop book computes
 * it (from the highest price seen, which the book updated at the current point), so the path
 * stops at the very price where the stop fires.
 */
export function nextLevels(stops: StopLevels | undefined, executor: BacktestExecutor, symbol: string): PathLevels {
  const down = executor.limitPrices(symbol, 'buy');
  const up = executor.limitPrices(symbol, 'sell');
  if (stops) {
    // A stop-loss resting at the exchange (live only) is not the bot's to fire.
    if (stops.stopLoss !== undefined && stops.exchangeOrder === undefined) down.push(stops.stopLoss);
    if (stops.trailingStop !== undefined) down.push(stops.highWater * (1 - stops.trailingStop));
    if (stops.takeProfit !== undefined) up.push(stops.takeProfit);
    // Every rung not fired yet: the path stops at each, so each fills at its own level.
    if (stops.ladder) for (const rung of stops.ladder) if (!rung.fired) up.push(rung.price);
  }
  return { down, up };
}

export interface PathStep {
  price: number;
  /** The candle's open (the first point). */
  open: boolean;
}

/**
 * A candle's price path (docs/backtest.md): open, low, high, close, with a point inserted at
 * every stop or limit level the path crosses on the way, so an order or stop fills at its level,
 * not at the extreme. Walked one point at a time: `next` takes the levels armed after the current
 * point, so a stop armed on the path (by a buy filled at the open or at its limit) counts for
 * the rest of the same candle.
 */
export class PricePath {
  /** Corners still ahead: low, high, close. */
  private readonly corners: number[];
  private at: number;

  constructor(row: OhlcvRow) {
    const [, open, high, low, close] = row;
    this.at = open;
    this.corners = [low, high, close];
  }

  first(): PathStep {
    return { price: this.at, open: true };
  }

  /** The next point, or undefined at the end of the path. */
  next(levels: PathLevels): PathStep | undefined {
    const to = this.corners[0];
    if (to === undefined) return undefined;
    const from = this.at;
    let price = to;
    if (to < from) {
      for (const l of levels.down) if (l < from && l > price) price = l;
    } else if (to > from) {
      for (const l of levels.up) if (l > from && l < price) price = l;
    }
    if (price === to) this.corners.shift();
    this.at = price;
    return { price, open: false };
  }
}
