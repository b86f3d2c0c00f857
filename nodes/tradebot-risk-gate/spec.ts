/**
 * The risk gate's settings (see nodes/shared/spec.ts). The runtime reads them with
 * core/risk/node-config.ts (parseRiskSettings in core/risk/settings.ts) and
 * core/risk/approval-settings.ts (ask first); every rule is off while its field is empty, and a
 * value that is set is checked even when the current choice does not use it, as the runtime does.
 */
import { APPROVAL_TIMEOUT, parseApprovalSettings } from '../../core/risk/approval-settings';
import { blank, isNum, oneOf, text, type FieldCheck, type FieldSpec, type NodeSpec } from '../shared/spec';
import { accepts, exchangeField, nameField } from '../shared/spec-fields';

export interface RiskGateConfig {
  name: string;
  exchange: string;
  sizing: string;
  quoteAmount: string | number;
  equityPct: string | number;
  riskPct: string | number;
  accountCurrency: string;
  stopMode: string;
  stopPct: string | number;
  atrIndicator: string;
  atrMultiple: string | number;
  takeProfitPct: string | number;
  takeProfitLadder: string;
  trailingPct: string | number;
  orderType: string;
  limitOffsetPct: string | number;
  limitTimeoutSec: string | number;
  maxOpenPositions: string | number;
  maxExposurePerSymbol: string | number;
  maxExposureTotal: string | number;
  noSellWithoutPosition: boolean;
  cooldownSec: string | number;
  cooldownAfterLossSec: string | number;
  dailyLossLimit: string | number;
  maxDrawdownPct: string | number;
  drawdownAction: string;
  dailyLossAction: string;
  tradingDays: string | number[];
  tradingFrom: string;
  tradingTo: string;
  timezone: string;
  askFirst: boolean;
  approvalTimeoutSec: string | number;
  telegram: string;
}

export const SIZINGS = ['quote', 'equityPct', 'riskPct'] as const;
export const STOP_MODES = ['none', 'pct', 'atr'] as const;
export const ORDER_TYPES = ['market', 'limit'] as const;
export const BREAKER_ACTIONS = ['refuse', 'flatten'] as const;
export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

type Field = (prop: string) => any;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const POSITIVE = 'must be a number above 0, or empty (off)';
const PERCENT = 'must be a percentage above 0 and at most 100, or empty (off)';
const NEEDS_STOP = 'needs a stop for risk-percent sizing: percent or ATR (Stops tab)';
const positive = (n: number) => n > 0;
const percent = (n: number) => n > 0 && n <= 100;

/**
 * A number that may stay empty (its rule is off), unless `needed` says the current settings use
 * it (then `neededText`).
 */
function optionalNumber(ok: (n: number) => boolean, message: string, needed?: (field: Field) => boolean, neededText?: string): FieldCheck {
  return (v, field) => {
    if (blank(v)) return needed && needed(field) ? neededText! : true;
    return (isNum(v) && ok(Number(v))) || message;
  };
}
const sizingIs = (s: string) => (field: Field) => field('sizing') === s;
const stopIs = (s: string) => (field: Field) => field('stopMode') === s;

/** A breaker action: refuse or flatten; flatten only with the limit it trips on. */
function breakerAction(limitField: string, message: string): FieldCheck {
  return (v, field) => {
    if (!(BREAKER_ACTIONS as readonly string[]).includes(v || 'refuse')) return 'must be one of ' + BREAKER_ACTIONS.join(', ');
    return v !== 'flatten' || text(field(limitField)) !== '' || message;
  };
}

/** "1,2,3" or [1, 2, 3] (both are accepted by the runtime) -> [1, 2, 3]; invalid entries stay as they are. */
export function daysOf(v: unknown): Array<number | string> {
  const list = Array.isArray(v) ? v : text(v).split(',');
  return list
    .map((d) => String(d).trim())
    .filter((d) => d !== '')
    .map((d) => (/^[0-6]$/.test(d) ? Number(d) : d));
}

function zoneError(v: unknown): string {
  const zone = text(v).trim();
  if (zone === '') return 'needs a time zone, e.g. UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return '';
  } catch {
    return ': "' + zone + '" is not a time zone (use e.g. UTC, Europe/Berlin, America/New_York)';
  }
}

/** One end of the trading window: HH:MM, and set together with the other end. */
function windowTime(other: string, missing: string): FieldCheck {
  return (v, field) => {
    if (!blank(v) && !TIME_RE.test(String(v))) return 'must be HH:MM, 24-hour';
    if (blank(v) && !blank(field(other))) return missing;
    return true;
  };
}

const RUNG_RE = /^\s*([-+]?[0-9.eE+-]+)\s*%?\s*@\s*\+?\s*([-+]?[0-9.eE+-]+)\s*%?\s*$/;
/** What is wrong with a take-profit ladder ("50@2, 50@4"), or '' when it is fine or empty. */
export function ladderError(v: unknown): string {
  if (blank(v)) return '';
  const parts = text(v).split(',');
  if (parts.length > 10) return ': at most 10 rungs';
  let sum = 0;
  let last = 0;
  for (let i = 0; i < parts.length; i++) {
    const m = RUNG_RE.exec(parts[i]!);
    if (!m) return ': rung ' + (i + 1) + ': "' + parts[i]!.trim() + '" is not a rung; write percent@gain, for example 50@2';
    const pct = Number(m[1]);
    const at = Number(m[2]);
    if (!(pct > 0 && pct <= 100)) return ': rung ' + (i + 1) + ': the percent of the position must be above 0 and at most 100';
    if (!(at > 0 && at <= 10000)) return ': rung ' + (i + 1) + ': the gain must be a percentage above 0';
    if (i > 0 && !(at > last)) return ': rung ' + (i + 1) + ': its level must be above the rung before (+' + last + ' %)';
    last = at;
    sum += pct;
  }
  if (Math.abs(sum - 100) > 1e-9) return ": the rungs' percents must add up to 100 (they add up to " + +sum.toPrecision(10) + ')';
  return '';
}

const BOTH = 'set either a take-profit percent or a take-profit ladder, not both';

const num = (label: string, value: unknown, check: FieldCheck): FieldSpec => ({ value, label, check });

export const riskGateSpec: NodeSpec<RiskGateConfig> = {
  type: 'tradebot-risk-gate',
  category: 'tradebot',
  color: '#E76F51',
  paletteLabel: 'risk gate',
  icon: 'font-awesome/fa-shield',
  inputs: 1,
  outputs: 3,
  inputLabels: 'signals; topic kill / resume / reset / forceExit / approve / reject',
  outputLabels: ['order requests', 'rejections', 'approval requests (ask first)'],
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    // Sizing
    sizing: {
      value: 'quote',
      label: 'Size',
      check: (v, field) => {
        if (!(SIZINGS as readonly string[]).includes(v)) return 'must be one of ' + SIZINGS.join(', ');
        return !(v === 'riskPct' && field('stopMode') === 'none') || NEEDS_STOP;
      },
    },
    quoteAmount: num('Amount', 100, optionalNumber(positive, 'must be a number above 0', sizingIs('quote'), 'is needed for fixed-amount sizing')),
    equityPct: num('Equity', '', optionalNumber(percent, 'must be a percentage above 0 and at most 100', sizingIs('equityPct'), 'is needed for percent-of-equity sizing')),
    riskPct: num('Risk', '', optionalNumber(percent, 'must be a percentage above 0 and at most 100', sizingIs('riskPct'), 'is needed for risk-percent sizing')),
    accountCurrency: { value: 'USDT', label: 'Equity in', check: (v) => /^\s*\S+\s*$/.test(text(v)) || 'must be a currency code such as USDT' },
    // Stops
    stopMode: {
      value: 'none',
      label: 'Stop-loss',
      check: (v, field) => {
        if (!(STOP_MODES as readonly string[]).includes(v)) return 'must be one of ' + STOP_MODES.join(', ');
        return !(v === 'none' && field('sizing') === 'riskPct') || NEEDS_STOP;
      },
    },
    // Below 100: a 100 % stop would be a stop-loss price of 0, which no order accepts.
    stopPct: num('Distance', '', optionalNumber((n) => n > 0 && n < 100, 'must be a percentage above 0 and below 100', stopIs('pct'), 'is needed for a percent stop')),
    atrIndicator: {
      value: 'atr14',
      label: 'ATR',
      check: (v, field) => field('stopMode') !== 'atr' || NAME_RE.test(text(v).trim()) || 'must be the name of an ATR in msg.indicators, e.g. atr14',
    },
    atrMultiple: num('ATR multiple', '', optionalNumber(positive, 'must be a number above 0', stopIs('atr'), 'is needed for an ATR stop')),
    takeProfitPct: num('Take profit', '', (v, field) => {
      const plain = optionalNumber(percent, PERCENT)(v, field);
      if (plain !== true) return plain;
      return blank(v) || blank(field('takeProfitLadder')) || ': ' + BOTH;
    }),
    // "50@2, 50@4": 50 % of the position at +2 %, the rest at +4 %. The runtime checks the same (core/risk/settings.ts).
    takeProfitLadder: num('TP ladder', '', (v, field) => ladderError(v) || blank(v) || blank(field('takeProfitPct')) || ': ' + BOTH),
    // At most 50: order requests carry the trailing distance as a fraction of at most 0.5.
    trailingPct: num('Trailing', '', optionalNumber((n) => n > 0 && n <= 50, 'must be a percentage above 0 and at most 50, or empty (off)')),
    // Order
    orderType: { value: 'market', label: 'Order type', check: oneOf(ORDER_TYPES) },
    limitOffsetPct: num('Offset', 0, optionalNumber((n) => n >= 0 && n <= 10, 'must be a percentage from 0 to 10')),
    // Whole seconds: the request carries whole milliseconds.
    limitTimeoutSec: num('Timeout', '', optionalNumber((n) => n >= 1 && Math.floor(n) === n, 'must be a whole number of seconds, or empty (no timeout)')),
    // Rules: empty = off
    maxOpenPositions: num('Positions', '', optionalNumber((n) => n >= 0 && Math.floor(n) === n, 'must be a whole number from 0, or empty (off)')),
    maxExposurePerSymbol: num('Per symbol', '', optionalNumber(positive, POSITIVE)),
    maxExposureTotal: num('Total', '', optionalNumber(positive, POSITIVE)),
    noSellWithoutPosition: { value: true },
    cooldownSec: num('Cooldown', '', optionalNumber(positive, 'must be a number of seconds above 0, or empty (off)')),
    cooldownAfterLossSec: num('After a loss', '', optionalNumber(positive, 'must be a number of seconds above 0, or empty (off)')),
    dailyLossLimit: num('Daily loss', '', optionalNumber(positive, POSITIVE)),
    maxDrawdownPct: num('Drawdown', '', optionalNumber(percent, PERCENT)),
    // What a tripped breaker does: refuse entries only, or also close every position. Flatten needs its limit.
    drawdownAction: { value: 'refuse', label: 'When it trips', check: breakerAction('maxDrawdownPct', '"flatten" needs a drawdown limit to trip on') },
    dailyLossAction: { value: 'refuse', label: 'When it trips', check: breakerAction('dailyLossLimit', '"flatten" needs a daily loss limit to trip on') },
    // Trading window
    tradingDays: {
      value: '',
      label: 'Days',
      check: (v) => {
        const bad = daysOf(v).filter((d) => typeof d !== 'number');
        return bad.length === 0 || 'must be 0 (Sunday) to 6 (Saturday), comma-separated; "' + bad[0] + '" is not';
      },
    },
    tradingFrom: { value: '', label: 'Hours', check: windowTime('tradingTo', ': the trading window needs a start as well as an end, or neither') },
    tradingTo: { value: '', label: 'Hours (to)', check: windowTime('tradingFrom', ': the trading window needs an end as well as a start, or neither') },
    timezone: { value: 'UTC', label: 'Time zone', check: (v) => zoneError(v) || true },
    // Ask first (core/risk/approval.ts): entries wait for a person's approval; off for flows saved before it existed.
    askFirst: { value: false },
    approvalTimeoutSec: {
      value: APPROVAL_TIMEOUT.fallback,
      label: 'Answer within',
      check: (v, field) => !field('askFirst') || accepts(() => parseApprovalSettings({ askFirst: true, approvalTimeoutSec: v })) || `must be a whole number of seconds from ${APPROVAL_TIMEOUT.min} to ${APPROVAL_TIMEOUT.max}`,
    },
    // Optional: without a bot the question goes out on output 3 only (a dashboard, anything).
    telegram: { value: '', config: { type: 'tradebot-telegram', what: 'a Telegram bot', optional: true } },
  },
  defaultName: (c) => (c.askFirst ? 'risk gate (ask first)' : 'risk gate'),
};
