/**
 * Closed candles in Redis, shared by every instance: a closed candle never changes, so once one
 * instance fetched it no other needs to.
 *
 * One sorted set per exchange + symbol + timeframe: score = open time, member = the JSON row
 * [ts, open, high, low, close, volume]. Only CLOSED candles are stored: a candle is closed once
 * its end (open + timeframe) plus a grace (clock skew, the exchange finishing its aggregation) is
 * past; the forming candle never is. A request is answered from Redis only when every closed
 * candle it covers is there, one per timeframe step with no hole; anything else goes to the
 * exchange, and what comes back is stored.
 *
 * Bounded: the newest `maxCandles` (default 5000) per set are kept. Each write refreshes the
 * set's TTL, by timeframe (candleTtlMs):
 *   up to 1m: 2 days, up to 15m: 7 days, up to 1h: 30 days, up to 4h: 90 days, longer: 1 year.
 * Only timeframes whose candles open at multiples of their length since the epoch (seconds,
 * minutes, hours and 1d, the ones that divide a day) are cached; 3d, 1w and 1M pass through.
 */
import type { OhlcvRow } from '../../contract';
import type { RedisClient } from '../connection';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long a set of candles of this timeframe lives after its last write. */
export function candleTtlMs(timeframeMs: number): number {
  if (timeframeMs <= MINUTE) return 2 * DAY;
  if (timeframeMs <= 15 * MINUTE) return 7 * DAY;
  if (timeframeMs <= HOUR) return 30 * DAY;
  if (timeframeMs <= 4 * HOUR) return 90 * DAY;
  return 365 * DAY;
}

/** Candles of this length open at multiples of it (UTC), so the cache can tell a hole from a step. */
export function isCacheableTimeframe(timeframeMs: number): boolean {
  return timeframeMs >= 1000 && timeframeMs <= DAY && DAY % timeframeMs === 0;
}

export interface CandleRange {
  /** Open time of the first and last closed candle wanted, and how many that is. */
  from: number;
  to: number;
  count: number;
}

/** Open time of the newest candle that is surely closed at `now`. */
export function lastClosedOpen(timeframeMs: number, now: number, graceMs: number): number {
  return Math.floor((now - graceMs) / timeframeMs) * timeframeMs - timeframeMs;
}

/**
 * The closed candles a fetchOHLCV(since, limit) covers, or undefined when the cache cannot answer
 * it (no limit, only the forming candle, more than the cache keeps). Exchange semantics:
 * - no `since`: the last `limit` candles, the forming one included, so the last `limit - 1` closed;
 * - `since`: the first `limit` candles opening at or after it, those of them closed already.
 */
export function wantedRange(timeframeMs: number, since: number | undefined, limit: number | undefined, now: number, graceMs: number, maxCandles: number): CandleRange | undefined {
  if (limit === undefined || !Number.isInteger(limit) || limit < 1) return undefined;
  const lastClosed = lastClosedOpen(timeframeMs, now, graceMs);
  let from: number;
  let to: number;
  if (since === undefined) {
    if (limit < 2) return undefined;
    to = lastClosed;
    from = to - (limit - 2) * timeframeMs;
  } else {
    from = Math.ceil(since / timeframeMs) * timeframeMs;
    to = Math.min(from + (limit - 1) * timeframeMs, lastClosed);
  }
  if (to < from) return undefined;
  const count = (to - from) / timeframeMs + 1;
  return count <= maxCandles ? { from, to, count } : undefined;
}

/** The rows of an exchange answer that may be stored: closed (see above) and on the timeframe's grid. */
export function closedRows(rows: OhlcvRow[], timeframeMs: number, now: number, graceMs: number): OhlcvRow[] {
  return rows.filter(
    (row) => Array.isArray(row) && Number.isFinite(row[0]) && row[0] % timeframeMs === 0 && row[0] + timeframeMs + graceMs <= now && row.slice(1, 5).every(Number.isFinite),
  );
}

export class CandleCache {
  constructor(
    /** Key namespace within the connection's prefix, e.g. "cache:". */
    private readonly namespace: string,
    private readonly maxCandles = 5000,
  ) {}

  /** `cache:ohlcv:<exchange scope>:<symbol>:<timeframe>`. */
  key(scope: string, symbol: string, timeframe: string): string {
    return `${this.namespace}ohlcv:${scope}:${symbol}:${timeframe}`;
  }

  get limit(): number {
    return this.maxCandles;
  }

  /** The wanted candles if Redis has every one of them, else undefined. */
  async read(redis: RedisClient, key: string, range: CandleRange, timeframeMs: number): Promise<OhlcvRow[] | undefined> {
    const members = await redis.zrangebyscore(key, range.from, range.to);
    if (members.length !== range.count) return undefined;
    const rows: OhlcvRow[] = [];
    for (let i = 0; i < members.length; i++) {
      let row: unknown;
      try {
        row = JSON.parse(members[i]!);
      } catch {
        // A damaged entry is a miss like a hole: the candles are fetched from the exchange and cached again.
        return undefined;
      }
      // Exactly one candle per step: a hole (or a duplicate) sends the request to the exchange.
      if (!Array.isArray(row) || row[0] !== range.from + i * timeframeMs) return undefined;
      rows.push(row as OhlcvRow);
    }
    return rows;
  }

  /** Stores closed rows (the caller filtered them), replacing what the set had in their span. */
  async write(redis: RedisClient, key: string, rows: OhlcvRow[], timeframeMs: number): Promise<void> {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) => a[0] - b[0]);
    const args: Array<string | number> = [];
    for (const row of sorted) args.push(row[0], JSON.stringify(row.slice(0, 6)));
    await redis
      .multi()
      // A candle re-fetched with other values (an exchange correction) must not sit twice under one score.
      .zremrangebyscore(key, sorted[0]![0], sorted[sorted.length - 1]![0])
      .zadd(key, ...args)
      .zremrangebyrank(key, 0, -(this.maxCandles + 1))
      .pexpire(key, candleTtlMs(timeframeMs))
      .exec()
      .then((results) => {
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      });
  }
}
