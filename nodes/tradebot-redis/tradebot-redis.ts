/**
 * tradebot-redis (config): one Redis server (or Sentinel group, or Cluster) for persistent
 * state, the market-data cache and the streams bus. The password and username are Node-RED
 * credentials. Glue only: core/redis connects.
 */
import { configNodeError } from '../shared/config-error';
import { ConfigError } from '../../core/errors';
import { parseRedisSettings } from '../../core/redis/connection';
import { RedisHub } from '../../core/redis/redis-hub';
import type { RedisConfigNode } from '../shared/redis-config';
import { guardOutputs, holdSecrets } from '../shared/redaction';
import { redisSecrets } from '../../core/redis/connection';
import type { NodeAPI, NodeDef } from '../shared/types';

interface RedisNodeDef extends NodeDef {
  url: string;
  db: string | number;
  keyPrefix: string;
  tlsRejectUnauthorized: boolean;
  options: string;
  cluster: boolean;
}

export = function register(RED: NodeAPI): void {
  function TradebotRedisNode(this: RedisConfigNode & { credentials?: { username?: string; password?: string } }, config: RedisNodeDef) {
    RED.nodes.createNode(this, config);
    // The password (typed, in the URL, or in the options' sentinel settings) is redacted from every text any node shows.
    guardOutputs(this);
    holdSecrets(this, [this.credentials?.password, ...redisSecrets(config.url, config.options)]);
    try {
      let options: Record<string, unknown> = {};
      if (config.options && String(config.options).trim()) {
        try {
          options = JSON.parse(config.options);
        } catch {
          throw new ConfigError('redis.options: must be JSON, for example {"sentinels":[{"host":"10.0.0.5","port":26379}],"name":"mymaster"}', 'redis.options');
        }
      }
      const settings = parseRedisSettings({
        url: config.url || undefined,
        db: config.db,
        keyPrefix: config.keyPrefix ?? undefined,
        tlsRejectUnauthorized: config.tlsRejectUnauthorized !== false,
        options,
        cluster: config.cluster === true,
        username: this.credentials?.username || undefined,
        password: this.credentials?.password || undefined,
      });
      this.hub = new RedisHub(settings);
    } catch (err) {
      configNodeError(this, err, { log: true });
    }
    this.on('close', (_removed: boolean, done: () => void) => {
      const hub = this.hub;
      this.hub = undefined;
      (hub ? hub.close() : Promise.resolve()).finally(done);
    });
  }
  RED.nodes.registerType('tradebot-redis', TradebotRedisNode as any, { credentials: { username: { type: 'text' }, password: { type: 'password' } } });
};
