/**
 * The risk gate's own lifecycle events (kill switch on / off, force exits), as the notifier's
 * `kill` and `forceExit` kinds read them (core/notify/kinds.ts). Sent on the gate's output 2
 * next to its rejections, so a notifier wired there reports them without extra wiring.
 */
import type { Lifecycle, Mode, OrderRequest } from '../contract';
import type { ForceExitTarget } from './force-exit';

interface Where {
  exchange: string;
  mode: Mode;
  /** The exchange's clock (virtual in sim and backtest). */
  ts: number;
}

/** The kill switch went on ("kill") or off ("resume"). */
export function killSwitchEvent(event: 'kill' | 'resume', where: Where): Lifecycle {
  const reason = event === 'kill' ? 'the kill switch is on: no new entries; exits (sells, stops, force exits) still go through' : 'the kill switch is off: entries allowed again';
  return { kind: 'lifecycle', event, exchange: where.exchange, mode: where.mode, reason, ts: where.ts };
}

/** A force exit was asked for: what it sells (or that nothing was held). */
export function forceExitEvent(target: ForceExitTarget, requests: OrderRequest[], where: Where): Lifecycle {
  const selling = requests.map((r) => `${r.amount} ${r.symbol}`).join(', ');
  return {
    kind: 'lifecycle',
    event: 'forceExit',
    exchange: where.exchange,
    mode: where.mode,
    ...('symbol' in target ? { symbol: target.symbol } : {}),
    reason: requests.length ? `market sell of ${selling}` : 'no position to close',
    ts: where.ts,
  };
}
