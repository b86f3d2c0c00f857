/** The mode implementation for an exchange node's settings: the one place that tells the modes apart by name. */
import type { ExchangeSettings } from '../exchange-settings';
import { BacktestMode } from './backtest-mode';
import { LiveMode } from './live-mode';
import { modeSettingsOf } from './mode-settings';
import { PaperMode } from './paper-mode';
import type { SessionMode } from './session-mode';
import { SimMode } from './sim-mode';

/** Throws an Error naming the field when the settings do not fit their mode (see mode-settings.ts). */
export function createMode(settings: ExchangeSettings): SessionMode {
  const s = modeSettingsOf(settings);
  switch (s.mode) {
    case 'sim':
      return new SimMode(s);
    case 'paper':
      return new PaperMode(s);
    case 'live':
      return new LiveMode(s);
    case 'backtest':
      return new BacktestMode(s);
  }
}
