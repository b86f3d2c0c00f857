/** The indicator engine: specs in, incremental indicators out. Definitions: docs/indicators.md. */
import {
  Adx,
  Atr,
  Bollinger,
  Cci,
  Macd,
  Mfi,
  Obv,
  Roc,
  StochRsi,
  Stochastic,
  Vwap,
  WilliamsR,
  WmaIndicator,
  type Indicator,
} from './candle-indicators';
import { CandlePatterns } from './candle-patterns';
import { Donchian, Ichimoku, Keltner } from './channels';
import { EmaIndicator, RsiIndicator, SmaIndicator } from './flat-averages';
import { HeikinAshi, Pivots } from './price-levels';
import { ParabolicSar, Supertrend } from './trend-stops';
import { parseIndicatorSpec, type IndicatorSpec } from './spec';

export type { Indicator, IndicatorValue, OhlcvCandle } from './candle-indicators';
export { INDICATOR_TYPES, parseIndicatorSpec, type IndicatorSpec, type IndicatorType, type PriceSource } from './spec';

/** Builds an indicator from a spec; parameters are validated (errors name the field). */
export function createIndicator(input: IndicatorSpec | Record<string, unknown>): Indicator {
  const spec = parseIndicatorSpec(input);
  switch (spec.type) {
    case 'sma':
      return new SmaIndicator(spec);
    case 'ema':
      return new EmaIndicator(spec);
    case 'rsi':
      return new RsiIndicator(spec);
    case 'wma':
      return new WmaIndicator(spec);
    case 'macd':
      return new Macd(spec);
    case 'bollinger':
      return new Bollinger(spec);
    case 'stochastic':
      return new Stochastic(spec);
    case 'stochrsi':
      return new StochRsi(spec);
    case 'atr':
      return new Atr(spec);
    case 'adx':
      return new Adx(spec);
    case 'cci':
      return new Cci(spec);
    case 'obv':
      return new Obv(spec);
    case 'vwap':
      return new Vwap(spec);
    case 'roc':
      return new Roc(spec);
    case 'williamsr':
      return new WilliamsR(spec);
    case 'mfi':
      return new Mfi(spec);
    case 'donchian':
      return new Donchian(spec);
    case 'keltner':
      return new Keltner(spec);
    case 'supertrend':
      return new Supertrend(spec);
    case 'psar':
      return new ParabolicSar(spec);
    case 'ichimoku':
      return new Ichimoku(spec);
    case 'heikinashi':
      return new HeikinAshi(spec);
    case 'pivots':
      return new Pivots(spec);
    case 'patterns':
      return new CandlePatterns(spec);
  }
}
