import assert from 'node:assert/strict';
import { createSearch, type Combo, type Search } from '../../core/optimise/search';
import { parseSweep, type Sweep } from '../../core/optimise/sweep-spec';

/** Every combination a search gives, telling each its score. */
function drain(search: Search, score: (c: Combo) => number = () => 0): Combo[] {
  const out: Combo[] = [];
  for (let c = search.next(); c; c = search.next()) {
    out.push(c);
    search.tell(c, score(c));
  }
  return out;
}

/**
 * A 2-D bowl on a 101 × 101 grid (x, y in 0..100 step 1) with its noise-free optimum on the grid
 * at (37, 71): score 0 there, lower everywhere else.
 */
const bowlSweep = (search: 'random' | 'tpe', seed: number, samples = 60): Sweep =>
  parseSweep({
    params: [
      { node: 'n', param: 'x', range: { from: 0, to: 100, step: 1 } },
      { node: 'n', param: 'y', range: { from: 0, to: 100, step: 1 } },
    ],
    search,
    samples,
    seed,
  });
const bowl = ([x, y]: Combo) => -(((x as number) - 37) ** 2) - ((y as number) - 71) ** 2;

describe('optimise: searches', () => {
  it('grid enumerates exactly the product, first parameter slowest', () => {
    const sweep = parseSweep({ params: [
      { node: 'a', param: 'p', range: { from: 1, to: 3, step: 1 } },
      { node: 'b', param: 'q', values: ['sma', 'ema'] },
      { node: 'c', param: 'r', values: [true, false] },
    ] });
    const search = createSearch(sweep);
    assert.equal(search.total, 12);
    const combos = drain(search);
    const expected: Combo[] = [];
    for (const p of [1, 2, 3]) for (const q of ['sma', 'ema']) for (const r of [true, false]) expected.push([p, q, r]);
    assert.deepEqual(combos, expected);
    assert.equal(search.next(), undefined);
  });

  it('random draws distinct combinations, the same for a seed and others for another seed', () => {
    const a = drain(createSearch(bowlSweep('random', 7)));
    const b = drain(createSearch(bowlSweep('random', 7)));
    const c = drain(createSearch(bowlSweep('random', 8)));
    assert.equal(a.length, 60);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(new Set(a.map(String)).size, 60);
    for (const [x, y] of a) assert.ok(Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 100 && Number.isInteger(y));
  });

  it('random with as many samples as combinations runs each once, shuffled', () => {
    const sweep = parseSweep({ params: [{ node: 'a', param: 'p', range: { from: 1, to: 4, step: 1 } }, { node: 'a', param: 'q', values: ['x', 'y'] }], search: 'random', samples: 50, seed: 3 });
    const search = createSearch(sweep);
    assert.equal(search.total, 8);
    const combos = drain(search);
    assert.equal(combos.length, 8);
    assert.deepEqual(combos.map(String).sort(), ['1,x', '1,y', '2,x', '2,y', '3,x', '3,y', '4,x', '4,y']);
    assert.notDeepEqual(combos.map(String), ['1,x', '1,y', '2,x', '2,y', '3,x', '3,y', '4,x', '4,y']);
  });

  it('tpe is deterministic for a seed (given the same scores) and differs between seeds', () => {
    const a = drain(createSearch(bowlSweep('tpe', 11)), bowl);
    const b = drain(createSearch(bowlSweep('tpe', 11)), bowl);
    const c = drain(createSearch(bowlSweep('tpe', 12)), bowl);
    assert.equal(a.length, 60);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(new Set(a.map(String)).size, 60, 'a combination was proposed twice');
  });

  it('tpe finds a better best than random with 60 samples, on average over 20 seeds', () => {
    const best = (combos: Combo[]) => Math.max(...combos.map(bowl));
    let tpeSum = 0;
    let randomSum = 0;
    let tpeWins = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const tpe = best(drain(createSearch(bowlSweep('tpe', seed)), bowl));
      const random = best(drain(createSearch(bowlSweep('random', seed)), bowl));
      tpeSum += tpe;
      randomSum += random;
      if (tpe > random) tpeWins++;
    }
    // Mean best score over the seeds (0 is the optimum).
    assert.ok(tpeSum / 20 > randomSum / 20, `tpe mean best ${tpeSum / 20}, random ${randomSum / 20}`);
    assert.ok(tpeWins >= 15, `tpe won ${tpeWins} of 20`);
  });

  it('tpe uses list values as categories and learns which one scores', () => {
    const sweep = parseSweep({ params: [
      { node: 'a', param: 'maType', values: ['sma', 'ema', 'wma', 'dema', 'tema', 'hma'] },
      { node: 'a', param: 'p', range: { from: 1, to: 50, step: 1 } },
    ], search: 'tpe', samples: 60, seed: 5 });
    const combos = drain(createSearch(sweep), ([t, p]) => (t === 'wma' ? 0 : -10) - Math.abs((p as number) - 20));
    const late = combos.slice(30);
    const wma = late.filter(([t]) => t === 'wma').length;
    // Uniform picking would give about 5 of 30.
    assert.ok(wma >= 12, `wma picked ${wma} times in the last 30`);
  });

  it('tpe refuses to be told a combination it cannot hold', () => {
    const search = createSearch(bowlSweep('tpe', 1));
    assert.throws(() => search.tell([500, 1], 0), /is not a combination of this search/);
  });

  it('tpe stops when the whole space is tried', () => {
    const sweep = parseSweep({ params: [{ node: 'a', param: 'p', range: { from: 1, to: 5, step: 1 } }], search: 'tpe', samples: 100, seed: 1 });
    const search = createSearch(sweep);
    assert.equal(search.total, 5);
    const combos = drain(search, ([p]) => -Math.abs((p as number) - 3));
    assert.deepEqual(combos.map(([p]) => p).sort(), [1, 2, 3, 4, 5]);
  });

  it('tpe past hundreds of trials (models fitted to a bounded set) stays deterministic and reaches the optimum', () => {
    const a = drain(createSearch(bowlSweep('tpe', 4, 600)), bowl);
    const b = drain(createSearch(bowlSweep('tpe', 4, 600)), bowl);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map(String)).size, 600);
    assert.ok(a.some(([x, y]) => x === 37 && y === 71), 'the optimum (37, 71) was never proposed');
  });
});
