/**
 * The settings each mode of an exchange session uses, validated per mode: sim (the simulated
 * market), paper (the real market, simulated fills), live (real orders) and backtest (a replayed
 * history). Each mode's schema holds its own fields and checks, so the live mode's opt-in and
 * credentials are checked in live mode only, and a field of another mode handed to a mode is
 * refused naming it. Errors name the exchange node's field ("exchange.liveOptIn: ...").
 */
import { z } from 'zod';
import { describeZodError, zodErrorField, type Mode } from '../contract';
import { ConfigError } from '../errors';
import { backtestTime, parseDataList } from '../exchange-setting-rules';
import { SYMBOL_RE, splitSymbolList } from '../symbol-pattern';
import { ExchangeFormSchema, type ExchangeSettings } from '../exchange-settings';

const f = ExchangeFormSchema.shape;

/** Fields every mode has: what the account is valued in, its order cap, the journal, silent streams. */
const common = {
  reportCurrency: f.reportCurrency,
  maxNotional: f.maxNotional,
  silentStreamSec: f.silentStreamSec,
  journal: f.journal,
  journalKeepDays: f.journalKeepDays,
  journalKeepTradeDays: f.journalKeepTradeDays,
};

/** The simulated account's start and fills (sim, paper, backtest). */
const simulatedFills = { simBalances: f.simBalances, feeRate: f.feeRate, slippage: f.slippage };

/** The connection to a real exchange through ccxt (paper, live; a backtest's download). */
const connection = { exchangeId: f.exchangeId, sandbox: f.sandbox, baseUrl: f.baseUrl, timeoutMs: f.timeoutMs };

export const SimSettingsSchema = z.object({
  mode: z.literal('sim'),
  ...common,
  ...simulatedFills,
  simSeed: f.simSeed,
  simSpeed: f.simSpeed,
  simTickMs: f.simTickMs,
});

export const PaperSettingsSchema = z.object({
  mode: z.literal('paper'),
  ...common,
  ...simulatedFills,
  ...connection,
  websocket: f.websocket,
  credentials: f.credentials,
});

export const LiveSettingsSchema = z
  .object({
    mode: z.literal('live'),
    ...common,
    ...connection,
    websocket: f.websocket,
    credentials: f.credentials,
    liveOptIn: f.liveOptIn,
    exchangeStops: f.exchangeStops,
    unknownWindowSec: f.unknownWindowSec,
    reconcileSec: f.reconcileSec,
  })
  .superRefine((s, ctx) => {
    if (!s.credentials.apiKey || !s.credentials.secret) {
      ctx.addIssue({ code: 'custom', path: ['credentials'], message: 'live mode needs an API key and secret' });
    }
    if (!s.liveOptIn) {
      ctx.addIssue({ code: 'custom', path: ['liveOptIn'], message: 'live mode places real orders: tick "I understand" on the exchange node to allow it' });
    }
  });

export const BacktestSettingsSchema = z
  .object({
    mode: z.literal('backtest'),
    ...common,
    ...simulatedFills,
    ...connection,
    backtestSource: f.backtestSource,
    backtestSymbols: f.backtestSymbols,
    backtestFrom: f.backtestFrom,
    backtestTo: f.backtestTo,
    backtestData: f.backtestData,
    backtestTimeframe: f.backtestTimeframe,
    backtestWarmup: f.backtestWarmup,
  })
  .superRefine((s, ctx) => {
    if (s.backtestSource === 'files') {
      if (!s.backtestData.trim()) {
        ctx.addIssue({ code: 'custom', path: ['backtestData'], message: 'backtest mode needs data: one line per symbol, BTC/USDT = path/to/candles.json' });
        return;
      }
      // The list's form is checked at deploy; the files themselves when the history loads.
      try {
        parseDataList(s.backtestData);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['backtestData'], message: (err as Error).message.replace(/^backtestData(\[\d+\])?: /, '') });
      }
      return;
    }
    const symbols = splitSymbolList(s.backtestSymbols);
    if (!symbols.length) ctx.addIssue({ code: 'custom', path: ['backtestSymbols'], message: 'list the symbols to download, e.g. BTC/USDT, ETH/USDT' });
    const bad = symbols.find((symbol) => !SYMBOL_RE.test(symbol));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', path: ['backtestSymbols'], message: `"${bad}" is not a symbol like BTC/USDT` });
    const times: number[] = [];
    for (const field of ['backtestFrom', 'backtestTo'] as const) {
      const t = backtestTime(s[field]);
      if (Number.isNaN(t)) ctx.addIssue({ code: 'custom', path: [field], message: 'a date such as 2024-01-01 (UTC) or a time in ms' });
      else times.push(t);
    }
    if (times.length === 2 && times[0]! >= times[1]!) ctx.addIssue({ code: 'custom', path: ['backtestTo'], message: 'must be after backtestFrom' });
  });

/** The settings of one mode, told apart by `mode`. */
export const ModeSettingsSchema = z.discriminatedUnion('mode', [SimSettingsSchema, PaperSettingsSchema, LiveSettingsSchema, BacktestSettingsSchema]);

export type SimSettings = z.infer<typeof SimSettingsSchema>;
export type PaperSettings = z.infer<typeof PaperSettingsSchema>;
export type LiveSettings = z.infer<typeof LiveSettingsSchema>;
export type BacktestSettings = z.infer<typeof BacktestSettingsSchema>;
export type ModeSettings = z.infer<typeof ModeSettingsSchema>;

const SHAPES: Record<Mode, Record<string, unknown>> = {
  sim: SimSettingsSchema.shape,
  paper: PaperSettingsSchema.shape,
  live: LiveSettingsSchema.shape,
  backtest: BacktestSettingsSchema.shape,
};

/** The fields `mode` uses (the exchange node's dialog shows these for the mode). */
export function modeFields(mode: Mode): string[] {
  return Object.keys(SHAPES[mode]);
}

/**
 * Validates the settings of one mode (`input.mode`, sim when absent): its fields and its checks. A
 * field the mode does not use is refused naming it (a live setting on a sim session is a mistake
 * of whoever built the settings, not something to ignore).
 */
export function parseModeSettings(input: unknown): ModeSettings {
  const record = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const withMode: Record<string, unknown> = { ...record, mode: record.mode ?? 'sim' };
  const problems: string[] = [];
  let field: string | undefined;
  const shape = SHAPES[withMode.mode as Mode];
  if (shape) {
    for (const key of Object.keys(withMode)) {
      if (!(key in shape) && withMode[key] !== undefined) {
        problems.push(`exchange.${key}: not a setting of ${String(withMode.mode)} mode`);
        field ??= `exchange.${key}`;
      }
    }
  }
  const result = ModeSettingsSchema.safeParse(withMode);
  if (!result.success) {
    problems.push(describeZodError(result.error, 'exchange'));
    field ??= zodErrorField(result.error, 'exchange');
  }
  if (problems.length) throw new ConfigError(`exchange config: ${problems.join('; ')}`, field);
  return result.data!;
}

/** The chosen mode's part of the exchange node's settings, with that mode's checks. */
export function modeSettingsOf(settings: ExchangeSettings): ModeSettings {
  const picked: Record<string, unknown> = {};
  for (const key of modeFields(settings.mode)) picked[key] = settings[key as keyof ExchangeSettings];
  return parseModeSettings(picked);
}

/**
 * The exchange node's settings: every field checked for its form, then the chosen mode's part
 * checked as that mode needs it. Throws a ConfigError naming the fields (`field`: the first).
 */
export function parseExchangeSettings(input: unknown): ExchangeSettings {
  const result = ExchangeFormSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`exchange config: ${describeZodError(result.error, 'exchange')}`, zodErrorField(result.error, 'exchange'));
  modeSettingsOf(result.data);
  return result.data;
}
