/**
 * Keeps prices flowing into the account for the symbols it holds, has orders in or stops on: the
 * account's prices drive limit timeouts and bot-watched stops. One ticker feed per symbol, which
 * falls back to polling whatever the websocket setting, so a stop never waits on one transport.
 * A feed's trouble is written to the log once when it starts and once when it is over: a stop
 * that is not watched must not fail silently, and a feed retrying every few seconds must not
 * flood the log.
 */
import type { Ticker } from '../contract';
import { errorText, StateChangeLog, type Logger } from '../logger';
import type { MarketSource } from '../market/market-source';
import type { SymbolFeed } from '../market/symbol-feed';
import { createTickerFeed } from '../market/ticker-feed';

/** Seconds between two polls of the account's prices. */
const POLL_INTERVAL_MS = 2_000;

export interface AccountPricesOptions {
  /** Each price that arrives (the account's onPrice, health's last data). */
  onPrice(ticker: Ticker): void;
  /** The exchange node's silent-stream timeout, ms; undefined: the feed's default. */
  silentAfterMs: number | undefined;
  log: Logger;
}

export class AccountPrices {
  private readonly feeds = new Map<string, SymbolFeed<Ticker>>();
  private readonly trouble: StateChangeLog;
  private stopped = false;

  constructor(private readonly o: AccountPricesOptions) {
    this.trouble = new StateChangeLog(o.log);
  }

  /** Whether a feed keeps `symbol`'s price current. */
  watching(symbol: string): boolean {
    return this.feeds.has(symbol);
  }

  /** Starts a feed for each symbol that has none. */
  async watch(source: MarketSource, symbols: string[]): Promise<void> {
    for (const symbol of symbols) {
      if (this.feeds.has(symbol) || this.stopped) continue;
      const what = `prices for ${symbol} (limit timeouts, bot-watched stops)`;
      const feed = createTickerFeed(source, { symbols: [symbol], pollIntervalMs: POLL_INTERVAL_MS, silentAfterMs: this.o.silentAfterMs, fallback: true }, {
        onData: (ticker) => {
          this.trouble.ok(symbol, `${what}: arriving again`);
          this.o.onPrice(ticker);
        },
        onStatus: (status) => {
          // (An 'error' state comes with onFatal, which writes its own line.)
          if (status.state === 'reconnecting') this.trouble.fail(symbol, `${what}: ${status.text}`);
        },
        onFatal: (error) => {
          this.feeds.delete(symbol);
          this.trouble.forget(symbol);
          // Started again by the next order or price request for the symbol.
          this.o.log.error(`${what} stopped: ${errorText(error)}; restarted by the next order on ${symbol}`);
        },
      });
      this.feeds.set(symbol, feed);
      try {
        await feed.start();
      } catch (err) {
        this.feeds.delete(symbol);
        this.trouble.fail(symbol, `${what} could not start: ${errorText(err)}; tried again with the next order on ${symbol}`);
      }
    }
  }

  /** Logs a failure to start watching (the session could not reach its source or account). */
  failed(symbols: string[], err: unknown): void {
    for (const symbol of symbols) this.trouble.fail(symbol, `prices for ${symbol} (limit timeouts, bot-watched stops) could not start: ${errorText(err)}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.stop()));
  }
}
