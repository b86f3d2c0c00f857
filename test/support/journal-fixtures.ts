/** Fills for the journal's tests: a simulated BTC/USDT fill with a 0.1 % fee in USDT, any field overridden. */
import type { FillRecord } from '../../core/journal/types';

/** 2026-11-30 12:00 UTC, and an hour, for hand-worked times. */
export const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
export const H = 3_600_000;

/** `filledSoFar`: the order's filled amount after this fill (its id); the fill's own amount by default. */
export function fill(p: Partial<FillRecord> & Pick<FillRecord, 'clientOrderId' | 'side' | 'amount' | 'price' | 'ts' | 'heldBefore' | 'heldAfter'>, filledSoFar = p.amount): FillRecord {
  return {
    id: `${p.clientOrderId}@${filledSoFar}`,
    orderId: 'x',
    exchange: 'sim',
    mode: 'sim',
    symbol: 'BTC/USDT',
    fee: { cost: p.amount * p.price * 0.001, currency: 'USDT' },
    feeQuote: p.amount * p.price * 0.001,
    ...p,
  };
}
