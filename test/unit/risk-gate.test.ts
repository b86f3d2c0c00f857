/** Every risk rule: it refuses what it should and lets through what it should. */
import assert from 'node:assert/strict';
import type { Signal } from '../../core/contract';
import { initialRiskState, RiskGate, type RiskContext } from '../../core/risk/risk-gate';
import { parseRiskSettings, type RiskSettings } from '../../core/risk/settings';
import { inTradingWindow } from '../../core/risk/trading-window';
import { Portfolio } from '../../core/trading/portfolio';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0); // a Monday, 12:00 UTC
const market = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, active: true };

let n = 0;
function signal(side: 'buy' | 'sell', extra: Partial<Signal> = {}): Signal {
  n++;
  return { kind: 'signal', id: `sig-${n.toString(16).padStart(24, '0')}`, exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1m', side, price: 50_000, ts: T0, candleTs: T0 - 60_000, strategy: 't', strength: 1, reason: 'test', ...extra };
}

function setup(settings: Partial<Record<keyof RiskSettings, unknown>>, balances: Record<string, number> = { USDT: 10_000 }) {
  const portfolio = new Portfolio();
  for (const [c, free] of Object.entries(balances)) portfolio.setBalance(c, { free, used: 0 });
  portfolio.mark('BTC/USDT', 50_000);
  const gate = new RiskGate(parseRiskSettings({ sizing: 'quote', quoteAmount: 100, ...settings }), initialRiskState());
  const ctx = (extra: Partial<RiskContext> = {}): RiskContext => ({ portfolio, market, indicators: {}, openOrderSymbols: [], ...extra });
  const buyFill = (amount: number, price: number, ts = T0 - 1000) => portfolio.applyFill({ symbol: 'BTC/USDT', side: 'buy', amount, price, fee: { cost: 0, currency: 'USDT' }, ts });
  const sellFill = (amount: number, price: number, ts = T0 - 1000) => portfolio.applyFill({ symbol: 'BTC/USDT', side: 'sell', amount, price, fee: { cost: 0, currency: 'USDT' }, ts });
  return { portfolio, gate, ctx, buyFill, sellFill };
}

function code(outcome: ReturnType<RiskGate['evaluate']>): string {
  return 'rejection' in outcome ? outcome.rejection.code : 'APPROVED';
}

describe('risk gate', function () {
  it('sizes a fixed quote amount, rounded down to the market step, with a deterministic client order id', function () {
    const { gate, ctx } = setup({ quoteAmount: 123 });
    const s = signal('buy');
    const out = gate.evaluate(s, ctx());
    assert.ok('request' in out);
    assert.equal(out.request.amount, 0.00246); // 123 / 50000 = 0.00246
    assert.equal(out.request.clientOrderId, `tb-${s.id.slice(4)}`);
    assert.equal(out.request.type, 'market');
    assert.equal(out.request.signalId, s.id);
  });

  it('sizes by percent of equity and by risk percent with a percent or ATR stop', function () {
    let { gate, ctx } = setup({ sizing: 'equityPct', equityPct: 10 });
    let out = gate.evaluate(signal('buy'), ctx());
    assert.ok('request' in out && Math.abs(out.request.amount - 0.02) < 1e-12); // 1000 USDT
    ({ gate, ctx } = setup({ sizing: 'riskPct', riskPct: 1, stopMode: 'pct', stopPct: 2 }));
    out = gate.evaluate(signal('buy'), ctx());
    // risk 100 USDT at a 2 % stop -> 5000 USDT -> 0.1 BTC; stop at 49000
    assert.ok('request' in out);
    assert.equal(out.request.amount, 0.1);
    assert.equal(out.request.stopLoss, 49_000);
    ({ gate, ctx } = setup({ sizing: 'riskPct', riskPct: 1, stopMode: 'atr', atrMultiple: 2, atrIndicator: 'atr14' }));
    out = gate.evaluate(signal('buy'), ctx({ indicators: { atr14: 500 } }));
    // stop 2 x 500 = 1000 below = 2 %: same as above
    assert.ok('request' in out && out.request.amount === 0.1 && out.request.stopLoss === 49_000);
    assert.equal(code(gate.evaluate(signal('buy'), ctx({ indicators: { atr14: null } }))), 'NO_STOP_DISTANCE');
    assert.equal(code(gate.evaluate(signal('buy'), ctx({ indicators: {} }))), 'NO_STOP_DISTANCE');
  });

  it('attaches take-profit and trailing stop to buys only', function () {
    const { gate, ctx, buyFill } = setup({ takeProfitPct: 5, trailingPct: 3, stopMode: 'pct', stopPct: 1 });
    const out = gate.evaluate(signal('buy'), ctx());
    assert.ok('request' in out);
    assert.deepEqual([out.request.stopLoss, out.request.takeProfit, out.request.trailingStop], [49_500, 52_500, 0.03]);
    buyFill(0.01, 50_000);
    const sell = gate.evaluate(signal('sell'), ctx());
    assert.ok('request' in sell && sell.request.stopLoss === undefined && sell.request.amount === 0.01);
  });

  it('limit orders: offset price on the tick grid and a timeout', function () {
    const { gate, ctx } = setup({ orderType: 'limit', limitOffsetPct: 0.1, limitTimeoutSec: 30 });
    const out = gate.evaluate(signal('buy', { price: 50_000.123 }), ctx());
    assert.ok('request' in out);
    assert.equal(out.request.price, 49_950.12); // 50000.123 x 0.999 = 49950.1229 on a 0.01 grid
    assert.equal(out.request.timeoutMs, 30_000);
  });

  it('refuses a repeated signal', function () {
    const { gate, ctx } = setup({});
    const s = signal('buy');
    assert.equal(code(gate.evaluate(s, ctx())), 'APPROVED');
    assert.equal(code(gate.evaluate(s, ctx())), 'DUPLICATE_SIGNAL');
  });

  it('kill switch: refuses everything until resume', function () {
    const { gate, ctx } = setup({});
    gate.kill();
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'KILL_SWITCH');
    gate.resume();
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'APPROVED');
  });

  it('unknown market', function () {
    const { gate, ctx } = setup({});
    assert.equal(code(gate.evaluate(signal('buy'), ctx({ market: undefined }))), 'UNKNOWN_SYMBOL');
  });

  it('max open positions: counts positions and open orders, lets adding to a held symbol through', function () {
    const { gate, ctx, portfolio, buyFill } = setup({ maxOpenPositions: 1 });
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'APPROVED');
    buyFill(0.01, 50_000);
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'APPROVED', 'same symbol: not a new position');
    portfolio.mark('ETH/USDT', 3000);
    const eth = { ...market, symbol: 'ETH/USDT', base: 'ETH' };
    assert.equal(code(gate.evaluate(signal('buy', { symbol: 'ETH/USDT', price: 3000 }), ctx({ market: eth }))), 'MAX_POSITIONS');
    const fresh = setup({ maxOpenPositions: 1 });
    assert.equal(code(fresh.gate.evaluate(signal('buy'), fresh.ctx({ openOrderSymbols: ['SOL/USDT'] }))), 'MAX_POSITIONS');
  });

  it('max exposure per symbol and in total', function () {
    const { gate, ctx, buyFill } = setup({ maxExposurePerSymbol: 600, maxExposureTotal: 10_000 });
    buyFill(0.01, 50_000); // 500 USDT
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'APPROVED'); // 500 + 100
    const tight = setup({ maxExposurePerSymbol: 550 });
    tight.buyFill(0.01, 50_000);
    assert.equal(code(tight.gate.evaluate(signal('buy'), tight.ctx())), 'MAX_EXPOSURE_SYMBOL');
    const total = setup({ maxExposureTotal: 550 });
    total.buyFill(0.01, 50_000);
    assert.equal(code(total.gate.evaluate(signal('buy'), total.ctx())), 'MAX_EXPOSURE_TOTAL');
  });

  it('no buy without quote balance (with headroom for fees)', function () {
    const { gate, ctx } = setup({ quoteAmount: 100 }, { USDT: 100.2 });
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'INSUFFICIENT_BALANCE');
    const ok = setup({ quoteAmount: 100 }, { USDT: 101 });
    assert.equal(code(ok.gate.evaluate(signal('buy'), ok.ctx())), 'APPROVED');
  });

  it('no sell without a position (spot), unless switched off and there is free base', function () {
    const { gate, ctx } = setup({});
    assert.equal(code(gate.evaluate(signal('sell'), ctx())), 'NO_POSITION');
    const off = setup({ noSellWithoutPosition: false }, { USDT: 0, BTC: 0.5 });
    const out = off.gate.evaluate(signal('sell'), off.ctx());
    assert.ok('request' in out && out.request.amount === 0.5);
  });

  it('cooldown after any trade, and a longer one after a loss', function () {
    const { gate, ctx, buyFill } = setup({ cooldownSec: 60 });
    buyFill(0.01, 50_000, T0 - 30_000);
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'COOLDOWN');
    assert.equal(code(gate.evaluate(signal('buy', { ts: T0 + 31_000 }), ctx())), 'APPROVED');
    const loss = setup({ cooldownAfterLossSec: 600 });
    loss.buyFill(0.01, 50_000, T0 - 200_000);
    loss.sellFill(0.01, 49_000, T0 - 100_000);
    assert.equal(code(loss.gate.evaluate(signal('buy'), loss.ctx())), 'COOLDOWN_AFTER_LOSS');
    const win = setup({ cooldownAfterLossSec: 600 });
    win.buyFill(0.01, 50_000, T0 - 200_000);
    win.sellFill(0.01, 51_000, T0 - 100_000);
    assert.equal(code(win.gate.evaluate(signal('buy'), win.ctx())), 'APPROVED', 'a win starts no loss cooldown');
  });

  it('daily loss limit counts today (UTC) only', function () {
    const { gate, ctx, buyFill, sellFill } = setup({ dailyLossLimit: 5 });
    buyFill(0.01, 50_000, T0 - 3600_000);
    sellFill(0.01, 49_000, T0 - 1800_000); // -10 today
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'DAILY_LOSS_LIMIT');
    assert.equal(code(gate.evaluate(signal('buy', { ts: T0 + 86_400_000 }), ctx())), 'APPROVED', 'a new day');
  });

  it('drawdown breaker trips, stays tripped, and resets only on request', function () {
    const { gate, ctx, portfolio, buyFill } = setup({ maxDrawdownPct: 10, quoteAmount: 100 });
    buyFill(0.1, 50_000); // 5000 USDT in BTC, 5000 USDT cash: equity 10000
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'APPROVED');
    portfolio.mark('BTC/USDT', 25_000); // equity 7500: 25 % down
    assert.equal(code(gate.evaluate(signal('buy', { price: 25_000 }), ctx())), 'DRAWDOWN_BREAKER');
    portfolio.mark('BTC/USDT', 50_000);
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'DRAWDOWN_BREAKER', 'stays tripped after a recovery');
    gate.resetBreaker();
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'APPROVED');
  });

  it('trading window: days and hours in a time zone, including one across midnight', function () {
    const { gate, ctx } = setup({ tradingDays: [1, 2, 3, 4, 5], tradingFrom: '09:00', tradingTo: '17:00', timezone: 'America/New_York' });
    // 12:00 UTC on a Monday is 07:00 in New York (EST): outside
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'OUTSIDE_TRADING_WINDOW');
    assert.equal(code(gate.evaluate(signal('buy', { ts: T0 + 3 * 3600_000 }), ctx())), 'APPROVED'); // 10:00 NY
    assert.equal(code(gate.evaluate(signal('buy', { ts: T0 - 2 * 86_400_000 + 3 * 3600_000 }), ctx())), 'OUTSIDE_TRADING_WINDOW'); // Saturday
    const night = { days: [], from: '22:00', to: '06:00', timezone: 'UTC' };
    assert.equal(inTradingWindow(Date.UTC(2026, 0, 5, 23, 0), night), true);
    assert.equal(inTradingWindow(Date.UTC(2026, 0, 5, 5, 59), night), true);
    assert.equal(inTradingWindow(Date.UTC(2026, 0, 5, 6, 0), night), false);
  });

  it("the exchange node's max notional cap cuts the size to the cap", function () {
    const { gate, ctx } = setup({ quoteAmount: 1000 });
    const capped = gate.evaluate(signal('buy'), ctx({ maxNotional: 500 }));
    assert.ok('request' in capped);
    assert.equal(capped.request.amount, 0.0099); // 1 % below the cap: 495 / 50000
    assert.match(capped.request.reason!, /capped at the exchange node's max order 500/);
    const full = gate.evaluate(signal('buy'), ctx({ maxNotional: 2000 }));
    assert.ok('request' in full && full.request.amount === 0.02, 'a size well under the cap is not touched');
  });

  it("market limits: minimum amount and minimum notional", function () {
    const { gate, ctx } = setup({ quoteAmount: 4 });
    assert.equal(code(gate.evaluate(signal('buy'), ctx())), 'BELOW_MIN_NOTIONAL');
    const tiny = setup({ quoteAmount: 0.1 });
    assert.equal(code(tiny.gate.evaluate(signal('buy'), tiny.ctx())), 'BELOW_MIN_AMOUNT');
  });

  it('settings errors name the field', function () {
    assert.throws(() => parseRiskSettings({ sizing: 'quote' }), /risk\.quoteAmount: is needed for fixed-amount sizing/);
    assert.throws(() => parseRiskSettings({ sizing: 'riskPct', riskPct: 1 }), /risk\.stopMode: risk-percent sizing needs a stop/);
    assert.throws(() => parseRiskSettings({ quoteAmount: 10, tradingFrom: '9:00', tradingTo: '17:00' }), /risk\.tradingFrom: must be HH:MM/);
    assert.throws(() => parseRiskSettings({ quoteAmount: 10, timezone: 'Mars/Olympus' }), /risk\.timezone: "Mars\/Olympus" is not a time zone/);
    assert.throws(() => parseRiskSettings({ quoteAmount: -1 }), /risk\.quoteAmount: must be above 0/);
  });

  describe('exits pass every rule that limits new risk', function () {
    // Each rule refuses a buy and lets the sell of the held position through, whole.
    const cases: Array<[string, Partial<Record<keyof RiskSettings, unknown>>, (x: ReturnType<typeof setup>) => void, Partial<Signal>?]> = [
      ['KILL_SWITCH', {}, (x) => x.gate.kill()],
      ['OUTSIDE_TRADING_WINDOW', { tradingFrom: '13:00', tradingTo: '14:00' }, () => undefined],
      ['COOLDOWN', { cooldownSec: 3600 }, () => undefined],
      ['COOLDOWN_AFTER_LOSS', { cooldownAfterLossSec: 3600 }, (x) => { x.sellFill(0.01, 40_000, T0 - 500); x.buyFill(0.01, 50_000, T0 - 400); }],
      ['DAILY_LOSS_LIMIT', { dailyLossLimit: 5 }, (x) => { x.sellFill(0.01, 40_000, T0 - 500); x.buyFill(0.01, 50_000, T0 - 400); }],
      ['DRAWDOWN_BREAKER', { maxDrawdownPct: 5 }, (x) => { x.gate.evaluate(signal('buy', { price: 50_000 }), x.ctx()); x.portfolio.mark('BTC/USDT', 20_000); }, { price: 20_000 }],
      ['MAX_POSITIONS', { maxOpenPositions: 1 }, () => undefined, { symbol: 'ETH/USDT', price: 3000 }],
      ['MAX_EXPOSURE_SYMBOL', { maxExposurePerSymbol: 100 }, () => undefined],
      ['MAX_EXPOSURE_TOTAL', { maxExposureTotal: 100 }, () => undefined],
      ['INSUFFICIENT_BALANCE', { quoteAmount: 9_000 }, () => undefined],
    ];
    for (const [expected, settings, arrange, entry] of cases) {
      it(`${expected}: refuses the entry, approves the exit`, function () {
        const x = setup(settings);
        x.buyFill(0.02, 50_000); // 1,000 USDT of BTC held
        arrange(x);
        const eth = { ...market, symbol: 'ETH/USDT', base: 'ETH' };
        if (entry?.symbol === 'ETH/USDT') x.portfolio.mark('ETH/USDT', 3000);
        const refused = x.gate.evaluate(signal('buy', entry), x.ctx(entry?.symbol === 'ETH/USDT' ? { market: eth } : {}));
        assert.equal(code(refused), expected);
        const held = x.portfolio.position('BTC/USDT')!.amount;
        const exit = x.gate.evaluate(signal('sell', { price: x.portfolio.lastPrice('BTC/USDT')! }), x.ctx());
        assert.ok('request' in exit, `the exit was refused: ${'rejection' in exit ? exit.rejection.reason : ''}`);
        assert.equal(exit.request.amount, held);
      });
    }
  });

  it('a breaker trip is announced once, with its action, on a sell as on a buy', function () {
    const x = setup({ maxDrawdownPct: 10, drawdownAction: 'flatten' });
    x.buyFill(0.1, 50_000);
    x.gate.evaluate(signal('buy'), x.ctx()); // sets the peak
    x.portfolio.mark('BTC/USDT', 20_000);
    const sell = x.gate.evaluate(signal('sell', { price: 20_000 }), x.ctx());
    assert.ok('request' in sell, 'the sell goes out');
    assert.equal(sell.trips?.length, 1);
    assert.deepEqual([sell.trips![0]!.code, sell.trips![0]!.trip, sell.trips![0]!.action], ['DRAWDOWN_BREAKER', true, 'flatten']);
    const next = x.gate.evaluate(signal('buy', { price: 20_000 }), x.ctx());
    assert.equal(code(next), 'DRAWDOWN_BREAKER');
    assert.equal(next.trips, undefined, 'announced once');
    assert.equal('rejection' in next && next.rejection.trip, undefined);
  });

  it('breaker action settings: "flatten" needs its limit; anything else is refused naming the field', function () {
    assert.throws(() => parseRiskSettings({ quoteAmount: 10, drawdownAction: 'flatten' }), /risk\.drawdownAction: "flatten" needs a max drawdown/);
    assert.throws(() => parseRiskSettings({ quoteAmount: 10, dailyLossAction: 'flatten' }), /risk\.dailyLossAction: "flatten" needs a daily loss limit/);
    assert.throws(() => parseRiskSettings({ quoteAmount: 10, drawdownAction: 'sell' }), /risk\.drawdownAction/);
    assert.equal(parseRiskSettings({ quoteAmount: 10 }).drawdownAction, 'refuse');
  });
});
