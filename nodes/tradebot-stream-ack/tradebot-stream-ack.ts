/**
 * tradebot-stream-ack (palette: stream ack): acknowledges (XACK) the stream entry a message came
 * from (msg.stream, set by a stream-in node) and passes the message on. Wire it where the flow
 * has finished the message, or feed it from a core complete node watching the last node.
 * Glue only: core/redis/streams acknowledges.
 */
import { ackEntry } from '../../core/redis/streams';
import type { RedisClient } from '../../core/redis/connection';
import type { RedisConfigNode } from '../shared/redis-config';
import { instrument } from '../shared/instrument';
import { setUpNode } from '../shared/config-error';
import { statusFor, StatusThrottle } from '../shared/status';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';

type StreamAckNodeDef = NodeDef & { redis: string };

export = function register(RED: NodeAPI): void {
  function TradebotStreamAckNode(this: Node, config: StreamAckNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    const status = new StatusThrottle((s) => node.status(s));
    let acked = 0;
    let already = 0;
    // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/config-error.ts).
    setUpNode(RED, node, () => {
      const redisNode = config.redis ? (RED.nodes.getNode(config.redis) as RedisConfigNode | null) : null;
      if (!redisNode?.hub) throw new Error(`stream.redis: ${redisNode?.configError ?? 'pick the tradebot redis config node of the stream in node'}`);
      const client: RedisClient = redisNode.hub.client();

      node.on('input', (msg: NodeMessageInFlow & Record<string, any>, send: SendFn, done: DoneFn) => {
        ackEntry(client, msg.stream).then(
          (count) => {
            if (count > 0) acked++;
            else already++;
            status.update(statusFor('live', `${acked} acked${already ? ` · ${already} not pending` : ''}`));
            send(msg);
            done();
          },
          (err: Error) => {
            status.now(statusFor('error', err.message.slice(0, 80)));
            done(err);
          },
        );
      });

      node.on('close', () => status.clear());
    });
  }

  RED.nodes.registerType('tradebot-stream-ack', TradebotStreamAckNode as any);
};
