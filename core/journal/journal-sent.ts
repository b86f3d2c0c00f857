/**
 * What a node sends, written to the trade journal of its exchange: the payloads of the messages
 * handed to send() (one message, or an array per output of messages or arrays), by their kind.
 * Used by the nodes (nodes/shared/journal-sent.ts) and by the backtest's compiled path.
 */
import type { Journal } from './journal';
import type { Lifecycle, OrderRequest, Rejection, Signal } from '../contract';

export function journalSent(journal: Journal | undefined, out: unknown): void {
  if (!journal || out === null || out === undefined) return;
  if (Array.isArray(out)) {
    for (const item of out) journalSent(journal, item);
    return;
  }
  const payload = (out as { payload?: unknown }).payload as { kind?: unknown } | undefined;
  if (!payload || typeof payload !== 'object') return;
  try {
    switch (payload.kind) {
      case 'signal':
        journal.signal(payload as Signal);
        break;
      case 'rejection': {
        const rejection = payload as Rejection;
        journal.rejection(rejection);
        // A breaker that trips is a lifecycle event of the bot too.
        if (rejection.trip) journal.lifecycle({ kind: 'lifecycle', event: 'breaker', exchange: journal.exchange, reason: rejection.reason, ts: rejection.ts, ...(rejection.symbol ? { symbol: rejection.symbol } : {}) });
        break;
      }
      case 'orderRequest':
        journal.orderRequest(payload as OrderRequest);
        break;
      case 'lifecycle':
        journal.lifecycle(payload as Lifecycle);
        break;
    }
  } catch {
    /* the journal never stands in the flow's way */
  }
}
