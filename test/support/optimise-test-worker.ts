/**
 * A worker module for the worker pool's tests (test/unit/optimise-worker-pool.test.ts): each job
 * says what to do, so a test can make jobs finish out of order, throw, or kill their thread.
 */
import { threadId, workerData } from 'node:worker_threads';
import { serveJobs } from '../../core/optimise/worker-job';

export interface TestJob {
  /** The value returned (squared, to show the worker computed it). */
  x: number;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
  /** 'throw': the job throws; 'exit': the thread exits; 'crash': an uncaught error kills the thread. */
  fail?: 'throw' | 'exit' | 'crash';
}
export interface TestResult {
  square: number;
  threadId: number;
  offset: number;
}

const offset = (workerData as { offset?: number } | undefined)?.offset ?? 0;

serveJobs<TestJob, TestResult>(async (job) => {
  if (job.delayMs) await new Promise((resolve) => setTimeout(resolve, job.delayMs));
  if (job.fail === 'throw') throw new Error(`job ${job.x} refused`);
  if (job.fail === 'exit') process.exit(3);
  if (job.fail === 'crash') setImmediate(() => { throw new Error(`job ${job.x} crashed the thread`); });
  if (job.fail === 'crash') await new Promise(() => {});
  return { square: job.x * job.x + offset, threadId, offset };
});
