/** Node-RED types used by the glue (type-only: nothing here loads node-red at run time). */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ExchangeSession } from '../../core/session/exchange-session';

export type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow };

/** The tradebot-exchange config node as other nodes see it. */
export interface ExchangeConfigNode extends Node {
  /** Present when the config was valid. */
  session?: ExchangeSession;
  /** Why there is no session: a sentence naming the field. */
  configError?: string;
  /** The Redis connection state is kept in, when one is selected (for statuses). */
  redisHub?: import('../../core/redis/redis-hub').RedisHub;
}

/** One message, or one per output; an output may get several messages (an array), as Node-RED allows. */
export type SendFn = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFn = (err?: Error) => void;
