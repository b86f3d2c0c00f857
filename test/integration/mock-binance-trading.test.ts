/**
 * Proves a REAL ccxt binance (never stubbed) trades against MockBinance's spot account: signed
 * requests, orders, fills, balances, Binance's error codes as ccxt maps them, the user data
 * stream, and the "order accepted, response lost" faults.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WebSocket } from 'ws';
import { MockBinance, SIGNATURE_INVALID } from '../support/mock-binance';
import { ccxtBinanceForMock } from '../support/ccxt-for-mock';
import { waitFor } from '../support/wait';

// Binance's documentation example key pair (not a real account).
const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

/** The ccxt error's class name and its ancestors', e.g. ['RequestTimeout', 'NetworkError', ...]. */
function classChain(err: unknown): string[] {
  const names: string[] = [];
  let proto = err && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (proto && proto !== Object.prototype) {
    names.push(proto.constructor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

async function rejection(p: Promise<unknown>): Promise<Error & { constructor: { name: string } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { constructor: { name: string } };
  }
  assert.fail('expected a rejection');
}

const close = (a: number, b: number, eps = 1e-8) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe('MockBinance spot trading with a real ccxt binance', function () {
  this.timeout(10_000);
  let mock: MockBinance;
  let ex: any;
  const extra: any[] = [];

  /** A real ccxt binance with credentials; its client-side rate limiter is off (it alone costs ~0.3 s per test). */
  async function client(apiKey = KEY, secret = SECRET, config: Record<string, unknown> = {}): Promise<any> {
    const c = await ccxtBinanceForMock(
      mock.url,
      { ws: { backoff: { base: 20 } } },
      { apiKey, secret, timeout: 2000, enableRateLimit: false, ...config },
    );
    extra.push(c);
    return c;
  }

  beforeEach(async () => {
    mock = new MockBinance();
    await mock.start();
    mock.addAccount(KEY, SECRET, { USDT: 10_000, BTC: 1 });
    mock.setTicker('BTC/USDT', { bid: 59_990, ask: 60_010, last: 60_000 });
    ex = await client();
  });

  afterEach(async () => {
    for (const c of extra.splice(0)) await c.close();
    await mock.stop();
  });

  describe('account and signing', () => {
    it('fetchBalance: a signed GET /api/v3/account parsed into free/used/total', async () => {
      const balance = await ex.fetchBalance();
      assert.deepEqual(balance.USDT, { free: 10_000, used: 0, total: 10_000 });
      assert.deepEqual(balance.BTC, { free: 1, used: 0, total: 1 });
      assert.equal(balance.ETH.total, 0, 'every listed asset is reported, like Binance');
      const req = mock.requests.find((r) => r.path === '/api/v3/account')!;
      assert.equal(req.apiKey, KEY);
      assert.deepEqual(Object.keys(req.query).sort(), ['recvWindow', 'signature', 'timestamp']);
      assert.equal(req.query.recvWindow, '10000');
      // loadMarkets with keys also calls the signed fetchCurrencies, verified for a registered key
      assert.equal(mock.requestCount('/sapi/v1/capital/config/getall'), 1);
    });

    it('the signature is HMAC-SHA256 of the exact query string (raw request accepted, tampered one not)', async () => {
      const ts = Date.now();
      const query = `omitZeroBalances=true&timestamp=${ts}`;
      const sig = crypto.createHmac('sha256', SECRET).update(query).digest('hex');
      const ok = await fetch(`${mock.url}/api/v3/account?${query}&signature=${sig}`, { headers: { 'X-MBX-APIKEY': KEY } });
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as { balances: { asset: string }[] };
      assert.deepEqual(body.balances.map((b) => b.asset), ['BTC', 'USDT']);
      const tampered = await fetch(`${mock.url}/api/v3/account?omitZeroBalances=false&timestamp=${ts}&signature=${sig}`, {
        headers: { 'X-MBX-APIKEY': KEY },
      });
      assert.equal(tampered.status, 400);
      assert.deepEqual(await tampered.json(), { code: -1022, msg: 'Signature for this request is not valid.' });
      const noKey = await fetch(`${mock.url}/api/v3/account?${query}&signature=${sig}`);
      assert.equal(noKey.status, 401);
      assert.deepEqual(await noKey.json(), { code: -2014, msg: 'API-key format invalid.' });
    });

    it('bad secret -> AuthenticationError (-1022), unknown key -> AuthenticationError (-2015)', async () => {
      const badSecret = await client(KEY, 'not-the-secret');
      const e1 = await rejection(badSecret.fetchBalance());
      assert.equal(e1.constructor.name, 'AuthenticationError');
      assert.match(e1.message, /-1022/);

      const unknown = await client('UnknownKey123', SECRET);
      const e2 = await rejection(unknown.fetchBalance());
      assert.equal(e2.constructor.name, 'AuthenticationError');
      assert.match(e2.message, /-2015/);
      assert.equal(mock.tradingStats(KEY).ordersCreated, 0);
    });

    it('-2015 after a successful private call is DDoSProtection (ccxt treats it as a temporary ban)', async () => {
      await ex.fetchBalance();
      ex.apiKey = 'RevokedKey456';
      const err = await rejection(ex.fetchBalance());
      assert.equal(err.constructor.name, 'DDoSProtection');
      assert.match(err.message, /-2015/);
    });

    it('a timestamp outside recvWindow of the mock clock -> InvalidNonce (-1021)', async () => {
      await ex.loadMarkets();
      mock.setNow(Date.now() + 30_000); // server clock 30 s ahead: the request is 30 s old
      const behind = await rejection(ex.fetchBalance());
      assert.equal(behind.constructor.name, 'InvalidNonce');
      assert.match(behind.message, /outside of the recvWindow/);
      mock.setNow(Date.now() - 5_000); // server clock behind: the request comes from the future
      const ahead = await rejection(ex.fetchBalance());
      assert.equal(ahead.constructor.name, 'InvalidNonce');
      assert.match(ahead.message, /ahead of the server's time/);
    });
  });

  describe('orders', () => {
    it('market buy fills at the ask when no book was set; fee in the base asset; clientOrderId round-trips', async () => {
      const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'bot-buy-1' });
      const sent = mock.requests.find((r) => r.method === 'POST' && r.path === '/api/v3/order')!;
      assert.equal(sent.body!.newClientOrderId, 'bot-buy-1', 'ccxt sends params.clientOrderId as newClientOrderId');
      assert.equal(sent.body!.newOrderRespType, 'FULL');
      assert.equal(sent.body!.type, 'MARKET');
      assert.equal(sent.body!.quantity, '0.01');
      assert.equal(order.clientOrderId, 'bot-buy-1');
      assert.equal(order.status, 'closed');
      assert.equal(order.filled, 0.01);
      assert.equal(order.average, 60_010);
      close(order.cost, 600.1);
      assert.equal(order.trades.length, 1);
      assert.deepEqual(order.fee, { cost: 0.00001, currency: 'BTC' });
      const b = mock.balances(KEY);
      close(b.USDT!.free, 10_000 - 600.1);
      close(b.BTC!.free, 1 + 0.01 - 0.00001);
      const balance = await ex.fetchBalance();
      close(balance.BTC.free, 1.00999);
    });

    it('market sell walks the order book: several fills, fee in the quote asset', async () => {
      mock.setOrderBook('BTC/USDT', [[59_990, 0.005], [59_980, 0.01], [59_000, 1]], [[60_010, 1]]);
      const order = await ex.createOrder('BTC/USDT', 'market', 'sell', 0.012);
      assert.equal(order.status, 'closed');
      assert.deepEqual(
        order.trades.map((t: any) => [t.price, t.amount]),
        [[59_990, 0.005], [59_980, 0.007]],
      );
      const cost = 59_990 * 0.005 + 59_980 * 0.007;
      close(order.cost, cost);
      assert.equal(order.fee.currency, 'USDT');
      close(order.fee.cost, cost * 0.001, 1e-6);
      assert.match(order.clientOrderId, /^x-TKT5PX2F/, 'without a clientOrderId ccxt generates a broker-prefixed one');
      const b = mock.balances(KEY);
      close(b.BTC!.free, 0.988);
      close(b.USDT!.free, 10_000 + cost * 0.999, 1e-6);
      const trades = await ex.fetchMyTrades('BTC/USDT');
      assert.equal(trades.length, 2);
      assert.equal(trades[0].side, 'sell');
      assert.equal(trades[0].takerOrMaker, 'taker');
      assert.equal(trades[0].order, order.id);
    });

    it('a market order larger than the book fills partially and EXPIRES; cost-based buys send quoteOrderQty', async () => {
      mock.setOrderBook('BTC/USDT', [[59_990, 1]], [[60_010, 0.002], [60_020, 0.001]]);
      const partial = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.005);
      assert.equal(partial.status, 'expired');
      assert.equal(partial.filled, 0.003);
      assert.equal(partial.amount, 0.005);

      mock.setOrderBook('BTC/USDT', [[59_990, 1]], [[60_000, 1]]);
      const byCost = await ex.createMarketBuyOrderWithCost('BTC/USDT', 100);
      const sent = mock.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').at(-1)!;
      assert.equal(sent.body!.quoteOrderQty, '100');
      assert.equal(sent.body!.quantity, undefined);
      assert.equal(byCost.status, 'closed');
      assert.equal(byCost.filled, 0.00166); // floor(100 / 60000) to the 0.00001 step
      close(byCost.cost, 99.6);
    });

    it('a limit buy rests holding quote, then fills at its price when setTicker crosses it', async () => {
      const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 59_000, { clientOrderId: 'dip-1' });
      assert.equal(order.status, 'open');
      assert.equal(order.filled, 0);
      const sent = mock.requests.filter((r) => r.method === 'POST').at(-1)!;
      assert.equal(sent.body!.timeInForce, 'GTC');
      assert.equal(sent.body!.price, '59000');
      assert.deepEqual(mock.balances(KEY).USDT, { free: 4100, locked: 5900 });
      const bal = await ex.fetchBalance();
      assert.deepEqual(bal.USDT, { free: 4100, used: 5900, total: 10_000 });

      const open = await ex.fetchOpenOrders('BTC/USDT');
      assert.deepEqual(open.map((o: any) => o.clientOrderId), ['dip-1']);

      mock.setTicker('BTC/USDT', { bid: 59_500, ask: 59_600, last: 59_550 }); // not yet
      assert.equal((await ex.fetchOrder(order.id, 'BTC/USDT')).status, 'open');
      mock.setTicker('BTC/USDT', { bid: 58_900, ask: 58_950, last: 58_920 }); // crosses
      const filled = await ex.fetchOrder(order.id, 'BTC/USDT');
      assert.equal(filled.status, 'closed');
      assert.equal(filled.filled, 0.1);
      assert.equal(filled.average, 59_000, 'a resting order fills at its own price');
      assert.deepEqual(mock.balances(KEY).USDT, { free: 4100, locked: 0 });
      close(mock.balances(KEY).BTC!.free, 1 + 0.1 * 0.999);
      assert.deepEqual(await ex.fetchOpenOrders('BTC/USDT'), []);
      const closed = await ex.fetchClosedOrders('BTC/USDT');
      assert.deepEqual(closed.map((o: any) => o.id), [order.id]);
      const [trade] = await ex.fetchMyTrades('BTC/USDT');
      assert.equal(trade.takerOrMaker, 'maker');
    });

    it('a marketable limit takes the book up to its price and rests the remainder; fillOrder fills by hand', async () => {
      mock.setOrderBook('BTC/USDT', [[59_990, 1]], [[60_010, 0.01], [60_050, 0.01], [60_200, 1]]);
      const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.05, 60_100);
      assert.equal(order.status, 'open');
      assert.equal(order.filled, 0.02);
      assert.equal(order.trades.length, 2);
      close(mock.balances(KEY).USDT!.locked, 0.03 * 60_100, 1e-6);
      const after = mock.fillOrder(KEY, { orderId: Number(order.id) }, 0.01);
      assert.equal(after.status, 'PARTIALLY_FILLED');
      const fetched = await ex.fetchOrder(order.id, 'BTC/USDT');
      assert.equal(fetched.filled, 0.03);
      assert.equal(fetched.status, 'open');
    });

    it('fetchOrder by id, by clientOrderId or origClientOrderId; unknown -> OrderNotFound (-2013)', async () => {
      const order = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.2, 65_000, { clientOrderId: 'tp-7' });
      assert.deepEqual(mock.balances(KEY).BTC, { free: 0.8, locked: 0.2 });
      const byId = await ex.fetchOrder(order.id, 'BTC/USDT');
      assert.equal(byId.clientOrderId, 'tp-7');
      const byClient = await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'tp-7' });
      assert.equal(byClient.id, order.id);
      assert.deepEqual(mock.requests.at(-1)!.query.origClientOrderId, 'tp-7');
      assert.equal(mock.requests.at(-1)!.query.orderId, undefined);
      const byOrig = await ex.fetchOrder(undefined, 'BTC/USDT', { origClientOrderId: 'tp-7' });
      assert.equal(byOrig.id, order.id);
      const missing = await rejection(ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'never-sent' }));
      assert.equal(missing.constructor.name, 'OrderNotFound');
      assert.match(missing.message, /-2013/);
      const noSymbol = await rejection(ex.fetchOrder(order.id));
      assert.equal(noSymbol.constructor.name, 'ArgumentsRequired');
    });

    it('cancelOrder by id or clientOrderId releases the funds; a second cancel -> OrderNotFound (-2011)', async () => {
      const a = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000, { clientOrderId: 'c-1' });
      const b = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000, { clientOrderId: 'c-2' });
      assert.equal(mock.balances(KEY).USDT!.locked, 1000);
      const canceled = await ex.cancelOrder(a.id, 'BTC/USDT');
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.info.origClientOrderId, 'c-1');
      assert.notEqual(canceled.clientOrderId, 'c-1', "Binance answers the CANCEL's id as clientOrderId");
      const canceled2 = await ex.cancelOrder(undefined, 'BTC/USDT', { clientOrderId: 'c-2' });
      assert.equal(canceled2.id, b.id);
      assert.deepEqual(mock.balances(KEY).USDT, { free: 10_000, locked: 0 });
      const again = await rejection(ex.cancelOrder(a.id, 'BTC/USDT'));
      assert.equal(again.constructor.name, 'OrderNotFound');
      assert.match(again.message, /-2011.*Unknown order sent/);
      assert.equal((await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'c-1' })).status, 'canceled');
      const all = await ex.fetchOrders('BTC/USDT');
      assert.deepEqual(all.map((o: any) => o.status), ['canceled', 'canceled']);
      assert.equal(mock.tradingStats(KEY).cancelRequests, 3);
    });

    it("a clientOrderId still open is a duplicate: InvalidOrder (-2010 'Duplicate order sent.')", async () => {
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000, { clientOrderId: 'same' });
      const dup = await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000, { clientOrderId: 'same' }));
      assert.equal(dup.constructor.name, 'InvalidOrder');
      assert.match(dup.message, /"code":-2010,"msg":"Duplicate order sent."/);
      const dupMarket = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { newClientOrderId: 'same' }));
      assert.equal(dupMarket.constructor.name, 'InvalidOrder', 'params.newClientOrderId works as well');
      assert.equal(mock.orders(KEY).length, 1);
      assert.deepEqual(mock.tradingStats(KEY), { createRequests: 3, ordersCreated: 1, createRejected: 2, cancelRequests: 0 });
    });

    it("Binance's rule: the id of a FILLED (or canceled) order may be used again; setDuplicateClientOrderIds('all') forbids it", async () => {
      await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'again' });
      const second = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'again' });
      assert.equal(second.status, 'closed');
      assert.equal(mock.orders(KEY).filter((o) => o.clientOrderId === 'again').length, 2, 'two fills: reuse does not protect a market order');
      const latest = await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'again' });
      assert.equal(latest.id, second.id, 'a lookup by clientOrderId answers the most recent order');

      mock.setDuplicateClientOrderIds('all', KEY);
      const dup = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'again' }));
      assert.equal(dup.constructor.name, 'InvalidOrder');
      assert.equal(mock.orders(KEY).length, 2);
    });

    it('insufficient balance -> InsufficientFunds (-2010), nothing created, nothing moved', async () => {
      const buy = await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 1, 59_000));
      assert.equal(buy.constructor.name, 'InsufficientFunds');
      // matched by its exact message before its code, so the message carries no code
      assert.equal(buy.message, 'binance Account has insufficient balance for requested action.');
      assert.equal(mock.requests.at(-1)!.path, '/api/v3/order', 'rejected by the exchange, not by ccxt');
      const sell = await rejection(ex.createOrder('BTC/USDT', 'market', 'sell', 2));
      assert.equal(sell.constructor.name, 'InsufficientFunds');
      assert.deepEqual(mock.orders(KEY), []);
      assert.deepEqual(mock.balances(KEY), { USDT: { free: 10_000, locked: 0 }, BTC: { free: 1, locked: 0 } });
    });

    it('filter failures: NOTIONAL -> BadRequest (-1013), LOT_SIZE / PRICE_FILTER -> InvalidOrder, LIMIT_MAKER taking -> OrderImmediatelyFillable', async () => {
      const small = await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.00002, 59_000));
      assert.equal(small.constructor.name, 'BadRequest');
      assert.match(small.message, /Filter failure: NOTIONAL/);
      // ccxt rounds amounts/prices to precision itself, so off-step values only arrive through the raw API
      const lot = await rejection(
        ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000015', price: '59000' }),
      );
      assert.equal(lot.constructor.name, 'InvalidOrder');
      assert.match(lot.message, /LOT_SIZE/);
      const tick = await rejection(
        ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '59000.005' }),
      );
      assert.equal(tick.constructor.name, 'InvalidOrder');
      assert.match(tick.message, /PRICE_FILTER/);
      const maker = await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 61_000, { postOnly: true }));
      assert.equal(maker.constructor.name, 'OrderImmediatelyFillable');
      assert.deepEqual(mock.orders(KEY), []);
    });

    it("a STOP_LOSS sell (ccxt's stopLossPrice) locks its coins, waits, and sells at market when last reaches the stop", async () => {
      const early = await rejection(ex.createOrder('BTC/USDT', 'market', 'sell', 0.1, undefined, { stopLossPrice: 60_500 }));
      assert.match(early.message, /Stop price would trigger immediately/);
      const buyStop = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.1, undefined, { stopLossPrice: 61_000 }));
      assert.match(buyStop.message, /Unsupported order combination/);
      const placed = await ex.createOrder('BTC/USDT', 'market', 'sell', 0.1, undefined, { stopLossPrice: 59_000, clientOrderId: 'stop-1' });
      assert.equal(placed.status, 'open');
      assert.equal(placed.triggerPrice, 59_000);
      assert.deepEqual(mock.balances(KEY).BTC, { free: 0.9, locked: 0.1 });
      mock.setTicker('BTC/USDT', { bid: 59_100, ask: 59_120, last: 59_110 });
      assert.equal((await ex.fetchOrder(placed.id, 'BTC/USDT')).status, 'open', 'above the stop: still waiting');
      mock.setTicker('BTC/USDT', { bid: 58_990, ask: 59_010, last: 58_995 });
      const fired = await ex.fetchOrder(placed.id, 'BTC/USDT');
      assert.equal(fired.status, 'closed');
      assert.equal(fired.filled, 0.1);
      close(fired.average, 58_990);
      assert.deepEqual(mock.balances(KEY).BTC, { free: 0.9, locked: 0 });
      close(mock.balances(KEY).USDT!.free, 10_000 + 0.1 * 58_990 * 0.999);
    });
  });

  describe('faults on POST /api/v3/order', () => {
    it("'acceptedThenReset': ccxt throws NetworkError, yet the order exists and is found by clientOrderId", async () => {
      await ex.loadMarkets();
      mock.failNext(1, 'acceptedThenReset', '/api/v3/order', 'POST');
      const err = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'lost-1' }));
      assert.equal(err.constructor.name, 'NetworkError');
      assert.deepEqual(mock.tradingStats(KEY), { createRequests: 1, ordersCreated: 1, createRejected: 0, cancelRequests: 0 });
      const found = await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'lost-1' });
      assert.equal(found.status, 'closed');
      assert.equal(found.filled, 0.01);
      close(mock.balances(KEY).USDT!.free, 10_000 - 600.1);
    });

    it("'acceptedThenReset' on a resting limit: a blind retry with the same clientOrderId is refused as a duplicate", async () => {
      await ex.loadMarkets();
      mock.failNext(1, 'acceptedThenLost', '/api/v3/order', 'POST');
      const lost = await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, { clientOrderId: 'lost-2' }));
      assert.ok(classChain(lost).includes('NetworkError'));
      const retry = await rejection(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, { clientOrderId: 'lost-2' }));
      assert.equal(retry.constructor.name, 'InvalidOrder');
      assert.equal(mock.orders(KEY).length, 1);
      assert.equal(mock.orders(KEY)[0]!.status, 'NEW');
    });

    it("'acceptedThenTimeout': RequestTimeout, order created; { status: 503, accepted: true }: ExchangeNotAvailable, order created", async () => {
      await ex.loadMarkets();
      ex.timeout = 300;
      mock.failNext(1, 'acceptedThenTimeout', '/api/v3/order', 'POST');
      const timedOut = await rejection(ex.createOrder('BTC/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'slow-1' }));
      assert.equal(timedOut.constructor.name, 'RequestTimeout');
      assert.equal((await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'slow-1' })).status, 'closed');

      mock.failNext(1, { status: 503, accepted: true }, '/api/v3/order', 'POST');
      const gateway = await rejection(ex.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 70_000, { clientOrderId: 'gw-1' }));
      assert.equal(gateway.constructor.name, 'ExchangeNotAvailable');
      assert.equal((await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'gw-1' })).status, 'open');
      assert.deepEqual(mock.tradingStats(KEY), { createRequests: 2, ordersCreated: 2, createRejected: 0, cancelRequests: 0 });
    });

    it('503 and 429 on POST create nothing (ExchangeNotAvailable, DDoSProtection)', async () => {
      await ex.loadMarkets();
      mock.failNext(1, { status: 503 }, '/api/v3/order', 'POST');
      const e503 = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'n-1' }));
      assert.equal(e503.constructor.name, 'ExchangeNotAvailable');
      mock.failNext(1, { status: 429, retryAfterSec: 1 }, '/api/v3/order', 'POST');
      const e429 = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'n-1' }));
      assert.equal(e429.constructor.name, 'DDoSProtection');
      mock.failNext(1, 'reset', '/api/v3/order', 'POST');
      const reset = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'n-1' }));
      assert.equal(reset.constructor.name, 'NetworkError');
      assert.deepEqual(mock.orders(KEY), []);
      assert.deepEqual(mock.tradingStats(KEY), { createRequests: 3, ordersCreated: 0, createRejected: 0, cancelRequests: 0 });
      const missing = await rejection(ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'n-1' }));
      assert.equal(missing.constructor.name, 'OrderNotFound');
      const ok = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'n-1' });
      assert.equal(ok.status, 'closed');
    });

    it('late execution: the create times out (or gets a 503), the order is not there, then it executes afterMs later', async () => {
      await ex.loadMarkets();
      ex.timeout = 300;
      mock.failNext(1, { lateExecutionMs: 500, answer: 'timeout' }, '/api/v3/order', 'POST');
      const timedOut = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'late-1' }));
      assert.equal(timedOut.constructor.name, 'RequestTimeout');
      assert.equal((await rejection(ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'late-1' }))).constructor.name, 'OrderNotFound', 'invisible after the timeout');
      mock.failNext(1, { lateExecutionMs: 200, answer: 503 }, '/api/v3/order', 'POST');
      const gateway = await rejection(ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'late-2' }));
      assert.equal(gateway.constructor.name, 'ExchangeNotAvailable');
      assert.deepEqual(mock.orders(KEY), []);
      await waitFor(() => mock.orders(KEY).length === 2, 5_000, 'both orders executed late');
      assert.equal((await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'late-1' })).status, 'closed', 'executed late');
      assert.equal((await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'late-2' })).status, 'closed');
      assert.deepEqual(mock.tradingStats(KEY), { createRequests: 2, ordersCreated: 2, createRejected: 0, cancelRequests: 0 });
    });

    it('an API error fault answers Binance\'s JSON body (400 -1022 -> AuthenticationError) without processing', async () => {
      await ex.loadMarkets();
      const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000, { clientOrderId: 'poll-1' });
      mock.failNext(1, SIGNATURE_INVALID, '/api/v3/order', 'GET');
      const refused = await rejection(ex.fetchOrder(order.id, 'BTC/USDT'));
      assert.equal(refused.constructor.name, 'AuthenticationError');
      assert.match(refused.message, /-1022.*Signature for this request is not valid/);
      assert.equal((await ex.fetchOrder(order.id, 'BTC/USDT')).status, 'open', 'the next poll answers');
    });

    it('offline(ms): connections refused (ECONNREFUSED) and open ones dropped, then the same port serves again with the same orders', async () => {
      await ex.loadMarkets();
      await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000, { clientOrderId: 'keep-1' });
      mock.offline(400);
      assert.equal(mock.isOnline, false);
      const first = await rejection(ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'keep-1' }));
      const second = first.message.includes('ECONNREFUSED') ? first : await rejection(ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'keep-1' }));
      assert.equal(second.constructor.name, 'NetworkError');
      assert.match(second.message, /ECONNREFUSED/);
      await waitFor(() => mock.isOnline, 5_000, 'the exchange back online');
      assert.equal((await ex.fetchOrder(undefined, 'BTC/USDT', { clientOrderId: 'keep-1' })).status, 'open');
    });
  });

  describe('user data stream', () => {
    it('watchOrders (ws-api userDataStream.subscribe.signature) sees NEW, then the fill', async () => {
      const first = ex.watchOrders('BTC/USDT');
      await mock.waitForUserStream(KEY);
      assert.equal(mock.requestCount('/api/v3/userDataStream'), 0, 'ccxt 4.5.84 uses the WebSocket API for spot, no listenKey');
      const placed = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59_000, { clientOrderId: 'ws-1' });
      const updates = await first;
      assert.equal(updates.at(-1).id, placed.id);
      assert.equal(updates.at(-1).status, 'open');
      assert.equal(updates.at(-1).clientOrderId, 'ws-1');

      const second = ex.watchOrders('BTC/USDT');
      mock.setTicker('BTC/USDT', { bid: 58_000, ask: 58_500, last: 58_200 });
      const filled = (await second).at(-1);
      assert.equal(filled.id, placed.id);
      assert.equal(filled.status, 'closed');
      assert.equal(filled.filled, 0.01);
      assert.equal(filled.trades.length, 1);
      assert.deepEqual(filled.fee, { cost: 0.00001, currency: 'BTC' });
    });

    it('a bad signature on the ws-api subscription rejects watchOrders with AuthenticationError (-1022)', async () => {
      await ex.loadMarkets(); // with the right secret: the signed REST calls of loadMarkets pass
      ex.secret = 'wrong';
      const before = mock.requestCount();
      const err = await rejection(ex.watchOrders('BTC/USDT'));
      assert.equal(err.constructor.name, 'AuthenticationError');
      assert.match(err.message, /-1022/);
      assert.equal(mock.userStreamCount(), 0);
      assert.equal(mock.requestCount(), before, 'rejected on the websocket, no REST call');
    });

    it('listenKey REST endpoints and /ws/<listenKey> deliver executionReports (CANCELED carries the original id in C)', async () => {
      const { listenKey } = await ex.publicPostUserDataStream();
      assert.equal(listenKey.length, 60);
      assert.deepEqual(await ex.publicPutUserDataStream({ listenKey }), {});
      const ws = new WebSocket(`${mock.url.replace('http:', 'ws:')}/ws/${listenKey}`);
      const inbox: any[] = [];
      ws.on('message', (d) => inbox.push(JSON.parse(d.toString())));
      try {
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        await mock.waitForUserStream(KEY);
        const o = await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 70_000, { clientOrderId: 'lk-1' });
        await ex.cancelOrder(o.id, 'BTC/USDT', { newClientOrderId: 'lk-1-cancel' });
        const deadline = Date.now() + 1000;
        while (inbox.filter((m) => m.e === 'executionReport').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        const reports = inbox.filter((m) => m.e === 'executionReport');
        assert.deepEqual(reports.map((r) => [r.x, r.X, r.c, r.C]), [
          ['NEW', 'NEW', 'lk-1', ''],
          ['CANCELED', 'CANCELED', 'lk-1-cancel', 'lk-1'],
        ]);
        assert.ok(inbox.some((m) => m.e === 'outboundAccountPosition'));
      } finally {
        ws.terminate();
      }
      assert.deepEqual(await ex.publicDeleteUserDataStream({ listenKey }), {});
      const gone = await rejection(ex.publicPutUserDataStream({ listenKey }));
      assert.equal(gone.constructor.name, 'AuthenticationError'); // -1125 This listenKey does not exist.
    });
  });
});
