/**
 * Candlestick patterns, one 1/0 field each, recognised by technicalindicators' pattern functions
 * (definitions: docs/indicators.md, "Candlestick patterns"). Each pattern looks at a fixed number
 * of the latest candles (1 to 3), so an update is O(1).
 *
 * Left out on purpose: the library's trend-confirmed five-candle patterns (hammerpattern,
 * hangingman, shootingstar, tweezertop, tweezerbottom). Their trend test compares two one-element
 * arrays of average gain and loss with `>`, which JavaScript does as text ("1e-7" > "0.00002"), so
 * on BTC-quoted prices they fire on the wrong candles.
 */
import * as library from 'technicalindicators';
import { Counted, type OhlcvCandle } from './candle-indicators';
import type { CANDLE_PATTERNS } from './kinds';
import type { IndicatorSpec } from './spec';

type PatternName = (typeof CANDLE_PATTERNS)[number];

/** What the library's pattern functions take: the last n candles as columns, oldest first. */
interface Columns {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}
type PatternFn = (data: Columns) => boolean;

/** Each pattern: the library's function name and how many candles it looks at. */
export const PATTERN_SOURCES: Record<PatternName, { fn: string; candles: 1 | 2 | 3 }> = {
  bullishEngulfing: { fn: 'bullishengulfingpattern', candles: 2 },
  bearishEngulfing: { fn: 'bearishengulfingpattern', candles: 2 },
  doji: { fn: 'doji', candles: 1 },
  dragonflyDoji: { fn: 'dragonflydoji', candles: 1 },
  gravestoneDoji: { fn: 'gravestonedoji', candles: 1 },
  bullishHammer: { fn: 'bullishhammerstick', candles: 1 },
  bearishHammer: { fn: 'bearishhammerstick', candles: 1 },
  bullishInvertedHammer: { fn: 'bullishinvertedhammerstick', candles: 1 },
  bearishInvertedHammer: { fn: 'bearishinvertedhammerstick', candles: 1 },
  morningStar: { fn: 'morningstar', candles: 3 },
  eveningStar: { fn: 'eveningstar', candles: 3 },
  morningDojiStar: { fn: 'morningdojistar', candles: 3 },
  eveningDojiStar: { fn: 'eveningdojistar', candles: 3 },
  abandonedBaby: { fn: 'abandonedbaby', candles: 3 },
  bullishHarami: { fn: 'bullishharami', candles: 2 },
  bearishHarami: { fn: 'bearishharami', candles: 2 },
  bullishHaramiCross: { fn: 'bullishharamicross', candles: 2 },
  bearishHaramiCross: { fn: 'bearishharamicross', candles: 2 },
  piercingLine: { fn: 'piercingline', candles: 2 },
  darkCloudCover: { fn: 'darkcloudcover', candles: 2 },
  downsideTasukiGap: { fn: 'downsidetasukigap', candles: 3 },
  threeWhiteSoldiers: { fn: 'threewhitesoldiers', candles: 3 },
  threeBlackCrows: { fn: 'threeblackcrows', candles: 3 },
  bullishMarubozu: { fn: 'bullishmarubozu', candles: 1 },
  bearishMarubozu: { fn: 'bearishmarubozu', candles: 1 },
  bullishSpinningTop: { fn: 'bullishspinningtop', candles: 1 },
  bearishSpinningTop: { fn: 'bearishspinningtop', candles: 1 },
};

/** The most candles any pattern looks at: the first value comes with this candle. */
export const PATTERN_WINDOW = 3;

function patternFunctions(): Array<[PatternName, PatternFn, 1 | 2 | 3]> {
  const functions = library as unknown as Record<string, unknown>;
  return (Object.keys(PATTERN_SOURCES) as PatternName[]).map((name) => {
    const { fn, candles } = PATTERN_SOURCES[name];
    const f = functions[fn];
    if (typeof f !== 'function') throw new Error(`technicalindicators has no pattern function ${fn}`);
    return [name, f as PatternFn, candles];
  });
}

export class CandlePatterns extends Counted<Extract<IndicatorSpec, { type: 'patterns' }>> {
  private readonly patterns = patternFunctions();
  /** The last 1, 2 and 3 candles as columns (index 0 unused), rebuilt in place on every candle. */
  private readonly windows: Columns[] = [0, 1, 2, 3].map(() => ({ open: [], high: [], low: [], close: [] }));
  private count = 0;
  constructor(spec: Extract<IndicatorSpec, { type: 'patterns' }>) {
    super(spec, PATTERN_WINDOW);
  }
  protected compute(c: OhlcvCandle) {
    this.count++;
    for (let n = 1; n <= PATTERN_WINDOW; n++) {
      const w = this.windows[n]!;
      w.open.push(c.open);
      w.high.push(c.high);
      w.low.push(c.low);
      w.close.push(c.close);
      if (w.close.length > n) {
        w.open.shift();
        w.high.shift();
        w.low.shift();
        w.close.shift();
      }
    }
    if (this.count < PATTERN_WINDOW) return null;
    const out: Record<string, number> = {};
    for (const [name, fn, n] of this.patterns) out[name] = fn(this.windows[n]!) ? 1 : 0;
    return out;
  }
  protected clear() {
    this.count = 0;
    for (const w of this.windows) w.open.length = w.high.length = w.low.length = w.close.length = 0;
  }
}
