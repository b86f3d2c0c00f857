/**
 * tradebot-stream-ack (palette: stream ack): acknowledges (XACK) the stream entry a message came
 * from (msg.stream, set by a stream-in node) and passes the message on. Wire it where the flow
 * has finished the message, or feed it from a core complete node watching the last node.
 * Glue only: core/redis/streams acknowledges.
 */
import { ConfigError } from '../../core/errors';
import { ackEntry } from '../../core/redis/streams';
import type { RedisClient } from '../../core/redis/connection';
import type { RedisConfigNode } from '../shared/redis-config';
import { registerTradebotNode } from '../shared/node-harness';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';

type StreamAckNodeDef = NodeDef & { redis: string };

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<StreamAckNodeDef>(RED, 'tradebot-stream-ack', (kit, config) => {
    const status = kit.status;
    let acked = 0;
    let already = 0;
    const redisNode = kit.configNode<RedisConfigNode>(config.redis);
    if (!redisNode?.hub) throw new ConfigError(`stream.redis: ${redisNode?.configError ?? 'pick the tradebot redis config node of the stream in node'}`, 'stream.redis');
    const client: RedisClient = redisNode.hub.client();

    kit.onInput((msg, send) =>
      ackEntry(client, msg.stream).then(
        (count) => {
          if (count > 0) acked++;
          else already++;
          status.update(statusFor('live', `${acked} acked${already ? ` · ${already} not pending` : ''}`));
          send(msg);
        },
        (err: Error) => {
          status.now(statusFor('error', err.message.slice(0, 80)));
          throw err;
        },
      ),
    );
  });
};
