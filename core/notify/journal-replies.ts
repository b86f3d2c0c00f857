/**
 * The journal's answers as Telegram replies (/trades, /profit, /daily, /weekly, /monthly,
 * /performance, /count): plain text, one line per row, short enough for a phone.
 */
import type { PeriodRow, TradeStats } from '../journal/stats';
import type { ClosedTrade } from '../journal/types';

/** A money amount: 6 significant digits (12.3457, 1234.57, 0.000123457), no float noise. */
export const amount = (x: number): string => String(+x.toPrecision(6));
export const signed = (x: number): string => (x > 0 ? '+' : '') + amount(x);
export const percent = (x: number): string => `${x > 0 ? '+' : ''}${x.toFixed(2)}%`;

/** "2d 3h", "1h 5m", "4m 10s", "12s": the two largest units. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const parts: Array<[number, string]> = [[Math.floor(s / 86_400), 'd'], [Math.floor((s % 86_400) / 3_600), 'h'], [Math.floor((s % 3_600) / 60), 'm'], [s % 60, 's']];
  const first = parts.findIndex(([v]) => v > 0);
  if (first < 0) return '0s';
  return parts.slice(first, first + 2).filter(([v]) => v > 0).map(([v, u]) => `${v}${u}`).join(' ');
}

/** The quote currency of a pair: USDT for BTC/USDT (and for BTC/USDT:USDT). */
const quoteOf = (symbol: string) => (symbol.split('/')[1] ?? '').split(':')[0];

const period = (days?: number) => (days ? `last ${days} day${days === 1 ? '' : 's'}` : 'all time');

export function tradesReply(trades: readonly ClosedTrade[]): string {
  if (!trades.length) return 'No closed trades yet.';
  const lines = trades.map((t) => `${t.symbol} ${percent(t.pnlPct)} ${signed(t.pnl)} ${quoteOf(t.symbol)}, ${t.exitReason}, ${duration(t.durationMs)}`);
  return [`Last ${trades.length} closed trade${trades.length === 1 ? '' : 's'} (newest first):`, ...lines].join('\n');
}

/** The journal's lines of /profit, under the account's. */
export function profitLines(stats: TradeStats, currency: string, days?: number): string[] {
  const when = period(days);
  return [
    `closed trades (${when}): ${stats.trades}${stats.trades ? `, win rate ${(100 * stats.winRate).toFixed(1)}% (${stats.wins} won, ${stats.losses} lost)` : ''}`,
    `profit (${when}): ${signed(stats.profit)} ${currency} (${percent(stats.profitPct)})`,
  ];
}

const UNIT = { daily: ['Daily', 'day'], weekly: ['Weekly', 'week'], monthly: ['Monthly', 'month'] } as const;

export function periodsReply(query: 'daily' | 'weekly' | 'monthly', rows: readonly PeriodRow[], currency: string): string {
  const [title, unit] = UNIT[query];
  const head = `${title} profit (UTC${query === 'weekly' ? ', weeks from Monday' : ''}), last ${rows.length} ${unit}${rows.length === 1 ? '' : 's'}:`;
  return [head, ...rows.map((r) => `${r.period}: ${signed(r.profit)} ${currency}, ${r.trades} trade${r.trades === 1 ? '' : 's'}`)].join('\n');
}

export function performanceReply(rows: ReadonlyArray<{ key: string } & TradeStats>): string {
  if (!rows.length) return 'No closed trades yet.';
  const lines = rows.map((r) => `${r.key}: ${signed(r.profit)} ${quoteOf(r.key)} (${percent(r.profitPct)}), ${r.trades} trade${r.trades === 1 ? '' : 's'}, win rate ${(100 * r.winRate).toFixed(0)}%`);
  return ['Performance per pair (all time, most profitable first):', ...lines].join('\n');
}
