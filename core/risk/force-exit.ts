/**
 * Force exit: market sells that close one held position or every one, asked for by a person
 * (a `forceExit` message, Telegram /forceexit, a dashboard button) or by a breaker set to
 * "flatten". They are exits: no risk rule refuses them (see risk-gate.ts).
 *
 * Each close gets a client order id derived from the position it closes (symbol, the time of its
 * last fill, its amount) and an attempt number. A repeated or redelivered force exit of the same
 * position therefore maps to the same id while that order is on its way, and the account answers
 * it from its record instead of selling twice; once the position is closed there is nothing left
 * to force out, and a new position gets a new id. An attempt that ended without changing the
 * position (rejected, e.g. by the exchange) is done with: the next force exit of that unchanged
 * position is attempt 1, 2, ... so a person can always try again.
 */
import { createHash } from 'node:crypto';
import type { OrderRequest } from '../contract';
import { ValidationError } from '../errors';
import type { RiskOutcome } from './risk-gate';
import type { MarketInfo } from '../market/market-source';
import { floorToStep } from '../trading/precision';
import type { Portfolio, Position } from '../trading/portfolio';
import { splitSymbol } from '../market/symbol';

export type ForceExitTarget = { symbol: string } | { all: true };

/** A force exit that cannot be done as asked; the message names the field. Nothing is placed. */
export class ForceExitInputError extends ValidationError {}

/** Whether an order request is a force exit (its updates carry the reason, like a stop's close). */
export const isForceExit = (request: { reason?: string }): boolean => request.reason?.startsWith('force exit') === true;

/**
 * Reads `{symbol}` or `{all: true}`. `where` prefixes the field in errors (msg.payload for a
 * message; the Telegram command names its own argument).
 */
export function parseForceExitTarget(payload: unknown, where = 'msg.payload'): ForceExitTarget {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ForceExitInputError(`${where}: a force exit needs an object, {symbol: "BTC/USDT"} or {all: true}; got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}`);
  }
  const p = payload as Record<string, unknown>;
  const hasSymbol = p.symbol !== undefined;
  const hasAll = p.all !== undefined;
  if (hasSymbol && hasAll) throw new ForceExitInputError(`${where}: give either symbol or all, not both`);
  if (hasAll) {
    if (p.all !== true) throw new ForceExitInputError(`${where}.all: must be true to close every position; got ${JSON.stringify(p.all)}`);
    return { all: true };
  }
  if (!hasSymbol) throw new ForceExitInputError(`${where}.symbol: the market to close, e.g. "BTC/USDT" (or all: true for every position)`);
  if (typeof p.symbol !== 'string' || !p.symbol.trim()) throw new ForceExitInputError(`${where}.symbol: must be a market symbol such as "BTC/USDT"; got ${JSON.stringify(p.symbol)}`);
  return { symbol: p.symbol.trim() };
}

/** The close's client order id: `tb-fx-` and 24 hex digits of the position's identity and the attempt. */
export function forceExitOrderId(position: Pick<Position, 'symbol' | 'lastTradeTs' | 'amount'>, attempt = 0): string {
  const text = [position.symbol, position.lastTradeTs, position.amount, ...(attempt ? [attempt] : [])].join('|');
  return `tb-fx-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

/** Attempts of one unchanged position tried before giving up (each one ended without a fill). */
const MAX_ATTEMPTS = 1_000;

export interface ForceExitContext {
  portfolio: Portfolio;
  markets: Map<string, MarketInfo>;
  /** The exchange name requests carry. */
  exchange: string;
  /** The exchange's clock (virtual in sim and backtest). */
  now: number;
  /** Why, on each request: "force exit" for a person's request. */
  reason?: string;
  /** Symbols left alone (a sell already on its way for them). */
  exclude?: string[];
  /** Whether an order id ended at the account (the account's finished()); then the next attempt's id is used. */
  finished?: (clientOrderId: string) => boolean;
}

/** What can be sold of a position now: its amount, at most the free coins, to the market's step. */
function sellable(portfolio: Portfolio, position: Position, market: MarketInfo): number {
  const free = portfolio.balance(splitSymbol(position.symbol).base).free;
  return floorToStep(Math.min(position.amount, free), market.amountStep);
}

function request(position: Position, amount: number, ctx: ForceExitContext): OrderRequest {
  // An id that ended while the position stayed as it was did not sell it: the next attempt may.
  let attempt = 0;
  while (ctx.finished?.(forceExitOrderId(position, attempt)) && attempt < MAX_ATTEMPTS) attempt++;
  return {
    kind: 'orderRequest',
    clientOrderId: forceExitOrderId(position, attempt),
    exchange: ctx.exchange,
    symbol: position.symbol,
    side: 'sell',
    type: 'market',
    amount,
    ts: ctx.now,
    reason: ctx.reason ?? 'force exit',
  };
}

/**
 * The market sells for a force exit. One symbol: refused (ForceExitInputError naming the field)
 * when it is not a market here, not held, or too small to sell. All: every held position that
 * can be sold; none held gives an empty list.
 */
export function forceExitRequests(target: ForceExitTarget, ctx: ForceExitContext, where = 'msg.payload'): OrderRequest[] {
  if ('symbol' in target) {
    const market = ctx.markets.get(target.symbol);
    if (!market) throw new ForceExitInputError(`${where}.symbol: ${target.symbol} is not a market on ${ctx.exchange}`);
    const position = ctx.portfolio.position(target.symbol);
    if (!position) throw new ForceExitInputError(`${where}.symbol: no ${target.symbol} position is held; nothing to close`);
    const amount = sellable(ctx.portfolio, position, market);
    if (!(amount > 0)) throw new ForceExitInputError(`${where}.symbol: the ${target.symbol} position (${position.amount}) has no free amount of at least the market's step ${market.amountStep} to sell`);
    return [request(position, amount, ctx)];
  }
  const out: OrderRequest[] = [];
  for (const position of ctx.portfolio.openPositions()) {
    if (ctx.exclude?.includes(position.symbol)) continue;
    const market = ctx.markets.get(position.symbol);
    if (!market) continue;
    const amount = sellable(ctx.portfolio, position, market);
    if (amount > 0) out.push(request(position, amount, ctx));
  }
  return out;
}

/**
 * A breaker set to "flatten" that tripped on this signal (its own refusal, or a trip riding along
 * an approval): the force exit of everything it asks for, as `reason` and the symbols to leave out
 * (the one this signal's own sell is already closing). Undefined when nothing is to be flattened.
 */
export function flattenAfterTrips(outcome: RiskOutcome): { reason: string; exclude: string[] } | undefined {
  // Nothing tripped (every decision but a breaker's): nothing to flatten, no lists made.
  if (!outcome.trips?.length && !('rejection' in outcome && outcome.rejection.trip)) return undefined;
  const tripping = 'rejection' in outcome && outcome.rejection.trip ? [outcome.rejection] : [];
  const flatten = [...(outcome.trips ?? []), ...tripping].filter((t) => t.action === 'flatten');
  if (!flatten.length) return undefined;
  const why = flatten.map((t) => (t.code === 'DRAWDOWN_BREAKER' ? 'drawdown breaker' : 'daily loss limit')).join(', ');
  return { reason: `force exit: ${why} tripped (flatten)`, exclude: 'request' in outcome ? [outcome.request.symbol] : [] };
}
