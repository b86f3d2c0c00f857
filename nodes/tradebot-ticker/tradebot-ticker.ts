/**
 * tradebot-ticker (palette: exchange ticker): tickers for one or more symbols, by websocket
 * where the exchange has it, else by polling. Emits a ticker only when it changed.
 * An input message asks for the current ticker of msg.topic (or all configured symbols) now.
 */
import type { Ticker } from '../../core/contract';
import { createTickerFeed } from '../../core/market/ticker-feed';
import { flowsStarted } from '../shared/flows-started';
import { answerSnapshotRequests, FeedRunner } from '../shared/market-feed-runner';
import { parseSymbolList } from '../shared/symbols';
import type { ExchangeConfigNode, Node, NodeAPI, NodeDef } from '../shared/types';
import { instrument } from '../shared/instrument';

interface TickerNodeDef extends NodeDef {
  exchange: string;
  symbols: string;
  interval: string | number;
  websocket: boolean;
}

export = function register(RED: NodeAPI): void {
  function TradebotTickerNode(this: Node, config: TickerNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    let symbols: string[] = [];
    let configError: Error | undefined;
    try {
      symbols = parseSymbolList(config.symbols);
    } catch (err) {
      configError = err as Error;
    }
    const runner = new FeedRunner<Ticker>({
      node,
      exchangeNode: RED.nodes.getNode(config.exchange) as ExchangeConfigNode | undefined,
      configError,
      flowsStarted: flowsStarted(RED),
      createFeeds: (source, _session, listener) => {
        return [
          createTickerFeed(
            source,
            { symbols, pollIntervalMs: Math.max(100, Number(config.interval) || 2_000), websocket: config.websocket !== false },
            listener,
          ),
        ];
      },
      toMessage: (ticker) => ({ topic: ticker.symbol, payload: ticker }),
      statusText: (t) => `${t.symbol} ${t.last}`,
    });

    answerSnapshotRequests(node, runner, () => symbols, (source, symbol) => source.fetchTicker(symbol));

    node.on('close', (_removed: boolean, done: () => void) => {
      runner.close().finally(done);
    });
  }

  RED.nodes.registerType('tradebot-ticker', TradebotTickerNode as any);
};
