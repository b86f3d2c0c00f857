/**
 * live: real orders on the exchange. The account is reconciled with the exchange before it
 * trades, and again while it runs (and at once when the exchange or the order stream is back).
 */
import { exchangeProfile, LiveRefusedError } from '../exchanges/profile';
import type { MarketSource } from '../market/market-source';
import type { CcxtSource } from '../market/ccxt-source';
import type { TradingAccount } from '../trading/account';
import type { TradingStatus } from '../trading/executor';
import { LiveExecutor } from '../trading/live-executor';
import { LiveReconciler, reconcileLiveAccount } from '../trading/reconcile';
import { connectExchange } from './exchange-connection';
import type { LiveSettings } from './mode-settings';
import type { ModeHost, SessionMode } from './session-mode';

export class LiveMode implements SessionMode {
  readonly mode = 'live';
  readonly exchangeName: string;
  readonly label: string;
  /** A real exchange's clock may run behind ours. */
  readonly candleCloseGraceMs = 2_000;
  readonly replayed = false;
  /** The exchange's balances, read at start. */
  readonly initialBalances = undefined;
  readonly exchangeStops: boolean;
  readonly readyNote = ', reconciled with the exchange';
  /** Reconciliation while running. */
  private reconciler: LiveReconciler | undefined;

  constructor(private readonly s: LiveSettings) {
    this.exchangeName = s.exchangeId;
    this.label = `${s.exchangeId} (live)`;
    this.exchangeStops = s.exchangeStops;
  }

  createSource(host: ModeHost): Promise<MarketSource> {
    return connectExchange(this.s, host);
  }

  async startAccount(account: TradingAccount, source: MarketSource, host: ModeHost): Promise<void> {
    const s = this.s;
    // The source is a CcxtSource or the CachedSource in front of one: both expose `ccxt`.
    const ccxtSource = source as CcxtSource;
    // Live trading only where an order whose answer is lost can be found again (profile.ts).
    const profile = exchangeProfile(ccxtSource.ccxt, ccxtSource.websocketAllowed);
    if (profile.liveRefusal) throw new LiveRefusedError(`live trading on ${s.exchangeId} is refused: ${profile.liveRefusal}`);
    const executor = new LiveExecutor({
      exchange: ccxtSource.ccxt,
      exchangeId: this.exchangeName,
      now: () => source.now(),
      unknownWindowMs: s.unknownWindowSec === undefined ? undefined : s.unknownWindowSec * 1000,
      websocket: s.websocket !== 'off',
      onStatus: (status) => host.tradingStatus(status),
    });
    await account.init(executor);
    try {
      await reconcileLiveAccount(account, executor, ccxtSource.ccxt);
    } catch (err) {
      // The next account() call starts over: this executor's lookups and loops stop here.
      await executor.close();
      throw err;
    }
    void account.resumeExchangeStops();
    this.reconciler = new LiveReconciler({
      account,
      executor,
      ccxt: ccxtSource.ccxt,
      exchangeId: this.exchangeName,
      intervalMs: s.reconcileSec * 1000,
      onDrift: (drift) => host.emitEvent(drift),
      onStatus: (status) => host.tradingStatus(status),
      now: () => source.now(),
    });
    if (!host.closed) this.reconciler.start();
  }

  onTradingStatus(status: TradingStatus): void {
    // The order stream or the exchange is back: what happened meanwhile is read from the exchange.
    if (status.level === 'ok' && /\bback\b/.test(status.text) && !/^reconciliation/.test(status.text)) this.reconciler?.soon();
  }

  async close(): Promise<void> {
    await this.reconciler?.close();
  }
}
