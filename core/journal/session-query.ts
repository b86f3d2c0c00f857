/**
 * A journal query asked of one exchange session: what the journal node and Telegram's /trades,
 * /profit ... share. It says plainly when there is no journal to ask (turned off, closed) or its
 * database cannot be read, and lets a question asked right after a fill see that fill.
 */
import type { ExchangeSession } from '../session/exchange-session';
import { describeJournalError } from './journal';
import { runJournalQuery, type JournalQuery, type QueryResult } from './queries';
import { sessionJournalReader } from './session-reader';

/** No journal to ask, or its database could not be read; the text says why and what to do. */
export class JournalUnavailableError extends Error {}

/** Why the session has no journal, and how to turn it on. */
export function journalOffText(session: ExchangeSession): string {
  const how = session.settings.mode === 'backtest'
    ? 'set the exchange node\'s journal setting to "on" to journal backtests'
    : 'set the exchange node\'s journal setting to "auto" or "on" and deploy';
  return `journal: off on the exchange node (${session.label}): ${how}`;
}

export async function querySessionJournal(session: ExchangeSession, query: JournalQuery): Promise<QueryResult> {
  const journal = session.journal;
  const reader = sessionJournalReader(session);
  if (!journal || !reader) throw new JournalUnavailableError(journalOffText(session));
  const health = journal.health();
  if (health.state === 'closed') throw new JournalUnavailableError('journal: closed (the exchange node was stopped or redeployed)');
  if (health.state === 'starting') throw new JournalUnavailableError(`journal: starting: ${journal.store.location} is not open yet; ask again in a moment`);
  // Rows still in the writer's queue (a fill a moment ago) go to the database first, so the answer
  // has them; not while the database is failing (the write would only fail again and wait).
  if (health.state === 'ok') await journal.flush().catch(() => undefined);
  try {
    return await runJournalQuery(reader, query);
  } catch (err) {
    // Open positions come from the account, not the journal: its errors are the account's.
    if (query.query === 'positions') throw err;
    throw new JournalUnavailableError(`journal: cannot read ${journal.store.location}: ${describeJournalError(err)}`);
  }
}

/** Rows the journal has not written yet because its database fails: a note for statuses, or undefined. */
export function journalBehind(session: ExchangeSession): string | undefined {
  const health = session.journal?.health();
  if (!health || health.state !== 'down') return undefined;
  return `journal behind: ${health.queued} rows waiting (${health.error ?? 'database failing'})`;
}
