/** Reads the symbol list the market-data nodes are configured with: "BTC/USDT, ETH/USDT". */
import { describeZodError, SymbolSchema } from '../contract';
import { splitSymbolList } from '../symbol-pattern';

export function parseSymbolList(text: string | undefined, field = 'symbols'): string[] {
  const symbols = splitSymbolList(text).map((s) => s.toUpperCase());
  if (symbols.length === 0) throw new Error(`${field}: enter at least one symbol, for example BTC/USDT`);
  for (const symbol of symbols) {
    const result = SymbolSchema.safeParse(symbol);
    if (!result.success) throw new Error(`${field}: "${symbol}" ${describeZodError(result.error, '').replace(/^: /, '')}`);
  }
  return [...new Set(symbols)];
}
