/**
 * Closed candles for one symbol and timeframe, each exactly once and in order.
 *
 * At start: a warm-up of the last N closed candles (marked warm-up). Then, whenever the
 * source shows a newer candle forming (websocket update, simulator step, or a poll timed to
 * the next close), the closed candles after the last one emitted are fetched over REST and
 * emitted. Because every emission is "what closed after lastTs", a websocket drop, a
 * reconnect or a burst of updates can neither duplicate nor lose a candle, and a candle the
 * exchange does not have is reported as a gap, never invented.
 */
import type { Candle, OhlcvRow } from '../contract';
import { timeframeToMs } from '../timeframe';
import { Sleeper } from '../util/backoff';
import type { FeedListener } from './feed-status';
import { assertSymbolListed, type MarketSource } from './market-source';
import { WatchLoop } from './watch-loop';

export interface CandleFeedOptions {
  symbol: string;
  timeframe: string;
  /** Closed history candles sent at start, marked warm-up. */
  warmup: number;
  pollIntervalMs: number;
  websocket?: boolean;
  /**
   * How long after a candle's end time it counts as closed when no newer candle has been seen:
   * exchange clocks and ours differ a little (0 on the simulator, whose clock is the source's).
   */
  closeGraceMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** A websocket silent this long is reopened; default 3 x the timeframe. */
  silentAfterMs?: number;
  /** A failing or silent websocket falls back to polling until it is back; default: the source's setting. */
  fallback?: boolean;
}

/** Largest page the catch-up asks for; Binance's maximum is 1000. */
const CATCH_UP_PAGE = 1000;
/** The meta of a candle that is neither warm-up nor after a gap (one object for all of them). */
const NO_META = Object.freeze({});

export function rowToCandle(exchange: string, symbol: string, timeframe: string, row: OhlcvRow): Candle {
  const [ts, open, high, low, close, volume] = row;
  return { kind: 'candle', exchange, symbol, timeframe, ts, open, high, low, close, volume: volume ?? 0 };
}

export class CandleFeed {
  private readonly tfMs: number;
  private lastTs: number | undefined;
  private loop: WatchLoop<OhlcvRow[]> | undefined;
  /** The last catch-up started, while catch-ups run (`catchUps` > 0). */
  private catchingUp: Promise<void> | undefined;
  private catchUps = 0;
  private stopped = false;
  private readonly sleeper = new Sleeper();

  constructor(
    private readonly source: MarketSource,
    private readonly options: CandleFeedOptions,
    private readonly listener: FeedListener<Candle>,
  ) {
    this.tfMs = timeframeToMs(options.timeframe);
  }

  async start(): Promise<void> {
    const { source, options, listener } = this;
    await assertSymbolListed(source, options.symbol);
    await this.warmUp();
    if (this.stopped) return;
    const useWatch = options.websocket !== false && source.capabilities.watchOHLCV;
    this.loop = new WatchLoop<OhlcvRow[]>({
      label: `${options.symbol} ${options.timeframe}`,
      useWatch,
      // fetch() below does its own waiting, timed to the next close.
      pollIntervalMs: 0,
      watch: () => source.watchOHLCV(options.symbol, options.timeframe),
      // Polling: sleep until the next candle should have closed, then catch up.
      fetch: async () => {
        await this.sleeper.sleep(this.msUntilNextClose());
        return [];
      },
      onData: (rows, via) => this.onUpdate(rows, via === 'watch'),
      onStatus: (status) => listener.onStatus(status),
      onFatal: (error) => listener.onFatal(error),
      onRecovering: () => this.catchUp(),
      backoff: options.backoff,
      silentAfterMs: options.silentAfterMs ?? 3 * this.tfMs,
      reopen: source.reopenStream ? () => source.reopenStream!(options.symbol) : undefined,
      fallback: options.fallback ?? source.websocketFallback !== false,
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.cancel();
    await this.loop?.stop();
    // A REST catch-up in flight ends on its own (it checks `stopped` before emitting).
    this.catchingUp?.catch(() => undefined);
  }

  private async warmUp(): Promise<void> {
    const { options } = this;
    const rows = await this.source.fetchOHLCV(options.symbol, options.timeframe, undefined, options.warmup + 2);
    const closed = this.closedRows(rows);
    const warm = options.warmup > 0 ? closed.slice(-options.warmup) : [];
    for (const row of warm) this.emit(row, { warmup: true });
    // With no warm-up wanted, still start after the last closed candle so the first live one is new.
    if (this.lastTs === undefined && closed.length) this.lastTs = closed[closed.length - 1]![0];
  }

  private onUpdate(rows: OhlcvRow[], fromWatch: boolean): Promise<void> {
    if (fromWatch) {
      // Only a candle opening after the one that follows lastTs proves something closed.
      const newest = rows.length ? rows[rows.length - 1]![0] : undefined;
      if (newest === undefined || (this.lastTs !== undefined && newest <= this.lastTs + this.tfMs)) {
        return Promise.resolve();
      }
    }
    return this.catchUp();
  }

  /**
   * Emits every closed candle after lastTs; serialised so two triggers cannot emit one candle twice.
   * With none running (the usual case) it starts at once, with no promise chained in front. One
   * that failed does not stop the next: its caller got the error, the next one tries again.
   */
  private catchUp(): Promise<void> {
    const before = this.catchUps > 0 ? this.catchingUp : undefined;
    this.catchUps++;
    this.catchingUp = this.fetchClosedSinceLast(before);
    return this.catchingUp;
  }

  private async fetchClosedSinceLast(before: Promise<void> | undefined): Promise<void> {
    try {
      // The catch-up before this one failing leaves its candles missing: this one fetches them again.
      if (before) await before.catch(() => undefined);
      const { options } = this;
      for (;;) {
        if (this.stopped) return;
        const since = this.lastTs === undefined ? undefined : this.lastTs + this.tfMs;
        const rows = await this.source.fetchOHLCV(options.symbol, options.timeframe, since, CATCH_UP_PAGE);
        const closed = this.closedRows(rows);
        let fresh = 0;
        for (const row of closed) {
          if (this.lastTs !== undefined && row[0] <= this.lastTs) continue;
          fresh++;
          if (this.stopped) return;
          const gap =
            this.lastTs !== undefined && row[0] > this.lastTs + this.tfMs
              ? { from: this.lastTs + this.tfMs, to: row[0] - this.tfMs, missing: (row[0] - this.lastTs) / this.tfMs - 1 }
              : undefined;
          this.emit(row, gap ? { gap } : NO_META);
        }
        // A full page means there may be more after it (a long outage).
        if (rows.length < CATCH_UP_PAGE || fresh === 0) return;
      }
    } finally {
      this.catchUps--;
    }
  }

  /** Rows that are closed: followed by a newer row, or past their end time plus the grace. */
  private closedRows(rows: OhlcvRow[]): OhlcvRow[] {
    // Sources answer in time order: a sorted copy only when they did not (this runs once per candle).
    let sorted = rows;
    for (let i = 1; i < rows.length; i++) {
      if (rows[i]![0] < rows[i - 1]![0]) {
        sorted = [...rows].sort((a, b) => a[0] - b[0]);
        break;
      }
    }
    const last = sorted[sorted.length - 1];
    if (!last || last[0] + this.tfMs + (this.options.closeGraceMs ?? 0) <= this.source.now()) return sorted;
    return sorted.slice(0, -1);
  }

  private msUntilNextClose(): number {
    const now = this.source.now();
    const nextClose = (this.lastTs ?? now - this.tfMs) + 2 * this.tfMs + (this.options.closeGraceMs ?? 0);
    const interval = Math.max(this.options.pollIntervalMs, this.source.minPollIntervalMs(1));
    return Math.max(interval, Math.min(nextClose - now, this.tfMs));
  }

  private emit(row: OhlcvRow, meta: { warmup?: boolean; gap?: { from: number; to: number; missing: number } }): void {
    if (this.lastTs !== undefined && row[0] <= this.lastTs) return;
    this.lastTs = row[0];
    this.listener.onData(rowToCandle(this.source.exchangeId, this.options.symbol, this.options.timeframe, row), meta);
  }
}
