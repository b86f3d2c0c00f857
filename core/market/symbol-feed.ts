/**
 * One watch-or-poll loop per symbol on a market source, after checking every symbol is listed.
 * The ticker and order-book feeds are this with their own calls and change test.
 */
import type { FeedListener } from './feed-status';
import { assertSymbolListed, type MarketSource } from './market-source';
import { WatchLoop } from './watch-loop';

export interface SymbolFeedOptions {
  symbols: string[];
  /** Wanted polling interval; raised to what the exchange's rate limit allows. */
  pollIntervalMs: number;
  /** Use the websocket when the source has one (default true). */
  websocket?: boolean;
  backoff?: { initialMs: number; maxMs: number };
  /** A websocket silent this long is reopened; default 3 x pollIntervalMs (the interval data is expected at). */
  silentAfterMs?: number;
  /**
   * A failing or silent websocket falls back to polling until it is back (watch-loop.ts). Default:
   * the source's setting (the exchange node's websocket "auto": yes; "on": no).
   */
  fallback?: boolean;
}

export interface SymbolFeedCalls<T> {
  canWatch: boolean;
  watch: (symbol: string) => Promise<T>;
  fetch: (symbol: string) => Promise<T>;
  /** A key that changes when the update is news; equal keys are not emitted twice in a row. */
  changeKey: (item: T) => string;
}

export class SymbolFeed<T extends { symbol: string }> {
  private loops: Array<WatchLoop<T>> = [];
  private readonly lastKey = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly source: MarketSource,
    private readonly options: SymbolFeedOptions,
    private readonly calls: SymbolFeedCalls<T>,
    private readonly listener: FeedListener<T>,
  ) {}

  async start(): Promise<void> {
    const { source, options, calls, listener } = this;
    for (const symbol of options.symbols) await assertSymbolListed(source, symbol);
    if (this.stopped) return;
    const useWatch = options.websocket !== false && calls.canWatch;
    const pollIntervalMs = Math.max(options.pollIntervalMs, source.minPollIntervalMs(options.symbols.length));
    this.loops = options.symbols.map(
      (symbol) =>
        new WatchLoop<T>({
          label: symbol,
          useWatch,
          pollIntervalMs,
          watch: () => calls.watch(symbol),
          fetch: () => calls.fetch(symbol),
          onData: (item) => this.onItem(item),
          onStatus: (status) => listener.onStatus(status),
          onFatal: (error) => listener.onFatal(error),
          backoff: options.backoff,
          silentAfterMs: options.silentAfterMs ?? 3 * options.pollIntervalMs,
          reopen: source.reopenStream ? () => source.reopenStream!(symbol) : undefined,
          fallback: options.fallback ?? source.websocketFallback !== false,
        }),
    );
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  private onItem(item: T): void {
    const key = this.calls.changeKey(item);
    if (this.lastKey.get(item.symbol) === key) return;
    this.lastKey.set(item.symbol, key);
    this.listener.onData(item, {});
  }
}
