/**
 * "Age on the exchange" as it can be measured: ccxt's market info rarely carries a listing date,
 * so a symbol's age is the daily candles the exchange has for it (as Freqtrade's AgeFilter reads
 * it). A symbol is old enough for N days when its first daily candle opened at least N days before
 * the source's clock. One request per symbol asked; a symbol found old enough stays so (it cannot
 * grow younger), a young one is asked again after a day on the source's clock.
 */
import type { MarketSource } from './market-source';

const DAY_MS = 86_400_000;

export class AgeCheck {
  private readonly oldEnough = new Set<string>();
  /** Young symbols: the source time after which to ask again. */
  private readonly youngUntil = new Map<string, number>();

  constructor(
    private readonly source: MarketSource,
    readonly minAgeDays: number,
  ) {}

  /** Number of requests made so far (for the status and the tests). */
  requests = 0;

  async isOldEnough(symbol: string): Promise<boolean> {
    if (this.minAgeDays <= 0 || this.oldEnough.has(symbol)) return true;
    const now = this.source.now();
    const askAgain = this.youngUntil.get(symbol);
    if (askAgain !== undefined && now < askAgain) return false;
    const since = now - (this.minAgeDays + 1) * DAY_MS;
    this.requests++;
    const rows = await this.source.fetchOHLCV(symbol, '1d', since, this.minAgeDays + 2);
    const first = rows[0]?.[0];
    if (first !== undefined && first <= now - this.minAgeDays * DAY_MS) {
      this.oldEnough.add(symbol);
      this.youngUntil.delete(symbol);
      return true;
    }
    this.youngUntil.set(symbol, now + DAY_MS);
    return false;
  }
}
