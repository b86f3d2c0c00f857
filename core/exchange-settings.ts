/**
 * The fields of the exchange config node, each validated for its form; errors name the editor
 * field. parseExchangeSettings (core/session/mode-settings.ts) adds what the chosen mode needs.
 */
import { z } from 'zod';
import { ModeSchema } from './contract';

/**
 * The exchange node's form: every field of every mode, each checked for its form (the dialog keeps
 * the fields of the other modes for when the mode is switched back, so a bad value in any of them
 * is refused at deploy, naming it). What each mode needs besides is checked by its own schema
 * (core/session/mode-settings.ts).
 */
export const ExchangeFormSchema = z.object({
  /** ccxt exchange id (binance, kraken, ...). Ignored in sim mode. */
  exchangeId: z.string().trim().regex(/^[a-z0-9]+$/, 'must be a ccxt exchange id such as binance').default('binance'),
  mode: ModeSchema.default('sim'),
  sandbox: z.boolean().default(false),
  /** Replaces the host of every API URL (self-hosted proxy, tests). */
  baseUrl: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http:// or https:// URL such as http://127.0.0.1:8080')
    .optional(),
  /**
   * auto: websockets where ccxt has them, falling back to polling while one fails or stays
   * silent; on: websockets only for market-data nodes (retried, never replaced; the account's
   * own prices still fall back); off: REST polling only, no websocket is opened.
   */
  websocket: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  /** Largest order value in quote currency any node on this exchange may send; none when absent. */
  maxNotional: z.number().positive().finite().optional(),
  /** live: rest stop-losses at the exchange where ccxt can place them for the market. */
  exchangeStops: z.boolean().default(true),
  /** The explicit opt-in live orders need, besides credentials. */
  liveOptIn: z.boolean().default(false),
  simSeed: z.number().int().min(0).max(0xffffffff).default(42),
  /** 1 = real time; 60 = a simulated minute per second. */
  simSpeed: z.number().positive().max(100_000).default(1),
  /** Simulated time between two price updates, ms. */
  simTickMs: z.number().int().min(10).max(60_000).default(1_000),
  /** Starting balances of the simulated account (sim, paper): "USDT=10000, BTC=0.5". */
  simBalances: z
    .string()
    .trim()
    .default('USDT=10000')
    .superRefine((text, ctx) => {
      try {
        parseBalances(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Simulated fee per fill, as a fraction of its value (0.001 = 0.1 %). */
  feeRate: z.number().min(0).max(0.05).default(0.001),
  /** Simulated extra slippage per fill, as a fraction (0.0005 = 5 bp), on top of walking the book. */
  slippage: z.number().min(0).max(0.05).default(0.0005),
  /** backtest: where the history comes from. */
  backtestSource: z.enum(['files', 'exchange']).default('files'),
  /** backtest from the exchange: the symbols, and the range (ISO dates or ms). */
  backtestSymbols: z.string().default(''),
  backtestFrom: z.string().default(''),
  backtestTo: z.string().default(''),
  /** backtest: "SYMBOL = file" per line (JSON OHLCV rows or CSV with a header). */
  backtestData: z.string().default(''),
  /** backtest: the data's timeframe. */
  backtestTimeframe: z.string().regex(/^[1-9][0-9]*(s|m|h|d|w|M)$/, 'must be a timeframe such as 1m, 5m, 1h').default('1m'),
  /** backtest: candles per symbol the candles nodes get as warm-up before the run. */
  backtestWarmup: z.number().int().min(0).max(100_000).default(100),
  /** The currency equity is reported in (metrics, health, Telegram /status). */
  reportCurrency: z.string().trim().regex(/^[A-Za-z0-9]{1,20}$/, 'must be a currency code such as USDT').default('USDT'),
  /** Request timeout towards the exchange, ms. */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /**
   * live: how long after an ambiguous failure (timeout, 5xx, reset) an order is looked up before
   * it counts as never placed, seconds. Absent: the exchange's default (Binance 15 s, its
   * recvWindow + 5 s; others 60 s: core/trading/live-executor.ts defaultUnknownOrderWindowMs).
   */
  unknownWindowSec: z.number().min(0.5).max(600).optional(),
  /**
   * live: seconds between two reconciliations with the exchange while running (balances and open
   * orders compared, differences adopted and reported as drift); at least 10 (three requests each).
   */
  reconcileSec: z.number().min(10, 'must be at least 10 (seconds)').max(86_400).default(60),
  /**
   * A market-data websocket that delivers nothing for this many seconds is closed and reopened.
   * Absent: 3 x the stream's expected interval (ticker, order book: the node's interval; candles: the timeframe).
   */
  silentStreamSec: z.number().min(1, 'must be at least 1 (second)').max(86_400).optional(),
  /**
   * The trade journal (docs/journal.md): auto writes it in sim, paper and live and not in
   * backtests; on also journals backtests (each run replaces the last); off writes nothing.
   */
  journal: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  /** Days raw journal rows (signals, rejections, orders, fills, equity, events) are kept; 0 keeps them forever. */
  journalKeepDays: z.number().int('must be a whole number of days').min(0).max(36_500).default(90),
  /** Days closed trades are kept; 0 (the default) keeps them forever. */
  journalKeepTradeDays: z.number().int('must be a whole number of days').min(0).max(36_500).default(0),
  credentials: z
    .object({ apiKey: z.string().optional(), secret: z.string().optional(), password: z.string().optional() })
    .default({}),
});

/** The exchange node's settings as one record (the form's fields; the session's mode reads its own part). */
export type ExchangeSettings = z.infer<typeof ExchangeFormSchema>;

/** Whether the exchange node writes the trade journal (its `journal` setting and mode). */
export function journalEnabled(s: Pick<ExchangeSettings, 'journal' | 'mode'>): boolean {
  return s.journal === 'on' || (s.journal === 'auto' && s.mode !== 'backtest');
}
export type ExchangeSettingsInput = z.input<typeof ExchangeFormSchema>;

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
  parts.forEach((part, i) => {
    const m = BALANCE.exec(part);
    if (!m) throw new Error(`"${part}" (balance ${i + 1}) must look like USDT=10000, BTC=0.5: a currency code, "=", and an amount of 0 or more`);
    const currency = m[1]!.toUpperCase();
    const amount = Number(m[2]);
    if (!Number.isFinite(amount)) throw new Error(`"${part}" (balance ${i + 1}): the amount is not a number`);
    if (currency in out) throw new Error(`${currency} is listed twice`);
    out[currency] = amount;
  });
  return out;
}
