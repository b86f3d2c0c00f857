/** The trading account on its own: fills booked once, state that survives a restart, reservations. */
import assert from 'node:assert/strict';
import type { OrderRequest, OrderUpdate } from '../../core/contract';
import { SimSource } from '../../core/market/sim-source';
import { MemoryStore } from '../../core/state-store';
import { TradingAccount } from '../../core/trading/account';
import { SimExecutor } from '../../core/trading/sim-executor';

async function makeAccount(store: MemoryStore, source: SimSource) {
  const account = new TradingAccount({ exchangeId: 'sim', mode: 'sim', store, storeKey: 'acct', now: () => source.now(), initialBalances: { USDT: 10_000 } });
  await account.init(new SimExecutor({ exchangeId: 'sim', mode: 'sim', source, portfolio: account.portfolio, feeRate: 0.001, slippage: 0 }));
  return account;
}

const request = (id: string, extra: Partial<OrderRequest> = {}): OrderRequest => ({ kind: 'orderRequest', clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: 0, ...extra });

describe('trading account', function () {
  let source: SimSource;
  beforeEach(() => (source = new SimSource({ seed: 1, speed: 1, startTime: Date.UTC(2026, 0, 1) })));
  afterEach(() => source.close());

  it('restores portfolio, open orders and used client order ids from the store after a restart', async function () {
    const store = new MemoryStore();
    const a = await makeAccount(store, source);
    const { update } = await a.place(request('c-1'));
    assert.equal(update.status, 'closed');
    await a.place(request('c-2', { type: 'limit', price: 1000 }));
    await a.flush();
    const before = a.portfolio.snapshot();

    const b = await makeAccount(store, source);
    assert.deepEqual(b.portfolio.snapshot(), before, 'portfolio restored exactly');
    assert.deepEqual(b.openOrders().map((o) => o.clientOrderId), ['c-2'], 'the open limit order restored');
    const again = await b.place(request('c-1'));
    assert.equal(again.duplicate, true, 'a used client order id is refused after a restart');
    const open = await b.place(request('c-2', { type: 'limit', price: 1000 }));
    assert.equal(open.duplicate, true);
    assert.deepEqual(b.portfolio.snapshot(), before, 'nothing traded by the refused requests');
    // The restored limit order is live again: it fills when the price crosses.
    b.onPrice({ kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts: 1, bid: 999, ask: 1000, last: 999.5 });
    assert.deepEqual(b.openOrders(), []);
    assert.ok(Math.abs(b.portfolio.balance('BTC').free - 0.02) < 1e-12, 'both buys of 0.01 BTC');
    assert.equal(b.portfolio.balance('USDT').used, 0);
  });

  it("the exchange node's max order refuses oversized buys, never a sell that closes a position", async function () {
    const account = new TradingAccount({ exchangeId: 'sim', mode: 'sim', store: new MemoryStore(), storeKey: 'acct', now: () => source.now(), initialBalances: { USDT: 100_000 }, maxNotional: 1_000 });
    await account.init(new SimExecutor({ exchangeId: 'sim', mode: 'sim', source, portfolio: account.portfolio, feeRate: 0.001, slippage: 0 }));
    account.onPrice({ kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts: 1, bid: 999, ask: 1000, last: 999.5 });
    const big = await account.place(request('cap-1', { type: 'limit', price: 1000, amount: 2 }));
    assert.equal(big.update.status, 'rejected');
    assert.match(big.update.reason ?? '', /above the exchange node's max order 1000/);
    const ok = await account.place(request('cap-2', { type: 'limit', price: 1000, amount: 0.9 }));
    assert.equal(ok.update.status, 'open', 'a buy under the cap goes out');
    account.onPrice({ kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts: 2, bid: 999, ask: 1000, last: 999.5 });
    const held = account.portfolio.position('BTC/USDT')!.amount;
    assert.ok(held > 0.89, 'and fills');
    // The price doubles: the position is now worth more than the cap, and selling it must work.
    const sell = await account.place(request('cap-3', { side: 'sell', type: 'limit', price: 1999, amount: held }));
    assert.equal(sell.update.status, 'open', `the closing sell went out (${sell.update.reason ?? ''})`);
    account.onPrice({ kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts: 3, bid: 1999, ask: 2000, last: 1999.5 });
    assert.equal(account.portfolio.position('BTC/USDT'), undefined, 'position closed');
    const more = await account.place(request('cap-4', { side: 'sell', type: 'limit', price: 1999, amount: 1 }));
    assert.equal(more.update.status, 'rejected', 'selling more than is held is still capped');
  });

  it('a limit order holds its funds until it fills or is canceled', async function () {
    const a = await makeAccount(new MemoryStore(), source);
    const updates: OrderUpdate[] = [];
    await a.place(request('l-1', { type: 'limit', price: 1000, amount: 1 }), (u) => updates.push(u));
    assert.deepEqual(a.portfolio.balance('USDT'), { free: 9000, used: 1000 });
    await a.cancel('l-1');
    assert.deepEqual(a.portfolio.balance('USDT'), { free: 10_000, used: 0 });
    // Listeners hear of a change once it is saved.
    await a.flush();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(updates.map((u) => u.status), ['open', 'canceled']);
    await a.place(request('l-2', { type: 'limit', price: 1000, amount: 1 }));
    a.onPrice({ kind: 'ticker', exchange: 'sim', symbol: 'BTC/USDT', ts: 1, bid: 999, ask: 1000, last: 999.5 });
    assert.deepEqual(a.portfolio.balance('USDT'), { free: 10_000 - 1000 - 1, used: 0 }, 'paid 1000 + 0.1 % fee, nothing left reserved');
    assert.equal(a.portfolio.balance('BTC').free, 1);
  });

  it('refuses a limit buy it cannot pay for, without reserving anything', async function () {
    const a = await makeAccount(new MemoryStore(), source);
    const { update } = await a.place(request('big', { type: 'limit', price: 1000, amount: 20 }));
    assert.equal(update.status, 'rejected');
    assert.match(update.reason!, /insufficient USDT/);
    assert.deepEqual(a.portfolio.balance('USDT'), { free: 10_000, used: 0 });
  });

  it('an order recorded but never acknowledged before a restart is closed as rejected, and the first listener hears of it', async function () {
    const store = new MemoryStore();
    const a = await makeAccount(store, source);
    // A write-ahead record with no answer yet: the process died between recording and sending.
    await store.set('acct', { ...(await store.get<any>('acct')), open: [{ request: request('c-lost'), last: { kind: 'orderUpdate', id: null, clientOrderId: 'c-lost', exchange: 'sim', symbol: 'BTC/USDT', side: 'buy', type: 'market', status: 'open', amount: 0.01, filled: 0, remaining: 0.01, average: null, price: null, fee: { cost: 0, currency: 'USDT' }, ts: 0, mode: 'sim' } }] });
    void a;
    const b = await makeAccount(store, source);
    await b.flush();
    const heard: OrderUpdate[] = [];
    b.defaultListener = (u) => heard.push(u);
    assert.equal(heard.length, 1);
    assert.equal(heard[0]!.status, 'rejected');
    assert.match(heard[0]!.reason!, /not executed before the restart/);
    assert.deepEqual(b.openOrders(), []);
    assert.equal((await b.place(request('c-lost'))).duplicate, true, 'its id stays used');
  });

  it('a limit timeout that passes while the order is still being sent cancels it once the exchange has it, not before', async function () {
    // An exchange that answers slowly (ccxt pacing Kraken's private calls): the order is sent, a
    // price past its timeout arrives before the answer, then the answer, then another price.
    let answer: (u: OrderUpdate) => void = () => undefined;
    const canceled: string[] = [];
    const known = new Set<string>();
    let sink: (u: OrderUpdate) => void = () => undefined;
    const executor = {
      submit: (r: OrderRequest, s: (u: OrderUpdate) => void) =>
        new Promise<OrderUpdate>((resolve) => {
          sink = s;
          answer = (u) => {
            known.add(r.clientOrderId);
            s(u);
            resolve(u);
          };
        }),
      cancel: async (id: string) => {
        // As the live executor: an order it does not follow yet cannot be canceled, nothing is sent.
        if (!known.has(id)) return;
        canceled.push(id);
        sink({ ...open, status: 'canceled', ts: 5_000 });
      },
      onPrice: () => undefined,
      close: async () => undefined,
    };
    const account = new TradingAccount({ exchangeId: 'slow', mode: 'live', store: new MemoryStore(), storeKey: 'slow', now: () => 0 });
    await account.init(executor);
    const limit = request('c-slow', { type: 'limit', price: 50_000, timeoutMs: 1_000 });
    const open: OrderUpdate = { kind: 'orderUpdate', id: 'X-1', clientOrderId: 'c-slow', exchange: 'slow', symbol: 'BTC/USDT', side: 'buy', type: 'limit', status: 'open', amount: 0.01, filled: 0, remaining: 0.01, average: null, price: 50_000, fee: { cost: 0, currency: 'USDT' }, ts: 0, mode: 'live' };
    const placing = account.place(limit);
    await new Promise((r) => setImmediate(r));
    const price = (ts: number) => account.onPrice({ kind: 'ticker', exchange: 'slow', symbol: 'BTC/USDT', ts, bid: 59_990, ask: 60_010, last: 60_000 });
    price(2_000); // past the timeout, the order still on its way
    assert.deepEqual(canceled, []);
    answer(open);
    await placing;
    price(3_000);
    assert.deepEqual(canceled, ['c-slow'], 'canceled on the first price after the exchange acknowledged it');
  });
});
