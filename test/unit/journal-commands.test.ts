/**
 * How the journal is asked: the journal node's settings and messages become queries (a trigger
 * runs the configured one, a query names its bad field), and Telegram's /trades, /profit, /daily
 * ... read their argument or answer with the usage, never calling the journal with a bad one.
 */
import assert from 'node:assert/strict';
import { handleCommand, type ControlProvider } from '../../core/notify/control-commands';
import { duration, tradesReply } from '../../core/notify/journal-replies';
import { configuredQuery, messageQuery } from '../../core/journal/query-input';
import type { ClosedTrade } from '../../core/journal/types';

describe('journal node: settings and messages as queries', function () {
  it('the configured query reads only its own fields; empty ones take the defaults', function () {
    assert.deepEqual(configuredQuery({ query: 'trades', limit: '20', days: '', count: '9', symbol: 'eth/usdt' }), { query: 'trades', limit: 20, symbol: 'ETH/USDT' });
    // The editor keeps a limit typed for trades when the query is switched to daily: not an error.
    assert.deepEqual(configuredQuery({ query: 'daily', limit: '20', days: '3', count: '' }), { query: 'daily', count: 7 });
    assert.deepEqual(configuredQuery({ query: 'profit', days: ' 30 ' }), { query: 'profit', days: 30 });
    assert.deepEqual(configuredQuery({}), { query: 'trades', limit: 10 }, 'a node from before the setting: trades');
  });

  it('a bad setting names the field as journal.<field>', function () {
    assert.throws(() => configuredQuery({ query: 'trades', limit: '0' }), /^Error: journal\.limit: must be a whole number from 1 to 10000; got "0"$/);
    assert.throws(() => configuredQuery({ query: 'weekly', count: 'many' }), /^Error: journal\.count: /);
    assert.throws(() => configuredQuery({ query: 'trades', symbol: 'BTC' }), /^Error: journal\.symbol: must look like BASE\/QUOTE/);
    assert.throws(() => configuredQuery({ query: 5 }), /^Error: journal\.query: must be one of trades, /);
  });

  it('msg.payload: a query name or an object with query is that query; anything else triggers the configured one', function () {
    const configured = configuredQuery({ query: 'monthly', count: '3' });
    assert.deepEqual(messageQuery('daily', configured), { query: 'daily', count: 7 });
    assert.deepEqual(messageQuery(' weekly ', configured), { query: 'weekly', count: 4 });
    assert.deepEqual(messageQuery({ query: 'trades', limit: 3 }, configured), { query: 'trades', limit: 3 });
    for (const trigger of [1764633600000, 0, '', '   ', undefined, null, true, [], { kind: 'portfolio' }, { limit: 5 }]) {
      assert.equal(messageQuery(trigger, configured), configured, `trigger ${JSON.stringify(trigger)}`);
    }
    assert.throws(() => messageQuery('hello', configured), /msg\.payload\.query: must be one of .*; got "hello"/);
    assert.throws(() => messageQuery({ query: undefined }, configured), /msg\.payload\.query: /);
    assert.throws(() => messageQuery({ query: 'daily', days: 3 }, configured), /msg\.payload\.days: is not a field of the daily query \(it takes count\)/);
  });
});

describe('Telegram journal commands: arguments', function () {
  const calls: string[] = [];
  const provider: ControlProvider = {
    status: async () => 'status',
    balance: async () => 'balance',
    positions: async () => 'positions',
    profit: async (days) => (calls.push(`profit ${days}`), 'profit'),
    trades: async (n) => (calls.push(`trades ${n}`), 'trades'),
    periods: async (q, n) => (calls.push(`${q} ${n}`), 'periods'),
    performance: async () => (calls.push('performance'), 'performance'),
    count: async () => (calls.push('count'), 'count'),
    pause: async () => 'pause',
    resume: async () => 'resume',
    previewForceExit: async () => 'preview',
    forceExit: async () => 'sold',
  };
  const ask = async (text: string) => {
    const outcome = await handleCommand(text, 1, [1], provider);
    return 'refused' in outcome ? `refused ${outcome.refused}` : outcome.reply;
  };
  beforeEach(() => (calls.length = 0));

  it('defaults and the numbers given', async function () {
    for (const text of ['/trades', '/trades 3', '/trades@MyBot 50', '/profit', '/profit 7', '/daily', '/weekly', '/monthly 12', '/performance', '/count']) await ask(text);
    assert.deepEqual(calls, ['trades 10', 'trades 3', 'trades 50', 'profit undefined', 'profit 7', 'daily 7', 'weekly 4', 'monthly 12', 'performance', 'count']);
  });

  it('a bad argument is answered with the usage, and the journal is not asked', async function () {
    const cases: Array<[string, RegExp]> = [
      ['/trades abc', /^Usage: \/trades \[n\]: the last n closed trades, n from 1 to 50 \(default 10\)\.$/],
      ['/trades 0', /^Usage: \/trades/],
      ['/trades 51', /^Usage: \/trades/],
      ['/trades -1', /^Usage: \/trades/],
      ['/trades 1.5', /^Usage: \/trades/],
      ['/trades 2 3', /^Usage: \/trades/],
      ['/profit week', /^Usage: \/profit \[days\]/],
      ['/profit 0', /^Usage: \/profit/],
      ['/daily 61', /^Usage: \/daily \[n\]: profit and trades of the last n days, n from 1 to 60 \(default 7\)\.$/],
      ['/weekly x', /^Usage: \/weekly \[n\]: .* weeks, .*\(default 4\)\.$/],
      ['/monthly 0', /^Usage: \/monthly \[n\]: .* months, .*\(default 6\)\.$/],
      ['/performance BTC/USDT', /^Usage: \/performance \(no argument\)/],
      ['/count 5', /^Usage: \/count \(no argument\)/],
    ];
    for (const [text, expected] of cases) assert.match(await ask(text), expected, text);
    assert.deepEqual(calls, [], 'no journal call for a bad argument');
  });
});

describe('Telegram journal replies', function () {
  it('durations in their two largest units', function () {
    assert.equal(duration(0), '0s');
    assert.equal(duration(12_400), '12s');
    assert.equal(duration(4 * 60_000 + 10_000), '4m 10s');
    assert.equal(duration(3_600_000 + 5 * 60_000 + 59_000), '1h 5m');
    assert.equal(duration(2 * 86_400_000 + 3 * 3_600_000 + 1), '2d 3h');
    assert.equal(duration(86_400_000 + 30_000), '1d', 'a zero unit is left out');
  });

  it('/trades: a line per trade with the pair\'s quote currency', function () {
    const t = { symbol: 'ETH/BTC', pnl: 0.000123456789, pnlPct: 1.234, exitReason: 'take-profit', durationMs: 90_000 } as ClosedTrade;
    assert.equal(tradesReply([t]), 'Last 1 closed trade (newest first):\nETH/BTC +1.23% +0.000123457 BTC, take-profit, 1m 30s');
    assert.equal(tradesReply([]), 'No closed trades yet.');
  });
});
