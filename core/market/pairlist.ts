/**
 * The pairlist: which symbols a flow trades, chosen from the exchange's 24h tickers. Ranked by
 * quote volume (what was traded, in the quote currency, over 24 hours), then filtered: quote
 * currency, whitelist / blacklist patterns, minimum price, minimum quote volume, maximum spread,
 * and (separately, because it costs a request per symbol: pairlist-age.ts) age on the exchange.
 * Pure: the tickers and markets come in, the list and the reason each other symbol is out go out.
 */
import { fieldError } from '../errors';
import { numberSetting, textSetting, type NumberRule } from '../setting-values';
import { splitSymbolList } from '../symbol-pattern';
import type { MarketInfo, PairTicker } from './market-source';

export type { PairTicker } from './market-source';

export interface PairlistSettings {
  /** Only markets quoted in this currency (USDT); empty: any quote (volumes in different currencies do not compare). */
  quote: string;
  /** How many symbols the list keeps, best ranked first. */
  count: number;
  minPrice: number;
  minQuoteVolume: number;
  /** Largest (ask - bid) / ask in percent; Infinity: no limit. */
  maxSpreadPct: number;
  /** Only symbols matching one of these (none: every symbol). */
  whitelist: string[];
  /** Never symbols matching one of these. */
  blacklist: string[];
  /** Days of daily candles the exchange must have (0: not checked). */
  minAgeDays: number;
}

export interface RankedPair {
  symbol: string;
  quoteVolume: number;
  last: number;
  /** (ask - bid) / ask in percent; null when the ticker has no bid or ask. */
  spreadPct: number | null;
}

export type ExclusionReason = 'inactive' | 'quote' | 'whitelist' | 'blacklist' | 'price' | 'volume' | 'spread' | 'age';

export interface PairlistResult {
  /** The list, best ranked first, at most `count` long. */
  pairs: RankedPair[];
  /** Why the other symbols with a ticker are out, by symbol ("rank" for those below the first `count`). */
  excluded: Record<string, ExclusionReason | 'rank'>;
}

export const COUNT_RULE: NumberRule = { fallback: 10, min: 1, max: 200, integer: true };
export const MIN_PRICE_RULE: NumberRule = { fallback: 0, min: 0, max: 1e12 };
export const MIN_QUOTE_VOLUME_RULE: NumberRule = { fallback: 0, min: 0, max: 1e15 };
export const MAX_SPREAD_RULE: NumberRule = { fallback: Number.POSITIVE_INFINITY, min: 0, max: 100, unit: '%' };
export const MIN_AGE_RULE: NumberRule = { fallback: 0, min: 0, max: 3650, integer: true, unit: 'days' };
/** Minutes between two refreshes. */
export const REFRESH_RULE: NumberRule = { fallback: 60, min: 1, max: 10_080, unit: 'minutes' };

/** A pattern: a symbol with `*` standing for any characters ("*\/BTC", "BNB/*", "*UP/USDT"). */
export const PATTERN_RE = /^[A-Z0-9._*-]+\/[A-Z0-9._*-]+(:[A-Z0-9._*-]+)?$/i;

/** The patterns of a whitelist or blacklist field ("*\/BTC, DOGE/*"), each checked; the field named when one is not a pattern. */
export function parsePatterns(value: unknown, field: string): string[] {
  if (value !== undefined && value !== null && typeof value !== 'string' && !Array.isArray(value)) {
    throw fieldError(field, `${field}: must be symbols or patterns such as DOGE/*, separated by commas, got ${JSON.stringify(value)}`);
  }
  const list = Array.isArray(value) ? value.map((v) => String(v).trim()).filter(Boolean) : splitSymbolList(value);
  for (const pattern of list) {
    if (!PATTERN_RE.test(pattern)) throw fieldError(field, `${field}: "${pattern}" is not a symbol or pattern such as BTC/USDT, DOGE/* or */BTC`);
  }
  return list.map((p) => p.toUpperCase());
}

/** Whether `symbol` matches the pattern (case-insensitive, `*` any characters). */
export function matchesPattern(symbol: string, pattern: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('.*') + '$', 'i');
  return re.test(symbol);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The settings from the node's config or a message's overrides, each refused naming the field
 * (`prefix` + name: "minPrice" for a setting, "msg.payload.minPrice" for a message). NaN, text that
 * is not a number, a negative volume: refused, never read as 0.
 */
export function parsePairlistSettings(config: Record<string, unknown>, prefix = '', base?: PairlistSettings): PairlistSettings {
  const has = (key: string) => base === undefined || config[key] !== undefined;
  const num = (key: string, rule: NumberRule, fallback: number | undefined) =>
    has(key) ? numberSetting(strictNumber(config[key], prefix + key), prefix + key, rule) : fallback!;
  const quote = has('quote') ? textSetting(config.quote ?? '', prefix + 'quote', '') : base!.quote;
  if (quote !== '' && !/^[A-Za-z0-9]{1,20}$/.test(quote)) throw fieldError(prefix + 'quote', `${prefix}quote: must be a currency code such as USDT, or empty for any, got "${quote}"`);
  return {
    quote: quote.toUpperCase(),
    count: num('count', COUNT_RULE, base?.count),
    minPrice: num('minPrice', MIN_PRICE_RULE, base?.minPrice),
    minQuoteVolume: num('minQuoteVolume', MIN_QUOTE_VOLUME_RULE, base?.minQuoteVolume),
    maxSpreadPct: num('maxSpreadPct', MAX_SPREAD_RULE, base?.maxSpreadPct),
    whitelist: has('whitelist') ? parsePatterns(config.whitelist, prefix + 'whitelist') : base!.whitelist,
    blacklist: has('blacklist') ? parsePatterns(config.blacklist, prefix + 'blacklist') : base!.blacklist,
    minAgeDays: num('minAgeDays', MIN_AGE_RULE, base?.minAgeDays),
  };
}

/** The filters a message may change (msg.payload of an input); any other key is a typo, refused by name. */
export const PAIRLIST_FILTER_KEYS = ['quote', 'count', 'minPrice', 'minQuoteVolume', 'maxSpreadPct', 'whitelist', 'blacklist', 'minAgeDays'] as const;

/** A message's filter changes (msg.payload = {minQuoteVolume: 1e6, ...}) over `base`; an unknown key is refused by name. */
export function parseFilterOverrides(payload: Record<string, unknown>, base: PairlistSettings): PairlistSettings {
  for (const key of Object.keys(payload)) {
    if (!(PAIRLIST_FILTER_KEYS as readonly string[]).includes(key)) {
      throw fieldError(`msg.payload.${key}`, `msg.payload.${key}: not a pairlist filter; the filters are ${PAIRLIST_FILTER_KEYS.join(', ')}`);
    }
  }
  return parsePairlistSettings(payload, 'msg.payload.', base);
}

/** A number in a message or an imported flow: NaN and Infinity are refused here (JSON cannot carry them, JavaScript can). */
function strictNumber(value: unknown, field: string): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw fieldError(field, `${field}: must be a finite number, got ${String(value)}`);
  if (typeof value === 'boolean') throw fieldError(field, `${field}: must be a number, got ${String(value)}`);
  return value;
}

/** 24h volume in the quote currency. */
export function quoteVolumeOf(t: PairTicker): number {
  if (typeof t.quoteVolume === 'number' && Number.isFinite(t.quoteVolume)) return t.quoteVolume;
  if (typeof t.baseVolume === 'number' && Number.isFinite(t.baseVolume)) return t.baseVolume * t.last;
  return 0;
}

export function spreadPctOf(t: PairTicker): number | null {
  if (!(t.bid! > 0) || !(t.ask! > 0)) return null;
  return ((t.ask! - t.bid!) / t.ask!) * 100;
}

/**
 * Ranks and filters. `isOldEnough` (when age is checked) answers for the candidates in rank order,
 * so it is asked only about symbols that would otherwise make the list. Ties in volume go by symbol,
 * so the same tickers always give the same list.
 */
export async function buildPairlist(
  tickers: PairTicker[],
  markets: Map<string, MarketInfo>,
  settings: PairlistSettings,
  isOldEnough?: (symbol: string) => Promise<boolean>,
): Promise<PairlistResult> {
  const excluded: PairlistResult['excluded'] = {};
  const candidates: RankedPair[] = [];
  for (const t of tickers) {
    const market = markets.get(t.symbol);
    const reason = exclusion(t, market, settings);
    if (reason) {
      excluded[t.symbol] = reason;
      continue;
    }
    candidates.push({ symbol: t.symbol, quoteVolume: quoteVolumeOf(t), last: t.last, spreadPct: spreadPctOf(t) });
  }
  candidates.sort((a, b) => b.quoteVolume - a.quoteVolume || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const pairs: RankedPair[] = [];
  for (const pair of candidates) {
    if (pairs.length >= settings.count) {
      excluded[pair.symbol] = 'rank';
      continue;
    }
    if (settings.minAgeDays > 0 && isOldEnough && !(await isOldEnough(pair.symbol))) {
      excluded[pair.symbol] = 'age';
      continue;
    }
    pairs.push(pair);
  }
  return { pairs, excluded };
}

function exclusion(t: PairTicker, market: MarketInfo | undefined, s: PairlistSettings): ExclusionReason | undefined {
  if (!market || !market.active) return 'inactive';
  if (s.quote !== '' && market.quote.toUpperCase() !== s.quote) return 'quote';
  if (s.whitelist.length > 0 && !s.whitelist.some((p) => matchesPattern(t.symbol, p))) return 'whitelist';
  if (s.blacklist.some((p) => matchesPattern(t.symbol, p))) return 'blacklist';
  if (!(t.last >= s.minPrice) || !(t.last > 0)) return 'price';
  if (!(quoteVolumeOf(t) >= s.minQuoteVolume)) return 'volume';
  if (Number.isFinite(s.maxSpreadPct)) {
    const spread = spreadPctOf(t);
    if (spread === null || spread > s.maxSpreadPct) return 'spread';
  }
  return undefined;
}

/** What changed between two lists. */
export function diffSymbols(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const now = new Set(after);
  return { added: after.filter((s) => !was.has(s)), removed: before.filter((s) => !now.has(s)) };
}
