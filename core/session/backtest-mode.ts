/**
 * backtest: a history replayed through the flow (or its compiled fast path), with simulated fills
 * on an account that starts from its balances on every run. The history comes from files, from
 * the exchange (downloaded once, cached on disk), or from an optimisation that loaded it already.
 */
import path from 'node:path';
import { BacktestExecutor, ReplaySource, replay, type BacktestReport } from '../backtest';
import { loadSeries, parseDataList, type DataChecks } from '../backtest/data-file';
import { downloadHistory } from '../backtest/history-download';
import type { Deliver } from '../backtest/types';
import type { Candle, OhlcvRow } from '../contract';
import { parseBalances } from '../exchange-settings';
import type { Journal } from '../journal/journal';
import { errorText } from '../logger';
import { CcxtSource } from '../market/ccxt-source';
import type { MarketSource } from '../market/market-source';
import { DiscardingStore, SnapshotStore, type StateStore } from '../state-store';
import type { TradingAccount } from '../trading/account';
import type { BacktestSettings } from './mode-settings';
import type { ModeHost, SessionMode } from './session-mode';

/**
 * The backtest's fast path as a run sees it (core/backtest/compiled/compiled-flow.ts): warmed up
 * like the candles nodes at deploy, then handed each candle. An interface, so the session does not
 * import the compiled flow (which uses the session).
 */
export interface FastFlow {
  warmUp(exchange: string, timeframe: string, history: (symbol: string) => readonly OhlcvRow[]): Promise<void>;
  /** The promise of the work the candle set off, undefined when it set off none to wait for. */
  deliverNow(candle: Candle): Promise<void> | undefined;
}

/** What a run needs of the session besides the mode. */
export interface BacktestRunHost extends ModeHost {
  source(): Promise<MarketSource>;
  account(): Promise<TradingAccount>;
  readonly journal: Journal | undefined;
  /** Feeds the journal from the account (fills, order updates). */
  attachJournal(account: TradingAccount, source: MarketSource): void;
}

export class BacktestMode implements SessionMode {
  readonly mode = 'backtest';
  readonly exchangeName = 'backtest';
  readonly label = 'backtest';
  readonly candleCloseGraceMs = 0;
  readonly replayed = true;
  readonly exchangeStops = false;
  readonly readyNote = '';
  readonly initialBalances: Record<string, number>;
  /** What the checks of each history file found (files source; empty otherwise). */
  readonly dataChecks: DataChecks[] = [];
  /** Requests the history download sent (0 when the disk cache had it all). */
  historyRequests = 0;
  private givenSeries: Record<string, OhlcvRow[]> | undefined;
  private ran = false;

  constructor(private readonly s: BacktestSettings) {
    this.initialBalances = parseBalances(s.simBalances);
  }

  /** A backtest's risk state lives for one run, in memory (the exchange node opens no file for it). */
  initialStateStore(): StateStore {
    return new SnapshotStore();
  }

  /** A backtest starts from its balances every time: its account is never persisted. */
  accountStore(): StateStore {
    return new DiscardingStore();
  }

  /** Replays these rows instead of loading the node's history (an optimisation's runs share one loaded history). */
  useSeries(series: Record<string, OhlcvRow[]>): void {
    this.givenSeries = series;
  }

  async createSource(host: ModeHost): Promise<MarketSource> {
    const s = this.s;
    const series: Record<string, OhlcvRow[]> = {};
    if (this.givenSeries) {
      // An optimisation's run: the history is already loaded (and cut to its window).
      Object.assign(series, this.givenSeries);
    } else if (s.backtestSource === 'exchange') {
      // Downloaded once through ccxt (paginated), cached on disk under the user dir.
      const exchange = await CcxtSource.create({ exchangeId: s.exchangeId, sandbox: s.sandbox, baseUrl: s.baseUrl, credentials: {}, timeoutMs: s.timeoutMs });
      try {
        const time = (t: string) => (/^\d+$/.test(t) ? Number(t) : Date.parse(t));
        for (const symbol of s.backtestSymbols.split(/[\s,;]+/).filter(Boolean).map((x) => x.toUpperCase())) {
          const got = await downloadHistory({ source: exchange, exchangeId: s.exchangeId, symbol, timeframe: s.backtestTimeframe, from: time(s.backtestFrom), to: time(s.backtestTo), cacheDir: path.join(host.dataDir, 'tradebot-cache') });
          series[symbol] = got.rows;
          this.historyRequests += got.requests;
        }
      } finally {
        await exchange.close();
      }
    } else {
      for (const { symbol, file } of parseDataList(s.backtestData)) {
        const loaded = loadSeries(file, host.dataDir, symbol);
        series[symbol] = loaded.rows;
        this.dataChecks.push(loaded.checks);
        // One warning line per file with problems, once per deploy (the source loads once).
        for (const note of loaded.notes) host.log.warn(note);
      }
    }
    return new ReplaySource('backtest', s.backtestTimeframe, series, s.backtestWarmup, {});
  }

  async startAccount(account: TradingAccount, source: MarketSource): Promise<void> {
    const s = this.s;
    await account.init(new BacktestExecutor({ exchangeId: this.exchangeName, portfolio: account.portfolio, feeRate: s.feeRate, slippage: s.slippage, now: () => source.now() }));
  }

  /**
   * Runs the backtest through the flow: each candle is released to the flow's candles nodes and
   * the next waits until `idle()` says the flow has finished with it; or, with `fast`, through
   * the compiled flow.
   */
  async run(host: BacktestRunHost, idle: () => Promise<void>, onProgress?: (done: number, total: number) => void, fast?: FastFlow): Promise<BacktestReport> {
    if (this.ran) throw new Error('this deploy already ran its backtest: deploy again (or restart the flows) to run it again from a clean state');
    this.ran = true;
    const source = (await host.source()) as ReplaySource;
    const account = await host.account();
    const executor = account.executorForBacktest();
    if (!(executor instanceof BacktestExecutor)) throw new Error('the account has no backtest executor');
    // A journaled backtest: the journal holds its last run (the ids repeat from run to run).
    const journal = host.journal;
    if (journal) {
      // Rows of the last run still queued: the clear below removes them anyway, a failure shows in the journal's status.
      await journal.flush().catch((err) => host.log.debug(`journal flush before the run: ${errorText(err)}`));
      await journal.store.clear(journal.account);
      host.attachJournal(account, source);
    }
    const s = this.s;
    let n = 0;
    // Candles to hand over, for the progress (no index of the history is built for it).
    const total = Object.values(source.series).reduce((sum, rows) => sum + Math.max(0, rows.length - s.backtestWarmup), 0);
    let deliver: Deliver;
    if (fast) {
      // The fast path: the compiled flow gets the warm-up the candles nodes would send at deploy, and
      // then each candle. Nothing is released to the source, so the deployed candles nodes stay silent.
      const flow = fast;
      await flow.warmUp('backtest', s.backtestTimeframe, (symbol) => source.series[symbol]!.slice(0, Math.min(s.backtestWarmup, source.series[symbol]!.length)));
      const counted = (): Promise<void> | undefined => {
        n++;
        onProgress?.(n, total);
        // Resolved promises never leave the microtask queue: a turn of the event loop now and then
        // keeps Node-RED (the editor, statuses, timers) responsive during a long run.
        return (n & 4095) === 0 ? new Promise((r) => setImmediate(r)) : undefined;
      };
      // No promise for a candle that sets off nothing to wait for (most of them): see deliverNow.
      deliver = (candle) => {
        const pending = flow.deliverNow(candle);
        return pending ? pending.then(counted) : counted();
      };
    } else {
      deliver = async (candle) => {
        // The replay hands over the symbol's next row: the source releases that row itself, uncopied.
        source.releaseNext(candle.symbol);
        await idle();
        onProgress?.(++n, total);
      };
    }
    let report: BacktestReport;
    // The fast path books orders without waiting (account.ts, bookWithoutWaiting): the account of a
    // backtest keeps nothing, so nothing needs to be durable before an order goes out, and no flow
    // answers the account's updates there (they reach the deployed nodes' outputs, as they would).
    if (fast) account.bookWithoutWaiting(true);
    try {
      report = await replay(
        { timeframe: s.backtestTimeframe, series: source.series, warmup: s.backtestWarmup },
        { exchange: 'backtest', currency: s.reportCurrency, account, executor, setNow: (ts) => source.setClock(ts), flowListens: !fast },
        deliver,
        false,
      );
    } finally {
      account.bookWithoutWaiting(false);
    }
    if (journal) {
      // The run's equity curve (downsampled, as in the report), then everything written before the report goes out.
      for (const [ts, equity] of report.equity) journal.equity({ ts, equity, currency: s.reportCurrency });
      await journal.flush();
    }
    // The data the run stood on, and what its checks dropped or changed.
    return { ...report, dataChecks: this.dataChecks.map((c) => ({ ...c })) };
  }
}
