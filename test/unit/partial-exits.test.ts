/**
 * Partial exits (docs/nodes/tradebot-risk-gate.md, docs/message-contract.md): a sell signal's fraction sizes the sell
 * as a share of the position held, rounded down to the amount step, or the whole position when the
 * rest would be below the market's minimum; the take-profit ladder setting and a signal's fraction
 * refuse bad input naming the field; the stop book fires each ladder rung once with its own id;
 * the portfolio books each part's own realized P&L at the average cost and keeps the average;
 * the account rounds a rung's part to the amount step and respects the market's minimums.
 */
import assert from 'node:assert/strict';
import { OrderRequestSchema, SignalSchema, describeZodError, type Signal } from '../../core/contract';
import { initialRiskState, RiskGate, type RiskContext } from '../../core/risk/risk-gate';
import { parseRiskSettings } from '../../core/risk/settings';
import { parseStrategySettings } from '../../core/strategies/settings';
import { RuleStrategy } from '../../core/strategies/rules';
import { Portfolio } from '../../core/trading/portfolio';
import { StopBook } from '../../core/trading/stops';
import { TradingAccount } from '../../core/trading/account';
import { BacktestExecutor } from '../../core/backtest/backtest-executor';
import { MemoryStore } from '../../core/state-store';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const market = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 5, active: true };

let n = 0;
function signal(side: 'buy' | 'sell', extra: Partial<Signal> = {}): Signal {
  n++;
  return { kind: 'signal', id: `sig-${n.toString(16).padStart(24, '0')}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side, price: 50_000, ts: T0, candleTs: T0 - 60_000, strategy: 't', strength: 1, reason: 'test', ...extra };
}

/** A gate over a portfolio holding `held` BTC bought at 40,000. */
function holding(held: number, settings: Record<string, unknown> = {}) {
  const portfolio = new Portfolio();
  portfolio.setBalance('USDT', { free: 10_000, used: 0 });
  portfolio.applyFill({ symbol: 'BTC/USDT', side: 'buy', amount: held, price: 40_000, fee: { cost: 0, currency: 'USDT' }, ts: T0 - 120_000 });
  portfolio.setBalance('USDT', { free: 10_000, used: 0 });
  portfolio.mark('BTC/USDT', 50_000);
  const gate = new RiskGate(parseRiskSettings({ sizing: 'quote', quoteAmount: 100, ...settings }), initialRiskState());
  const ctx: RiskContext = { portfolio, market, indicators: {}, openOrderSymbols: [] };
  return { portfolio, gate, ctx };
}

describe('partial exits', function () {
  describe('sell sizing by fraction (risk gate)', function () {
    it('sells fraction x held, rounded down to the amount step', function () {
      const { gate, ctx } = holding(0.1);
      const out = gate.evaluate(signal('sell', { fraction: 0.5 }), ctx);
      assert.ok('request' in out, JSON.stringify(out));
      assert.equal(out.request.amount, 0.05);
      const third = holding(0.1);
      const out3 = third.gate.evaluate(signal('sell', { fraction: 1 / 3 }), third.ctx);
      assert.ok('request' in out3);
      assert.equal(out3.request.amount, 0.033, 'floor(0.0333.. to the step 0.001)');
      assert.match(out3.request.reason ?? '', /sell 33\.33+ % of the position \(0\.033 of 0\.1\)/);
    });

    it('a fraction of 1, or none, sells the whole position', function () {
      for (const fraction of [1, undefined]) {
        const { gate, ctx } = holding(0.1);
        const out = gate.evaluate(signal('sell', fraction === undefined ? {} : { fraction }), ctx);
        assert.ok('request' in out);
        assert.equal(out.request.amount, 0.1);
      }
    });

    it('sells the whole position when the rest would be below the market minimum (amount or value)', function () {
      // Held 0.0015 is 0.001 at the step; half of it is 0.0005 -> 0: the part is nothing, the rest is sellable: refused.
      let { gate, ctx } = holding(0.0015);
      let out = gate.evaluate(signal('sell', { fraction: 0.5 }), ctx);
      assert.ok('rejection' in out);
      assert.equal(out.rejection.code, 'BELOW_MIN_AMOUNT');
      // Minimum amount 0.005: 0.012 x 0.6 -> 0.007 leaves 0.005 (sellable); x 0.7 -> 0.008 would leave 0.004: all of it.
      ({ gate, ctx } = holding(0.012));
      const minAmount = { ...market, minAmount: 0.005 };
      out = gate.evaluate(signal('sell', { fraction: 0.6 }), { ...ctx, market: minAmount });
      assert.ok('request' in out);
      assert.equal(out.request.amount, 0.007);
      out = gate.evaluate(signal('sell', { fraction: 0.7 }), { ...ctx, market: minAmount });
      assert.ok('request' in out);
      assert.equal(out.request.amount, 0.012);
      // 0.01 x 0.9 -> 0.009 (450 USDT); the rest 0.001 = 50 USDT is above the minimum value 5.
      ({ gate, ctx } = holding(0.01));
      out = gate.evaluate(signal('sell', { fraction: 0.9 }), ctx);
      assert.ok('request' in out);
      assert.equal(out.request.amount, 0.009);
      // With a minimum order value of 60 USDT the rest (0.001 = 50 USDT) cannot be sold later: all of it.
      const bigMin = { ...market, minNotional: 60 };
      out = gate.evaluate(signal('sell', { fraction: 0.9 }), { ...ctx, market: bigMin });
      assert.ok('request' in out);
      assert.equal(out.request.amount, 0.01);
      assert.match(out.request.reason ?? '', /the whole of it/);
    });
  });

  describe('bad input names the field', function () {
    it('a signal fraction of 0, 2, NaN, a string, or on a buy', function () {
      const cases: Array<[unknown, 'buy' | 'sell', RegExp]> = [
        [0, 'sell', /msg\.payload\.fraction: must be above 0/],
        [2, 'sell', /msg\.payload\.fraction: must be at most 1/],
        [-0.5, 'sell', /msg\.payload\.fraction: must be above 0/],
        [NaN, 'sell', /msg\.payload\.fraction: .*NaN/],
        ['0.5', 'sell', /msg\.payload\.fraction: .*string/],
        [0.5, 'buy', /msg\.payload\.fraction: only a sell/],
      ];
      for (const [fraction, side, re] of cases) {
        const parsed = SignalSchema.safeParse({ ...signal(side), fraction });
        assert.equal(parsed.success, false, `fraction ${String(fraction)} on a ${side}`);
        if (!parsed.success) assert.match(describeZodError(parsed.error, 'msg.payload'), re);
      }
      assert.equal(SignalSchema.safeParse({ ...signal('sell'), fraction: 0.25 }).success, true);
    });

    it('a take-profit ladder that does not add up to 100 %, with levels not rising, or not a rung', function () {
      const bad: Array<[unknown, RegExp]> = [
        ['50@2, 40@4', /risk\.takeProfitLadder: .*add up to 100 \(they add up to 90\)/],
        ['60@2, 50@4', /risk\.takeProfitLadder: .*add up to 100 \(they add up to 110\)/],
        ['50@4, 50@2', /risk\.takeProfitLadder\.1\.atPct: must be above the level of the rung before/],
        ['50@2, 50@2', /risk\.takeProfitLadder\.1\.atPct: must be above/],
        ['fifty at two', /risk\.takeProfitLadder\.0: "fifty at two" is not a rung/],
        ['0@2, 100@4', /risk\.takeProfitLadder\.0\.percent/],
        ['50@-2, 50@4', /risk\.takeProfitLadder\.0\.atPct/],
        [[{ percent: 'x', atPct: 2 }], /risk\.takeProfitLadder\.0\.percent/],
        [[{ percent: 50, atPct: 2 }, { percent: 50, atPct: NaN }], /risk\.takeProfitLadder\.1\.atPct/],
      ];
      for (const [ladder, re] of bad) assert.throws(() => parseRiskSettings({ quoteAmount: 100, takeProfitLadder: ladder }), re, JSON.stringify(ladder));
      assert.throws(() => parseRiskSettings({ quoteAmount: 100, takeProfitLadder: '50@2, 50@4', takeProfitPct: 3 }), /risk\.takeProfitLadder: set either/);
      assert.deepEqual(parseRiskSettings({ quoteAmount: 100, takeProfitLadder: '50@2, 50 @ +4%' }).takeProfitLadder, [
        { percent: 50, atPct: 2 },
        { percent: 50, atPct: 4 },
      ]);
      assert.deepEqual(parseRiskSettings({ quoteAmount: 100, takeProfitLadder: '' }).takeProfitLadder, []);
    });

    it('an order request ladder must add up to 1, rise, and ride on a buy', function () {
      const base = { kind: 'orderRequest', clientOrderId: 'tb-x', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, ts: T0 };
      const check = (extra: object) => {
        const r = OrderRequestSchema.safeParse({ ...base, ...extra });
        return r.success ? 'ok' : describeZodError(r.error, 'msg.payload');
      };
      assert.equal(check({ takeProfitLadder: [{ fraction: 0.5, price: 1 }, { fraction: 0.5, price: 2 }] }), 'ok');
      assert.match(check({ takeProfitLadder: [{ fraction: 0.5, price: 1 }, { fraction: 0.4, price: 2 }] }), /msg\.payload\.takeProfitLadder: .*add up to 1/);
      assert.match(check({ takeProfitLadder: [{ fraction: 0.5, price: 2 }, { fraction: 0.5, price: 1 }] }), /msg\.payload\.takeProfitLadder\.1\.price/);
      assert.match(check({ side: 'sell', takeProfitLadder: [{ fraction: 1, price: 2 }] }), /only a buy/);
    });

    it('the rule builder exit fraction', function () {
      const rules = { strategy: 'rules', exitRules: [{ left: 'close', op: '>', right: '1' }] };
      assert.equal((parseStrategySettings({ ...rules, exitFraction: '0.5' }) as { exitFraction?: number }).exitFraction, 0.5);
      assert.equal((parseStrategySettings({ ...rules, exitFraction: '' }) as { exitFraction?: number }).exitFraction, undefined);
      for (const bad of ['0', '2', 'half', true]) assert.throws(() => parseStrategySettings({ ...rules, exitFraction: bad }), /strategy\.exitFraction/, String(bad));
    });
  });

  it('the rule builder emits a partial sell', function () {
    const strategy = new RuleStrategy({ mode: 'all', rules: [] }, { mode: 'all', rules: [{ left: 'close', op: '>', right: '105' }] }, 0.5);
    const candle = (close: number) => ({ kind: 'candle' as const, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', ts: 0, open: close, high: close, low: close, close, volume: 1 });
    assert.equal(typeof strategy.evaluate({ candle: candle(100), indicators: {} }), 'string');
    const decision = strategy.evaluate({ candle: candle(106), indicators: {} });
    assert.ok(typeof decision === 'object');
    assert.equal(decision.side, 'sell');
    assert.equal(decision.fraction, 0.5);
  });

  it('the risk gate arms a ladder on a buy: prices from the signal price, rounded to the tick', function () {
    const { gate, ctx } = holding(0, { takeProfitLadder: '50@2, 30@4, 20@7.5' });
    const out = gate.evaluate(signal('buy', { price: 50_000 }), ctx);
    assert.ok('request' in out, JSON.stringify(out));
    assert.deepEqual(out.request.takeProfitLadder, [
      { fraction: 0.5, price: 51_000 },
      { fraction: 0.3, price: 52_000 },
      { fraction: 0.2, price: 53_750 },
    ]);
    assert.equal(out.request.takeProfit, undefined);
  });

  describe('stop book ladder', function () {
    const ticker = (last: number) => ({ kind: 'ticker' as const, exchange: 'sim', symbol: 'BTC/USDT', ts: T0, bid: null, ask: null, last });

    it('fires each rung once, in order, with <opening id>-tp<n>; the stop-loss stays for the rest', function () {
      const book = new StopBook();
      book.set({ symbol: 'BTC/USDT', parentClientOrderId: 'tb-open', stopLoss: 90, highWater: 100, ladder: [{ fraction: 0.25, price: 102 }, { fraction: 0.25, price: 104 }, { fraction: 0.5, price: 108 }] });
      assert.equal(book.check(ticker(101)), undefined);
      const first = book.check(ticker(103));
      assert.equal(first?.clientOrderId, 'tb-open-tp1');
      assert.deepEqual(first?.rung, { index: 0, share: 0.25, last: false });
      assert.equal(book.check(ticker(103)), undefined, 'rung 1 never fires twice');
      assert.equal(book.check(ticker(101.5)), undefined);
      const second = book.check(ticker(104));
      assert.equal(second?.clientOrderId, 'tb-open-tp2');
      assert.ok(Math.abs(second!.rung!.share - 0.25 / 0.75) < 1e-12, 'a third of what is left');
      // The stop-loss still watches the rest.
      const sl = book.check(ticker(89));
      assert.equal(sl?.kind, 'stop-loss');
      assert.equal(sl?.clientOrderId, 'tb-open-sl');
      assert.equal(book.get('BTC/USDT'), undefined);
    });

    it('the last rung sells everything left and clears the stops; paused checks fire nothing; fired rungs survive a restart', function () {
      const book = new StopBook();
      book.set({ symbol: 'BTC/USDT', parentClientOrderId: 'tb-open', highWater: 100, ladder: [{ fraction: 0.5, price: 102 }, { fraction: 0.5, price: 104 }] });
      assert.equal(book.check(ticker(105))?.clientOrderId, 'tb-open-tp1');
      assert.equal(book.check(ticker(105), true), undefined, 'paused while a rung sells');
      const restored = new StopBook();
      restored.restore(book.snapshot());
      const last = restored.check(ticker(105));
      assert.equal(last?.clientOrderId, 'tb-open-tp2');
      assert.deepEqual(last?.rung, { index: 1, share: 1, last: true });
      assert.equal(restored.get('BTC/USDT'), undefined);
      assert.equal(restored.check(ticker(110)), undefined);
    });
  });

  describe('portfolio: each part its own realized P&L', function () {
    it('books each partial sell at the average cost, fees included; the average entry stays', function () {
      const p = new Portfolio();
      p.setBalance('USDT', { free: 10_000, used: 0 });
      p.applyFill({ symbol: 'BTC/USDT', side: 'buy', amount: 1, price: 100, fee: { cost: 0.1, currency: 'USDT' }, ts: T0 });
      p.applyFill({ symbol: 'BTC/USDT', side: 'buy', amount: 1, price: 110, fee: { cost: 0.11, currency: 'USDT' }, ts: T0 + 1 });
      const avg = (100 + 110 + 0.21) / 2;
      assert.ok(Math.abs(p.position('BTC/USDT')!.avgEntry - avg) < 1e-12);
      const first = p.applyFill({ symbol: 'BTC/USDT', side: 'sell', amount: 0.5, price: 120, fee: { cost: 0.06, currency: 'USDT' }, ts: T0 + 2 });
      assert.ok(Math.abs(first - (0.5 * (120 - avg) - 0.06)) < 1e-9, `first part ${first}`);
      assert.ok(Math.abs(p.position('BTC/USDT')!.avgEntry - avg) < 1e-12, 'average entry unchanged by a partial sell');
      assert.ok(Math.abs(p.position('BTC/USDT')!.amount - 1.5) < 1e-12);
      const second = p.applyFill({ symbol: 'BTC/USDT', side: 'sell', amount: 1.5, price: 90, fee: { cost: 0.135, currency: 'USDT' }, ts: T0 + 3 });
      assert.ok(Math.abs(second - (1.5 * (90 - avg) - 0.135)) < 1e-9, `second part ${second}`);
      assert.equal(p.position('BTC/USDT'), undefined);
      const total = p.allPositions()[0]!.realizedPnl;
      assert.ok(Math.abs(total - (first + second)) < 1e-9);
      assert.ok(Math.abs(p.allPositions()[0]!.lastTradePnl - second) < 1e-12);
    });
  });
});

describe('ladder rungs in the account: rounding and market minimums', function () {
  /** An account on the backtest's executor, every market order filling at `price`. */
  async function account(ladder: Array<{ fraction: number; price: number }>) {
    const acct = new TradingAccount({
      exchangeId: 'bt', mode: 'backtest', store: new MemoryStore(), storeKey: 'a', now: () => T0, initialBalances: { USDT: 10_000 },
      market: (symbol) => ({ symbol, base: 'BTC', quote: 'USDT', amountStep: 0.001, minAmount: 0.005, active: true }),
    });
    const executor = new BacktestExecutor({ exchangeId: 'bt', portfolio: acct.portfolio, feeRate: 0, slippage: 0, now: () => T0 });
    await acct.init(executor);
    const sold: Array<[string, number]> = [];
    acct.observers.add((u) => {
      if (u.side === 'sell' && u.status === 'closed') sold.push([u.clientOrderId, u.filled]);
    });
    const at = async (price: number) => {
      executor.pathPoint({ symbol: 'BTC/USDT', ts: T0, price, open: false });
      acct.onPrice({ kind: 'ticker', exchange: 'bt', symbol: 'BTC/USDT', ts: T0, bid: null, ask: null, last: price });
      for (let i = 0; i < 20 && !acct.settled; i++) await new Promise((resolve) => setImmediate(resolve));
      await acct.flush();
      await new Promise((resolve) => setImmediate(resolve));
    };
    executor.pathPoint({ symbol: 'BTC/USDT', ts: T0, price: 100, open: false });
    const { update } = await acct.place({ kind: 'orderRequest', clientOrderId: 'tb-acct', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.012, ts: T0, takeProfitLadder: ladder });
    assert.equal(update.status, 'closed');
    await at(100);
    return { acct, sold, at };
  }

  it('a rung whose part is below the minimum sells nothing; its part goes with the rungs above', async function () {
    const { sold, at, acct } = await account([{ fraction: 0.3, price: 102 }, { fraction: 0.3, price: 104 }, { fraction: 0.4, price: 106 }]);
    await at(102); // 0.3 x 0.012 = 0.0036 -> 0.003 < 0.005: nothing
    assert.equal(sold.length, 0);
    await at(104); // 0.3 / 0.7 x 0.012 = 0.00514 -> 0.005
    await at(106); // the rest
    assert.deepEqual(sold.map(([id]) => id), ['tb-acct-tp2', 'tb-acct-tp3']);
    assert.equal(sold[0]![1], 0.005);
    assert.ok(Math.abs(sold[1]![1] - 0.007) < 1e-12);
    assert.equal(acct.portfolio.position('BTC/USDT'), undefined);
  });

  it('a rung that would leave less than the minimum sells everything', async function () {
    const { sold, at, acct } = await account([{ fraction: 0.7, price: 102 }, { fraction: 0.3, price: 104 }]);
    await at(102); // 0.7 x 0.012 = 0.0084 -> 0.008 would leave 0.004 < 0.005: all of it
    assert.deepEqual(sold, [['tb-acct-tp1', 0.012]]);
    assert.equal(acct.portfolio.position('BTC/USDT'), undefined);
    await at(104);
    assert.equal(sold.length, 1, 'nothing left for rung 2');
  });
});
