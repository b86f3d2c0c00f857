/**
 * A journaled backtest (exchange node "Journal: on" in backtest mode) in a real Node-RED process on
 * real ETH/BTC candles: the journal file's closed trades are the report's sells, each with the
 * report's own P&L and exit reason, its equity rows are the report's curve, and a second run
 * replaces the first run's rows instead of adding to them. With "auto" no journal is written.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { OHLCV_DIR, skipWithoutOhlcv } from '../support/ohlcv-data';
import { NodeRedProcess, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { jsonFileWhenWritten } from '../support/written-files';

function flow(reportFile: string, journal: string): FlowNode[] {
  const nodes: FlowNode[] = [
    { id: 'f1', type: 'tab', label: 'backtest' },
    { id: 'jb-ex', type: 'tradebot-exchange', mode: 'backtest', journal, backtestData: `ETH/BTC = ${path.join(OHLCV_DIR, 'ETH_BTC-5m.json')}`, backtestTimeframe: '5m', backtestWarmup: 30, simBalances: 'BTC=10', reportCurrency: 'BTC' },
    { id: 'jb-candles', type: 'tradebot-candles', z: 'f1', source: 'exchange', exchange: 'jb-ex', symbols: 'ETH/BTC', timeframe: '5m', warmup: 30, interval: 1000, wires: [['jb-strategy']] },
    { id: 'jb-strategy', type: 'tradebot-strategy', z: 'f1', strategy: 'maCross', maType: 'sma', fastPeriod: 10, slowPeriod: 30, wires: [['jb-risk'], []] },
    { id: 'jb-risk', type: 'tradebot-risk-gate', z: 'f1', exchange: 'jb-ex', sizing: 'quote', quoteAmount: '0.1', accountCurrency: 'BTC', stopMode: 'pct', stopPct: 1, wires: [['jb-order'], []] },
    { id: 'jb-order', type: 'tradebot-place-order', z: 'f1', exchange: 'jb-ex', currency: 'BTC', wires: [[], []] },
    { id: 'jb-run', type: 'inject', z: 'f1', name: 'jb-run', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', once: false, wires: [['jb-bt']] },
    { id: 'jb-bt', type: 'tradebot-backtest', z: 'f1', exchange: 'jb-ex', wires: [['jb-json']] },
    { id: 'jb-json', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['jb-file']] },
    { id: 'jb-file', type: 'file', z: 'f1', filename: reportFile, filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', wires: [] },
  ];
  return nodes.map((n, i) => (n.z ? { ...n, x: 150 + 120 * i, y: 100 } : n));
}

/** Runs the backtest once in a running Node-RED and returns its report. */
async function runBacktest(red: NodeRedProcess, reportFile: string): Promise<any> {
  fs.rmSync(reportFile, { force: true });
  assert.equal((await red.post('/inject/jb-run')).status, 200);
  return jsonFileWhenWritten(reportFile, 90_000, 'the report', () => red.log.slice(-3000));
}

function rows(file: string, sql: string): any[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('journaled backtests (real Node-RED process)', function () {
  this.timeout(240_000);
  let userDir: string | undefined;
  afterEach(() => {
    if (userDir) removeUserDir(userDir);
    userDir = undefined;
  });

  it('"on": the closed trades are the report’s sells with the same P&L and exit reasons; a second run replaces the rows', async function () {
    skipWithoutOhlcv(this);
    userDir = makeUserDir('tradebot-journal-backtest-');
    const reportFile = path.join(userDir, 'report.json');
    const journalFile = path.join(userDir, 'tradebot-journal.sqlite');
    let red = await NodeRedProcess.start({ userDir, flow: flow(reportFile, 'on') });
    let report: any;
    try {
      report = await runBacktest(red, reportFile);
      assert.deepEqual(red.errors(), []);
    } finally {
      await red.stop();
    }
    const sells = report.trades.filter((t: any) => t.side === 'sell');
    assert.ok(sells.length > 10, `the run trades (${sells.length} sells)`);
    const trades = rows(journalFile, "SELECT * FROM journal_trades WHERE account = 'jb-ex:backtest'");
    assert.equal(trades.length, sells.length, 'one closed trade per sell');
    const byId = new Map(trades.map((t) => [t.id, t]));
    for (const s of sells) {
      const t = byId.get(s.clientOrderId);
      assert.ok(t, `closed trade ${s.clientOrderId}`);
      assert.ok(Math.abs(t.pnl - s.pnl) <= 1e-9 * Math.max(1, Math.abs(s.pnl)), `${s.clientOrderId}: journal ${t.pnl} vs report ${s.pnl}`);
      assert.equal(Number(t.exit_ts), s.ts);
    }
    const reasons = new Set(trades.map((t) => t.exit_reason));
    assert.ok(reasons.has('stop-loss') && reasons.has('signal'), `stop-loss and signal exits are told apart (${[...reasons]})`);
    const equity = rows(journalFile, "SELECT ts, equity FROM journal_equity WHERE account = 'jb-ex:backtest' ORDER BY ts");
    assert.deepEqual(equity.map((p) => [Number(p.ts), p.equity]), report.equity);

    // Restart (a new clean account) and run again: the same rows, not twice as many.
    red = await NodeRedProcess.start({ userDir, flow: flow(reportFile, 'on') });
    try {
      await runBacktest(red, reportFile);
    } finally {
      await red.stop();
    }
    assert.equal(rows(journalFile, "SELECT count(*) AS n FROM journal_trades WHERE account = 'jb-ex:backtest'")[0].n, sells.length);
    assert.equal(rows(journalFile, "SELECT count(*) AS n FROM journal_fills WHERE account = 'jb-ex:backtest'")[0].n, report.trades.length);
  });

  it('"auto" journals no backtest', async function () {
    skipWithoutOhlcv(this);
    userDir = makeUserDir('tradebot-journal-backtest-');
    const reportFile = path.join(userDir, 'report.json');
    const red = await NodeRedProcess.start({ userDir, flow: flow(reportFile, 'auto') });
    try {
      await runBacktest(red, reportFile);
    } finally {
      await red.stop();
    }
    assert.equal(fs.existsSync(path.join(userDir, 'tradebot-journal.sqlite')), false, 'no journal file');
  });
});
