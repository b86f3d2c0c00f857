/**
 * A number rounded to significant digits: exactly `Number(x.toPrecision(digits))`, made without
 * the decimal string where that is safe. Reasons and statuses print prices this way for every
 * signal (a backtest makes tens of thousands), and toPrecision is the dear part of it.
 */

/** Powers of ten a double holds exactly (10^0 .. 10^22). */
const POW10: number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Number(x.toPrecision(digits)). toPrecision picks the integer n of `digits`
 * digits nearest to x / 10^(e-digits+1) (the larger on a tie) and the string's value is n
 * times that power of ten, rounded once to a double. Here n comes from x scaled by an exact
 * power of ten (one rounding: below 2^27 the error is under 1e-8, so up to 8 digits), and is taken only where
 * the scaled value is not within 1e-7 of a tie, so it is the same n; n and the power being
 * exact, one division (or product) rounds the same value the string's parse rounds. Anything
 * else (a near tie, 0, a sign, a size beyond the exact powers, NaN, Infinity) goes through
 * toPrecision itself.
 */
export function significant(x: number, digits: number): number {
  const k = scaleOf(x, digits);
  const n = k === undefined ? undefined : unitsAt(x, k, digits);
  if (k === undefined || n === undefined) return Number(x.toPrecision(digits));
  return k >= 0 ? n / POW10[k]! : n * POW10[-k]!;
}

/**
 * The power k that scales x to `digits` digits before the point (x * 10^k), from x's decimal
 * exponent; undefined where 10^k is not an exact double, or x is not a positive size it handles.
 */
function scaleOf(x: number, digits: number): number | undefined {
  if (!(x > 0 && x < 1e21 && x > 1e-15 && digits >= 1 && digits <= 8)) return undefined;
  const k = digits - 1 - Math.floor(Math.log10(x));
  return k >= -22 && k <= 22 ? k : undefined;
}

/** toPrecision's integer n: x * 10^k rounded, or undefined where that is not certain (see significant). */
function unitsAt(x: number, k: number, digits: number): number | undefined {
  const t = k >= 0 ? x * POW10[k]! : x / POW10[-k]!;
  const low = POW10[digits - 1]!;
  const frac = t - Math.floor(t);
  // The scale came out of range (log10 one off near a power of ten) or a near tie: the slow way.
  if (!(t >= low && t < low * 10 && Math.abs(frac - 0.5) > 1e-7)) return undefined;
  return Math.floor(t + 0.5);
}

/**
 * String(significant(x, digits)), that is String(Number(x.toPrecision(digits))), without
 * converting a double to text: the number is n * 10^-k with n of at most `digits` digits, and
 * the shortest text that reads back as that number is n's digits (trailing zeros gone) with the
 * point placed as Number.prototype.toString places it (no other decimal of as few digits is that
 * close to it). Elsewhere, the slow way.
 */
export function significantText(x: number, digits: number): string {
  const k = scaleOf(x, digits);
  const units = k === undefined ? undefined : unitsAt(x, k, digits);
  if (k === undefined || units === undefined) return String(Number(x.toPrecision(digits)));
  let n = units;
  let exp = -k;
  while (n % 10 === 0) {
    n /= 10;
    exp++;
  }
  return decimalText(String(n), exp);
}

/** Number.prototype.toString of digits × 10^exp (digits: an integer's, no trailing zero). */
function decimalText(digits: string, exp: number): string {
  const count = digits.length;
  const point = count + exp;
  if (count <= point && point <= 21) return digits + '0'.repeat(point - count);
  if (0 < point && point <= 21) return `${digits.slice(0, point)}.${digits.slice(point)}`;
  if (-6 < point && point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  const e = point - 1;
  return `${count === 1 ? digits : `${digits[0]}.${digits.slice(1)}`}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

/**
 * Number(x.toFixed(decimals)), decimals 0..22, the same way: toFixed picks the integer n nearest
 * to x times 10^decimals (the larger on a tie) and the string's value is n / 10^decimals rounded
 * once. Taken without the string below 2^27 scaled units (an error under 1e-8) away from near
 * ties; amounts and prices rounded to a market's step go through here on every order.
 */
export function fixedNumber(x: number, decimals: number): number {
  if (x > 0 && decimals >= 0 && decimals <= 22 && Number.isInteger(decimals)) {
    const scale = POW10[decimals]!;
    const t = x * scale;
    if (t < 134_217_728) {
      const frac = t - Math.floor(t);
      if (Math.abs(frac - 0.5) > 1e-7) return Math.floor(t + 0.5) / scale;
    }
  }
  return Number(x.toFixed(decimals));
}
