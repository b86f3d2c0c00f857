/**
 * What a runner of an optimisation's jobs counts for its progress: runs done, the best score so
 * far, and the pace since the first run started. Shared by the worker pool and the Node-RED-path
 * runner so both report progress the same way.
 */

/** An optimisation's progress as its runner reports it (the worker pool, the Node-RED-path runner). */
export interface RunProgress {
  done: number;
  total: number;
  /** Runs per second since the first run() started. */
  runsPerSecond: number;
  /** Seconds left at that pace; undefined before the first job is done. */
  etaSeconds: number | undefined;
  /** The highest score so far (the runner's score), undefined while none counts. */
  best: number | undefined;
}

export class RunTally {
  private done = 0;
  private best: number | undefined;
  private startedAt = 0;

  /** Marks the start of the first run (later calls keep it). */
  start(): void {
    if (!this.startedAt) this.startedAt = performance.now();
  }

  /** One run finished, with its score when it has one. */
  count(score?: number): void {
    this.done++;
    if (score !== undefined && score > -Infinity && (this.best === undefined || score > this.best)) this.best = score;
  }

  get runsDone(): number {
    return this.done;
  }

  progress(total: number): RunProgress {
    const seconds = Math.max(1e-3, (performance.now() - this.startedAt) / 1000);
    const runsPerSecond = this.done / seconds;
    const all = Math.max(total, this.done);
    return { done: this.done, total: all, runsPerSecond, etaSeconds: runsPerSecond > 0 ? (all - this.done) / runsPerSecond : undefined, best: this.best };
  }
}
