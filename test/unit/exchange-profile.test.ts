/**
 * Per-exchange client order ids (core/exchanges/client-order-id.ts) and capability profiles
 * (core/exchanges/profile.ts), read from REAL ccxt exchange classes.
 */
import assert from 'node:assert/strict';
import { clientOrderIdParam, exchangeClientOrderId, flowClientOrderId } from '../../core/exchanges/client-order-id';
import { describeProfile, exchangeProfile } from '../../core/exchanges/profile';
import { loadExchangeClass } from '../../core/market/ccxt-loader';

const FLOW_ID = 'tb-0123456789abcdef01234567';

describe('client order id per exchange', () => {
  it('Binance, Bybit, KuCoin and unknown exchanges get the flow id unchanged', () => {
    for (const id of ['binance', 'bybit', 'kucoin', 'someexchange']) assert.equal(exchangeClientOrderId(id, FLOW_ID), FLOW_ID);
  });

  it('Kraken gets a UUID (its cl_ord_id takes a UUID, 32 hex digits or 18 characters of text)', () => {
    const id = exchangeClientOrderId('kraken', FLOW_ID);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(exchangeClientOrderId('kraken', FLOW_ID), id, 'deterministic');
    assert.notEqual(exchangeClientOrderId('kraken', 'tb-0123456789abcdef01234568'), id);
    assert.match(exchangeClientOrderId('coinbase', FLOW_ID), /^[0-9a-f-]{36}$/);
  });

  it('Bitfinex gets an integer of at most 45 bits, sent as a number', () => {
    const id = exchangeClientOrderId('bitfinex', FLOW_ID);
    assert.match(id, /^[1-9][0-9]*$/);
    assert.ok(Number(id) < 2 ** 45);
    assert.equal(clientOrderIdParam('bitfinex', FLOW_ID), Number(id));
    assert.equal(typeof clientOrderIdParam('kraken', FLOW_ID), 'string');
  });

  it('OKX gets letters and digits only, at most 32', () => {
    assert.equal(exchangeClientOrderId('okx', FLOW_ID), 'tb0123456789abcdef01234567');
    assert.match(exchangeClientOrderId('okx', `tb-${'a'.repeat(40)}`), /^tb[0-9a-f]{30}$/);
  });

  it('reads the flow id back from what the exchange echoes, and nothing from an order that is not ours', () => {
    const other = 'tb-ffffffffffffffffffffffff';
    assert.equal(flowClientOrderId('kraken', exchangeClientOrderId('kraken', FLOW_ID), [other, FLOW_ID]), FLOW_ID);
    assert.equal(flowClientOrderId('bitfinex', exchangeClientOrderId('bitfinex', FLOW_ID), [FLOW_ID]), FLOW_ID);
    assert.equal(flowClientOrderId('kraken', 'web-order-1', [FLOW_ID]), undefined);
    assert.equal(flowClientOrderId('kraken', null, [FLOW_ID]), undefined);
  });
});

describe('exchange capability profile', () => {
  it('Binance: websocket everywhere, fetched by client order id, stops at the exchange', async () => {
    const Binance = await loadExchangeClass('binance');
    const p = exchangeProfile(new Binance({}));
    assert.equal(p.tested, true);
    assert.deepEqual(p.transports, { ticker: 'websocket', candles: 'websocket', orderBook: 'websocket', orders: 'websocket' });
    assert.equal(p.lookup, 'fetch-by-client-id');
    assert.equal(p.clientOrderId.format, 'as-is');
    assert.equal(p.stops, 'exchange');
    assert.equal(p.liveRefusal, undefined);
  });

  it('Kraken: filtered by cl_ord_id, never its userref query; a UUID id', async () => {
    const Kraken = await loadExchangeClass('kraken');
    const p = exchangeProfile(new Kraken({}));
    assert.equal(p.lookup, 'filter-by-client-id');
    assert.equal(p.clientOrderId.field, 'cl_ord_id');
    assert.equal(p.clientOrderId.format, 'uuid');
    assert.match(describeProfile(p), /^kraken: ticker websocket/);
  });

  it('Bitfinex: a scan of open and closed orders for the echoed cid', async () => {
    const Bitfinex = await loadExchangeClass('bitfinex');
    const p = exchangeProfile(new Bitfinex({}));
    assert.equal(p.lookup, 'scan');
    assert.equal(p.clientOrderId.field, 'cid');
    assert.ok(p.emulated.some((e) => /searched for its client order id/.test(e)));
  });

  it('Luno: paper only, live refused for what its ccxt class does with ids and market buys', async () => {
    const Luno = await loadExchangeClass('luno');
    const p = exchangeProfile(new Luno({}));
    assert.equal(p.lookup, 'none');
    assert.match(p.liveRefusal ?? '', /cannot find an order by its client order id.*quote currency to spend/);
  });

  it('websocket off: every stream polls', async () => {
    const Kraken = await loadExchangeClass('kraken');
    const p = exchangeProfile(new Kraken({}), false);
    assert.deepEqual(new Set(Object.values(p.transports)), new Set(['polling']));
  });

  it('refuses live trading where a lost order could not be found again, and says why', () => {
    const p = exchangeProfile({ id: 'tinyexchange', has: { createOrder: true, fetchOrder: true }, rateLimit: 500 });
    assert.equal(p.lookup, 'none');
    assert.match(p.liveRefusal ?? '', /cannot list orders on tinyexchange.*could place it twice/);
    assert.equal(p.tested, false);
    assert.ok(p.missing.some((m) => /not tested/.test(m)));
  });
});
