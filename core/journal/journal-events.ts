/**
 * The flow's messages as journal events, each with a key made of what identifies it, so the same
 * message seen twice (a redelivery, a retried batch) is one row.
 */
import type { Drift, Lifecycle, OrderRequest, OrderUpdate, Rejection, Signal } from '../contract';
import type { JournalEvent, OrderRow } from './types';

export function signalEvent(s: Signal): JournalEvent {
  return { id: `signal:${s.id}`, type: 'signal', ts: s.ts, symbol: s.symbol, code: s.side, data: s };
}

export function rejectionEvent(r: Rejection): JournalEvent {
  const about = r.signalId ?? r.clientOrderId ?? r.symbol ?? '';
  return { id: `rejection:${about}:${r.code}:${r.ts}`, type: 'rejection', ts: r.ts, ...(r.symbol ? { symbol: r.symbol } : {}), code: r.code, data: r };
}

export function orderRequestEvent(r: OrderRequest): JournalEvent {
  return { id: `request:${r.clientOrderId}`, type: 'orderRequest', ts: r.ts, symbol: r.symbol, code: r.side, data: r };
}

export function orderUpdateEvent(u: OrderUpdate): JournalEvent {
  return { id: `update:${u.clientOrderId}:${u.status}:${u.filled}`, type: 'orderUpdate', ts: u.ts, symbol: u.symbol, code: u.status, data: u };
}

export function driftEvent(d: Drift): JournalEvent {
  return { id: `drift:${d.trigger}:${d.ts}`, type: 'drift', ts: d.ts, code: d.trigger, data: d };
}

export function lifecycleEvent(l: Lifecycle): JournalEvent {
  return { id: `lifecycle:${l.event}:${l.ts}:${l.symbol ?? ''}`, type: 'lifecycle', ts: l.ts, ...(l.symbol ? { symbol: l.symbol } : {}), code: l.event, data: l };
}

export function orderRow(u: OrderUpdate, request?: { strategy?: string; signalId?: string }): OrderRow {
  return {
    clientOrderId: u.clientOrderId,
    orderId: u.id,
    symbol: u.symbol,
    side: u.side,
    type: u.type,
    status: u.status,
    amount: u.amount,
    filled: u.filled,
    average: u.average,
    price: u.price,
    fee: u.fee.cost,
    feeCurrency: u.fee.currency,
    ts: u.ts,
    mode: u.mode,
    ...(u.reason ? { reason: u.reason } : {}),
    ...(request?.strategy ? { strategy: request.strategy } : {}),
    ...((u.signalId ?? request?.signalId) ? { signalId: u.signalId ?? request?.signalId } : {}),
  };
}
