/** The reset message every stateful node understands: msg.topic "reset", optionally payload.symbol. */
export function resetRequest(msg: { topic?: unknown; payload?: unknown }): { symbol?: string } | undefined {
  if (msg.topic !== 'reset') return undefined;
  const payload = msg.payload as { symbol?: unknown } | undefined;
  const symbol = payload && typeof payload === 'object' && typeof payload.symbol === 'string' ? payload.symbol : undefined;
  return symbol ? { symbol } : {};
}
