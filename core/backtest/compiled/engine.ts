/** Which way a backtest ran (docs/backtest.md, "The fast path"): part of its report. */
export interface BacktestEngine {
  /** "fast": the flow's trading path compiled; "flow": through Node-RED, message by message. */
  path: 'fast' | 'flow';
  /** Why the Node-RED path (absent on the fast path). */
  reason?: string;
  /** The node that kept the run off the fast path, when one did. */
  node?: { id: string; type: string; name: string };
}

/** One line for a status or a page: why the run used the Node-RED path. */
export function engineNote(engine: BacktestEngine): string {
  return engine.path === 'fast' ? 'fast path' : `Node-RED path: ${engine.reason ?? 'not compiled'}`;
}

/**
 * What a status says after "done" or "running": " (fast path)", " (Node-RED path: function
 * "tweak signal")" naming the node that kept the run off the fast path, " (Node-RED path)" for the
 * Engine setting, nothing when there was nothing to compile.
 */
export function engineTag(engine: BacktestEngine): string {
  if (engine.path === 'fast') return ' (fast path)';
  if (engine.node) return ` (Node-RED path: ${engine.node.type.replace(/^tradebot-/, '')} ${engine.node.name ? `"${engine.node.name}"` : engine.node.id})`;
  return /Engine setting/.test(engine.reason ?? '') ? ' (Node-RED path)' : '';
}
