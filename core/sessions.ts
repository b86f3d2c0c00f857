/**
 * Every exchange session in this process, for the health endpoint and the equity metric.
 * Sessions add themselves when created and leave when closed.
 */
import type { SessionHealth } from './session/session-types';

/** What the registry needs of a session (core/session/exchange-session.ts); an interface, so this file imports no session. */
export interface RegisteredSession {
  /** The exchange id payloads carry ("sim", "backtest", a ccxt id). */
  readonly exchangeName: string;
  /** The exchange's clock once the session has a source, else undefined. */
  clock(): number | undefined;
  health(now?: number): SessionHealth;
}

export const sessions = new Set<RegisteredSession>();

/** A risk gate as the outside sees it: the Telegram control node pauses, resumes and force-exits through these. */
export interface RiskControl {
  readonly killed: boolean;
  readonly breakerTripped: boolean;
  kill(): Promise<void>;
  resume(): Promise<void>;
  /**
   * Sends the market sells closing `{symbol}` or `{all: true}` on the gate's output 1 (to place
   * order) and resolves with them; a target that cannot be closed throws an error naming `where`'s field.
   */
  forceExit(target: unknown, where?: string): Promise<Array<{ symbol: string; amount: number; clientOrderId: string }>>;
}

/**
 * The clock of an exchange by the name payloads carry ("sim", "backtest", a ccxt id): the latest
 * of its sessions' clocks (virtual in sim and backtest), undefined when no session has a source.
 */
export function exchangeClock(exchange: string): number | undefined {
  let now: number | undefined;
  for (const session of sessions) {
    if (session.exchangeName !== exchange) continue;
    const t = session.clock();
    if (t !== undefined && (now === undefined || t > now)) now = t;
  }
  return now;
}
