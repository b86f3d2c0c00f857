/**
 * Live start-up: before trading, the account looks up every order it had open (by client order
 * id), then takes its balances from the exchange (last, so fills booked by the lookups are not
 * counted on top of balances that already hold them).
 *  - An order the exchange had acknowledged (it has an exchange id) is found and followed again.
 *  - An order whose outcome was unknown at the restart (`unknown`, or written ahead and sent with
 *    no answer yet) may still appear at the exchange (a late execution): it is resolved like any
 *    unknown order, by lookups over the unknown-order window counted from the start, in the
 *    background; found -> adopted, never seen -> rejected. It is never sent again.
 */
import type { Drift } from '../contract';
import { errorText } from '../logger';
import type { TradingAccount } from './account';
import { compareWithExchange, describeDrift, type ExchangeOrderView } from './drift';
import type { TradingStatusSink } from './executor';
import type { LiveExecutor } from './live-executor';
import { describeExchangeError } from './order-errors';
import { echoedClientOrderId, flowClientOrderId } from '../exchanges/client-order-id';

export async function reconcileLiveAccount(account: TradingAccount, executor: LiveExecutor, ccxt: any): Promise<void> {
  const last = new Map(account.openOrders().map((u) => [u.clientOrderId, u]));
  for (const request of account.restoredOpen()) {
    const update = last.get(request.clientOrderId)!;
    if (update.status === 'unknown' || update.id === null) {
      // Looked up once now: an order that executed before the restart is booked before the
      // balances below are taken, like any order found.
      if (await executor.resume(request, (u) => account.adopt(u))) continue;
      const why = update.status === 'unknown' ? 'still unknown at a restart' : 'sent just before a restart, no answer recorded';
      // Not there yet: a late execution may still come. Once it is found filled, the balances are
      // taken again, so its fill counts once whether or not they already held it.
      executor.markUnknown(request, (u) => {
        account.adopt(u);
        if (u.filled > 0 && u.status !== 'open' && u.status !== 'unknown') {
          // The next reconciliation round takes them again; meanwhile the log says why they may be off.
          void takeBalances(account, ccxt).catch((err) => account.o.log?.warn(`balances not read again after ${u.clientOrderId} was found filled: ${errorText(err)}`));
        }
      }, why, Date.now());
      continue;
    }
    const found = await executor.resume(request, (u) => account.adopt(u));
    if (!found) {
      account.adopt({ ...update, status: 'rejected', ts: Date.now(), reason: 'not found at the exchange after a restart, although it had been acknowledged' });
    }
  }
  // The balances last: booking the orders found above moves the restored balances by their fills,
  // which the exchange's balances already contain (taken first, they would be counted twice).
  await takeBalances(account, ccxt);
}

/** The exchange's balances become the account's. */
async function takeBalances(account: TradingAccount, ccxt: any): Promise<void> {
  const balance = await ccxt.fetchBalance();
  for (const currency of Object.keys(balance.total ?? {})) {
    account.portfolio.setBalance(currency, { free: Number(balance.free?.[currency]) || 0, used: Number(balance.used?.[currency]) || 0 });
  }
}

export interface LiveReconcilerOptions {
  account: TradingAccount;
  executor: LiveExecutor;
  ccxt: any;
  exchangeId: string;
  intervalMs: number;
  /** Hears each difference found (after the adopted balances are saved). */
  onDrift: (drift: Drift) => void;
  /** Says why a round was skipped or failed, and when it works again. */
  onStatus?: TradingStatusSink;
  now: () => number;
}

/**
 * Reconciliation while running (live): every `intervalMs`, and soon after a reconnect, the
 * exchange's open orders, balances and open orders again are read and compared with the account's
 * settled state (drift.ts has the rule). A difference is adopted (balances) and reported as a
 * `drift`; orders unknown to the bot are reported once per change of their set and never touched;
 * an order of the bot that stays missing at the exchange for two rounds is reported and looked up
 * (its end is booked like any order's). It never places, cancels or resends an order.
 * Skipped while the account is not settled: an order being sent or unknown, a write or a listener
 * pending, or any change while the exchange was read; the next round tries again.
 */
export class LiveReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Orders unknown to the bot already reported (their exchange ids), so each is reported once. */
  private reportedUnknown = new Set<string>();
  /** Orders of the bot missing at the exchange in the last round. */
  private missingLastRound = new Set<string>();
  private failing = false;

  constructor(private readonly o: LiveReconcilerOptions) {
    // Binance refuses open orders of every symbol unless told that is meant (rate weight 80 vs 6).
    if (o.ccxt.options && typeof o.ccxt.options === 'object') o.ccxt.options.warnOnFetchOpenOrdersWithoutSymbol = false;
  }

  start(): void {
    this.schedule(this.o.intervalMs);
  }

  /** A reconnect (the order stream or the exchange back): a round in a moment, then the usual interval. */
  soon(delayMs = 1_000): void {
    this.schedule(delayMs, 'reconnect');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // The round's own failure was reported by its status; closing only waits for it to end.
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number, trigger: Drift['trigger'] = 'periodic'): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.round(trigger).then(() => undefined).finally(() => {
        this.running = undefined;
        // A reconnect may have asked for a round meanwhile: that one stays.
        if (!this.timer) this.schedule(this.o.intervalMs);
      });
    }, ms);
    this.timer.unref?.();
  }

  /** One comparison; resolves with the drift reported, or null (none, or skipped). Never throws. */
  async round(trigger: Drift['trigger']): Promise<Drift | null> {
    try {
      const drift = await this.compare(trigger);
      if (this.failing) this.status('ok', 'reconciliation with the exchange back');
      this.failing = false;
      return drift;
    } catch (err) {
      if (this.closed) return null;
      this.failing = true;
      this.status('warn', `reconciliation with the exchange failing (${describeExchangeError(err)}): retrying`);
      return null;
    }
  }

  private async compare(trigger: Drift['trigger']): Promise<Drift | null> {
    const { account, ccxt } = this.o;
    if (this.closed || account.ordersInFlight || !account.settled) return null;
    const version = account.version;
    // The exchange echoes the client order id in its own format (core/exchanges/client-order-id.ts): read back as the flow's.
    const ours = account.openOrders().map((u) => u.clientOrderId);
    const view = (o: any) => orderView(o, (echoed) => flowClientOrderId(String(ccxt.id ?? ''), echoed, ours) ?? echoed);
    const before = ((await ccxt.fetchOpenOrders()) as any[]).map(view);
    const balance = await ccxt.fetchBalance();
    const after = ((await ccxt.fetchOpenOrders()) as any[]).map(view);
    // Anything booked or sent meanwhile makes the reading useless: the next round tries again.
    if (this.closed || account.version !== version || account.ordersInFlight || !account.settled) return null;
    const balances: Record<string, { free: number; used: number }> = {};
    for (const currency of Object.keys(balance.total ?? {})) {
      balances[currency] = { free: Number(balance.free?.[currency]) || 0, used: Number(balance.used?.[currency]) || 0 };
    }
    const mine = account.openOrders().map((u) => ({ clientOrderId: u.clientOrderId, id: u.id, symbol: u.symbol, side: u.side, type: u.type, amount: u.amount, filled: u.filled, price: u.price }));
    const result = compareWithExchange({ balances: account.portfolio.allBalances(), openOrders: mine }, { balances, before, after });
    if (!result.settled) {
      const missing = result.missing ?? [];
      const persistent = missing.filter((m) => this.missingLastRound.has(m.clientOrderId));
      this.missingLastRound = new Set(missing.map((m) => m.clientOrderId));
      if (!persistent.length) return null;
      // Missing for two rounds: nobody is booking its end. Looked up (never resent); reported.
      for (const m of persistent) {
        const request = account.openRequest(m.clientOrderId);
        // A lookup that fails leaves the order missing: the next round looks it up again.
        if (request) void this.o.executor.resume(request, (u) => account.adopt(u)).catch((err) => account.o.log?.warn(`the lookup of ${m.clientOrderId}, missing at the exchange, failed: ${errorText(err)}`));
      }
      return this.report(trigger, [], [], persistent);
    }
    this.missingLastRound.clear();
    const unknownIds = new Set(result.unknownToBot.map((o) => o.id ?? o.clientOrderId ?? ''));
    const newUnknown = result.unknownToBot.filter((o) => !this.reportedUnknown.has(o.id ?? o.clientOrderId ?? ''));
    this.reportedUnknown = unknownIds;
    if (!result.balances.length && !newUnknown.length) return null;
    if (result.balances.length) await account.adoptBalances(balances);
    return this.report(trigger, result.balances, result.unknownToBot, []);
  }

  private report(trigger: Drift['trigger'], balances: Drift['balances'], unknownToBot: Drift['unknownToBot'], missingAtExchange: Drift['missingAtExchange']): Drift {
    const drift: Drift = {
      kind: 'drift',
      exchange: this.o.exchangeId,
      mode: 'live',
      trigger,
      balances,
      unknownToBot,
      missingAtExchange,
      reason: describeDrift(balances, unknownToBot, missingAtExchange),
      ts: Math.round(this.o.now()),
    };
    try {
      this.o.onDrift(drift);
    } catch {
      /* a listener's failure is not reconciliation's */
    }
    return drift;
  }

  private status(level: 'warn' | 'ok', text: string): void {
    try {
      this.o.onStatus?.({ level, text });
    } catch {
      /* a status listener's failure is not reconciliation's */
    }
  }
}

/** ccxt's order as the comparison reads it. */
function orderView(o: any, flowId: (echoed: string) => string): ExchangeOrderView {
  return {
    id: o.id === undefined || o.id === null ? null : String(o.id),
    clientOrderId: echoedClientOrderId(o) === undefined ? null : flowId(echoedClientOrderId(o)!),
    symbol: String(o.symbol),
    side: o.side === 'sell' ? 'sell' : 'buy',
    type: String(o.type ?? 'limit'),
    amount: Number(o.amount) || 0,
    filled: Number(o.filled) || 0,
    price: Number(o.price) > 0 ? Number(o.price) : null,
  };
}
