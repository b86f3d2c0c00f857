/**
 * A backtest across timeframes (docs/backtest.md, "Several timeframes"): a real Node-RED process
 * runs a 5m SMA cross filtered by the 1h RSI (`rsi14@1h < 60`) over real ETH/BTC 5m candles, the
 * 1h candles made from them by the replay. No look-ahead: with every candle from a time T on
 * changed (the prices mirrored), every signal up to T and every fill before T are the same. The
 * 1h RSI each buy read is the textbook RSI of the latest 1h candle that had closed when the 5m
 * candle opened, computed here from the file. The fast path gives the same report.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OHLCV_DIR, skipWithoutOhlcv } from '../support/ohlcv-data';
import { NodeRedProcess, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { jsonFileWhenWritten } from '../support/written-files';
import { rsi, sma } from '../support/textbook-indicators';

const WARMUP = 240;
const H = 3_600_000;
type Row = [number, number, number, number, number, number];

function flow(data: string, symbols: string, reportFile: string, engine: 'flow' | 'auto'): FlowNode[] {
  const nodes: FlowNode[] = [
    { id: 'f1', type: 'tab', label: 'backtest across timeframes' },
    { id: 'n-ex', type: 'tradebot-exchange', mode: 'backtest', backtestData: data, backtestTimeframe: '5m', backtestWarmup: WARMUP, simBalances: 'BTC=10', feeRatePct: 0.1, slippagePct: 0.05, reportCurrency: 'BTC' },
    { id: 'n-c5', type: 'tradebot-candles', z: 'f1', source: 'exchange', exchange: 'n-ex', symbols, timeframe: '5m', warmup: WARMUP, interval: 1000, websocket: true, wires: [['n-i5']] },
    { id: 'n-i5', type: 'tradebot-indicator', z: 'f1', indicators: [{ name: 'fast', type: 'sma', period: 10, src: 'close' }, { name: 'slow', type: 'sma', period: 30, src: 'close' }], wires: [['n-strategy']] },
    // Every 1h candle there is at the start (warm-up 100 > 20): the RSI starts where the data starts.
    { id: 'n-c1h', type: 'tradebot-candles', z: 'f1', source: 'exchange', exchange: 'n-ex', symbols, timeframe: '1h', warmup: 100, interval: 1000, websocket: true, wires: [['n-i1h']] },
    { id: 'n-i1h', type: 'tradebot-indicator', z: 'f1', indicators: [{ name: 'rsi14', type: 'rsi', period: 14, src: 'close' }], wires: [['n-strategy']] },
    {
      id: 'n-strategy', type: 'tradebot-strategy', z: 'f1', strategy: 'rules',
      entryMode: 'all', entryRules: [{ left: 'fast', op: 'crossesAbove', right: 'slow' }, { left: 'rsi14@1h', op: '<', right: '60' }],
      exitMode: 'any', exitRules: [{ left: 'fast', op: 'crossesBelow', right: 'slow' }],
      wires: [['n-risk', 'n-keep'], []],
    },
    { id: 'n-keep', type: 'function', z: 'f1', func: "const s = flow.get('signals') || []; s.push(msg.payload); flow.set('signals', s); return null;", outputs: 1, wires: [[]] },
    { id: 'n-risk', type: 'tradebot-risk-gate', z: 'f1', exchange: 'n-ex', sizing: 'quote', quoteAmount: '0.1', accountCurrency: 'BTC', wires: [['n-order'], []] },
    { id: 'n-order', type: 'tradebot-place-order', z: 'f1', exchange: 'n-ex', currency: 'BTC', wires: [[], []] },
    { id: 'n-run', type: 'inject', z: 'f1', name: 'n-run', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', once: false, wires: [['n-bt']] },
    { id: 'n-bt', type: 'tradebot-backtest', z: 'f1', exchange: 'n-ex', engine, wires: [['n-with']] },
    // The report arrives after the run: every signal has been kept by then.
    { id: 'n-with', type: 'function', z: 'f1', func: "msg.payload = { report: msg.payload, signals: flow.get('signals') || [] }; return msg;", outputs: 1, wires: [['n-json']] },
    { id: 'n-json', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['n-file']] },
    { id: 'n-file', type: 'file', z: 'f1', filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', wires: [] },
  ];
  return nodes.map((n, i) => (n.z ? { ...n, x: 150 + 120 * i, y: 100 } : n));
}

interface Signal { side: string; ts: number; candleTs: number; reason: string; id: string }
interface Outcome { report: { trades: Array<{ ts: number }>; engine?: { path: string; reason?: string } } & Record<string, unknown>; signals: Signal[] }

async function runOn(rows: Row[], engine: 'flow' | 'auto' = 'flow', more: Record<string, Row[]> = {}): Promise<Outcome> {
  const userDir = makeUserDir('tradebot-backtest-tf-');
  const series: Record<string, Row[]> = { 'ETH/BTC': rows, ...more };
  const data = Object.entries(series)
    .map(([symbol, r]) => {
      const file = path.join(userDir, `${symbol.replace('/', '_')}-5m.json`);
      fs.writeFileSync(file, JSON.stringify(r));
      return `${symbol} = ${file}`;
    })
    .join('\n');
  const reportFile = path.join(userDir, 'report.json');
  const red = await NodeRedProcess.start({ userDir, flow: flow(data, Object.keys(series).join(', '), reportFile, engine) });
  try {
    const res = await red.post('/inject/n-run');
    assert.equal(res.status, 200);
    const out = (await jsonFileWhenWritten(reportFile, 120_000, 'the report', () => red.log.slice(-3000))) as Outcome;
    assert.deepEqual(red.errors(), [], 'no errors in the Node-RED log');
    return out;
  } finally {
    await red.stop();
    removeUserDir(userDir);
  }
}

/** 1h candles from 5m rows, independently of the product: buckets on the hour. */
function hourly(rows: Row[]): Array<{ ts: number; open: number; high: number; low: number; close: number; volume: number }> {
  const out: Array<{ ts: number; open: number; high: number; low: number; close: number; volume: number }> = [];
  for (const [ts, open, high, low, close, volume] of rows) {
    const hour = ts - (ts % H);
    const last = out[out.length - 1];
    if (last && last.ts === hour) Object.assign(last, { high: Math.max(last.high, high), low: Math.min(last.low, low), close, volume: last.volume + volume });
    else out.push({ ts: hour, open, high, low, close, volume });
  }
  return out;
}

/** Index of the latest hour that closed at or before `ts` (-1: none). */
function lastClosedHour(hours: ReadonlyArray<{ ts: number }>, ts: number): number {
  let k = -1;
  for (let i = 0; i < hours.length && hours[i]!.ts + H <= ts; i++) k = i;
  return k;
}

describe('a backtest across timeframes (real Node-RED process)', function () {
  this.timeout(300_000);

  it('5m SMA cross filtered by the 1h RSI: the RSI each buy read is the last closed hour\'s; candles changed from T on change nothing before T', async function () {
    skipWithoutOhlcv(this);
    const rows = JSON.parse(fs.readFileSync(path.join(OHLCV_DIR, 'ETH_BTC-5m.json'), 'utf8')) as Row[];
    // T: 25 minutes into an hour in the middle of the data, so the hour around T is changed in part.
    const middle = rows[Math.floor(rows.length / 2)]![0];
    const T = middle - (middle % H) + 25 * 60_000;
    const pivot = rows.find((r) => r[0] >= T)![1];
    // From T on the prices are mirrored around the open at T: a different market after T.
    const changed = rows.map((r): Row => (r[0] < T ? r : [r[0], 2 * pivot - r[1], 2 * pivot - r[3], 2 * pivot - r[2], 2 * pivot - r[4], r[5] * 2]));

    const original = await runOn(rows);
    const other = await runOn(changed);
    assert.equal(original.report.engine?.path, 'flow');

    const before = (o: Outcome) => o.signals.filter((s) => s.ts <= T);
    const buysBefore = before(original).filter((s) => s.side === 'buy');
    assert.ok(buysBefore.length >= 5, `the data exercises the filter before T (${buysBefore.length} buys)`);
    assert.deepEqual(before(other), before(original), 'every signal up to T is the same');
    const fillsBefore = (o: Outcome) => o.report.trades.filter((t) => t.ts < T);
    assert.ok(fillsBefore(original).length >= 5);
    assert.deepEqual(fillsBefore(other), fillsBefore(original), 'every fill before T is the same');
    assert.notDeepEqual(other.signals.filter((s) => s.ts > T), original.signals.filter((s) => s.ts > T), 'the change after T does change what comes after it');

    // Each buy read the RSI 14 of the latest 1h candle closed when its 5m candle opened.
    for (const o of [original, other]) {
      const hours = hourly(o === original ? rows : changed);
      const rsi14 = rsi(hours, { period: 14 });
      const buys = o.signals.filter((s) => s.side === 'buy');
      assert.ok(buys.length >= 10);
      for (const s of buys) {
        const read = Number(/rsi14@1h \(([-\d.e+]+)\) < 60/.exec(s.reason)?.[1]);
        const expected = rsi14[lastClosedHour(hours, s.candleTs)];
        assert.ok(typeof expected === 'number' && expected < 60, `buy at ${new Date(s.ts).toISOString()}: textbook RSI ${expected}`);
        assert.ok(Math.abs(read - expected) <= 1e-5 * expected, `buy at ${new Date(s.ts).toISOString()} read ${read}, the last closed hour's RSI is ${expected}`);
      }
      // The buys are exactly the 5m candles after the warm-up where SMA 10 crossed above SMA 30
      // while the last closed hour's RSI was below 60; the filter held some crosses.
      const candles = (o === original ? rows : changed).map(([ts, open, high, low, close, volume]) => ({ ts, open, high, low, close, volume }));
      const fast = sma(candles, { period: 10 });
      const slow = sma(candles, { period: 30 });
      const crossesUp: number[] = [];
      const expectedBuys: number[] = [];
      for (let i = WARMUP; i < candles.length; i++) {
        const [f0, s0, f1, s1] = [fast[i - 1], slow[i - 1], fast[i], slow[i]];
        if (typeof f0 !== 'number' || typeof s0 !== 'number' || typeof f1 !== 'number' || typeof s1 !== 'number' || !(f0 <= s0 && f1 > s1)) continue;
        crossesUp.push(candles[i]!.ts);
        const r = rsi14[lastClosedHour(hours, candles[i]!.ts)];
        if (typeof r === 'number' && r < 60) expectedBuys.push(candles[i]!.ts);
      }
      assert.deepEqual(buys.map((s) => s.candleTs), expectedBuys, 'the buys are the crosses the filter let through');
      assert.ok(crossesUp.length - expectedBuys.length >= 5, `the filter held crosses (${crossesUp.length} crosses, ${expectedBuys.length} buys)`);
    }
  });

  it('two symbols across two timeframes: the fast path gives the same report as the Node-RED path', async function () {
    skipWithoutOhlcv(this);
    const read = (pair: string) => JSON.parse(fs.readFileSync(path.join(OHLCV_DIR, `${pair}-5m.json`), 'utf8')) as Row[];
    const more = { 'LTC/BTC': read('LTC_BTC') };
    const flowPath = await runOn(read('ETH_BTC'), 'flow', more);
    const fast = await runOn(read('ETH_BTC'), 'auto', more);
    assert.deepEqual(fast.report.engine, { path: 'fast' });
    const symbols = new Set((flowPath.report.trades as Array<{ symbol?: string }>).map((t) => t.symbol));
    assert.deepEqual([...symbols].sort(), ['ETH/BTC', 'LTC/BTC'], 'both symbols trade');
    assert.ok(flowPath.report.trades.length >= 10, `it trades (${flowPath.report.trades.length} fills)`);
    // Everything but the engine and where each run's copy of the data was (each in its own user dir).
    const { engine: _a, dataChecks: _c, ...fastReport } = fast.report;
    const { engine: _b, dataChecks: _d, ...flowReport } = flowPath.report;
    assert.deepEqual(fastReport, flowReport);
  });
});
