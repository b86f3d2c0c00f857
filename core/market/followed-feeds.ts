/**
 * One feed per symbol, for a symbol list that changes while the flow runs (a pairlist's): `follow`
 * starts a feed for each new symbol (a candle feed's start is its warm-up) and stops the feed of
 * each symbol no longer listed; the symbols that stay keep their feeds untouched, so none of their
 * candles is sent twice or skipped. Changes run one after the other.
 */
import type { MarketSource } from './market-source';
import type { SymbolFeedOptions } from './symbol-feed';

export interface SymbolFeedLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class FollowedFeeds<F extends SymbolFeedLike> {
  private readonly feeds = new Map<string, F>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  /** `create(symbol, count)`: the feed of one symbol, `count` the number of symbols now followed (to share a rate limit). */
  constructor(
    private initial: string[],
    private readonly create: (symbol: string, count: number) => F,
  ) {}

  /** The symbols followed now (or about to be, before start). */
  symbols(): string[] {
    return this.feeds.size > 0 || this.stopped ? [...this.feeds.keys()] : [...this.initial];
  }

  start(): Promise<void> {
    return this.follow(this.initial).then(() => undefined);
  }

  /** Follows `symbols` from now on; resolves with what changed once the new feeds have started (their warm-up sent). */
  follow(symbols: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
    const run = this.queue.then(() => this.apply([...new Set(symbols)]));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.catch(() => undefined);
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.stop().catch(() => undefined)));
  }

  private async apply(symbols: string[]): Promise<{ added: string[]; removed: string[] }> {
    if (this.stopped) return { added: [], removed: [] };
    const removed = [...this.feeds.keys()].filter((s) => !symbols.includes(s));
    const added = symbols.filter((s) => !this.feeds.has(s));
    // New feeds first: a symbol that cannot start (unlisted) leaves every feed as it was.
    const started = added.map((symbol) => {
      const feed = this.create(symbol, symbols.length);
      this.feeds.set(symbol, feed);
      return feed;
    });
    try {
      await Promise.all(started.map((f) => f.start()));
    } catch (err) {
      for (const symbol of added) this.feeds.delete(symbol);
      await Promise.all(started.map((f) => f.stop().catch(() => undefined)));
      throw err;
    }
    this.initial = symbols;
    for (const symbol of removed) {
      const feed = this.feeds.get(symbol)!;
      this.feeds.delete(symbol);
      await feed.stop();
    }
    return { added, removed };
  }
}

/**
 * One market-data feed per followed symbol (the ticker and order book nodes): each polls at the
 * pace the exchange's rate limit allows for the whole list, so the list together stays within it.
 */
export function perSymbolFeeds<F extends SymbolFeedLike>(
  symbols: string[],
  source: Pick<MarketSource, 'minPollIntervalMs'>,
  options: Omit<SymbolFeedOptions, 'symbols'>,
  create: (options: SymbolFeedOptions) => F,
): FollowedFeeds<F> {
  return new FollowedFeeds(symbols, (symbol, count) => create({ ...options, symbols: [symbol], pollIntervalMs: Math.max(options.pollIntervalMs, source.minPollIntervalMs(count)) }));
}
