/**
 * A REAL ccxt bitfinex (pro, websocket-capable) pointed at a MockBitfinex, built with the same
 * loader and URL override the product uses (core/market/ccxt-loader.ts):
 *   https://api-pub.bitfinex.com     -> http://127.0.0.1:PORT
 *   https://api.bitfinex.com         -> http://127.0.0.1:PORT/api.bitfinex.com
 *   wss://api-pub.bitfinex.com/ws/2  -> ws://127.0.0.1:PORT/ws/2
 *   wss://api.bitfinex.com/ws/2      -> ws://127.0.0.1:PORT/api.bitfinex.com/ws/2
 */
import { loadExchangeClass, overrideApiUrls } from '../../core/market/ccxt-loader';
import { useIncreasingNonce } from '../../core/market/ccxt-nonce';

/**
 * @param baseUrl  the mock's base URL, `http://127.0.0.1:PORT`
 * @param config   constructor settings merged in, e.g. `{ apiKey, secret, timeout: 1000, rateLimit: 10 }`
 *                 (ccxt spaces bitfinex calls rateLimit 250 ms x cost 2.7 ≈ 675 ms apart by default)
 */
export async function ccxtBitfinexForMock(baseUrl: string, config: Record<string, unknown> = {}): Promise<any> {
  const Bitfinex = await loadExchangeClass('bitfinex');
  const ex = new Bitfinex(config);
  // As the product does (core/market/ccxt-source.ts): concurrent signed calls in one millisecond.
  useIncreasingNonce(ex);
  ex.urls.api = overrideApiUrls(ex.urls.api, baseUrl);
  // ccxt refuses plain ws:// URLs until its http agent is loaded (Exchange.getHttpAgentIfNeeded).
  await ex.loadHttpProxyAgent();
  return ex;
}
