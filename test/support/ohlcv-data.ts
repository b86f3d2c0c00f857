/**
 * Real exchange candles from ../shared/data/ohlcv (see ../shared/data/README.md): January 2018,
 * ten pairs quoted in BTC, files `PAIR-TF.json` holding `[timestamp_ms, open, high, low, close,
 * volume]` rows. Read-only. The folder is found relative to the repository root, which is looked
 * up from __dirname, so this works both from test/support (ts) and dist/test/support (compiled).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Candle } from './textbook-indicators';

export type { Candle };
export type OhlcvTimeframe = '1m' | '5m';
export const OHLCV_TIMEFRAMES: readonly OhlcvTimeframe[] = ['1m', '5m'];

function findRepoRoot(from: string): string | undefined {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'node-red-contrib-tradebot') return dir;
      } catch {
        // not ours; keep going up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Absolute path of the ohlcv folder (it may not exist). */
export const OHLCV_DIR: string = path.resolve(findRepoRoot(__dirname) ?? path.resolve(__dirname, '..', '..'), '..', 'shared', 'data', 'ohlcv');

export function ohlcvAvailable(): boolean {
  try {
    return fs.statSync(OHLCV_DIR).isDirectory() && listPairs().length > 0;
  } catch {
    return false;
  }
}

/**
 * For a test or hook (from inside a mocha `function () {}`) that needs the data. Without them it
 * throws in CI (CI set: the run must not pass without testing) and otherwise logs why and skips
 * `ctx`: the same rule as for redis-server, PostgreSQL and the browser (test/support/*.ts).
 */
export function skipWithoutOhlcv(ctx: Mocha.Context): void {
  if (ohlcvAvailable()) return;
  const missing = `real OHLCV data not found at ${OHLCV_DIR} (see ../shared/data/README.md)`;
  if (process.env.CI) throw new Error(`real OHLCV data are required in CI: ${missing}`);
  if (ctx.test) ctx.test.title += ` (SKIPPED: ${missing})`;
  console.log(`      SKIPPED: ${missing}; the checks on real candles did not run`);
  ctx.skip();
}

/** Pairs with a 1m file, e.g. ['ADA_BTC', 'DASH_BTC', ...], sorted. Empty when the folder is missing. */
export function listPairs(timeframe: OhlcvTimeframe = '1m'): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(OHLCV_DIR);
  } catch {
    return [];
  }
  const suffix = `-${timeframe}.json`;
  return names
    .filter((f) => f.endsWith(suffix))
    .map((f) => f.slice(0, -suffix.length))
    .sort();
}

const cache = new Map<string, readonly Candle[]>();

/** The candles of one file, oldest first, validated; cached (do not mutate the result). */
export function loadCandles(pair: string, timeframe: OhlcvTimeframe): readonly Candle[] {
  const key = `${pair}-${timeframe}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = path.join(OHLCV_DIR, `${key}.json`);
  const rows: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(rows)) throw new Error(`${file}: expected a JSON array of rows`);
  const candles = rows.map((row: unknown, i: number): Candle => {
    if (!Array.isArray(row) || row.length < 6 || row.slice(0, 6).some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new Error(`${file}: row ${i} is not [ts, open, high, low, close, volume]: ${JSON.stringify(row)}`);
    }
    const [ts, open, high, low, close, volume] = row as number[];
    return { ts: ts!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
  });
  for (let i = 1; i < candles.length; i++) {
    if (candles[i]!.ts <= candles[i - 1]!.ts) throw new Error(`${file}: timestamps not increasing at row ${i}`);
  }
  Object.freeze(candles);
  cache.set(key, candles);
  return candles;
}
