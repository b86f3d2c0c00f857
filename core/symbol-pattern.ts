/**
 * What a market symbol looks like: the unified ccxt form BASE/QUOTE, optionally :SETTLE for
 * derivatives. No zod here: the editor bundle (editor/) checks symbols with the same pattern.
 */
export const SYMBOL_RE = /^[A-Z0-9._-]+\/[A-Z0-9._-]+(:[A-Z0-9._-]+)?$/i;

/** The symbols in a list as the market-data nodes take it: "BTC/USDT, ETH/USDT" (commas, semicolons or spaces). */
export function splitSymbolList(text: unknown): string[] {
  return String(text ?? '')
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
