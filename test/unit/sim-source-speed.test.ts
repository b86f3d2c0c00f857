/**
 * The simulated market keeps the speed set on the exchange node when the machine is busy: its
 * timer may fire late (a long synchronous job, a garbage collection, a loaded Pi), and the steps
 * that were due meanwhile are made up, up to one second of wall time after a longer stall.
 */
import assert from 'node:assert/strict';
import { SimSource } from '../../core/market/sim-source';

const START = Date.UTC(2026, 0, 1);
const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the event loop is blocked, as by a long synchronous job */
  }
};

describe('SimSource: the speed holds on a busy machine', () => {
  it('a late timer is made up for: after the event loop was blocked for 300 ms, 300 ms of wall time have played at the set speed', async () => {
    const speed = 600; // 1 s ticks: one step per 1.67 ms of wall time
    const started = performance.now();
    const sim = new SimSource({ seed: 42, speed, tickMs: 1_000, startTime: START });
    try {
      busyWait(300);
      await sim.watchTicker('BTC/USDT'); // the first firing after the stall
      const wall = performance.now() - started;
      const virtual = sim.now() - START;
      assert.ok(virtual >= 300 * speed, `virtual time played: ${virtual / 1000} s, at least ${(300 * speed) / 1000} s expected`);
      assert.ok(virtual <= wall * speed, `virtual time played: ${virtual / 1000} s, at most ${(wall * speed) / 1000} s expected`);
    } finally {
      await sim.close();
    }
  });

  it('after a longer stall, one second of wall time is made up at once and the rest is given up', async () => {
    const speed = 600;
    const sim = new SimSource({ seed: 42, speed, tickMs: 1_000, startTime: START });
    try {
      busyWait(1_500);
      await sim.watchTicker('BTC/USDT');
      assert.equal(sim.now() - START, 1_000 * speed, 'one second of wall time at 600x: 600 ticks of 1 s');
      // From there it carries on at the set speed, not trying to make up the rest.
      // (the wall clock is read a little after the firing: up to 20 ms of it may count twice)
      const from = sim.now();
      const wallFrom = performance.now();
      busyWait(200);
      await sim.watchTicker('BTC/USDT');
      const wall = performance.now() - wallFrom;
      const virtual = sim.now() - from;
      assert.ok(virtual >= 200 * speed - 1_000 && virtual <= (wall + 20) * speed, `${virtual / 1000} s played in ${wall.toFixed(0)} ms of wall time`);
    } finally {
      await sim.close();
    }
  });
});
