/** What a message is about, for the notifier's filters, intervals and default templates. */
export const NOTIFY_KINDS = ['signal', 'order', 'rejection', 'breaker', 'error', 'summary', 'other'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

export function kindOf(msg: { payload?: unknown; error?: unknown }): NotifyKind {
  if (msg.error) return 'error';
  const p = msg.payload as { kind?: unknown; code?: unknown } | undefined;
  switch (p && typeof p === 'object' ? p.kind : undefined) {
    case 'signal':
      return 'signal';
    case 'orderUpdate':
      return 'order';
    case 'rejection':
      return p!.code === 'DRAWDOWN_BREAKER' ? 'breaker' : 'rejection';
    case 'portfolio':
      return 'summary';
    default:
      return 'other';
  }
}
