/**
 * WatchLoop's fallback (core/market/watch-loop.ts): a websocket that fails or stays silent gives
 * way to polling at once, the websocket is tried again in the background, and the first update it
 * delivers switches the loop back. Without fallback a failing websocket is only retried.
 */
import assert from 'node:assert/strict';
import type { FeedStatus } from '../../core/market/feed-status';
import { WatchLoop } from '../../core/market/watch-loop';
import { waitFor } from '../support/wait';

class OperationFailed extends Error {}
class NetworkError extends OperationFailed {}

/** A websocket the test opens and closes: watch() fails while down, waits for push() while up. */
class FakeStream {
  up = true;
  silent = false;
  private waiting: Array<(v: string) => void> = [];
  watch = (): Promise<string> => {
    if (!this.up) return Promise.reject(new NetworkError('connection refused (404)'));
    return new Promise((resolve) => {
      if (!this.silent) this.waiting.push(resolve);
    });
  };
  push(value: string): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(value);
  }
}

const until = (check: () => boolean, what: string, timeoutMs = 3000) => waitFor(check, timeoutMs, what);

function loop(stream: FakeStream, fallback: boolean, got: Array<[string, string]>, statuses: FeedStatus[], silentAfterMs?: number) {
  let polls = 0;
  return new WatchLoop<string>({
    label: 'BTC/USD',
    useWatch: true,
    pollIntervalMs: 20,
    watch: stream.watch,
    fetch: async () => `poll-${++polls}`,
    onData: (data, via) => void got.push([data, via]),
    onStatus: (s) => statuses.push(s),
    onFatal: (e) => assert.fail(e),
    backoff: { initialMs: 10, maxMs: 10 },
    probeBackoff: { initialMs: 30, maxMs: 30 },
    fallback,
    silentAfterMs,
    reopen: silentAfterMs ? async () => void (stream.silent = false) : undefined,
  });
}

describe('WatchLoop fallback to polling', () => {
  it('polls at once when the websocket is refused, and goes back to it when it delivers again', async () => {
    const stream = new FakeStream();
    stream.up = false;
    const got: Array<[string, string]> = [];
    const statuses: FeedStatus[] = [];
    const l = loop(stream, true, got, statuses);
    l.start();
    await until(() => got.filter(([, via]) => via === 'poll').length >= 3, 'three polls');
    assert.equal(statuses.at(-1)?.state, 'polling', JSON.stringify(statuses));
    assert.ok(statuses.some((s) => s.state === 'polling' && /websocket down \(connection refused/.test(s.text)), JSON.stringify(statuses));
    stream.up = true;
    // The probe's watch is waiting on the reopened websocket: its first update switches the loop back.
    await until(() => {
      stream.push('ws-1');
      return got.some(([d]) => d === 'ws-1');
    }, 'a websocket update');
    assert.equal(statuses.at(-1)?.state, 'live', JSON.stringify(statuses));
    assert.ok(statuses.some((s) => s.state === 'live' && /websocket back: BTC\/USD/.test(s.text)));
    const pollsAfter = got.filter(([, via]) => via === 'poll').length;
    // A fixed wait on purpose: a while with the websocket back, in which no poll must come.
    await new Promise((r) => setTimeout(r, 80));
    stream.push('ws-2');
    await until(() => got.some(([d]) => d === 'ws-2'), 'a second websocket update');
    assert.equal(got.filter(([, via]) => via === 'poll').length, pollsAfter, 'no polling once the websocket is back');
    await l.stop();
  });

  it('a silent websocket gives way to polling after silentAfterMs', async () => {
    const stream = new FakeStream();
    stream.silent = true;
    const got: Array<[string, string]> = [];
    const statuses: FeedStatus[] = [];
    const l = loop(stream, true, got, statuses, 50);
    const started = Date.now();
    l.start();
    await until(() => got.some(([, via]) => via === 'poll'), 'a poll');
    assert.ok(Date.now() - started >= 45, 'not before the silence timeout');
    assert.ok(statuses.some((s) => s.state === 'polling' && /no data for 50ms/.test(s.text)), JSON.stringify(statuses));
    await l.stop();
  });

  it('without fallback a refused websocket is retried and nothing is polled', async () => {
    const stream = new FakeStream();
    stream.up = false;
    const got: Array<[string, string]> = [];
    const statuses: FeedStatus[] = [];
    const l = loop(stream, false, got, statuses);
    l.start();
    await until(() => statuses.filter((s) => s.state === 'reconnecting').length >= 3, 'three retries');
    assert.equal(got.length, 0);
    await l.stop();
  });

  it('stops cleanly while polling and probing: nothing is handed on after stop', async () => {
    const stream = new FakeStream();
    stream.up = false;
    const got: Array<[string, string]> = [];
    const l = loop(stream, true, got, []);
    l.start();
    await until(() => got.length >= 1, 'a poll');
    await l.stop();
    const n = got.length;
    stream.up = true;
    stream.push('late');
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.length, n);
  });
});
