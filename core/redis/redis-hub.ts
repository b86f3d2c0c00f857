/**
 * What one tradebot-redis config node owns: one fail-fast command connection shared by every
 * node on it (state, cache), blocking connections opened per stream reader, and the connection
 * state that nodes show in their status.
 */
import { openRedis, watchState, type ConnectionState, type RedisClient, type RedisSettings } from './connection';

export class RedisHub {
  private command: RedisClient | undefined;
  private readonly others = new Set<RedisClient>();
  private readonly listeners = new Set<(state: ConnectionState, detail?: string) => void>();
  state: ConnectionState = 'connecting';
  detail: string | undefined;

  constructor(readonly settings: RedisSettings) {}

  /** The shared connection for commands; fails fast while Redis is down. */
  client(): RedisClient {
    if (!this.command) {
      this.command = openRedis(this.settings, 'commands', true);
      watchState(this.command, (state, detail) => {
        this.state = state;
        this.detail = detail;
        for (const l of this.listeners) l(state, detail);
      });
    }
    return this.command;
  }

  /** A connection of its own (blocking stream reads must not hold up the shared one). */
  dedicated(purpose: string): RedisClient {
    const client = openRedis(this.settings, purpose, false);
    this.others.add(client);
    return client;
  }

  release(client: RedisClient): void {
    this.others.delete(client);
    client.disconnect();
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState, detail?: string) => void): () => void {
    this.listeners.add(listener);
    listener(this.state, this.detail);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const c of [this.command, ...this.others]) c?.disconnect();
    this.others.clear();
    this.command = undefined;
    this.listeners.clear();
  }
}
