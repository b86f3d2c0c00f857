/** Reads the symbol list the market-data nodes are configured with: "BTC/USDT, ETH/USDT". */
import { describeZodError, SymbolSchema } from '../../core/contract';

export function parseSymbolList(text: string | undefined, field = 'symbols'): string[] {
  const symbols = String(text ?? '')
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (symbols.length === 0) throw new Error(`${field}: enter at least one symbol, for example BTC/USDT`);
  for (const symbol of symbols) {
    const result = SymbolSchema.safeParse(symbol);
    if (!result.success) throw new Error(`${field}: "${symbol}" ${describeZodError(result.error, '').replace(/^: /, '')}`);
  }
  return [...new Set(symbols)];
}

/** The symbol a message asks about: msg.topic (a symbol), or msg.payload.symbol. */
export function symbolFromMessage(msg: { topic?: unknown; payload?: unknown }): string | undefined {
  const payload = msg.payload as { symbol?: unknown } | undefined;
  const candidate = typeof payload === 'object' && payload && payload.symbol !== undefined ? payload.symbol : msg.topic;
  return candidate === undefined || candidate === '' ? undefined : String(candidate);
}
