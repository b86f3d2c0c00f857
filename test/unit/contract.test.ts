/**
 * parseCandle (core/contract.ts), the hot path's hand-written candle check, against the schema it
 * stands in for: for valid and broken candles alike, the same result (fields and their order) or
 * the same error message; isCandle says which of them parseCandle takes.
 */
import assert from 'node:assert/strict';
import { CandleSchema, ContractError, isCandle, OrderUpdateSchema, parseCandle, parseOrThrow } from '../../core/contract';

const good = { kind: 'candle', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m', ts: 1_600_000_000_000, open: 10, high: 12, low: 9, close: 11, volume: 3 };

const odd: unknown[] = [undefined, null, 0, -1, 1.5, Number.NaN, Infinity, -Infinity, '', 'x', '1', true, {}, [], 2 ** 60, -0, 9, 12, 13, 8, 'BTC/USDT', '1m', '7x', 'candle', 'ticker'];

function outcome(f: () => unknown): { ok: unknown } | { error: string } {
  try {
    return { ok: f() };
  } catch (err) {
    assert.ok(err instanceof ContractError, `a ContractError, got ${String(err)}`);
    return { error: (err as Error).message };
  }
}

function same(value: unknown): void {
  const fast = outcome(() => parseCandle(value, 'msg.payload'));
  const zod = outcome(() => parseOrThrow(CandleSchema, value, 'msg.payload'));
  assert.deepStrictEqual(fast, zod, JSON.stringify(value));
  // isCandle: whether parseCandle takes it, without the copy.
  assert.equal(isCandle(value), 'ok' in zod, `isCandle(${JSON.stringify(value)})`);
  if ('ok' in fast && 'ok' in zod) {
    assert.deepStrictEqual(Object.keys(fast.ok as object), Object.keys(zod.ok as object));
    assert.notStrictEqual(fast.ok, value, 'a new object, as the schema returns');
  }
}

describe('parseCandle: the same as CandleSchema', () => {
  it('accepts valid candles with the same fields in the same order (extra fields dropped)', () => {
    same(good);
    same({ ...good, extra: 1, indicators: { a: 1 } });
    same({ ...good, volume: 0, open: 12, close: 9 });
    same({ ...good, symbol: 'BTC/USDT:USDT', timeframe: '15m', ts: 0 });
  });

  it('rejects broken candles with the same message, field by field', () => {
    for (const key of Object.keys(good)) {
      for (const v of odd) same({ ...good, [key]: v });
      const missing: Record<string, unknown> = { ...good };
      delete missing[key];
      same(missing);
    }
    for (const v of odd) same(v);
    same({ ...good, high: 9.5 });
    same({ ...good, low: 10.5 });
    same({ ...good, high: 8, low: 13 });
  });
});

describe('order update statuses', () => {
  const update = { kind: 'orderUpdate', id: null, clientOrderId: 'tb-1', exchange: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', status: 'unknown', amount: 0.01, filled: 0, remaining: 0.01, average: null, price: null, fee: { cost: 0, currency: 'USDT' }, ts: 1, mode: 'live', reason: 'outcome unknown (RequestTimeout): looking it up for 15 s, never sent again' };

  it('has an unknown status (live: an ambiguous failure being looked up), with its reason', () => {
    assert.deepEqual(OrderUpdateSchema.parse(update), update);
    for (const status of ['open', 'closed', 'canceled', 'rejected', 'expired', 'unknown']) assert.equal(OrderUpdateSchema.safeParse({ ...update, status }).success, true, status);
    assert.equal(OrderUpdateSchema.safeParse({ ...update, status: 'pending' }).success, false);
  });
});
