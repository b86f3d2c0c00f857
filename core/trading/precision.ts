/**
 * Rounding to an exchange's increments. Steps such as 0.00001 are not exact in binary, so the
 * result is the number of a fixed-decimal string (Number(x.toFixed(d)), made without the string
 * where that is exact: core/significant.ts): 0.1 + 0.2 style residue never reaches an order.
 */
import { fixedNumber } from '../significant';

/** Decimals per step seen (a market has one or two steps; every order asks). */
const decimalsCache = new Map<number, number>();

function decimalsOf(step: number): number {
  if (!(step > 0)) return 12;
  let decimals = decimalsCache.get(step);
  if (decimals === undefined) {
    decimals = countDecimals(step);
    if (decimalsCache.size < 1000) decimalsCache.set(step, decimals);
  }
  return decimals;
}

function countDecimals(step: number): number {
  const text = step.toExponential();
  const [mantissa, exp] = text.split('e') as [string, string];
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exp));
}

/** Rounds down to a multiple of `step` (amounts: never more than asked or affordable). */
export function floorToStep(value: number, step: number | undefined): number {
  if (!step || !(step > 0)) return value;
  // A few ulps below a whole number is binary residue (0.3/0.1 = 2.9999999999999996, a balance
  // that summed to 1.1111112299999999): that counts as the whole number. Anything more is a real
  // fraction and is floored, however large the number of units.
  const exact = value / step;
  const nearest = Math.round(exact);
  const units = Math.abs(exact - nearest) <= 64 * Number.EPSILON * Math.max(1, Math.abs(exact)) ? nearest : Math.floor(exact);
  return fixedNumber(units * step, decimalsOf(step));
}

/**
 * What a quote sum buys at a price: floor(quote / price) to the amount step, the largest multiple
 * of the step that is not above the quotient. Unlike floorToStep no residue is forgiven: when the
 * division lands just below a step (0.3 / 0.1 = 2.9999999999999996) the amount is the step below,
 * never the one above, so the order never costs more than the quote sum at that price.
 */
export function amountForQuote(quote: number, price: number, step: number | undefined): number {
  const value = quote / price;
  if (!step || !(step > 0) || !(value > 0) || !Number.isFinite(value)) return value;
  const decimals = decimalsOf(step);
  const amountOf = (units: number) => fixedNumber(units * step, decimals);
  // value / step is rounded itself: the floor of it may be one unit off either way.
  let units = Math.floor(value / step);
  if (units > 0 && amountOf(units) > value) units--;
  else if (amountOf(units + 1) <= value) units++;
  return amountOf(units);
}

/** Rounds to the nearest multiple of `step` (prices). */
export function roundToStep(value: number, step: number | undefined): number {
  if (!step || !(step > 0)) return value;
  return fixedNumber(Math.round(value / step) * step, decimalsOf(step));
}
