/**
 * Optimisation of a flow's parameters in a real Node-RED process (docs/optimise.md): the backtest
 * node of an SMA-crossover flow on real ETH/BTC 5m candles gets a sweep through the editor's admin
 * route; every run's result must equal an independent computation of the model (the reference
 * backtest) for its settings, the best run must be the highest score, walk-forward must run the
 * in-sample winner on the out-of-sample part, bad sweeps are refused naming the field before
 * anything runs, and a cancel stops a long sweep.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OHLCV_DIR, loadCandles, skipWithoutOhlcv } from '../support/ohlcv-data';
import { NodeRedProcess, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { jsonFileWhenWritten } from '../support/written-files';
import { referenceSmaCross } from '../support/reference-backtest';

const WARMUP = 30;
const FEE = 0.001;
const SLIPPAGE = 0.0005;

function flow(reportFile: string, extra: FlowNode[] = []): FlowNode[] {
  const nodes: FlowNode[] = [
    ...extra,
    { id: 'f1', type: 'tab', label: 'optimise' },
    { id: 'n-ex', type: 'tradebot-exchange', mode: 'backtest', backtestData: `ETH/BTC = ${path.join(OHLCV_DIR, 'ETH_BTC-5m.json')}`, backtestTimeframe: '5m', backtestWarmup: WARMUP, simBalances: 'BTC=10', feeRatePct: 0.1, slippagePct: 0.05, reportCurrency: 'BTC' },
    { id: 'n-candles', type: 'tradebot-candles', z: 'f1', source: 'exchange', exchange: 'n-ex', symbols: 'ETH/BTC', timeframe: '5m', warmup: WARMUP, interval: 1000, websocket: true, wires: [['n-strategy']] },
    { id: 'n-strategy', type: 'tradebot-strategy', z: 'f1', name: 'cross', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, wires: [['n-risk'], []] },
    { id: 'n-risk', type: 'tradebot-risk-gate', z: 'f1', exchange: 'n-ex', sizing: 'quote', quoteAmount: '0.1', accountCurrency: 'BTC', wires: [['n-order'], []] },
    { id: 'n-order', type: 'tradebot-place-order', z: 'f1', exchange: 'n-ex', currency: 'BTC', wires: [[], []] },
    { id: 'n-bt', type: 'tradebot-backtest', z: 'f1', exchange: 'n-ex', wires: [['n-json']] },
    { id: 'n-json', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['n-file']] },
    { id: 'n-file', type: 'file', z: 'f1', filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', wires: [] },
  ];
  return nodes.map((n, i) => (n.z ? { ...n, x: 150 + 120 * i, y: 100 } : n));
}

async function withRed<T>(fn: (red: NodeRedProcess, reportFile: string, userDir: string) => Promise<T>, extra: (userDir: string) => FlowNode[] = () => [], edit?: (nodes: FlowNode[]) => void): Promise<T> {
  const userDir = makeUserDir('tradebot-optimise-');
  const reportFile = path.join(userDir, 'report.json');
  const nodes = flow(reportFile, extra(userDir));
  edit?.(nodes);
  const red = await NodeRedProcess.start({ userDir, flow: nodes.map((n, i) => (n.z && n.x === undefined ? { ...n, x: 100 + 10 * i, y: 300 } : n)) });
  try {
    return await fn(red, reportFile, userDir);
  } finally {
    await red.stop();
    removeUserDir(userDir);
  }
}

async function waitReport(red: NodeRedProcess, reportFile: string, seconds = 120): Promise<any> {
  return jsonFileWhenWritten(reportFile, seconds * 1000, 'the optimisation report', () => red.log.slice(-3000));
}

/** The reference model's final equity and round trips for one pair of periods, on candles [from, to) with `warmup` before. */
function reference(fast: number, slow: number, candles = loadCandles('ETH_BTC', '5m'), warmup = WARMUP) {
  const r = referenceSmaCross({ candles, fast, slow, warmup, quoteAmount: 0.1, amountStep: 1e-8, feeRate: FEE, slippage: SLIPPAGE, startQuote: 10, symbol: 'ETH/BTC' } as any);
  return { endEquity: r.finalEquity, sells: r.trades.filter((t) => t.side === 'sell').length };
}

describe('optimisation of a flow (real Node-RED process)', function () {
  this.timeout(300_000);

  it('a grid over fast and slow periods: every run equals the reference model for its settings; the best is the highest total return', async function () {
    skipWithoutOhlcv(this);
    const sweep = { params: [{ node: 'n-strategy', param: 'fastPeriod', values: [5, 10] }, { node: 'n-strategy', param: 'slowPeriod', range: { from: 20, to: 40, step: 10 } }], search: 'grid', objective: 'totalReturn', minTrades: 1 };
    const report = await withRed(async (red, file) => {
      const res = await red.post('/tradebot/backtest/n-bt/optimise', sweep);
      assert.equal(res.status, 202, await res.text());
      return waitReport(red, file);
    });
    assert.equal(report.kind, 'optimiseReport');
    assert.equal(report.state, 'done');
    assert.deepEqual(report.engine, { path: 'fast' });
    assert.equal(report.runs.length, 6);
    assert.deepEqual(report.params.map((p: any) => [p.node, p.nodeName, p.param, p.values]), [['n-strategy', 'cross', 'fastPeriod', [5, 10]], ['n-strategy', 'cross', 'slowPeriod', [20, 30, 40]]]);
    const seen = new Set<string>();
    for (const run of report.runs) {
      const [fast, slow] = run.values;
      seen.add(`${fast}/${slow}`);
      assert.deepEqual(run.settings, [{ node: 'n-strategy', param: 'fastPeriod', value: fast }, { node: 'n-strategy', param: 'slowPeriod', value: slow }]);
      const ref = reference(fast, slow);
      assert.ok(Math.abs(run.figures.endEquity - ref.endEquity) <= 1e-9 * ref.endEquity, `${fast}/${slow}: end equity ${run.figures.endEquity} vs the reference ${ref.endEquity}`);
      assert.equal(run.figures.roundTrips, ref.sells, `${fast}/${slow}: round trips`);
      assert.ok(Math.abs(run.score - (run.figures.endEquity / 10 - 1)) < 1e-9, 'score = total return');
    }
    assert.equal(seen.size, 6, 'every combination once');
    const top = Math.max(...report.runs.map((r: any) => r.score));
    assert.equal(report.best.score, top);
    assert.equal(report.best.index, report.runs.find((r: any) => r.score === top).index, 'the earliest of equal bests');
    assert.ok(report.curves.length > 0 && report.curves.length <= 5);
    assert.equal(report.curves[0].index, report.best.index, 'the best run\'s curve first');
    assert.ok(report.progress.done === report.progress.total && report.progress.total === 6);
  });

  it('a flow the fast path cannot compile (a function node before the risk gate, loading node-red-contrib-tradebot/signal): every run on the Node-RED path, equal to the reference model', async function () {
    skipWithoutOhlcv(this);
    const sweep = { params: [{ node: 'n-strategy', param: 'fastPeriod', values: [5, 10] }, { node: 'n-strategy', param: 'slowPeriod', values: [30] }], objective: 'totalReturn', minTrades: 0 };
    const report = await withRed(
      async (red, file) => {
        const res = await red.post('/tradebot/backtest/n-bt/optimise', sweep);
        assert.equal(res.status, 202, await res.text());
        return waitReport(red, file, 240);
      },
      () => [],
      (nodes) => {
        const strategy = nodes.find((n) => n.id === 'n-strategy')!;
        // Checks each signal with the package's helper module (Setup > Modules): the runs' own Node-RED processes load it too.
        nodes.push({ id: 'n-fn', type: 'function', z: 'f1', name: 'pass signal', func: 'msg.payload = tradebot.checkSignal(msg.payload);\nreturn msg;', outputs: 1, libs: [{ var: 'tradebot', module: 'node-red-contrib-tradebot/signal' }], wires: [['n-risk']] });
        strategy.wires = [['n-fn'], []];
      },
    );
    assert.equal(report.state, 'done', report.error);
    assert.deepEqual(report.engine.node, { id: 'n-fn', type: 'function', name: 'pass signal' });
    assert.equal(report.runs.length, 2);
    for (const run of report.runs) {
      assert.ok(run.figures, `run ${run.index}: ${run.note}`);
      const ref = reference(run.values[0], run.values[1]);
      assert.ok(Math.abs(run.figures.endEquity - ref.endEquity) <= 1e-9 * ref.endEquity, `${run.values}: ${run.figures.endEquity} vs the reference ${ref.endEquity}`);
      assert.equal(run.figures.roundTrips, ref.sells);
    }
  });

  it('walk-forward: three windows; each runs the in-sample winner out of sample, equal to the reference model there', async function () {
    skipWithoutOhlcv(this);
    const sweep = { params: [{ node: 'n-strategy', param: 'fastPeriod', values: [5, 10] }, { node: 'n-strategy', param: 'slowPeriod', values: [20, 40] }], objective: 'totalReturn', minTrades: 0, walkForward: { windows: 3, inSamplePct: 75 } };
    const report = await withRed(async (red, file) => {
      const res = await red.post('/tradebot/backtest/n-bt/optimise', sweep);
      assert.equal(res.status, 202, await res.text());
      return waitReport(red, file);
    });
    assert.equal(report.state, 'done');
    const wf = report.walkForward;
    assert.equal(wf.windows.length, 3);
    const candles = loadCandles('ETH_BTC', '5m');
    const tf = 5 * 60_000;
    assert.equal(wf.windows[0].inSample.start >= candles[WARMUP]!.ts, true);
    assert.equal(wf.windows[2].outOfSample.end, candles.at(-1)!.ts + tf, 'the last window ends with the history');
    for (let i = 1; i < 3; i++) assert.equal(wf.windows[i].outOfSample.start, wf.windows[i - 1].outOfSample.end, 'out-of-sample parts tile the end of the history');
    for (const w of wf.windows) {
      assert.equal(w.inSample.end, w.outOfSample.start);
      const fast = w.settings.find((s: any) => s.param === 'fastPeriod').value;
      const slow = w.settings.find((s: any) => s.param === 'slowPeriod').value;
      // Out of sample: the window's candles, after the warm-up rows before it.
      const first = candles.findIndex((c) => c.ts >= w.outOfSample.start);
      const last = candles.findIndex((c) => c.ts >= w.outOfSample.end);
      const slice = candles.slice(first - WARMUP, last < 0 ? candles.length : last);
      const ref = reference(fast, slow, slice, WARMUP);
      assert.ok(Math.abs(w.outOfSampleFigures.endEquity - ref.endEquity) <= 1e-9 * ref.endEquity, `window ${w.index} out of sample: ${w.outOfSampleFigures.endEquity} vs ${ref.endEquity}`);
      // In sample, the winner beats (or ties) every other combination on the same part.
      const isFirst = candles.findIndex((c) => c.ts >= w.inSample.start);
      const isLast = candles.findIndex((c) => c.ts >= w.inSample.end);
      const isSlice = candles.slice(isFirst - WARMUP, isLast);
      const scores = [5, 10].flatMap((f) => [20, 40].map((s) => reference(f, s, isSlice, WARMUP).endEquity / 10 - 1));
      assert.ok(Math.abs(w.inSampleScore - Math.max(...scores)) < 1e-9, `window ${w.index}: the in-sample winner has the best in-sample score`);
    }
    assert.equal(typeof wf.totals.meanOutOfSample, 'number');
  });

  it('bad sweeps are refused naming the field, before anything runs; a running sweep can be canceled', async function () {
    skipWithoutOhlcv(this);
    await withRed(async (red, file) => {
      const bad: Array<[unknown, RegExp]> = [
        [{ params: [{ node: 'nope', param: 'fastPeriod', values: [5] }] }, /body\.params\.0\.node: no node with id "nope"/],
        [{ params: [{ node: 'n-strategy', param: 'colour', values: [5] }] }, /body\.params\.0\.param: "colour" is not a tunable setting of tradebot-strategy "cross"/],
        [{ params: [{ node: 'n-strategy', param: 'fastPeriod', values: [] }] }, /body\.params\.0\.values: is empty/],
        [{ params: [{ node: 'n-strategy', param: 'fastPeriod', range: { from: 5, to: 10, step: 0 } }] }, /body\.params\.0\.range\.step: must be above 0/],
        [{ params: [{ node: 'n-strategy', param: 'fastPeriod', range: { from: 1, to: 1000, step: 1 } }, { node: 'n-strategy', param: 'slowPeriod', range: { from: 1, to: 1000, step: 1 } }] }, /grid/],
      ];
      for (const [sweep, message] of bad) {
        const res = await red.post('/tradebot/backtest/n-bt/optimise', sweep);
        assert.equal(res.status, 400);
        assert.match(await res.text(), message);
      }
      assert.equal(fs.existsSync(file), false, 'nothing ran');
      // A long random search, canceled: the report says so and keeps the runs that finished.
      const res = await red.post('/tradebot/backtest/n-bt/optimise', { params: [{ node: 'n-strategy', param: 'fastPeriod', range: { from: 2, to: 20, step: 1 } }, { node: 'n-strategy', param: 'slowPeriod', range: { from: 21, to: 200, step: 1 } }], search: 'random', samples: 2000, objective: 'sharpe' });
      assert.equal(res.status, 202);
      const busy = await red.post('/tradebot/backtest/n-bt/optimise', { params: [{ node: 'n-strategy', param: 'fastPeriod', values: [5] }] });
      assert.equal(busy.status, 409);
      // A fixed wait on purpose: the search runs a while before the cancel (what is tested is the cancel).
      await new Promise((r) => setTimeout(r, 1500));
      const cancel = await red.post('/tradebot/backtest/n-bt/optimise/cancel');
      assert.equal(cancel.status, 200);
      const report = await waitReport(red, file, 30);
      assert.equal(report.state, 'canceled');
      assert.ok(report.runs.length < 2000);
      const live = await red.getJson('/tradebot/backtest/n-bt/optimise.json');
      assert.equal(live.state, 'canceled');
    });
  });

  it('msg.optimise from a flow: a bad sweep ends in done(err) naming the field, caught by a Catch node; nothing runs', async function () {
    skipWithoutOhlcv(this);
    const caughtFile = (dir: string) => path.join(dir, 'caught.json');
    await withRed(
      async (red, reportFile, userDir) => {
        assert.equal((await red.post('/inject/n-bad')).status, 200);
        const caught = await jsonFileWhenWritten(caughtFile(userDir), 20_000, 'the caught error', () => red.log.slice(-2000));
        assert.match(caught.message, /msg\.optimise\.params\.0\.range\.step: must be above 0/);
        assert.equal(caught.source.id, 'n-bt');
        assert.equal(fs.existsSync(reportFile), false, 'no report: nothing ran');
      },
      (dir) => [
        { id: 'n-bad', type: 'inject', z: 'f1', props: [{ p: 'optimise', v: JSON.stringify({ params: [{ node: 'n-strategy', param: 'fastPeriod', range: { from: 5, to: 9, step: 0 } }] }), vt: 'json' }], repeat: '', once: false, wires: [['n-bt']] },
        { id: 'n-catch', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['n-cmove']] },
        { id: 'n-cmove', type: 'change', z: 'f1', rules: [{ t: 'move', p: 'error', pt: 'msg', to: 'payload', tot: 'msg' }], wires: [['n-cjson']] },
        { id: 'n-cjson', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['n-cfile']] },
        { id: 'n-cfile', type: 'file', z: 'f1', filename: caughtFile(dir), filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', wires: [] },
      ],
    );
  });

  it('example 18 as imported: its optimise button runs the sweep saved on the backtest node, with walk-forward, over the sample history', async function () {
    const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', '18 Optimisation.json'), 'utf8')) as FlowNode[];
    const userDir = makeUserDir('tradebot-example18-');
    const reportFile = path.join(userDir, 'report.json');
    const tab = example.find((n) => n.type === 'tab')!.id;
    const bt = example.find((n) => n.type === 'tradebot-backtest')!;
    const flow = example.map((n) => (n.id === bt.id ? { ...n, wires: [[...(n.wires as string[][])[0]!, 'f20f000000000001']] } : n));
    flow.push(
      { id: 'f20f000000000001', type: 'json', z: tab, property: 'payload', action: 'str', x: 600, y: 500, wires: [['f20f000000000002']] },
      { id: 'f20f000000000002', type: 'file', z: tab, filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', x: 800, y: 500, wires: [] },
    );
    const red = await NodeRedProcess.start({ userDir, flow });
    try {
      const inject = example.find((n) => n.type === 'inject' && n.name === 'optimise')!;
      assert.equal((await red.post(`/inject/${inject.id}`)).status, 200);
      const report = await waitReport(red, reportFile, 240);
      assert.equal(report.kind, 'optimiseReport');
      assert.equal(report.state, 'done', report.error);
      assert.equal(report.runs.length, 6 * 3 * 3, 'the saved grid: 6 fast periods x 3 slow x 3 stop-losses');
      assert.equal(report.objective, 'sharpe');
      assert.ok(report.best && report.best.figures.roundTrips >= 5, 'a best run with at least the minimum trades');
      assert.equal(report.walkForward.windows.length, 3);
      assert.ok(report.walkForward.windows.every((w: any) => w.settings && w.inSampleScore !== null), 'every window chose a combination in sample');
      assert.deepEqual(red.errors(), []);
    } finally {
      await red.stop();
      removeUserDir(userDir);
    }
  });
});
