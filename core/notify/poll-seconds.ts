/** The Telegram control node's long-poll setting. No node modules here: the editor bundle checks the field with it too. */

/** Long-poll time per getUpdates, seconds: the default, and the range the node accepts. */
export const DEFAULT_POLL_SECONDS = 25;
export const MIN_POLL_SECONDS = 1;
/** Telegram holds a getUpdates at most this long (a longer timeout is cut to it). */
export const MAX_POLL_SECONDS = 50;

/**
 * The control node's long-poll setting: empty = 25 s; otherwise a whole number of seconds from 1
 * to 50. A timeout of 0 or less makes every getUpdates answer at once and the poller ask again
 * without pause, hundreds of times a second: Telegram bans a bot token for that.
 */
export function parsePollSeconds(value: unknown, field = 'pollSeconds'): number {
  if (value === undefined || value === null || value === '') return DEFAULT_POLL_SECONDS;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_POLL_SECONDS || n > MAX_POLL_SECONDS) {
    throw new Error(`${field}: must be a whole number of seconds from ${MIN_POLL_SECONDS} to ${MAX_POLL_SECONDS}, got ${JSON.stringify(value)}`);
  }
  return n;
}
