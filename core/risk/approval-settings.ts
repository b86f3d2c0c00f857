/**
 * The risk gate's "ask first" settings: whether approved entries wait for a person, and how long
 * they wait. No zod: the editor bundle checks the timeout with this too (nodes/tradebot-risk-gate/spec.ts).
 */
import { numberSetting, type NumberRule } from '../setting-values';

/** How long a held entry waits for an answer, seconds: 5 minutes unless set; 10 s to a day. */
export const APPROVAL_TIMEOUT: NumberRule = { fallback: 300, min: 10, max: 86_400, integer: true, unit: 's' };

export interface ApprovalSettings {
  askFirst: boolean;
  /** How long a held request waits for an answer, ms. */
  timeoutMs: number;
}

/** A risk gate node's config as approval settings (throws naming the field, approvalTimeoutSec). */
export function parseApprovalSettings(config: { askFirst?: unknown; approvalTimeoutSec?: unknown }): ApprovalSettings {
  const askFirst = config.askFirst === true || config.askFirst === 'true';
  return { askFirst, timeoutMs: 1000 * numberSetting(config.approvalTimeoutSec, 'approvalTimeoutSec', APPROVAL_TIMEOUT) };
}
