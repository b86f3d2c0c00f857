/**
 * paper: the real exchange's market data, simulated fills on a simulated account (no order
 * reaches the exchange).
 */
import { parseBalances } from '../exchange-settings';
import type { MarketSource } from '../market/market-source';
import type { TradingAccount } from '../trading/account';
import { SimExecutor } from '../trading/sim-executor';
import { connectExchange } from './exchange-connection';
import type { PaperSettings } from './mode-settings';
import type { ModeHost, SessionMode } from './session-mode';

export class PaperMode implements SessionMode {
  readonly mode = 'paper';
  readonly exchangeName: string;
  readonly label: string;
  /** A real exchange's clock may run behind ours. */
  readonly candleCloseGraceMs = 2_000;
  readonly replayed = false;
  readonly exchangeStops = false;
  readonly readyNote = '';
  readonly initialBalances: Record<string, number>;

  constructor(private readonly s: PaperSettings) {
    this.exchangeName = s.exchangeId;
    this.label = `${s.exchangeId} (paper)`;
    this.initialBalances = parseBalances(s.simBalances);
  }

  createSource(host: ModeHost): Promise<MarketSource> {
    return connectExchange(this.s, host);
  }

  async startAccount(account: TradingAccount, source: MarketSource): Promise<void> {
    const s = this.s;
    await account.init(new SimExecutor({ exchangeId: this.exchangeName, mode: 'paper', source, portfolio: account.portfolio, feeRate: s.feeRate, slippage: s.slippage }));
  }
}
