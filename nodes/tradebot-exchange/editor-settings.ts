/** Turns the exchange node's editor fields (strings, checkboxes) into settings for the core. */
import type { ExchangeSettingsInput } from '../../core/exchange-settings';
import type { NodeDef } from '../shared/types';

export interface ExchangeNodeDef extends NodeDef {
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

export function settingsFromEditor(config: ExchangeNodeDef, credentials: ExchangeCredentials | undefined): ExchangeSettingsInput {
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

