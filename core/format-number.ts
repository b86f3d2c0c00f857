/**
 * Numbers as a person reads them, in statuses, notifications and the portfolio message's `display`:
 * prices to the market's tick, amounts to its amount step, money to cents. Messages keep the exact
 * values (a flow computes with those); only the texts meant to be read are rounded. Without
 * float noise: 9896.33714161972 USDT shows as 9896.34.
 *
 * The rules:
 *  - price: to the decimals of the market's tick size (0.01 -> 2); without one, to 6 significant
 *    digits but at least 2 decimals (64012.537 -> 64012.54, 1.2345678 -> 1.23457, 0.0000123456
 *    stays). Trailing zeros go (60000.50 -> 60000.5), as in the message.
 *  - amount: the decimals of the market's amount step (0.00001 -> 5); without one, at most 8
 *    decimals. Trailing zeros go (0.01000 -> 0.01): an amount reads as the quantity it is.
 *  - money in a currency (equity, P&L, fees, balances): fiat and fiat stablecoins (USD, USDT, EUR,
 *    ...) in cents, always 2 decimals (12.50); any other currency (BTC, ETH: crypto quote
 *    currencies, where a cent of a coin is a lot of money) to 8 decimals, trailing zeros gone.
 */

/** Fiat currencies (ISO 4217, those exchanges quote in) and stablecoins pegged to one: shown in cents. */
const CENT_CURRENCIES = new Set([
  'USD', 'EUR', 'GBP', 'CHF', 'JPY', 'AUD', 'CAD', 'NZD', 'SGD', 'HKD', 'KRW', 'CNY', 'INR', 'BRL', 'MXN', 'ARS', 'TRY', 'RUB', 'UAH', 'PLN', 'CZK', 'SEK', 'NOK', 'DKK', 'HUF', 'RON', 'ZAR', 'NGN', 'KES', 'IDR', 'MYR', 'PHP', 'THB', 'VND', 'AED', 'SAR', 'ILS', 'COP', 'CLP', 'PEN',
  'USDT', 'USDC', 'BUSD', 'TUSD', 'FDUSD', 'USDP', 'DAI', 'PYUSD', 'USDD', 'GUSD', 'USDE', 'EURT', 'EURC', 'EURI', 'AEUR', 'TRYB', 'BIDR', 'IDRT', 'BRZ',
]);

/** Most decimals any text here shows (below that, binary floating point is noise). */
const MAX_DECIMALS = 12;

/** The decimals of a step: 0.01 -> 2, 0.00001 -> 5, 1 -> 0, 0.5 -> 1; undefined for no usable step. */
export function stepDecimals(step: number | undefined): number | undefined {
  if (step === undefined || !(step > 0) || !Number.isFinite(step)) return undefined;
  const [mantissa, exp] = step.toExponential().split('e') as [string, string];
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(MAX_DECIMALS, Math.max(0, fraction - Number(exp)));
}

/** Fixed decimals, "-0.00" written "0.00". */
function fixed(value: number, decimals: number): string {
  const text = value.toFixed(Math.min(MAX_DECIMALS, Math.max(0, decimals)));
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** Fixed decimals without the trailing zeros (and without a trailing "."). */
function trimmed(value: number, decimals: number): string {
  const text = fixed(value, decimals);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

const notNumber = (value: unknown): boolean => typeof value !== 'number' || !Number.isFinite(value);

/** A price, to the market's tick size when known (see the rules above). */
export function formatPrice(value: number, tickSize?: number): string {
  if (notNumber(value)) return String(value);
  const decimals = stepDecimals(tickSize);
  if (decimals !== undefined) return trimmed(value, decimals);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value))) + 1;
  return trimmed(value, Math.max(2, 6 - magnitude));
}

/** An amount of the base currency, to the market's amount step when known. */
export function formatAmount(value: number, amountStep?: number): string {
  if (notNumber(value)) return String(value);
  return trimmed(value, stepDecimals(amountStep) ?? 8);
}

/** Whether amounts of this currency are shown in cents (fiat, fiat stablecoins). */
export function isCentCurrency(currency: string | undefined): boolean {
  return CENT_CURRENCIES.has(String(currency ?? '').toUpperCase());
}

/**
 * Money in a currency: cents for fiat and stablecoins, 8 decimals otherwise (see the rules above).
 * A sum that is not zero but smaller than what those decimals show (a fee of 0.0004 USDT) keeps two
 * significant digits rather than reading as 0.00.
 */
export function formatMoney(value: number, currency: string | undefined): string {
  if (notNumber(value)) return String(value);
  const decimals = isCentCurrency(currency) ? 2 : 8;
  if (value !== 0 && Math.abs(value) < 0.5 * 10 ** -decimals) {
    const tiny = Math.min(20, 1 - Math.floor(Math.log10(Math.abs(value))));
    return value.toFixed(tiny).replace(/0+$/, '');
  }
  return decimals === 2 ? fixed(value, 2) : trimmed(value, decimals);
}
