/**
 * The exchange config node's settings (see nodes/shared/spec.ts): the dialog's defaults and checks,
 * and how the runtime turns its fields into the core's settings (settingsFromEditor). Patterns,
 * ranges and list parsers come from core/exchange-setting-rules.ts, which the runtime's schema
 * (core/exchange-settings.ts) is built from; each mode's fields are checked only in that mode.
 */
import type { ExchangeSettingsInput } from '../../core/exchange-settings';
import {
  BACKTEST_SOURCES,
  BACKTEST_TIMEFRAME_RE,
  BASE_URL_RE,
  EXCHANGE_ID_RE,
  JOURNAL_CHOICES,
  MODES,
  RANGES,
  REPORT_CURRENCY_RE,
  WEBSOCKET_CHOICES,
  backtestTime,
  inRange,
  parseBalances,
  parseDataList,
  type ExchangeRange,
} from '../../core/exchange-setting-rules';
import { SYMBOL_RE, splitSymbolList } from '../../core/symbol-pattern';
import { blank, isNum, oneOf, text, type FieldCheck, type NodeSpec } from '../shared/spec';
import { nameField } from '../shared/spec-fields';

export interface ExchangeConfig {
  name?: string;
  exchangeId: string;
  mode: string;
  sandbox: boolean;
  baseUrl: string;
  /** auto / on / off; absent in flows saved before it existed = auto. */
  websocket?: string;
  maxNotional: string | number;
  liveOptIn: boolean;
  /** Rest stop-losses at the exchange (live); absent in flows saved before it existed = on. */
  exchangeStops?: boolean;
  simSeed: string | number;
  simSpeed: string | number;
  simTickMs: string | number;
  timeoutMs: string | number;
  /** Unknown-order window, seconds; empty = the exchange's default. */
  unknownWindowSec?: string | number;
  simBalances?: string;
  /** Reconciliation interval while running (live), seconds; empty = 60. */
  reconcileSec?: string | number;
  /** Silent-stream timeout, seconds; empty = 3 x each stream's expected interval. */
  silentStreamSec?: string | number;
  /** "Import from": the Node-RED context store older versions kept the state in (read once); empty = the default store. */
  stateStore?: string;
  reportCurrency?: string;
  backtestData?: string;
  backtestSource?: string;
  backtestSymbols?: string;
  backtestFrom?: string;
  backtestTo?: string;
  backtestTimeframe?: string;
  backtestWarmup?: string | number;
  /** A tradebot-redis config node: state persists there instead of in context. */
  redis?: string;
  feeRatePct?: string | number;
  slippagePct?: string | number;
  /** Trade journal: auto / on / off; absent in flows saved before it existed = auto. */
  journal?: string;
  /** A tradebot-database config node (PostgreSQL); empty = the SQLite journal file. */
  database?: string;
  journalKeepDays?: string | number;
  journalKeepTradeDays?: string | number;
}

export interface ExchangeCredentials {
  apiKey?: string;
  secret?: string;
  password?: string;
}

const MODE_WORDS: Record<string, string> = { sim: 'simulated', paper: 'paper', live: 'LIVE', backtest: 'backtest' };

/** A field that may be missing (flows saved before it existed, the examples) takes the runtime's default. */
const orDefault = (check: FieldCheck): FieldCheck => (v, field) => blank(v) || check(v, field);

/** A number of the form in its range (RANGES); `scale` turns the dialog's unit into the core's (per cent -> fraction). */
function numberIn(r: ExchangeRange, words: string, scale = 1): FieldCheck {
  return orDefault((v) => (isNum(v) && inRange(Number(v) / scale, r)) || words);
}

/** The runtime's message for a list it refuses, after the field's label. */
function refusal(parse: () => unknown): true | string {
  try {
    parse();
    return true;
  } catch (err) {
    return ': ' + (err as Error).message.replace(/^backtestData\[\d+\]: /, '');
  }
}

const backtestFrom = (field: (prop: string) => any, source: string) => field('mode') === 'backtest' && (field('backtestSource') || 'files') === source;

function dateCheck(v: unknown): true | string {
  const t = text(v).trim();
  if (!t) return 'needs a date such as 2024-01-01';
  return Number.isFinite(backtestTime(t)) || ': "' + t + '" is not a date (use 2024-01-01 or milliseconds)';
}

export const exchangeSpec: NodeSpec<Required<ExchangeConfig>> = {
  type: 'tradebot-exchange',
  category: 'config',
  color: '',
  paletteLabel: 'exchange',
  icon: '',
  inputs: 0,
  outputs: 0,
  defaults: {
    name: nameField,
    mode: { value: 'sim', label: 'Mode', required: true, check: oneOf(MODES) },
    // Flows saved before this field existed have no value: that means files.
    backtestSource: { value: 'files', label: 'History from', check: orDefault(oneOf(BACKTEST_SOURCES)) },
    backtestSymbols: {
      value: '',
      label: 'Symbols',
      check: (v, field) => {
        if (!backtestFrom(field, 'exchange')) return true;
        const symbols = splitSymbolList(v);
        if (!symbols.length) return 'is empty: list the symbols to download, e.g. BTC/USDT, ETH/USDT';
        const bad = symbols.find((s) => !SYMBOL_RE.test(s));
        return bad === undefined || ': "' + bad + '" is not a symbol like BTC/USDT';
      },
    },
    backtestFrom: { value: '', label: 'From', check: (v, field) => !backtestFrom(field, 'exchange') || dateCheck(v) },
    backtestTo: {
      value: '',
      label: 'to',
      check: (v, field) => {
        if (!backtestFrom(field, 'exchange')) return true;
        const valid = dateCheck(v);
        if (valid !== true) return valid;
        const from = backtestTime(text(field('backtestFrom')));
        return !(from >= backtestTime(text(v))) || 'must be a date after From';
      },
    },
    backtestData: {
      value: '',
      label: 'History',
      check: (v, field) => {
        if (!backtestFrom(field, 'files')) return true;
        if (!text(v).trim()) return 'is empty: one line per symbol, BTC/USDT = path/to/candles.json';
        return refusal(() => parseDataList(text(v)));
      },
    },
    backtestTimeframe: { value: '1m', label: 'Timeframe', check: orDefault((v) => BACKTEST_TIMEFRAME_RE.test(text(v)) || 'must be a timeframe such as 1m, 5m, 1h') },
    backtestWarmup: { value: RANGES.backtestWarmup.fallback, label: 'Warm-up', check: numberIn(RANGES.backtestWarmup, 'must be a whole number of candles from 0 to 100000') },
    exchangeId: {
      value: 'binance',
      label: 'Exchange',
      check: (v, field) => field('mode') === 'sim' || EXCHANGE_ID_RE.test(text(v).trim()) || 'must be a ccxt exchange id such as binance',
    },
    sandbox: { value: false },
    baseUrl: { value: '', label: 'API URL', check: orDefault((v) => BASE_URL_RE.test(text(v).trim()) || 'must be an http:// or https:// URL such as http://127.0.0.1:8080') },
    // Flows saved before this field existed have no value: that means auto.
    websocket: { value: 'auto', label: 'Websocket', check: orDefault((v) => (WEBSOCKET_CHOICES as readonly string[]).includes(v) || 'must be auto, on or off') },
    maxNotional: { value: '', label: 'Max order', check: numberIn(RANGES.maxNotional, 'must be an amount above 0, or empty (no cap)') },
    exchangeStops: { value: true },
    liveOptIn: { value: false, label: 'Live', check: (v, field) => field('mode') !== 'live' || v === true || 'must be ticked ("I understand") before the bot places real orders' },
    simSeed: { value: RANGES.simSeed.fallback, label: 'Seed', check: numberIn(RANGES.simSeed, 'must be a whole number from 0 to ' + RANGES.simSeed.max) },
    simSpeed: { value: RANGES.simSpeed.fallback, label: 'Speed', check: numberIn(RANGES.simSpeed, 'must be a number above 0 and at most ' + RANGES.simSpeed.max) },
    simTickMs: { value: RANGES.simTickMs.fallback, label: 'Tick', check: numberIn(RANGES.simTickMs, 'must be a whole number of ms from 10 to 60000') },
    timeoutMs: { value: RANGES.timeoutMs.fallback, label: 'Timeout', check: numberIn(RANGES.timeoutMs, 'must be a whole number of ms from 100 to 120000') },
    unknownWindowSec: { value: '', label: 'Unknown-order window', check: numberIn(RANGES.unknownWindowSec, 'must be seconds from 0.5 to 600, or empty (the exchange default)') },
    reconcileSec: { value: '', label: 'Reconcile every', check: numberIn(RANGES.reconcileSec, 'must be seconds from 10 to 86400, or empty (60)') },
    silentStreamSec: { value: '', label: 'Silent stream', check: numberIn(RANGES.silentStreamSec, 'must be seconds from 1 to 86400, or empty (3 x the expected interval)') },
    simBalances: { value: 'USDT=10000', label: 'Balances', check: (v) => refusal(() => parseBalances(text(v).trim())) },
    feeRatePct: { value: RANGES.feeRate.fallback * 100, label: 'Fee', check: numberIn(RANGES.feeRate, 'must be a percentage from 0 to 5', 100) },
    slippagePct: { value: RANGES.slippage.fallback * 100, label: 'Slippage', check: numberIn(RANGES.slippage, 'must be a percentage from 0 to 5', 100) },
    reportCurrency: { value: 'USDT', label: 'Report in', check: orDefault((v) => REPORT_CURRENCY_RE.test(text(v).trim()) || 'must be a currency code such as USDT') },
    redis: { value: '', label: 'State in Redis', config: { type: 'tradebot-redis', what: 'a Redis server', optional: true } },
    journal: { value: 'auto', label: 'Journal', check: orDefault((v) => (JOURNAL_CHOICES as readonly string[]).includes(v) || 'must be auto, on or off') },
    database: { value: '', label: 'Database', config: { type: 'tradebot-database', what: 'a database', optional: true } },
    journalKeepDays: { value: RANGES.journalKeepDays.fallback, label: 'Keep rows', check: numberIn(RANGES.journalKeepDays, 'must be a whole number of days from 0 (forever) to 36500') },
    // The second input of the "Keep rows" row.
    journalKeepTradeDays: { value: RANGES.journalKeepTradeDays.fallback, label: 'Keep rows (trades)', check: numberIn(RANGES.journalKeepTradeDays, 'must be a whole number of days from 0 (forever) to 36500') },
    // Checked in the editor only (editor/nodes/exchange.ts): the context stores are settings.js's.
    stateStore: { value: '', label: 'Import from' },
  },
  defaultName: (c) => (!c.mode || c.mode === 'sim' ? 'simulated market' : c.exchangeId + ' (' + (MODE_WORDS[c.mode] ?? c.mode) + ')'),
};

/** Editor fields arrive as strings; empty means "not set". */
function optionalNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  // Anything that is not a number goes to the schema as it is, which refuses it naming the field.
  if (typeof value !== 'string' && typeof value !== 'number') return value as unknown as number;
  const n = Number(value);
  return Number.isNaN(n) ? (value as unknown as number) : n;
}

function percent(value: string | number | undefined): number | undefined {
  const n = optionalNumber(value);
  return typeof n === 'number' && !Number.isNaN(n) ? n / 100 : n;
}

/** The dialog's fields (text, checkboxes, per cent) as the core's settings; credentials from Node-RED's store. */
export function settingsFromEditor(config: ExchangeConfig, credentials: ExchangeCredentials | undefined): ExchangeSettingsInput {
  return {
    exchangeId: config.exchangeId || undefined,
    mode: (config.mode || 'sim') as ExchangeSettingsInput['mode'],
    sandbox: config.sandbox === true,
    baseUrl: config.baseUrl || undefined,
    websocket: (config.websocket || undefined) as ExchangeSettingsInput['websocket'],
    maxNotional: optionalNumber(config.maxNotional),
    liveOptIn: config.liveOptIn === true,
    exchangeStops: config.exchangeStops !== false,
    simSeed: optionalNumber(config.simSeed),
    simSpeed: optionalNumber(config.simSpeed),
    simTickMs: optionalNumber(config.simTickMs),
    timeoutMs: optionalNumber(config.timeoutMs),
    unknownWindowSec: optionalNumber(config.unknownWindowSec),
    simBalances: config.simBalances || undefined,
    reconcileSec: optionalNumber(config.reconcileSec),
    silentStreamSec: optionalNumber(config.silentStreamSec),
    reportCurrency: config.reportCurrency || undefined,
    backtestData: config.backtestData || undefined,
    backtestSource: (config.backtestSource || undefined) as ExchangeSettingsInput['backtestSource'],
    backtestSymbols: config.backtestSymbols || undefined,
    backtestFrom: config.backtestFrom || undefined,
    backtestTo: config.backtestTo || undefined,
    backtestTimeframe: config.backtestTimeframe || undefined,
    backtestWarmup: optionalNumber(config.backtestWarmup),
    // The editor shows percentages; the core works in fractions.
    feeRate: percent(config.feeRatePct),
    slippage: percent(config.slippagePct),
    journal: (config.journal || undefined) as ExchangeSettingsInput['journal'],
    journalKeepDays: optionalNumber(config.journalKeepDays),
    journalKeepTradeDays: optionalNumber(config.journalKeepTradeDays),
    credentials: {
      apiKey: credentials?.apiKey || undefined,
      secret: credentials?.secret || undefined,
      password: credentials?.password || undefined,
    },
  };
}

