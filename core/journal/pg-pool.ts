/**
 * The connection pool of one tradebot-database node, shared by the journal stores of every
 * exchange node that selects it. An idle connection that breaks (the server restarted, a network
 * cut) is an 'error' event on the pool; unheard it would end Node-RED, so it is always heard, told
 * once per outage, and the pool makes new connections when asked.
 */
import { Pool } from 'pg';
import { describeJournalError } from './journal';
import { databaseLocation, poolConfig, type DatabaseSettings } from './database-settings';
import { PgJournalStore } from './pg-journal-store';
import type { PgSchemaInfo } from './pg-schema';

export interface JournalPoolOptions {
  /** Where a relative CA file path starts. */
  baseDir?: string;
  /** A broken idle connection, in a sentence without the password (once per outage: until a new connection is made). */
  onConnectionLost?: (text: string) => void;
  /** A store brought the schema up to date (the first time, and after each reopen). */
  onSchema?: (info: PgSchemaInfo) => void;
}

export class JournalPool {
  readonly pool: Pool;
  readonly location: string;
  private readonly stores = new Set<PgJournalStore>();
  private lostTold = false;
  private ended: Promise<void> | undefined;

  constructor(readonly settings: DatabaseSettings, private readonly o: JournalPoolOptions = {}) {
    this.location = databaseLocation(settings);
    this.pool = new Pool(poolConfig(settings, o.baseDir));
    this.pool.on('error', (err) => {
      if (this.lostTold) return;
      this.lostTold = true;
      this.o.onConnectionLost?.(`connection to ${this.location} lost: ${describeJournalError(err)}`);
    });
    // A new connection: the server is reachable again, and the next loss is told again.
    this.pool.on('connect', () => (this.lostTold = false));
  }

  /** A journal store on this pool (one per exchange node). */
  store(): PgJournalStore {
    if (this.ended) throw new Error('the database node is closed');
    const store = new PgJournalStore({
      pool: this.pool,
      schema: this.settings.schema,
      location: this.location,
      onOpen: (info) => this.o.onSchema?.(info),
    });
    this.stores.add(store);
    store.onClose(() => this.stores.delete(store));
    return store;
  }

  /**
   * Ends the pool once its stores are closed (their last writes done), or after `waitMs`: the
   * exchange nodes close at the same time as this node, and their journals write what they hold
   * before they close their stores.
   */
  end(waitMs = 6_000): Promise<void> {
    this.ended ??= (async () => {
      const deadline = Date.now() + waitMs;
      while (this.stores.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Ending the pool at close: a connection that is already gone has nothing left to end.
      await this.pool.end().catch(() => undefined);
    })();
    return this.ended;
  }
}
