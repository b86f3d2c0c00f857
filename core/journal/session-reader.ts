/** The journal of one exchange session as the queries read it: its store, and the account's open positions. */
import type { ExchangeSession } from '../session/exchange-session';
import type { JournalReader, OpenPosition } from './queries';

/** undefined when the session writes no journal (journal off, or a backtest without it). */
export function sessionJournalReader(session: ExchangeSession): JournalReader | undefined {
  const journal = session.journal;
  if (!journal) return undefined;
  return {
    store: journal.store,
    account: journal.account,
    now: () => session.clock() ?? Date.now(),
    async positions(): Promise<OpenPosition[]> {
      const account = await session.account();
      const p = account.portfolio;
      return p.openPositions().map((pos) => {
        const last = p.lastPrice(pos.symbol) ?? null;
        const unrealizedPnl = p.unrealizedPnl(pos.symbol);
        const basis = pos.amount * pos.avgEntry;
        return { symbol: pos.symbol, amount: pos.amount, avgEntry: pos.avgEntry, lastPrice: last, unrealizedPnl, unrealizedPct: basis > 0 ? (100 * unrealizedPnl) / basis : 0 };
      });
    },
    async openOrders(): Promise<number> {
      return (await session.account()).openOrders().length;
    },
  };
}
