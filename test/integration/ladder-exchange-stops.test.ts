/**
 * A take-profit ladder in live mode with a stop-loss resting at the exchange: the product's own
 * order path (TradingAccount + LiveExecutor + a real ccxt) against the mock Binance. Each rung
 * cancels the resting stop, sells its part once (`<opening id>-tp<n>`), and the stop comes back
 * for the smaller position; the last rung sells the rest and leaves no stop behind.
 */
import assert from 'node:assert/strict';
import type { OrderUpdate } from '../../core/contract';
import { CcxtSource } from '../../core/market/ccxt-source';
import type { MarketInfo } from '../../core/market/market-source';
import { MemoryStore } from '../../core/state-store';
import { TradingAccount } from '../../core/trading/account';
import { LiveExecutor } from '../../core/trading/live-executor';
import { reconcileLiveAccount } from '../../core/trading/reconcile';
import { MockBinance } from '../support/mock-binance';
import { waitFor } from '../support/node-red';

const KEY = 'ladderTestKey0123456789abcdef';
const SECRET = 'ladderTestSecret0123456789abcdef';

describe('take-profit ladder with a stop-loss resting at the exchange (real ccxt, mock Binance)', function () {
  this.timeout(30_000);
  let mock: MockBinance;
  let source: CcxtSource | undefined;
  let account: TradingAccount | undefined;

  beforeEach(async function () {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 10_000, BTC: 0 });
    mock.setTicker('BTC/USDT', { bid: 59_999, ask: 60_001, last: 60_000 });
  });

  afterEach(async function () {
    await account?.close();
    await source?.close();
    account = undefined;
    source = undefined;
    await mock.stop();
  });

  it('each rung sells its part once; the resting stop follows the smaller position; the last rung leaves nothing', async function () {
    source = await CcxtSource.create({ exchangeId: 'binance', baseUrl: mock.url, credentials: { apiKey: KEY, secret: SECRET }, timeoutMs: 500 });
    source.ccxt.enableRateLimit = false;
    const markets: Map<string, MarketInfo> = await source.loadMarkets();
    const executor = new LiveExecutor({ exchange: source.ccxt, exchangeId: 'binance', now: () => Date.now(), pollMs: 30, backoff: { initialMs: 10, maxMs: 50 } });
    const acct = new TradingAccount({ exchangeId: 'binance', mode: 'live', store: new MemoryStore(), storeKey: 'live', now: () => Date.now(), exchangeStops: true, market: (s) => markets.get(s) });
    account = acct;
    const updates: OrderUpdate[] = [];
    acct.defaultListener = (u) => updates.push(u);
    await acct.init(executor);
    await reconcileLiveAccount(acct, executor, source.ccxt);

    const price = (last: number) => {
      mock.setTicker('BTC/USDT', { bid: last - 1, ask: last + 1, last });
      acct.onPrice({ kind: 'ticker', exchange: 'binance', symbol: 'BTC/USDT', bid: last - 1, ask: last + 1, last, ts: Date.now() });
    };
    const stops = () => mock.orders(KEY).filter((o) => o.type === 'STOP_LOSS');
    const sells = () => mock.orders(KEY).filter((o) => o.side === 'SELL' && o.type !== 'STOP_LOSS');

    await acct.place({
      kind: 'orderRequest',
      clientOrderId: 'tb-ladder-1',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: 0.01,
      stopLoss: 58_000,
      takeProfitLadder: [
        { fraction: 0.5, price: 62_000 },
        { fraction: 0.5, price: 64_000 },
      ],
      ts: Date.now(),
    });
    await waitFor(() => stops().some((o) => o.status === 'NEW'), 5000, 'a stop-loss at the exchange');
    const held = acct.portfolio.position('BTC/USDT')!.amount; // 0.00999 after the fee Binance takes in BTC

    // Rung 1: half of the position, rounded down to Binance's step (0.00001).
    price(62_100);
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-ladder-1-tp1' && u.status === 'closed'), 5000, 'rung 1 sold');
    const rung1 = updates.find((u) => u.clientOrderId === 'tb-ladder-1-tp1' && u.status === 'closed')!;
    assert.equal(rung1.filled, 0.00499);
    // The resting stop now guards the rest only.
    await waitFor(() => stops().some((o) => o.clientOrderId === 'tb-ladder-1-x2' && o.status === 'NEW'), 5000, 'a stop for what is left');
    assert.equal(stops().find((o) => o.clientOrderId === 'tb-ladder-1-x1')!.status, 'CANCELED');
    assert.ok(Math.abs(stops().find((o) => o.clientOrderId === 'tb-ladder-1-x2')!.origQty - (held - 0.00499)) < 1e-12);
    // The same price again: rung 1 never sells twice, rung 2 is not reached.
    price(62_200);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sells().length, 1);

    // Rung 2: the rest; the stop goes with the position.
    price(64_100);
    await waitFor(() => updates.some((u) => u.clientOrderId === 'tb-ladder-1-tp2' && u.status === 'closed'), 5000, 'rung 2 sold');
    await waitFor(() => stops().every((o) => o.status !== 'NEW'), 5000, 'no stop left resting');
    assert.equal(acct.portfolio.position('BTC/USDT'), undefined, 'flat');
    assert.deepEqual(sells().map((o) => o.clientOrderId), ['tb-ladder-1-tp1', 'tb-ladder-1-tp2']);
    price(65_000);
    // A fixed wait on purpose: nothing must happen, so there is no event to wait for.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sells().length, 2, 'nothing more sold');
    await acct.flush();
    const theirs = mock.balances(KEY);
    for (const asset of ['USDT', 'BTC']) {
      const ours = acct.portfolio.balance(asset);
      assert.ok(Math.abs(ours.free + ours.used - (theirs[asset]!.free + theirs[asset]!.locked)) < 1e-8, `${asset} matches the exchange`);
    }
  });
});
