/**
 * What a failed order request means for the order: the retry classes of the live executor.
 *
 *  - not sent: the request certainly never reached the exchange's matching engine. Rate limits
 *    (HTTP 429 / 418, ccxt DDoSProtection / RateLimitExceeded: Binance refuses these at its
 *    gateway, before the engine) and a connection that could not be opened (refused, DNS
 *    failure: no byte of the request left this machine). Sending again with the SAME client order
 *    id is safe.
 *  - ambiguous: the request may have reached the engine and the answer was lost: a timeout, a
 *    connection reset after sending, an HTTP 5xx (Binance: "execution status UNKNOWN"), a garbled
 *    or empty answer, "duplicate client order id", or an error ccxt could not classify (a plain
 *    ExchangeError: Bitfinex's HTTP 500 covers both refusals and proxy failures). The order is UNKNOWN; it is never sent
 *    again, only looked up (see live-executor.ts).
 *  - anything else is the exchange's final answer (insufficient funds, invalid order, bad key).
 */
import { errorClassChain, isRateLimitError } from '../market/ccxt-loader';

/** A connection that was never established: nothing was sent. */
const NEVER_CONNECTED = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b|getaddrinfo/;

export function isNotSentError(err: unknown): boolean {
  if (isRateLimitError(err)) return true;
  const chain = errorClassChain(err);
  if (!chain.includes('NetworkError')) return false;
  // A timeout can come after the bytes went out, whatever its text says.
  if (chain.includes('RequestTimeout')) return false;
  return NEVER_CONNECTED.test((err as Error)?.message ?? '');
}

/** ccxt errors after which the order may exist: look it up, never resend. */
export function isAmbiguousError(err: unknown): boolean {
  if (isNotSentError(err)) return false;
  const chain = errorClassChain(err);
  // A plain ExchangeError is one ccxt could not classify: Bitfinex answers every error with HTTP
  // 500, so a proxy's 500 page after the order went through reads the same as a refusal. Not
  // knowing is "unknown": looked up, never taken for a rejection a retry could duplicate.
  if (chain[0] === 'ExchangeError') return true;
  return chain.some((n) => n === 'NetworkError' || n === 'BadResponse' || n === 'NullResponse') || isDuplicateOrderError(err);
}

export function isDuplicateOrderError(err: unknown): boolean {
  return errorClassChain(err).includes('DuplicateOrderId') || /duplicate order/i.test((err as Error)?.message ?? '');
}

export function isNotFoundError(err: unknown): boolean {
  return errorClassChain(err).includes('OrderNotFound');
}

/**
 * An exchange error in a few words for a status or a reason: its ccxt class and message without
 * the request URL (it carries the signature) or an HTML error page, at most `max` characters.
 */
export function describeExchangeError(err: unknown, max = 100): string {
  const name = errorClassChain(err)[0] ?? 'Error';
  const raw = String((err as Error)?.message ?? err);
  const text = raw
    .replace(/<html[\s\S]*?(<\/html>|$)/i, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\b(GET|POST|PUT|DELETE)\s+\S+:\/\/\S+/g, '')
    .replace(/\S+:\/\/\S+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const out = name === 'Error' || text.startsWith(name) ? text : `${name}: ${text}`;
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}
