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
import type { TradingAccount } from './account';
import type { LiveExecutor } from './live-executor';

export async function reconcileLiveAccount(account: TradingAccount, executor: LiveExecutor, ccxt: any): Promise<void> {
  const last = new Map(account.openOrders().map((u) => [u.clientOrderId, u]));
  for (const request of account.restoredOpen()) {
    const update = last.get(request.clientOrderId)!;
    if (update.status === 'unknown' || update.id === null) {
      const why = update.status === 'unknown' ? 'still unknown at a restart' : 'sent just before a restart, no answer recorded';
      // It may have executed before the balances below were taken (then they hold its fill) or
      // after: once it is found filled, the balances are taken again, so its fill counts once.
      executor.markUnknown(request, (u) => {
        account.adopt(u);
        if (u.filled > 0 && u.status !== 'open' && u.status !== 'unknown') void takeBalances(account, ccxt).catch(() => undefined);
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
