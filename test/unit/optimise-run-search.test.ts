import assert from 'node:assert/strict';
import path from 'node:path';
import { runSearch } from '../../core/optimise/run-search';
import { createSearch } from '../../core/optimise/search';
import { parseSweep } from '../../core/optimise/sweep-spec';
import { WorkerPool } from '../../core/optimise/worker-pool';
import type { TestJob, TestResult } from '../support/optimise-test-worker';

const workerPath = path.join(__dirname, '..', 'support', 'optimise-test-worker.js');

describe('optimise: a search on the worker pool', function () {
  /** TPE over x in -50..50 on the test worker (which squares x), scored -x², on `threads` threads. */
  async function tpeOn(threads: number, batchSize: number) {
    const pool = new WorkerPool<TestJob, TestResult>({ workerPath, threads });
    try {
      const search = createSearch(parseSweep({ params: [{ node: 'n', param: 'x', range: { from: -50, to: 50, step: 1 } }], search: 'tpe', samples: 40, seed: 9 }));
      // Odd x sleeps a little, so threads finish out of order.
      return await runSearch(search, pool, ([x]) => ({ x: x as number, delayMs: Math.abs(x as number) % 2 ? 5 : 0, fail: x === 13 ? ('throw' as const) : undefined }), (r) => -r.square, batchSize);
    } finally {
      await pool.close();
    }
  }

  it('gives the same runs on 1 thread and on 3, with a fixed batch', async () => {
    const one = await tpeOn(1, 8);
    const three = await tpeOn(3, 8);
    assert.equal(one.length, 40);
    assert.deepEqual(three.map((r) => [r.combo, r.score]), one.map((r) => [r.combo, r.score]));
    // The worker computed every score (x² for x), and the model found the optimum x = 0.
    for (const r of one) if (r.combo[0] !== 13) assert.equal(r.score, -((r.combo[0] as number) ** 2));
    assert.ok(one.some((r) => r.combo[0] === 0), 'x = 0 was never tried');
  });

  it('scores a failed run -Infinity and goes on', async () => {
    const pool = new WorkerPool<TestJob, TestResult>({ workerPath, threads: 2 });
    try {
      const search = createSearch(parseSweep({ params: [{ node: 'n', param: 'x', values: [12, 13, 14] }] }));
      const runs = await runSearch(search, pool, ([x]) => ({ x: x as number, fail: x === 13 ? ('throw' as const) : undefined }), (r) => r.square, 2);
      assert.deepEqual(runs.map((r) => r.score), [144, -Infinity, 196]);
      assert.equal(runs[1]!.outcome.ok ? '' : runs[1]!.outcome.error.message, 'job 13 refused');
    } finally {
      await pool.close();
    }
  });
});
