/**
 * Closed trades from fills, one fill at a time (the journal stores call it inside their write
 * transaction, so a fill is counted once): buys open or add to the symbol's lot; a sell closes the
 * part it sells at the lot's average price, and its order's fills add up to one closed trade.
 * The same arithmetic as the backtest report's (core/backtest/report.ts).
 */
import { exitReasonOf } from './exit-reason';
import type { ClosedTrade, FillRecord, Lot } from './types';

/** Amounts below this are rounding dust, not a position. */
const DUST = 1e-12;

export interface LedgerStep {
  /** The lot after the fill (undefined: nothing held any more). */
  lot: Lot | undefined;
  /** The closed trade the fill made or extended (sells of a held position only). */
  trade?: ClosedTrade;
}

/**
 * Applies one fill. `lot`: the symbol's lot before it; `trade`: the closed trade of the fill's
 * order so far (an exit filled in several parts). The account's own `heldBefore` corrects a lot
 * that no longer matches it (balances adopted from the exchange, a position from before the journal).
 */
export function applyFillToLedger(lot: Lot | undefined, fill: FillRecord, trade: ClosedTrade | undefined): LedgerStep {
  const current = lot && fill.heldBefore > DUST && lot.amount > DUST ? { ...lot } : undefined;
  if (fill.side === 'buy') {
    const received = fill.amount - (fill.fee.currency === baseOf(fill.symbol) ? fill.fee.cost : 0);
    const next: Lot = current ?? { symbol: fill.symbol, amount: 0, cost: 0, fees: 0, openedTs: fill.ts, strategy: fill.strategy ?? '', entryOrder: fill.clientOrderId };
    next.amount += received;
    next.cost += fill.amount * fill.price;
    next.fees += fill.feeQuote;
    if (!next.strategy && fill.strategy) next.strategy = fill.strategy;
    return { lot: next };
  }
  // A sell with no lot (a position from before the journal): its entry is the account's view of it, unknown here.
  const held = current ?? { symbol: fill.symbol, amount: fill.heldBefore, cost: 0, fees: 0, openedTs: fill.ts, strategy: '', entryOrder: '' };
  if (!(held.amount > DUST)) return { lot: undefined };
  const sold = Math.min(fill.amount, held.amount);
  const share = sold / held.amount;
  const entryCost = held.cost * share;
  const entryFees = held.fees * share;
  const exitValue = sold * fill.price;
  const pnl = exitValue - entryCost - entryFees - fill.feeQuote;
  const rest: Lot | undefined = fill.heldAfter > DUST && held.amount - sold > DUST ? { ...held, amount: held.amount - sold, cost: held.cost - entryCost, fees: held.fees - entryFees } : undefined;
  const priced = held.cost > 0;
  const add: ClosedTrade = {
    id: fill.clientOrderId,
    symbol: fill.symbol,
    strategy: held.strategy,
    entryTs: held.openedTs,
    exitTs: fill.ts,
    entryPrice: priced ? held.cost / held.amount : fill.price,
    exitPrice: fill.price,
    amount: sold,
    fees: entryFees + fill.feeQuote,
    entryFees,
    pnl: priced ? pnl : -fill.feeQuote,
    pnlPct: 0,
    durationMs: Math.max(0, fill.ts - held.openedTs),
    exitReason: exitReasonOf(fill),
    entryOrder: held.entryOrder,
    exitOrder: fill.clientOrderId,
  };
  add.pnlPct = priced && entryCost + entryFees > 0 ? (100 * add.pnl) / (entryCost + entryFees) : 0;
  if (!trade) return { lot: rest, trade: add };
  // The same exit order filled again: one closed trade, amounts and costs added up.
  const amount = trade.amount + add.amount;
  const basis = trade.entryPrice * trade.amount + trade.entryFees + entryCost + entryFees;
  const merged: ClosedTrade = {
    ...trade,
    exitTs: add.exitTs,
    exitPrice: (trade.exitPrice * trade.amount + add.exitPrice * add.amount) / amount,
    entryPrice: (trade.entryPrice * trade.amount + add.entryPrice * add.amount) / amount,
    amount,
    fees: trade.fees + add.fees,
    entryFees: trade.entryFees + add.entryFees,
    pnl: trade.pnl + add.pnl,
    durationMs: Math.max(0, add.exitTs - trade.entryTs),
    pnlPct: 0,
  };
  merged.pnlPct = basis > 0 ? (100 * merged.pnl) / basis : 0;
  return { lot: rest, trade: merged };
}

function baseOf(symbol: string): string {
  return symbol.split('/')[0]!;
}
