/**
 * tradebot-order-book (palette: order book): the top N levels of one or more books with mid,
 * spread and imbalance; websocket where the exchange has it, else polling.
 * An input message asks for the current book of msg.topic (or all configured symbols) now.
 */
import type { OrderBook } from '../../core/contract';
import { createOrderBookFeed } from '../../core/market/order-book-feed';
import { flowsStarted } from '../shared/flows-started';
import { answerSnapshotRequests, FeedRunner } from '../shared/market-feed-runner';
import { parseSymbolList } from '../shared/symbols';
import type { ExchangeConfigNode, Node, NodeAPI, NodeDef } from '../shared/types';
import { instrument } from '../shared/instrument';

interface OrderBookNodeDef extends NodeDef {
  exchange: string;
  symbols: string;
  depth: string | number;
  interval: string | number;
  websocket: boolean;
}

export = function register(RED: NodeAPI): void {
  function TradebotOrderBookNode(this: Node, config: OrderBookNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    let symbols: string[] = [];
    let configError: Error | undefined;
    const depth = Number(config.depth || 10);
    try {
      symbols = parseSymbolList(config.symbols);
      if (!Number.isInteger(depth) || depth < 1 || depth > 1000) throw new Error('depth: must be a whole number from 1 to 1000');
    } catch (err) {
      configError = err as Error;
    }
    const runner = new FeedRunner<OrderBook>({
      node,
      exchangeNode: RED.nodes.getNode(config.exchange) as ExchangeConfigNode | undefined,
      configError,
      flowsStarted: flowsStarted(RED),
      createFeeds: (source, _session, listener) => [
        createOrderBookFeed(
          source,
          { symbols, depth, pollIntervalMs: Math.max(100, Number(config.interval) || 2_000), websocket: config.websocket !== false },
          listener,
        ),
      ],
      toMessage: (book) => ({ topic: book.symbol, payload: book }),
      statusText: (b) => `${b.symbol} mid ${b.mid ?? '-'} spread ${b.spread === null ? '-' : +b.spread.toPrecision(4)}`,
    });

    answerSnapshotRequests(node, runner, () => symbols, (source, symbol) => source.fetchOrderBook(symbol, depth));

    node.on('close', (_removed: boolean, done: () => void) => {
      runner.close().finally(done);
    });
  }

  RED.nodes.registerType('tradebot-order-book', TradebotOrderBookNode as any);
};
