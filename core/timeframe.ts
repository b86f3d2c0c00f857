/** Timeframes in ccxt's notation (1m, 5m, 1h, 1d, 1w, 1M) converted to milliseconds. */
const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  // A calendar month has no fixed length; 30 days is what ccxt's parseTimeframe uses too.
  M: 2_592_000_000,
};

/** Timeframes already converted: asked for on every candle, and there are only a few. */
const known = new Map<string, number>();

/** The last timeframe converted (a valid one to begin with): a run asks for the same one again and again. */
let lastTimeframe = '1m';
let lastMs = 60_000;

export function timeframeToMs(timeframe: string): number {
  if (timeframe === lastTimeframe) return lastMs;
  const cached = known.get(timeframe);
  if (cached !== undefined) {
    lastTimeframe = timeframe;
    lastMs = cached;
    return cached;
  }
  const match = /^([1-9][0-9]*)([smhdwM])$/.exec(timeframe);
  if (!match) throw new Error(`timeframe "${timeframe}" is not valid: use a number and a unit such as 1m, 5m, 1h, 1d`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (known.size < 64) known.set(timeframe, ms);
  lastTimeframe = timeframe;
  lastMs = ms;
  return ms;
}

/** Open time of the candle that contains `ts`. */
export function candleOpenTime(ts: number, timeframeMs: number): number {
  return Math.floor(ts / timeframeMs) * timeframeMs;
}
