/**
 * The backtest's fast path (docs/backtest.md, "The fast path") against the Node-RED path, in a
 * real Node-RED process: every shipped example whose trading path starts at candles nodes is run
 * as a backtest over real candles (its exchange node switched to backtest mode; example 12 as
 * shipped), once with Engine "Node-RED" and once with Engine "auto". Where the fast path applies,
 * the two reports (fills, prices, amounts, fees, equity curve, metrics) must be equal; where it
 * does not, the report must name the node that prevented it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OHLCV_DIR, skipWithoutOhlcv } from '../support/ohlcv-data';
import { NodeRedProcess, ROOT, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { waitForAsync } from '../support/wait';
import { jsonFileNow, jsonLinesNow } from '../support/written-files';

const EXAMPLES = path.join(ROOT, 'examples');
/** Real pairs standing in for the examples' symbols, in the order the symbols appear. */
const PAIRS = ['ETH_BTC', 'LTC_BTC', 'XMR_BTC'];

/** Examples that need nodes this machine does not have (FlowFuse Dashboard 2). */
const NEEDS_OTHER_PACKAGES = ['16'];

interface Case {
  file: string;
  flow: FlowNode[];
  backtestId: string;
}

/** An example as a backtest: its exchange node in backtest mode over real candles, a backtest node writing its report to a file. */
function asBacktest(file: string, engine: 'auto' | 'flow', reportFile: string, edit?: (flow: FlowNode[]) => void): Case | undefined {
  const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
  edit?.(flow);
  const candles = flow.filter((n) => n.type === 'tradebot-candles' && n.source !== 'ticks');
  if (!candles.length) return undefined;
  const exchange = flow.find((n) => n.id === candles[0]!.exchange)!;
  const tab = flow.find((n) => n.type === 'tab')!;
  const timeframe = String(candles[0]!.timeframe || '1m');
  if (exchange.mode !== 'backtest') {
    const symbols = [...new Set(candles.flatMap((c) => String(c.symbols).split(/[\s,;]+/).filter(Boolean)))];
    exchange.mode = 'backtest';
    exchange.backtestData = symbols.map((s, i) => `${s} = ${path.join(OHLCV_DIR, `${PAIRS[i]}-${timeframe}.json`)}`).join('\n');
    exchange.backtestTimeframe = timeframe;
    exchange.backtestWarmup = 100;
    // The state stays in memory (a backtest's), not in the example's Redis.
    exchange.redis = '';
  }
  let bt = flow.find((n) => n.type === 'tradebot-backtest');
  if (!bt) {
    bt = { id: 'fp-bt', type: 'tradebot-backtest', z: tab.id, exchange: exchange.id, x: 100, y: 900, wires: [[]] };
    flow.push(bt);
  }
  bt.engine = engine;
  (bt.wires as string[][])[0] = [...((bt.wires as string[][])[0] ?? []), 'fp-json'];
  flow.push(
    // Every status of the backtest node, one JSON line each, beside the report.
    { id: 'fp-status', type: 'status', z: tab.id, scope: [bt.id], x: 100, y: 960, wires: [['fp-sjson']] },
    { id: 'fp-sjson', type: 'change', z: tab.id, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'status', tot: 'msg' }], x: 300, y: 960, wires: [['fp-sjson2']] },
    { id: 'fp-sjson2', type: 'json', z: tab.id, property: 'payload', action: 'str', pretty: false, x: 500, y: 960, wires: [['fp-sfile']] },
    { id: 'fp-sfile', type: 'file', z: tab.id, filename: `${reportFile}.status`, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', x: 700, y: 960, wires: [] },
    { id: 'fp-json', type: 'json', z: tab.id, property: 'payload', action: 'str', pretty: false, x: 300, y: 900, wires: [['fp-file']] },
    { id: 'fp-file', type: 'file', z: tab.id, filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', x: 500, y: 900, wires: [] },
  );
  return { file, flow, backtestId: bt.id };
}

async function run(file: string, engine: 'auto' | 'flow', edit?: (flow: FlowNode[]) => void): Promise<{ report: any; status: string } | undefined> {
  const userDir = makeUserDir('tradebot-fast-');
  const reportFile = path.join(userDir, 'report.json');
  const c = asBacktest(file, engine, reportFile, edit);
  if (!c) return undefined;
  const red = await NodeRedProcess.start({ userDir, flow: c.flow });
  try {
    const res = await red.post(`/tradebot/backtest/${c.backtestId}`);
    assert.equal(res.status, 200, `${file}: the backtest button`);
    // The report, and the backtest node's last status ("done ..."), each written whole.
    const isDone = (s: any) => /^done/.test(String(s.text));
    let report: any;
    let statuses: any[] | undefined;
    await waitForAsync(async () => (report = jsonFileNow(reportFile)) !== undefined && (statuses = jsonLinesNow(`${reportFile}.status`))?.some(isDone) === true, 120_000, `${file} (${engine}): the report and the done status`, 100).catch((err: Error) => {
      throw new Error(`${err.message}\n${red.log.slice(-3000)}`);
    });
    return { report, status: String(statuses!.filter(isDone).pop()!.text) };
  } finally {
    await red.stop();
    removeUserDir(userDir);
  }
}

const without = (report: Record<string, unknown>, key: string) => {
  const { [key]: _omitted, ...rest } = report;
  return rest;
};

describe('the backtest fast path equals the Node-RED path (real Node-RED process)', function () {
  this.timeout(600_000);

  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && !NEEDS_OTHER_PACKAGES.includes(f.slice(0, 2))).sort();
  const trades = (file: string) => {
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[];
    return flow.some((n) => n.type === 'tradebot-candles') && flow.some((n) => n.type === 'tradebot-place-order') && !flow.some(isFunctionStrategy);
  };
  /** A strategy in a function node (example 19) is on the trading path: the fast path cannot compile it. */
  const isFunctionStrategy = (n: FlowNode) => n.type === 'function' && JSON.stringify(n.libs ?? []).includes('node-red-contrib-tradebot/signal');
  for (const file of files.filter(trades)) {
    it(`${file}: the fast path, with the same report as the Node-RED path`, async function () {
      skipWithoutOhlcv(this);
      const flow = await run(file, 'flow');
      const auto = await run(file, 'auto');
      assert.ok(flow && auto);
      assert.deepEqual(flow.report.engine, { path: 'flow', reason: 'the node\'s Engine setting is "Node-RED"' });
      assert.deepEqual(auto.report.engine, { path: 'fast' }, file);
      assert.match(auto.status, /^done \(fast path\): \d+ trades/);
      assert.match(flow.status, /^done \(Node-RED path\): \d+ trades/);
      assert.ok(flow.report.trades.length > 0, `${file}: the example trades on this data`);
      assert.deepEqual(without(auto.report, 'engine'), without(flow.report, 'engine'));
    });
  }

  it('a strategy in a function node (example 19): backtested on the Node-RED path, automatically, with the same report', async function () {
    skipWithoutOhlcv(this);
    const file = files.find((f) => f.startsWith('19'))!;
    const flow = await run(file, 'flow');
    const auto = await run(file, 'auto');
    assert.ok(flow && auto);
    assert.equal(auto.report.engine.path, 'flow');
    assert.match(auto.report.engine.reason, /"my strategy" \(function\) is on the trading path/);
    assert.match(flow.status, /^done \(Node-RED path\): \d+ trades/);
    assert.ok(flow.report.trades.length > 0, `${file}: the example trades on this data`);
    assert.deepEqual(without(auto.report, 'engine'), without(flow.report, 'engine'));
  });

  it('a function node between the strategy and the risk gate: the Node-RED path, the report naming that node; the same result', async function () {
    skipWithoutOhlcv(this);
    // Example 08 with a pass-through function node on the wire from its strategy to its risk gate.
    const file = files.find((f) => f.startsWith('08'))!;
    const edit = (flow: FlowNode[]) => {
      const strategy = flow.find((n) => n.type === 'tradebot-strategy')!;
      const wires = strategy.wires as string[][];
      flow.push({ id: 'fp-fn', type: 'function', z: strategy.z, name: 'tweak signal', func: 'return msg;', outputs: 1, x: 400, y: 700, wires: [wires[0]!] });
      wires[0] = ['fp-fn'];
    };
    const flow = await run(file, 'flow', edit);
    const auto = await run(file, 'auto', edit);
    assert.ok(flow && auto);
    assert.equal(auto.report.engine.path, 'flow');
    assert.deepEqual(auto.report.engine.node, { id: 'fp-fn', type: 'function', name: 'tweak signal' });
    assert.match(auto.report.engine.reason, /"tweak signal" \(function\) is on the trading path/);
    assert.match(auto.status, /^done \(Node-RED path: function "tweak signal"\): \d+ trades/, 'the status names the node');
    assert.deepEqual(without(auto.report, 'engine'), without(flow.report, 'engine'));
  });
});
