/**
 * The types an exchange session shares with the registry of sessions (core/sessions.ts) and the
 * nodes, kept apart from the session itself so that the registry does not import the session.
 */
import type { Drift, Lifecycle } from '../contract';
import type { JournalHealth } from '../journal/journal';

/** What the session tells the flow besides order updates: drift found by reconciliation, start and stop. */
export type SessionEvent = Drift | Lifecycle;

/** What GET /tradebot/health reports for one exchange. */
export interface SessionHealth {
  id: string;
  exchange: string;
  mode: string;
  connected: boolean;
  lastDataAgeMs: number | null;
  killSwitch: boolean;
  breakerTripped: boolean;
  openOrders: number;
  journal?: JournalHealth;
}
