/**
 * Runs a backtest (docs/backtest.md): replays closed candles in time order through `deliver`
 * ("the flow"), one at a time, running each candle's price path through the simulated exchange
 * and the stops first. Deterministic: time is the data's, ids are counters, nothing reads the
 * wall clock.
 */
import type { Candle, OhlcvRow, OrderUpdate } from '../contract';
import { MemoryStore } from '../state-store';
import { timeframeToMs } from '../timeframe';
import { TradingAccount } from '../trading/account';
import { splitSymbol } from '../trading/portfolio';
import { BacktestExecutor } from './backtest-executor';
import { buildReport } from './report';
import type { BacktestOptions, BacktestReport, BacktestTrade, Deliver } from './types';

const toCandle = (exchange: string, symbol: string, timeframe: string, r: OhlcvRow): Candle => ({
  kind: 'candle',
  exchange,
  symbol,
  timeframe,
  ts: r[0],
  open: r[1],
  high: r[2],
  low: r[3],
  close: r[4],
  volume: r[5] ?? 0,
});

/** Lets the account's listeners run (they run once the state write finished). */
async function settle(account: TradingAccount): Promise<void> {
  await account.flush();
  await new Promise((r) => setImmediate(r));
}

export interface ReplayEnv {
  exchange: string;
  currency: string;
  account: TradingAccount;
  executor: BacktestExecutor;
  /** Moves the virtual clock (the account's and the executor's `now`). */
  setNow: (ts: number) => void;
}

/** Runs a backtest with its own simulated account (the core's way in; the exchange node has its own). */
export async function runBacktest(o: BacktestOptions, deliver: Deliver): Promise<BacktestReport> {
  const exchange = o.exchangeId ?? 'backtest';
  const symbols = Object.keys(o.series);
  if (!symbols.length) throw new Error('backtest: no candle series');
  let now = 0;
  const account = new TradingAccount({ exchangeId: exchange, mode: 'backtest', store: new MemoryStore(), storeKey: 'backtest', now: () => now, initialBalances: o.balances });
  const executor = new BacktestExecutor({ exchangeId: exchange, portfolio: account.portfolio, feeRate: o.feeRate, slippage: o.slippage, now: () => now });
  await account.init(executor);
  const env: ReplayEnv = { exchange, currency: o.currency ?? splitSymbol(symbols[0]!).quote, account, executor, setNow: (ts) => (now = ts) };
  try {
    return await replay(o, env, deliver, true);
  } finally {
    await account.close();
  }
}

/**
 * The replay itself. `deliverWarmup`: hand the warm-up candles to `deliver` (the core path); the
 * exchange node's candles nodes fetch them themselves at deploy.
 */
export async function replay(o: Pick<BacktestOptions, 'timeframe' | 'series' | 'warmup'>, env: ReplayEnv, deliver: Deliver, deliverWarmup: boolean): Promise<BacktestReport> {
  const { account, executor, exchange, currency } = env;
  const tfMs = timeframeToMs(o.timeframe);
  const symbols = Object.keys(o.series);
  let now = 0;
  const setNow = (ts: number) => {
    now = ts;
    env.setNow(ts);
  };
  const trades: BacktestTrade[] = [];
  const collect = (u: OrderUpdate) => {
    if (u.status !== 'open' && u.filled > 0 && u.average !== null) {
      trades.push({ clientOrderId: u.clientOrderId, symbol: u.symbol, side: u.side, ts: u.ts, price: u.average, amount: u.filled, fee: u.fee.cost });
    }
  };
  account.observers.add(collect);

  if (deliverWarmup) {
    // Warm-up: history the flow learns from, nothing trades.
    for (const symbol of symbols) {
      for (const row of o.series[symbol]!.slice(0, o.warmup)) {
        setNow(row[0] + tfMs);
        await deliver(toCandle(exchange, symbol, o.timeframe, row), true, { account, now });
      }
    }
  }

  // The run: candle times in order, all symbols with a candle at that time together.
  const times = [...new Set(symbols.flatMap((s) => o.series[s]!.slice(o.warmup).map((r) => r[0])))].sort((a, b) => a - b);
  const bySymbol = new Map(symbols.map((s) => [s, new Map(o.series[s]!.slice(o.warmup).map((r) => [r[0], r] as const))]));
  const firstOpen = new Map<string, number>();
  const lastClose = new Map<string, number>();
  const equity: Array<[number, number]> = [];
  let exposed = 0;
  let startEquity: number | undefined;

  for (const t of times) {
    const rows = symbols.map((s) => [s, bySymbol.get(s)!.get(t)] as const).filter((x): x is readonly [string, OhlcvRow] => x[1] !== undefined);
    // 1. The price paths: fills at the open, then stops and limits along open, low, high, close.
    setNow(t);
    for (const [symbol, row] of rows) {
      if (!firstOpen.has(symbol)) firstOpen.set(symbol, row[1]);
      if (startEquity === undefined && rows.every(([s]) => firstOpen.has(s))) {
        for (const [s, r] of rows) account.portfolio.mark(s, r[1]);
        startEquity = account.portfolio.equity(currency).equity;
      }
      for (const point of pricePath(row, account.stops.get(symbol))) {
        executor.pathPoint({ symbol, ts: t, price: point.price, open: point.open });
        account.onPrice({ kind: 'ticker', exchange, symbol, ts: t, bid: null, ask: null, last: point.price });
        await settle(account);
      }
      executor.endPath(symbol);
    }
    // 2. The close: each candle goes to the flow.
    setNow(t + tfMs);
    for (const [symbol, row] of rows) {
      account.portfolio.mark(symbol, row[4]);
      lastClose.set(symbol, row[4]);
      await deliver(toCandle(exchange, symbol, o.timeframe, row), false, { account, now });
      await settle(account);
    }
    // 3. The equity at the close.
    equity.push([now, account.portfolio.equity(currency).equity]);
    if (account.portfolio.openPositions().length) exposed++;
  }
  await settle(account);
  account.observers.delete(collect);
  return buildReport({
    trades,
    equity,
    exposedCandles: exposed,
    candles: times.length,
    start: times[0] ?? 0,
    end: now,
    startEquity: startEquity ?? account.portfolio.equity(currency).equity,
    tfMs,
    buyAndHold: [...firstOpen].map(([s, open]) => (lastClose.get(s) ?? open) / open - 1),
  });
}

/**
 * A candle's price path for fills and stops: open, low, high, close, with the stop levels the
 * path crosses inserted where it crosses them (so a stop fills at its level, not at the extreme).
 */
function pricePath(row: OhlcvRow, stops: { stopLoss?: number; takeProfit?: number; trailingStop?: number; highWater: number } | undefined): Array<{ price: number; open: boolean }> {
  const [, open, high, low, close] = row;
  const points: Array<{ price: number; open: boolean }> = [{ price: open, open: true }];
  const down = (from: number, to: number, levels: Array<number | undefined>) => {
    for (const level of levels.filter((l): l is number => l !== undefined && l < from && l >= to).sort((a, b) => b - a)) points.push({ price: level, open: false });
    points.push({ price: to, open: false });
  };
  const up = (from: number, to: number, levels: Array<number | undefined>) => {
    for (const level of levels.filter((l): l is number => l !== undefined && l > from && l <= to).sort((a, b) => a - b)) points.push({ price: level, open: false });
    points.push({ price: to, open: false });
  };
  const trail = (water: number) => (stops?.trailingStop !== undefined ? Math.max(water, stops.highWater) * (1 - stops.trailingStop) : undefined);
  down(open, low, [stops?.stopLoss, trail(open)]);
  up(low, high, [stops?.takeProfit]);
  down(high, close, [stops?.stopLoss, trail(high)]);
  return points;
}
