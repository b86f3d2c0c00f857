/**
 * Client-order-id claims in Redis: SET NX, atomic, so of two instances that both want to send the
 * same order exactly one gets it. A claim names its instance: after a restart, an instance may
 * still send an order it claimed but never recorded (it crashed between claim and record, so the
 * order was never sent). Claims expire after 30 days.
 */
import type { OrderClaims } from '../trading/order-claims';
import { ready, type RedisClient } from './connection';

const TTL_SECONDS = 30 * 24 * 3600;

export class RedisOrderClaims implements OrderClaims {
  constructor(
    private readonly redis: RedisClient,
    private readonly instance: string,
    private readonly prefix = 'claim:',
  ) {}

  async claim(clientOrderId: string): Promise<boolean> {
    await ready(this.redis);
    const key = this.prefix + clientOrderId;
    const set = await this.redis.set(key, this.instance, 'EX', TTL_SECONDS, 'NX');
    if (set === 'OK') return true;
    return (await this.redis.get(key)) === this.instance;
  }
}
