/**
 * The risk gate's decision on one signal at its exchange: a signal for another exchange is
 * refused (WRONG_EXCHANGE), one whose price or time is not plausible against the market and the
 * exchange's clock is refused (IMPLAUSIBLE_INPUT, with the error for Catch), else the gate
 * evaluates it against the account. Shared by the risk gate node and the backtest's fast path.
 */
import type { Rejection, Signal } from '../contract';
import type { ExchangeSession } from '../session/exchange-session';
import type { MarketInfo } from '../market/market-source';
import { ImplausibleInputError } from '../plausibility';
import type { TradingAccount } from '../trading/account';
import type { RiskGate } from './risk-gate';

export type SignalDecision = { outcome: ReturnType<RiskGate['evaluate']> } | { rejection: Rejection; error?: Error };

type DecisionPlace = { session: ExchangeSession; account: TradingAccount; markets: Map<string, MarketInfo>; now: () => number; indicators: unknown; heldSymbols?: string[] };

export async function decideSignal(gate: RiskGate, signal: Signal, at: DecisionPlace): Promise<SignalDecision> {
  const wrong = wrongExchange(signal, at.session);
  if (wrong) return wrong;
  const market = at.markets.get(signal.symbol);
  const openOrderSymbols = at.account.openOrders().map((o) => o.symbol);
  // The signal's price and time are checked against the market and the exchange's clock.
  const marketPrice = market ? await at.session.marketPrice(signal.symbol) : undefined;
  return evaluateAt(gate, signal, at, market, openOrderSymbols, marketPrice);
}

/**
 * decideSignal at once, for a caller that has the market price at hand without waiting (the
 * backtest's fast path: the replay's price, which is what the session's marketPrice() answers
 * there). `marketPrice` is asked only when the signal's market is listed.
 */
export function decideSignalNow(gate: RiskGate, signal: Signal, at: DecisionPlace, marketPrice: (symbol: string) => number | undefined): SignalDecision {
  const wrong = wrongExchange(signal, at.session);
  if (wrong) return wrong;
  const market = at.markets.get(signal.symbol);
  const openOrderSymbols = at.account.openOrders().map((o) => o.symbol);
  return evaluateAt(gate, signal, at, market, openOrderSymbols, market ? marketPrice(signal.symbol) : undefined);
}

const refusal = (signal: Signal, code: Rejection['code'], reason: string, ts: number): Rejection =>
  ({ kind: 'rejection', code, reason, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts }) as Rejection;

function wrongExchange(signal: Signal, session: ExchangeSession): SignalDecision | undefined {
  if (signal.exchange === session.exchangeName) return undefined;
  return { rejection: refusal(signal, 'WRONG_EXCHANGE', `the signal is for ${signal.exchange}, this risk gate trades on ${session.exchangeName}`, signal.ts) };
}

function evaluateAt(gate: RiskGate, signal: Signal, at: DecisionPlace, market: MarketInfo | undefined, openOrderSymbols: string[], marketPrice: number | undefined): SignalDecision {
  try {
    const outcome = gate.evaluate(signal, {
      portfolio: at.account.portfolio,
      market,
      indicators: at.indicators && typeof at.indicators === 'object' ? (at.indicators as Record<string, never>) : {},
      maxNotional: at.session.settings.maxNotional,
      // Entries held for a person's approval (ask first) count like open orders: approving them must not break the limits.
      openOrderSymbols: at.heldSymbols?.length ? [...openOrderSymbols, ...at.heldSymbols] : openOrderSymbols,
      marketPrice,
      now: at.now(),
    });
    return { outcome };
  } catch (err) {
    if (!(err instanceof ImplausibleInputError)) throw err;
    // Refused like a malformed signal: on output 2 and to Catch; the gate's state is untouched.
    return { rejection: refusal(signal, 'IMPLAUSIBLE_INPUT', err.message, at.now()), error: err };
  }
}
