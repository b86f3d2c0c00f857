/** Every active market's 24h ticker from a source: in one request where it can, else one per market. */
import type { MarketSource } from './market-source';
import type { PairTicker } from './pairlist';

export async function fetchPairTickers(source: MarketSource): Promise<PairTicker[]> {
  if (source.fetchTickers) return source.fetchTickers();
  const markets = await source.loadMarkets();
  const rows: PairTicker[] = [];
  for (const market of markets.values()) {
    if (!market.active) continue;
    const t = await source.fetchTicker(market.symbol);
    rows.push({ symbol: t.symbol, last: t.last, bid: t.bid, ask: t.ask, ...(t.baseVolume !== undefined ? { baseVolume: t.baseVolume } : {}) });
  }
  return rows;
}
