/**
 * tradebot-stream-out (palette: stream out): writes each message to a Redis stream (XADD with
 * MAXLEN ~), for stream-in nodes of other Node-RED instances. done() once Redis has the entry;
 * done(err) when the message is not a valid tradebot message (naming the field) or Redis is
 * not reachable: nothing is lost silently. Glue only: core/redis/streams writes.
 */
import { parseStreamOutSettings, StreamWriter } from '../../core/redis/streams';
import type { RedisHub } from '../../core/redis/redis-hub';
import type { RedisConfigNode } from '../shared/redis-config';
import { instrument } from '../shared/instrument';
import { setUpNode } from '../shared/config-error';
import { statusFor, StatusThrottle } from '../shared/status';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';

type StreamOutNodeDef = NodeDef & { redis: string; key: string; maxLen: string | number };

export = function register(RED: NodeAPI): void {
  function TradebotStreamOutNode(this: Node, config: StreamOutNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    const status = new StatusThrottle((s) => node.status(s));
    let written = 0;
    // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/config-error.ts).
    setUpNode(RED, node, () => {
      const redisNode = config.redis ? (RED.nodes.getNode(config.redis) as RedisConfigNode | null) : null;
      if (!redisNode?.hub) throw new Error(`stream.redis: ${redisNode?.configError ?? 'pick or add a tradebot redis config node'}`);
      const hub: RedisHub = redisNode.hub;
      const settings = parseStreamOutSettings({ key: config.key, maxLen: config.maxLen });
      const writer = new StreamWriter(hub.client(), settings.key, settings.maxLen);
      const stopState = hub.onState((state, detail) => {
        if (state === 'connected') status.now(statusFor('live', `${settings.key}: ${written} written`));
        else if (state !== 'connecting') status.now(statusFor('reconnecting', `Redis ${state}: writes fail${detail ? ` (${detail})` : ''}`.slice(0, 80)));
      });

      node.on('input', (msg: NodeMessageInFlow & Record<string, any>, _send: SendFn, done: DoneFn) => {
        writer.write(msg).then(
          () => {
            written++;
            status.update(statusFor('live', `${writer.key}: ${written} written`));
            done();
          },
          (err: Error) => {
            status.now(statusFor('error', `${err.message}`.slice(0, 80)));
            done(err);
          },
        );
      });

      node.on('close', () => {
        stopState();
        status.clear();
      });
    });
  }

  RED.nodes.registerType('tradebot-stream-out', TradebotStreamOutNode as any);
};
