/**
 * checkedSignal and checkedOrderRequest (core/contract.ts), the backtest fast path's hand-written
 * checks, against the schemas they stand in for: whatever they accept, the schema accepts too,
 * with the same result (fields and their order); what they do not take goes to the schema; and
 * they take what the strategies and the risk gate make.
 */
import assert from 'node:assert/strict';
import { checkedOrderRequest, checkedSignal, OrderRequestSchema, SignalSchema } from '../../core/contract';

const signal = {
  kind: 'signal',
  id: 'sig-0123456789abcdef01234567',
  exchange: 'backtest',
  symbol: 'BTC/USDT',
  timeframe: '1m',
  side: 'buy',
  price: 101.5,
  ts: 1_600_000_060_000,
  candleTs: 1_600_000_000_000,
  strategy: 'maCross sma 10/30',
  strength: 0.4,
  reason: 'fast SMA 10 crossed above slow SMA 30',
};

const request = {
  kind: 'orderRequest',
  clientOrderId: 'tb-0123456789abcdef01234567',
  signalId: 'sig-0123456789abcdef01234567',
  strategy: 'maCross sma 10/30',
  exchange: 'backtest',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  amount: 0.98522167,
  ts: 1_600_000_060_000,
  reason: 'fast crossed above slow; size: 100 USDT',
};

const odd: unknown[] = [undefined, null, 0, -1, 1.5, 0.5, 0.6, 1, 1000, 999, 1000.5, Number.NaN, Infinity, -Infinity, '', 'x', 'x y', '1', true, {}, [], 2 ** 60, -0, 'BTC/USDT', 'BTC', '1m', '7x', 'buy', 'sell', 'market', 'limit', 'signal', 'orderRequest', 'a'.repeat(37)];

/** The check's answer must be the schema's, field for field and in the same order, whenever it gives one. */
function agrees(check: (v: unknown) => unknown, schema: typeof SignalSchema | typeof OrderRequestSchema, value: unknown): boolean {
  const fast = check(value);
  const zod = schema.safeParse(value);
  if (fast === undefined) return false;
  assert.ok(zod.success, `the check accepted what the schema refuses: ${JSON.stringify(value)}`);
  assert.deepStrictEqual(fast, zod.data, JSON.stringify(value));
  assert.deepStrictEqual(Object.keys(fast as object), Object.keys(zod.data as object), JSON.stringify(value));
  assert.notStrictEqual(fast, value, 'a new object, as the schema returns');
  return true;
}

function variants(base: Record<string, unknown>, extraKeys: string[]): unknown[] {
  const out: unknown[] = [];
  for (const key of [...Object.keys(base), ...extraKeys]) {
    for (const v of odd) out.push({ ...base, [key]: v });
    const missing: Record<string, unknown> = { ...base };
    delete missing[key];
    out.push(missing);
  }
  return [...out, ...odd];
}

describe('checkedSignal: the same as SignalSchema where it answers', () => {
  it('takes the signals strategies make (with and without timeframe, a sell with a fraction), extra fields dropped', () => {
    assert.equal(agrees(checkedSignal, SignalSchema, signal), true);
    assert.equal(agrees(checkedSignal, SignalSchema, { ...signal, extra: 1, indicators: { a: 1 } }), true);
    const { timeframe: _, ...untimed } = signal;
    assert.equal(agrees(checkedSignal, SignalSchema, untimed), true);
    assert.equal(agrees(checkedSignal, SignalSchema, { ...signal, side: 'sell', fraction: 0.5 }), true);
    assert.equal(agrees(checkedSignal, SignalSchema, { ...untimed, side: 'sell', fraction: 1 }), true);
    // Reordered input: the result is in the schema's order.
    assert.equal(agrees(checkedSignal, SignalSchema, Object.fromEntries(Object.entries({ ...signal, side: 'sell', fraction: 0.25 }).reverse())), true);
  });

  it('never takes what the schema refuses, and refuses a buy with a fraction', () => {
    let taken = 0;
    for (const v of variants({ ...signal, side: 'sell', fraction: 0.5 }, [])) if (agrees(checkedSignal, SignalSchema, v)) taken++;
    for (const v of variants(signal, ['fraction'])) if (agrees(checkedSignal, SignalSchema, v)) taken++;
    assert.ok(taken > 20, `the check answered ${taken} of the variants`);
    assert.equal(checkedSignal({ ...signal, fraction: 0.5 }), undefined);
    assert.equal(SignalSchema.safeParse({ ...signal, fraction: 0.5 }).success, false);
  });

  it('leaves an explicit undefined to the schema (which keeps the key)', () => {
    assert.equal(checkedSignal({ ...signal, timeframe: undefined }), undefined);
    assert.equal(checkedSignal({ ...signal, fraction: undefined }), undefined);
  });
});

describe('checkedOrderRequest: the same as OrderRequestSchema where it answers', () => {
  it('takes the requests a risk gate approves: market, limit with a timeout, stop-loss, take-profit, trailing stop', () => {
    assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, request), true);
    assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, { ...request, type: 'limit', price: 100, timeoutMs: 60_000 }), true);
    assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, { ...request, stopLoss: 95, takeProfit: 110, trailingStop: 0.02 }), true);
    assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, { ...request, side: 'sell', extra: true }), true);
    const { signalId: _s, strategy: _t, exchange: _e, reason: _r, ...bare } = request;
    assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, bare), true);
    // The risk gate writes ts and reason before the optional prices: the result is in the schema's order.
    assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, { ...request, type: 'limit', price: 100, stopLoss: 95 }), true);
  });

  it('never takes what the schema refuses (a limit without a price included)', () => {
    let taken = 0;
    const full = { ...request, type: 'limit', price: 100, stopLoss: 95, takeProfit: 110, trailingStop: 0.02, timeoutMs: 60_000 };
    for (const v of variants(full, [])) if (agrees(checkedOrderRequest, OrderRequestSchema, v)) taken++;
    for (const v of variants(request, ['price', 'stopLoss', 'takeProfit', 'trailingStop', 'timeoutMs'])) if (agrees(checkedOrderRequest, OrderRequestSchema, v)) taken++;
    assert.ok(taken > 30, `the check answered ${taken} of the variants`);
    assert.equal(checkedOrderRequest({ ...request, type: 'limit' }), undefined);
  });

  it('takes exactly the client order ids and symbols the schema takes (every character class, lengths 0 to 37)', () => {
    const ids = ['', 'a', 'Z', '0', '9', '_', '-', 'a'.repeat(36), 'a'.repeat(37), 'tb-0123456789abcdef0123456789abcdef', 'a b', 'a.b', 'a/b', 'a:b', 'ä', 'a\n', '\na', 'a\u0000', '😀', 'A-z_09'];
    for (let c = 0; c < 256; c++) ids.push(`x${String.fromCharCode(c)}y`);
    for (const clientOrderId of ids) {
      const value = { ...request, clientOrderId };
      const taken = agrees(checkedOrderRequest, OrderRequestSchema, value);
      assert.equal(taken, OrderRequestSchema.safeParse(value).success, `client order id ${JSON.stringify(clientOrderId)}`);
    }
    for (const symbol of ['BTC/USDT', 'btc/usdt', 'BTC/USDT:USDT', 'BTC', 'BTC/', '/USDT', 'BTC/USDT/', 'BTC USDT', 'BTC/USDT\n', 'BTC/USDT', 'ETH/BTC']) {
      const value = { ...request, symbol };
      assert.equal(agrees(checkedOrderRequest, OrderRequestSchema, value), OrderRequestSchema.safeParse(value).success, `symbol ${JSON.stringify(symbol)}`);
      const sig = { ...signal, symbol };
      assert.equal(agrees(checkedSignal, SignalSchema, sig), SignalSchema.safeParse(sig).success, `signal symbol ${JSON.stringify(symbol)}`);
    }
  });

  it('leaves a take-profit ladder and an explicit undefined to the schema', () => {
    const ladder = { ...request, takeProfitLadder: [{ fraction: 0.5, price: 110 }, { fraction: 0.5, price: 120 }] };
    assert.equal(OrderRequestSchema.safeParse(ladder).success, true);
    assert.equal(checkedOrderRequest(ladder), undefined);
    assert.equal(checkedOrderRequest({ ...request, price: undefined }), undefined);
  });
});
