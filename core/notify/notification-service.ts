/**
 * One notifier node's machinery: the Notifier's decisions, a delivery queue per channel, the
 * pass-through text, and counts for the status and the metrics. handle() never throws and never
 * waits: delivery happens in the background.
 */
import * as metrics from '../metrics';
import type { Channel } from './channels';
import { DeliveryQueue, type DeliveryOptions } from './delivery-queue';
import { Notifier, type NotifierSettings, type NotifyOutcome } from './notifier';
import type { TextFormat } from './templates';

export interface ServiceEvents {
  /** The plain text of each notification (after batching), for the node's pass-through output. */
  passThrough(text: string): void;
  /** Something a person should see in the status. */
  status(text: string, level: 'ok' | 'warn' | 'error'): void;
  /** A notification was given up; `reason` never contains secrets. */
  dropped(channel: string, reason: string): void;
}

export class NotificationService {
  readonly stats = { delivered: 0, dropped: 0, skipped: 0 };
  private readonly queues: DeliveryQueue[];
  private readonly notifier: Notifier;

  constructor(settings: NotifierSettings, channels: Channel[], private readonly events: ServiceEvents, queue?: DeliveryOptions) {
    this.queues = channels.map(
      (channel) =>
        new DeliveryQueue(
          channel,
          {
            delivered: (name) => {
              this.stats.delivered++;
              metrics.notifierDeliveries.inc({ channel: name });
              this.events.status(this.summary(), 'ok');
            },
            dropped: (name, _text, reason) => {
              this.stats.dropped++;
              metrics.notifierDrops.inc({ channel: name });
              this.events.dropped(name, reason);
              this.events.status(`${this.summary()}: ${reason}`, 'warn');
            },
            retrying: (name, reason, inMs) => this.events.status(`${name}: ${reason}, retry in ${Math.ceil(inMs / 1000)} s`, 'warn'),
          },
          queue,
        ),
    );
    const formats = [...new Set<TextFormat>(['plain', ...channels.map((c) => c.format)])];
    this.notifier = new Notifier(settings, formats, (format, text) => {
      if (format === 'plain') this.events.passThrough(text);
      for (const q of this.queues) if (q.channel.format === format) q.push(text);
    });
  }

  handle(msg: Record<string, any>): NotifyOutcome {
    const outcome = this.notifier.notify(msg);
    if ('skipped' in outcome) this.stats.skipped++;
    return outcome;
  }

  /** Flushes the batch and lets the queues deliver what they hold for up to `graceMs`. */
  close(graceMs = 10_000): Promise<void> {
    this.notifier.flush();
    return Promise.all(this.queues.map((q) => q.closeWhenDrained(graceMs))).then(() => undefined);
  }

  private summary(): string {
    return `sent ${this.stats.delivered}${this.stats.dropped ? `, dropped ${this.stats.dropped}` : ''}`;
  }
}
