/**
 * A real exchange (CcxtSource) with market data shared through Redis by every Node-RED
 * instance on it. The simulator needs none of this.
 *
 * - Markets: loaded from the exchange once per hour for all instances (see
 *   redis/cache/markets-cache.ts), handed to ccxt itself so no ccxt method reloads them.
 * - Candles: closed candles are stored in Redis; warm-ups and catch-ups are answered from it when
 *   it holds every closed candle asked for (see redis/cache/candle-cache.ts). Answered from Redis,
 *   a request gets closed candles only (the MarketSource contract: the forming one is included
 *   only when the exchange returns it).
 * - Rate limit: every REST request of the ccxt instance first waits for the exchange account's
 *   budget shared through Redis (see redis/rate-budget.ts), then for ccxt's own limiter.
 * - Everything else (tickers, books, websockets) passes through.
 *
 * Redis is optional here: while it is unavailable every call goes to the exchange exactly as
 * without the cache, `onStatus` is told once, and nothing fails because of Redis.
 */
import { fetchPairTickers } from './pair-tickers';
import type { PairTicker } from './pairlist';
import type { OhlcvRow, OrderBook, Ticker } from '../contract';
import { CandleCache, closedRows, isCacheableTimeframe, wantedRange } from '../redis/cache/candle-cache';
import { shareMarkets } from '../redis/cache/markets-cache';
import { RedisGuard, type RedisGuardEvent } from '../redis/cache/redis-guard';
import type { RedisClient } from '../redis/connection';
import { apiKeyFingerprint, RateBudget, shareRateBudget } from '../redis/rate-budget';
import { timeframeToMs } from '../timeframe';
import type { CcxtExchange } from './ccxt-loader';
import type { CcxtSource } from './ccxt-source';
import { SourceClosedError, type MarketInfo, type MarketSource, type SourceCapabilities } from './market-source';

export interface CachedSourceOptions {
  /** The hub's shared fail-fast command connection (RedisHub.client()). */
  redis: RedisClient;
  /** Key namespace within the connection's key prefix (default "cache:"). */
  namespace?: string;
  /** Exchange id in key names (default: the inner source's). */
  exchangeId?: string;
  /** Told once when Redis becomes unavailable (cache and shared budget off) and once when it is back. */
  onStatus?: (text: string, event: RedisGuardEvent) => void;
  /** A candle is closed (cacheable) this long after its end (default 5 s). */
  closeGraceMs?: number;
  /** Candles kept per exchange + symbol + timeframe (default 5000). */
  maxCandles?: number;
  /** Markets cache: TTL (default 1 h), lock TTL (30 s), how long others wait for the lock holder (10 s). */
  markets?: { ttlMs?: number; lockMs?: number; waitMs?: number };
  /**
   * The shared rate budget (default on): its rate (default the exchange's ccxt `rateLimit`, ms per
   * unit of request cost), burst (default 1 unit). `false` turns it off.
   */
  rateBudget?: false | { rateLimitMs?: number; capacity?: number };
  /** The source's clock (default the inner source's); tests pin it. */
  clock?: () => number;
  /** A Redis command taking longer than this counts as Redis unavailable (default 1500 ms). */
  redisTimeoutMs?: number;
}

export class CachedSource implements MarketSource {
  readonly exchangeId: string;
  /** For tests and health: how the last fetchOHLCV calls were answered. */
  readonly stats = { candleHits: 0, candleMisses: 0 };
  private readonly guard: RedisGuard;
  private readonly candles: CandleCache;
  private readonly scope: string;
  private readonly graceMs: number;
  private readonly budget: RateBudget | undefined;
  private readonly undo: Array<() => void> = [];
  private closed = false;

  constructor(
    /** The exchange itself; also what the live executor trades through (see `ccxt`). */
    readonly inner: CcxtSource,
    private readonly options: CachedSourceOptions,
  ) {
    this.exchangeId = inner.exchangeId;
    const ex = inner.ccxt;
    const namespace = options.namespace ?? 'cache:';
    const sandbox = ex.isSandboxModeEnabled === true;
    this.scope = (options.exchangeId ?? inner.exchangeId) + (sandbox ? ':sandbox' : '');
    this.graceMs = options.closeGraceMs ?? 5_000;
    this.candles = new CandleCache(namespace, options.maxCandles ?? 5000);
    this.guard = new RedisGuard(options.redis, {
      opTimeoutMs: options.redisTimeoutMs,
      onStatus: (event) => options.onStatus?.(describe(event), event),
    });
    // With a key ccxt also loads the account's currency details (Binance's include its balances):
    // one copy per account (by key fingerprint), one for every instance without a key.
    const apiKey = typeof ex.apiKey === 'string' && ex.apiKey ? ex.apiKey : undefined;
    this.undo.push(shareMarkets(ex, this.guard, { namespace, scope: `${this.scope}:${apiKeyFingerprint(apiKey)}`, ...options.markets }));
    if (options.rateBudget !== false) {
      this.budget = new RateBudget(this.guard, {
        exchangeId: options.exchangeId ?? inner.exchangeId,
        apiKey,
        sandbox,
        rateLimitMs: options.rateBudget?.rateLimitMs ?? (Number(ex.rateLimit) || 1000),
        capacity: options.rateBudget?.capacity,
      });
      this.undo.push(shareRateBudget(ex, this.budget));
    }
  }

  /** The ccxt instance, for the live executor (as CcxtSource.ccxt): its requests share the budget too. */
  get ccxt(): CcxtExchange {
    return this.inner.ccxt;
  }

  get capabilities(): SourceCapabilities {
    return this.inner.capabilities;
  }

  get websocketFallback(): boolean {
    return this.inner.websocketFallback;
  }

  get websocketAllowed(): boolean {
    return this.inner.websocketAllowed;
  }

  /** The Redis key of the shared rate budget (tests, diagnostics). */
  get rateBudgetKey(): string | undefined {
    return this.budget?.key;
  }

  loadMarkets(): Promise<Map<string, MarketInfo>> {
    return this.inner.loadMarkets();
  }

  get reloadMarkets(): (() => Promise<Map<string, MarketInfo>>) | undefined {
    const inner = this.inner;
    return inner.reloadMarkets ? () => inner.reloadMarkets!() : undefined;
  }

  now(): number {
    return this.options.clock ? this.options.clock() : this.inner.now();
  }

  minPollIntervalMs(requestsPerRound: number): number {
    return this.inner.minPollIntervalMs(requestsPerRound);
  }

  fetchTicker(symbol: string): Promise<Ticker> {
    return this.inner.fetchTicker(symbol);
  }

  /** Not cached: a ranking wants the tickers of now. */
  fetchTickers(): Promise<PairTicker[]> {
    return fetchPairTickers(this.inner);
  }

  watchTicker(symbol: string): Promise<Ticker> {
    return this.inner.watchTicker(symbol);
  }

  fetchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    return this.inner.fetchOrderBook(symbol, depth);
  }

  watchOrderBook(symbol: string, depth: number): Promise<OrderBook> {
    return this.inner.watchOrderBook(symbol, depth);
  }

  watchOHLCV(symbol: string, timeframe: string): Promise<OhlcvRow[]> {
    return this.inner.watchOHLCV(symbol, timeframe);
  }

  reopenStream(symbol: string): Promise<void> {
    return this.inner.reopenStream?.(symbol) ?? Promise.resolve();
  }

  async fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<OhlcvRow[]> {
    if (this.closed) throw new SourceClosedError(this.exchangeId);
    const tfMs = timeframeToMs(timeframe);
    if (!isCacheableTimeframe(tfMs)) return this.inner.fetchOHLCV(symbol, timeframe, since, limit);
    const key = this.candles.key(this.scope, symbol, timeframe);
    const range = wantedRange(tfMs, since, limit, this.now(), this.graceMs, this.candles.limit);
    if (range) {
      const cached = await this.guard.attempt((redis) => this.candles.read(redis, key, range, tfMs));
      if (cached.ok && cached.value) {
        this.stats.candleHits++;
        return cached.value;
      }
    }
    this.stats.candleMisses++;
    const rows = await this.inner.fetchOHLCV(symbol, timeframe, since, limit);
    // Stored before returning, so the next instance's warm-up finds them; a failure only costs the cache.
    const closed = closedRows(rows, tfMs, this.now(), this.graceMs);
    if (closed.length) await this.guard.attempt((redis) => this.candles.write(redis, key, closed, tfMs));
    return rows;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.budget?.close();
    for (const undo of this.undo.splice(0)) undo();
    await this.inner.close();
  }
}

function describe(event: RedisGuardEvent): string {
  return event.state === 'unavailable'
    ? `Redis unavailable (${event.detail}): market-data cache and shared rate budget off, using the exchange directly`
    : 'Redis back: market-data cache and shared rate budget on';
}
