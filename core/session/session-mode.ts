/**
 * What differs between the four modes of an exchange session, as one interface: where market data
 * comes from, which executor fills the account's orders, how the session is named. The session
 * (exchange-session.ts) holds everything the modes share (the account's lifecycle, its prices, the
 * journal, events, health) and asks its mode for the rest, so no part of it checks the mode by name.
 * One implementation per mode: sim-mode.ts, paper-mode.ts, live-mode.ts, backtest-mode.ts.
 */
import type { Mode } from '../contract';
import type { ExchangeSettings } from '../exchange-settings';
import type { Logger } from '../logger';
import type { MarketSource } from '../market/market-source';
import type { RedisHub } from '../redis/redis-hub';
import type { StateStore } from '../state-store';
import type { TradingAccount } from '../trading/account';
import type { TradingStatus } from '../trading/executor';
import type { SessionEvent } from './session-types';

/** What a mode may use of the session that runs it. */
export interface ModeHost {
  /** The config node's id: keys persisted state. */
  readonly id: string;
  readonly settings: ExchangeSettings;
  /** Where failures the session handles by itself are written (credentials already redacted). */
  readonly log: Logger;
  /** Where the account's state persists (set by the exchange node before the first use). */
  readonly stateStore: StateStore;
  /** Whether the session was closed (work started before must not start more). */
  readonly closed: boolean;
  /** Where relative backtest data paths start (the Node-RED user dir). */
  readonly dataDir: string;
  /** The Redis that caches market data for every instance, when the exchange node has one. */
  readonly redis: { hub: RedisHub; onStatus?: (text: string) => void } | undefined;
  /** Runs `task` when the session closes, before the source closes. */
  onClose(task: () => Promise<void>): void;
  /** Hands trading trouble and recovery to the place-order nodes' statuses. */
  tradingStatus(status: TradingStatus): void;
  /** Sends a drift or lifecycle event to the flow and the journal. */
  emitEvent(event: SessionEvent): void;
}

export interface SessionMode {
  readonly mode: Mode;
  /** The exchange id payloads carry: "sim", "backtest", or the ccxt id. */
  readonly exchangeName: string;
  /** Short name for statuses: "sim", "backtest" or "binance (paper)". */
  readonly label: string;
  /** How long after its end a candle counts as closed when no newer one was seen (clock skew of a real exchange). */
  readonly candleCloseGraceMs: number;
  /**
   * True for a backtest: the replay moves the account's prices along each candle and the run is
   * one report, so there are no price feeds, no equity timer and no start and stop events.
   */
  readonly replayed: boolean;
  /** The balances a simulated account starts from; undefined: the exchange's (live). */
  readonly initialBalances: Record<string, number> | undefined;
  /** Whether stop-losses rest at the exchange where it can hold them (live). */
  readonly exchangeStops: boolean;
  /** What the start event adds after "account ready". */
  readonly readyNote: string;

  /** The store the session starts with, before the exchange node sets one (a backtest's lives in memory). */
  initialStateStore?(): StateStore;
  /** The store the account persists in; undefined: the session's state store. */
  accountStore?(): StateStore;
  /** Creates the market source: the simulator, the exchange through ccxt, or the replayed history. */
  createSource(host: ModeHost): Promise<MarketSource>;
  /** Gives the account this mode's executor (and, live, reconciles it with the exchange first). */
  startAccount(account: TradingAccount, source: MarketSource, host: ModeHost): Promise<void>;
  /** Hears the trading statuses (live: the exchange back means reconciling now). */
  onTradingStatus?(status: TradingStatus): void;
  /** Stops what the mode runs by itself (live: the reconciler), before the account closes. */
  close?(): Promise<void>;
}
