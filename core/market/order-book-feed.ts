/** Top-N order book for a set of symbols; emitted when the levels shown changed. */
import type { OrderBook } from '../contract';
import type { FeedListener } from './feed-status';
import type { MarketSource } from './market-source';
import { SymbolFeed, type SymbolFeedOptions } from './symbol-feed';

export function createOrderBookFeed(
  source: MarketSource,
  options: SymbolFeedOptions & { depth: number },
  listener: FeedListener<OrderBook>,
) {
  return new SymbolFeed<OrderBook>(
    source,
    options,
    {
      canWatch: source.capabilities.watchOrderBook,
      watch: (symbol) => source.watchOrderBook(symbol, options.depth),
      fetch: (symbol) => source.fetchOrderBook(symbol, options.depth),
      // Websocket books update many times a second; only a change in the levels shown is news.
      changeKey: (b) => JSON.stringify([b.bids, b.asks]),
    },
    listener,
  );
}
