/** What a feed tells the node that owns it; the node turns it into its editor status. */
export type FeedState = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'error' | 'stopped';

export interface FeedStatus {
  state: FeedState;
  /** Short text for the editor status, e.g. "BTC/USDT 64012.5" or "retry in 4s: 503". */
  text: string;
  /** true: polling in place of a websocket that failed (watch-loop.ts); false: the websocket is back. */
  fallback?: boolean;
}

export interface FeedListener<T> {
  onData(data: T, meta: FeedMeta): void;
  onStatus(status: FeedStatus): void;
  /** A failure that retrying cannot fix (unknown symbol, bad credentials); the feed has stopped. */
  onFatal(error: Error): void;
}

export interface FeedMeta {
  /** True for history sent at start to fill indicators; strategies should not trade on it. */
  warmup?: boolean;
  /** Candles missing before this one (the exchange had none); reported, never invented. */
  gap?: { from: number; to: number; missing: number };
}
