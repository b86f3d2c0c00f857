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

export async function decideSignal(
  gate: RiskGate,
  signal: Signal,
  at: { session: ExchangeSession; account: TradingAccount; markets: Map<string, MarketInfo>; now: () => number; indicators: unknown; heldSymbols?: string[] },
): Promise<SignalDecision> {
  const { session, account } = at;
  const refusal = (code: Rejection['code'], reason: string, ts: number): Rejection =>
    ({ kind: 'rejection', code, reason, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts }) as Rejection;
  if (signal.exchange !== session.exchangeName) {
    return { rejection: refusal('WRONG_EXCHANGE', `the signal is for ${signal.exchange}, this risk gate trades on ${session.exchangeName}`, signal.ts) };
  }
  const market = at.markets.get(signal.symbol);
  try {
    const outcome = gate.evaluate(signal, {
      portfolio: account.portfolio,
      market,
      indicators: at.indicators && typeof at.indicators === 'object' ? (at.indicators as Record<string, never>) : {},
      maxNotional: session.settings.maxNotional,
      // Entries held for a person's approval (ask first) count like open orders: approving them must not break the limits.
      openOrderSymbols: [...account.openOrders().map((o) => o.symbol), ...(at.heldSymbols ?? [])],
      // The signal's price and time are checked against the market and the exchange's clock.
      marketPrice: market ? await session.marketPrice(signal.symbol) : undefined,
      now: at.now(),
    });
    return { outcome };
  } catch (err) {
    if (!(err instanceof ImplausibleInputError)) throw err;
    // Refused like a malformed signal: on output 2 and to Catch; the gate's state is untouched.
    return { rejection: refusal('IMPLAUSIBLE_INPUT', err.message, at.now()), error: err };
  }
}
