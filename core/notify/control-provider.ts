/** The Telegram control commands' answers, read from one exchange session. */
import type { ExchangeSession } from '../session/exchange-session';
import { portfolioReport } from '../trading/portfolio-report';
import { formatAmount, formatMoney, formatPrice } from '../format-number';
import { marketSteps } from '../market-steps';
import type { ControlProvider } from './control-commands';
import { forceExitRequests, type ForceExitTarget } from '../risk/force-exit';
import type { JournalQuery, QueryResult } from '../journal/queries';
import { JournalUnavailableError, querySessionJournal } from '../journal/session-query';
import type { PeriodRow, TradeStats } from '../journal/stats';
import type { ClosedTrade } from '../journal/types';
import { performanceReply, periodsReply, profitLines, tradesReply } from './journal-replies';

/** Prices and amounts to the market's steps, money to cents of its currency (core/format-number.ts). */
const quoteOf = (symbol: string) => (symbol.split('/')[1] ?? '').split(':')[0];

export function sessionControl(session: ExchangeSession | undefined, currency: string, onPause: (paused: boolean) => void): ControlProvider {
  const report = async () => {
    if (!session) throw new Error('no exchange is configured on the control node');
    const account = await session.account();
    return portfolioReport(account, currency, (await session.source()).now());
  };
  const gates = () => [...(session?.riskControls ?? [])];
  /**
   * A journal query's answer as a reply; a journal that is off or cannot be read is a reply too
   * ("journal: off on the exchange node ..."), not an error: the person asked, this is the answer.
   */
  const fromJournal = async <T>(query: JournalQuery, reply: (rows: T) => string): Promise<string> => {
    if (!session) throw new Error('no exchange is configured on the control node');
    try {
      return reply((await querySessionJournal(session, query)) as QueryResult as T);
    } catch (err) {
      if (err instanceof JournalUnavailableError) return err.message;
      throw err;
    }
  };
  return {
    async status() {
      const r = await report();
      const paused = gates().some((g) => g.killed);
      const breaker = gates().some((g) => g.breakerTripped);
      const open = r.positions.filter((p) => p.amount > 0).length;
      return [
        `${session!.label}: ${paused ? 'PAUSED (kill switch on)' : 'trading'}${breaker ? ', drawdown breaker TRIPPED' : ''}`,
        `equity ${formatMoney(r.equity, currency)} ${currency}`,
        `open positions ${open}, open orders ${r.openOrders}`,
        gates().length ? `${gates().length} risk gate(s)` : 'no risk gate on this exchange',
      ].join('\n');
    },
    async balance() {
      const r = await report();
      const rows = Object.entries(r.balances)
        .filter(([, b]) => b.total !== 0)
        .map(([c, b]) => `${c}: ${formatMoney(b.total, c)}${b.used ? ` (${formatMoney(b.used, c)} in orders)` : ''}`);
      return rows.length ? rows.join('\n') : 'no balances';
    },
    async positions() {
      const open = (await report()).positions.filter((p) => p.amount > 0);
      if (!open.length) return 'no open positions';
      return open
        .map((p) => {
          const steps = marketSteps(session?.exchangeName, p.symbol);
          const last = p.lastPrice === null ? '-' : formatPrice(p.lastPrice, steps.tickSize);
          return `${p.symbol}: ${formatAmount(p.amount, steps.amountStep)} @ ${formatPrice(p.avgEntry, steps.tickSize)}, last ${last}, unrealized ${formatMoney(p.unrealizedPnl, quoteOf(p.symbol))}`;
        })
        .join('\n');
    },
    async profit(days?: number) {
      const r = await report();
      const journal = await fromJournal<TradeStats>({ query: 'profit', ...(days ? { days } : {}) }, (stats) => profitLines(stats, currency, days).join('\n'));
      return [`today (realized): ${formatMoney(r.realizedToday, currency)} ${currency}`, `realized: ${formatMoney(r.realizedPnl, currency)}`, `unrealized: ${formatMoney(r.unrealizedPnl, currency)}`, `fees: ${formatMoney(r.fees, currency)}`, journal].join('\n');
    },
    trades(limit: number) {
      return fromJournal<ClosedTrade[]>({ query: 'trades', limit }, tradesReply);
    },
    periods(query: 'daily' | 'weekly' | 'monthly', count: number) {
      return fromJournal<PeriodRow[]>({ query, count }, (rows) => periodsReply(query, rows, currency));
    },
    performance() {
      return fromJournal<Array<{ key: string } & TradeStats>>({ query: 'performance' }, performanceReply);
    },
    async count() {
      const r = await report();
      const closed = await fromJournal<{ closedTrades: number }>({ query: 'count' }, (c) => String(c.closedTrades));
      return [`open positions: ${r.positions.filter((p) => p.amount > 0).length}`, `open orders: ${r.openOrders}`, `closed trades: ${closed}`].join('\n');
    },
    async pause() {
      await Promise.all(gates().map((g) => g.kill()));
      onPause(true);
      return `Paused: the kill switch is on${gates().length ? ` on ${gates().length} risk gate(s)` : ''}. No new entries until /resume; exits, stops and /forceexit still go through.`;
    },
    async resume() {
      await Promise.all(gates().map((g) => g.resume()));
      onPause(false);
      return `Resumed: the kill switch is off${gates().length ? ` on ${gates().length} risk gate(s)` : ''}: new entries allowed.`;
    },
    async previewForceExit(target: ForceExitTarget) {
      if (!session) throw new Error('no exchange is configured on the control node');
      if (!gates().length) throw new Error('no risk gate on this exchange: a force exit goes out through one (its output 1 to place order)');
      const account = await session.account();
      const source = await session.source();
      const sells = forceExitRequests(target, { portfolio: account.portfolio, markets: await source.loadMarkets(), exchange: session.exchangeName, now: source.now(), finished: (id) => account.finished(id) }, 'argument');
      if (!sells.length) return 'No open position to close.';
      return `Sell at market?\n${sells.map((r) => `${r.symbol}: ${formatAmount(r.amount, marketSteps(session?.exchangeName, r.symbol).amountStep)}`).join('\n')}`;
    },
    async forceExit(target: ForceExitTarget) {
      // One gate sends the sells: the client order ids come from the positions, so another
      // gate (or a second tap) asking the same would map to the same orders anyway.
      const gate = gates()[0];
      if (!gate) throw new Error('no risk gate on this exchange: a force exit goes out through one (its output 1 to place order)');
      const sent = await gate.forceExit(target, 'argument');
      if (!sent.length) return 'No open position to close: nothing sold.';
      return `Force exit sent:\n${sent.map((r) => `sell ${formatAmount(r.amount, marketSteps(session?.exchangeName, r.symbol).amountStep)} ${r.symbol} at market (${r.clientOrderId})`).join('\n')}`;
    },
  };
}
