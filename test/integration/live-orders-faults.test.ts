/**
 * Live orders under faults: the product's own order path (TradingAccount + LiveExecutor + a real
 * ccxt) against the mock Binance, with faults injected on order creation and on lookups,
 * including "the order was accepted but the response was lost". The exchange must end with
 * exactly one order per accepted request, none duplicated, none lost, and the portfolio must
 * equal the exchange's balances.
 */
import assert from 'node:assert/strict';
import type { OrderRequest, OrderUpdate } from '../../core/contract';
import { CcxtSource } from '../../core/market/ccxt-source';
import { MemoryStore } from '../../core/state-store';
import { TradingAccount } from '../../core/trading/account';
import { LiveExecutor } from '../../core/trading/live-executor';
import { reconcileLiveAccount } from '../../core/trading/reconcile';
import { MockBinance, type MockFault } from '../support/mock-binance';

const KEY = 'liveTestKey0123456789abcdef';
const SECRET = 'liveTestSecret0123456789abcdef';

/** mulberry32: a seeded PRNG, so a failing run can be replayed with the same seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CREATE_FAULTS: MockFault[] = [
  { status: 503 },
  { status: 500 },
  { status: 429, retryAfterSec: 1 },
  'timeout',
  'reset',
  'acceptedThenReset',
  'acceptedThenTimeout',
  { status: 503, accepted: true },
];

async function liveAccount(mock: MockBinance, pollMs = 20) {
  const source = await CcxtSource.create({ exchangeId: 'binance', baseUrl: mock.url, credentials: { apiKey: KEY, secret: SECRET }, timeoutMs: 300 });
  // The mock answers instantly; ccxt's own throttle would only make the test slow.
  source.ccxt.enableRateLimit = false;
  const executor = new LiveExecutor({ exchange: source.ccxt, exchangeId: 'binance', now: () => Date.now(), pollMs, backoff: { initialMs: 5, maxMs: 40 }, maxAttempts: 10 });
  const account = new TradingAccount({ exchangeId: 'binance', mode: 'live', store: new MemoryStore(), storeKey: 'live', now: () => Date.now() });
  await account.init(executor);
  await reconcileLiveAccount(account, executor, source.ccxt);
  return { source, account };
}

describe('live orders under injected faults (real ccxt, mock Binance)', function () {
  this.timeout(300_000);
  let mock: MockBinance;
  let source: CcxtSource | undefined;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 10_000_000, BTC: 100, ETH: 1000 });
    const levels = (start: number, step: number) => Array.from({ length: 20 }, (_, i) => [+(start + i * step).toFixed(2), 50] as [number, number]);
    mock.setOrderBook('BTC/USDT', levels(59_999, -1), levels(60_001, 1));
    mock.setTicker('BTC/USDT', { bid: 59_999, ask: 60_001, last: 60_000 });
  });

  afterEach(async function () {
    await source?.close();
    source = undefined;
    await mock.stop();
  });

  it('1,000 random market orders with faults: one exchange order per accepted request, portfolio = exchange balances', async function () {
    const live = await liveAccount(mock);
    source = live.source;
    const { account } = live;
    const random = rng(20261121);
    const N = 1000;
    const finals = new Map<string, OrderUpdate>();
    const requests: OrderRequest[] = [];
    let injected = 0;
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const request: OrderRequest = {
          kind: 'orderRequest',
          clientOrderId: `tb-fault-${i.toString().padStart(5, '0')}`,
          symbol: 'BTC/USDT',
          side: random() < 0.5 ? 'buy' : 'sell',
          type: 'market',
          amount: Number((0.001 + Math.floor(random() * 10) * 0.001).toFixed(3)),
          ts: Date.now(),
        };
        requests.push(request);
        if (random() < 0.35) {
          mock.failNext(1, CREATE_FAULTS[Math.floor(random() * CREATE_FAULTS.length)]!, '/api/v3/order', 'POST');
          injected++;
        }
        if (random() < 0.1) {
          mock.failNext(1, random() < 0.5 ? { status: 503 } : 'reset', '/api/v3/order', 'GET');
          injected++;
        }
        const { update } = await account.place(request);
        // Market orders are final at once (closed), or rejected after the lookups proved they do not exist.
        finals.set(request.clientOrderId, update);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await account.flush();

    assert.equal(finals.size, N, 'every request got a final answer');
    const byClientId = new Map<string, number>();
    for (const o of mock.orders(KEY)) byClientId.set(o.clientOrderId, (byClientId.get(o.clientOrderId) ?? 0) + 1);
    const duplicated = [...byClientId].filter(([, n]) => n > 1);
    assert.deepEqual(duplicated, [], 'no request became two orders');
    const accepted = [...finals.values()].filter((u) => u.status === 'closed');
    const refused = [...finals.values()].filter((u) => u.status === 'rejected');
    assert.equal(accepted.length + refused.length, N, `only closed or rejected (got ${[...new Set([...finals.values()].map((u) => u.status))]})`);
    for (const u of accepted) assert.equal(byClientId.get(u.clientOrderId), 1, `${u.clientOrderId} accepted here and exists once at the exchange`);
    for (const u of refused) assert.equal(byClientId.get(u.clientOrderId), undefined, `${u.clientOrderId} refused here and absent at the exchange`);
    assert.equal(byClientId.size, accepted.length, 'the exchange has no order we do not know');
    assert.ok(injected > 300, `faults were injected (${injected})`);
    assert.ok(accepted.length > 900, `most orders went through despite the faults (${accepted.length})`);

    const exchange = mock.balances(KEY);
    for (const asset of ['USDT', 'BTC']) {
      const ours = account.portfolio.balance(asset);
      const theirs = exchange[asset]!;
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(b));
      assert.ok(close(ours.free + ours.used, theirs.free + theirs.locked), `${asset}: portfolio ${ours.free + ours.used} vs exchange ${theirs.free + theirs.locked}`);
    }
    console.log(`      ${N} requests, ${injected} faults injected, ${accepted.length} filled, ${refused.length} refused, ${mock.tradingStats(KEY).createRequests} create calls`);
  });

  it('an order accepted while the response was lost is found by client order id, not sent again', async function () {
    const live = await liveAccount(mock);
    source = live.source;
    mock.failNext(1, 'acceptedThenReset', '/api/v3/order', 'POST');
    const { update } = await live.account.place({ kind: 'orderRequest', clientOrderId: 'tb-lost-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() });
    assert.equal(update.status, 'closed');
    assert.equal(mock.tradingStats(KEY).createRequests, 1, 'sent once');
    assert.equal(mock.orders(KEY).length, 1);
  });

  it('an exchange rejection is final: reported, not retried', async function () {
    const live = await liveAccount(mock);
    source = live.source;
    mock.setBalance(KEY, 'USDT', 100);
    const { update } = await live.account.place({ kind: 'orderRequest', clientOrderId: 'tb-toobig', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, ts: Date.now() });
    assert.equal(update.status, 'rejected');
    assert.match(update.reason ?? '', /rejected by the exchange: .*insufficient balance/i);
    assert.equal(mock.tradingStats(KEY).createRequests, 1);
  });

  it('a limit order is followed to its fill over the order websocket; one that times out is canceled at the exchange', async function () {
    // Polling every 30 s: a fill seen within 5 s came over the websocket (ccxt watchOrders).
    const live = await liveAccount(mock, 30_000);
    source = live.source;
    const updates: OrderUpdate[] = [];
    await live.account.place({ kind: 'orderRequest', clientOrderId: 'tb-limit-a', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 59_000, ts: Date.now() }, (u) => updates.push(u));
    assert.equal(live.account.portfolio.balance('USDT').used, 590, 'funds held like the exchange holds them');
    await mock.waitForUserStream(KEY, 5000);
    // ccxt registers for the stream's events just after subscribing; an event before that is
    // left to the (here: 30 s) poll, the websocket's safety net.
    await new Promise((r) => setTimeout(r, 300));
    mock.setTicker('BTC/USDT', { bid: 58_900, ask: 58_950, last: 58_950 });
    const deadline = Date.now() + 5000;
    while (!updates.some((u) => u.status === 'closed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(updates.map((u) => u.status), ['open', 'closed']);
    assert.equal(live.account.portfolio.balance('USDT').used, 0);

    const second: OrderUpdate[] = [];
    const ts = Date.now();
    await live.account.place({ kind: 'orderRequest', clientOrderId: 'tb-limit-b', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 50_000, ts, timeoutMs: 100 }, (u) => second.push(u));
    await new Promise((r) => setTimeout(r, 150));
    live.account.onPrice({ kind: 'ticker', exchange: 'binance', symbol: 'BTC/USDT', ts: Date.now(), bid: 58_900, ask: 58_950, last: 58_950 });
    const end = Date.now() + 5000;
    while (!second.some((u) => u.status === 'canceled') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(second.at(-1)!.status, 'canceled');
    assert.equal(mock.findOrder(KEY, { clientOrderId: 'tb-limit-b' })!.status, 'CANCELED');
  });
});
