/**
 * Prometheus metrics of every tradebot node in this process, in one prom-client registry of our
 * own (not prom-client's global default, so other packages' metrics cannot collide with ours).
 * Served by GET /tradebot/metrics. Names follow Prometheus conventions: *_total for counters,
 * base units (seconds).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

/**
 * Message counts of one node, kept as plain numbers and added to the counters when they are read
 * (scraped): a counter's inc() hashes its labels, too dear per message when a backtest sends
 * hundreds of thousands a second.
 */
export interface MessageCounts {
  in: number;
  out: number;
  /** Adds what is counted to the counters and stops counting (the node closed). */
  close(): void;
}
const messageCounts = new Set<MessageCounts & { labels: { node: string; type: string } }>();

function flushMessageCounts(c: MessageCounts & { labels: { node: string; type: string } }): void {
  if (c.in) messagesIn.inc(c.labels, c.in);
  if (c.out) messagesOut.inc(c.labels, c.out);
  c.in = 0;
  c.out = 0;
}

export function countMessages(labels: { node: string; type: string }): MessageCounts {
  const c = {
    labels,
    in: 0,
    out: 0,
    close() {
      flushMessageCounts(c);
      messageCounts.delete(c);
    },
  };
  messageCounts.add(c);
  return c;
}

/** A per-node message counter; the plain counts are added to it when Prometheus scrapes. */
function messageCounter(name: string, help: string): Counter<'node' | 'type'> {
  return new Counter({
    name,
    help,
    labelNames: ['node', 'type'] as const,
    registers: [registry],
    collect() {
      for (const c of messageCounts) flushMessageCounts(c);
    },
  });
}
export const messagesIn = messageCounter('tradebot_messages_in_total', 'Messages received by a tradebot node');
export const messagesOut = messageCounter('tradebot_messages_out_total', 'Messages sent by a tradebot node');
export const nodeErrors = new Counter({ name: 'tradebot_errors_total', help: 'Errors reported by a tradebot node (done(err) or node.error)', labelNames: ['node', 'type'] as const, registers: [registry] });
export const validationFailures = new Counter({ name: 'tradebot_validation_failures_total', help: 'Messages refused because they do not fit the message contract', labelNames: ['node', 'type'] as const, registers: [registry] });
export const orders = new Counter({
  name: 'tradebot_orders_total',
  help: 'Orders by outcome: placed (accepted by the exchange or simulator), filled, rejected, canceled, expired',
  labelNames: ['exchange', 'mode', 'outcome'] as const,
  registers: [registry],
  collect() {
    for (const c of orderCounts.values()) flushOrderCount(c);
  },
});

/** Order outcomes counted as a plain number, added to `orders` when it is read (as the message counts are). */
export interface OrderCount {
  readonly labels: { exchange: string; mode: string; outcome: string };
  n: number;
}
/** One count per set of labels (as many as the counter itself has series). */
const orderCounts = new Map<string, OrderCount>();

function flushOrderCount(c: OrderCount): void {
  if (c.n) orders.inc(c.labels, c.n);
  c.n = 0;
}

/** The count of orders with these labels: `count.n++` counts one (a backtest books thousands a second). */
export function orderCount(labels: { exchange: string; mode: string; outcome: string }): OrderCount {
  const key = `${labels.exchange}\u0000${labels.mode}\u0000${labels.outcome}`;
  let c = orderCounts.get(key);
  if (!c) {
    c = { labels: { exchange: labels.exchange, mode: labels.mode, outcome: labels.outcome }, n: 0 };
    orderCounts.set(key, c);
  }
  return c;
}
export const orderLatency = new Histogram({
  name: 'tradebot_order_latency_seconds',
  help: 'From sending an order to its first definite answer (accepted, filled or rejected)',
  labelNames: ['exchange', 'mode'] as const,
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
export const reconnects = new Counter({ name: 'tradebot_ws_reconnects_total', help: 'Market data streams that failed and retried (websocket or polling)', labelNames: ['exchange'] as const, registers: [registry] });
export const notifierDeliveries = new Counter({ name: 'tradebot_notifier_deliveries_total', help: 'Notifications delivered', labelNames: ['channel'] as const, registers: [registry] });
export const notifierDrops = new Counter({ name: 'tradebot_notifier_drops_total', help: 'Notifications given up (queue full, permanent error, retries exhausted)', labelNames: ['channel'] as const, registers: [registry] });

/** Equity per account, read when scraped. */
const equitySources = new Set<() => Array<{ exchange: string; mode: string; currency: string; equity: number }>>();
export const equity = new Gauge({
  name: 'tradebot_equity',
  help: 'Account equity in its reporting currency',
  labelNames: ['exchange', 'mode', 'currency'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const source of equitySources) for (const e of source()) this.set({ exchange: e.exchange, mode: e.mode, currency: e.currency }, e.equity);
  },
});

export function addEquitySource(source: () => Array<{ exchange: string; mode: string; currency: string; equity: number }>): () => void {
  equitySources.add(source);
  return () => equitySources.delete(source);
}
