/**
 * How many ids the duplicate guards remember (core/util/remembered-ids.ts): the account's finished
 * client order ids (at least 10,000) and the risk gate's approved signal ids (at least 5,000,
 * docs/strategy-code.md). Dropping the oldest in batches must never forget one of the newest.
 */
import assert from 'node:assert/strict';
import { BacktestExecutor } from '../../core/backtest/backtest-executor';
import type { OrderRequest } from '../../core/contract';
import { DiscardingStore } from '../../core/state-store';
import { TradingAccount } from '../../core/trading/account';
import { rememberId } from '../../core/util/remembered-ids';

describe('remembered ids (duplicate guards)', function () {
  it('keeps at least the newest `keep` ids, the set always matching the list, bounded to a quarter more', function () {
    const list: string[] = [];
    const set = new Set<string>();
    const keep = 100;
    for (let i = 0; i < 1_000; i++) {
      rememberId(list, set, `id-${i}`, keep);
      assert.ok(list.length <= keep + keep / 4, `bounded (${list.length} after ${i + 1})`);
      assert.equal(set.size, list.length, 'the set holds what the list holds');
      for (let j = Math.max(0, i - keep + 1); j <= i; j++) assert.ok(set.has(`id-${j}`), `id-${j} of the newest ${keep} is remembered after id-${i}`);
    }
    assert.deepEqual(list, [...list].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))), 'oldest first');
    assert.ok(!set.has('id-0'), 'the oldest are forgotten');
  });

  it('a backtest account refuses a client order id used 10,000 orders ago, after 12,500 orders', async function () {
    let now = 60_000;
    const account = new TradingAccount({ exchangeId: 'backtest', mode: 'backtest', store: new DiscardingStore(), storeKey: 'bt', now: () => now, initialBalances: { USDT: 1e9 } });
    const executor = new BacktestExecutor({ exchangeId: 'backtest', portfolio: account.portfolio, feeRate: 0, slippage: 0, now: () => now });
    await account.init(executor);
    account.bookWithoutWaiting(true);
    account.portfolio.mark('BTC/USDT', 100);
    const request = (i: number): OrderRequest => ({ kind: 'orderRequest', clientOrderId: `c-${i}`, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: now });
    for (let i = 0; i < 12_500; i++) {
      assert.equal(account.placeNow(request(i))?.duplicate, false);
      now += 60_000;
      executor.pathPoint({ symbol: 'BTC/USDT', ts: now, price: 100, open: true });
      executor.endPath('BTC/USDT');
    }
    const again = account.placeNow(request(12_500 - 10_000));
    assert.equal(again?.duplicate, true, 'the id of the 10,000th newest order is still refused');
    assert.match(again!.update.reason ?? '', /client order id c-2500 was already used: not sent again/);
    assert.equal(account.openOrders().length, 0, 'nothing new is open');
    await account.close();
  });
});
