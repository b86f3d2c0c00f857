/**
 * ccxt's websocket futures, each one handled.
 *
 * How ccxt (4.5, js/src/base/ws/Client.js) makes them: every `watch*` call asks its connection's
 * client for `client.future(messageHash)`, a promise kept in `client.futures` per message hash
 * until a message resolves it. A connection error or close (`Client.onError` / `onClose` ->
 * `reset` -> `reject(error)`) rejects EVERY future the client keeps. Most have an awaiting caller
 * (the `watch*` call itself), but some are bookkeeping nobody awaits: binance's
 * `ensureUserDataStreamWsSubscribeSignature` creates `authenticate:signature:spot` "ahead of the
 * request, so concurrent callers can find it" and `client.reject`s it when the subscribe fails;
 * the listen-key and snapshot paths do the same. When the order stream's websocket upgrade is
 * refused (404) or the exchange cannot be reached, that rejection has no handler, and Node ends
 * the process with an unhandled rejection. A rejection stored for a hash with no future yet
 * (`client.rejections`) is handed to the next future of that hash in the same way.
 *
 * The fix at the source: every future a client of this ccxt instance creates gets a handler the
 * moment it exists. Whoever awaits a future still gets its rejection (an awaited promise has its
 * own handler); one nobody awaits is settled quietly instead of ending the process. The
 * product's own watch loops (WatchLoop, the live executor's order stream) await and report
 * their failures.
 */
import type { CcxtExchange } from './ccxt-loader';

const HANDLED = Symbol('tradebot.futureHandled');

/** Makes every websocket future of this ccxt instance handled (idempotent per client). */
export function handleWsFutures(exchange: CcxtExchange): void {
  if (typeof exchange?.client !== 'function' || exchange[HANDLED]) return;
  exchange[HANDLED] = true;
  const makeClient = exchange.client;
  exchange.client = function clientWithHandledFutures(this: CcxtExchange, ...args: unknown[]) {
    const client = makeClient.apply(this, args);
    if (client && typeof client.future === 'function' && !client[HANDLED]) {
      client[HANDLED] = true;
      const future = client.future;
      client.future = function handledFuture(this: unknown, ...hash: unknown[]) {
        const f = future.apply(this, hash);
        if (f && typeof f.catch === 'function' && !f[HANDLED]) {
          f[HANDLED] = true;
          // Marks the shared future handled only: every caller awaiting it still gets its rejection.
          f.catch(() => undefined);
        }
        return f;
      };
    }
    return client;
  };
}
