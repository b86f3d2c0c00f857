/**
 * The indicator node's settings (see nodes/shared/spec.ts). Types, parameters, defaults and ranges
 * come from core/indicators/kinds.ts, which the runtime's schema (core/indicators/spec.ts) is built
 * from; only the dialog's words are written here.
 */
import {
  INDICATOR_DEFAULTS,
  INDICATOR_NAME_RE,
  INDICATOR_PERIOD,
  MAX_ACCELERATION,
  MAX_MULTIPLIER,
  MAX_STD_DEV,
  PIVOT_METHODS,
  PIVOT_SESSIONS,
  PRICE_SOURCES,
  VWAP_ANCHORS,
  type IndicatorTypeName,
} from '../../core/indicators/kinds';
import type { NodeSpec } from '../shared/spec';
import { nameField } from '../shared/spec-fields';

/** The indicator types as the dialog's type list shows them, grouped, in its order. */
export const INDICATOR_TITLES: Array<{ type: IndicatorTypeName; label: string; group: string }> = [
  { type: 'sma', label: 'SMA', group: 'Moving averages' },
  { type: 'ema', label: 'EMA', group: 'Moving averages' },
  { type: 'wma', label: 'WMA', group: 'Moving averages' },
  { type: 'macd', label: 'MACD', group: 'Trend' },
  { type: 'adx', label: 'ADX / DMI', group: 'Trend' },
  { type: 'supertrend', label: 'Supertrend', group: 'Trend' },
  { type: 'psar', label: 'Parabolic SAR', group: 'Trend' },
  { type: 'ichimoku', label: 'Ichimoku cloud', group: 'Trend' },
  { type: 'rsi', label: 'RSI (Wilder)', group: 'Momentum' },
  { type: 'stochastic', label: 'Stochastic', group: 'Momentum' },
  { type: 'stochrsi', label: 'Stochastic RSI', group: 'Momentum' },
  { type: 'cci', label: 'CCI', group: 'Momentum' },
  { type: 'roc', label: 'Rate of change', group: 'Momentum' },
  { type: 'williamsr', label: 'Williams %R', group: 'Momentum' },
  { type: 'bollinger', label: 'Bollinger Bands', group: 'Volatility' },
  { type: 'atr', label: 'ATR', group: 'Volatility' },
  { type: 'keltner', label: 'Keltner channels', group: 'Volatility' },
  { type: 'donchian', label: 'Donchian channels', group: 'Volatility' },
  { type: 'obv', label: 'OBV', group: 'Volume' },
  { type: 'vwap', label: 'VWAP', group: 'Volume' },
  { type: 'mfi', label: 'Money flow index', group: 'Volume' },
  { type: 'heikinashi', label: 'Heikin-Ashi candles', group: 'Candles' },
  { type: 'patterns', label: 'Candlestick patterns', group: 'Candles' },
  { type: 'pivots', label: 'Pivot points', group: 'Candles' },
];

const SOURCE_TITLES: Record<(typeof PRICE_SOURCES)[number], string> = {
  close: 'close', open: 'open', high: 'high', low: 'low', hl2: 'hl2 (h+l)/2', hlc3: 'hlc3 (h+l+c)/3', ohlc4: 'ohlc4 (o+h+l+c)/4',
};
const ANCHOR_TITLES: Record<(typeof VWAP_ANCHORS)[number], string> = { day: 'UTC day', none: 'none (cumulative)' };
const METHOD_TITLES: Record<(typeof PIVOT_METHODS)[number], string> = { classic: 'classic (floor)', fibonacci: 'Fibonacci', camarilla: 'Camarilla', woodie: 'Woodie' };
const SESSION_TITLES: Record<(typeof PIVOT_SESSIONS)[number], string> = { day: 'previous UTC day', week: 'previous UTC week (Mon-Sun)' };

export interface ParamMeta {
  /** The word before the parameter's field in the row. */
  label: string;
  /** int: a period; factor: a number above 0 and at most `max`; select: one of `options`. */
  kind: 'int' | 'factor' | 'select';
  /** value -> text, for a select. */
  options?: Record<string, string>;
  /** The largest value of a factor. */
  max?: number;
  /** The input's step arrows, for a factor. */
  step?: number;
}

/** How each parameter is edited and checked. */
export const PARAMS: Record<string, ParamMeta> = {
  period: { label: 'period', kind: 'int' },
  fast: { label: 'fast', kind: 'int' },
  slow: { label: 'slow', kind: 'int' },
  signal: { label: 'signal', kind: 'int' },
  stdDev: { label: 'std dev', kind: 'factor', max: MAX_STD_DEV, step: 0.1 },
  multiplier: { label: 'ATR multiplier', kind: 'factor', max: MAX_MULTIPLIER, step: 0.1 },
  atrPeriod: { label: 'ATR period', kind: 'int' },
  step: { label: 'step', kind: 'factor', max: MAX_ACCELERATION, step: 0.01 },
  maxStep: { label: 'max step', kind: 'factor', max: MAX_ACCELERATION, step: 0.01 },
  conversionPeriod: { label: 'conversion', kind: 'int' },
  basePeriod: { label: 'base', kind: 'int' },
  spanBPeriod: { label: 'span B', kind: 'int' },
  displacement: { label: 'displacement', kind: 'int' },
  kSmoothing: { label: '%K smoothing', kind: 'int' },
  rsiPeriod: { label: 'RSI period', kind: 'int' },
  stochPeriod: { label: 'stoch period', kind: 'int' },
  kPeriod: { label: '%K period', kind: 'int' },
  dPeriod: { label: '%D period', kind: 'int' },
  src: { label: 'source', kind: 'select', options: SOURCE_TITLES },
  anchor: { label: 'anchor', kind: 'select', options: ANCHOR_TITLES },
  method: { label: 'method', kind: 'select', options: METHOD_TITLES },
  session: { label: 'from the', kind: 'select', options: SESSION_TITLES },
};

export const NAME_RULE = 'must start with a letter or _ and hold only letters, digits and _';
export const MACD_ORDER = 'Fast must be smaller than slow';
export const PSAR_ORDER = 'Step must not be larger than max step';

/** The row's label of a parameter as the start of a sentence: "Period", "RSI period", "%K period". */
function labelWord(param: string): string {
  const l = PARAMS[param].label;
  return l.charAt(0).toUpperCase() + l.slice(1);
}

/** Error text for one parameter value, in the words of the row's labels, or '' when it is fine. A missing value takes the default. */
export function paramError(param: string, v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  const meta = PARAMS[param];
  if (!meta) return '';
  if (meta.kind === 'select') return String(v) in meta.options! ? '' : labelWord(param) + ' "' + v + '" is not one of the choices';
  const n = Number(v);
  if (meta.kind === 'int') {
    return Number.isInteger(n) && n >= INDICATOR_PERIOD.min && n <= INDICATOR_PERIOD.max ? '' : `${labelWord(param)} must be a whole number from ${INDICATOR_PERIOD.min} to ${INDICATOR_PERIOD.max}`;
  }
  return Number.isFinite(n) && n > 0 && n <= meta.max! ? '' : `${labelWord(param)} must be above 0 and at most ${meta.max}`;
}

/** The MACD's fast period against its slow one (empty: the defaults): MACD_ORDER, or ''. */
export function macdOrderError(fast: unknown, slow: unknown): string {
  const f = fast === undefined || fast === '' ? (INDICATOR_DEFAULTS.macd.fast as number) : Number(fast);
  const s = slow === undefined || slow === '' ? (INDICATOR_DEFAULTS.macd.slow as number) : Number(slow);
  return f < s ? '' : MACD_ORDER;
}

/** The Parabolic SAR's step against its maximum (empty: the defaults): PSAR_ORDER, or ''. */
export function psarOrderError(step: unknown, maxStep: unknown): string {
  const a = step === undefined || step === '' ? (INDICATOR_DEFAULTS.psar.step as number) : Number(step);
  const b = maxStep === undefined || maxStep === '' ? (INDICATOR_DEFAULTS.psar.maxStep as number) : Number(maxStep);
  return a <= b ? '' : PSAR_ORDER;
}

/** Error text for a stored row {name, type, ...params}, or ''. */
export function rowError(row: any, i: number): string {
  const where = 'indicator ' + (i + 1);
  if (!row || typeof row !== 'object') return where + ': not an object';
  if (!INDICATOR_NAME_RE.test(String(row.name || ''))) return where + ': the name ' + NAME_RULE;
  const params = INDICATOR_DEFAULTS[row.type as IndicatorTypeName];
  if (!params) return where + ' (' + row.name + '): unknown type "' + row.type + '"';
  for (const p of Object.keys(params)) {
    const e = paramError(p, row[p]);
    if (e) return row.name + ': ' + e;
  }
  if (row.type === 'macd') {
    const e = macdOrderError(row.fast, row.slow);
    if (e) return row.name + ': ' + e;
  }
  if (row.type === 'psar') {
    const e = psarOrderError(row.step, row.maxStep);
    if (e) return row.name + ': ' + e;
  }
  return '';
}

function describe(list: unknown): string {
  const names = (Array.isArray(list) ? list : []).map((r) => r && r.name).filter(Boolean);
  if (names.length === 0) return 'indicator';
  const text = 'indicators: ' + names.join(', ');
  return text.length > 40 ? text.slice(0, 39) + '…' : text;
}

export interface IndicatorConfig {
  name: string;
  indicators: Array<Record<string, unknown> & { name: string }>;
}

export const indicatorSpec: NodeSpec<IndicatorConfig> = {
  type: 'tradebot-indicator',
  category: 'tradebot',
  color: '#A8DADC',
  paletteLabel: 'indicator',
  icon: 'font-awesome/fa-area-chart',
  inputs: 1,
  outputs: 1,
  inputLabels: 'candles',
  outputLabels: 'candle + msg.indicators',
  defaults: {
    name: nameField,
    indicators: {
      value: [{ name: 'rsi14', type: 'rsi', period: INDICATOR_DEFAULTS.rsi.period, src: 'close' }],
      check: (v) => {
        if (!Array.isArray(v) || v.length === 0) return 'Add at least one indicator';
        const seen: Record<string, boolean> = {};
        for (let i = 0; i < v.length; i++) {
          const e = rowError(v[i], i);
          if (e) return e;
          if (seen[v[i].name]) return 'Indicator ' + (i + 1) + ': the name "' + v[i].name + '" is used twice';
          seen[v[i].name] = true;
        }
        return true;
      },
    },
  },
  defaultName: (c) => describe(c.indicators),
};
