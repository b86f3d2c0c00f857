/**
 * Every exchange session in this process, for the health endpoint and the equity metric.
 * Sessions add themselves when created and leave when closed.
 */
import type { ExchangeSession } from './exchange-session';

export const sessions = new Set<ExchangeSession>();

/** A risk gate as the outside sees it: the Telegram control node pauses and resumes these. */
export interface RiskControl {
  readonly killed: boolean;
  readonly breakerTripped: boolean;
  kill(): Promise<void>;
  resume(): Promise<void>;
}
