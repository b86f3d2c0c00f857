/**
 * Reading single settings of the nodes that have no schema of their own (the market-data nodes,
 * place order, telegram control). Editor fields arrive as strings, imported flows may carry
 * anything: a value is either what the field means or refused with an error naming the field.
 * Never a silent NaN, never a negative interval.
 */
import { fieldError } from './errors';

/** A text setting: empty or absent gives the default; anything that is not text is refused. */
export function textSetting(value: unknown, field: string, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') throw fieldError(field, `${field}: must be text, got ${JSON.stringify(value)}`);
  return value.trim() || fallback;
}

/** A currency code (USDT, EUR, BTC): letters and digits. */
export function currencySetting(value: unknown, field: string, fallback = 'USDT'): string {
  const text = textSetting(value, field, fallback);
  if (!/^[A-Za-z0-9]{1,20}$/.test(text)) throw fieldError(field, `${field}: must be a currency code such as USDT, got "${text}"`);
  return text;
}

export interface NumberRule {
  /** Used when the field is empty or absent. */
  fallback: number;
  min: number;
  max: number;
  integer?: boolean;
  /** Unit for the error text ("ms", "s", "candles"). */
  unit?: string;
}

/** A number setting: empty = the default; a number (or numeric text) within [min, max]; anything else is refused. */
export function numberSetting(value: unknown, field: string, rule: NumberRule): number {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return rule.fallback;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  const unit = rule.unit ? ` ${rule.unit}` : '';
  const what = `${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}${unit}`;
  if (typeof n !== 'number' || !Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < rule.min || n > rule.max) {
    throw fieldError(field, `${field}: must be ${what}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** The least time between two polls of the market-data nodes, ms; smaller values are raised to it. */
export const MIN_POLL_INTERVAL_MS = 100;
/** The polling interval of an empty field, ms. */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** The longest polling interval, ms (a day). */
export const MAX_POLL_INTERVAL_MS = 86_400_000;

/**
 * A polling interval in ms (ticker, order book, candles): empty = 2000. Not a number, 0 or
 * negative is refused; a positive value below 100 ms is raised to 100 ms (the documented floor;
 * the exchange's rate limit may raise it further).
 */
export function pollIntervalSetting(value: unknown, field = 'interval', fallback = DEFAULT_POLL_INTERVAL_MS): number {
  const n = numberSetting(value, field, { fallback, min: Number.MIN_VALUE, max: MAX_POLL_INTERVAL_MS, unit: 'ms' });
  return Math.max(MIN_POLL_INTERVAL_MS, n);
}
