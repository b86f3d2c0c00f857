/**
 * Unclean history files in a backtest, in a real Node-RED process: a CSV and a JSON file with a
 * NaN close, an empty volume and a repeated time. The run goes on without the bad rows and says
 * so: counts in the backtest node's status, in the report (report.json and the report page), and
 * one warning line per file in the log naming the file, the counts and the first offending line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeRedProcess, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { waitForAsync } from '../support/wait';
import { jsonFileNow, jsonLinesNow } from '../support/written-files';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** n clean one-minute candles from T0. */
const clean = (n: number) => Array.from({ length: n }, (_, i) => [T0 + i * MIN, 100 + i, 101 + i, 99 + i, 100.5 + i, 10 + i]);

function flow(data: string, dir: string): FlowNode[] {
  const nodes: FlowNode[] = [
    { id: 'f1', type: 'tab', label: 'data checks' },
    { id: 'n-ex', type: 'tradebot-exchange', mode: 'backtest', backtestData: data, backtestTimeframe: '1m', backtestWarmup: 5, simBalances: 'USDT=1000' },
    { id: 'n-candles', type: 'tradebot-candles', z: 'f1', source: 'exchange', exchange: 'n-ex', symbols: data.includes('ETH/USDT') ? 'BTC/USDT, ETH/USDT' : 'BTC/USDT', timeframe: '1m', warmup: 5, wires: [[]] },
    { id: 'n-bt', type: 'tradebot-backtest', z: 'f1', exchange: 'n-ex', wires: [['n-json']] },
    { id: 'n-json', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['n-file']] },
    { id: 'n-file', type: 'file', z: 'f1', filename: path.join(dir, 'report.json'), filenameType: 'str', appendNewline: false, createDir: true, overwriteFile: 'true', encoding: 'utf8', wires: [] },
    // Every status of the backtest node, one JSON line each.
    { id: 'n-status', type: 'status', z: 'f1', scope: ['n-bt'], wires: [['n-sjson']] },
    { id: 'n-sjson', type: 'change', z: 'f1', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'status', tot: 'msg' }], wires: [['n-sjson2']] },
    { id: 'n-sjson2', type: 'json', z: 'f1', property: 'payload', action: 'str', pretty: false, wires: [['n-sfile']] },
    { id: 'n-sfile', type: 'file', z: 'f1', filename: path.join(dir, 'status.log'), filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', wires: [] },
  ];
  // Nodes on a tab need a position: without x and y Node-RED takes a node for a config node.
  return nodes.map((n, i) => (n.z ? { ...n, x: 150 + 120 * i, y: 100 } : n));
}

/** The report page as a reader sees it: tags removed, HTML entities decoded. */
async function pageText(red: NodeRedProcess): Promise<string> {
  const html = await (await fetch(`${red.base}/tradebot/backtest/n-bt/report`)).text();
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function run(userDir: string, data: string): Promise<{ red: NodeRedProcess; report: any; status: { fill: string; text: string } }> {
  const red = await NodeRedProcess.start({ userDir, flow: flow(data, userDir) });
  const res = await red.post('/tradebot/backtest/n-bt');
  assert.equal(res.status, 200);
  const reportFile = path.join(userDir, 'report.json');
  const statusFile = path.join(userDir, 'status.log');
  const isDone = (s: any) => /^done( \([^)]*\))?:/.test(s.text);
  let report: any;
  let statuses: any[] | undefined;
  await waitForAsync(async () => (report = jsonFileNow(reportFile)) !== undefined && (statuses = jsonLinesNow(statusFile))?.some(isDone) === true, 60_000, 'the report and the done status', 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${red.log.slice(-3000)}`);
  });
  return { red, report, status: statuses!.filter(isDone).pop() };
}

describe('backtest data checks: CSV and JSON history files (real Node-RED process)', function () {
  this.timeout(120_000);
  let userDir: string | undefined;
  let red: NodeRedProcess | undefined;
  afterEach(async () => {
    await red?.stop();
    red = undefined;
    removeUserDir(userDir);
  });

  it('counts invalid rows, empty volumes and duplicate times per file: status, report, report page, one warning line per file', async function () {
    userDir = makeUserDir('tradebot-data-checks-');
    // CSV (the header is line 1): line 3 close NaN, line 4 an empty volume, line 5 the time of line 4 again, line 7 an empty close.
    const rows = clean(40);
    const csv = ['timestamp,open,high,low,close,volume', ...rows.map((r) => r.join(','))];
    csv.splice(2, 0, `${T0 + 100 * MIN},100,101,99,NaN,10`);
    csv[3] = csv[3]!.replace(/,[^,]*$/, ',');
    csv.splice(4, 0, `${rows[1]![0]},1,1,1,1,1`);
    csv.splice(6, 0, `${T0 + 101 * MIN},100,101,99,,10`);
    fs.writeFileSync(path.join(userDir, 'btc.csv'), `${csv.join('\n')}\n`);
    // JSON (rows counted from 1): row 2 close null, row 3 no volume, row 5 the same as row 4.
    const eth: unknown[] = clean(40);
    eth.splice(1, 0, [T0 + 200 * MIN, 1, 1, 1, null, 1]);
    (eth[2] as unknown[]).length = 5;
    eth.splice(4, 0, [...(eth[3] as number[])]);
    fs.writeFileSync(path.join(userDir, 'eth.json'), JSON.stringify(eth));

    const got = await run(userDir, 'BTC/USDT = btc.csv\nETH/USDT = eth.json');
    red = got.red;
    const { report, status } = got;

    // The report: per file, the rows kept and what the checks found, with the first line of each kind.
    assert.deepEqual(report.dataChecks, [
      { file: 'btc.csv', symbol: 'BTC/USDT', rows: 40, invalidRows: 2, emptyVolumes: 1, duplicateTimes: 1, firstInvalidLine: 3, firstEmptyVolumeLine: 4, firstDuplicateLine: 5 },
      { file: 'eth.json', symbol: 'ETH/USDT', rows: 40, invalidRows: 1, emptyVolumes: 1, duplicateTimes: 1, firstInvalidLine: 2, firstEmptyVolumeLine: 3, firstDuplicateLine: 5 },
    ]);
    assert.equal(report.candles, 40 - 5, 'the valid rows were replayed (candle times after the warm-up)');

    // The node's status.
    assert.match(status.text, /^done( \([^)]*\))?: .*; data: 3 invalid rows dropped, 2 empty volumes \(taken as 0\), 2 duplicate times dropped$/);
    assert.equal(status.fill, 'yellow');

    // One warning line per file in the log, naming the file, the counts and the first offending lines.
    const warnings = red.log.split('\n').filter((l) => /\[warn\].*backtest data/.test(l));
    assert.equal(warnings.length, 2, red.log);
    assert.match(warnings[0]!, /btc\.csv \(BTC\/USDT\): 2 invalid rows dropped, 1 empty volume \(taken as 0\), 1 duplicate time dropped; 40 rows kept \(first invalid at line 3, first empty volume at line 4, first duplicate at line 5\)/);
    assert.match(warnings[1]!, /eth\.json \(ETH\/USDT\): 1 invalid row dropped, 1 empty volume \(taken as 0\), 1 duplicate time dropped; 40 rows kept \(first invalid at row 2, first empty volume at row 3, first duplicate at row 5\)/);

    // The report page and report.json say it too.
    const page = await pageText(red);
    assert.match(page, /Data checks:/);
    assert.match(page, /btc\.csv \(BTC\/USDT\): 40 rows; 2 invalid rows dropped, 1 empty volume \(taken as 0\), 1 duplicate time dropped \(first invalid at line 3, first empty volume at line 4, first duplicate at line 5\)/);
    assert.match(page, /eth\.json \(ETH\/USDT\): 40 rows; 1 invalid row dropped/);
    const json = await red.getJson('/tradebot/backtest/n-bt/report.json');
    assert.deepEqual(json.dataChecks, report.dataChecks);
  });

  it('clean data: no warning, a green status, and the page says every row is valid', async function () {
    userDir = makeUserDir('tradebot-data-clean-');
    fs.writeFileSync(path.join(userDir, 'btc.csv'), ['timestamp,open,high,low,close,volume', ...clean(30).map((r) => r.join(','))].join('\n'));
    const got = await run(userDir, 'BTC/USDT = btc.csv');
    red = got.red;
    assert.deepEqual(got.report.dataChecks, [{ file: 'btc.csv', symbol: 'BTC/USDT', rows: 30, invalidRows: 0, emptyVolumes: 0, duplicateTimes: 0 }]);
    assert.equal(got.status.fill, 'green');
    assert.doesNotMatch(got.status.text, /data:/);
    assert.deepEqual(red.log.split('\n').filter((l) => /backtest data/.test(l)), []);
    const page = await pageText(red);
    assert.match(page, /btc\.csv \(BTC\/USDT\): 30 rows, all valid/);
  });
});
