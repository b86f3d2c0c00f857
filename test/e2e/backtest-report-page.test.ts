/**
 * The backtest node's report page, through a real Node-RED process running example 12: before a
 * run the report URLs answer 404 with a sentence saying what to do; after the run report.json has
 * the metrics, trades, equity and the chart's prices, the page has the metrics and the trades, and
 * the chart library is served by Node-RED itself. The page is also loaded in Debian's chromium
 * driven by playwright-core (test/support/browser.ts; required in CI): no page errors, no request
 * leaves the machine, a chart canvas exists; a screenshot goes to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeRedProcess, ROOT, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { buildChartData } from '../../nodes/tradebot-backtest/report-data';
import type { BacktestReport } from '../../core/backtest';
import { launchBrowser, requireBrowser, screenshot, watchPage } from '../support/browser';

describe('backtest report page (real Node-RED process, example 12)', function () {
  this.timeout(120_000);
  let red: NodeRedProcess | undefined;
  let userDir: string | undefined;

  after(async () => {
    await red?.stop();
    await killAllNodeRed();
    removeUserDir(userDir);
  });

  it('chart data: long runs are merged into buckets (OHLC of the candles, equity at the last close)', function () {
    const tf = 60_000;
    const t0 = 1_700_000_000_000 - (1_700_000_000_000 % tf);
    const rows = Array.from({ length: 25 }, (_, i) => [t0 + i * tf, 100 + i, 110 + i, 90 - i, 101 + i, 1] as [number, number, number, number, number, number]);
    const report = { start: t0 + 5 * tf, end: t0 + 25 * tf, candles: 20, equity: rows.slice(5).map((r, i) => [r[0] + tf, 1000 + i] as [number, number]) } as BacktestReport;
    const all = buildChartData(report, { 'A/B': rows }, '1m', tf, 100);
    assert.equal(all.downsampled, false);
    assert.equal(all.prices['A/B']!.length, 20, 'warm-up candles left out');
    assert.deepEqual(all.prices['A/B']![0], [t0 + 5 * tf, 105, 115, 85, 106]);
    assert.deepEqual(all.equity[0], [t0 + 5 * tf, 1000], 'the equity at a close is drawn on its candle');
    const merged = buildChartData(report, { 'A/B': rows }, '1m', tf, 6);
    assert.equal(merged.bucketMs, 4 * tf);
    assert.equal(merged.prices['A/B']!.length, 5);
    assert.deepEqual(merged.prices['A/B']![0], [t0 + 5 * tf, 105, 118, 82, 109]);
    assert.deepEqual(merged.equity.map((e) => e[1]), [1003, 1007, 1011, 1015, 1019]);
    assert.deepEqual(merged.equity.map((e) => e[0]), merged.prices['A/B']!.map((b) => b[0]), 'equity and prices on the same bars');
  });

  it('serves the last run as report.json and an HTML page with metrics, chart and trades; 404 with a reason before', async function () {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', '12 Backtest.json'), 'utf8')) as FlowNode[];
    const bt = example.find((n) => n.type === 'tradebot-backtest')!;
    const inject = example.find((n) => n.type === 'inject')!;
    userDir = makeUserDir('tradebot-report-page-');
    red = await NodeRedProcess.start({ userDir, flow: example });
    const base = `${red.base}/tradebot/backtest/${bt.id}`;

    // Before the run: 404, and the text says what to do.
    const before = await fetch(`${base}/report`);
    assert.equal(before.status, 404);
    assert.match(await before.text(), /has no finished run.*press its button/);
    const unknown = await fetch(`${red.base}/tradebot/backtest/00000000000000ff/report.json`);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /No backtest node 00000000000000ff is deployed/);

    assert.equal((await red.post(`/inject/${inject.id}`)).status, 200);
    const deadline = Date.now() + 60_000;
    let res: Response;
    for (;;) {
      res = await fetch(`${base}/report.json`);
      if (res.status === 200) break;
      assert.equal(res.status, 404);
      if (Date.now() > deadline) throw new Error(`no report within 60 s\n${red.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const report = (await res.json()) as any;
    assert.equal(report.kind, 'backtestReport');
    assert.equal(report.node.id, bt.id);
    assert.equal(report.candles, 4319 - 100);
    for (const k of ['totalReturn', 'annualizedReturn', 'buyAndHold', 'maxDrawdown', 'maxDrawdownDurationMs', 'sharpe', 'sortino', 'winRate', 'exposure', 'fees', 'startEquity', 'endEquity']) {
      assert.equal(typeof report[k], 'number', k);
      assert.ok(Number.isFinite(report[k]), `${k}: ${report[k]}`);
    }
    assert.ok(report.trades.length > 10, `trades: ${report.trades.length}`);
    for (const t of report.trades) assert.ok(['buy', 'sell'].includes(t.side) && t.price > 0 && t.amount > 0 && t.ts >= report.start, JSON.stringify(t));
    assert.equal(report.equity.length, report.candles);
    const bars = report.chart.prices['BTC/USDT'];
    assert.equal(report.chart.downsampled, false);
    assert.equal(bars.length, report.candles, 'one bar per candle of the run');
    assert.equal(bars[0][0], report.start);
    assert.equal(report.chart.equity.length, report.candles);

    const summary = (await (await fetch(`${base}/report.json?summary=1`)).json()) as any;
    assert.equal(summary.tradeCount, report.trades.length);

    // The page: the metrics (as the page formats them) and the trade list.
    const page = await fetch(`${base}/report`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    for (const label of ['Total return', 'Annualized return', 'Buy and hold', 'Max drawdown', 'Max drawdown duration', 'Sharpe', 'Sortino', 'Win rate', 'Profit factor', 'Trades', 'Exposure', 'Fees']) {
      assert.ok(html.includes(`>${label}</th>`), `metric ${label} on the page`);
    }
    const pct = (x: number) => `${(100 * x).toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })} %`;
    assert.ok(html.includes(`>${pct(report.totalReturn)}</td>`), `total return ${pct(report.totalReturn)} on the page`);
    assert.ok(html.includes(`>${pct(-report.maxDrawdown)}</td>`), 'max drawdown on the page');
    assert.ok(html.includes(`>${report.sharpe.toFixed(2)}</td>`), 'Sharpe on the page');
    assert.ok(html.includes(`Trades (${report.trades.length})`));
    assert.equal((html.match(/<td class="l (buy|sell)">/g) ?? []).length, report.trades.length, 'one row per fill');
    // Each sell says why it closed the position, with its P&L %; the exit reasons of report.json are the page's.
    const sells = report.trades.filter((t: any) => t.side === 'sell');
    assert.ok(sells.length > 0);
    for (const t of sells) assert.ok(['signal', 'stop-loss', 'take-profit', 'trailing-stop', 'force-exit', 'breaker'].includes(t.exitReason) && Number.isFinite(t.pnlPct), JSON.stringify(t));
    for (const t of report.trades.filter((t: any) => t.side === 'buy')) assert.equal(t.exitReason, undefined);
    const reasons = [...html.matchAll(/<td class="l reason">([a-z-]*)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(reasons.filter(Boolean), sells.map((t: any) => t.exitReason), 'the exit reason column');
    assert.ok(html.includes('>exit reason</th>') && html.includes('>P&amp;L %</th>'));
    // The node has no name in the example: the title says which backtest node by its id.
    assert.ok(html.includes(`<title>Backtest report: backtest ${bt.id}</title>`));
    assert.ok(html.includes(`<span class="id">node ${bt.id}</span>`));
    assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'no absolute URLs: the page works offline and under any httpAdminRoot');

    // The scripts the page loads, by the page's own relative URLs.
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(scripts, ['../assets/lightweight-charts.js', '../assets/report-page.js']);
    for (const src of scripts) {
      const js = await fetch(new URL(src, `${base}/report`));
      assert.equal(js.status, 200, src);
      assert.match(js.headers.get('content-type') ?? '', /javascript/, src);
      const text = await js.text();
      assert.ok(text.length > 1000, src);
      if (src.includes('lightweight-charts')) assert.match(text, /TradingView Lightweight Charts/);
    }
    assert.equal((await fetch(`${red.base}/tradebot/backtest/assets/other.js`)).status, 404);

    // A real browser (test/support/browser.ts): required in CI, skipped with a message elsewhere without one.
    if (requireBrowser()) {
      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
        const { errors, outside } = watchPage(tab, red.base);
        const loaded = await tab.goto(`${base}/report`, { waitUntil: 'load' });
        assert.equal(loaded?.status(), 200);
        // The chart draws once its canvas has a size.
        await tab.waitForFunction(() => Array.from(document.querySelectorAll('#chart canvas')).some((c: any) => c.width > 0 && c.height > 0), undefined, { timeout: 15_000 });
        const canvases = await tab.$$eval('#chart canvas', (els: any[]) => els.filter((c) => c.width > 0 && c.height > 0).length);
        assert.ok(canvases > 0, 'a chart canvas with a size');
        assert.equal(await tab.$eval('#chart', (el: any) => el.querySelector('.chart-error') === null), true, 'no chart error message');
        assert.deepEqual(errors, [], 'no page errors');
        assert.deepEqual(outside, [], 'no request leaves the Node-RED server');
        await screenshot(tab, 'backtest-report-page', true);
      } finally {
        await browser.close();
      }
    }
    assert.deepEqual(red.errors(), [], 'no errors in the Node-RED log');
  });
});
