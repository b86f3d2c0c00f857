import assert from 'node:assert/strict';
import { Rng, deriveSeed, hashString, normalizeSeed } from '../../core/sim/random';

describe('sim random', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const xs = Array.from({ length: 1000 }, () => a.nextUint32());
    const ys = Array.from({ length: 1000 }, () => b.nextUint32());
    const zs = Array.from({ length: 1000 }, () => c.nextUint32());
    assert.deepEqual(xs, ys);
    assert.notDeepEqual(xs, zs);
  });

  it('gives uniforms in [0, 1) and standard normals', () => {
    const r = new Rng(7);
    const n = 200_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      sum += u;
      if (u < min) min = u;
      if (u > max) max = u;
    }
    assert.ok(min >= 0 && max < 1);
    assert.ok(Math.abs(sum / n - 0.5) < 0.005, `uniform mean ${sum / n}`);
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      assert.ok(Number.isFinite(z));
      s1 += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    assert.ok(Math.abs(s1 / n) < 0.01, `normal mean ${s1 / n}`);
    assert.ok(Math.abs(s2 / n - 1) < 0.02, `normal variance ${s2 / n}`);
    assert.ok(Math.abs(s4 / n - 3) < 0.15, `normal kurtosis ${s4 / n}`);
  });

  it('derives independent, stable streams per label', () => {
    assert.equal(deriveSeed(1, 'BTC/USDT'), deriveSeed(1, 'BTC/USDT'));
    assert.notEqual(deriveSeed(1, 'BTC/USDT'), deriveSeed(1, 'ETH/USDT'));
    assert.notEqual(deriveSeed(1, 'BTC/USDT'), deriveSeed(2, 'BTC/USDT'));
    assert.notEqual(hashString('a'), hashString('b'));
    const a = Rng.derive(5, 'x');
    const b = Rng.derive(5, 'y');
    let same = 0;
    for (let i = 0; i < 100; i++) if (a.nextUint32() === b.nextUint32()) same++;
    assert.ok(same < 3);
  });

  it('normalizes any finite seed to uint32 and rejects the rest', () => {
    assert.equal(normalizeSeed(42), 42);
    for (const s of [-1, 2 ** 40 + 3, 0.5, -1e300]) {
      const n = normalizeSeed(s);
      assert.ok(Number.isInteger(n) && n >= 0 && n < 2 ** 32, `${s} -> ${n}`);
    }
    assert.throws(() => normalizeSeed(Number.NaN), /seed/);
    assert.throws(() => normalizeSeed(Number.POSITIVE_INFINITY), /seed/);
  });
});
