/**
 * The risk gate's decisions around its saved state (core/risk/stored-gate.ts), on a real sim
 * session, with a state store that can be made to fail the way Redis does when it goes away:
 * the kill switch holds until resume and survives a restart, a signal that arrives while the
 * state cannot be loaded is refused, an approval that cannot be saved is taken back.
 */
import assert from 'node:assert/strict';
import type { Rejection, Signal } from '../../core/contract';
import { isValidationError } from '../../core/errors';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { parseRiskSettings } from '../../core/risk/settings';
import { StoredRiskGate, type GateVerdict } from '../../core/risk/stored-gate';
import { MemoryStore, type StateStore } from '../../core/state-store';
import { settingsFromEditor } from '../../nodes/tradebot-exchange/spec';

/** A MemoryStore whose reads or writes fail while `down` says so. */
class FlakyStore implements StateStore {
  readonly inner = new MemoryStore();
  readsDown = false;
  writesDown = false;
  async get<T>(key: string): Promise<T | undefined> {
    if (this.readsDown) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return this.inner.get<T>(key);
  }
  async set<T>(key: string, value: T): Promise<void> {
    if (this.writesDown) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return this.inner.set(key, value);
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

const code = (v: GateVerdict): string => ('refused' in v ? v.refused.code : 'request' in v.outcome ? 'APPROVED' : (v.outcome.rejection as Rejection).code);

describe('stored risk gate: kill switch, state store down, approval rollback', function () {
  let session: ExchangeSession;
  let price: number;
  let n = 0;
  const settings = parseRiskSettings({ sizing: 'quote', quoteAmount: 100 });
  const signal = (side: 'buy' | 'sell', extra: Partial<Signal> = {}): Signal => ({
    kind: 'signal',
    id: `sig-stored-${++n}`,
    exchange: 'sim',
    symbol: 'BTC/USDT',
    timeframe: '1m',
    side,
    price,
    ts: Date.now(),
    candleTs: Date.now() - 60_000,
    strategy: 't',
    strength: 1,
    reason: 'test',
    ...extra,
  });

  before(async function () {
    session = new ExchangeSession(parseExchangeSettings(settingsFromEditor({ id: 'ex', type: 'tradebot-exchange', mode: 'sim', exchangeId: 'sim', simBalances: 'USDT=10000', reportCurrency: 'USDT' } as never, undefined)), 'stored-gate-test');
    price = await session.marketPrice('BTC/USDT');
  });
  after(async function () {
    await session.close();
  });

  it('approves a buy and refuses the same signal again, also after a restart (the approval was saved)', async function () {
    const store = new FlakyStore();
    const s = signal('buy');
    const first = await new StoredRiskGate(settings, session, 'k1', {}, store).decide(s, {});
    assert.equal(code(first), 'APPROVED');
    assert.equal(code(await new StoredRiskGate(settings, session, 'k1', {}, store).decide(s, {})), 'DUPLICATE_SIGNAL');
  });

  it('the kill switch refuses new entries until resume, lets exits through, and survives a restart', async function () {
    const store = new FlakyStore();
    const gate = new StoredRiskGate(settings, session, 'k2', {}, store);
    await gate.kill();
    assert.equal(gate.killed, true);
    assert.equal(code(await gate.decide(signal('buy'), {})), 'KILL_SWITCH');
    // Not an entry: the kill switch does not refuse it (there is no position: refused as such).
    assert.equal(code(await gate.decide(signal('sell'), {})), 'NO_POSITION');
    const restarted = new StoredRiskGate(settings, session, 'k2', {}, store);
    assert.equal(code(await restarted.decide(signal('buy'), {})), 'KILL_SWITCH', 'the kill switch was saved');
    await restarted.resume();
    assert.equal(code(await restarted.decide(signal('buy'), {})), 'APPROVED');
    assert.equal(code(await new StoredRiskGate(settings, session, 'k2', {}, store).decide(signal('buy'), {})), 'APPROVED', 'resume was saved');
  });

  it('with the state unloadable, refuses signals (STATE_STORE_DOWN) and fails commands; comes up by itself once the store is back', async function () {
    const store = new FlakyStore();
    await store.inner.set('k3', { killed: true, breaker: { tripped: false }, approved: [] });
    store.readsDown = true;
    const failures: string[] = [];
    let loaded = 0;
    const gate = new StoredRiskGate(settings, session, 'k3', { loaded: () => loaded++, loadFailed: (e) => failures.push(e.message) }, store);
    const s = signal('buy');
    const v = await gate.decide(s, {});
    assert.ok('refused' in v);
    assert.equal(v.refused.code, 'STATE_STORE_DOWN');
    assert.match(v.refused.reason, /^the risk gate's state could not be loaded from the state store \(connect ECONNREFUSED .*\): signal not approved$/);
    assert.equal(v.refused.signalId, s.id);
    assert.equal(v.refused.symbol, 'BTC/USDT');
    assert.equal(v.error, undefined, 'a refused signal is not an error');
    await assert.rejects(gate.resume(), /could not be loaded from the state store/);
    assert.equal(failures.length, 2);
    assert.equal(loaded, 0);
    store.readsDown = false;
    // The saved kill switch is what the gate comes up with, not a blank state.
    assert.equal(code(await gate.decide(signal('buy'), {})), 'KILL_SWITCH');
    assert.equal(loaded, 1);
  });

  it('an approval whose state cannot be saved is taken back: refused now, approved once the store is back', async function () {
    const store = new FlakyStore();
    const gate = new StoredRiskGate(settings, session, 'k4', {}, store);
    await gate.load();
    store.writesDown = true;
    const s = signal('buy');
    const v = await gate.decide(s, {});
    assert.ok('refused' in v);
    assert.equal(v.refused.code, 'STATE_STORE_DOWN');
    assert.match(v.refused.reason, /^state store unavailable \(connect ECONNREFUSED .*\): signal not approved$/);
    assert.equal(v.topic, 'BTC/USDT');
    assert.equal(gate.state!.approved.includes(s.id), false, 'the approval was taken back');
    store.writesDown = false;
    assert.equal(code(await gate.decide(s, {})), 'APPROVED', 'the same signal trades once the state can be saved');
    assert.deepEqual((await store.get<{ approved: string[] }>('k4'))!.approved, [s.id]);
  });

  it('refuses a signal for another exchange (topic kept) and one that breaks the contract (a validation error naming the field)', async function () {
    const gate = new StoredRiskGate(settings, session, 'k5', {}, new FlakyStore());
    const wrong = await gate.decide(signal('buy', { exchange: 'kraken' }), {});
    assert.ok('refused' in wrong);
    assert.equal(wrong.refused.code, 'WRONG_EXCHANGE');
    assert.equal(wrong.refused.reason, 'the signal is for kraken, this risk gate trades on sim');
    assert.equal(wrong.topic, undefined);
    const journaled: Signal[] = [];
    const bad = await gate.decide({ kind: 'signal', side: 'up' }, {}, (s) => journaled.push(s));
    assert.ok('refused' in bad);
    assert.equal(bad.refused.code, 'INVALID_INPUT');
    assert.ok(isValidationError(bad.error), 'the error is a ValidationError');
    assert.equal(bad.error!.message, bad.refused.reason);
    assert.match(bad.error!.message, /^msg\.payload\.id: /);
    assert.equal(journaled.length, 0, 'a signal that breaks the contract is not journaled');
  });

  describe('ask first: held entries in the saved state', function () {
    const hold = (now = Date.now()) => ({ timeoutMs: 300_000, now });

    it('a held buy survives a restart and is approved once; a sell is never held', async function () {
      const store = new FlakyStore();
      const v = await new StoredRiskGate(settings, session, 'a1', {}, store).decide(signal('buy'), {}, undefined, hold());
      assert.ok('held' in v && v.held, 'the buy is held');
      const id = v.held.request.clientOrderId;
      // A restart (a new gate on the same store): the request still waits, with its deadline.
      const restarted = new StoredRiskGate(settings, session, 'a1', {}, store);
      await restarted.load();
      assert.deepEqual(restarted.held.map((h) => h.request.clientOrderId), [id]);
      assert.equal(restarted.nextExpiry(), v.held.expiresAt);
      const answer = await restarted.answer(id, 'approve', Date.now());
      assert.ok('decided' in answer && answer.decided === 'approved');
      assert.deepEqual(answer.held.request, v.held.request, 'the request sent is the one held, its client order id kept');
      // The approval was saved before it resolved: a second restart finds it answered.
      const again = new StoredRiskGate(settings, session, 'a1', {}, store);
      assert.deepEqual(await again.answer(id, 'approve', Date.now()), { already: 'approved' });
      assert.equal(again.held.length, 0);
      const sell = await again.decide(signal('sell'), {}, undefined, hold());
      assert.ok(!('held' in sell && sell.held), 'a sell is not held');
    });

    it('a held request whose deadline passed while stopped expires at the next start', async function () {
      const store = new FlakyStore();
      const t0 = Date.now();
      const v = await new StoredRiskGate(settings, session, 'a2', {}, store).decide(signal('buy'), {}, undefined, { timeoutMs: 10_000, now: t0 });
      assert.ok('held' in v && v.held);
      const restarted = new StoredRiskGate(settings, session, 'a2', {}, store);
      assert.deepEqual(await restarted.expire(t0 + 9_999), []);
      const due = await restarted.expire(t0 + 10_000);
      assert.deepEqual(due.map((h) => h.request.clientOrderId), [v.held.request.clientOrderId]);
      assert.deepEqual(await new StoredRiskGate(settings, session, 'a2', {}, store).answer(v.held.request.clientOrderId, 'approve', t0 + 10_001), { already: 'expired' });
    });

    it('an answer that cannot be saved is taken back: nothing decided, the request waits on', async function () {
      const store = new FlakyStore();
      const gate = new StoredRiskGate(settings, session, 'a3', {}, store);
      const v = await gate.decide(signal('buy'), {}, undefined, hold());
      assert.ok('held' in v && v.held);
      store.writesDown = true;
      await assert.rejects(gate.answer(v.held.request.clientOrderId, 'approve', Date.now()), /the answer was not recorded and nothing was sent/);
      assert.equal(gate.held.length, 1, 'still waiting');
      assert.deepEqual(await gate.expire(Date.now() + 400_000), [], 'an expiry that cannot be saved waits too');
      store.writesDown = false;
      const answer = await gate.answer(v.held.request.clientOrderId, 'approve', Date.now());
      assert.ok('decided' in answer && answer.decided === 'approved');
    });

    it('a hold that cannot be saved is taken back with its approval: refused now (STATE_STORE_DOWN), nothing waits', async function () {
      const store = new FlakyStore();
      const gate = new StoredRiskGate(settings, session, 'a4', {}, store);
      await gate.load();
      store.writesDown = true;
      const s = signal('buy');
      assert.equal(code(await gate.decide(s, {}, undefined, hold())), 'STATE_STORE_DOWN');
      assert.equal(gate.held.length, 0);
      store.writesDown = false;
      const v = await gate.decide(s, {}, undefined, hold());
      assert.ok('held' in v && v.held, 'the same signal is held once the store is back');
    });

    it('a held buy counts as an open position for the position limit', async function () {
      const store = new FlakyStore();
      const limited = parseRiskSettings({ sizing: 'quote', quoteAmount: 100, maxOpenPositions: 1 });
      const gate = new StoredRiskGate(limited, session, 'a5', {}, store);
      const v = await gate.decide(signal('buy'), {}, undefined, hold());
      assert.ok('held' in v && v.held);
      assert.equal(code(await gate.decide(signal('buy'), {}, undefined, hold())), 'MAX_POSITIONS');
    });
  });
});
