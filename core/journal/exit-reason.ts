/**
 * Why a sell closed (part of) a position, from what the account knows of the order: the reasons
 * stops and force exits put on their requests (account.ts, force-exit.ts) are the vocabulary.
 */
import type { ExitReason } from './types';

export function exitReasonOf(fill: { reason?: string; stopClose?: boolean }): ExitReason {
  const reason = fill.reason ?? '';
  if (reason.startsWith('force exit')) return /tripped \(flatten\)/.test(reason) ? 'breaker' : 'force-exit';
  if (fill.stopClose || /^(stop-loss|take-profit|trailing-stop)\b/.test(reason)) {
    if (reason.startsWith('take-profit')) return 'take-profit';
    if (reason.startsWith('trailing-stop')) return 'trailing-stop';
    return 'stop-loss';
  }
  return 'signal';
}
