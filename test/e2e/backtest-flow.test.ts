/**
 * Backtesting the flow itself: a real Node-RED process runs candles -> strategy -> risk gate ->
 * place order on an exchange node in backtest mode over real candles; the report's trades and
 * final equity must equal an independent computation of docs/backtest.md, and two runs must give
 * byte-identical reports.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OHLCV_DIR, loadCandles, skipWithoutOhlcv } from '../support/ohlcv-data';
import { NodeRedProcess, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { jsonFileWhenWritten } from '../support/written-files';
import { referenceSmaCross } from '../support/reference-backtest';

const WARMUP = 30;

/** Nodes on a tab need a position: without x and y Node-RED takes a node for a config node. */
function flow(reportFile: string, risk: Record<string, unknown> = {}): FlowNode[] {
  return placed([
    { id: 'f1', type: 'tab', label: 'backtest' },
    { id: 'n-ex', type: 'tradebot-exchange', mode: 'backtest', backtestData: `ETH/BTC = ${path.join(OHLCV_DIR, 'ETH_BTC-5m.json')}`, backtestTimeframe: '5m', backtestWarmup: WARMUP, simBalances: 'BTC=10', feeRatePct: 0.1, slippagePct: 0.05, reportCurrency: 'BTC' },
    { id: 'n-candles', type: 'tradebot-candles', z: 'f1', source: 'exchange', exchange: 'n-ex', symbols: 'ETH/BTC', timeframe: '5m', warmup: WARMUP, interval: 1000, websocket: true, wires: [['n-strategy']] },
    { id: 'n-strategy', type: 'tradebot-strategy', z: 'f1', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, wires: [['n-risk'], []] },
    { id: 'n-risk', type: 'tradebot-risk-gate', z: 'f1', exchange: 'n-ex', sizing: 'quote', quoteAmount: '0.1', accountCurrency: 'BTC', ...risk, wires: [['n-order'], []] },
    { id: 'n-order', type: 'tradebot-place-order', z: 'f1', exchange: 'n-ex', currency: 'BTC', wires: [[], []] },
    { id: 'n-run', type: 'inject', z: 'f1', name: 'n-run', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', once: false, wires: [['n-bt']] },
    { id: 'n-bt', type: 'tradebot-backtest', z: 'f1', exchange: 'n-ex', wires: [['n-json']] },
    { id: 'n-json', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['n-file']] },
    { id: 'n-file', type: 'file', z: 'f1', filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', wires: [] },
  ]);
}

function placed(nodes: FlowNode[]): FlowNode[] {
  return nodes.map((n, i) => (n.z ? { ...n, x: 150 + 120 * i, y: 100 } : n));
}

async function runOnce(risk: Record<string, unknown> = {}): Promise<{ report: any; text: string }> {
  const userDir = makeUserDir('tradebot-backtest-');
  const reportFile = path.join(userDir, 'report.json');
  const red = await NodeRedProcess.start({ userDir, flow: flow(reportFile, risk) });
  try {
    const res = await red.post('/inject/n-run');
    assert.equal(res.status, 200, `the run inject: ${red.log.split('\n').filter((l) => /error|Waiting|Circular/i.test(l)).join('\n')}`);
    await jsonFileWhenWritten(reportFile, 60_000, 'the report', () => red.log.slice(-3000));
    const text = fs.readFileSync(reportFile, 'utf8');
    assert.deepEqual(red.errors(), [], 'no errors in the Node-RED log');
    return { report: JSON.parse(text), text };
  } finally {
    await red.stop();
    removeUserDir(userDir);
  }
}

describe('backtesting the flow itself (real Node-RED process)', function () {
  this.timeout(180_000);

  it('SMA crossover on real ETH/BTC 5m candles: exactly the independently computed trades and final equity; byte-identical on a second run', async function () {
    skipWithoutOhlcv(this);
    const first = await runOnce();
    const candles = loadCandles('ETH_BTC', '5m');
    const expected = referenceSmaCross({ candles, fast: 10, slow: 30, warmup: WARMUP, quoteAmount: 0.1, amountStep: 1e-8, feeRate: 0.001, slippage: 0.0005, startQuote: 10, symbol: 'ETH/BTC' } as any);
    const trades = first.report.trades as Array<{ side: string; ts: number; price: number; amount: number; fee: number }>;
    assert.ok(expected.trades.length > 50, `the data exercises the strategy (${expected.trades.length} trades)`);
    assert.equal(trades.length, expected.trades.length, 'trade count');
    const rel = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(b), 1e-300);
    trades.forEach((t, i) => {
      const e = expected.trades[i]!;
      assert.equal(t.side, e.side, `trade ${i} side`);
      assert.equal(t.ts, e.ts, `trade ${i} fill time`);
      assert.ok(rel(t.price, e.price) && rel(t.amount, e.amount) && rel(t.fee, e.fee), `trade ${i}: ${JSON.stringify(t)} vs ${JSON.stringify(e)}`);
    });
    assert.ok(Math.abs(first.report.endEquity - expected.finalEquity) <= 1e-9 * expected.finalEquity, `final equity ${first.report.endEquity} vs ${expected.finalEquity}`);
    assert.equal(first.report.candles, candles.length - WARMUP);
    const second = await runOnce();
    assert.equal(second.text, first.text, 'byte-identical reports');
  });

  it('with stop-loss, take-profit and trailing stop on the risk gate: every stop fills where docs/backtest.md says, on the entry candle too; byte-identical on a second run', async function () {
    skipWithoutOhlcv(this);
    const stops = { stopPct: 0.5, takeProfitPct: 0.8, trailingPct: 0.8 };
    const first = await runOnce({ stopMode: 'pct', ...stops });
    const candles = loadCandles('ETH_BTC', '5m');
    const expected = referenceSmaCross({ candles, fast: 10, slow: 30, warmup: WARMUP, quoteAmount: 0.1, amountStep: 1e-8, feeRate: 0.001, slippage: 0.0005, startQuote: 10, symbol: 'ETH/BTC', stops });
    const trades = first.report.trades as Array<{ clientOrderId: string; side: string; ts: number; price: number; amount: number; fee: number }>;
    const kindOf = (id: string) => ({ sl: 'stop-loss', tp: 'take-profit', ts: 'trailing-stop' })[/-(sl|tp|ts)$/.exec(id)?.[1] ?? ''];
    // the run exercises each stop on the candle its buy filled on
    const buyTs = new Map(expected.trades.filter((t) => t.side === 'buy').map((t) => [t.signalIndex, t.ts]));
    for (const kind of ['stop-loss', 'take-profit', 'trailing-stop']) {
      assert.ok(expected.trades.some((t) => t.stop === kind && t.ts === buyTs.get(t.signalIndex)), `${kind} on an entry candle`);
    }
    assert.equal(trades.length, expected.trades.length, 'trade count');
    const rel = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(b), 1e-300);
    trades.forEach((t, i) => {
      const e = expected.trades[i]!;
      const what = `trade ${i} (${e.stop ?? e.side}, candle ${candles.findIndex((c) => c.ts === e.ts)}): ${JSON.stringify(t)} vs ${JSON.stringify(e)}`;
      assert.equal(t.side, e.side, what);
      assert.equal(kindOf(t.clientOrderId), e.stop, what);
      assert.equal(t.ts, e.ts, what);
      assert.ok(rel(t.price, e.price) && rel(t.amount, e.amount) && rel(t.fee, e.fee), what);
    });
    assert.ok(Math.abs(first.report.endEquity - expected.finalEquity) <= 1e-9 * expected.finalEquity, `final equity ${first.report.endEquity} vs ${expected.finalEquity}`);
    const second = await runOnce({ stopMode: 'pct', ...stops });
    assert.equal(second.text, first.text, 'byte-identical reports');
  });

  it('example 12 runs as imported: the report arrives from the sample history shipped in the package, with few trades and a small loss at most', async function () {
    const file = path.join(__dirname, '..', '..', '..', 'examples', '12 Backtest.json');
    const example = JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
    const userDir = makeUserDir('tradebot-example12-');
    const reportFile = path.join(userDir, 'report.json');
    // The report debug node's message also goes to a file, so the test can read it.
    const flow: FlowNode[] = example.map((n) => (n.type === 'debug' && n.name === 'report' ? { ...n, wires: [] } : n));
    const tab = example.find((n) => n.type === 'tab')!.id;
    const bt = example.find((n) => n.type === 'tradebot-backtest')!;
    flow.push(
      { id: 'ec0f000000000001', type: 'json', z: tab, property: 'payload', action: 'str', x: 600, y: 400, wires: [['ec0f000000000002']] },
      { id: 'ec0f000000000002', type: 'file', z: tab, filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', x: 800, y: 400, wires: [] },
    );
    const btNode = flow.find((n) => n.id === bt.id)!;
    (btNode.wires as string[][])[0]!.push('ec0f000000000001');
    const red = await NodeRedProcess.start({ userDir, flow });
    try {
      const inject = example.find((n) => n.type === 'inject')!;
      assert.equal((await red.post(`/inject/${inject.id}`)).status, 200);
      const report = await jsonFileWhenWritten(reportFile, 60_000, 'the report', () => red.log.slice(-3000));
      assert.equal(report.kind, 'backtestReport');
      assert.equal(report.candles, 4319 - 100);
      // The shipped defaults (EMA 50/200, one position of 1,000 USDT, ATR stop, take-profit): a few
      // trades a day, not one every few minutes (EMA 9/21 made 187 fills, -2.49 %), and fees that
      // cost well under 1 % of the account. The example's comment states these figures.
      assert.ok(report.trades.length >= 10 && report.trades.length <= 40, `fills: ${report.trades.length}`);
      assert.ok(Number.isFinite(report.endEquity) && report.endEquity > 0);
      assert.ok(report.totalReturn > -0.01, `total return ${report.totalReturn}`);
      assert.ok(report.fees < 0.005 * report.startEquity, `fees ${report.fees}`);
      // It holds at most a tenth of the account: against buy and hold of that tenth it stays within 1 point.
      assert.ok(report.totalReturn > 0.1 * report.buyAndHold - 0.01, `total return ${report.totalReturn} vs buy and hold ${report.buyAndHold}`);
      assert.deepEqual(red.errors(), []);
    } finally {
      await red.stop();
      removeUserDir(userDir);
    }
  });
});
