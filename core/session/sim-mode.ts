/**
 * sim: the simulated market (core/sim) and simulated fills; nothing leaves the machine.
 */
import { parseBalances } from '../exchange-settings';
import { errorText, StateChangeLog } from '../logger';
import type { MarketSource } from '../market/market-source';
import { SimSource } from '../market/sim-source';
import { DEFAULT_SIM_SYMBOLS } from '../sim/sim-market';
import type { TradingAccount } from '../trading/account';
import { SimExecutor } from '../trading/sim-executor';
import type { SimSettings } from './mode-settings';
import type { ModeHost, SessionMode } from './session-mode';

/** How often the simulator's clock and prices are saved, ms. */
const SAVE_EVERY_MS = 2_000;

export class SimMode implements SessionMode {
  readonly mode = 'sim';
  readonly exchangeName = 'sim';
  readonly label = 'sim';
  readonly candleCloseGraceMs = 0;
  readonly replayed = false;
  readonly exchangeStops = false;
  readonly readyNote = '';
  readonly initialBalances: Record<string, number>;

  constructor(private readonly s: SimSettings) {
    this.initialBalances = parseBalances(s.simBalances);
  }

  /**
   * The simulator continues where it stopped: its virtual clock (ahead of the wall clock at speeds
   * above 1) and last prices are saved every few seconds, so after a restart time does not run
   * backwards under the restored positions and orders, and prices carry on from where they were.
   */
  async createSource(host: ModeHost): Promise<MarketSource> {
    const s = this.s;
    const key = `tradebot:sim:${host.id}`;
    const saved = await host.stateStore.get<{ now: number; prices: Record<string, number> }>(key).catch((err) => {
      // The simulator then starts from now and its default prices: worth a line, not a refusal.
      host.log.warn(`the simulator's saved clock and prices could not be read (it starts from now): ${errorText(err)}`);
      return undefined;
    });
    const symbols = saved ? DEFAULT_SIM_SYMBOLS.map((spec) => ({ ...spec, price: saved.prices[spec.symbol] ?? spec.price })) : undefined;
    const sim = new SimSource({ seed: s.simSeed, speed: s.simSpeed, tickMs: s.simTickMs, symbols, startTime: Math.max(Date.now(), (saved?.now ?? 0) + s.simTickMs) });
    // Saved every two seconds: a store that stays down is written to the log once, and once when it is back.
    const trouble = new StateChangeLog(host.log);
    const save = () => {
      const prices = Object.fromEntries(sim.market.symbols().map((symbol) => [symbol, sim.market.ticker(symbol).last]));
      return host.stateStore.set(key, { now: sim.now(), prices }).then(
        () => trouble.ok('save', `the simulator's clock and prices are saved again`),
        (err) => trouble.fail('save', `the simulator's clock and prices could not be saved (retried every ${SAVE_EVERY_MS / 1000} s): ${errorText(err)}`),
      );
    };
    const timer = setInterval(save, SAVE_EVERY_MS);
    timer.unref();
    host.onClose(async () => {
      clearInterval(timer);
      await save();
    });
    return sim;
  }

  async startAccount(account: TradingAccount, source: MarketSource): Promise<void> {
    const s = this.s;
    await account.init(new SimExecutor({ exchangeId: this.exchangeName, mode: 'sim', source, portfolio: account.portfolio, feeRate: s.feeRate, slippage: s.slippage }));
  }
}
