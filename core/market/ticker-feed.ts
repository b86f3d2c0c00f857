/** Tickers for a set of symbols; a ticker is emitted only when bid, ask or last changed. */
import type { Ticker } from '../contract';
import type { FeedListener } from './feed-status';
import type { MarketSource } from './market-source';
import { SymbolFeed, type SymbolFeedOptions } from './symbol-feed';

export function createTickerFeed(source: MarketSource, options: SymbolFeedOptions, listener: FeedListener<Ticker>) {
  return new SymbolFeed<Ticker>(
    source,
    options,
    {
      canWatch: source.capabilities.watchTicker,
      watch: (symbol) => source.watchTicker(symbol),
      fetch: (symbol) => source.fetchTicker(symbol),
      changeKey: (t) => `${t.bid}|${t.ask}|${t.last}`,
    },
    listener,
  );
}
