/**
 * One pairlist over a market source: each refresh reads every market's 24h ticker, ranks and
 * filters them (pairlist.ts), checks the age of the symbols that would make the list
 * (pairlist-age.ts), and says what changed since the last list. The node calls it on its schedule
 * and on a message; this holds no timer.
 *
 * Markets are loaded once per exchange node; an exchange lists and delists markets while a bot
 * runs for weeks, so a refresh loads them again when they are older than an hour (as Freqtrade's
 * markets_refresh_interval does): a market listed since can make the list without a redeploy.
 */
import type { Pairlist } from '../contract';
import { AgeCheck } from './pairlist-age';
import { fetchPairTickers } from './pair-tickers';
import { buildPairlist, diffSymbols, type PairlistResult, type PairlistSettings } from './pairlist';
import type { MarketSource } from './market-source';

export interface PairlistRefresh {
  payload: Pairlist;
  /** Why each other symbol with a ticker is out (for msg.excluded). */
  excluded: PairlistResult['excluded'];
}

/** How old the loaded markets may be before a refresh loads them again. */
export const MARKETS_RELOAD_MS = 3_600_000;

export class Pairlister {
  private settings: PairlistSettings;
  private ageCheck: AgeCheck | undefined;
  private last: string[] = [];
  /** When the markets were loaded (at the deploy, about when this is made), wall clock. */
  private marketsLoadedAt = Date.now();

  constructor(
    private readonly source: MarketSource,
    settings: PairlistSettings,
    private readonly reloadMarketsAfterMs = MARKETS_RELOAD_MS,
  ) {
    this.settings = settings;
  }

  get current(): PairlistSettings {
    return this.settings;
  }

  /** New filters from now on (a message's changes); the age answers are kept when the age is the same. */
  setSettings(settings: PairlistSettings): void {
    if (settings.minAgeDays !== this.settings.minAgeDays) this.ageCheck = undefined;
    this.settings = settings;
  }

  /** The symbols of the last list sent. */
  get symbols(): string[] {
    return [...this.last];
  }

  async refresh(): Promise<PairlistRefresh> {
    const { source, settings } = this;
    const markets = await this.markets();
    const tickers = await fetchPairTickers(source);
    if (settings.minAgeDays > 0 && !this.ageCheck) this.ageCheck = new AgeCheck(source, settings.minAgeDays);
    const age = this.ageCheck;
    const result = await buildPairlist(tickers, markets, settings, age ? (s) => age.isOldEnough(s) : undefined);
    const symbols = result.pairs.map((p) => p.symbol);
    const { added, removed } = diffSymbols(this.last, symbols);
    // An empty result is not a list to follow (it would stop every feed): the last one stays.
    if (symbols.length > 0) this.last = symbols;
    return {
      payload: { kind: 'pairlist', exchange: source.exchangeId, ts: source.now(), symbols, pairs: result.pairs, added: symbols.length ? added : [], removed: symbols.length ? removed : [] },
      excluded: result.excluded,
    };
  }

  /** The markets, loaded again when older than the reload interval; a failed reload keeps the old ones (tried again next refresh). */
  private async markets() {
    const { source } = this;
    if (source.reloadMarkets && Date.now() - this.marketsLoadedAt >= this.reloadMarketsAfterMs) {
      try {
        const reloaded = await source.reloadMarkets();
        this.marketsLoadedAt = Date.now();
        return reloaded;
      } catch {
        /* the exchange did not answer: the markets loaded before still serve */
      }
    }
    return source.loadMarkets();
  }
}
