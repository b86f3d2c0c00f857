/**
 * The exchange node's rules without zod: the patterns, ranges and defaults of its fields, and the
 * parsers of its lists (balances, backtest history files). core/exchange-settings.ts builds its
 * schema from them and the editor bundle (nodes/tradebot-exchange/spec.ts) checks the dialog with
 * them, so the two cannot drift.
 */
import { ConfigError } from './errors';

export const MODES = ['sim', 'backtest', 'paper', 'live'] as const;
export const WEBSOCKET_CHOICES = ['auto', 'on', 'off'] as const;
export const JOURNAL_CHOICES = ['auto', 'on', 'off'] as const;
export const BACKTEST_SOURCES = ['files', 'exchange'] as const;

/** A ccxt exchange id: binance, kraken, ... */
export const EXCHANGE_ID_RE = /^[a-z0-9]+$/;
/** The API URL override: a scheme, a host, an optional path. */
export const BASE_URL_RE = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
export const BACKTEST_TIMEFRAME_RE = /^[1-9][0-9]*(s|m|h|d|w|M)$/;
export const REPORT_CURRENCY_RE = /^[A-Za-z0-9]{1,20}$/;
/** One line of the backtest's history list: a symbol, "=", a file. */
export const DATA_LINE_RE = /^([A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+)\s*=\s*(.+)$/;

/** A number setting's range; `above` means the minimum itself is refused. */
export interface ExchangeRange {
  min: number;
  max: number;
  integer?: boolean;
  above?: boolean;
  fallback?: number;
}

/** The numbers of the form, in the units the core uses (feeRate and slippage are fractions; the dialog shows per cent). */
export const RANGES = {
  simSeed: { min: 0, max: 0xffffffff, integer: true, fallback: 42 },
  simSpeed: { min: 0, max: 100_000, above: true, fallback: 1 },
  simTickMs: { min: 10, max: 60_000, integer: true, fallback: 1_000 },
  feeRate: { min: 0, max: 0.05, fallback: 0.001 },
  slippage: { min: 0, max: 0.05, fallback: 0.0005 },
  backtestWarmup: { min: 0, max: 100_000, integer: true, fallback: 100 },
  timeoutMs: { min: 100, max: 120_000, integer: true, fallback: 10_000 },
  unknownWindowSec: { min: 0.5, max: 600 },
  reconcileSec: { min: 10, max: 86_400, fallback: 60 },
  silentStreamSec: { min: 1, max: 86_400 },
  journalKeepDays: { min: 0, max: 36_500, integer: true, fallback: 90 },
  journalKeepTradeDays: { min: 0, max: 36_500, integer: true, fallback: 0 },
  maxNotional: { min: 0, max: Number.MAX_VALUE, above: true },
} satisfies Record<string, ExchangeRange>;

export function inRange(n: number, r: ExchangeRange): boolean {
  return Number.isFinite(n) && (r.above ? n > r.min : n >= r.min) && n <= r.max && (!r.integer || Number.isInteger(n));
}

/** One balance: a currency code, "=", a plain decimal amount (10000, 0.5, .5); no exponent, no sign. */
const BALANCE = /^([A-Za-z0-9]{1,20})\s*=\s*(\d+(?:\.\d+)?|\.\d+)$/;

/**
 * "USDT=10000, BTC=0.5" -> { USDT: 10000, BTC: 0.5 }. Anything else is refused with the part that
 * is wrong: "1.2.3" or "." would otherwise become NaN balances that fills then compute with.
 */
export function parseBalances(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') return out;
  const refuse = (message: string) => new ConfigError(message, 'exchange.simBalances');
  parts.forEach((part, i) => {
    const m = BALANCE.exec(part);
    if (!m) throw refuse(`"${part}" (balance ${i + 1}) must look like USDT=10000, BTC=0.5: a currency code, "=", and an amount of 0 or more`);
    const currency = m[1]!.toUpperCase();
    const amount = Number(m[2]);
    if (!Number.isFinite(amount)) throw refuse(`"${part}" (balance ${i + 1}): the amount is not a number`);
    if (currency in out) throw refuse(`${currency} is listed twice`);
    out[currency] = amount;
  });
  return out;
}

/** The backtest's history list, "BTC/USDT = path/to/file.json" per line (or separated by , or ;). */
export function parseDataList(text: string): Array<{ symbol: string; file: string }> {
  return text
    .split(/[\n,;]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, i) => {
      const m = DATA_LINE_RE.exec(part);
      if (!m) throw new ConfigError(`backtestData[${i}]: "${part}" must look like BTC/USDT = path/to/file.json`, 'exchange.backtestData');
      return { symbol: m[1]!.toUpperCase(), file: m[2]!.trim() };
    });
}

/** A backtest date as the runtime reads it: ISO (2024-01-01, 2024-01-01T12:00Z) or epoch ms; NaN when neither. */
export function backtestTime(text: string): number {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : Date.parse(t);
}
