/** What a message is about, for the notifier's filters, intervals and default templates. */
export const NOTIFY_KINDS = ['signal', 'order', 'rejection', 'breaker', 'error', 'summary', 'lifecycle', 'kill', 'forceExit', 'drift', 'other'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

/**
 * Lifecycle events by kind: start and stop are `lifecycle`; kill and resume (the kill switch) are
 * `kill`; a breaker trip is `breaker` (like a DRAWDOWN_BREAKER rejection); a force exit is `forceExit`.
 */
const LIFECYCLE_KIND: Record<string, NotifyKind> = { start: 'lifecycle', stop: 'lifecycle', kill: 'kill', resume: 'kill', breaker: 'breaker', forceExit: 'forceExit' };

export function kindOf(msg: { payload?: unknown; error?: unknown }): NotifyKind {
  if (msg.error) return 'error';
  const p = msg.payload as { kind?: unknown; code?: unknown; event?: unknown } | undefined;
  switch (p && typeof p === 'object' ? p.kind : undefined) {
    case 'signal':
      return 'signal';
    case 'orderUpdate':
      return 'order';
    case 'rejection':
      return p!.code === 'DRAWDOWN_BREAKER' ? 'breaker' : 'rejection';
    case 'portfolio':
      return 'summary';
    case 'drift':
      return 'drift';
    case 'lifecycle':
      return LIFECYCLE_KIND[String(p!.event)] ?? 'other';
    default:
      return 'other';
  }
}
