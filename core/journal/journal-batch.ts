/**
 * How a batch becomes rows, the same for every journal database: events and equity points are
 * inserted once (by key), orders keep their latest state, and each fill that is new to the
 * journal moves its symbol's lot and makes (or extends) a closed trade. A fill already there is
 * skipped whole, so replaying a batch (after a crash, after an outage) changes nothing.
 * The store runs it inside one transaction.
 */
import { applyFillToLedger } from './trade-ledger';
import type { ClosedTrade, EquityPoint, FillRecord, JournalBatch, JournalEvent, Lot, OrderRow } from './types';

type Maybe<T> = T | Promise<T>;

/** The statements a store runs inside its write transaction. */
export interface JournalTx {
  insertEvent(account: string, event: JournalEvent): Maybe<void>;
  /** Inserts or updates, unless the stored row has more filled (an older update arriving late). */
  upsertOrder(account: string, order: OrderRow): Maybe<void>;
  /** Inserts the fill; false when its id was there already. */
  insertFill(account: string, fill: FillRecord): Maybe<boolean>;
  lot(account: string, symbol: string): Maybe<Lot | undefined>;
  /** Writes the lot, or removes it (undefined). */
  putLot(account: string, symbol: string, lot: Lot | undefined): Maybe<void>;
  trade(account: string, id: string): Maybe<ClosedTrade | undefined>;
  putTrade(account: string, trade: ClosedTrade): Maybe<void>;
  insertEquity(account: string, point: EquityPoint): Maybe<void>;
}

export async function applyBatch(tx: JournalTx, account: string, batch: JournalBatch): Promise<void> {
  for (const event of batch.events) await tx.insertEvent(account, event);
  for (const order of batch.orders) await tx.upsertOrder(account, order);
  for (const fill of batch.fills) {
    if (!(await tx.insertFill(account, fill))) continue;
    const step = applyFillToLedger(await tx.lot(account, fill.symbol), fill, fill.side === 'sell' ? await tx.trade(account, fill.clientOrderId) : undefined);
    await tx.putLot(account, fill.symbol, step.lot);
    if (step.trade) await tx.putTrade(account, step.trade);
  }
  for (const point of batch.equity) await tx.insertEquity(account, point);
}

export function emptyBatch(): JournalBatch {
  return { events: [], orders: [], fills: [], equity: [] };
}

export function batchSize(b: JournalBatch): number {
  return b.events.length + b.orders.length + b.fills.length + b.equity.length;
}
