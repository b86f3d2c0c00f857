/**
 * Backtest history from an exchange: ccxt fetchOHLCV, page by page over a date range, cached on
 * disk (one JSON file per exchange, symbol and timeframe) so a second run needs no network and
 * later runs fetch only what the cache does not have. Only closed candles are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OhlcvRow } from '../contract';
import type { MarketSource } from '../market/market-source';
import { timeframeToMs } from '../timeframe';

export interface DownloadOptions {
  source: Pick<MarketSource, 'fetchOHLCV' | 'now'>;
  exchangeId: string;
  symbol: string;
  timeframe: string;
  /** Inclusive start and exclusive end, ms. */
  from: number;
  to: number;
  cacheDir: string;
  /** Candles per request (Binance allows 1000). */
  pageSize?: number;
}

export interface Downloaded {
  rows: OhlcvRow[];
  /** Requests sent to the exchange (0 when the cache had it all). */
  requests: number;
  cacheFile: string;
}

function cacheFileOf(o: DownloadOptions): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(o.cacheDir, safe(o.exchangeId), `${safe(o.symbol)}-${o.timeframe}.json`);
}

function readCache(file: string): OhlcvRow[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as OhlcvRow[];
  } catch {
    return [];
  }
}

/** The rows of [from, to) when the cache holds every candle of that range, else undefined. */
function covered(rows: OhlcvRow[], from: number, to: number, tfMs: number): OhlcvRow[] | undefined {
  const inside = rows.filter((r) => r[0] >= from && r[0] < to);
  if (!inside.length) return undefined;
  const first = Math.ceil(from / tfMs) * tfMs;
  const lastWanted = Math.floor((to - 1) / tfMs) * tfMs;
  if (inside[0]![0] > first || inside[inside.length - 1]![0] < lastWanted) return undefined;
  return inside;
}

export async function downloadHistory(o: DownloadOptions): Promise<Downloaded> {
  const tfMs = timeframeToMs(o.timeframe);
  const file = cacheFileOf(o);
  const cached = readCache(file);
  // The exchange may have gaps (no trades): a range counts as known when its ends are known and
  // it was fetched before; gaps inside stay gaps (reported by the candles node, never invented).
  const hit = covered(cached, o.from, o.to, tfMs);
  if (hit) return { rows: hit, requests: 0, cacheFile: file };

  const fetched: OhlcvRow[] = [];
  let since = o.from;
  let requests = 0;
  const now = o.source.now();
  while (since < o.to) {
    const page = await o.source.fetchOHLCV(o.symbol, o.timeframe, since, o.pageSize ?? 1000);
    requests++;
    const closed = page.filter((r) => r[0] >= since && r[0] < o.to && r[0] + tfMs <= now);
    if (!closed.length) break;
    fetched.push(...closed);
    const next = closed[closed.length - 1]![0] + tfMs;
    if (next <= since) break;
    since = next;
    if (page.length < (o.pageSize ?? 1000) && since >= now - tfMs) break;
  }
  const merged = new Map<number, OhlcvRow>(cached.map((r) => [r[0], r]));
  for (const r of fetched) merged.set(r[0], r);
  const all = [...merged.values()].sort((a, b) => a[0] - b[0]);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written next to the cache and renamed over it: a crash never leaves half a file.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(all));
  fs.renameSync(`${file}.tmp`, file);
  return { rows: all.filter((r) => r[0] >= o.from && r[0] < o.to), requests, cacheFile: file };
}
