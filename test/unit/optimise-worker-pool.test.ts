import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { CanceledError, WorkerPool } from '../../core/optimise/worker-pool';
import type { RunProgress } from '../../core/optimise/run-tally';
import type { TestJob, TestResult } from '../support/optimise-test-worker';

// tsc lays test/support/*.ts out as dist/test/support/*.js, next to dist/test/unit.
const workerPath = path.join(__dirname, '..', 'support', 'optimise-test-worker.js');

describe('optimise: worker pool', function () {
  let pool: WorkerPool<TestJob, TestResult> | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('uses one thread per core by default', () => {
    pool = new WorkerPool({ workerPath });
    assert.equal(pool.threads, os.availableParallelism());
  });

  it('returns results in job order whatever order the threads finish in, with progress', async () => {
    const progress: RunProgress[] = [];
    pool = new WorkerPool<TestJob, TestResult>({ workerPath, threads: 3, workerData: { offset: 1000 }, score: (r) => 100 - Math.abs(r.square - 1016), onProgress: (p) => progress.push(p) });
    // Early jobs wait longest, so later ones finish first.
    const jobs: TestJob[] = Array.from({ length: 9 }, (_, x) => ({ x, delayMs: (9 - x) * 40 }));
    const outcomes = await pool.run(jobs);
    assert.deepEqual(outcomes.map((o) => (o.ok ? o.value.square : o.error.message)), jobs.map((j) => j.x * j.x + 1000));
    const threads = new Set(outcomes.map((o) => (o.ok ? o.value.threadId : -1)));
    assert.equal(threads.size, 3, 'the jobs ran on 3 threads');
    assert.deepEqual(progress.map((p) => p.done), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(progress.every((p) => p.total === 9 && p.runsPerSecond > 0));
    assert.equal(progress.at(-1)!.etaSeconds, 0);
    assert.ok(progress[0]!.etaSeconds! > 0);
    // Best so far: x = 4 (16 + 1000) scores 100, the highest possible.
    assert.equal(progress.at(-1)!.best, 100);
    // Job 0 (score 84) waits longest of the first three: another one finished first.
    assert.notEqual(progress[0]!.best, 84, 'the first job finished first: the order was not mixed up');
    // A second batch on the same threads counts on.
    const again = await pool.run([{ x: 20 }]);
    assert.deepEqual(again, [{ ok: true, value: { square: 1400, threadId: (again[0] as { value: TestResult }).value.threadId, offset: 1000 } }]);
    assert.equal(progress.at(-1)!.done, 10);
  });

  it('reports a job that throws and one whose thread dies as that job\'s error, and goes on', async () => {
    pool = new WorkerPool<TestJob, TestResult>({ workerPath, threads: 2 });
    const jobs: TestJob[] = [{ x: 1 }, { x: 2, fail: 'throw' }, { x: 3, fail: 'exit' }, { x: 4 }, { x: 5, fail: 'crash' }, { x: 6 }, { x: 7 }];
    const outcomes = await pool.run(jobs);
    const text = outcomes.map((o) => (o.ok ? o.value.square : o.error.message));
    assert.deepEqual(text, [1, 'job 2 refused', 'job 2: the worker thread stopped (exit code 3)', 16, 'job 4: the worker thread stopped (job 5 crashed the thread)', 36, 49]);
    // Jobs are numbered across run() calls.
    const next = await pool.run([{ x: 8 }, { x: 9, fail: 'exit' }]);
    assert.deepEqual(next.map((o) => (o.ok ? o.value.square : o.error.message)), [64, 'job 8: the worker thread stopped (exit code 3)']);
  });

  it('cancel terminates the threads and rejects the pending run as canceled', async () => {
    let twoDone!: () => void;
    const progressed = new Promise<void>((resolve) => (twoDone = resolve));
    pool = new WorkerPool<TestJob, TestResult>({ workerPath, threads: 2, total: 6, onProgress: (p) => p.done === 2 && twoDone() });
    // Two quick jobs, then four that would take a minute each.
    const running = pool.run(Array.from({ length: 6 }, (_, x) => ({ x, delayMs: x < 2 ? 10 : 60_000 })));
    await progressed;
    // A fixed wait on purpose: the long jobs get under way; the cancel must end them.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    pool.cancel();
    await assert.rejects(running, (err: Error) => err instanceof CanceledError && /^the optimisation was canceled after 2 of 6 runs$/.test(err.message));
    assert.ok(Date.now() - started < 1000, 'cancel did not wait for the running jobs');
    await assert.rejects(pool.run([{ x: 1 }]), CanceledError);
  });

  it('close rejects a pending run', async () => {
    pool = new WorkerPool<TestJob, TestResult>({ workerPath, threads: 1 });
    const rejected = assert.rejects(pool.run([{ x: 1, delayMs: 60_000 }]), /^Error: the worker pool was closed before its jobs were done$/);
    await pool.close();
    await rejected;
  });
});
