/** Backtesting: replay history through a flow on a virtual clock (docs/backtest.md). */
export { replay, runBacktest, type ReplayEnv } from './run';
export { ReplaySource } from './replay-source';
export { BacktestExecutor } from './backtest-executor';
export type { BacktestOptions, BacktestReport, BacktestTrade, Deliver } from './types';
