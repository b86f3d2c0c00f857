/**
 * The connection to a real exchange that paper and live trading share: ONE ccxt instance per
 * exchange node (markets load once, one rate limiter paces every request), its capability profile
 * written to the log once, and the Redis market-data cache in front when the node has a Redis.
 */
import { describeProfile, exchangeProfile } from '../exchanges/profile';
import { CachedSource } from '../market/cached-source';
import { CcxtSource } from '../market/ccxt-source';
import type { MarketSource } from '../market/market-source';
import type { LiveSettings, PaperSettings } from './mode-settings';
import type { ModeHost } from './session-mode';

export async function connectExchange(s: PaperSettings | LiveSettings, host: ModeHost): Promise<MarketSource> {
  const ccxtSource = await CcxtSource.create({
    exchangeId: s.exchangeId,
    sandbox: s.sandbox,
    baseUrl: s.baseUrl,
    credentials: s.credentials,
    timeoutMs: s.timeoutMs,
    websocket: s.websocket,
  });
  // What the exchange can do (transports, client order id, lookups, stops), once per deploy.
  host.log.info(describeProfile(exchangeProfile(ccxtSource.ccxt, ccxtSource.websocketAllowed)));
  // CachedSource exposes `ccxt` too, for the live executor.
  if (host.redis) return new CachedSource(ccxtSource, { redis: host.redis.hub.client(), onStatus: host.redis.onStatus });
  return ccxtSource;
}
