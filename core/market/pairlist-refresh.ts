/**
 * One pairlist over a market source: each refresh reads every market's 24h ticker, ranks and
 * filters them (pairlist.ts), checks the age of the symbols that would make the list
 * (pairlist-age.ts), and says what changed since the last list. The node calls it on its schedule
 * and on a message; this holds no timer.
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

export class Pairlister {
  private settings: PairlistSettings;
  private ageCheck: AgeCheck | undefined;
  private last: string[] = [];

  constructor(
    private readonly source: MarketSource,
    settings: PairlistSettings,
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
    const markets = await source.loadMarkets();
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
}
