/**
 * What an order request must pass before an account records it (core/trading/order-checks.ts),
 * the place order node's and the fast path's checks: the contract, this exchange, a listed
 * market, a plausible time and prices (skipped for an order still open). Each refusal is a
 * validation error naming the field, in the words users see.
 */
import assert from 'node:assert/strict';
import type { OrderRequest } from '../../core/contract';
import { isValidationError } from '../../core/errors';
import type { MarketInfo } from '../../core/market/market-source';
import { ImplausibleInputError } from '../../core/plausibility';
import { cancelTarget, checkPlaceable, parseOrderRequest, type OrderVenue } from '../../core/trading/order-checks';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const btc: MarketInfo = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, active: true } as MarketInfo;

const request = (extra: Partial<OrderRequest> = {}): OrderRequest =>
  ({ kind: 'orderRequest', clientOrderId: 'tb-0123456789abcdef', exchange: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 60_000, ts: NOW, ...extra }) as OrderRequest;

/** A venue on binance with BTC/USDT at 60,000; counts how often its markets were loaded. */
function venue(open: string[] = []) {
  const loads = { markets: 0 };
  const v: OrderVenue = {
    exchange: 'binance',
    markets: async () => {
      loads.markets++;
      return new Map([['BTC/USDT', btc]]);
    },
    isOpen: (id) => open.includes(id),
    marketPrice: async () => 60_000,
    now: () => NOW,
  };
  return { v, loads };
}

/** The error checkPlaceable throws, or undefined. */
async function refusal(r: OrderRequest, v: OrderVenue): Promise<Error | undefined> {
  try {
    await checkPlaceable(r, v);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe('order checks: what place order refuses before anything is recorded', function () {
  it('takes a plausible request for a listed market on this exchange', async function () {
    assert.equal(await refusal(request(), venue().v), undefined);
    assert.equal(await refusal(request({ exchange: undefined }), venue().v), undefined, 'a request that names no exchange is for this one');
  });

  it('refuses a request for another exchange without loading the markets', async function () {
    const { v, loads } = venue();
    const err = await refusal(request({ exchange: 'kraken' }), v);
    assert.equal(err?.message, 'msg.payload.exchange: the request is for kraken, this node trades on binance');
    assert.ok(isValidationError(err));
    assert.equal((err as { field?: string }).field, 'msg.payload.exchange');
    assert.equal(loads.markets, 0);
  });

  it('refuses a market that is not listed', async function () {
    const err = await refusal(request({ symbol: 'DOGE/XYZ' }), venue().v);
    assert.equal(err?.message, 'msg.payload.symbol: DOGE/XYZ is not a market on binance');
    assert.ok(isValidationError(err));
  });

  it('refuses a new request whose limit price is far from the market, but answers one for an order still open whatever it says', async function () {
    const far = request({ price: 60 }); // a thousand times below: a decimal-point mistake
    const err = await refusal(far, venue().v);
    assert.ok(err instanceof ImplausibleInputError, `an ImplausibleInputError, not ${err}`);
    assert.ok(isValidationError(err), 'an implausible input is a validation failure');
    assert.match(err.message, /^msg\.payload\.price: /);
    assert.equal(await refusal(far, venue([far.clientOrderId]).v), undefined);
  });

  it('refuses a request from the future', async function () {
    const err = await refusal(request({ ts: NOW + 3_600_000 }), venue().v);
    assert.match(err?.message ?? '', /^msg\.payload\.ts: .* ahead of the exchange's clock/);
  });

  it('parses a request by the contract, naming the field when it breaks it', function () {
    assert.deepEqual(parseOrderRequest(request()), request());
    assert.throws(
      () => parseOrderRequest({ ...request(), side: 'up' }),
      (err: Error & { field?: string }) => isValidationError(err) && err.field === 'msg.payload.side' && /^msg\.payload\.side: /.test(err.message),
    );
  });

  it('a cancel names the order by its client order id', function () {
    assert.equal(cancelTarget({ clientOrderId: 'tb-1' }), 'tb-1');
    assert.throws(() => cancelTarget({}), (err: Error) => isValidationError(err) && err.message === 'msg.payload.clientOrderId: the order to cancel');
  });
});
