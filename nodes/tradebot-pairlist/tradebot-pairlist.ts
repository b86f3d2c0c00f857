/**
 * tradebot-pairlist (palette: pairlist): the symbols to trade, ranked by 24h quote volume from the
 * exchange's tickers and filtered (core/market/pairlist.ts), sent at deploy, on a schedule and on
 * any input message; wired into candles and ticker nodes, they follow the list. A message's
 * msg.payload object changes filters (checked naming the field). No ranking here: the core does it.
 */
import { ConfigError } from '../../core/errors';
import { isRateLimitError, isRetryableError } from '../../core/market/ccxt-loader';
import { parseFilterOverrides, parsePairlistSettings, REFRESH_RULE } from '../../core/market/pairlist';
import { Pairlister } from '../../core/market/pairlist-refresh';
import { shorten } from '../../core/market/watch-loop';
import { numberSetting } from '../../core/setting-values';
import { Backoff } from '../../core/util/backoff';
import { flowsStarted } from '../shared/flows-started';
import { registerTradebotNode } from '../shared/node-harness';
import { statusFor } from '../shared/status';
import { formatSymbolCount } from '../shared/symbols';
import type { NodeAPI, NodeDef, NodeMessage, SendFn } from '../shared/types';
import type { PairlistConfig } from './spec';

type PairlistNodeDef = NodeDef & Omit<PairlistConfig, 'name'>;

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<PairlistNodeDef>(RED, 'tradebot-pairlist', (kit, config) => {
    const { node } = kit;
    const settings = parsePairlistSettings(config as unknown as Record<string, unknown>);
    const refreshMs = numberSetting(config.refresh, 'refresh', REFRESH_RULE) * 60_000;
    const session = kit.exchange(config.exchange);
    // A backtest replays the symbols of its history, fed to the candles nodes one candle at a time:
    // a list changing under it would not be the history replayed. Refused, naming why.
    if (session.mode === 'backtest') throw new ConfigError('exchange: the pairlist ranks a running market (sim, paper, live), not a backtest: list the symbols in the candles node', 'exchange');
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const backoff = new Backoff(5_000, refreshMs);
    let lister: Promise<Pairlister> | undefined;
    const pairlister = () => (lister ??= session.source().then((source) => new Pairlister(source, settings)));
    // Refreshes run one after the other: a message's refresh never interleaves with the schedule's.
    let queue: Promise<unknown> = Promise.resolve();

    const refresh = (send: SendFn, overrides?: Record<string, unknown>): Promise<void> => {
      const run = queue.then(async () => {
        if (closed) return;
        const p = await pairlister();
        if (overrides) p.setSettings(parseFilterOverrides(overrides, p.current));
        const { payload, excluded } = await p.refresh();
        if (closed) return;
        if (payload.symbols.length === 0) {
          kit.status.now(statusFor('stopped', `no symbol passed the filters; following ${formatSymbolCount(p.symbols.length)}`));
          return;
        }
        send({ topic: 'pairlist', payload, excluded } as NodeMessage);
        const shown = payload.symbols.slice(0, 3).join(', ') + (payload.symbols.length > 3 ? ', …' : '');
        kit.status.now(statusFor('live', `${formatSymbolCount(payload.symbols.length)}: ${shown}`));
      });
      queue = run.catch(() => undefined);
      return run;
    };

    const schedule = (ms: number) => {
      if (closed) return;
      clearTimeout(timer);
      timer = setTimeout(scheduled, ms);
    };
    // The schedule's refresh: a failure is said in the status and to Catch nodes, then tried again
    // with backoff (5 s doubling, at most the refresh interval); the last list stays followed.
    const scheduled = () => {
      refresh((msg) => node.send(msg as NodeMessage)).then(
        () => {
          backoff.reset();
          schedule(refreshMs);
        },
        (err: unknown) => {
          if (closed) return;
          const message = kit.nodeError(err).message;
          const retry = isRetryableError(err);
          const delay = retry ? backoff.next(isRateLimitError(err)) : refreshMs;
          kit.status.now(statusFor(retry ? 'reconnecting' : 'error', shorten(`${retry ? `retry in ${Math.round(delay / 1000)}s: ` : ''}${message}`)));
          node.error(message, { topic: 'error', payload: { kind: 'error', message } } as NodeMessage);
          schedule(delay);
        },
      );
    };

    kit.status.now(statusFor('connecting', `ranking ${session.label}`));
    // The first list once every node of the deploy exists, so the candles and ticker nodes hear it.
    void flowsStarted(RED).then(() => schedule(0));

    kit.onInput((msg, send) => {
      const payload = msg.payload;
      const overrides = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
      return refresh(send, overrides);
    });

    node.on('close', () => {
      closed = true;
      clearTimeout(timer);
    });
  });
};
