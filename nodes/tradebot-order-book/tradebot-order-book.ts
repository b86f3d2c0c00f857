/**
 * tradebot-order-book (palette: order book): the top N levels of one or more books with mid,
 * spread and imbalance; websocket where the exchange has it, else polling.
 * An input message asks for the current book of msg.topic (or all configured symbols) now; a
 * symbol list message (a pairlist's output) replaces the symbols followed.
 */
import { formatPrice } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import type { OrderBook } from '../../core/contract';
import { createOrderBookFeed } from '../../core/market/order-book-feed';
import { flowsStarted } from '../shared/flows-started';
import { answerSnapshotRequests, FeedRunner } from '../shared/market-feed-runner';
import { parseSymbolList } from '../shared/symbols';
import { followSymbolList } from '../shared/follow-symbols';
import { perSymbolFeeds } from '../../core/market/followed-feeds';
import type { ExchangeConfigNode, NodeAPI, NodeDef } from '../shared/types';
import { registerTradebotNode } from '../shared/node-harness';
import { numberSetting, pollIntervalSetting } from '../../core/setting-values';
import { DEPTH_RULE } from './spec';

interface OrderBookNodeDef extends NodeDef {
  exchange: string;
  symbols: string;
  depth: string | number;
  interval: string | number;
  websocket: boolean;
}

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<OrderBookNodeDef>(RED, 'tradebot-order-book', (kit, config) => {
    const { node } = kit;
    // The list followed now: the configured one until a symbol list message (a pairlist) replaces it.
    let symbols = parseSymbolList(config.symbols);
    const depth = numberSetting(config.depth, 'depth', DEPTH_RULE);
    const pollIntervalMs = pollIntervalSetting(config.interval);
    kit.exchange(config.exchange);
    const runner = new FeedRunner<OrderBook>({
      node,
      exchangeNode: RED.nodes.getNode(config.exchange) as ExchangeConfigNode | undefined,
      flowsStarted: flowsStarted(RED),
      // One feed per symbol, so a new list starts and stops only the symbols that changed; each
      // polls at the pace the rate limit allows for the whole list.
      createFeeds: (source, session, listener) => [
        perSymbolFeeds(symbols, source, { pollIntervalMs, websocket: config.websocket !== false, silentAfterMs: session.silentStreamMs }, (options) => createOrderBookFeed(source, { ...options, depth }, listener)),
      ],
      toMessage: (book) => ({ topic: book.symbol, payload: book }),
      statusText: (b) => `${b.symbol} mid ${b.mid == null ? '-' : formatPrice(b.mid, marketSteps(b.exchange, b.symbol).tickSize)} spread ${b.spread === null ? '-' : +b.spread.toPrecision(4)}`,
    });

    answerSnapshotRequests(
      kit,
      runner,
      () => symbols,
      (source, symbol) => source.fetchOrderBook(symbol, depth),
      (msg) => followSymbolList(kit, runner, msg, (list) => (symbols = list)),
    );

    node.on('close', (_removed: boolean, done: () => void) => {
      runner.close().finally(done);
    });
  });
};
