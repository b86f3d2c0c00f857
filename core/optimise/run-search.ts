/**
 * Drives a search on a worker pool, deterministically whatever the number of threads: the
 * search is asked for a fixed-size batch, the batch runs on the pool, and the scores are told
 * back in batch order before the next batch is asked for. A TPE search therefore proposes the
 * same combinations on 2 cores and on 64 (its model only ever sees whole batches, in order).
 * Grid and random searches ignore the scores, so only the batch size matters for them.
 */
import type { Combo, Search } from './search';
import type { JobOutcome } from './worker-pool';

/** What runs a batch of jobs: the worker pool, or anything with the same run(). */
export interface JobRunner<J, R> {
  run(jobs: readonly J[]): Promise<Array<JobOutcome<R>>>;
}

/** Runs per batch: a fixed number (not the thread count) so results do not depend on the machine. */
export const DEFAULT_BATCH = 32;

export interface SearchRun<R> {
  combo: Combo;
  outcome: JobOutcome<R>;
  /** The run's score; -Infinity for a run that failed. */
  score: number;
}

export async function runSearch<J, R>(
  search: Search,
  pool: JobRunner<J, R>,
  toJob: (combo: Combo) => J,
  score: (result: R) => number,
  batchSize = DEFAULT_BATCH,
): Promise<Array<SearchRun<R>>> {
  const runs: Array<SearchRun<R>> = [];
  for (;;) {
    const combos: Combo[] = [];
    while (combos.length < batchSize) {
      const combo = search.next();
      if (!combo) break;
      combos.push(combo);
    }
    if (combos.length === 0) return runs;
    const outcomes = await pool.run(combos.map(toJob));
    combos.forEach((combo, i) => {
      const outcome = outcomes[i]!;
      const s = outcome.ok ? score(outcome.value) : -Infinity;
      search.tell(combo, s);
      runs.push({ combo, outcome, score: s });
    });
  }
}
