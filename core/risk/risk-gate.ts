/**
 * The risk gate: turns a signal into a sized order request, or refuses it with a reason code
 * and a sentence. Rules run in a fixed order and the first that refuses decides. Time is the
 * signal's (virtual in backtests), never the wall clock. A signal whose price or time is not
 * plausible (core/plausibility.ts) is refused with an ImplausibleInputError before any rule.
 */
import type { OrderRequest, Rejection, Signal } from '../contract';
import type { IndicatorValue } from '../indicators';
import type { MarketInfo } from '../market/market-source';
import { checkMarketPrice, checkMessageTime, ImplausibleInputError } from '../plausibility';
import { amountForQuote, floorToStep, roundToStep } from '../trading/precision';
import type { Portfolio } from '../trading/portfolio';
import { splitSymbol } from '../market/symbol';
import type { RiskSettings } from './settings';
import { inTradingWindow } from './trading-window';
import type { ApprovalState } from './approval';
import { rememberId } from '../util/remembered-ids';

export interface RiskState {
  killed: boolean;
  breaker: { tripped: boolean; at?: number; drawdown?: number };
  /** Signal ids already approved (newest last): a repeated signal is refused. */
  approved: string[];
  /** The UTC day (yyyy-mm-dd) the daily loss limit last tripped: one trip message (and flatten) per day. */
  dailyLossDay?: string;
  /** Ask first: entries waiting for a person's answer, and the latest answers (core/risk/approval.ts). */
  approvals?: ApprovalState;
}

export const initialRiskState = (): RiskState => ({ killed: false, breaker: { tripped: false }, approved: [] });

export interface RiskContext {
  portfolio: Portfolio;
  market: MarketInfo | undefined;
  indicators: Record<string, IndicatorValue | null | undefined>;
  /** The exchange node's cap on one order's value, quote currency. */
  maxNotional?: number;
  /** Orders still open, by symbol (they hold funds and count towards exposure). */
  openOrderSymbols: string[];
  /** The market price the signal's price is checked against (else the portfolio's last price). */
  marketPrice?: number;
  /** The exchange's clock (virtual in sim and backtest) the signal's time is checked against. */
  now?: number;
}

/**
 * An approved request or a refusal; `trips` carries the message of each breaker that tripped on
 * this signal (sent to the notifier; with action "flatten" the caller also force-exits).
 */
export type RiskOutcome = ({ request: OrderRequest } | { rejection: Rejection }) & { trips?: Rejection[] };

const REMEMBER_APPROVED = 5_000;
/** Headroom on the quote balance for fees and slippage of a market buy. */
const BALANCE_HEADROOM = 1.005;
/** Sizes cut by the max-order cap stay 1 % below it. */
const CAP_HEADROOM = 0.99;
const fmt = (x: number) => String(+x.toPrecision(8));

/**
 * What a sell sells: the whole position, or `fraction` of it rounded down to the amount step. A
 * part that would leave a remainder the market cannot sell on its own (below its minimum amount
 * or order value, or nothing at its step) sells the whole position instead: such dust could never
 * be closed by a later order. `whole` is already on the step.
 */
export function sellSize(whole: number, fraction: number | undefined, price: number, market: MarketInfo): { amount: number; how: string } {
  if (fraction === undefined || fraction >= 1) return { amount: whole, how: 'sell the whole position' };
  const amount = floorToStep(whole * fraction, market.amountStep);
  const rest = floorToStep(whole - amount, market.amountStep);
  const restTooSmall = !(rest > 0) || (market.minAmount !== undefined && rest < market.minAmount) || (market.minNotional !== undefined && rest * price < market.minNotional);
  if (restTooSmall) return { amount: whole, how: `sell ${fmt(100 * fraction)} % of the position: the whole of it, as the rest (${fmt(rest)}) would be below the market's minimum` };
  return { amount, how: `sell ${fmt(100 * fraction)} % of the position (${fmt(amount)} of ${fmt(whole)})` };
}

export class RiskGate {
  /** The approved ids as a set: the duplicate check runs on every signal. */
  private readonly approvedSet: Set<string>;

  constructor(
    private readonly s: RiskSettings,
    readonly state: RiskState = initialRiskState(),
  ) {
    this.approvedSet = new Set(state.approved);
  }

  /** The text of a fixed quote size (the same for every signal of a quote): made once. */
  private quoteHowText: { amount: number; quote: string; text: string } | undefined;
  private quoteHow(amount: number, quote: string): string {
    const made = this.quoteHowText;
    if (made && made.amount === amount && made.quote === quote) return made.text;
    const text = `${fmt(amount)} ${quote}`;
    this.quoteHowText = { amount, quote, text };
    return text;
  }

  /** Takes back an approval that could not be saved, so the signal can trade once state is stored. */
  unapprove(signalId: string): void {
    this.approvedSet.delete(signalId);
    const i = this.state.approved.lastIndexOf(signalId);
    if (i >= 0) this.state.approved.splice(i, 1);
  }

  kill(): void {
    this.state.killed = true;
  }

  resume(): void {
    this.state.killed = false;
  }

  /** Re-arms the breaker; the equity peak starts again from today's equity, or it would trip at once. */
  resetBreaker(portfolio?: Portfolio): void {
    this.state.breaker = { tripped: false };
    if (portfolio) portfolio.peakEquity = portfolio.equity(this.s.accountCurrency).equity;
  }

  evaluate(signal: Signal, ctx: RiskContext): RiskOutcome {
    const reject = (code: string, reason: string): RiskOutcome => ({
      rejection: { kind: 'rejection', code, reason, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts: signal.ts },
    });
    const s = this.s;
    const { portfolio } = ctx;
    const { base, quote } = splitSymbol(signal.symbol);
    // A signal seen before is refused as such whatever it carries (a redelivery after a restart).
    if (this.approvedSet.has(signal.id)) return reject('DUPLICATE_SIGNAL', `signal ${signal.id} was already turned into an order; not again`);
    // An implausible price or time is refused before it touches anything (marks, breaker, windows).
    const implausible =
      checkMarketPrice('msg.payload.price', signal.price, ctx.marketPrice ?? portfolio.lastPrice(signal.symbol), signal.symbol) ??
      (ctx.now === undefined ? undefined : checkMessageTime('msg.payload.ts', signal.ts, ctx.now));
    if (implausible) throw new ImplausibleInputError(implausible);
    // The portfolio is valued at market prices (the exchange's feed, the backtest's replay); the
    // signal's price marks it only where no market price is known at all.
    if (portfolio.lastPrice(signal.symbol) === undefined) portfolio.mark(signal.symbol, signal.price);

    if (!ctx.market) return reject('UNKNOWN_SYMBOL', `${signal.symbol} is not a market on this exchange`);
    const now = signal.ts;
    // The breakers are looked at on every signal, a sell included, so a drop trips them (and
    // flattens, where set) even while the strategy only exits.
    const trips = this.checkBreakers(signal, portfolio);
    const withTrips = (outcome: RiskOutcome): RiskOutcome => (trips.length ? { ...outcome, trips } : outcome);

    // Exits. On spot a sell can only reduce what is held: no rule that limits new risk refuses it
    // (kill switch, trading window, cooldowns, daily loss limit, drawdown breaker, max positions,
    // exposure caps, balance), or a paused or tripped bot could never get out of a position.
    if (signal.side === 'sell') {
      const position = portfolio.position(signal.symbol);
      const free = portfolio.balance(base).free;
      const whole = floorToStep(Math.min(position?.amount ?? free, free), ctx.market.amountStep);
      if (!position && s.noSellWithoutPosition) return withTrips(reject('NO_POSITION', `no ${signal.symbol} position to sell (spot)`));
      if (!(whole > 0)) return withTrips(reject('NO_POSITION', `no free ${base} to sell`));
      const { amount, how } = sellSize(whole, signal.fraction, signal.price, ctx.market);
      const limits = this.checkLimits(amount, signal.price, ctx.market);
      if (limits) return withTrips(reject(limits.code, `${limits.reason} (${how})`));
      return withTrips(this.approve(signal, amount, ctx, undefined, how));
    }

    // Entries: every rule below limits new risk.
    if (this.state.killed) return withTrips(reject('KILL_SWITCH', 'the kill switch is on: no new entries until a "resume" message (exits still go through)'));
    // A breaker that tripped on this very signal: its trip message is the buy's refusal.
    const trippedNow = trips.find((t) => t.code === 'DRAWDOWN_BREAKER') ?? trips.find((t) => t.code === 'DAILY_LOSS_LIMIT');
    if (trippedNow) return { rejection: { ...trippedNow, side: signal.side, signalId: signal.id }, trips: trips.filter((t) => t !== trippedNow) };
    if (this.state.breaker.tripped) {
      return reject('DRAWDOWN_BREAKER', `the drawdown breaker tripped (${fmt(100 * (this.state.breaker.drawdown ?? 0))} % from the peak): no new entries until a "reset" message`);
    }
    if ((s.tradingDays.length || s.tradingFrom) && !inTradingWindow(signal.ts, { days: s.tradingDays, from: s.tradingFrom, to: s.tradingTo, timezone: s.timezone })) {
      return reject('OUTSIDE_TRADING_WINDOW', `outside the trading window (${s.tradingDays.length ? `days ${s.tradingDays.join(',')}` : 'every day'}${s.tradingFrom ? ` ${s.tradingFrom}-${s.tradingTo}` : ''} ${s.timezone}): no new entries`);
    }
    const last = portfolio.allPositions().find((p) => p.symbol === signal.symbol);
    if (s.cooldownSec && last && last.lastTradeTs && now - last.lastTradeTs < s.cooldownSec * 1000) {
      return reject('COOLDOWN', `${signal.symbol} traded ${fmt((now - last.lastTradeTs) / 1000)} s ago; cooldown is ${s.cooldownSec} s`);
    }
    if (s.cooldownAfterLossSec && last && last.lastTradePnl < 0 && now - last.lastTradeTs < s.cooldownAfterLossSec * 1000) {
      return reject('COOLDOWN_AFTER_LOSS', `${signal.symbol} lost ${fmt(-last.lastTradePnl)} ${quote} ${fmt((now - last.lastTradeTs) / 1000)} s ago; cooldown after a loss is ${s.cooldownAfterLossSec} s`);
    }
    if (s.dailyLossLimit !== undefined && -portfolio.realizedOn(now) >= s.dailyLossLimit) {
      return reject('DAILY_LOSS_LIMIT', `today's realized loss ${fmt(-portfolio.realizedOn(now))} reached the daily limit ${s.dailyLossLimit}: no new entries today`);
    }
    const holding = portfolio.position(signal.symbol);
    if (s.maxOpenPositions !== undefined && !holding) {
      const open = new Set([...portfolio.openPositions().map((p) => p.symbol), ...ctx.openOrderSymbols]);
      if (open.size >= s.maxOpenPositions) return reject('MAX_POSITIONS', `${open.size} positions open; the limit is ${s.maxOpenPositions}`);
    }

    // Sizing (equityValue: equity(...).equity without the list of unpriced assets)
    const equity = portfolio.equityValue(s.accountCurrency);
    const stop = this.stopDistance(signal, ctx);
    if (typeof stop === 'string') return reject('NO_STOP_DISTANCE', stop);
    let quoteAmount: number;
    let how: string;
    if (s.sizing === 'quote') {
      quoteAmount = s.quoteAmount!;
      how = this.quoteHow(quoteAmount, quote);
    } else if (s.sizing === 'equityPct') {
      quoteAmount = (equity * s.equityPct!) / 100;
      how = `${s.equityPct} % of equity ${fmt(equity)}`;
    } else {
      if (!stop) return reject('NO_STOP_DISTANCE', 'risk-percent sizing needs a stop distance');
      quoteAmount = (equity * s.riskPct!) / 100 / stop;
      how = `risk ${s.riskPct} % of equity ${fmt(equity)} with a ${fmt(100 * stop)} % stop`;
    }
    if (!(quoteAmount > 0)) return reject('ZERO_SIZE', `the size came out as ${fmt(quoteAmount)} ${quote} (${how})`);
    if (ctx.maxNotional !== undefined && quoteAmount > ctx.maxNotional * CAP_HEADROOM) {
      // The exchange node's cap bounds every order: a larger size is cut to just below it, so a price
      // move before the fill cannot push the order over the cap (the order node refuses anything above it).
      how += `, capped at the exchange node's max order ${ctx.maxNotional} ${quote}`;
      quoteAmount = ctx.maxNotional * CAP_HEADROOM;
    }
    if (s.maxExposurePerSymbol !== undefined && portfolio.exposure(signal.symbol) + quoteAmount > s.maxExposurePerSymbol) {
      return reject('MAX_EXPOSURE_SYMBOL', `${signal.symbol} exposure would be ${fmt(portfolio.exposure(signal.symbol) + quoteAmount)} ${quote}; the limit is ${s.maxExposurePerSymbol}`);
    }
    if (s.maxExposureTotal !== undefined) {
      const total = portfolio.openPositions().reduce((sum, p) => sum + portfolio.exposure(p.symbol), 0);
      if (total + quoteAmount > s.maxExposureTotal) {
        return reject('MAX_EXPOSURE_TOTAL', `total exposure would be ${fmt(total + quoteAmount)}; the limit is ${s.maxExposureTotal}`);
      }
    }
    const amount = amountForQuote(quoteAmount, signal.price, ctx.market.amountStep);
    const limits = this.checkLimits(amount, signal.price, ctx.market);
    if (limits) return reject(limits.code, limits.reason);
    const free = portfolio.balance(quote).free;
    if (free < amount * signal.price * BALANCE_HEADROOM) {
      return reject('INSUFFICIENT_BALANCE', `${fmt(amount * signal.price)} ${quote} needed (plus fees), ${fmt(free)} free`);
    }
    return this.approve(signal, amount, ctx, stop, how);
  }

  /**
   * Trips the drawdown breaker and the daily loss limit when they are reached, once each (the
   * breaker until a reset, the daily limit once per UTC day), and returns a message per trip.
   */
  private checkBreakers(signal: Signal, portfolio: Portfolio): Rejection[] {
    const s = this.s;
    const trips: Rejection[] = [];
    const trip = (code: string, action: 'refuse' | 'flatten', reason: string) =>
      trips.push({ kind: 'rejection', code, reason: `${reason}; ${action === 'flatten' ? 'flatten: every position is closed at market' : 'no new entries, exits still go through'}`, symbol: signal.symbol, ts: signal.ts, trip: true, action });
    if (s.maxDrawdownPct !== undefined && !this.state.breaker.tripped) {
      const dd = portfolio.drawdown(s.accountCurrency);
      if (dd * 100 >= s.maxDrawdownPct) {
        this.state.breaker = { tripped: true, at: signal.ts, drawdown: dd };
        trip('DRAWDOWN_BREAKER', s.drawdownAction, `equity is ${fmt(100 * dd)} % below its peak (limit ${s.maxDrawdownPct} %): drawdown breaker tripped until a "reset" message`);
      }
    }
    if (s.dailyLossLimit !== undefined) {
      const day = new Date(signal.ts).toISOString().slice(0, 10);
      const loss = -portfolio.realizedOn(signal.ts);
      if (loss >= s.dailyLossLimit && this.state.dailyLossDay !== day) {
        this.state.dailyLossDay = day;
        trip('DAILY_LOSS_LIMIT', s.dailyLossAction, `today's realized loss ${fmt(loss)} reached the daily limit ${s.dailyLossLimit}`);
      }
    }
    return trips;
  }

  /** Stop distance as a fraction of price; undefined without a stop; a string says why not. */
  private stopDistance(signal: Signal, ctx: RiskContext): number | undefined | string {
    if (this.s.stopMode === 'pct') return this.s.stopPct! / 100;
    if (this.s.stopMode === 'atr') {
      const atr = ctx.indicators[this.s.atrIndicator];
      if (typeof atr !== 'number') {
        return `ATR stop: msg.indicators.${this.s.atrIndicator} is ${atr === null ? 'still warming up' : 'missing (wire an indicator node with an ATR named ' + this.s.atrIndicator + ')'}`;
      }
      return (atr * this.s.atrMultiple!) / signal.price;
    }
    return undefined;
  }

  private checkLimits(amount: number, price: number, market: MarketInfo): { code: string; reason: string } | undefined {
    if (!(amount > 0)) return { code: 'BELOW_MIN_AMOUNT', reason: `the amount rounds to 0 at the market's step ${market.amountStep}` };
    if (market.minAmount !== undefined && amount < market.minAmount) {
      return { code: 'BELOW_MIN_AMOUNT', reason: `amount ${fmt(amount)} is below the market minimum ${market.minAmount}` };
    }
    if (market.minNotional !== undefined && amount * price < market.minNotional) {
      return { code: 'BELOW_MIN_NOTIONAL', reason: `order value ${fmt(amount * price)} is below the market minimum ${market.minNotional}` };
    }
    return undefined;
  }

  private approve(signal: Signal, amount: number, ctx: RiskContext, stop: number | undefined, how: string): RiskOutcome {
    const s = this.s;
    const tick = ctx.market?.tickSize;
    const request: OrderRequest = {
      kind: 'orderRequest',
      // The signal id's digest: the same signal always becomes the same client order id.
      clientOrderId: `tb-${signal.id.startsWith('sig-') ? signal.id.slice(4, 36) : signal.id.slice(0, 32)}`,
      signalId: signal.id,
      strategy: signal.strategy,
      exchange: signal.exchange,
      symbol: signal.symbol,
      side: signal.side,
      type: s.orderType,
      amount,
      ts: signal.ts,
      reason: `${signal.reason}; size: ${how}`,
    };
    if (s.orderType === 'limit') {
      const offset = s.limitOffsetPct / 100;
      request.price = roundToStep(signal.side === 'buy' ? signal.price * (1 - offset) : signal.price * (1 + offset), tick);
      if (s.limitTimeoutSec) request.timeoutMs = Math.max(1, Math.round(s.limitTimeoutSec * 1000));
    }
    if (signal.side === 'buy') {
      if (stop) request.stopLoss = roundToStep(signal.price * (1 - stop), tick);
      if (request.stopLoss !== undefined && !(request.stopLoss > 0)) {
        return {
          rejection: { kind: 'rejection', code: 'NO_STOP_DISTANCE', reason: `the stop distance (${fmt(100 * stop!)} % of the price) would put the stop at or below 0`, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts: signal.ts },
        };
      }
      if (s.takeProfitPct) request.takeProfit = roundToStep(signal.price * (1 + s.takeProfitPct / 100), tick);
      if (s.takeProfitLadder.length) {
        const ladder = s.takeProfitLadder.map((rung) => ({ fraction: rung.percent / 100, price: roundToStep(signal.price * (1 + rung.atPct / 100), tick) }));
        // Rounded to the tick, two close levels can become one: each rung needs its own price.
        if (ladder.some((rung, i) => i > 0 && !(rung.price > ladder[i - 1]!.price))) {
          return {
            rejection: { kind: 'rejection', code: 'TAKE_PROFIT_LADDER', reason: `the take-profit ladder's levels fall on the same price at the market's tick ${tick}: space them further apart`, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts: signal.ts },
          };
        }
        request.takeProfitLadder = ladder;
      }
      if (s.trailingPct) request.trailingStop = s.trailingPct / 100;
    }
    rememberId(this.state.approved, this.approvedSet, signal.id, REMEMBER_APPROVED);
    return { request };
  }
}
