/**
 * How a market order fills against a book: level by level from the best price, until the amount
 * is filled or the book runs out (a partial fill). Used by the simulator in sim and paper modes.
 */
import type { Level, Side } from '../contract';

export interface WalkResult {
  filled: number;
  /** Volume-weighted average price of what filled; null when nothing did. */
  average: number | null;
  fills: Array<{ amount: number; price: number }>;
}

/** Buys take asks (ascending), sells take bids (descending). `slippage`: extra adverse fraction per fill. */
export function walkBook(side: Side, amount: number, levels: Level[], slippage = 0): WalkResult {
  let remaining = amount;
  let cost = 0;
  const fills: Array<{ amount: number; price: number }> = [];
  for (const [levelPrice, levelAmount] of levels) {
    if (remaining <= 0) break;
    const take = Math.min(remaining, levelAmount);
    if (take <= 0) continue;
    const price = side === 'buy' ? levelPrice * (1 + slippage) : levelPrice * (1 - slippage);
    fills.push({ amount: take, price });
    cost += take * price;
    remaining -= take;
  }
  const filled = amount - Math.max(0, remaining);
  return { filled, average: filled > 0 ? cost / filled : null, fills };
}
