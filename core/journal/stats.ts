/**
 * Figures over closed trades, the same wherever they are shown (the performance page, the journal
 * node, Telegram): totals, per pair / strategy / exit reason, per day, week or month (UTC).
 */
import type { ClosedTrade } from './types';

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  /** wins / trades, 0..1 (0 without trades). */
  winRate: number;
  /** Sum of the trades' P&L, quote currency. */
  profit: number;
  /** profit / the summed entry cost of the trades, in percent. */
  profitPct: number;
  fees: number;
  /** Gross profit / gross loss (Infinity when nothing was lost, 0 without a win). */
  profitFactor: number;
  /** Mean P&L per trade. */
  averageProfit: number;
  averageDurationMs: number;
  bestPct: number | null;
  worstPct: number | null;
}

export function tradeStats(trades: readonly ClosedTrade[]): TradeStats {
  let wins = 0;
  let losses = 0;
  let profit = 0;
  let basis = 0;
  let fees = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let duration = 0;
  let best: number | null = null;
  let worst: number | null = null;
  for (const t of trades) {
    if (t.pnl > 0) wins++;
    else if (t.pnl < 0) losses++;
    profit += t.pnl;
    basis += t.entryPrice * t.amount + t.entryFees;
    fees += t.fees;
    if (t.pnl > 0) grossProfit += t.pnl;
    else grossLoss -= t.pnl;
    duration += t.durationMs;
    best = best === null ? t.pnlPct : Math.max(best, t.pnlPct);
    worst = worst === null ? t.pnlPct : Math.min(worst, t.pnlPct);
  }
  const n = trades.length;
  return {
    trades: n,
    wins,
    losses,
    winRate: n ? wins / n : 0,
    profit,
    profitPct: basis > 0 ? (100 * profit) / basis : 0,
    fees,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0,
    averageProfit: n ? profit / n : 0,
    averageDurationMs: n ? duration / n : 0,
    bestPct: best,
    worstPct: worst,
  };
}

export type GroupKey = 'symbol' | 'strategy' | 'exitReason';

/** Stats per value of `key`, the most profitable first. */
export function statsBy(trades: readonly ClosedTrade[], key: GroupKey): Array<{ key: string } & TradeStats> {
  const groups = new Map<string, ClosedTrade[]>();
  for (const t of trades) {
    const k = t[key] || '(none)';
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(t);
  }
  return [...groups].map(([k, list]) => ({ key: k, ...tradeStats(list) })).sort((a, b) => b.profit - a.profit || a.key.localeCompare(b.key));
}

export type PeriodUnit = 'day' | 'week' | 'month';

/** The start (UTC) of the day, ISO week (Monday) or month that holds `ts`. */
export function periodStart(ts: number, unit: PeriodUnit): number {
  const d = new Date(ts);
  if (unit === 'day') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (unit === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
}

function previousStart(start: number, unit: PeriodUnit): number {
  if (unit === 'day') return start - 86_400_000;
  if (unit === 'week') return start - 7 * 86_400_000;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
}

export interface PeriodRow {
  /** "2026-12-01" (day, and the Monday of a week) or "2026-12" (month). */
  period: string;
  start: number;
  trades: number;
  profit: number;
  profitPct: number;
  fees: number;
  wins: number;
  losses: number;
}

/**
 * The last `count` days, weeks or months up to the one holding `now`, newest first, empty ones
 * included (P&L by exit time).
 */
export function periodRows(trades: readonly ClosedTrade[], unit: PeriodUnit, count: number, now: number): PeriodRow[] {
  const starts: number[] = [];
  for (let s = periodStart(now, unit), i = 0; i < count; i++, s = previousStart(s, unit)) starts.push(s);
  const byStart = new Map<number, ClosedTrade[]>(starts.map((s) => [s, []]));
  for (const t of trades) byStart.get(periodStart(t.exitTs, unit))?.push(t);
  return starts.map((start) => {
    const s = tradeStats(byStart.get(start)!);
    const iso = new Date(start).toISOString();
    return { period: unit === 'month' ? iso.slice(0, 7) : iso.slice(0, 10), start, trades: s.trades, profit: s.profit, profitPct: s.profitPct, fees: s.fees, wins: s.wins, losses: s.losses };
  });
}

/** The oldest time a period query needs trades from. */
export function periodsFrom(unit: PeriodUnit, count: number, now: number): number {
  let s = periodStart(now, unit);
  for (let i = 1; i < count; i++) s = previousStart(s, unit);
  return s;
}
