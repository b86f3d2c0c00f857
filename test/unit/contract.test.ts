/**
 * parseCandle (core/contract.ts), the hot path's hand-written candle check: what a user sees (a
 * broken candle refused with an error naming the field, a valid one taken as it is), then the
 * check against the schema it stands in for: for valid and broken candles alike, the same result
 * (fields and their order) or the same error message; isCandle says which of them parseCandle takes.
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

/** The error parseCandle throws for `value`, or fails the test when it takes it. */
function refusal(value: unknown): ContractError {
  try {
    parseCandle(value, 'msg.payload');
  } catch (err) {
    assert.ok(err instanceof ContractError, `a ContractError, got ${String(err)}`);
    return err;
  }
  assert.fail(`parseCandle took a broken candle: ${JSON.stringify(value)}`);
}

describe('parseCandle: what a user sees', () => {
  it('takes a valid candle as it is, extra fields dropped', () => {
    assert.deepStrictEqual(parseCandle({ ...good, extra: 1 }, 'msg.payload'), good);
    const flat = { ...good, open: 5, high: 5, low: 5, close: 5, volume: 0, ts: 0, symbol: 'BTC/USDT:USDT', timeframe: '15m' };
    assert.deepStrictEqual(parseCandle(flat, 'msg.payload'), flat);
  });

  it('refuses a broken candle with an error naming the field and saying what is wrong', () => {
    const broken: Array<[unknown, RegExp]> = [
      [{ ...good, high: 10.5 }, /^msg\.payload\.high: high must be >= open, close and low$/],
      [{ ...good, low: 10.5 }, /^msg\.payload\.low: low must be <= open, close and high$/],
      [{ ...good, high: 8, low: 13 }, /^msg\.payload\.high: .*; msg\.payload\.low: /],
      [{ ...good, open: 0 }, /^msg\.payload\.open: /],
      [{ ...good, close: -1 }, /^msg\.payload\.close: /],
      [{ ...good, open: Number.NaN }, /^msg\.payload\.open: .*NaN/],
      [{ ...good, high: Infinity }, /^msg\.payload\.high: /],
      [{ ...good, close: '11' }, /^msg\.payload\.close: .*expected number, received string/],
      [{ ...good, volume: -1 }, /^msg\.payload\.volume: /],
      [{ ...good, ts: 1.5 }, /^msg\.payload\.ts: .*int/],
      [{ ...good, ts: -1 }, /^msg\.payload\.ts: /],
      [{ ...good, symbol: 'BTCUSDT' }, /^msg\.payload\.symbol: must look like BASE\/QUOTE/],
      [{ ...good, timeframe: '7x' }, /^msg\.payload\.timeframe: must be a timeframe such as 1m/],
      [{ ...good, exchange: '' }, /^msg\.payload\.exchange: /],
      [{ ...good, kind: 'ticker' }, /^msg\.payload\.kind: .*"candle"/],
      [{ ...good, close: undefined }, /^msg\.payload\.close: .*received undefined/],
      [null, /^msg\.payload: .*expected object, received null/],
      [[10, 12, 9, 11], /^msg\.payload: .*expected object/],
    ];
    for (const [value, message] of broken) assert.match(refusal(value).message, message, JSON.stringify(value));
  });

  it('names every field that is missing', () => {
    for (const key of Object.keys(good)) {
      const missing: Record<string, unknown> = { ...good };
      delete missing[key];
      assert.match(refusal(missing).message, new RegExp(`^msg\\.payload\\.${key}: `), `without ${key}`);
    }
  });
});

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
