/**
 * TradingAccount.bookWithoutWaiting (core/trading/account.ts): only a backtest account whose store
 * keeps nothing may book without waiting; there an order is booked and its updates told before
 * placeNow returns, in the order the executor gave them, and the account is settled at once.
 */
import assert from 'node:assert/strict';
import { BacktestExecutor } from '../../core/backtest/backtest-executor';
import type { OrderRequest, OrderUpdate } from '../../core/contract';
import { DiscardingStore, MemoryStore } from '../../core/state-store';
import { TradingAccount } from '../../core/trading/account';

const request = (id: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ kind: 'orderRequest', clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: 0, ...extra });

async function backtestAccount(now: { t: number }) {
  const account = new TradingAccount({ exchangeId: 'backtest', mode: 'backtest', store: new DiscardingStore(), storeKey: 'bt', now: () => now.t, initialBalances: { USDT: 10_000 } });
  const executor = new BacktestExecutor({ exchangeId: 'backtest', portfolio: account.portfolio, feeRate: 0.001, slippage: 0, now: () => now.t });
  await account.init(executor);
  return { account, executor };
}

describe('TradingAccount.bookWithoutWaiting', function () {
  it('is refused for every account but a backtest one whose store keeps nothing', async function () {
    const sim = new TradingAccount({ exchangeId: 'sim', mode: 'sim', store: new MemoryStore(), storeKey: 's', now: () => 0 });
    assert.throws(() => sim.bookWithoutWaiting(true), /only a backtest account that keeps no state/);
    const kept = new TradingAccount({ exchangeId: 'backtest', mode: 'backtest', store: new MemoryStore(), storeKey: 'b', now: () => 0 });
    assert.throws(() => kept.bookWithoutWaiting(true), /only a backtest account that keeps no state/);
    assert.equal(sim.booksWithoutWaiting, false);
    assert.equal(kept.booksWithoutWaiting, false);
  });

  it('places nothing at once unless it books without waiting (placeNow answers undefined)', async function () {
    const { account } = await backtestAccount({ t: 0 });
    account.portfolio.mark('BTC/USDT', 1000);
    assert.equal(account.placeNow(request('c-1')), undefined);
    assert.deepEqual(account.openOrders(), [], 'nothing recorded');
  });

  it('books the order and tells its updates before placeNow returns, in order; settled all along', async function () {
    const now = { t: 60_000 };
    const { account, executor } = await backtestAccount(now);
    account.bookWithoutWaiting(true);
    account.portfolio.mark('BTC/USDT', 1000);
    const seen: Array<Pick<OrderUpdate, 'clientOrderId' | 'status'>> = [];
    account.observers.add((u) => seen.push({ clientOrderId: u.clientOrderId, status: u.status }));

    const placed = account.placeNow(request('c-1'));
    assert.ok(placed, 'placed at once');
    assert.equal(placed.duplicate, false);
    assert.equal(placed.update.status, 'open', 'a market order waits for the next open');
    assert.deepEqual(seen, [{ clientOrderId: 'c-1', status: 'open' }], 'told before placeNow returned');
    assert.equal(account.settled, true, 'no write or listener pending');

    // The next candle's open fills it: booked and told within pathPoint.
    executor.pathPoint({ symbol: 'BTC/USDT', ts: 120_000, price: 1010, open: true });
    assert.deepEqual(seen.map((u) => u.status), ['open', 'closed']);
    assert.equal(account.portfolio.position('BTC/USDT')?.amount, 0.01);
    assert.ok(Math.abs(account.portfolio.balance('USDT').free - (10_000 - 0.01 * 1010 * 1.001)) < 1e-9, 'paid price and fee');
    executor.endPath('BTC/USDT');

    // The same id again: refused as a duplicate, nothing sent.
    const again = account.placeNow(request('c-1'));
    assert.equal(again?.duplicate, true);
    assert.equal(seen.length, 2);

    account.bookWithoutWaiting(false);
    assert.equal(account.placeNow(request('c-2')), undefined, 'waiting again once switched off');
  });
});
