/**
 * A consumer-group reader of one stream, for the stream-in node.
 *
 * - The group is created (XGROUP CREATE ... MKSTREAM) when missing, starting at `$` (only new
 *   entries) or `0` (the whole stream); it exists already: fine. Redis lost it (restart without
 *   persistence): it is created again when a read says NOGROUP.
 * - New entries are read with XREADGROUP BLOCK on a connection of its own (a blocking read must
 *   not hold up the shared command connection), up to `batch` at a time, and each is delivered
 *   with `stream = {key, group, consumer, id, deliveries}`. Nothing is acknowledged here: the
 *   flow acknowledges (XACK) when it finished the entry (stream-ack node), so an entry whose
 *   processing never finished stays pending.
 * - A timer claims (XAUTOCLAIM) entries that have been pending longer than `claimAfterMs`, from
 *   any consumer of the group (a Node-RED that died, a flow that never acked, this very reader
 *   after a redeploy) and delivers them again, with their delivery count. An entry delivered
 *   more than `maxDeliveries` times is acknowledged and reported as a dead letter (and XADDed
 *   to `<key>:dead` if asked), so one poison entry cannot circle for ever.
 * - Entries that are not valid tradebot messages are dead letters at once.
 * - Redis restarts: the blocking connection reconnects by itself and the read is sent again;
 *   errors are retried with backoff, never given up.
 *
 * Delivery is at-least-once: an entry may come twice (claimed while still being worked on, or
 * processed but not yet acknowledged when Redis or Node-RED went down). Order requests are safe
 * with that: the place-order node refuses a client order id it has seen.
 */
import { ContractError } from '../contract';
import { watchState, type ConnectionState, type RedisClient } from './connection';
import { decodeStreamMessage, ensureGroup, entryFields, redisMessage, type StreamMessage, type StreamOrigin } from './streams';

export interface StreamReaderOptions {
  key: string;
  group: string;
  consumer: string;
  start: '$' | '0';
  /** Entries per XREADGROUP / XAUTOCLAIM. */
  batch: number;
  /** How long one XREADGROUP blocks before it is sent again (ms). */
  blockMs?: number;
  claimAfterMs: number;
  maxDeliveries: number;
  /** XADD dead letters to `<key>:dead` too. */
  deadLetter: boolean;
  /** Approximate cap of the dead-letter stream. */
  deadLetterMaxLen?: number;
  /** Reading waits for this (the flows started: no message may go to nodes not yet created). */
  startAfter?: Promise<unknown>;
}

export interface DeadLetter {
  id: string;
  deliveries: number;
  reason: string;
  /** The entry's `msg` field as it was, if it had one. */
  raw?: string;
  /** Where it was written, when dead letters go to a stream. */
  deadKey?: string;
}

export interface StreamReaderHandlers {
  /** One entry, as a flow message. */
  deliver(msg: StreamMessage & { stream: StreamOrigin }): void;
  deadLetter?(letter: DeadLetter): void;
  /** The reading connection's state; `detail` is the last error. */
  state?(state: ConnectionState, detail?: string): void;
  /** The group's pending entries (all consumers), refreshed on every claim round. */
  pending?(count: number): void;
  /** Something failed that the reader retries by itself (for logs and statuses). */
  problem?(message: string): void;
}

type RawEntry = [id: string, fields: string[]] | null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often to look for entries to claim: twice per claim time, between 0.25 s and 5 s. */
export function claimIntervalMs(claimAfterMs: number): number {
  return Math.min(5000, Math.max(250, Math.floor(claimAfterMs / 2)));
}

export class StreamReader {
  delivered = 0;
  claimed = 0;
  deadLetters = 0;
  pending = 0;
  private stopped = false;
  private groupReady = false;
  private loop: Promise<void> | undefined;
  private claimTimer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;

  constructor(
    /** A connection of its own, with an offline queue: XREADGROUP BLOCK waits on it. */
    private readonly blocking: RedisClient,
    /** The shared command connection: claims, acks of dead letters, pending counts. */
    private readonly commands: RedisClient,
    private readonly options: StreamReaderOptions,
    private readonly handlers: StreamReaderHandlers,
  ) {}

  start(): void {
    if (this.loop) return;
    watchState(this.blocking, (state, detail) => {
      if (!this.stopped) this.handlers.state?.(state, detail);
    });
    this.loop = this.readLoop();
    this.claimTimer = setInterval(() => void this.claimRound(), claimIntervalMs(this.options.claimAfterMs));
  }

  /**
   * Stops reading and claiming. The caller then closes the blocking connection, which ends a
   * read in progress; entries delivered and not acknowledged stay pending for a later claim.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.claimTimer) clearInterval(this.claimTimer);
    this.claimTimer = undefined;
    // Stopping only waits for a claim round to end; its failure was handled in the round.
    await this.claiming?.catch(() => undefined);
  }

  private async readLoop(): Promise<void> {
    const { key, group, consumer, batch } = this.options;
    await this.options.startAfter;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!this.groupReady) {
          await ensureGroup(this.blocking, key, group, this.options.start);
          this.groupReady = true;
        }
        const reply = (await this.blocking.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', batch, 'BLOCK', this.options.blockMs ?? 5000, 'STREAMS', key, '>')) as
          | Array<[string, RawEntry[]]>
          | null;
        failures = 0;
        if (this.stopped) return;
        for (const [, entries] of reply ?? []) await this.handle(entries, () => 1);
      } catch (err) {
        if (this.stopped) return;
        const text = redisMessage(err);
        if (/NOGROUP/.test(text)) this.groupReady = false;
        this.handlers.problem?.(`reading stream "${key}" (group ${group}): ${text}`);
        await sleep(Math.min(5000, 200 * 2 ** Math.min(failures++, 5)));
      }
    }
  }

  /** Delivers entries, or dead-letters those delivered too often or not readable. */
  private async handle(entries: RawEntry[], deliveriesOf: (id: string) => number): Promise<void> {
    const { key, group, consumer, maxDeliveries } = this.options;
    for (const entry of entries) {
      if (!entry || this.stopped) continue; // null: deleted (trimmed) while pending
      const [id, list] = entry;
      const raw = entryFields(list ?? []).get('msg');
      const deliveries = deliveriesOf(id);
      if (deliveries > maxDeliveries) {
        await this.bury({ id, deliveries, raw, reason: `delivered ${deliveries} times (more than max deliveries ${maxDeliveries}) and never acknowledged` });
        continue;
      }
      let message: StreamMessage;
      try {
        message = decodeStreamMessage(raw, id);
      } catch (err) {
        if (!(err instanceof ContractError)) throw err;
        await this.bury({ id, deliveries, raw, reason: `not a valid tradebot message: ${err.message}` });
        continue;
      }
      this.delivered++;
      this.handlers.deliver({ ...message, stream: { key, group, consumer, id, deliveries } });
    }
  }

  /** Acknowledges a dead letter (so it is not claimed again), keeps it in `<key>:dead` if asked, reports it. */
  private async bury(letter: DeadLetter): Promise<void> {
    const { key, group, consumer, deadLetter, deadLetterMaxLen = 10_000 } = this.options;
    try {
      if (deadLetter) {
        letter.deadKey = `${key}:dead`;
        const fields = ['msg', letter.raw ?? '', 'id', letter.id, 'group', group, 'consumer', consumer, 'deliveries', String(letter.deliveries), 'reason', letter.reason];
        await this.commands.call('XADD', letter.deadKey, 'MAXLEN', '~', String(deadLetterMaxLen), '*', ...fields);
      }
      await this.commands.call('XACK', key, group, letter.id);
    } catch (err) {
      // It stays pending and comes back at the next claim round.
      this.handlers.problem?.(`dead letter ${letter.id} of "${key}" not recorded yet, retried later: ${redisMessage(err)}`);
      return;
    }
    this.deadLetters++;
    this.handlers.deadLetter?.(letter);
  }

  /** Claims entries pending too long, delivers them again; refreshes the pending count. */
  private claimRound(): Promise<void> {
    if (this.claiming || this.stopped || this.commands.status !== 'ready' || !this.groupReady) return Promise.resolve();
    this.claiming = this.claimAll().finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  private async claimAll(): Promise<void> {
    const { key, group, consumer, batch, claimAfterMs } = this.options;
    try {
      let cursor = '0-0';
      // A bounded amount per round (the rest comes next round), so a huge backlog cannot starve reads.
      for (let round = 0; round < 10 && !this.stopped; round++) {
        const [next, entries] = (await this.commands.call('XAUTOCLAIM', key, group, consumer, Math.round(claimAfterMs), cursor, 'COUNT', batch)) as [string, RawEntry[], string[]?];
        const live = entries.filter((e): e is [string, string[]] => Boolean(e));
        if (live.length) {
          const counts = await this.deliveryCounts(live.map(([id]) => id));
          this.claimed += live.length;
          await this.handle(live, (id) => counts.get(id) ?? 2);
        }
        if (next === '0-0') break;
        cursor = next;
      }
      const summary = (await this.commands.call('XPENDING', key, group)) as [number, ...unknown[]];
      this.pending = Number(summary[0]) || 0;
      this.handlers.pending?.(this.pending);
    } catch (err) {
      if (this.stopped) return;
      const text = redisMessage(err);
      if (/NOGROUP/.test(text)) this.groupReady = false;
      this.handlers.problem?.(`claiming pending entries of "${key}" (group ${group}): ${text}`);
    }
  }

  /** Delivery counts of entries this consumer just claimed (XAUTOCLAIM counted the claim). */
  private async deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const { key, group, consumer } = this.options;
    const pipeline = this.commands.pipeline();
    for (const id of ids) pipeline.call('XPENDING', key, group, id, id, 1, consumer);
    const replies = (await pipeline.exec()) ?? [];
    const counts = new Map<string, number>();
    for (const [err, rows] of replies) {
      if (err) continue;
      for (const row of (rows as Array<[string, string, number, number]>) ?? []) counts.set(row[0], Number(row[3]));
    }
    return counts;
  }
}
