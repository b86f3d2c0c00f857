/**
 * The part every market-data node shares: find the exchange config, get its market source,
 * start the node's feeds, turn feed events into messages and statuses, report fatal errors
 * so a Catch node sees them, and stop everything on close. No trading logic.
 */
import type { ExchangeSession } from '../../core/session/exchange-session';
import * as metrics from '../../core/metrics';
import type { FeedListener, FeedMeta } from '../../core/market/feed-status';
import { parseOrThrow, SymbolSchema } from '../../core/contract';
import { assertSymbolListed, type MarketSource } from '../../core/market/market-source';
import { shorten } from '../../core/market/watch-loop';
import { Backoff, Sleeper } from '../../core/util/backoff';
import { isRateLimitError, isRetryableError } from '../../core/market/ccxt-loader';
import { ValidationError } from '../../core/errors';
import { statusFor, StatusThrottle } from './status';
import { isSymbolListMessage, symbolFromMessage } from './symbols';
import type { ExchangeConfigNode, Node, NodeMessage } from './types';
import type { NodeKit } from './node-harness';

export interface Feed {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Feeds built on core/market/followed-feeds.ts follow a new symbol list (a pairlist message). */
  follow?(symbols: readonly string[]): Promise<{ added: string[]; removed: string[] }>;
}

export interface FeedRunnerOptions<T extends { symbol: string }> {
  node: Node;
  exchangeNode: ExchangeConfigNode | undefined;
  /** Resolves when the deploy has created every node; start-up errors wait for it (see flows-started.ts). */
  flowsStarted: Promise<void>;
  createFeeds: (source: MarketSource, session: ExchangeSession, listener: FeedListener<T>) => Feed[];
  toMessage: (item: T, meta: FeedMeta) => NodeMessage;
  /** Status text after an update, e.g. "BTC/USDT 64012.5". */
  statusText: (item: T) => string;
}

export class FeedRunner<T extends { symbol: string }> {
  private feeds: Feed[] = [];
  private readonly status: StatusThrottle;
  private closed = false;
  private lastState: string | undefined;
  /** Polling in place of a failed websocket (the feed said so): the data status shows it. */
  private fallback = false;
  /** The wait between two start attempts; close() ends it. */
  private readonly sleeper = new Sleeper();
  readonly session: ExchangeSession | undefined;
  private readonly ready: Promise<MarketSource | undefined>;

  constructor(private readonly options: FeedRunnerOptions<T>) {
    const { node, exchangeNode } = options;
    this.status = new StatusThrottle((s) => node.status(s));
    this.session = exchangeNode?.session;
    if (!exchangeNode) {
      this.fail(new Error('no exchange selected: pick or add a tradebot exchange config node'));
      this.ready = Promise.resolve(undefined);
      return;
    }
    if (!this.session) {
      this.fail(new Error(exchangeNode.configError ?? 'the exchange config node is not valid'));
      this.ready = Promise.resolve(undefined);
      return;
    }
    this.status.now(statusFor('connecting', `connecting to ${this.session.label}`));
    this.ready = this.start(this.session);
  }

  /** The market source once started (undefined when the node could not start). */
  source(): Promise<MarketSource | undefined> {
    return this.ready;
  }

  /** Error text with credentials removed: what may be shown anywhere. */
  safeMessage(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    return this.session ? this.session.redact(text) : text;
  }

  /**
   * Follows a new symbol list (each symbol checked against the exchange's markets first, an
   * unlisted one refused naming `field` and nothing changed). Resolves with what changed; undefined
   * when the node could not start (it has said why).
   */
  async follow(symbols: readonly string[], field: string): Promise<{ added: string[]; removed: string[] } | undefined> {
    const source = await this.ready;
    if (!source || this.closed) return undefined;
    for (const [i, symbol] of symbols.entries()) {
      try {
        await assertSymbolListed(source, symbol);
      } catch (err) {
        if (isRetryableError(err)) throw err;
        throw new ValidationError(`${field}.${i}: ${this.safeMessage(err)}`, `${field}.${i}`);
      }
    }
    const changes = { added: [] as string[], removed: [] as string[] };
    for (const feed of this.feeds) {
      if (!feed.follow) continue;
      const changed = await feed.follow(symbols);
      changes.added.push(...changed.added);
      changes.removed.push(...changed.removed);
    }
    return changes;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sleeper.cancel();
    this.status.clear();
    // The node is closing: a feed whose stop fails delivers nothing more (its loops end on `stopped`), and the others still stop.
    await Promise.all(this.feeds.map((f) => f.stop().catch(() => undefined)));
  }

  /**
   * Gets the source and starts the feeds. An exchange that cannot be reached at deploy (a network
   * error, a 5xx, a rate limit) is tried again with backoff (1 s doubling to 60 s), the status
   * saying so, until it answers: the node never needs a redeploy to recover. Only what retrying
   * cannot fix (an unknown symbol, bad credentials) stops it.
   */
  private async start(session: ExchangeSession): Promise<MarketSource | undefined> {
    const backoff = new Backoff(1_000, 60_000);
    for (;;) {
      try {
        const source = await session.source();
        if (this.closed) return undefined;
        this.feeds = this.options.createFeeds(source, session, this.listener());
        await Promise.all(this.feeds.map((f) => f.start()));
        return source;
      } catch (err) {
        // The start's own error is what counts (handled below); a feed that fails to stop as well adds nothing to it.
        await Promise.all(this.feeds.map((f) => f.stop().catch(() => undefined)));
        this.feeds = [];
        if (this.closed) return undefined;
        if (!isRetryableError(err)) {
          this.fail(err);
          return undefined;
        }
        const delay = backoff.next(isRateLimitError(err));
        const text = `${session.label} not reachable, retry ${backoff.failures} in ${Math.round(delay / 100) / 10}s: ${shorten(this.safeMessage(err), 40)}`;
        this.status.now(statusFor('reconnecting', text));
        await this.sleeper.sleep(delay);
        if (this.closed) return undefined;
      }
    }
  }

  private listener(): FeedListener<T> {
    const { node, toMessage, statusText } = this.options;
    return {
      onData: (item, meta) => {
        if (this.closed) return;
        this.session?.noteData();
        node.send(toMessage(item, meta));
        this.lastState = 'data';
        // While REST stands in for a failed websocket the data still flows, on a yellow ring that says so.
        this.status.update(() => (this.fallback ? statusFor('reconnecting', `${statusText(item)} (websocket down, polling)`) : statusFor('live', statusText(item))));
      },
      onStatus: (s) => {
        if (this.closed) return;
        if (s.state === 'reconnecting') metrics.reconnects.inc({ exchange: this.session?.exchangeName ?? 'unknown' });
        if (s.fallback !== undefined) {
          // Entering or leaving the fallback is news even while data flows.
          this.fallback = s.fallback;
          if (s.fallback) metrics.reconnects.inc({ exchange: this.session?.exchangeName ?? 'unknown' });
          this.lastState = s.state;
          this.status.now(statusFor(s.fallback ? 'reconnecting' : s.state, s.text));
          return;
        }
        // "live"/"polling" only matter until data flows; the data status then says more.
        if ((s.state === 'live' || s.state === 'polling') && this.lastState === 'data') return;
        this.lastState = s.state;
        this.status.now(statusFor(s.state, s.text));
      },
      onFatal: (err) => {
        if (!this.closed) this.fail(err);
      },
    };
  }

  /** Reports an error in the status and to Catch nodes (node.error with a msg reaches them). */
  private fail(err: unknown): void {
    const message = this.safeMessage(err);
    this.lastState = 'error';
    this.status.now(statusFor('error', shorten(message)));
    void this.options.flowsStarted.then(() => {
      if (this.closed) return;
      this.options.node.error(message, { payload: { kind: 'error', message }, topic: 'error' } as NodeMessage);
    });
  }
}

/**
 * Input handler of the ticker and order-book nodes: a message asks for the current data of
 * msg.topic (or msg.payload.symbol), or of every configured symbol when it names none.
 * Bad input ends in done(err) naming the field, so a Catch node sees it.
 */
export function answerSnapshotRequests<T>(
  kit: Pick<NodeKit, 'onInput'>,
  runner: Pick<FeedRunner<{ symbol: string }>, 'source'>,
  configuredSymbols: () => string[],
  fetch: (source: MarketSource, symbol: string) => Promise<T>,
  follow?: (msg: { payload?: unknown }) => Promise<void>,
): void {
  // done(err) through the harness: the error's class kept (a bad msg.topic is a validation failure), its text redacted.
  kit.onInput(async (msg, send) => {
    if (follow && isSymbolListMessage(msg)) return follow(msg);
    const asked = symbolFromMessage(msg);
    const wanted = asked === undefined ? configuredSymbols() : [parseOrThrow(SymbolSchema, asked, 'msg.topic')];
    const source = await runner.source();
    // A node that could not start has reported why once (red status, one error): requests are dropped quietly.
    if (!source) return;
    for (const symbol of wanted) {
      await assertSymbolListed(source, symbol);
      send({ ...msg, topic: symbol, payload: await fetch(source, symbol) });
    }
  });
}
