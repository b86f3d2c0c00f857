/**
 * The optional dashboard example ("16 Dashboard - needs FlowFuse Dashboard 2") the way a user runs it:
 * our package as `npm pack` makes it, installed into a fresh Node-RED user dir
 * (test/support/packed-install.ts), FlowFuse Dashboard 2 installed into the same user dir the way
 * the palette manager installs it (npm install --no-audit --no-fund --ignore-scripts <pinned
 * version>; --offline from npm's cache first, then from the registry), the example as flows.json,
 * and the real Node-RED started on it. The example is in examples-dashboard/, not in examples/
 * (Import > Examples): deployed without the dashboard it would stop every flow (missing node
 * types), so the user imports its file after installing the dashboard; the file is in the package.
 *
 * What a user would check: the flow deploys with no missing type, no node in error (red status),
 * nothing logged at error level and nothing reaching the example's catch -> "errors" debug node;
 * GET /dashboard serves the dashboard; and in Debian's chromium (playwright-core,
 * test/support/browser.ts) the page shows the price chart's canvas, the equity text in USDT, rows
 * in the latest-signals table, the journal's closed-trades table and daily P&L bars (the journal
 * node answering both queries, its status says so), and the kill switch and resume buttons, whose
 * presses reach the risk gate (its status says so). A screenshot goes to test-output/screenshots/ (git-ignored).
 *
 * Without the registry and with nothing in npm's cache the dashboard cannot be installed: then the
 * suite skips locally with a message and fails in CI (CI=true), as the browser and Redis suites do.
 */
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { killAllNodeRed, type FlowNode, type NodeRedProcess } from '../support/node-red-process';
import type { PackedUserDir } from '../support/packed-install';
import { launchBrowser, requireBrowser, screenshot, watchPage } from '../support/browser';
import { DASHBOARD_VERSION, namedIn, readDashboardExample, startDashboardExample, userDirWithDashboardExample } from '../support/dashboard-install';
import type { DebugSidebar } from '../support/debug-sidebar';
import { waitFor } from '../support/wait';

const EXAMPLE = '16 Dashboard - needs FlowFuse Dashboard 2.json';
const DATA_TIMEOUT_MS = 30_000;
/**
 * A signal needs an EMA 20/50 cross: within minutes of market time as a rule (the simulator at
 * 300x plays five a second), but it has trending stretches of an hour or more without one.
 */
const SIGNAL_TIMEOUT_MS = 120_000;

describe(`dashboard example (${EXAMPLE}): packed install + FlowFuse Dashboard ${DASHBOARD_VERSION}, real Node-RED, chromium`, function () {
  this.timeout(240_000);
  const example = readDashboardExample(EXAMPLE);
  const byType = (type: string) => example.filter((n) => n.type === type);
  const named = namedIn(example);
  let packed: PackedUserDir | undefined;
  let red: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let sidebar: DebugSidebar | undefined;

  before(async function () {
    ({ packed } = await userDirWithDashboardExample(this, EXAMPLE, 'dashboard example'));
  });

  after(async function () {
    sidebar?.close();
    await browser?.close();
    await red?.stop();
    await killAllNodeRed();
    packed?.remove();
  });

  it('deploys: every type known, no node in error, nothing logged at error level, GET /dashboard serves the page', async function () {
    // Every type installed, the whole example deployed; statuses and debug messages from the start (the editor's comms websocket).
    let nodes;
    ({ red, sidebar, nodes } = await startDashboardExample(packed!, example));
    const dashboard = nodes.filter((n) => n.module === '@flowfuse/node-red-dashboard');
    assert.ok(dashboard.length > 0 && dashboard.every((n) => n.enabled && !n.err), `the dashboard's node sets loaded: ${JSON.stringify(dashboard)}`);

    const page = await fetch(`${red.base}/dashboard`);
    assert.equal(page.status, 200, 'GET /dashboard');
    const html = await page.text();
    assert.match(html, /<div id="app"/, 'the dashboard app page');

    // Let the flow run a few seconds (the simulator at 300x: several candles a second), then look.
    // A fixed wait on purpose: the flow runs a few seconds (the simulator at 300x: several candles a second), in which nothing must be logged as an error or a warning.
    await new Promise((r) => setTimeout(r, 5_000));
    assert.deepEqual(red.errors(), [], `nothing logged at error level:\n${red.log}`);
    assert.doesNotMatch(red.log, /\[warn\].*\[(ui-|tradebot-)/, `no warning from a node of the example:\n${red.log}`);
    assert.deepEqual(sidebar.redStatuses(), [], 'no node shows a red (error) status');
    // The journal node answered both injects (every 10 s, the first after 2 s): its configured query and the daily one.
    const journal = byType('tradebot-journal')[0]!;
    const journalStatus = () => sidebar!.statuses(journal);
    await waitFor(() => journalStatus().some((t) => /^trades: \d+ rows?$/.test(t)) && journalStatus().includes('daily: 14 rows'), 15_000, `the journal node's answers (statuses: ${journalStatus().join(' | ')})`);
  });

  it('the page shows the price chart, equity, latest signals, positions table, closed trades and daily P&L, the kill switch and force exit; the buttons reach the risk gate', async function () {
    if (!red) this.skip();
    if (!requireBrowser(this)) return;
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watched = watchPage(page, red!.base);
    const uiPage = byType('ui-page')[0]!;
    await page.goto(`${red!.base}/dashboard${uiPage.path as string}`, { waitUntil: 'domcontentloaded' });
    const widget = (n: FlowNode) => page.locator(`#nrdb-ui-widget-${n.id}`);

    try {
      // The price chart draws on a canvas (ECharts) once it has points.
      const chart = named('ui-chart', 'price');
      await widget(chart).locator('canvas').first().waitFor({ state: 'visible', timeout: DATA_TIMEOUT_MS });
      // Equity from the portfolio report (asked for every 5 s): "10,000.00 USDT" or near it.
      const equity = widget(named('ui-text', 'equity'));
      await page.waitForFunction((sel) => /\d[\d,]*\.\d\d USDT/.test(document.querySelector(sel)?.textContent ?? ''), `#nrdb-ui-widget-${named('ui-text', 'equity').id}`, { timeout: DATA_TIMEOUT_MS });
      const equityText = (await equity.textContent()) ?? '';
      const value = Number(/([\d,]+\.\d\d) USDT/.exec(equityText)![1]!.replace(/,/g, ''));
      assert.ok(value > 5_000 && value < 20_000, `equity near the 10,000 USDT start: ${equityText}`);
      assert.match((await widget(named('ui-text', 'P&L')).textContent()) ?? '', /realized -?[\d,]+\.\d\d \/ unrealized -?[\d,]+\.\d\d USDT/);
      // Signals: rows with a side and the strategy's name.
      const signalRows = widget(named('ui-table', 'latest signals')).locator('tbody tr');
      await page.waitForFunction((sel) => Array.from(document.querySelectorAll(`${sel} tbody tr`)).some((r) => {
            const cells = Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim());
            return (cells.includes('buy') || cells.includes('sell')) && cells.includes('ema cross');
          }), `#nrdb-ui-widget-${named('ui-table', 'latest signals').id}`, { timeout: SIGNAL_TIMEOUT_MS });
      assert.ok((await signalRows.count()) >= 1);
      // The positions table is there (rows only while a position is open).
      await widget(named('ui-table', 'open positions')).waitFor({ state: 'visible', timeout: 5_000 });
      // The journal: the closed-trades table (rows once a position was sold) and the daily P&L bars.
      await widget(named('ui-table', 'closed trades')).waitFor({ state: 'visible', timeout: DATA_TIMEOUT_MS });
      await widget(named('ui-chart', 'daily P&L')).locator('canvas').first().waitFor({ state: 'visible', timeout: DATA_TIMEOUT_MS });

      // Kill switch: the risk gate's status changes; resume: back.
      const gate = byType('tradebot-risk-gate')[0]!;
      const gateStatus = () => sidebar!.statuses(gate);
      const before = gateStatus().length;
      await widget(named('ui-button', 'kill switch')).locator('button').click();
      await waitFor(() => gateStatus().slice(before).some((t) => /kill/i.test(t)), 10_000, `the risk gate shows the kill switch (statuses: ${gateStatus().slice(-5).join(' | ')})`);
      await page.waitForFunction((sel) => /kill switch ON/.test(document.querySelector(sel)?.textContent ?? ''), `#nrdb-ui-widget-${named('ui-text', 'trading state').id}`, { timeout: 10_000 });
      await screenshot(page, 'dashboard-example', true);
      const afterKill = gateStatus().length;
      await widget(named('ui-button', 'resume')).locator('button').click();
      await waitFor(() => gateStatus().length > afterKill && !/kill/i.test(gateStatus().at(-1)!), 10_000, `the risk gate leaves the kill switch (statuses: ${gateStatus().slice(-5).join(' | ')})`);
      // Force exit all: the risk gate sends the sells of every open position (or says there is none).
      const beforeExit = gateStatus().length;
      await widget(named('ui-button', 'force exit all')).locator('button').click();
      await waitFor(() => gateStatus().slice(beforeExit).some((t) => /^force exit: /.test(t)), 10_000, `the risk gate shows the force exit (statuses: ${gateStatus().slice(-5).join(' | ')})`);
      await page.waitForFunction((sel) => /force exit: every position sold/.test(document.querySelector(sel)?.textContent ?? ''), `#nrdb-ui-widget-${named('ui-text', 'trading state').id}`, { timeout: 10_000 });
    } catch (err) {
      await screenshot(page, 'dashboard-example-failed', true).catch(() => undefined);
      throw err;
    }

    assert.deepEqual(watched.errors, [], 'no page errors or console errors');
    assert.deepEqual(watched.outside, [], 'the dashboard loads nothing from outside the Node-RED server');
    const errorDebug = named('debug', 'errors');
    assert.deepEqual(sidebar!.of(errorDebug), [], 'nothing reached the catch node');
    assert.deepEqual(red!.errors(), [], `nothing logged at error level:\n${red!.log}`);
  });
});
