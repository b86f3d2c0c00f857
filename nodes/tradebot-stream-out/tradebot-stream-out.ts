/**
 * tradebot-stream-out (palette: stream out): writes each message to a Redis stream (XADD with
 * MAXLEN ~), for stream-in nodes of other Node-RED instances. done() once Redis has the entry;
 * done(err) when the message is not a valid tradebot message (naming the field) or Redis is
 * not reachable: nothing is lost silently. Glue only: core/redis/streams writes.
 */
import { ConfigError } from '../../core/errors';
import { parseStreamOutSettings, StreamWriter } from '../../core/redis/streams';
import type { RedisHub } from '../../core/redis/redis-hub';
import type { RedisConfigNode } from '../shared/redis-config';
import { registerTradebotNode } from '../shared/node-harness';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';

type StreamOutNodeDef = NodeDef & { redis: string; key: string; maxLen: string | number };

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<StreamOutNodeDef>(RED, 'tradebot-stream-out', (kit, config) => {
    const { node } = kit;
    const status = kit.status;
    let written = 0;
    const redisNode = kit.configNode<RedisConfigNode>(config.redis);
    if (!redisNode?.hub) throw new ConfigError(`stream.redis: ${redisNode?.configError ?? 'pick or add a tradebot redis config node'}`, 'stream.redis');
    const hub: RedisHub = redisNode.hub;
    const settings = parseStreamOutSettings({ key: config.key, maxLen: config.maxLen });
    const writer = new StreamWriter(hub.client(), settings.key, settings.maxLen);
    const stopState = hub.onState((state, detail) => {
      if (state === 'connected') status.now(statusFor('live', `${settings.key}: ${written} written`));
      else if (state !== 'connecting') status.now(statusFor('reconnecting', `Redis ${state}: writes fail${detail ? ` (${detail})` : ''}`.slice(0, 80)));
    });

    kit.onInput((msg) =>
      writer.write(msg).then(
        () => {
          written++;
          status.update(statusFor('live', `${writer.key}: ${written} written`));
        },
        (err: Error) => {
          status.now(statusFor('error', `${err.message}`.slice(0, 80)));
          throw err;
        },
      ),
    );

    node.on('close', () => stopState());
  });
};
