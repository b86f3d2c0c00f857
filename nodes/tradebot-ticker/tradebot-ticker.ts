/**
 * tradebot-ticker (palette: exchange ticker): tickers for one or more symbols, by websocket
 * where the exchange has it, else by polling. Emits a ticker only when it changed.
 * An input message asks for the current ticker of msg.topic (or all configured symbols) now.
 */
import { formatPrice } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import type { Ticker } from '../../core/contract';
import { createTickerFeed } from '../../core/market/ticker-feed';
import { flowsStarted } from '../shared/flows-started';
import { answerSnapshotRequests, FeedRunner } from '../shared/market-feed-runner';
import { parseSymbolList } from '../shared/symbols';
import { followSymbolList } from '../shared/follow-symbols';
import { perSymbolFeeds } from '../../core/market/followed-feeds';
import type { ExchangeConfigNode, NodeAPI, NodeDef } from '../shared/types';
import { registerTradebotNode } from '../shared/node-harness';
import { pollIntervalSetting } from '../../core/setting-values';

interface TickerNodeDef extends NodeDef {
  exchange: string;
  symbols: string;
  interval: string | number;
  websocket: boolean;
}

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<TickerNodeDef>(RED, 'tradebot-ticker', (kit, config) => {
    const { node } = kit;
    // The list followed now: the configured one until a symbol list message (a pairlist) replaces it.
    let symbols = parseSymbolList(config.symbols);
    const pollIntervalMs = pollIntervalSetting(config.interval);
    kit.exchange(config.exchange);
    const runner = new FeedRunner<Ticker>({
      node,
      exchangeNode: RED.nodes.getNode(config.exchange) as ExchangeConfigNode | undefined,
      flowsStarted: flowsStarted(RED),
      // One feed per symbol, so a new list starts and stops only the symbols that changed; each
      // polls at the pace the rate limit allows for the whole list.
      createFeeds: (source, session, listener) => [
        perSymbolFeeds(symbols, source, { pollIntervalMs, websocket: config.websocket !== false, silentAfterMs: session.silentStreamMs }, (options) => createTickerFeed(source, options, listener)),
      ],
      toMessage: (ticker) => ({ topic: ticker.symbol, payload: ticker }),
      statusText: (t) => `${t.symbol} ${formatPrice(t.last, marketSteps(t.exchange, t.symbol).tickSize)}`,
    });

    answerSnapshotRequests(
      kit,
      runner,
      () => symbols,
      (source, symbol) => source.fetchTicker(symbol),
      (msg) => followSymbolList(kit, runner, msg, (list) => (symbols = list)),
    );

    node.on('close', (_removed: boolean, done: () => void) => {
      runner.close().finally(done);
    });
  });
};
