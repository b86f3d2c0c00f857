/**
 * Everything one exchange config node owns, free of Node-RED: its settings, its market
 * source (the simulator, or ONE ccxt instance shared by every node that uses the config,
 * so markets load once and one rate limiter paces all requests), and its lifecycle.
 * Later issues add the simulated broker and the portfolio here.
 */
import type { ExchangeSettings } from './exchange-settings';
import { CcxtSource } from './market/ccxt-source';
import type { MarketSource } from './market/market-source';
import { SimSource } from './market/sim-source';

export class ExchangeSession {
  private sourcePromise: Promise<MarketSource> | undefined;
  private closed = false;

  constructor(readonly settings: ExchangeSettings) {}

  get mode(): ExchangeSettings['mode'] {
    return this.settings.mode;
  }

  /** Where market data comes from: the simulator in sim mode, the real exchange otherwise. */
  get usesSimulator(): boolean {
    return this.settings.mode === 'sim';
  }

  /** Short name for statuses: "sim" or "binance (paper)". */
  get label(): string {
    return this.usesSimulator ? 'sim' : `${this.settings.exchangeId} (${this.settings.mode})`;
  }

  /** How long after its end a candle counts as closed when no newer one was seen (clock skew). */
  get candleCloseGraceMs(): number {
    return this.usesSimulator ? 0 : 2_000;
  }

  /** The market source, created on first use: ccxt is only loaded when a node needs it. */
  source(): Promise<MarketSource> {
    if (this.closed) return Promise.reject(new Error('exchange config node was closed'));
    if (!this.sourcePromise) {
      this.sourcePromise = this.createSource();
      // A failed creation is retried on the next call rather than cached.
      this.sourcePromise.catch(() => (this.sourcePromise = undefined));
    }
    return this.sourcePromise;
  }

  /** Removes every credential value from a text (error messages pass through here before anyone sees them). */
  redact(text: string): string {
    let out = text;
    for (const value of Object.values(this.settings.credentials)) {
      if (value && value.length >= 4) out = out.split(value).join('***');
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.sourcePromise;
    this.sourcePromise = undefined;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }

  private async createSource(): Promise<MarketSource> {
    const s = this.settings;
    if (s.mode === 'sim') {
      return new SimSource({ seed: s.simSeed, speed: s.simSpeed, tickMs: s.simTickMs });
    }
    return CcxtSource.create({
      exchangeId: s.exchangeId,
      sandbox: s.sandbox,
      baseUrl: s.baseUrl,
      credentials: s.credentials,
      timeoutMs: s.timeoutMs,
    });
  }
}
