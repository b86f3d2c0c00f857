/**
 * A REAL ccxt luno (pro, websocket-capable) pointed at a MockLuno, built with the same loader and
 * URL override the product uses (core/market/ccxt-loader.ts):
 *   https://api.luno.com/api           -> http://127.0.0.1:PORT/api
 *   https://api.luno.com/api/exchange  -> http://127.0.0.1:PORT/api/exchange
 *   wss://ws.luno.com/api/1            -> ws://127.0.0.1:PORT/api/1
 */
import { loadExchangeClass, overrideApiUrls } from '../../core/market/ccxt-loader';

/**
 * @param baseUrl  the mock's base URL, `http://127.0.0.1:PORT`
 * @param config   constructor settings, e.g. `{ apiKey, secret, timeout: 1000 }`; rateLimit defaults
 *                 to 10 ms (ccxt's 200 ms would pace every test call)
 */
export async function ccxtLunoForMock(baseUrl: string, config: Record<string, unknown> = {}): Promise<any> {
  const Luno = await loadExchangeClass('luno');
  const ex = new Luno({ rateLimit: 10, ...config });
  ex.urls.api = overrideApiUrls(ex.urls.api, baseUrl);
  // ccxt refuses plain ws:// URLs until its http agent is loaded (Exchange.getHttpAgentIfNeeded).
  await ex.loadHttpProxyAgent();
  return ex;
}
