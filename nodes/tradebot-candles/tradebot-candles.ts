/**
 * tradebot-candles (palette: candles): closed OHLCV candles per symbol and timeframe.
 * Source "exchange": a warm-up of N history candles (msg.warmup = true), then every closed
 * candle exactly once, in order; a candle the exchange lacks is reported in msg.gap, never
 * invented. Source "ticks": builds candles from ticker messages wired into the node.
 */
import { formatPrice } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import { parseOrThrow, TickerSchema, TimeframeSchema, type Candle } from '../../core/contract';
import { CandleBuilder } from '../../core/market/candle-builder';
import { checkMessageTime, ImplausibleInputError } from '../../core/plausibility';
import { exchangeClock } from '../../core/sessions';
import { CandleFeed } from '../../core/market/candle-feed';
import { flowsStarted } from '../shared/flows-started';
import { FeedRunner } from '../shared/market-feed-runner';
import { statusFor } from '../shared/status';
import { isSymbolListMessage, parseSymbolList } from '../shared/symbols';
import { followSymbolList } from '../shared/follow-symbols';
import { FollowedFeeds } from '../../core/market/followed-feeds';
import type { DoneFn, ExchangeConfigNode, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, SendFn } from '../shared/types';
import { registerTradebotNode } from '../shared/node-harness';
import { onceThenQuiet } from '../shared/config-error';
import { numberSetting, pollIntervalSetting, textSetting } from '../../core/setting-values';
import { DEFAULT_TIMEFRAME, WARMUP_RULE } from './spec';

interface CandlesNodeDef extends NodeDef {
  exchange: string;
  source: 'exchange' | 'ticks';
  symbols: string;
  timeframe: string;
  warmup: string | number;
  interval: string | number;
  websocket: boolean;
}

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<CandlesNodeDef>(RED, 'tradebot-candles', (kit, config) => {
    const { node } = kit;
    const timeframe = textSetting(config.timeframe, 'timeframe', DEFAULT_TIMEFRAME);
    parseOrThrow(TimeframeSchema, timeframe, 'timeframe');

    if (config.source === 'ticks') {
      const builder = new CandleBuilder(timeframe);
      node.status(statusFor('stopped', `waiting for ticker messages (${timeframe})`));
      kit.onInput((msg, send) => {
        const ticker = parseOrThrow(TickerSchema, msg.payload, 'msg.payload');
        // A tick from the future would open a candle no real tick could follow: refused first.
        const implausible = checkMessageTime('msg.payload.ts', ticker.ts, exchangeClock(ticker.exchange) ?? Date.now(), null);
        if (implausible) throw new ImplausibleInputError(implausible);
        const built = builder.add(ticker);
        if (built) {
          send({ topic: built.candle.symbol, payload: built.candle, ...(built.gap ? { gap: built.gap } : {}) });
          node.status(statusFor('live', `${built.candle.symbol} ${timeframe} close ${formatPrice(built.candle.close, marketSteps(built.candle.exchange, built.candle.symbol).tickSize)}`));
        }
      });
      node.on('close', () => builder.reset());
      return;
    }

    // The list followed now: the configured one until a symbol list message (a pairlist) replaces it.
    let symbols = parseSymbolList(config.symbols);
    const warmup = numberSetting(config.warmup, 'warmup', WARMUP_RULE);
    const pollIntervalMs = pollIntervalSetting(config.interval);
    kit.exchange(config.exchange);
    const runner = new FeedRunner<Candle>({
      node,
      exchangeNode: RED.nodes.getNode(config.exchange) as ExchangeConfigNode | undefined,
      flowsStarted: flowsStarted(RED),
      createFeeds: (source, session, listener) => [
        // One feed per symbol; a new symbol's feed starts with its warm-up, a removed one's stops.
        new FollowedFeeds(
          symbols,
          (symbol) =>
            new CandleFeed(
              source,
              { symbol, timeframe, warmup, pollIntervalMs, websocket: config.websocket !== false, closeGraceMs: session.candleCloseGraceMs, silentAfterMs: session.silentStreamMs },
              listener,
            ),
        ),
      ],
      toMessage: (candle, meta) => {
        // Built field by field (no spreads): this runs for every candle.
        const msg: NodeMessage & { warmup?: true; gap?: unknown } = { topic: candle.symbol, payload: candle };
        if (meta.warmup) msg.warmup = true;
        if (meta.gap) msg.gap = meta.gap;
        return msg;
      },
      statusText: (c) => `${c.symbol} ${c.timeframe} close ${formatPrice(c.close, marketSteps(c.exchange, c.symbol).tickSize)}`,
    });

    // Something wired in (a ticker, often) would repeat this mistake with every message: said once.
    const wrongInput = onceThenQuiet();
    const follow = (msg: NodeMessageInFlow) => followSymbolList(kit, runner, msg, (list) => (symbols = list));
    node.on('input', (msg: NodeMessageInFlow, _send: SendFn, done: DoneFn) => {
      if (isSymbolListMessage(msg)) {
        follow(msg).then(() => done(), (err: unknown) => done(kit.nodeError(err)));
        return;
      }
      wrongInput(done, new Error('source: this candles node reads from the exchange; set Source to "ticker messages" to build candles from input, or send it a symbol list (msg.payload.kind "pairlist")'));
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      runner.close().finally(done);
    });
  });
};
