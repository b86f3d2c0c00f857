/** The comparison behind reconciliation while running (core/trading/drift.ts), and the drift and lifecycle texts. */
import assert from 'node:assert/strict';
import { compareWithExchange, describeDrift, type AccountOrderView, type ExchangeOrderView } from '../../core/trading/drift';
import { kindOf } from '../../core/notify/kinds';
import { DEFAULT_TEMPLATES, renderTemplate } from '../../core/notify/templates';
import { DriftSchema, LifecycleSchema } from '../../core/contract';

const mineOpen: AccountOrderView = { clientOrderId: 'tb-1', id: '11', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.1, filled: 0, price: 50_000 };
const theirs = (o: AccountOrderView, filled = o.filled): ExchangeOrderView => ({ ...o, filled });
const manual: ExchangeOrderView = { clientOrderId: 'web_abc', id: '99', symbol: 'ETH/USDT', side: 'sell', type: 'limit', amount: 1, filled: 0, price: 4000 };

describe('drift comparison (reconciliation while running)', function () {
  it('equal balances and the same open orders: settled, nothing to report', function () {
    const r = compareWithExchange(
      { balances: { USDT: { free: 500, used: 5000 }, BTC: { free: 1, used: 0 } }, openOrders: [mineOpen] },
      { balances: { USDT: { free: 500, used: 5000 }, BTC: { free: 1, used: 0 } }, before: [theirs(mineOpen)], after: [theirs(mineOpen)] },
    );
    assert.equal(r.settled, true);
    assert.ok(r.settled && r.balances.length === 0 && r.unknownToBot.length === 0);
  });

  it('a trade behind the bot: each currency was, now and delta (totals: free + used); a currency only one side has counts as 0 on the other', function () {
    const r = compareWithExchange(
      { balances: { USDT: { free: 1000, used: 0 }, BTC: { free: 0.5, used: 0 } }, openOrders: [] },
      { balances: { USDT: { free: 400, used: 0 }, BTC: { free: 0.51, used: 0 }, BNB: { free: 2, used: 0 } }, before: [], after: [] },
    );
    assert.ok(r.settled);
    assert.deepEqual(
      r.balances.map((b) => [b.currency, b.was, b.now]),
      [
        ['BNB', 0, 2],
        ['BTC', 0.5, 0.51],
        ['USDT', 1000, 400],
      ],
    );
    assert.ok(Math.abs(r.balances[1]!.delta - 0.01) < 1e-12);
    assert.equal(r.balances[2]!.delta, -600);
    assert.equal(describeDrift(r.balances, [], []), 'BNB 0 -> 2 (+2); BTC 0.5 -> 0.51 (+0.01); USDT 1000 -> 400 (-600)');
  });

  it('rounding noise is no drift', function () {
    const r = compareWithExchange({ balances: { BTC: { free: 0.1 + 0.2, used: 0 } }, openOrders: [] }, { balances: { BTC: { free: 0.3, used: 0 } }, before: [], after: [] });
    assert.ok(r.settled && r.balances.length === 0);
  });

  it('an order open at the exchange that is not the bot\'s is reported as unknown to the bot, and never as missing', function () {
    const r = compareWithExchange(
      { balances: { USDT: { free: 1, used: 0 } }, openOrders: [mineOpen] },
      { balances: { USDT: { free: 1, used: 0 } }, before: [theirs(mineOpen), manual], after: [theirs(mineOpen), manual] },
    );
    assert.ok(r.settled);
    assert.deepEqual(r.unknownToBot.map((o) => o.clientOrderId), ['web_abc']);
    assert.equal(r.missingAtExchange.length, 0);
  });

  it('a fill of a bot order the account has not booked yet: not settled, no balance difference reported (it would be counted twice)', function () {
    const r = compareWithExchange(
      { balances: { USDT: { free: 0, used: 5000 }, BTC: { free: 0, used: 0 } }, openOrders: [mineOpen] },
      { balances: { USDT: { free: 0, used: 2500 }, BTC: { free: 0.05, used: 0 } }, before: [theirs(mineOpen, 0.05)], after: [theirs(mineOpen, 0.05)] },
    );
    assert.equal(r.settled, false);
    assert.match(!r.settled ? r.why : '', /fill not booked yet/);
  });

  it('a bot order filled between the two readings of the open orders: not settled', function () {
    const r = compareWithExchange(
      { balances: { USDT: { free: 0, used: 5000 } }, openOrders: [mineOpen] },
      { balances: { USDT: { free: 0, used: 2500 }, BTC: { free: 0.05, used: 0 } }, before: [theirs(mineOpen)], after: [theirs(mineOpen, 0.05)] },
    );
    assert.equal(r.settled, false);
  });

  it('a bot order that ended at the exchange and is not booked yet: not settled, the order named as missing', function () {
    const r = compareWithExchange(
      { balances: { USDT: { free: 0, used: 5000 } }, openOrders: [mineOpen] },
      { balances: { USDT: { free: 0, used: 0 }, BTC: { free: 0.1, used: 0 } }, before: [], after: [] },
    );
    assert.equal(r.settled, false);
    assert.deepEqual(!r.settled ? r.missing?.map((o) => o.clientOrderId) : [], ['tb-1']);
  });
});

describe('drift and lifecycle notifications', function () {
  const drift = DriftSchema.parse({
    kind: 'drift',
    exchange: 'binance',
    mode: 'live',
    trigger: 'periodic',
    balances: [{ currency: 'BTC', was: 0.5, now: 0.51998, delta: 0.019980000000000042 }],
    unknownToBot: [{ ...manual }],
    missingAtExchange: [],
    reason: 'x',
    ts: 1,
  });

  it('a drift is its own kind; its default text has each currency was -> now (signed delta) and each order unknown to the bot', function () {
    assert.equal(kindOf({ payload: drift }), 'drift');
    const text = renderTemplate(DEFAULT_TEMPLATES.drift, { payload: drift }, 'plain');
    assert.match(text, /drift from the exchange adopted \(binance\)/);
    assert.match(text, /BTC: 0\.5 -> 0\.51998 \(\+0\.01998\)/);
    assert.match(text, /order unknown to the bot: sell 1 ETH\/USDT @ 4000 \(web_abc\)/);
  });

  it('lifecycle events map to their kinds and texts', function () {
    const ev = (event: string, extra = {}) => LifecycleSchema.parse({ kind: 'lifecycle', event, exchange: 'sim', mode: 'sim', reason: 'why', ts: 1, ...extra });
    assert.deepEqual(
      ['start', 'stop', 'kill', 'resume', 'breaker', 'forceExit'].map((e) => kindOf({ payload: ev(e) })),
      ['lifecycle', 'lifecycle', 'kill', 'kill', 'breaker', 'forceExit'],
    );
    assert.match(renderTemplate(DEFAULT_TEMPLATES.lifecycle, { payload: ev('start') }, 'plain'), /^▶️ trading started \(sim, sim\)\nwhy$/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.lifecycle, { payload: ev('stop') }, 'plain'), /^⏹ trading stopped/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.kill, { payload: ev('kill') }, 'plain'), /kill switch on: no new entries/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.kill, { payload: ev('resume') }, 'plain'), /resumed/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.forceExit, { payload: ev('forceExit', { symbol: 'BTC/USDT' }) }, 'plain'), /force exit BTC\/USDT/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.forceExit, { payload: ev('forceExit') }, 'plain'), /force exit all positions/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.breaker, { payload: ev('breaker') }, 'plain'), /^🚨 breaker tripped\nwhy/);
    assert.match(renderTemplate(DEFAULT_TEMPLATES.breaker, { payload: { kind: 'rejection', code: 'DRAWDOWN_BREAKER', reason: 'r', ts: 1 } }, 'plain'), /drawdown breaker tripped/);
  });
});
