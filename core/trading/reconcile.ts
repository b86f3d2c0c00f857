/**
 * Live start-up: before trading, the account takes its balances from the exchange and looks up
 * every order it had open (by client order id).
 *  - An order the exchange had acknowledged (it has an exchange id) is found and followed again.
 *  - An order whose outcome was unknown at the restart (`unknown`, or written ahead and sent with
 *    no answer yet) may still appear at the exchange (a late execution): it is resolved like any
 *    unknown order, by lookups over the unknown-order window counted from the start, in the
 *    background; found -> adopted, never seen -> rejected. It is never sent again.
 */
import type { TradingAccount } from './account';
import type { LiveExecutor } from './live-executor';

export async function reconcileLiveAccount(account: TradingAccount, executor: LiveExecutor, ccxt: any): Promise<void> {
  const balance = await ccxt.fetchBalance();
  for (const currency of Object.keys(balance.total ?? {})) {
    account.portfolio.setBalance(currency, { free: Number(balance.free?.[currency]) || 0, used: Number(balance.used?.[currency]) || 0 });
  }
  const last = new Map(account.openOrders().map((u) => [u.clientOrderId, u]));
  for (const request of account.restoredOpen()) {
    const update = last.get(request.clientOrderId)!;
    if (update.status === 'unknown' || update.id === null) {
      const why = update.status === 'unknown' ? 'still unknown at a restart' : 'sent just before a restart, no answer recorded';
      executor.markUnknown(request, (u) => account.adopt(u), why, Date.now());
      continue;
    }
    const found = await executor.resume(request, (u) => account.adopt(u));
    if (!found) {
      account.adopt({ ...update, status: 'rejected', ts: Date.now(), reason: 'not found at the exchange after a restart, although it had been acknowledged' });
    }
  }
}
