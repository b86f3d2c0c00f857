/**
 * Rows <-> records, the same for SQLite and PostgreSQL: column names in snake_case, the order of
 * the insert statements' parameters. (PostgreSQL returns BIGINT as text and NUMERIC/DOUBLE as
 * number: `num` reads either.)
 */
import type { ClosedTrade, EquityPoint, EventType, ExitReason, FillRecord, JournalEvent, Lot, OrderRow } from './types';

type Row = Record<string, unknown>;

export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const opt = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

export const EVENT_COLUMNS = ['account', 'id', 'ts', 'type', 'symbol', 'code', 'data'] as const;
export const eventParams = (account: string, e: JournalEvent): unknown[] => [account, e.id, e.ts, e.type, e.symbol ?? null, e.code ?? null, JSON.stringify(e.data)];
export const eventOf = (r: Row): JournalEvent => ({
  id: str(r.id),
  type: str(r.type) as EventType,
  ts: num(r.ts),
  ...(opt(r.symbol) ? { symbol: opt(r.symbol) } : {}),
  ...(opt(r.code) ? { code: opt(r.code) } : {}),
  data: typeof r.data === 'string' ? (JSON.parse(r.data) as object) : (r.data as object),
});

export const ORDER_COLUMNS = ['account', 'client_order_id', 'order_id', 'symbol', 'side', 'type', 'status', 'amount', 'filled', 'average', 'price', 'fee', 'fee_currency', 'ts', 'mode', 'reason', 'strategy', 'signal_id'] as const;
export const orderParams = (account: string, o: OrderRow): unknown[] => [
  account, o.clientOrderId, o.orderId, o.symbol, o.side, o.type, o.status, o.amount, o.filled, o.average, o.price, o.fee, o.feeCurrency, o.ts, o.mode, o.reason ?? null, o.strategy ?? null, o.signalId ?? null,
];

export const FILL_COLUMNS = ['account', 'id', 'client_order_id', 'order_id', 'ts', 'symbol', 'side', 'amount', 'price', 'fee', 'fee_currency', 'fee_quote', 'strategy', 'signal_id', 'reason', 'stop_close', 'held_before', 'held_after', 'exchange', 'mode'] as const;
export const fillParams = (account: string, f: FillRecord): unknown[] => [
  account, f.id, f.clientOrderId, f.orderId, f.ts, f.symbol, f.side, f.amount, f.price, f.fee.cost, f.fee.currency, f.feeQuote, f.strategy ?? null, f.signalId ?? null, f.reason ?? null, f.stopClose ? 1 : 0, f.heldBefore, f.heldAfter, f.exchange, f.mode,
];
export const fillOf = (r: Row): FillRecord => ({
  id: str(r.id),
  clientOrderId: str(r.client_order_id),
  orderId: opt(r.order_id) ?? null,
  exchange: str(r.exchange),
  mode: str(r.mode) as FillRecord['mode'],
  symbol: str(r.symbol),
  side: str(r.side) as FillRecord['side'],
  amount: num(r.amount),
  price: num(r.price),
  fee: { cost: num(r.fee), currency: str(r.fee_currency) },
  feeQuote: num(r.fee_quote),
  ts: num(r.ts),
  ...(opt(r.strategy) ? { strategy: opt(r.strategy) } : {}),
  ...(opt(r.signal_id) ? { signalId: opt(r.signal_id) } : {}),
  ...(opt(r.reason) ? { reason: opt(r.reason) } : {}),
  ...(num(r.stop_close) ? { stopClose: true } : {}),
  heldBefore: num(r.held_before),
  heldAfter: num(r.held_after),
});

export const TRADE_COLUMNS = ['account', 'id', 'symbol', 'strategy', 'entry_ts', 'exit_ts', 'entry_price', 'exit_price', 'amount', 'fees', 'entry_fees', 'pnl', 'pnl_pct', 'duration_ms', 'exit_reason', 'entry_order', 'exit_order'] as const;
export const tradeParams = (account: string, t: ClosedTrade): unknown[] => [
  account, t.id, t.symbol, t.strategy, t.entryTs, t.exitTs, t.entryPrice, t.exitPrice, t.amount, t.fees, t.entryFees, t.pnl, t.pnlPct, t.durationMs, t.exitReason, t.entryOrder, t.exitOrder,
];
export const tradeOf = (r: Row): ClosedTrade => ({
  id: str(r.id),
  symbol: str(r.symbol),
  strategy: str(r.strategy),
  entryTs: num(r.entry_ts),
  exitTs: num(r.exit_ts),
  entryPrice: num(r.entry_price),
  exitPrice: num(r.exit_price),
  amount: num(r.amount),
  fees: num(r.fees),
  entryFees: num(r.entry_fees),
  pnl: num(r.pnl),
  pnlPct: num(r.pnl_pct),
  durationMs: num(r.duration_ms),
  exitReason: str(r.exit_reason) as ExitReason,
  entryOrder: str(r.entry_order),
  exitOrder: str(r.exit_order),
});

export const LOT_COLUMNS = ['account', 'symbol', 'amount', 'cost', 'fees', 'opened_ts', 'strategy', 'entry_order'] as const;
export const lotParams = (account: string, l: Lot): unknown[] => [account, l.symbol, l.amount, l.cost, l.fees, l.openedTs, l.strategy, l.entryOrder];
export const lotOf = (r: Row): Lot => ({ symbol: str(r.symbol), amount: num(r.amount), cost: num(r.cost), fees: num(r.fees), openedTs: num(r.opened_ts), strategy: str(r.strategy), entryOrder: str(r.entry_order) });

export const EQUITY_COLUMNS = ['account', 'ts', 'equity', 'currency'] as const;
export const equityParams = (account: string, p: EquityPoint): unknown[] => [account, p.ts, p.equity, p.currency];
export const equityOf = (r: Row): EquityPoint => ({ ts: num(r.ts), equity: num(r.equity), currency: str(r.currency) });

export { numOrNull };

/** "a, b, c" and "?, ?, ?" (SQLite) or "$1, $2, $3" (PostgreSQL) for a column list. */
export function columnList(columns: readonly string[]): string {
  return columns.join(', ');
}
export function placeholders(columns: readonly string[], style: 'sqlite' | 'postgresql'): string {
  return columns.map((_, i) => (style === 'sqlite' ? '?' : `$${i + 1}`)).join(', ');
}
