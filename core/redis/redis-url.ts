/** The Redis config node's URL, database and key prefix rules. No zod here: the editor bundle checks the dialog's fields with them too. */

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const REDIS_URL_RE = /^rediss?:\/\/\S+$/;
export const REDIS_KEY_PREFIX_RE = /^[A-Za-z0-9:_.-]*$/;
export const DEFAULT_REDIS_KEY_PREFIX = 'tradebot:';
/** Redis numbers its databases 0 to 15 (the default configuration). */
export const REDIS_DB = { min: 0, max: 15, integer: true } as const;
