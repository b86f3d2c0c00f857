/**
 * Live start-up: before trading, the account takes its balances from the exchange and looks up
 * every order it had open (by client order id); one the exchange never saw is closed as rejected.
 */
import type { TradingAccount } from './account';
import type { LiveExecutor } from './live-executor';

export async function reconcileLiveAccount(account: TradingAccount, executor: LiveExecutor, ccxt: any): Promise<void> {
  for (const request of account.restoredOpen()) {
    const found = await executor.resume(request, (u) => account.adopt(u));
    if (!found) {
      const last = account.openOrders().find((o) => o.clientOrderId === request.clientOrderId)!;
      account.adopt({ ...last, status: 'rejected', ts: Date.now(), reason: 'not found at the exchange after a restart: it was never placed' });
    }
  }
  // The balances last: booking the orders found above moves the restored balances by their fills,
  // which the exchange's balances already contain (taken first, they would be counted twice).
  const balance = await ccxt.fetchBalance();
  for (const currency of Object.keys(balance.total ?? {})) {
    account.portfolio.setBalance(currency, { free: Number(balance.free?.[currency]) || 0, used: Number(balance.used?.[currency]) || 0 });
  }
}
