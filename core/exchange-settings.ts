/**
 * The fields of the exchange config node, each validated for its form; errors name the editor
 * field. parseExchangeSettings (core/session/mode-settings.ts) adds what the chosen mode needs.
 */
import { z } from 'zod';
import { ModeSchema } from './contract';
import { BACKTEST_TIMEFRAME_RE, BASE_URL_RE, EXCHANGE_ID_RE, RANGES, REPORT_CURRENCY_RE, parseBalances, type ExchangeRange } from './exchange-setting-rules';

export { parseBalances } from './exchange-setting-rules';

/** A number setting of the form with its range from the rules (RANGES), and its default when it has one. */
function ranged(r: ExchangeRange, words?: { min?: string; integer?: string }) {
  let n = r.integer ? z.number().int(words?.integer) : z.number();
  n = r.above ? n.gt(r.min, words?.min) : n.min(r.min, words?.min);
  n = n.max(r.max);
  return n;
}

/**
 * The exchange node's form: every field of every mode, each checked for its form (the dialog keeps
 * the fields of the other modes for when the mode is switched back, so a bad value in any of them
 * is refused at deploy, naming it). What each mode needs besides is checked by its own schema
 * (core/session/mode-settings.ts).
 */
export const ExchangeFormSchema = z.object({
  /** ccxt exchange id (binance, kraken, ...). Ignored in sim mode. */
  exchangeId: z.string().trim().regex(EXCHANGE_ID_RE, 'must be a ccxt exchange id such as binance').default('binance'),
  mode: ModeSchema.default('sim'),
  sandbox: z.boolean().default(false),
  /** Replaces the host of every API URL (self-hosted proxy, tests). */
  baseUrl: z
    .string()
    .trim()
    .regex(BASE_URL_RE, 'must be an http:// or https:// URL such as http://127.0.0.1:8080')
    .optional(),
  /**
   * auto: websockets where ccxt has them, falling back to polling while one fails or stays
   * silent; on: websockets only for market-data nodes (retried, never replaced; the account's
   * own prices still fall back); off: REST polling only, no websocket is opened.
   */
  websocket: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  /** Largest order value in quote currency any node on this exchange may send; none when absent. */
  maxNotional: ranged(RANGES.maxNotional).optional(),
  /** live: rest stop-losses at the exchange where ccxt can place them for the market. */
  exchangeStops: z.boolean().default(true),
  /** The explicit opt-in live orders need, besides credentials. */
  liveOptIn: z.boolean().default(false),
  simSeed: ranged(RANGES.simSeed).default(RANGES.simSeed.fallback),
  /** 1 = real time; 60 = a simulated minute per second. */
  simSpeed: ranged(RANGES.simSpeed).default(RANGES.simSpeed.fallback),
  /** Simulated time between two price updates, ms. */
  simTickMs: ranged(RANGES.simTickMs).default(RANGES.simTickMs.fallback),
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
  feeRate: ranged(RANGES.feeRate).default(RANGES.feeRate.fallback),
  /** Simulated extra slippage per fill, as a fraction (0.0005 = 5 bp), on top of walking the book. */
  slippage: ranged(RANGES.slippage).default(RANGES.slippage.fallback),
  /** backtest: where the history comes from. */
  backtestSource: z.enum(['files', 'exchange']).default('files'),
  /** backtest from the exchange: the symbols, and the range (ISO dates or ms). */
  backtestSymbols: z.string().default(''),
  backtestFrom: z.string().default(''),
  backtestTo: z.string().default(''),
  /** backtest: "SYMBOL = file" per line (JSON OHLCV rows or CSV with a header). */
  backtestData: z.string().default(''),
  /** backtest: the data's timeframe. */
  backtestTimeframe: z.string().regex(BACKTEST_TIMEFRAME_RE, 'must be a timeframe such as 1m, 5m, 1h').default('1m'),
  /** backtest: candles per symbol the candles nodes get as warm-up before the run. */
  backtestWarmup: ranged(RANGES.backtestWarmup).default(RANGES.backtestWarmup.fallback),
  /** The currency equity is reported in (metrics, health, Telegram /status). */
  reportCurrency: z.string().trim().regex(REPORT_CURRENCY_RE, 'must be a currency code such as USDT').default('USDT'),
  /** Request timeout towards the exchange, ms. */
  timeoutMs: ranged(RANGES.timeoutMs).default(RANGES.timeoutMs.fallback),
  /**
   * live: how long after an ambiguous failure (timeout, 5xx, reset) an order is looked up before
   * it counts as never placed, seconds. Absent: the exchange's default (Binance 15 s, its
   * recvWindow + 5 s; others 60 s: core/trading/live-executor.ts defaultUnknownOrderWindowMs).
   */
  unknownWindowSec: ranged(RANGES.unknownWindowSec).optional(),
  /**
   * live: seconds between two reconciliations with the exchange while running (balances and open
   * orders compared, differences adopted and reported as drift); at least 10 (three requests each).
   */
  reconcileSec: ranged(RANGES.reconcileSec, { min: 'must be at least 10 (seconds)' }).default(RANGES.reconcileSec.fallback),
  /**
   * A market-data websocket that delivers nothing for this many seconds is closed and reopened.
   * Absent: 3 x the stream's expected interval (ticker, order book: the node's interval; candles: the timeframe).
   */
  silentStreamSec: ranged(RANGES.silentStreamSec, { min: 'must be at least 1 (second)' }).optional(),
  /**
   * The trade journal (docs/journal.md): auto writes it in sim, paper and live and not in
   * backtests; on also journals backtests (each run replaces the last); off writes nothing.
   */
  journal: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  /** Days raw journal rows (signals, rejections, orders, fills, equity, events) are kept; 0 keeps them forever. */
  journalKeepDays: ranged(RANGES.journalKeepDays, { integer: 'must be a whole number of days' }).default(RANGES.journalKeepDays.fallback),
  /** Days closed trades are kept; 0 (the default) keeps them forever. */
  journalKeepTradeDays: ranged(RANGES.journalKeepTradeDays, { integer: 'must be a whole number of days' }).default(RANGES.journalKeepTradeDays.fallback),
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
