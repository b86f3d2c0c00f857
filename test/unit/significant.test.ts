/**
 * significant(x, digits), significantText(x, digits) and fixedNumber(x, decimals)
 * (core/significant.ts) are Number(x.toPrecision(digits)), its String() and
 * Number(x.toFixed(decimals)) to the last bit: the reasons of
 * signals print their prices with the first, order amounts are rounded to a market's step with
 * the second, and a backtest's report must not change.
 */
import assert from 'node:assert/strict';
import { fixedNumber, significant, significantText } from '../../core/significant';

/** A deterministic stream of numbers in [0, 1) (xorshift). */
function numbers(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function same(x: number, digits: number): void {
  const expected = Number(x.toPrecision(digits));
  const got = significant(x, digits);
  if (!Object.is(got, expected)) assert.fail(`significant(${x}, ${digits}) = ${got}, toPrecision gives ${expected}`);
}

describe('significant digits without the string (core/significant.ts)', () => {
  it('equals Number(x.toPrecision(d)) over prices, amounts and indicator values of every size', () => {
    const random = numbers(15);
    for (let i = 0; i < 300_000; i++) {
      const x = Math.exp((random() * 2 - 1) * 35);
      for (const d of [1, 4, 6, 8]) {
        same(x, d);
        same(-x, d);
      }
    }
  });

  it('equals it on ties and near ties, where the rounding direction decides', () => {
    for (let m = 100_000; m < 1_000_000; m += 7) {
      same(m + 0.5, 6);
      same((m + 0.5) / 1e3, 6);
      same((m + 0.5) * 1e4, 6);
      same(m / 1e5 + 5e-6, 5);
      same((m * 100 + 50) / 1e8, 7);
    }
    // Decimal prices with few digits (a market's tick), rounded to fewer digits.
    const random = numbers(7);
    for (let i = 0; i < 200_000; i++) {
      const x = Math.round(random() * 1e9) / 10 ** Math.floor(random() * 12);
      same(x, 6);
      same(x, 8);
      same(x, 1 + Math.floor(random() * 8));
    }
  });

  it('equals it at the edges: zero, signs, powers of ten, the largest and smallest numbers, NaN and Infinity', () => {
    const edges = [0, -0, NaN, Infinity, -Infinity, 5e-324, 1e-300, 1e-15, 1e-16, 0.1, 0.3, 1, 10, 100, 1e21, 1e22, 1e23, 9.999995e20, 999999.5, 9999995, 0.0000125, 123456.5, 1234565, 12345.65, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, 99999.99999999999, 999999.9999999999];
    for (const x of edges) for (let d = 1; d <= 21; d++) {
      same(x, d);
      same(-x, d);
    }
  });

  it('fixedNumber equals Number(x.toFixed(d)) for amounts and prices on a step, ties, near ties and edges', () => {
    const fixedSame = (x: number, d: number) => {
      const expected = Number(x.toFixed(d));
      const got = fixedNumber(x, d);
      if (!Object.is(got, expected)) assert.fail(`fixedNumber(${x}, ${d}) = ${got}, toFixed gives ${expected}`);
    };
    const random = numbers(27);
    for (let i = 0; i < 300_000; i++) {
      const d = Math.floor(random() * 13);
      const x = Math.exp((random() * 2 - 1) * 25);
      fixedSame(x, d);
      fixedSame(-x, d);
      // Units of a step times the step, as the order sizes are made (0.00001 * 98522 and the like).
      const step = 10 ** -d;
      fixedSame(Math.floor(random() * 1e9) * step, d);
    }
    for (let m = 0; m < 2_000_000; m += 3) {
      fixedSame((m + 0.5) / 100, 1);
      fixedSame((m + 0.5) / 1e6, 5);
      fixedSame(m * 1e-8 + 5e-9, 8);
    }
    const edges = [0, -0, NaN, Infinity, -Infinity, 5e-324, 1e-300, 0.5, 1.5, 2.5, 0.05, 0.15, 1.005, 1e21, 1e22, 2 ** 27, 2 ** 27 - 0.5, 134_217_727.5, 2 ** 53, Number.MAX_VALUE];
    for (const x of edges) for (let d = 0; d <= 25; d++) {
      fixedSame(x, d);
      fixedSame(-x, d);
    }
  });

  it('significantText equals String(Number(x.toPrecision(d))): fixed and exponential forms, every size', () => {
    const textSame = (x: number, d: number) => {
      const expected = String(Number(x.toPrecision(d)));
      const got = significantText(x, d);
      if (got !== expected) assert.fail(`significantText(${x}, ${d}) = ${got}, String(toPrecision) gives ${expected}`);
    };
    const random = numbers(61);
    for (let i = 0; i < 300_000; i++) {
      const x = Math.exp((random() * 2 - 1) * 40);
      for (const d of [1, 3, 6, 8]) textSame(x, d);
      textSame(-x, 6);
    }
    // Around the points where toString changes form (1e-7, 1e21) and trailing zeros (1000.00).
    for (let m = 1; m < 1_000_000; m += 7) {
      textSame(m / 1e3, 6);
      textSame(m * 1e-12, 6);
      textSame(m * 1e15, 6);
      textSame(m + 0.5, 6);
    }
    const edges = [0, -0, NaN, Infinity, -Infinity, 1e-7, 1e-6, 9.99999e-7, 9.999995e-7, 1.5e-7, 1e20, 1e21, 9.99999e20, 9.999995e20, 1, 10, 100, 0.1, 5e-324, 1e-15, Number.MAX_VALUE];
    for (const x of edges) for (let d = 1; d <= 21; d++) {
      textSame(x, d);
      textSame(-x, d);
    }
  });
});
