/**
 * The questions the journal answers (the tradebot-journal node, Telegram's /trades, /profit ...):
 * parsed from a message with errors that name the field, and run against one account's journal.
 * Open positions come from the account itself (the journal records what closed).
 */
import { statsBy, periodRows, periodsFrom, tradeStats, type PeriodRow, type PeriodUnit, type TradeStats } from './stats';
import type { ClosedTrade, EquityPoint, JournalStore } from './types';
import { ValidationError } from '../errors';

const DAY = 86_400_000;

export const QUERY_NAMES = ['trades', 'profit', 'daily', 'weekly', 'monthly', 'performance', 'strategies', 'exits', 'positions', 'count', 'equity'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export type JournalQuery =
  | { query: 'trades'; limit: number; symbol?: string; days?: number }
  | { query: 'profit'; days?: number }
  | { query: 'daily' | 'weekly' | 'monthly'; count: number }
  | { query: 'performance' | 'strategies' | 'exits'; days?: number }
  | { query: 'positions' }
  | { query: 'count' }
  | { query: 'equity'; days?: number };

/** The fields each query takes besides its name. */
export const QUERY_FIELDS: Record<QueryName, ReadonlyArray<'limit' | 'symbol' | 'days' | 'count'>> = {
  trades: ['limit', 'symbol', 'days'],
  profit: ['days'],
  daily: ['count'],
  weekly: ['count'],
  monthly: ['count'],
  performance: ['days'],
  strategies: ['days'],
  exits: ['days'],
  positions: [],
  count: [],
  equity: ['days'],
};

/** The most rows one query returns (trades, equity points). */
export const MAX_ROWS = 10_000;
const DEFAULT_COUNT: Record<'daily' | 'weekly' | 'monthly', number> = { daily: 7, weekly: 4, monthly: 6 };

/** A journal query that cannot be read; a ValidationError whatever `where` names (a message or the node's setting). */
export class JournalQueryError extends ValidationError {}

/**
 * Reads a query: a name ("trades") or an object ({query: "trades", limit: 20}). `where` names the
 * input in errors ("msg.payload"). Unknown fields are refused, so a typo is not silently ignored.
 */
export function parseJournalQuery(input: unknown, where = 'msg.payload'): JournalQuery {
  const fail = (field: string, text: string): never => {
    throw new JournalQueryError(`${where}${field ? `.${field}` : ''}: ${text}`);
  };
  const obj: Record<string, unknown> =
    typeof input === 'string' ? { query: input.trim() } : input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : fail('', `a journal query is a name (${QUERY_NAMES.join(', ')}) or an object such as {"query": "trades", "limit": 20}; got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  const name = obj.query;
  if (typeof name !== 'string' || !(QUERY_NAMES as readonly string[]).includes(name)) fail('query', `must be one of ${QUERY_NAMES.join(', ')}; got ${JSON.stringify(name)}`);
  const allowed = QUERY_FIELDS;
  const q = name as QueryName;
  for (const key of Object.keys(obj)) {
    if (key !== 'query' && !(allowed[q] as readonly string[]).includes(key)) fail(key, `is not a field of the ${q} query${allowed[q].length ? ` (it takes ${allowed[q].join(', ')})` : ' (it takes none)'}`);
  }
  const whole = (key: string, min: number, max: number): number | undefined => {
    const v = obj[key];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(key, `must be a whole number from ${min} to ${max}; got ${JSON.stringify(v)}`);
    return n as number;
  };
  const days = () => whole('days', 1, 36_500);
  switch (q) {
    case 'trades': {
      const symbol = obj.symbol;
      if (symbol !== undefined && (typeof symbol !== 'string' || !/^[A-Z0-9._-]+\/[A-Z0-9._-]+(:[A-Z0-9._-]+)?$/i.test(symbol))) fail('symbol', `must look like BASE/QUOTE, for example BTC/USDT; got ${JSON.stringify(symbol)}`);
      const d = days();
      return { query: q, limit: whole('limit', 1, MAX_ROWS) ?? 10, ...(symbol ? { symbol: (symbol as string).toUpperCase() } : {}), ...(d ? { days: d } : {}) };
    }
    case 'daily':
    case 'weekly':
    case 'monthly':
      return { query: q, count: whole('count', 1, 366) ?? DEFAULT_COUNT[q] };
    case 'positions':
    case 'count':
      return { query: q };
    default: {
      const d = days();
      return { query: q, ...(d ? { days: d } : {}) } as JournalQuery;
    }
  }
}

export interface OpenPosition {
  symbol: string;
  amount: number;
  avgEntry: number;
  lastPrice: number | null;
  unrealizedPnl: number;
  /** unrealizedPnl / (amount x avgEntry), percent. */
  unrealizedPct: number;
}

/** One account's journal and live account, as the queries read them. */
export interface JournalReader {
  store: JournalStore;
  account: string;
  /** The exchange's clock (virtual in sim), ms: "the last 7 days" count back from it. */
  now(): number;
  /** Open positions of the account now (empty when it is not running). */
  positions(): Promise<OpenPosition[]>;
  openOrders(): Promise<number>;
}

export type QueryResult =
  | ClosedTrade[]
  | (TradeStats & { from: number | null; to: number })
  | PeriodRow[]
  | Array<{ key: string } & TradeStats>
  | OpenPosition[]
  | { openPositions: number; openOrders: number; closedTrades: number }
  | EquityPoint[];

export async function runJournalQuery(r: JournalReader, q: JournalQuery): Promise<QueryResult> {
  const now = r.now();
  const since = (days?: number) => (days ? now - days * DAY : undefined);
  switch (q.query) {
    case 'trades':
      return r.store.trades(r.account, { limit: q.limit, symbol: q.symbol, from: since(q.days) });
    case 'profit': {
      const from = since(q.days);
      return { ...tradeStats(await r.store.trades(r.account, { from })), from: from ?? null, to: now };
    }
    case 'daily':
    case 'weekly':
    case 'monthly': {
      const unit: PeriodUnit = q.query === 'daily' ? 'day' : q.query === 'weekly' ? 'week' : 'month';
      const trades = await r.store.trades(r.account, { from: periodsFrom(unit, q.count, now) });
      return periodRows(trades, unit, q.count, now);
    }
    case 'performance':
      return statsBy(await r.store.trades(r.account, { from: since(q.days) }), 'symbol');
    case 'strategies':
      return statsBy(await r.store.trades(r.account, { from: since(q.days) }), 'strategy');
    case 'exits':
      return statsBy(await r.store.trades(r.account, { from: since(q.days) }), 'exitReason');
    case 'positions':
      return r.positions();
    case 'count':
      return { openPositions: (await r.positions()).length, openOrders: await r.openOrders(), closedTrades: await r.store.countTrades(r.account) };
    case 'equity': {
      const points = await r.store.equity(r.account, since(q.days));
      return points.length > MAX_ROWS ? points.slice(-MAX_ROWS) : points;
    }
  }
}
