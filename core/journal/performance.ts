/**
 * What the performance page of one exchange node shows (docs/performance.md), as one JSON object
 * read from the node's journal and its live account: the figures over all closed trades, the open
 * positions, the newest trades, the last 30 days, per pair, strategy and exit reason, and the
 * equity curve. Also the closed trades as CSV for a spreadsheet. Pure: the exchange node's glue
 * (nodes/tradebot-exchange/performance-routes.ts) serves it.
 *
 * JSON has no Infinity: every figure that is not a finite number (the profit factor of trades
 * without a loss) is null in the JSON.
 */
import type { JournalHealth } from './journal';
import type { JournalReader, OpenPosition } from './queries';
import type { JournalCache } from './journal-cache';
import { periodRows, periodsFrom, statsBy, tradeStats, type PeriodRow, type TradeStats } from './stats';
import type { ClosedTrade } from './types';

/** Trades the JSON and the page list at most (all of them are in trades.csv). */
export const MAX_PAGE_TRADES = 500;
/** Days of daily P&L. */
export const DAILY_DAYS = 30;
/** Equity points at most: longer curves are thinned out evenly (the first and the last point kept). */
export const MAX_EQUITY_POINTS = 2_000;

export interface PerformanceInfo {
  /** The exchange node's id, and its name ('' when it has none). */
  id: string;
  name: string;
  /** The exchange id payloads carry ("sim", "backtest", a ccxt id). */
  exchange: string;
  mode: string;
  /** The currency equity and P&L are counted in (the node's report currency). */
  currency: string;
}

export interface PerformanceOptions {
  /** The journal's health (the writer's, not the database's: what waits, what failed). */
  health: JournalHealth;
  /** Where the trades and the equity come from when not straight from the journal (journal-cache.ts: only what is new). */
  cache?: JournalCache;
  /** The account's equity now, when the account runs: the curve ends with it. */
  equityNow?: () => Promise<number | undefined>;
  /** Wall clock for generatedAt (tests). */
  wallClock?: () => number;
  maxTrades?: number;
  days?: number;
  maxEquityPoints?: number;
}

/** TradeStats as JSON carries them: a figure that is not finite (an infinite profit factor) is null. */
export type JsonStats = { [K in keyof TradeStats]: TradeStats[K] extends number ? number | null : TradeStats[K] };

export interface PerformanceSummary extends JsonStats {
  /** Equity of the first point of the curve and now (the account's when it runs, else the last point); null without any. */
  equityStart: number | null;
  equityNow: number | null;
  /** equityNow - equityStart, and in percent of equityStart. */
  equityChange: number | null;
  equityChangePct: number | null;
  openPositions: number;
  /** Sum of the open positions' unrealized P&L. */
  unrealizedPnl: number;
}

export interface PerformanceData {
  kind: 'performance';
  exchangeNode: { id: string; name: string };
  exchange: string;
  mode: string;
  currency: string;
  /** Wall clock when this was read, ISO 8601 UTC. */
  generatedAt: string;
  /** The exchange's clock (virtual in sim) the daily rows count back from, ms. */
  now: number;
  journal: JournalHealth;
  summary: PerformanceSummary;
  positions: OpenPosition[];
  /** Why the positions are missing (the account could not be read), absent when they are not. */
  positionsError?: string;
  /** The newest closed trades first, at most MAX_PAGE_TRADES; tradesTotal counts all of them. */
  trades: ClosedTrade[];
  tradesTotal: number;
  /** The last DAILY_DAYS days (UTC) by exit time, newest first, days without trades included. */
  daily: PeriodRow[];
  pairs: Array<{ key: string } & JsonStats>;
  strategies: Array<{ key: string } & JsonStats>;
  exitReasons: Array<{ key: string } & JsonStats>;
  equity: {
    /** [time ms, equity], oldest first. */
    points: Array<[number, number]>;
    /** Points in the journal (plus the one for now), before thinning. */
    total: number;
    downsampled: boolean;
  };
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The stats with every non-finite figure as null (JSON.stringify would write Infinity as null anyway, silently). */
export function jsonStats<T extends TradeStats>(s: T): Omit<T, keyof TradeStats> & JsonStats {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k] = typeof v === 'number' ? finiteOrNull(v) : v;
  return out as Omit<T, keyof TradeStats> & JsonStats;
}

/**
 * The indexes of at most `max` of `n` points, evenly spread over the curve, the first and the
 * last always among them (the start and the equity now are what a reader looks at).
 */
export function thinIndexes(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max < 2) return max === 1 ? [n - 1] : [];
  const step = (n - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => Math.round(i * step));
}

/** How many of the trades (newest exit first) exited at or after `from`. */
function recentCount(trades: readonly ClosedTrade[], from: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (trades[mid]!.exitTs >= from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function performanceData(reader: JournalReader, info: PerformanceInfo, opts: PerformanceOptions): Promise<PerformanceData> {
  const now = reader.now();
  const maxTrades = opts.maxTrades ?? MAX_PAGE_TRADES;
  const days = opts.days ?? DAILY_DAYS;
  const dayFrom = periodsFrom('day', days, now);
  let positions: OpenPosition[] = [];
  let positionsError: string | undefined;
  try {
    positions = await reader.positions();
  } catch (err) {
    positionsError = `the account could not be read: ${(err as Error).message}`;
  }
  let equityNow: number | undefined;
  try {
    equityNow = await opts.equityNow?.();
  } catch {
    equityNow = undefined;
  }
  // All closed trades (the totals are over all of them), newest first; the whole equity curve.
  // Read last: from here on nothing waits, so what the cache handed out is used as it was.
  const { trades, equity: stored } = opts.cache ? await opts.cache.read() : { trades: await reader.store.trades(reader.account), equity: await reader.store.equity(reader.account) };
  // The curve: the journal's points, closed by the live value now (the journal's snapshots come
  // after fills and once a minute), thinned out before anything is copied.
  let kept = stored.length;
  const live = equityNow !== undefined && Number.isFinite(equityNow) ? ([now, equityNow] as [number, number]) : undefined;
  if (live) while (kept > 0 && stored[kept - 1]!.ts >= now) kept--;
  const total = kept + (live ? 1 : 0);
  const pointAt = (i: number): [number, number] => (i < kept ? [stored[i]!.ts, stored[i]!.equity] : live!);
  const maxPoints = opts.maxEquityPoints ?? MAX_EQUITY_POINTS;
  const points = thinIndexes(total, maxPoints).map(pointAt);
  const start = total ? pointAt(0)[1] : null;
  const last = total ? pointAt(total - 1)[1] : null;
  const change = start !== null && last !== null ? last - start : null;
  return {
    kind: 'performance',
    exchangeNode: { id: info.id, name: info.name },
    exchange: info.exchange,
    mode: info.mode,
    currency: info.currency,
    generatedAt: new Date((opts.wallClock ?? Date.now)()).toISOString(),
    now,
    journal: opts.health,
    summary: {
      ...jsonStats(tradeStats(trades)),
      equityStart: start,
      equityNow: last,
      equityChange: change,
      equityChangePct: change !== null && start ? finiteOrNull((100 * change) / start) : null,
      openPositions: positions.length,
      unrealizedPnl: positions.reduce((s, p) => s + (Number.isFinite(p.unrealizedPnl) ? p.unrealizedPnl : 0), 0),
    },
    positions,
    ...(positionsError ? { positionsError } : {}),
    trades: trades.slice(0, maxTrades),
    tradesTotal: trades.length,
    // (Newest first: the trades of the last days are the first ones.)
    daily: periodRows(trades.slice(0, recentCount(trades, dayFrom)), 'day', days, now),
    pairs: statsBy(trades, 'symbol').map(jsonStats),
    strategies: statsBy(trades, 'strategy').map(jsonStats),
    exitReasons: statsBy(trades, 'exitReason').map(jsonStats),
    equity: { points, total, downsampled: total > maxPoints },
  };
}

// ---- CSV ----

/** The columns of trades.csv, in order: every field of a closed trade, times as ISO 8601 UTC. */
export const CSV_COLUMNS = ['id', 'symbol', 'strategy', 'entryTime', 'exitTime', 'entryPrice', 'exitPrice', 'amount', 'fees', 'entryFees', 'pnl', 'pnlPct', 'durationMs', 'exitReason', 'entryOrder', 'exitOrder'] as const;

/**
 * A text cell: a spreadsheet runs a cell starting with = + - @ (or a tab or carriage return) as a
 * formula, so such text gets a leading apostrophe; then RFC 4180 quoting (a cell with a comma, a
 * quote or a line break goes in quotes, its quotes doubled). Numbers are written as numbers.
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvNumber = (x: number): string => (Number.isFinite(x) ? String(x) : '');
const iso = (ts: number): string => (Number.isFinite(ts) ? new Date(ts).toISOString() : '');

/** trades.csv: a header line and one line per closed trade, lines ending in CRLF (RFC 4180). */
export function tradesCsv(trades: readonly ClosedTrade[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of trades) {
    lines.push(
      [
        csvText(t.id),
        csvText(t.symbol),
        csvText(t.strategy),
        iso(t.entryTs),
        iso(t.exitTs),
        csvNumber(t.entryPrice),
        csvNumber(t.exitPrice),
        csvNumber(t.amount),
        csvNumber(t.fees),
        csvNumber(t.entryFees),
        csvNumber(t.pnl),
        csvNumber(t.pnlPct),
        csvNumber(t.durationMs),
        csvText(t.exitReason),
        csvText(t.entryOrder),
        csvText(t.exitOrder),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
