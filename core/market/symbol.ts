/** A market symbol's currencies: "BTC/USDT" and the futures form "BTC/USDT:USDT" give BTC and USDT. */

/** Split symbols, made once per symbol (every order and fill asks); frozen, as they are shared. */
const splitSymbols = new Map<string, Readonly<{ base: string; quote: string }>>();

/** The last symbol asked for and its split: most calls in a row ask for the same symbol. */
let lastSymbol: string | undefined;
let lastSplit: Readonly<{ base: string; quote: string }> | undefined;

export function splitSymbol(symbol: string): Readonly<{ base: string; quote: string }> {
  if (symbol === lastSymbol) return lastSplit!;
  let split = splitSymbols.get(symbol);
  if (split === undefined) {
    const [base, rest] = symbol.split('/') as [string, string];
    split = Object.freeze({ base, quote: rest.split(':')[0]! });
    if (splitSymbols.size < 10_000) splitSymbols.set(symbol, split);
  }
  lastSymbol = symbol;
  lastSplit = split;
  return split;
}
