/**
 * The risk gate's settings. Every rule is switched off by leaving its field empty; errors name
 * the editor field. Numbers may arrive as strings from the editor.
 */
import { z } from 'zod';
import { MAX_LADDER_RUNGS, zodError } from '../contract';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v) : v);
/** A choice left empty (a flow saved before the field existed) takes its default. */
const blankToDefault = (v: unknown) => (v === '' || v === null ? undefined : v);
/** Durations where 0 means "off", like an empty field. */
const zeroIsOff = (v: unknown) => {
  const n = blankToUndefined(v);
  return n === 0 ? undefined : n;
};
const optionalPositive = z.preprocess(blankToUndefined, z.number().positive('must be above 0').finite().optional());
const optionalPercent = z.preprocess(blankToUndefined, z.number().positive('must be above 0').max(100, 'must be at most 100').optional());
const optionalCount = z.preprocess(blankToUndefined, z.number().int('must be a whole number').min(0).optional());
/** The shortest limit-order timeout, seconds (the same floor as an order request's timeoutMs). */
export const MIN_LIMIT_TIMEOUT_SEC = 1;
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 24-hour');

/**
 * A take-profit ladder from the editor: "50@2, 50@4" (50 % of the position at +2 %, the rest at
 * +4 %), or a list of { percent, atPct } (a flow written by hand). Blank: no ladder.
 */
const RUNG_TEXT = /^\s*([-+]?[0-9.eE+-]+)\s*%?\s*@\s*\+?\s*([-+]?[0-9.eE+-]+)\s*%?\s*$/;
export interface LadderRung {
  /** Percent of the position this rung sells, (0, 100]. */
  percent: number;
  /** Gain above the entry at which it sells, percent. */
  atPct: number;
}
function ladderFromEditor(v: unknown): unknown {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return [];
  if (typeof v !== 'string') return v;
  return v.split(',').map((part) => {
    const m = RUNG_TEXT.exec(part);
    // Left as text: the check below refuses it naming the rung.
    return m ? { percent: Number(m[1]), atPct: Number(m[2]) } : part.trim();
  });
}
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** Every rung checked by hand, so each error names its rung and says what to write. */
const LadderSchema = z.preprocess(
  ladderFromEditor,
  z.array(z.unknown(), { error: 'must be a list of rungs such as "50@2, 50@4" (50 % of the position at +2 %, the rest at +4 %)' }).transform((items, ctx): LadderRung[] => {
    const rungs: LadderRung[] = [];
    const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (items.length > MAX_LADDER_RUNGS) issue([], `at most ${MAX_LADDER_RUNGS} rungs`);
    items.forEach((item, i) => {
      const r = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      if (typeof item !== 'object' || item === null) return issue([i], `"${String(item)}" is not a rung; write percent@gain, for example 50@2 (50 % of the position at +2 %)`);
      if (!isNumber(r.percent) || !(r.percent > 0) || r.percent > 100) return issue([i, 'percent'], 'must be a number above 0 and at most 100 (percent of the position)');
      if (!isNumber(r.atPct) || !(r.atPct > 0) || r.atPct > 10_000) return issue([i, 'atPct'], 'must be a number above 0 (percent above the entry price), at most 10000');
      rungs.push({ percent: r.percent, atPct: r.atPct });
    });
    if (rungs.length !== items.length || rungs.length === 0) return rungs;
    const sum = rungs.reduce((total, r) => total + r.percent, 0);
    if (Math.abs(sum - 100) > 1e-9) issue([], `the rungs' percents of the position must add up to 100 (they add up to ${+sum.toPrecision(10)})`);
    rungs.forEach((r, i) => {
      if (i > 0 && !(r.atPct > rungs[i - 1]!.atPct)) issue([i, 'atPct'], `must be above the level of the rung before (+${rungs[i - 1]!.atPct} %): levels rise rung by rung`);
    });
    return rungs;
  }),
);

export const RiskSettingsSchema = z
  .object({
    sizing: z.enum(['quote', 'equityPct', 'riskPct']).default('quote'),
    quoteAmount: optionalPositive,
    equityPct: optionalPercent,
    riskPct: optionalPercent,
    /** The currency equity is counted in (percent-of-equity sizing, drawdown). */
    accountCurrency: z.string().trim().min(1).default('USDT'),
    stopMode: z.enum(['none', 'pct', 'atr']).default('none'),
    stopPct: optionalPercent,
    /** Name of an ATR value in msg.indicators, e.g. atr14. */
    atrIndicator: z.string().trim().default('atr14'),
    atrMultiple: optionalPositive,
    takeProfitPct: optionalPercent,
    trailingPct: optionalPercent,
    /** Take-profit ladder: parts of the position sold at rising gains (percent of position, at +x %). */
    takeProfitLadder: LadderSchema.default([]),
    orderType: z.enum(['market', 'limit']).default('market'),
    limitOffsetPct: z.preprocess(blankToUndefined, z.number().min(0).max(10).default(0)),
    /** A limit order still open after this long is canceled; at least 1 s (a shorter one is refused). */
    limitTimeoutSec: z.preprocess(blankToUndefined, z.number().min(MIN_LIMIT_TIMEOUT_SEC, `must be at least ${MIN_LIMIT_TIMEOUT_SEC} (seconds)`).max(30 * 86_400, 'must be at most 2592000 (30 days)').optional()),
    maxOpenPositions: optionalCount,
    maxExposurePerSymbol: optionalPositive,
    maxExposureTotal: optionalPositive,
    noSellWithoutPosition: z.boolean().default(true),
    cooldownSec: z.preprocess(zeroIsOff, z.number().positive('must be above 0').finite().optional()),
    cooldownAfterLossSec: z.preprocess(zeroIsOff, z.number().positive('must be above 0').finite().optional()),
    dailyLossLimit: optionalPositive,
    maxDrawdownPct: optionalPercent,
    /**
     * What a tripped breaker does besides refusing entries: 'refuse' (only that) or 'flatten'
     * (also a force exit of every position, once, when it trips). Exits always pass.
     */
    drawdownAction: z.preprocess(blankToDefault, z.enum(['refuse', 'flatten']).default('refuse')),
    dailyLossAction: z.preprocess(blankToDefault, z.enum(['refuse', 'flatten']).default('refuse')),
    /** Trading window: days 0 (Sunday) to 6; empty = every day. */
    tradingDays: z.array(z.number().int().min(0).max(6)).default([]),
    tradingFrom: z.union([time, z.literal('')]).default(''),
    tradingTo: z.union([time, z.literal('')]).default(''),
    timezone: z.string().trim().default('UTC'),
  })
  .superRefine((s, ctx) => {
    const need = (field: 'quoteAmount' | 'equityPct' | 'riskPct', when: string) => {
      if (s[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is needed for ${when} sizing` });
    };
    if (s.sizing === 'quote') need('quoteAmount', 'fixed-amount');
    if (s.sizing === 'equityPct') need('equityPct', 'percent-of-equity');
    if (s.sizing === 'riskPct') {
      need('riskPct', 'risk-percent');
      if (s.stopMode === 'none') ctx.addIssue({ code: 'custom', path: ['stopMode'], message: 'risk-percent sizing needs a stop (percent or ATR)' });
    }
    if (s.stopMode === 'pct' && s.stopPct === undefined) ctx.addIssue({ code: 'custom', path: ['stopPct'], message: 'is needed for a percent stop' });
    if (s.stopMode === 'atr' && s.atrMultiple === undefined) ctx.addIssue({ code: 'custom', path: ['atrMultiple'], message: 'is needed for an ATR stop' });
    if (s.takeProfitLadder.length && s.takeProfitPct !== undefined) ctx.addIssue({ code: 'custom', path: ['takeProfitLadder'], message: 'set either a take-profit percent or a take-profit ladder, not both' });
    if (s.drawdownAction === 'flatten' && s.maxDrawdownPct === undefined) ctx.addIssue({ code: 'custom', path: ['drawdownAction'], message: '"flatten" needs a max drawdown (maxDrawdownPct) to trip on' });
    if (s.dailyLossAction === 'flatten' && s.dailyLossLimit === undefined) ctx.addIssue({ code: 'custom', path: ['dailyLossAction'], message: '"flatten" needs a daily loss limit (dailyLossLimit) to trip on' });
    if (Boolean(s.tradingFrom) !== Boolean(s.tradingTo)) ctx.addIssue({ code: 'custom', path: ['tradingTo'], message: 'set both the start and the end of the trading window, or neither' });
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s.timezone });
    } catch {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: `"${s.timezone}" is not a time zone (use e.g. UTC, Europe/Berlin, America/New_York)` });
    }
  });

export type RiskSettings = z.infer<typeof RiskSettingsSchema>;

export function parseRiskSettings(input: unknown): RiskSettings {
  const result = RiskSettingsSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'risk');
  return result.data;
}
