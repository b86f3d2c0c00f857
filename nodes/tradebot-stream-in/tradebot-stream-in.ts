/**
 * tradebot-stream-in (palette: stream in): reads a Redis stream as one consumer of a consumer
 * group and sends each entry as a message with msg.stream = {key, group, consumer, id,
 * deliveries}. Entries are acknowledged by a stream-ack node when the flow finished them;
 * entries left pending (by this or a dead consumer) are claimed again after "claim after".
 * Glue only: core/redis/stream-reader reads.
 */
import { ConfigError } from '../../core/errors';
import { defaultConsumerName, parseStreamInSettings } from '../../core/redis/streams';
import { StreamReader } from '../../core/redis/stream-reader';
import type { RedisClient } from '../../core/redis/connection';
import type { RedisHub } from '../../core/redis/redis-hub';
import { flowsStarted } from '../shared/flows-started';
import type { RedisConfigNode } from '../shared/redis-config';
import { registerTradebotNode } from '../shared/node-harness';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';

type StreamInNodeDef = NodeDef & {
  redis: string;
  key: string;
  group: string;
  consumer?: string;
  start?: string;
  batch?: string | number;
  claimAfterSec?: string | number;
  maxDeliveries?: string | number;
  deadLetter?: boolean;
};

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, saying which (shared/node-harness.ts).
  registerTradebotNode<StreamInNodeDef>(RED, 'tradebot-stream-in', (kit, config) => {
    const { node } = kit;
    const status = kit.status;
    let hub: RedisHub | undefined;
    let blocking: RedisClient | undefined;
    let reader: StreamReader | undefined;
    // Registered first: a set-up that fails half-way still releases what it took.
    node.on('close', (_removed: boolean, done: () => void) => {
      const stopping = reader ? reader.stop() : Promise.resolve();
      if (blocking) hub!.release(blocking); // ends a blocking read in progress
      void stopping.finally(done);
    });
    const redisNode = kit.configNode<RedisConfigNode>(config.redis);
    if (!redisNode?.hub) throw new ConfigError(`stream.redis: ${redisNode?.configError ?? 'pick or add a tradebot redis config node'}`, 'stream.redis');
    hub = redisNode.hub;
    const settings = parseStreamInSettings({
      key: config.key,
      group: config.group,
      consumer: config.consumer ?? '',
      start: config.start || undefined,
      batch: config.batch,
      claimAfterSec: config.claimAfterSec,
      maxDeliveries: config.maxDeliveries,
      deadLetter: config.deadLetter !== false,
    });
    const consumer = settings.consumer || defaultConsumerName(node.id);
    let connection = 'connecting';
    const show = () => {
      const text = `${connection} · ${reader!.delivered} delivered · ${reader!.pending} pending`;
      status.update(statusFor(connection === 'connected' ? 'live' : 'reconnecting', text));
    };
    blocking = hub.dedicated(`stream-in-${node.id}`);
    reader = new StreamReader(
      blocking,
      hub.client(),
      {
        key: settings.key,
        group: settings.group,
        consumer,
        start: settings.start,
        batch: settings.batch,
        claimAfterMs: settings.claimAfterSec * 1000,
        maxDeliveries: settings.maxDeliveries,
        deadLetter: settings.deadLetter,
        startAfter: flowsStarted(RED),
      },
      {
        deliver: (msg) => {
          node.send(msg as any);
          show();
        },
        deadLetter: (d) => {
          node.warn(`dead letter: entry ${d.id} of stream "${settings.key}" (group ${settings.group}) acknowledged without being processed: ${d.reason}${d.deadKey ? `; kept in stream "${d.deadKey}"` : ''}`);
        },
        state: (state, detail) => {
          connection = state === 'down' && detail ? `Redis down (${detail})`.slice(0, 50) : state;
          show();
        },
        pending: () => show(),
        problem: (text) => node.debug(text),
      },
    );
    reader.start();
  });
};
