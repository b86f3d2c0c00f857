/** The tradebot-redis config node as other nodes see it. */
import type { RedisHub } from '../../core/redis/redis-hub';
import type { Node } from './types';

export interface RedisConfigNode extends Node {
  hub?: RedisHub;
  configError?: string;
}
