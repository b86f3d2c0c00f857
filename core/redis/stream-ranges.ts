/**
 * The Redis stream nodes' settings: defaults, ranges and what a key or group name may hold. No zod
 * here: streams.ts builds the runtime's schemas from these, and the editor bundle its validators.
 */

/** Stream keys, group and consumer names: no spaces; braces for Cluster hash tags. */
export const STREAM_NAME_RE = /^[A-Za-z0-9:_.{}@#\/-]+$/;
export const STREAM_NAME_RULE = 'letters, digits and : _ . - / { } @ # only';

export const STREAM_DEFAULTS = { key: 'tradebot:candles', group: 'strategies', maxLen: 10_000, batch: 50, claimAfterSec: 30, maxDeliveries: 10 } as const;

export interface StreamRange {
  min: number;
  max: number;
  integer: boolean;
}

export const STREAM_RANGES = {
  /** Approximate cap of the stream's length (XADD MAXLEN ~); 0 = no trimming. */
  maxLen: { min: 0, max: 1e9, integer: true },
  /** Entries per read (XREADGROUP COUNT). */
  batch: { min: 1, max: 10_000, integer: true },
  claimAfterSec: { min: 0.1, max: 86_400, integer: false },
  maxDeliveries: { min: 1, max: 1000, integer: true },
} as const satisfies Record<string, StreamRange>;
