/**
 * ccxt's nonce made strictly increasing. ccxt counts nonces in milliseconds, so two signed
 * requests in one millisecond share one, and an exchange that wants each nonce larger than the
 * last refuses the second (Kraken: "EAPI:Invalid nonce"; its order calls are not throttled).
 * The value stays ccxt's own whenever it is larger than the last one used.
 */
export function useIncreasingNonce(exchange: { nonce: () => unknown }): void {
  const ccxtNonce = exchange.nonce.bind(exchange);
  let last = 0;
  exchange.nonce = () => {
    const next = Number(ccxtNonce());
    last = Number.isFinite(next) && next > last ? next : last + 1;
    return last;
  };
}
