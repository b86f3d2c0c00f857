/**
 * Fields several node specs share: the config-node pickers, symbol lists, polling intervals and
 * numbers whose range the runtime's core parser holds. Pure (see spec.ts).
 */
import { numberSetting, pollIntervalSetting, type NumberRule, DEFAULT_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS } from '../../core/setting-values';
import { SYMBOL_RE, splitSymbolList } from '../../core/symbol-pattern';
import type { FieldCheck, FieldSpec } from './spec';
import { blank } from './spec';

/** Runs a core parser on a value: did it accept it? */
export function accepts(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

export const nameField: FieldSpec = { value: '' };

/** The exchange config node a node needs (`needed`: only for some of its choices). */
export function exchangeField(needed?: (field: (prop: string) => any) => boolean): FieldSpec {
  return { value: '', label: 'Exchange', config: { type: 'tradebot-exchange', what: 'an exchange', needed } };
}

export const redisField: FieldSpec = { value: '', label: 'Redis', config: { type: 'tradebot-redis', what: 'a Redis server' } };

/** Symbols as the market-data nodes take them (core/market/symbol-list.ts): at least one, each BASE/QUOTE. */
export const symbolsCheck: FieldCheck = (v) => {
  const list = splitSymbolList(v);
  if (list.length === 0) return 'is empty: name at least one market, such as BTC/USDT';
  const bad = list.find((s) => !SYMBOL_RE.test(s));
  return bad === undefined || `must be markets such as BTC/USDT, separated by commas: "${bad}" is not one`;
};

/** A polling interval (core/setting-values.ts pollIntervalSetting): empty is the default, else above 0 and at most a day. */
export function pollIntervalField(label: string): FieldSpec {
  return {
    value: DEFAULT_POLL_INTERVAL_MS,
    label,
    check: (v) => accepts(() => pollIntervalSetting(v)) || `must be a number of ms above 0 and at most ${MAX_POLL_INTERVAL_MS}, or empty (${DEFAULT_POLL_INTERVAL_MS} ms)`,
  };
}

/** A number the runtime reads with numberSetting(`rule`); `words` says what it must be, in the dialog's words. */
export function numberCheck(rule: NumberRule, words?: string): FieldCheck {
  const what = words ?? `must be ${rule.integer ? 'a whole number' : 'a number'}${rule.unit ? ` of ${rule.unit}` : ''} from ${rule.min} to ${rule.max}`;
  return (v) => accepts(() => numberSetting(v, 'value', rule)) || what;
}

/** A number field read with numberSetting(`rule`), starting at the rule's fallback. */
export function numberField(label: string, rule: NumberRule, words?: string): FieldSpec {
  return { value: rule.fallback, label, check: numberCheck(rule, words) };
}

/** Empty counts as "not set" for the optional fields. */
export const optional = (check: FieldCheck): FieldCheck => (v, field) => blank(v) || check(v, field);

/** A number field with a range (empty takes the default): "must be a whole number from 1 to 1000". */
export function rangeField(label: string, value: number, range: { min: number; max: number; integer: boolean }): FieldSpec {
  return {
    value,
    label,
    check: (v) => {
      if (blank(v)) return true;
      const n = Number(v);
      return (typeof v !== 'boolean' && Number.isFinite(n) && n >= range.min && n <= range.max && (!range.integer || Number.isInteger(n))) || `must be ${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`;
    },
  };
}
