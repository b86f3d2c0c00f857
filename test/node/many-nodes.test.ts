/**
 * A flow with many market-data and trading nodes on one exchange, in the real runtime: no
 * "MaxListenersExceededWarning ... memory leak" in the log (one listener per node on a runtime or
 * session event went past Node.js's limit of 10 with about 11 market-data nodes).
 */
import assert from 'node:assert/strict';
import { helper, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

describe('a flow with 50 market-data nodes and 12 place-order nodes (real runtime)', function () {
  this.timeout(60_000);
  afterEach(unloadFlow);

  it('no MaxListenersExceededWarning while it deploys, runs and redeploys', async function () {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const flow: FlowNode[] = [{ id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSpeed: 60, simBalances: 'USDT=10000' }];
      const kinds = ['tradebot-ticker', 'tradebot-order-book', 'tradebot-candles'];
      for (let i = 0; i < 50; i++) {
        const type = kinds[i % 3]!;
        flow.push({ id: `md${i}`, type, exchange: 'ex', symbols: 'BTC/USDT', symbol: 'BTC/USDT', timeframe: '1m', warmup: 5, wires: [[]] });
      }
      for (let i = 0; i < 12; i++) flow.push({ id: `po${i}`, type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT', wires: [[], []] });
      await loadFlow(flow);
      await waitFor(() => helper.getNode('md0') !== null, 5_000, 'the nodes');
      // Fixed waits on purpose: the nodes run a while (feeds, timers, listeners added as they go);
      // the check is that no MaxListeners warning comes in that time, not an event to wait for.
      await new Promise((r) => setTimeout(r, 2_000));
      await unloadFlow();
      await loadFlow(flow);
      await new Promise((r) => setTimeout(r, 1_000));
      assert.deepEqual(warnings.filter((w) => /MaxListeners/.test(w)), []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
