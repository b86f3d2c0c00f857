/**
 * A backtest session's state store (core/state-store.ts SnapshotStore): the risk gate node saves
 * its state after every approved signal, approved ids included (up to 5,000). Serialising that list
 * on each save made a long backtest on the Node-RED path slower the further it went, so the
 * backtest's store keeps the snapshot as given: no JSON per save, whatever the list's length.
 * Other modes keep their serialising stores.
 */
import assert from 'node:assert/strict';
import { ExchangeSession } from '../../core/session/exchange-session';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { initialRiskState, type RiskState } from '../../core/risk/risk-gate';
import { MemoryStore, SnapshotStore } from '../../core/state-store';
import { settingsFromEditor } from '../../nodes/tradebot-exchange/spec';

const exchange = (mode: string) => ({ id: 'ex', type: 'tradebot-exchange', mode, exchangeId: 'binance', simBalances: 'USDT=10000', reportCurrency: 'USDT', backtestData: 'WAVE/USDT = /nonexistent.json', backtestTimeframe: '1m' });

/** Runs `fn` with JSON.stringify counted. */
async function countingStringify(fn: () => Promise<void>): Promise<number> {
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    calls++;
    return original(...args);
  }) as typeof JSON.stringify;
  try {
    await fn();
  } finally {
    JSON.stringify = original;
  }
  return calls;
}

/** The risk gate node's save: a fresh snapshot of the state per write. */
const snapshot = (s: RiskState): RiskState => ({ ...s, breaker: { ...s.breaker }, approved: s.approved.slice() });

describe('backtest state store: the risk state saved per signal without serialising it', function () {
  const sessions: ExchangeSession[] = [];
  afterEach(async function () {
    for (const s of sessions.splice(0)) await s.close();
  });
  const sessionIn = (mode: string) => {
    const s = new ExchangeSession(parseExchangeSettings(settingsFromEditor(exchange(mode) as never, undefined)), `state-store-test-${mode}`);
    sessions.push(s);
    return s;
  };

  it('a backtest session saves a risk state with 5,000 approved ids 200 times and serialises nothing', async function () {
    const store = sessionIn('backtest').stateStore;
    const state = initialRiskState();
    for (let i = 0; i < 5_000; i++) state.approved.push(`sig-${i.toString(16).padStart(40, '0')}`);
    const calls = await countingStringify(async () => {
      for (let i = 0; i < 200; i++) {
        state.approved.shift();
        state.approved.push(`sig-new-${i}`);
        await store.set('tradebot:risk:r', snapshot(state));
      }
    });
    assert.equal(calls, 0, 'JSON.stringify calls while saving');
    assert.ok(store instanceof SnapshotStore, `a backtest session's store is a SnapshotStore, not ${store.constructor.name}`);
    const saved = await store.get<RiskState>('tradebot:risk:r');
    assert.deepEqual(saved, state);
  });

  it('what get() returns is a copy: a gate appending to it leaves the saved state as saved', async function () {
    const store = sessionIn('backtest').stateStore;
    const state = { ...initialRiskState(), killed: true, approved: ['sig-a', 'sig-b'] };
    await store.set('tradebot:risk:r', snapshot(state));
    const loaded = (await store.get<RiskState>('tradebot:risk:r'))!;
    loaded.approved.push('sig-c');
    loaded.breaker.tripped = true;
    assert.deepEqual(await store.get<RiskState>('tradebot:risk:r'), { killed: true, breaker: { tripped: false }, approved: ['sig-a', 'sig-b'] });
    await store.delete('tradebot:risk:r');
    assert.equal(await store.get('tradebot:risk:r'), undefined);
  });

  it('a sim session keeps its serialising in-memory store (a caller changing its object cannot change what was saved)', async function () {
    const store = sessionIn('sim').stateStore;
    assert.ok(store instanceof MemoryStore, `a sim session's default store is a MemoryStore, not ${store.constructor.name}`);
  });
});
