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
import { splitSymbol } from '../market/symbol';
import { BacktestExecutor } from './backtest-executor';
import { EquityStats } from './equity-stats';
import { nextLevels, PricePath, type PathStep } from './price-path';
import { exitReasonOf } from '../journal/exit-reason';
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

/**
 * Lets the account's listeners run (they run once the state write finished). Costs an event-loop
 * turn, so it is skipped while the account is quiet (nothing pending can run).
 */
async function settle(account: TradingAccount): Promise<void> {
  if (account.quiet) return;
  await account.flush();
  await new Promise((r) => setImmediate(r));
}

/**
 * The fast path's settle: no flow answers the account's updates there (the compiled nodes have
 * finished when deliver returns, and what the deployed nodes send on never comes back), so the
 * account's own work is all there is to wait for: its state writes and the listeners that run
 * after them, which may set off more of the same (a stop's close, its fill). Costs no turn of
 * the event loop; undefined when there is nothing to wait for.
 */
export function settleAccount(account: Pick<TradingAccount, 'settled' | 'flush'>): Promise<void> | undefined {
  if (account.settled) return undefined;
  return (async () => {
    while (!account.settled) await account.flush();
  })();
}

export interface ReplayEnv {
  exchange: string;
  currency: string;
  account: TradingAccount;
  executor: BacktestExecutor;
  /** Moves the virtual clock (the account's and the executor's `now`). */
  setNow: (ts: number) => void;
  /**
   * Whether a flow hears the account's updates and may answer them (the Node-RED path; the
   * default): after each step with account work pending the flow gets a turn of the event loop.
   * False on the fast path: only the account's own work is waited for (settleAccount).
   */
  flowListens?: boolean;
}

/** Runs a backtest with its own simulated account, exchange id "backtest", equity in the first symbol's quote currency (the core's way in; the exchange node has its own). */
export async function runBacktest(o: BacktestOptions, deliver: Deliver): Promise<BacktestReport> {
  const exchange = 'backtest';
  const symbols = Object.keys(o.series);
  if (!symbols.length) throw new Error('backtest: no candle series');
  let now = 0;
  const account = new TradingAccount({
    exchangeId: exchange,
    mode: 'backtest',
    store: new MemoryStore(),
    storeKey: 'backtest',
    now: () => now,
    initialBalances: o.balances,
    market: (symbol) => (o.series[symbol] ? { symbol, ...splitSymbol(symbol), amountStep: o.amountStep ?? 1e-8, active: true } : undefined),
  });
  const executor = new BacktestExecutor({ exchangeId: exchange, portfolio: account.portfolio, feeRate: o.feeRate, slippage: o.slippage, now: () => now });
  await account.init(executor);
  const env: ReplayEnv = { exchange, currency: splitSymbol(symbols[0]!).quote, account, executor, setNow: (ts) => (now = ts) };
  try {
    return await replay(o, env, deliver, true);
  } finally {
    await account.close();
  }
}

/**
 * The replay itself. `deliverWarmup`: hand the warm-up candles to `deliver` (the core path); the
 * exchange node's candles nodes fetch them themselves at deploy.
 *
 * Bounded memory: the rows are read where they are (a cursor per series, no copies, no index of
 * the whole history), and the equity is kept as running statistics and a downsampled curve.
 */
export async function replay(o: Pick<BacktestOptions, 'timeframe' | 'series' | 'warmup'>, env: ReplayEnv, deliver: Deliver, deliverWarmup: boolean): Promise<BacktestReport> {
  const { account, executor, exchange, currency } = env;
  const flowListens = env.flowListens !== false;
  const tfMs = timeframeToMs(o.timeframe);
  const symbols = Object.keys(o.series);
  const series = symbols.map((s) => o.series[s]!);
  let now = 0;
  const setNow = (ts: number) => {
    now = ts;
    env.setNow(ts);
  };
  const trades: BacktestTrade[] = [];
  const collect = (u: OrderUpdate) => {
    if (u.status !== 'open' && u.filled > 0 && u.average !== null) {
      // The updates of stop closes and force exits carry their reason (account.ts): the exit reason of a sell.
      const trade: BacktestTrade = { clientOrderId: u.clientOrderId, symbol: u.symbol, side: u.side, ts: u.ts, price: u.average, amount: u.filled, fee: u.fee.cost };
      if (u.side === 'sell') trade.exitReason = exitReasonOf(u);
      trades.push(trade);
    }
  };
  account.observers.add(collect);

  if (deliverWarmup) {
    // Warm-up: history the flow learns from, nothing trades.
    for (let k = 0; k < symbols.length; k++) {
      const rows = series[k]!;
      for (let i = 0; i < Math.min(o.warmup, rows.length); i++) {
        setNow(rows[i]![0] + tfMs);
        await deliver(toCandle(exchange, symbols[k]!, o.timeframe, rows[i]!), true, { account, now });
      }
    }
  }

  // The run: candle times in order, all symbols with a candle at that time together (in the order
  // the series were given). One cursor per series: the next row not replayed yet.
  const cursor = series.map((rows) => Math.min(o.warmup, rows.length));
  /**
   * Indexes (into symbols) of the series with a row at the current time: the first `atCount`
   * (the array keeps its slots from candle to candle).
   */
  const at: number[] = [];
  let atCount = 0;
  // The first open and last close per series (by index into symbols: no map lookup per candle);
  // firstOpen keeps the order the symbols first traded in, for the buy-and-hold returns.
  const firstOpen = new Map<string, number>();
  const opened: boolean[] = symbols.map(() => false);
  const lastClose: Array<number | undefined> = symbols.map(() => undefined);
  let equity: EquityStats | undefined;
  let exposed = 0;
  let candles = 0;
  let start: number | undefined;

  for (;;) {
    let t = Infinity;
    for (let k = 0; k < series.length; k++) {
      const row = series[k]![cursor[k]!];
      if (row && row[0] < t) t = row[0];
    }
    if (t === Infinity) break;
    atCount = 0;
    for (let k = 0; k < series.length; k++) if (series[k]![cursor[k]!]?.[0] === t) at[atCount++] = k;
    candles++;
    start ??= t;
    // 1. The price paths: fills at the open, then stops and limits along open, low, high, close.
    setNow(t);
    for (let a = 0; a < atCount; a++) {
      const k = at[a]!;
      const symbol = symbols[k]!;
      const row = series[k]![cursor[k]!]!;
      if (!opened[k]) {
        opened[k] = true;
        firstOpen.set(symbol, row[1]);
      }
      if (equity === undefined && at.slice(0, atCount).every((j) => firstOpen.has(symbols[j]!))) {
        for (let b = 0; b < atCount; b++) {
          const j = at[b]!;
          account.portfolio.mark(symbols[j]!, series[j]![cursor[j]!]![1]);
        }
        equity = new EquityStats(account.portfolio.equity(currency).equity, t);
      }
      // With no order open and no stop armed, nothing on the path can fill or fire: the close
      // marks the price before anyone looks.
      if (account.quiet) continue;
      // The path is walked point by point and its next point chosen only after the fills and
      // stops of the one before: a buy that fills on the path (at the open, or at its limit)
      // arms stops that the rest of this same candle meets at their levels.
      const path = new PricePath(row);
      for (let point: PathStep | undefined = path.first(); point; point = path.next(nextLevels(account.stops.get(symbol), executor, symbol))) {
        executor.pathPoint({ symbol, ts: t, price: point.price, open: point.open });
        account.onPrice({ kind: 'ticker', exchange, symbol, ts: t, bid: null, ask: null, last: point.price });
        if (flowListens) await settle(account);
        else if (!account.settled) await settleAccount(account);
        // A price past several ladder rungs (a gap at the open) fires one rung per check: the
        // others fire at the same point, each once its predecessor's sell has filled.
        for (let guard = 0; guard < 16 && account.stops.rungReached(symbol, point.price); guard++) {
          account.onPrice({ kind: 'ticker', exchange, symbol, ts: t, bid: null, ask: null, last: point.price });
          if (flowListens) await settle(account);
          else if (!account.settled) await settleAccount(account);
        }
        // On the fast path nothing but the account can place an order within a candle: once its
        // orders have filled and no stop is armed (a market order filled at the open), the rest of
        // the path can fill or fire nothing, as on a quiet candle, and the close marks the price.
        if (!flowListens && account.quiet) break;
      }
      executor.endPath(symbol);
    }
    // 2. The close: each candle goes to the flow.
    setNow(t + tfMs);
    for (let a = 0; a < atCount; a++) {
      const k = at[a]!;
      const symbol = symbols[k]!;
      const row = series[k]![cursor[k]!]!;
      cursor[k]!++;
      account.portfolio.mark(symbol, row[4]);
      lastClose[k] = row[4];
      if (flowListens) {
        await deliver(toCandle(exchange, symbol, o.timeframe, row), false, { account, now });
        await settle(account);
      } else {
        // The fast path: no promise for a candle that sets off nothing to wait for (most of them).
        const delivering = deliver(toCandle(exchange, symbol, o.timeframe, row), false, { account, now });
        if (delivering) await delivering;
        const settling = settleAccount(account);
        if (settling) await settling;
      }
    }
    // 3. The equity at the close.
    equity!.add(now, account.portfolio.equityValue(currency));
    if (account.portfolio.hasOpenPositions()) exposed++;
  }
  await settle(account);
  account.observers.delete(collect);
  return buildReport({
    trades,
    equity: equity ?? new EquityStats(account.portfolio.equity(currency).equity, 0),
    exposedCandles: exposed,
    candles,
    start: start ?? 0,
    end: now,
    tfMs,
    buyAndHold: [...firstOpen].map(([s, open]) => (lastClose[symbols.indexOf(s)] ?? open) / open - 1),
  });
}
