/**
 * A REAL ccxt binance (pro, websocket-capable) pointed at a MockBinance, built with the same
 * loader and URL override the product uses (core/market/ccxt-loader.ts):
 *   https://api.binance.com/api/v3     -> http://127.0.0.1:PORT/api/v3
 *   wss://stream.binance.com:9443/ws   -> ws://127.0.0.1:PORT/ws
 */
import { loadExchangeClass, overrideApiUrls } from '../../core/market/ccxt-loader';
import { useIncreasingNonce } from '../../core/market/ccxt-nonce';

/**
 * @param baseUrl       the mock's base URL, `http://127.0.0.1:PORT`
 * @param extraOptions  merged (shallowly) into ccxt's `options`, e.g. `{ ws: { backoff: { base: 50 } } }`
 * @param config        other constructor settings, e.g. `{ timeout: 1000 }`
 */
export async function ccxtBinanceForMock(
  baseUrl: string,
  extraOptions: object = {},
  config: Record<string, unknown> = {},
): Promise<any> {
  const Binance = await loadExchangeClass('binance');
  const configOptions = (config.options ?? {}) as object;
  const ex = new Binance({
    ...config,
    options: { fetchMarkets: { types: ['spot'] }, ...configOptions, ...extraOptions },
  });
  ex.urls.api = overrideApiUrls(ex.urls.api, baseUrl);
  // ccxt refuses plain ws:// URLs until its http agent is loaded (Exchange.getHttpAgentIfNeeded).
  await ex.loadHttpProxyAgent();
  return ex;
}

/**
 * A REAL ccxt kraken (pro) pointed at a MockKraken, built as the product builds it:
 *   https://api.kraken.com       -> http://127.0.0.1:PORT (ccxt requests /0/public/..., /0/private/...)
 *   wss://ws.kraken.com/v2       -> ws://127.0.0.1:PORT/v2
 *   wss://ws-auth.kraken.com/v2  -> ws://127.0.0.1:PORT/ws-auth.kraken.com/v2
 * ccxt's kraken rateLimit is 1000 ms per cost unit; tests pass a small `rateLimit` in `config`.
 */
export async function ccxtKrakenForMock(baseUrl: string, config: Record<string, unknown> = {}): Promise<any> {
  const Kraken = await loadExchangeClass('kraken');
  const ex = new Kraken(config);
  // As the product does (core/market/ccxt-source.ts): concurrent signed calls in one millisecond.
  useIncreasingNonce(ex);
  ex.urls.api = overrideApiUrls(ex.urls.api, baseUrl);
  await ex.loadHttpProxyAgent();
  return ex;
}
