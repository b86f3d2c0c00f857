/** Reads the symbol list the market-data nodes are configured with (core/market/symbol-list.ts), and the symbol a message asks about. */
import { parseSymbolList } from '../../core/market/symbol-list';

export { parseSymbolList };

/** The symbol a message asks about: msg.topic (a symbol), or msg.payload.symbol. */
export function symbolFromMessage(msg: { topic?: unknown; payload?: unknown }): string | undefined {
  const payload = msg.payload as { symbol?: unknown } | undefined;
  const candidate = typeof payload === 'object' && payload && payload.symbol !== undefined ? payload.symbol : msg.topic;
  return candidate === undefined || candidate === '' ? undefined : String(candidate);
}

/** A symbol list to follow: msg.payload.kind "pairlist" (core/contract.ts PairlistSchema). */
export function isSymbolListMessage(msg: { payload?: unknown }): boolean {
  return typeof msg.payload === 'object' && msg.payload !== null && (msg.payload as { kind?: unknown }).kind === 'pairlist';
}

export const formatSymbolCount = (n: number): string => `${n} symbol${n === 1 ? '' : 's'}`;
