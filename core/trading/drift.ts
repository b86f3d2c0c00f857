/**
 * The comparison behind reconciliation while running: the account's settled state against what
 * the exchange reports (balances, open orders). Pure: no exchange, no clock, so the rules are
 * unit-tested alone (test/unit/drift.test.ts).
 *
 * The rule that keeps it from reporting the bot's own orders as drift: balances are compared only
 * when the exchange and the account agree on every order of the bot, i.e. each order the account
 * holds open (acknowledged, with an exchange id) is open at the exchange with the same filled
 * amount, in both readings of the open orders (taken before and after the balances). Otherwise a
 * fill is on its way to the account (the order stream or a poll books it in a moment) and the
 * balances would count it twice: the round is skipped (`settled: false`) and tried again.
 */
import type { Drift } from '../contract';
import type { Balance } from './portfolio';

/** Differences smaller than this (relative to the larger amount, or absolute below 1) are rounding. */
export const DRIFT_TOLERANCE = 1e-9;

/** An order as the exchange lists it (one placed outside the bot may have no client order id). */
export interface ExchangeOrderView {
  id: string | null;
  clientOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  amount: number;
  filled: number;
  price: number | null;
}

/** An order as the account knows it: always its own client order id. */
export type AccountOrderView = ExchangeOrderView & { clientOrderId: string };

export type BalanceView = Record<string, Balance>;

export type Comparison =
  | { settled: false; why: string; missing?: AccountOrderView[] }
  | { settled: true; balances: Drift['balances']; unknownToBot: ExchangeOrderView[]; missingAtExchange: AccountOrderView[] };

function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= DRIFT_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Compares the account with the exchange. `before` and `after` are the exchange's open orders read
 * before and after its balances. Orders the account has not had acknowledged yet are the caller's
 * to exclude (it skips the round while any is in flight).
 */
export function compareWithExchange(account: { balances: BalanceView; openOrders: AccountOrderView[] }, exchange: { balances: BalanceView; before: ExchangeOrderView[]; after: ExchangeOrderView[] }): Comparison {
  const mine = new Map(account.openOrders.map((o) => [o.clientOrderId, o]));
  for (const reading of [exchange.before, exchange.after]) {
    const open = new Map(reading.filter((o) => o.clientOrderId).map((o) => [o.clientOrderId!, o]));
    for (const o of mine.values()) {
      const there = open.get(o.clientOrderId);
      if (there && !same(there.filled, o.filled)) return { settled: false, why: `order ${o.clientOrderId} has a fill not booked yet` };
    }
  }
  // An order of the bot that is open in one reading and not in the other changed meanwhile.
  const key = (list: ExchangeOrderView[]) => new Set(list.filter((o) => o.clientOrderId && mine.has(o.clientOrderId)).map((o) => o.clientOrderId!));
  const before = key(exchange.before);
  const after = key(exchange.after);
  if (before.size !== after.size || [...before].some((id) => !after.has(id))) return { settled: false, why: 'an order of the bot changed while reading' };
  const missingAtExchange = [...mine.values()].filter((o) => !after.has(o.clientOrderId));
  // A bot order that ended at the exchange (filled, canceled) and is not booked yet: the executor
  // follows it and books its end; its fill would be in the balances already. Try again later.
  if (missingAtExchange.length) return { settled: false, why: `order ${missingAtExchange[0]!.clientOrderId} is no longer open at the exchange, its end not booked yet`, missing: missingAtExchange };
  const unknownToBot = exchange.after.filter((o) => !o.clientOrderId || !mine.has(o.clientOrderId));
  const balances: Drift['balances'] = [];
  const currencies = new Set([...Object.keys(account.balances), ...Object.keys(exchange.balances)]);
  for (const currency of [...currencies].sort()) {
    const was = total(account.balances[currency]);
    const now = total(exchange.balances[currency]);
    if (!same(was, now)) balances.push({ currency, was, now, delta: now - was });
  }
  return { settled: true, balances, unknownToBot, missingAtExchange: [] };
}

function total(b: Balance | undefined): number {
  return b ? b.free + b.used : 0;
}

/** The difference in one sentence: "BTC 0.5 -> 0.6 (+0.1); 1 order open at the exchange unknown to the bot". */
export function describeDrift(balances: Drift['balances'], unknownToBot: unknown[], missingAtExchange: unknown[]): string {
  const n = (x: number) => String(+x.toPrecision(10));
  const parts = balances.map((b) => `${b.currency} ${n(b.was)} -> ${n(b.now)} (${b.delta >= 0 ? '+' : ''}${n(b.delta)})`);
  if (unknownToBot.length) parts.push(`${unknownToBot.length} order${unknownToBot.length === 1 ? '' : 's'} open at the exchange unknown to the bot`);
  if (missingAtExchange.length) parts.push(`${missingAtExchange.length} order${missingAtExchange.length === 1 ? '' : 's'} of the bot missing at the exchange`);
  return parts.join('; ');
}
