/**
 * A small pool of worker threads running the jobs of one worker module (a compiled .js file that
 * answers jobs through serveJobs in worker-job.ts). An optimisation hands it its runs:
 *
 * - one thread per core by default (os.availableParallelism()), started on the first run() and
 *   kept for the next ones (a TPE search runs batch after batch);
 * - results come back in job order whatever order the threads finish in, so a seeded
 *   optimisation gives the same results on 2 cores and on 64;
 * - a job that throws, or a thread that dies (crash, process.exit, out of memory), gives that
 *   job an error; a new thread takes the dead one's place and the other jobs go on;
 * - cancel() terminates the threads at once and rejects the pending run() with CanceledError;
 * - onProgress after every job: done, total, runs per second, ETA and the best score so far.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { JobReply, JobRequest } from './worker-job';
import { RunTally, type RunProgress } from './run-tally';

export type JobOutcome<R> = { ok: true; value: R } | { ok: false; error: Error };

export interface PoolOptions<R> {
  /** Absolute path of the compiled worker module. */
  workerPath: string;
  /** Threads (default: os.availableParallelism()). */
  threads?: number;
  /** Given to every thread once (e.g. the candles and the flow), read as workerData. */
  workerData?: unknown;
  /** All the jobs the pool will run, across run() calls, for progress (default: jobs given so far). */
  total?: number;
  /** A result's score, for "best so far". */
  score?: (result: R) => number;
  /** Called after every job (a node's status should be throttled by the caller). */
  onProgress?: (progress: RunProgress) => void;
}

export class CanceledError extends Error {
  override readonly name = 'CanceledError';
}

interface Slot {
  worker: Worker;
  /** The job it runs: index into the current batch. */
  job?: number;
}

interface Batch<J, R> {
  jobs: readonly J[];
  /** Jobs given in earlier run() calls: error messages number jobs across runs. */
  base: number;
  outcomes: Array<JobOutcome<R> | undefined>;
  nextJob: number;
  finished: number;
  resolve: (outcomes: Array<JobOutcome<R>>) => void;
  reject: (error: Error) => void;
}

export class WorkerPool<J, R> {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private batch?: Batch<J, R>;
  private canceled = false;
  private closed = false;
  private readonly tally = new RunTally();
  private given = 0;

  constructor(private readonly options: PoolOptions<R>) {
    this.threads = Math.max(1, Math.floor(options.threads ?? os.availableParallelism()));
  }

  /** Runs the jobs; resolves with one outcome per job, in job order. One run() at a time. */
  run(jobs: readonly J[]): Promise<Array<JobOutcome<R>>> {
    if (this.canceled) return Promise.reject(new CanceledError('the optimisation was canceled'));
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    if (this.batch) return Promise.reject(new Error('the worker pool is already running jobs'));
    this.tally.start();
    const base = this.given;
    this.given += jobs.length;
    if (jobs.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.batch = { jobs, base, outcomes: new Array(jobs.length), nextJob: 0, finished: 0, resolve, reject };
      while (this.slots.length < Math.min(this.threads, jobs.length)) this.slots.push(this.spawn());
      for (const slot of this.slots) this.feed(slot);
    });
  }

  /** Stops everything now: threads terminated, the pending run() rejected with CanceledError. */
  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    const batch = this.batch;
    this.batch = undefined;
    this.terminateAll();
    batch?.reject(new CanceledError(`the optimisation was canceled after ${this.tally.runsDone} of ${this.total()} runs`));
  }

  /** Ends the threads (a pending run() is rejected). Idle threads keep the process alive until then. */
  async close(): Promise<void> {
    this.closed = true;
    const batch = this.batch;
    this.batch = undefined;
    batch?.reject(new Error('the worker pool was closed before its jobs were done'));
    await this.terminateAll();
  }

  private total(): number {
    return this.options.total ?? this.given;
  }

  private terminateAll(): Promise<unknown> {
    const slots = this.slots.splice(0);
    return Promise.all(slots.map((s) => (s.worker.removeAllListeners(), s.worker.on('error', () => {}), s.worker.terminate())));
  }

  private spawn(): Slot {
    const worker = new Worker(this.options.workerPath, { workerData: this.options.workerData });
    const slot: Slot = { worker };
    worker.on('message', (reply: JobReply<R>) => {
      if (slot.job === undefined || reply.index !== slot.job) return;
      this.finish(slot, reply.ok ? { ok: true, value: reply.result } : { ok: false, error: new Error(reply.error) });
      this.feed(slot);
    });
    // A thread that dies: its job fails, a new thread takes over the queue.
    let reason: string | undefined;
    worker.on('error', (err) => (reason = err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return; // terminated by the pool
      this.slots.splice(at, 1);
      const batch = this.batch;
      if (slot.job !== undefined) this.finish(slot, { ok: false, error: new Error(`job ${(batch?.base ?? 0) + slot.job}: the worker thread stopped (${reason ?? `exit code ${code}`})`) });
      if (batch && batch.nextJob < batch.jobs.length) {
        const fresh = this.spawn();
        this.slots.push(fresh);
        this.feed(fresh);
      }
    });
    return slot;
  }

  private feed(slot: Slot): void {
    const batch = this.batch;
    if (!batch || batch.nextJob >= batch.jobs.length) {
      slot.job = undefined;
      return;
    }
    const index = batch.nextJob++;
    slot.job = index;
    const request: JobRequest<J> = { index, job: batch.jobs[index]! };
    slot.worker.postMessage(request);
  }

  private finish(slot: Slot, outcome: JobOutcome<R>): void {
    const batch = this.batch;
    if (!batch || slot.job === undefined) return;
    batch.outcomes[slot.job] = outcome;
    slot.job = undefined;
    batch.finished++;
    this.tally.count(outcome.ok && this.options.score ? this.options.score(outcome.value) : undefined);
    this.options.onProgress?.(this.tally.progress(this.total()));
    if (batch.finished === batch.jobs.length) {
      this.batch = undefined;
      batch.resolve(batch.outcomes as Array<JobOutcome<R>>);
    }
  }
}
