/**
 * Waiting in tests: on a condition, never for a guessed time, so a loaded machine makes a test
 * slower, not wrong. A timeout fails with what was waited for.
 */

/** Polls `predicate` until it is true or the time is up. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * waitFor for a condition that has to be asked for (an HTTP request, a database query): asks
 * again every `everyMs` until it answers true or the time is up; the last answer's error, if
 * any, is in the failure message.
 */
export async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition', everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      if (await predicate()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A fixed wait: only where nothing must happen (there is no event to wait for) or time itself is tested. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
