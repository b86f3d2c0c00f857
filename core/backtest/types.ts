/** The backtest's inputs and outputs (docs/backtest.md describes the replay and fill model). */
import type { Candle, OhlcvRow } from '../contract';
import type { TradingAccount } from '../trading/account';
import type { DataChecks } from './data-file';
import type { ExitReason } from '../journal/types';

export interface BacktestOptions {
  timeframe: string;
  /** Closed candles per symbol, ascending by open time. */
  series: Record<string, OhlcvRow[]>;
  /** Candles per series handed over as warm-up before the run. */
  warmup: number;
  /** Starting balances of the simulated account. */
  balances: Record<string, number>;
  /** Fee per fill, fraction of its value. */
  feeRate: number;
  /** Adverse price move per fill, fraction. */
  slippage: number;
  /** Market precision: the amount step (default 1e-8; no price tick). */
  amountStep?: number;
}

/**
 * Hands one closed candle to "the flow" and resolves when the flow has finished with it; may
 * return nothing when the flow finished before it returned (the fast path, most candles).
 */
export type Deliver = (candle: Candle, warmup: boolean, ctx: { account: TradingAccount; now: number }) => Promise<void> | void;

export interface BacktestTrade {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  /** Fill time (the open time of the candle it filled on). */
  ts: number;
  price: number;
  amount: number;
  fee: number;
  /**
   * A sell's realized P&L, quote currency: what it got, net of its fee, less the average cost
   * (buy fees included) of the part it sold. Each partial sell is its own closed trade.
   */
  pnl?: number;
  /** The sell's P&L in percent of the average cost (buy fees included) of the part it sold. */
  pnlPct?: number;
  /** Why a sell closed (part of) the position (core/journal/exit-reason.ts): signal, stop-loss, take-profit, trailing-stop, force-exit, breaker. */
  exitReason?: ExitReason;
}

export interface BacktestReport {
  start: number;
  end: number;
  candles: number;
  startEquity: number;
  endEquity: number;
  totalReturn: number;
  annualizedReturn: number;
  buyAndHold: number;
  maxDrawdown: number;
  maxDrawdownDurationMs: number;
  sharpe: number;
  sortino: number;
  trades: BacktestTrade[];
  roundTrips: number;
  winRate: number;
  profitFactor: number;
  averageTrade: number;
  exposure: number;
  fees: number;
  /**
   * The equity curve [close time, equity]: the equity at every `equityStep`-th close, plus the last
   * close. `equityStep` is 1 (every close) up to 10,000 candles; longer runs keep 5,000-10,000 points.
   */
  equity: Array<[number, number]>;
  equityStep: number;
  /** Per history file: rows kept, and the rows the data checks dropped or changed (files source only). */
  dataChecks?: DataChecks[];
}
