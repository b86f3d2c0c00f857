/**
 * The indicator types, their parameters with defaults, and the ranges those take. No zod here:
 * spec.ts builds the runtime's schema from these, and the editor bundle the indicator dialog's
 * rows, so the two cannot drift. Definitions: docs/indicators.md.
 */

export const INDICATOR_TYPES = ['sma', 'ema', 'wma', 'rsi', 'macd', 'bollinger', 'stochastic', 'stochrsi', 'atr', 'adx', 'cci', 'obv', 'vwap', 'roc', 'williamsr', 'mfi',
  'donchian', 'keltner', 'supertrend', 'psar', 'ichimoku', 'heikinashi', 'pivots', 'patterns'] as const;
export type IndicatorTypeName = (typeof INDICATOR_TYPES)[number];

export const PRICE_SOURCES = ['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4'] as const;
export const VWAP_ANCHORS = ['day', 'none'] as const;
/** Pivot points: how the levels are computed from the previous session, and what a session is. */
export const PIVOT_METHODS = ['classic', 'fibonacci', 'camarilla', 'woodie'] as const;
export const PIVOT_SESSIONS = ['day', 'week'] as const;

/** Every period parameter (candles). */
export const INDICATOR_PERIOD = { min: 1, max: 10_000 } as const;
/** Bollinger's width in standard deviations: above 0, at most this. */
export const MAX_STD_DEV = 10;
/** Keltner's and Supertrend's ATR multiplier: above 0, at most this. */
export const MAX_MULTIPLIER = 10;
/** Parabolic SAR's acceleration step and its maximum: above 0, at most this. */
export const MAX_ACCELERATION = 1;

/**
 * The candlestick patterns the `patterns` indicator reports (1 or 0 each), in the order the
 * docs list them: technicalindicators' shape patterns (core/indicators/candle-patterns.ts).
 */
export const CANDLE_PATTERNS = [
  'bullishEngulfing', 'bearishEngulfing', 'doji', 'dragonflyDoji', 'gravestoneDoji',
  'bullishHammer', 'bearishHammer', 'bullishInvertedHammer', 'bearishInvertedHammer',
  'morningStar', 'eveningStar', 'morningDojiStar', 'eveningDojiStar', 'abandonedBaby',
  'bullishHarami', 'bearishHarami', 'bullishHaramiCross', 'bearishHaramiCross',
  'piercingLine', 'darkCloudCover', 'downsideTasukiGap', 'threeWhiteSoldiers', 'threeBlackCrows',
  'bullishMarubozu', 'bearishMarubozu', 'bullishSpinningTop', 'bearishSpinningTop',
] as const;

/** Each type's parameters and their defaults. */
export const INDICATOR_DEFAULTS: Record<IndicatorTypeName, Record<string, number | string>> = {
  sma: { period: 20, src: 'close' },
  ema: { period: 20, src: 'close' },
  wma: { period: 20, src: 'close' },
  rsi: { period: 14, src: 'close' },
  macd: { fast: 12, slow: 26, signal: 9, src: 'close' },
  bollinger: { period: 20, stdDev: 2, src: 'close' },
  stochastic: { period: 14, kSmoothing: 3, dPeriod: 3 },
  stochrsi: { rsiPeriod: 14, stochPeriod: 14, kPeriod: 3, dPeriod: 3, src: 'close' },
  atr: { period: 14 },
  adx: { period: 14 },
  cci: { period: 20 },
  obv: {},
  vwap: { anchor: 'day' },
  roc: { period: 10, src: 'close' },
  williamsr: { period: 14 },
  mfi: { period: 14 },
  donchian: { period: 20 },
  keltner: { period: 20, multiplier: 2, atrPeriod: 10 },
  supertrend: { period: 10, multiplier: 3 },
  psar: { step: 0.02, maxStep: 0.2 },
  ichimoku: { conversionPeriod: 9, basePeriod: 26, spanBPeriod: 52, displacement: 26 },
  heikinashi: {},
  pivots: { method: 'classic', session: 'day' },
  patterns: {},
};

/** The fields of the indicators whose value is an object (for rule operands such as macd.histogram). */
export const INDICATOR_FIELDS: Partial<Record<IndicatorTypeName, readonly string[]>> = {
  macd: ['macd', 'signal', 'histogram'],
  bollinger: ['upper', 'middle', 'lower', 'bandwidth', 'percentB'],
  stochastic: ['k', 'd'],
  stochrsi: ['k', 'd'],
  adx: ['adx', 'pdi', 'mdi'],
  donchian: ['upper', 'middle', 'lower'],
  keltner: ['upper', 'middle', 'lower'],
  supertrend: ['supertrend', 'direction', 'upper', 'lower'],
  psar: ['sar', 'direction'],
  ichimoku: ['conversion', 'base', 'spanA', 'spanB', 'cloudA', 'cloudB'],
  heikinashi: ['open', 'high', 'low', 'close'],
  pivots: ['pp', 'r1', 'r2', 'r3', 's1', 's2', 's3'],
  patterns: CANDLE_PATTERNS,
};

/** What an indicator's name in msg.indicators must look like. */
export const INDICATOR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name an indicator gets until the user types one: ema20, macd, bb20, stochrsi… */
export function defaultIndicatorName(type: string, period?: unknown): string {
  const defaults = INDICATOR_DEFAULTS[type as IndicatorTypeName];
  if (!defaults) return 'indicator';
  const p = period === undefined || period === '' ? defaults.period : period;
  switch (type) {
    case 'macd':
    case 'stochrsi':
    case 'obv':
    case 'vwap':
    case 'supertrend':
    case 'psar':
    case 'ichimoku':
    case 'pivots':
    case 'patterns':
      return type;
    case 'heikinashi':
      return 'ha';
    case 'donchian':
      return 'dc' + p;
    case 'keltner':
      return 'kc' + p;
    case 'bollinger':
      return 'bb' + p;
    case 'stochastic':
      return 'stoch' + p;
    case 'williamsr':
      return 'willr' + p;
    default:
      return type + p;
  }
}
