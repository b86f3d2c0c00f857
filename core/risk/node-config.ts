/**
 * The risk gate's settings as a flow stores them (the editor's fields, strings mostly; the trading
 * days as "1,2,3,4,5"), turned into what parseRiskSettings reads. Shared by the risk gate node and
 * the backtest's compiled path, so both read a flow's risk gate the same way.
 */
import { parseRiskSettings, type RiskSettings } from './settings';

export function riskSettingsInput(config: Record<string, unknown>): Record<string, unknown> {
  const raw = config.tradingDays;
  const days = Array.isArray(raw)
    ? raw
    : String(raw ?? '')
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean)
        .map(Number);
  const { id: _id, type: _type, z: _z, name: _name, wires: _wires, exchange: _exchange, x: _x, y: _y, g: _g, ...rest } = config;
  return { ...rest, tradingDays: days, noSellWithoutPosition: config.noSellWithoutPosition !== false };
}

/** A flow's risk gate node config as risk settings (throws naming the field). */
export function riskSettingsOfNode(config: Record<string, unknown>): RiskSettings {
  return parseRiskSettings(riskSettingsInput(config));
}
