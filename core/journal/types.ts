/**
 * The trade journal's records (docs/journal.md): what every account writes, in every mode, to the
 * journal database (SQLite by default, PostgreSQL through a tradebot-database node). The same rows
 * in both; this module is the vocabulary of the writer (journal.ts), the stores and the queries.
 */
import type { Mode, Side } from '../contract';

/** One fill as the account booked it (account.ts): the journal's source of fills and closed trades. */
export interface FillRecord {
  /** `<client order id>@<filled so far>`: the same fill always has the same id (the journal's key). */
  id: string;
  clientOrderId: string;
  /** The exchange's order id (the simulator's in sim and paper). */
  orderId: string | null;
  exchange: string;
  mode: Mode;
  symbol: string;
  side: Side;
  amount: number;
  price: number;
  fee: { cost: number; currency: string };
  /** The fee in the quote currency (a fee in the base currency at the fill price; 0 when in neither). */
  feeQuote: number;
  /** Fill time (the exchange's clock: virtual in sim and backtest), ms. */
  ts: number;
  /** The strategy whose signal the order came from (absent for stops, force exits and hand-made requests). */
  strategy?: string;
  signalId?: string;
  /** Why a close was sent: the stop's or force exit's reason ("stop-loss at 49500 (price 49480)"). */
  reason?: string;
  /** Sent by a stop-loss, take-profit or trailing stop of the account. */
  stopClose?: boolean;
  /** The account's position in the symbol just before and after the fill (base currency). */
  heldBefore: number;
  heldAfter: number;
}

/** Why a position (or part of it) was closed. */
export const EXIT_REASONS = ['signal', 'stop-loss', 'take-profit', 'trailing-stop', 'force-exit', 'breaker'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/**
 * A closed trade: one exit order and the part of the position it closed. A partial exit (a sell of
 * part of the position, a take-profit rung) is a closed trade of its own; the entry is the position
 * it sold from (average price, first fill time). P&L is net of the fees of both sides.
 */
export interface ClosedTrade {
  /** The exit order's client order id. */
  id: string;
  symbol: string;
  /** The strategy that opened the position ('' when none did: a position from before the journal, a hand-made order). */
  strategy: string;
  /** The first buy fill of the position, ms. */
  entryTs: number;
  /** The exit order's last fill, ms. */
  exitTs: number;
  /** Average buy price of the position (fees not included). */
  entryPrice: number;
  /** Average fill price of the exit. */
  exitPrice: number;
  /** Base amount closed. */
  amount: number;
  /** Fees of the closed part, both sides, quote currency. */
  fees: number;
  /** The part of `fees` paid on the buys. */
  entryFees: number;
  /** Realized P&L, quote currency: exit value - entry cost - fees. */
  pnl: number;
  /** pnl / (entry cost of the closed part, buy fees included), in percent. */
  pnlPct: number;
  durationMs: number;
  exitReason: ExitReason;
  entryOrder: string;
  exitOrder: string;
}

/** The open part of a position as the journal follows it (to know the entry of the next exit). */
export interface Lot {
  symbol: string;
  amount: number;
  /** Sum of amount x price of the buys still held (fees not included). */
  cost: number;
  /** Buy fees of what is still held, quote currency. */
  fees: number;
  openedTs: number;
  strategy: string;
  entryOrder: string;
}

/** What the flow did: one row per signal, rejection, order request, order update, drift or lifecycle event. */
export const EVENT_TYPES = ['signal', 'rejection', 'orderRequest', 'orderUpdate', 'drift', 'lifecycle'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface JournalEvent {
  /** Deterministic per event (journal-events.ts): a redelivered message is written once. */
  id: string;
  type: EventType;
  ts: number;
  symbol?: string;
  /** The rejection code, the lifecycle event, the order status. */
  code?: string;
  /** The payload as the flow had it. */
  data: object;
}

/** An order's latest state (one row per client order id). */
export interface OrderRow {
  clientOrderId: string;
  orderId: string | null;
  symbol: string;
  side: Side;
  type: string;
  status: string;
  amount: number;
  filled: number;
  average: number | null;
  price: number | null;
  fee: number;
  feeCurrency: string;
  ts: number;
  mode: Mode;
  reason?: string;
  strategy?: string;
  signalId?: string;
}

export interface EquityPoint {
  ts: number;
  equity: number;
  currency: string;
}

/** Rows written together, in one transaction. */
export interface JournalBatch {
  events: JournalEvent[];
  orders: OrderRow[];
  fills: FillRecord[];
  equity: EquityPoint[];
}

/** Which trades to read, newest exit first. */
export interface TradeQuery {
  /** Exits at or after this time, ms. */
  from?: number;
  to?: number;
  symbol?: string;
  limit?: number;
  offset?: number;
}

/**
 * A journal database (SQLite or PostgreSQL). Every write is idempotent: fills, trades, events and
 * equity points are keyed, so a batch written twice (a retry after an ambiguous failure, the
 * catch-up after a restart) leaves every row once.
 */
export interface JournalStore {
  /** Where the rows go, for statuses and logs: a file path, or the server without its password. */
  readonly location: string;
  readonly backend: 'sqlite' | 'postgresql';
  /** Applies the schema (migrations); rejects with the reason when the database cannot be used. */
  open(): Promise<void>;
  /** Writes one batch in one transaction; new sell fills become (or extend) closed trades. */
  write(account: string, batch: JournalBatch): Promise<void>;
  trades(account: string, q?: TradeQuery): Promise<ClosedTrade[]>;
  /** Closed trades in the period (all when none given), oldest exit first. */
  countTrades(account: string, q?: Pick<TradeQuery, 'from' | 'to' | 'symbol'>): Promise<number>;
  equity(account: string, from?: number, to?: number): Promise<EquityPoint[]>;
  events(account: string, q?: { from?: number; type?: EventType; limit?: number }): Promise<JournalEvent[]>;
  fills(account: string, q?: { from?: number; limit?: number }): Promise<FillRecord[]>;
  /** Removes raw rows (events, fills, orders, equity) older than `rawBefore`, and trades older than `tradesBefore` when given. */
  prune(account: string, rawBefore: number, tradesBefore?: number): Promise<void>;
  /** Removes every row of an account (a backtest's journal holds its last run). */
  clear(account: string): Promise<void>;
  close(): Promise<void>;
}
